//! The EC2 calls the resources make, one file per API area: VPC facts (`network`), security
//! groups and their rules (`security_groups`), endpoint services and their connections
//! (`endpoint_services`), interface endpoints (`endpoints`). Answers come back as small types,
//! so resource code never handles SDK shapes; every call goes through the retry mechanism and
//! every paginated Describe is followed to its last page.

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification, UnsuccessfulItem};

use super::error::{AwsError, ErrorKind};
use super::retry::{send, EVENTUALLY_VISIBLE};
use super::tags::{tag_changes, to_sdk};
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
pub use security_groups::{MadeGroup, Peer, Rule, SecurityGroup};

pub struct Ec2<'a> {
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

impl<'a> Ec2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        Ec2 {
            client: aws_sdk_ec2::Client::new(ctx.provider.aws()),
            ctx,
        }
    }

    /// The Region the calls go to.
    pub fn region(&self) -> Option<&str> {
        self.ctx.provider.aws().region().map(|r| r.as_ref())
    }

    /// Makes the resource's tags `desired`, removing keys we set before (`previous`) that are no
    /// longer wanted; tags set by others stay.
    pub async fn sync_tags(
        &self,
        resource_id: &str,
        current: &Tags,
        desired: &Tags,
        previous: &Tags,
    ) -> Result<(), AwsError> {
        let (set, remove) = tag_changes(current, desired, previous);
        if !set.is_empty() {
            send!(
                self.ctx,
                "CreateTags",
                EVENTUALLY_VISIBLE,
                self.client
                    .create_tags()
                    .resources(resource_id)
                    .set_tags(Some(to_sdk(&set)))
            )
            .await?;
        }
        if !remove.is_empty() {
            let keys: Vec<Tag> = remove
                .iter()
                .map(|k| Tag::builder().key(k).build())
                .collect();
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
        }
        Ok(())
    }
}
