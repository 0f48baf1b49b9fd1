//! Endpoint services (the producer's side): configuration, allowed principals, connections.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::ResourceType;

use super::{filter, first_failure, non_empty, tag_spec, SdkEc2, Tags};
use crate::aws::error::{absent, required, AwsError};
use crate::aws::retry::{all_pages, send, EVENTUALLY_VISIBLE, TRANSIENT};
use crate::aws::states::{DnsVerificationState, EndpointState, ServiceState};
use crate::aws::tags::from_sdk;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsVerification {
    pub name: String,
    pub record_type: String,
    pub value: String,
    pub state: DnsVerificationState,
}

/// An endpoint service as its owner sees it.
#[derive(Debug, Clone)]
pub struct EndpointService {
    pub id: String,
    pub name: String,
    pub state: ServiceState,
    pub load_balancer_arns: Vec<String>,
    pub acceptance_required: bool,
    pub private_dns_name: Option<String>,
    pub dns_verification: Option<DnsVerification>,
    /// Other Regions than the service's own.
    pub supported_regions: BTreeSet<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub endpoint_id: String,
    pub owner: String,
    pub state: EndpointState,
}

/// What an endpoint service's configuration should be changed to; `None` leaves a setting alone.
#[derive(Debug, Default)]
pub struct ServiceChange {
    pub acceptance_required: Option<bool>,
    /// `Some(None)` removes the private DNS name.
    pub private_dns_name: Option<Option<String>>,
    pub add_regions: Vec<String>,
    pub remove_regions: Vec<String>,
}

impl ServiceChange {
    pub fn is_empty(&self) -> bool {
        self.acceptance_required.is_none()
            && self.private_dns_name.is_none()
            && self.add_regions.is_empty()
            && self.remove_regions.is_empty()
    }
}

