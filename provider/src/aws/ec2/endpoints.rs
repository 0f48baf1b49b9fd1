//! Interface VPC endpoints (the consumer's side) and the service as a consumer sees it.

use aws_sdk_ec2::types::ResourceType;

use super::{filter, first_failure, non_empty, tag_spec, SdkEc2, Tags};
use crate::aws::error::{absent, required, AwsError, ErrorKind};
use crate::aws::retry::{all_pages, send, EVENTUALLY_VISIBLE, TRANSIENT};
use crate::aws::states::{DnsVerificationState, EndpointState};
use crate::aws::tags::from_sdk;

/// An endpoint service as a consumer sees it.
#[derive(Debug, Clone)]
pub struct ServiceDetail {
    pub zones: Vec<String>,
    pub zone_ids: Vec<String>,
    pub private_dns_name: Option<String>,
    /// `verified`, `pendingVerification` or `failed`, when the service has a private DNS name.
    pub private_dns_state: Option<DnsVerificationState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsEntry {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

/// An interface VPC endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub state: EndpointState,
    pub vpc_id: String,
    pub service_name: String,
    /// The service's Region, for a cross-Region endpoint.
    pub service_region: Option<String>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: bool,
    pub dns_entries: Vec<DnsEntry>,
    pub network_interface_ids: Vec<String>,
    pub tags: Tags,
}

impl Endpoint {
    /// The names AWS made for this endpoint (regional and zonal `<endpoint id>-…` names).
    pub fn own_dns_entries(&self) -> impl Iterator<Item = &DnsEntry> {
        self.dns_entries.iter().filter(|d| self.is_own_name(d))
    }

    /// The service's private DNS names, listed while private DNS is on.
    pub fn private_dns_entries(&self) -> impl Iterator<Item = &DnsEntry> {
        self.dns_entries.iter().filter(|d| !self.is_own_name(d))
    }

    fn is_own_name(&self, entry: &DnsEntry) -> bool {
        entry
            .dns_name
            .strip_prefix(&self.id)
            .is_some_and(|rest| rest.starts_with('-'))
    }
}

/// What the endpoint should be changed to; empty fields leave it alone.
#[derive(Debug, Default)]
pub struct EndpointChange {
    pub private_dns_enabled: Option<bool>,
    pub add_security_groups: Vec<String>,
    pub remove_security_groups: Vec<String>,
    pub add_subnets: Vec<String>,
    pub remove_subnets: Vec<String>,
}

impl EndpointChange {
    pub fn is_empty(&self) -> bool {
        self.private_dns_enabled.is_none()
            && self.add_security_groups.is_empty()
            && self.remove_security_groups.is_empty()
            && self.add_subnets.is_empty()
            && self.remove_subnets.is_empty()
    }
}

impl SdkEc2<'_> {
    /// The service as this account sees it; `None` when it does not exist or this account is
    /// not allowed to use it (AWS does not say which).
    pub async fn service_detail(
        &self,
        service_name: &str,
        service_region: Option<&str>,
    ) -> Result<Option<ServiceDetail>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcEndpointServices",
            TRANSIENT,
            self.client
                .describe_vpc_endpoint_services()
                .service_names(service_name)
                .set_service_regions(service_region.map(|r| vec![r.to_string()]))
        )
        .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if e.code == "InvalidServiceName" => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(out
            .service_details()
            .iter()
            .find(|d| d.service_name() == Some(service_name))
            .map(|d| ServiceDetail {
                zones: d.availability_zones().to_vec(),
                zone_ids: d.availability_zone_ids().to_vec(),
                private_dns_name: d.private_dns_name().map(String::from),
                private_dns_state: d
                    .private_dns_name_verification_state()
                    .map(|s| DnsVerificationState::parse(s.as_str())),
            }))
    }

    pub async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>, AwsError> {
        match absent(self.describe_endpoint(id, TRANSIENT).await)? {
            Some(out) => live_endpoint(out.vpc_endpoints()),
            None => Ok(None),
        }
    }

    /// The endpoint this run just created: EC2 reads are eventually consistent, so "not found"
    /// is waited out here (and only here: an id from state or from the user that is not found is
    /// gone, see [`Self::endpoint`]). `None` when it was deleted since.
    pub async fn endpoint_just_made(&self, id: &str) -> Result<Option<Endpoint>, AwsError> {
        live_endpoint(
            self.describe_endpoint(id, EVENTUALLY_VISIBLE)
                .await?
                .vpc_endpoints(),
        )
    }

    async fn describe_endpoint(
        &self,
        id: &str,
        also: &[ErrorKind],
    ) -> Result<aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput, AwsError>
    {
        send!(
            self.ctx,
            "DescribeVpcEndpoints",
            also,
            self.client.describe_vpc_endpoints().vpc_endpoint_ids(id)
        )
        .await
    }

    /// The live endpoint tagged with `key` = `value` (how an interrupted create's endpoint is
    /// found).
    pub async fn endpoint_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<Endpoint>, AwsError> {
        let tag_filter = filter(&format!("tag:{key}"), [value]);
        let tag_filter = &tag_filter;
        let endpoints = all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeVpcEndpoints",
                TRANSIENT,
                self.client
                    .describe_vpc_endpoints()
                    .filters(tag_filter.clone())
                    .set_next_token(token.clone())
            )
            .await?;
            Ok((
                out.vpc_endpoints().to_vec(),
                out.next_token().map(String::from),
            ))
        })
        .await?;
        live_endpoint(&endpoints)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_endpoint(
        &self,
        vpc_id: &str,
        service_name: &str,
        service_region: Option<&str>,
        subnet_ids: &[String],
        security_group_id: &str,
        tags: &Tags,
        client_token: &str,
    ) -> Result<Endpoint, AwsError> {
        let out = send!(
            self.ctx,
            "CreateVpcEndpoint",
            EVENTUALLY_VISIBLE,
            self.client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .vpc_id(vpc_id)
                .service_name(service_name)
                .set_service_region(service_region.map(String::from))
                .set_subnet_ids(Some(subnet_ids.to_vec()))
                .security_group_ids(security_group_id)
                .private_dns_enabled(false)
                .tag_specifications(tag_spec(ResourceType::VpcEndpoint, tags))
                .client_token(client_token)
        )
        .await?;
        out.vpc_endpoint()
            .map(endpoint_of)
            .transpose()?
            .ok_or_else(|| {
                AwsError::reported(
                    "CreateVpcEndpoint",
                    "EmptyResponse",
                    "no endpoint in the answer",
                )
            })
    }

    pub async fn modify_endpoint(&self, id: &str, change: &EndpointChange) -> Result<(), AwsError> {
        if change.is_empty() {
            return Ok(());
        }
        send!(
            self.ctx,
            "ModifyVpcEndpoint",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_vpc_endpoint()
                .vpc_endpoint_id(id)
                .set_private_dns_enabled(change.private_dns_enabled)
                .set_add_security_group_ids(non_empty(&change.add_security_groups))
                .set_remove_security_group_ids(non_empty(&change.remove_security_groups))
                .set_add_subnet_ids(non_empty(&change.add_subnets))
                .set_remove_subnet_ids(non_empty(&change.remove_subnets))
        )
        .await?;
        Ok(())
    }

    /// Starts deleting the endpoint. Gone already is fine.
    pub async fn delete_endpoint(&self, id: &str) -> Result<(), AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DeleteVpcEndpoints",
                TRANSIENT,
                self.client.delete_vpc_endpoints().vpc_endpoint_ids(id)
            )
            .await,
        )?;
        let items = out.as_ref().map(|o| o.unsuccessful()).unwrap_or_default();
        absent(first_failure("DeleteVpcEndpoints", items))?;
        Ok(())
    }
}

