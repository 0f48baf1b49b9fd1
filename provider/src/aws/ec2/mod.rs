//! The EC2 calls the resources make: the [`Ec2Api`] trait lists them; [`SdkEc2`] makes them with
//! the SDK, one file per API area: VPC facts (`network`), security groups and their rules
//! (`security_groups`), endpoint services and their connections (`endpoint_services`),
//! interface endpoints (`endpoints`). Answers come back as small types, so resource code never
//! handles SDK shapes; every call goes through the retry mechanism and every paginated Describe
//! is followed to its last page. [`Ec2`] is the handle resources hold (see `aws`'s comment).

use std::collections::BTreeSet;
use std::ops::Deref;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification, UnsuccessfulItem};

use super::error::{AwsError, ErrorKind};
use super::retry::{send, EVENTUALLY_VISIBLE};
use super::session::Backend;
use super::tags::{self, to_sdk};
use super::target_zones::SubnetRange;
use crate::config::Context;

mod endpoint_services;
mod endpoints;
mod network;
mod security_groups;

pub use super::states::{DnsVerificationState, EndpointState, ServiceState};
pub use super::tags::Tags;
pub use endpoint_services::{Connection, DnsVerification, EndpointService, ServiceChange};
pub use endpoints::{DnsEntry, Endpoint, EndpointChange, ServiceDetail};
pub use network::Subnet;
pub use security_groups::{
    description_text, refuse_if_referenced, MadeGroup, Peer, Rule, SecurityGroup,
};

super::api_trait! {
    /// The EC2 calls the resources make. Lookups answer `None` for what does not exist; deletes
    /// of what is gone succeed.
    pub trait Ec2Api for SdkEc2<'_> {
        /// Adds or overwrites these tags (CreateTags); see [`Ec2::sync_tags`].
        async fn add_tags(&self, resource_id: &str, tags: Tags) -> Result<(), AwsError>;
        /// Removes these tag keys (DeleteTags).
        async fn remove_tags(&self, resource_id: &str, keys: Vec<String>) -> Result<(), AwsError>;
        /// The VPC's IPv4 CIDR blocks (primary and associated).
        async fn vpc_cidrs(&self, vpc_id: &str) -> Result<Vec<String>, AwsError>;
        async fn subnets(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError>;
        /// Every subnet of the VPC with its block and zone.
        async fn subnet_ranges(&self, vpc_id: &str) -> Result<Vec<SubnetRange>, AwsError>;
        /// The VPC's `enableDnsSupport` and `enableDnsHostnames` attributes.
        async fn vpc_dns_attributes(&self, vpc_id: &str) -> Result<(bool, bool), AwsError>;
        async fn security_group(&self, id: &str) -> Result<Option<SecurityGroup>, AwsError>;
        async fn security_group_named(
            &self,
            vpc_id: &str,
            name: &str,
        ) -> Result<Option<SecurityGroup>, AwsError>;
        /// Groups other than `group_id` with a rule naming it as peer.
        async fn groups_referencing(&self, group_id: &str) -> Result<Vec<SecurityGroup>, AwsError>;
        /// Creates the group; when the VPC already has a group of that name, answers that one.
        /// A new group is answered by id: its rules are read by `security_group_just_made`.
        async fn create_security_group(
            &self,
            vpc_id: &str,
            name: &str,
            description: &str,
            tags: &Tags,
        ) -> Result<MadeGroup, AwsError>;
        /// The group this run just created, "not found" waited out (EC2 reads are eventually
        /// consistent).
        async fn security_group_just_made(&self, id: &str) -> Result<SecurityGroup, AwsError>;
        /// Makes the group's rules exactly `ingress` and `egress`; answers whether it wrote.
        async fn sync_rules(
            &self,
            group: &SecurityGroup,
            ingress: &BTreeSet<Rule>,
            egress: &BTreeSet<Rule>,
        ) -> Result<bool, AwsError>;
        /// Deletes the group (see [`refuse_if_referenced`]). Gone is fine.
        async fn delete_security_group(&self, id: &str) -> Result<(), AwsError>;
        async fn endpoint_service(&self, id: &str) -> Result<Option<EndpointService>, AwsError>;
        /// The live service tagged with `key` = `value`.
        async fn endpoint_service_tagged(
            &self,
            key: &str,
            value: &str,
        ) -> Result<Option<EndpointService>, AwsError>;
        async fn create_endpoint_service(
            &self,
            load_balancer_arn: &str,
            acceptance_required: bool,
            private_dns_name: Option<&str>,
            supported_regions: &[String],
            tags: &Tags,
            client_token: &str,
        ) -> Result<EndpointService, AwsError>;
        async fn modify_endpoint_service(
            &self,
            id: &str,
            change: &ServiceChange,
        ) -> Result<(), AwsError>;
        async fn allowed_principals(&self, service_id: &str) -> Result<BTreeSet<String>, AwsError>;
        async fn set_allowed_principals(
            &self,
            service_id: &str,
            add: Vec<String>,
            remove: Vec<String>,
        ) -> Result<(), AwsError>;
        /// The service's connections, by endpoint id.
        async fn connections(&self, service_id: &str) -> Result<Vec<Connection>, AwsError>;
        async fn accept_connections(
            &self,
            service_id: &str,
            endpoint_ids: Vec<String>,
        ) -> Result<(), AwsError>;
        async fn reject_connections(
            &self,
            service_id: &str,
            endpoint_ids: Vec<String>,
        ) -> Result<(), AwsError>;
        /// Deletes the service. Gone is fine; live connections make AWS refuse.
        async fn delete_endpoint_service(&self, id: &str) -> Result<(), AwsError>;
        /// Asks AWS to check the service's private DNS name's TXT record.
        async fn start_private_dns_verification(&self, service_id: &str) -> Result<(), AwsError>;
        /// The service as this account sees it; `None` when missing or not allowed.
        async fn service_detail(
            &self,
            service_name: &str,
            service_region: Option<&str>,
        ) -> Result<Option<ServiceDetail>, AwsError>;
        async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>, AwsError>;
        /// The endpoint this run just created ("not found" waited out).
        async fn endpoint_just_made(&self, id: &str) -> Result<Option<Endpoint>, AwsError>;
        /// The live endpoint tagged with `key` = `value`.
        async fn endpoint_tagged(
            &self,
            key: &str,
            value: &str,
        ) -> Result<Option<Endpoint>, AwsError>;
        async fn create_endpoint(
            &self,
            vpc_id: &str,
            service_name: &str,
            service_region: Option<&str>,
            subnet_ids: &[String],
            security_group_id: &str,
            tags: &Tags,
            client_token: &str,
        ) -> Result<Endpoint, AwsError>;
        async fn modify_endpoint(&self, id: &str, change: &EndpointChange) -> Result<(), AwsError>;
        /// Starts deleting the endpoint. Gone is fine.
        async fn delete_endpoint(&self, id: &str) -> Result<(), AwsError>;
    }
}