impl SdkEc2<'_> {
    pub async fn endpoint_service(&self, id: &str) -> Result<Option<EndpointService>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeVpcEndpointServiceConfigurations",
                TRANSIENT,
                self.client
                    .describe_vpc_endpoint_service_configurations()
                    .service_ids(id)
            )
            .await,
        )?;
        match out {
            Some(out) => live_service(out.service_configurations()),
            None => Ok(None),
        }
    }

    /// The live service tagged with `key` = `value` (how an interrupted create's service is found).
    pub async fn endpoint_service_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<EndpointService>, AwsError> {
        let tag_filter = filter(&format!("tag:{key}"), [value]);
        let tag_filter = &tag_filter;
        let services = all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeVpcEndpointServiceConfigurations",
                TRANSIENT,
                self.client
                    .describe_vpc_endpoint_service_configurations()
                    .filters(tag_filter.clone())
                    .set_next_token(token.clone())
            )
            .await?;
            Ok((
                out.service_configurations().to_vec(),
                out.next_token().map(String::from),
            ))
        })
        .await?;
        live_service(&services)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_endpoint_service(
        &self,
        load_balancer_arn: &str,
        acceptance_required: bool,
        private_dns_name: Option<&str>,
        supported_regions: &[String],
        tags: &Tags,
        client_token: &str,
    ) -> Result<EndpointService, AwsError> {
        let out = send!(
            self.ctx,
            "CreateVpcEndpointServiceConfiguration",
            EVENTUALLY_VISIBLE,
            self.client
                .create_vpc_endpoint_service_configuration()
                .network_load_balancer_arns(load_balancer_arn)
                .acceptance_required(acceptance_required)
                .set_private_dns_name(private_dns_name.map(String::from))
                .set_supported_regions(if supported_regions.is_empty() {
                    None
                } else {
                    Some(supported_regions.to_vec())
                })
                .tag_specifications(tag_spec(ResourceType::VpcEndpointService, tags))
                .client_token(client_token)
        )
        .await?;
        out.service_configuration()
            .map(service_of)
            .transpose()?
            .ok_or_else(|| {
                AwsError::reported(
                    "CreateVpcEndpointServiceConfiguration",
                    "EmptyResponse",
                    "no service configuration in the answer",
                )
            })
    }

    pub async fn modify_endpoint_service(
        &self,
        id: &str,
        change: &ServiceChange,
    ) -> Result<(), AwsError> {
        if change.is_empty() {
            return Ok(());
        }
        let remove_dns = matches!(change.private_dns_name, Some(None));
        let set_dns = change.private_dns_name.clone().flatten();
        send!(
            self.ctx,
            "ModifyVpcEndpointServiceConfiguration",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_vpc_endpoint_service_configuration()
                .service_id(id)
                .set_acceptance_required(change.acceptance_required)
                .set_private_dns_name(set_dns.clone())
                .set_remove_private_dns_name(remove_dns.then_some(true))
                .set_add_supported_regions(non_empty(&change.add_regions))
                .set_remove_supported_regions(non_empty(&change.remove_regions))
        )
        .await?;
        Ok(())
    }

    /// StartVpcEndpointServicePrivateDnsVerification: AWS looks up the TXT record and sets the
    /// verification state (read back with the service).
    /// https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html
    pub async fn start_private_dns_verification(&self, service_id: &str) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "StartVpcEndpointServicePrivateDnsVerification",
            EVENTUALLY_VISIBLE,
            self.client
                .start_vpc_endpoint_service_private_dns_verification()
                .service_id(service_id)
        )
        .await?;
        Ok(())
    }

    pub async fn allowed_principals(&self, service_id: &str) -> Result<BTreeSet<String>, AwsError> {
        let principals = all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeVpcEndpointServicePermissions",
                EVENTUALLY_VISIBLE,
                self.client
                    .describe_vpc_endpoint_service_permissions()
                    .service_id(service_id)
                    .set_next_token(token.clone())
            )
            .await?;
            let principals: Vec<String> = out
                .allowed_principals()
                .iter()
                .filter_map(|p| p.principal().map(String::from))
                .collect();
            Ok((principals, out.next_token().map(String::from)))
        })
        .await?;
        Ok(principals.into_iter().collect())
    }

    pub async fn set_allowed_principals(
        &self,
        service_id: &str,
        add: Vec<String>,
        remove: Vec<String>,
    ) -> Result<(), AwsError> {
        if add.is_empty() && remove.is_empty() {
            return Ok(());
        }
        send!(
            self.ctx,
            "ModifyVpcEndpointServicePermissions",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_vpc_endpoint_service_permissions()
                .service_id(service_id)
                .set_add_allowed_principals(non_empty(&add))
                .set_remove_allowed_principals(non_empty(&remove))
        )
        .await?;
        Ok(())
    }

    pub async fn connections(&self, service_id: &str) -> Result<Vec<Connection>, AwsError> {
        let by_service = filter("service-id", [service_id]);
        let by_service = &by_service;
        let mut connections = all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeVpcEndpointConnections",
                TRANSIENT,
                self.client
                    .describe_vpc_endpoint_connections()
                    .filters(by_service.clone())
                    .set_next_token(token.clone())
            )
            .await?;
            let page = out
                .vpc_endpoint_connections()
                .iter()
                .map(connection_of)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((page, out.next_token().map(String::from)))
        })
        .await?;
        connections.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
        Ok(connections)
    }

    pub async fn accept_connections(
        &self,
        service_id: &str,
        endpoint_ids: Vec<String>,
    ) -> Result<(), AwsError> {
        if endpoint_ids.is_empty() {
            return Ok(());
        }
        let out = send!(
            self.ctx,
            "AcceptVpcEndpointConnections",
            TRANSIENT,
            self.client
                .accept_vpc_endpoint_connections()
                .service_id(service_id)
                .set_vpc_endpoint_ids(Some(endpoint_ids.clone()))
        )
        .await?;
        first_failure("AcceptVpcEndpointConnections", out.unsuccessful())
    }

    pub async fn reject_connections(
        &self,
        service_id: &str,
        endpoint_ids: Vec<String>,
    ) -> Result<(), AwsError> {
        if endpoint_ids.is_empty() {
            return Ok(());
        }
        let out = send!(
            self.ctx,
            "RejectVpcEndpointConnections",
            TRANSIENT,
            self.client
                .reject_vpc_endpoint_connections()
                .service_id(service_id)
                .set_vpc_endpoint_ids(Some(endpoint_ids.clone()))
        )
        .await?;
        first_failure("RejectVpcEndpointConnections", out.unsuccessful())
    }

    /// Deletes the service. Gone already is fine; live connections make AWS refuse
    /// (`ExistingVpcEndpointConnections`).
    pub async fn delete_endpoint_service(&self, id: &str) -> Result<(), AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DeleteVpcEndpointServiceConfigurations",
                TRANSIENT,
                self.client
                    .delete_vpc_endpoint_service_configurations()
                    .service_ids(id)
            )
            .await,
        )?;
        let items = out.as_ref().map(|o| o.unsuccessful()).unwrap_or_default();
        absent(first_failure(
            "DeleteVpcEndpointServiceConfigurations",
            items,
        ))?;
        Ok(())
    }
}