/// Endpoints in `deleted` state linger in answers; they are gone for us.
fn live_endpoint(
    endpoints: &[aws_sdk_ec2::types::VpcEndpoint],
) -> Result<Option<Endpoint>, AwsError> {
    for endpoint in endpoints {
        let endpoint = endpoint_of(endpoint)?;
        if endpoint.state != EndpointState::Deleted {
            return Ok(Some(endpoint));
        }
    }
    Ok(None)
}

fn endpoint_of(e: &aws_sdk_ec2::types::VpcEndpoint) -> Result<Endpoint, AwsError> {
    const OP: &str = "DescribeVpcEndpoints";
    Ok(Endpoint {
        id: required(OP, "VpcEndpointId", e.vpc_endpoint_id())?,
        state: EndpointState::parse(&required(OP, "State", e.state().map(|s| s.as_str()))?),
        vpc_id: required(OP, "VpcId", e.vpc_id())?,
        service_name: required(OP, "ServiceName", e.service_name())?,
        service_region: e.service_region().map(String::from),
        subnet_ids: e.subnet_ids().to_vec(),
        security_group_ids: e
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(String::from))
            .collect(),
        private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
        dns_entries: e
            .dns_entries()
            .iter()
            .filter_map(|d| {
                Some(DnsEntry {
                    dns_name: d.dns_name()?.to_string(),
                    hosted_zone_id: d.hosted_zone_id()?.to_string(),
                })
            })
            .collect(),
        network_interface_ids: e.network_interface_ids().to_vec(),
        tags: from_sdk(e.tags()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> DnsEntry {
        DnsEntry {
            dns_name: name.into(),
            hosted_zone_id: "Z1".into(),
        }
    }

    #[test]
    fn the_services_private_name_is_told_from_the_endpoints_own_names() {
        let service = "vpce-svc-0abc.us-east-1.vpce.amazonaws.com";
        let endpoint = Endpoint {
            id: "vpce-0123".into(),
            state: EndpointState::Available,
            vpc_id: "vpc-1".into(),
            service_name: "com.amazonaws.vpce.us-east-1.vpce-svc-0abc".into(),
            service_region: None,
            subnet_ids: vec![],
            security_group_ids: vec![],
            private_dns_enabled: true,
            dns_entries: vec![
                entry(&format!("vpce-0123-x1y2.{service}")),
                entry(&format!("vpce-0123-x1y2-us-east-1a.{service}")),
                entry("db.example.com"),
                // Another endpoint's id that starts like this one's is not this one's name.
                entry(&format!("vpce-01234-x1y2.{service}")),
            ],
            network_interface_ids: vec![],
            tags: Tags::default(),
        };
        let own: Vec<&str> = endpoint
            .own_dns_entries()
            .map(|d| d.dns_name.as_str())
            .collect();
        assert_eq!(
            own,
            [
                format!("vpce-0123-x1y2.{service}"),
                format!("vpce-0123-x1y2-us-east-1a.{service}")
            ]
        );
        let private: Vec<&str> = endpoint
            .private_dns_entries()
            .map(|d| d.dns_name.as_str())
            .collect();
        assert_eq!(
            private,
            [
                "db.example.com".to_string(),
                format!("vpce-01234-x1y2.{service}")
            ]
        );
    }
}