/// What resources hold: the implementation of [`Ec2Api`] the context's session names.
pub struct Ec2<'a> {
    api: Box<dyn Ec2Api + 'a>,
    ctx: &'a Context,
}

impl<'a> Ec2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        let api: Box<dyn Ec2Api + 'a> = match ctx.provider.session().backend() {
            Backend::Sdk => Box::new(SdkEc2::new(ctx)),
            #[cfg(test)]
            Backend::Fake(fake) => Box::new(super::fake::FakeEc2::new(fake, ctx)),
        };
        Ec2 { api, ctx }
    }

    /// The Region the calls go to.
    pub fn region(&self) -> Option<&str> {
        self.ctx.provider.session().region()
    }

    /// Makes the resource's tags `desired`, removing keys we set before (`previous`) that are
    /// no longer wanted; tags set by others stay.
    pub async fn sync_tags(
        &self,
        resource_id: &str,
        current: &Tags,
        desired: &Tags,
        previous: &Tags,
    ) -> Result<(), AwsError> {
        let api = self.api.as_ref();
        tags::sync(
            current,
            desired,
            previous,
            |set| api.add_tags(resource_id, set),
            |keys| api.remove_tags(resource_id, keys),
        )
        .await
    }
}

impl<'a> Deref for Ec2<'a> {
    type Target = dyn Ec2Api + 'a;

    fn deref(&self) -> &Self::Target {
        self.api.as_ref()
    }
}

/// [`Ec2Api`] made with the AWS SDK.
pub struct SdkEc2<'a> {
    client: aws_sdk_ec2::Client,
    ctx: &'a Context,
}

fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    values
        .into_iter()
        .fold(Filter::builder().name(name), |b, v| b.values(v))
        .build()
}

fn tag_spec(kind: ResourceType, tags: &super::tags::Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(to_sdk(tags)))
        .build()
}

/// The first `Unsuccessful` item of a batch call, as an error.
fn first_failure(operation: &'static str, items: &[UnsuccessfulItem]) -> Result<(), AwsError> {
    match items.first().and_then(|i| i.error()) {
        Some(e) => Err(AwsError::reported(
            operation,
            e.code().unwrap_or("Unsuccessful"),
            e.message().unwrap_or("(no message)"),
        )),
        None => Ok(()),
    }
}

fn non_empty(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

fn ignore_duplicate<T>(result: Result<T, AwsError>) -> Result<(), AwsError> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.is(ErrorKind::Duplicate) => Ok(()),
        Err(e) => Err(e),
    }
}

impl<'a> SdkEc2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        SdkEc2 {
            client: aws_sdk_ec2::Client::new(ctx.provider.session().sdk()),
            ctx,
        }
    }

    pub async fn add_tags(&self, resource_id: &str, tags: Tags) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "CreateTags",
            EVENTUALLY_VISIBLE,
            self.client
                .create_tags()
                .resources(resource_id)
                .set_tags(Some(to_sdk(&tags)))
        )
        .await?;
        Ok(())
    }

    pub async fn remove_tags(&self, resource_id: &str, keys: Vec<String>) -> Result<(), AwsError> {
        let keys: Vec<Tag> = keys.iter().map(|k| Tag::builder().key(k).build()).collect();
        send!(
            self.ctx,
            "DeleteTags",
            EVENTUALLY_VISIBLE,
            self.client
                .delete_tags()
                .resources(resource_id)
                .set_tags(Some(keys.clone()))
        )
        .await?;
        Ok(())
    }
}