fn connection_of(c: &aws_sdk_ec2::types::VpcEndpointConnection) -> Result<Connection, AwsError> {
    const OP: &str = "DescribeVpcEndpointConnections";
    Ok(Connection {
        endpoint_id: required(OP, "VpcEndpointId", c.vpc_endpoint_id())?,
        owner: required(OP, "VpcEndpointOwner", c.vpc_endpoint_owner())?,
        state: EndpointState::parse(&required(
            OP,
            "VpcEndpointState",
            c.vpc_endpoint_state().map(|s| s.as_str()),
        )?),
    })
}

/// The first service of an answer that is not being deleted (deleted ones linger in answers).
fn live_service(
    services: &[aws_sdk_ec2::types::ServiceConfiguration],
) -> Result<Option<EndpointService>, AwsError> {
    for service in services {
        let service = service_of(service)?;
        if !service.state.is_gone() {
            return Ok(Some(service));
        }
    }
    Ok(None)
}

fn service_of(c: &aws_sdk_ec2::types::ServiceConfiguration) -> Result<EndpointService, AwsError> {
    const OP: &str = "DescribeVpcEndpointServiceConfigurations";
    let name = required(OP, "ServiceName", c.service_name())?;
    let own_region = crate::validate::service_name_region(&name).map(String::from);
    Ok(EndpointService {
        id: required(OP, "ServiceId", c.service_id())?,
        state: ServiceState::parse(&required(
            OP,
            "ServiceState",
            c.service_state().map(|s| s.as_str()),
        )?),
        name,
        load_balancer_arns: c.network_load_balancer_arns().to_vec(),
        acceptance_required: c.acceptance_required().unwrap_or(false),
        private_dns_name: c.private_dns_name().map(String::from),
        dns_verification: c
            .private_dns_name_configuration()
            .map(|d| -> Result<DnsVerification, AwsError> {
                Ok(DnsVerification {
                    name: required(OP, "PrivateDnsNameConfiguration.Name", d.name())?,
                    record_type: required(OP, "PrivateDnsNameConfiguration.Type", d.r#type())?,
                    value: required(OP, "PrivateDnsNameConfiguration.Value", d.value())?,
                    state: DnsVerificationState::parse(&required(
                        OP,
                        "PrivateDnsNameConfiguration.State",
                        d.state().map(|s| s.as_str()),
                    )?),
                })
            })
            .transpose()?,
        supported_regions: c
            .supported_regions()
            .iter()
            .filter_map(|r| r.region().map(String::from))
            .filter(|r| Some(r) != own_region.as_ref())
            .collect(),
        tags: from_sdk(c.tags()),
    })
}
