//! The Route 53 calls behind PrivateLinkConsumer's `hostnameAliases`: a private hosted zone for
//! one name, associated with the consumer VPC, holding one alias A record to the endpoint.
//! Answers come back as the small types below; every call goes through the retry mechanism.
//! The [`DnsApi`] trait lists the calls, [`SdkRoute53`] makes them with the SDK, and [`Route53`]
//! is the handle resources hold (see `aws`'s comment).

use std::ops::Deref;

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, HostedZone as SdkZone, HostedZoneConfig,
    ResourceRecordSet, RrType, Tag, TagResourceType, Vpc, VpcRegion,
};

use super::ec2::Tags;
use super::error::{AwsError, ErrorKind};
use super::retry::{send, EVENTUALLY_VISIBLE, TRANSIENT};
use super::session::Backend;
use crate::config::Context;

/// A hosted zone, its id without the `/hostedzone/` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedZone {
    pub id: String,
    /// Without the trailing dot.
    pub name: String,
    pub caller_reference: String,
    pub comment: Option<String>,
    pub private: bool,
}

/// What an alias A record points at: an endpoint's DNS name and that name's hosted zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTargetOf {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

super::api_trait! {
    /// The Route 53 calls behind `hostnameAliases`.
    pub trait DnsApi for SdkRoute53<'_> {
        /// The zone and the VPCs it is associated with; `None` when it is gone.
        async fn zone(&self, id: &str) -> Result<Option<(HostedZone, Vec<String>)>, AwsError>;
        /// The account's zones with exactly this name (public and private).
        async fn zones_named(&self, name: &str) -> Result<Vec<HostedZone>, AwsError>;
        /// The private zones of any account associated with the VPC, as `(id, name)`.
        async fn zones_on_vpc(&self, vpc_id: &str) -> Result<Vec<(String, String)>, AwsError>;
        /// Creates a private zone associated with the VPC, idempotent per `caller_reference`.
        async fn create_private_zone(
            &self,
            name: &str,
            vpc_id: &str,
            caller_reference: &str,
            comment: &str,
        ) -> Result<HostedZone, AwsError>;
        async fn associate(&self, zone_id: &str, vpc_id: &str) -> Result<(), AwsError>;
        async fn tags(&self, zone_id: &str) -> Result<Tags, AwsError>;
        /// Adds or changes `add`, removes `remove`.
        async fn change_tags(
            &self,
            zone_id: &str,
            add: &Tags,
            remove: &[String],
        ) -> Result<(), AwsError>;
        /// The alias A record for `name` in the zone, if there is one.
        async fn alias(&self, zone_id: &str, name: &str) -> Result<Option<AliasTargetOf>, AwsError>;
        /// Creates or replaces (`UPSERT`) or deletes the alias A record for `name`.
        async fn change_alias(
            &self,
            zone_id: &str,
            name: &str,
            target: &AliasTargetOf,
            delete: bool,
        ) -> Result<(), AwsError>;
        /// Deletes the zone; a zone already gone is not an error.
        async fn delete_zone(&self, zone_id: &str) -> Result<(), AwsError>;
    }
}

/// What resources hold: the implementation of [`DnsApi`] the context's session names.
pub struct Route53<'a> {
    api: Box<dyn DnsApi + 'a>,
}

impl<'a> Route53<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        let api: Box<dyn DnsApi + 'a> = match ctx.provider.session().backend() {
            Backend::Sdk => Box::new(SdkRoute53::new(ctx)),
            #[cfg(test)]
            Backend::Fake(fake) => Box::new(super::fake::FakeRoute53::new(fake, ctx)),
        };
        Route53 { api }
    }
}

impl<'a> Deref for Route53<'a> {
    type Target = dyn DnsApi + 'a;

    fn deref(&self) -> &Self::Target {
        self.api.as_ref()
    }
}

/// [`DnsApi`] made with the AWS SDK.
pub struct SdkRoute53<'a> {
    client: aws_sdk_route53::Client,
    ctx: &'a Context,
}

/// Route 53 names errors `NoSuch…`; the rest of the provider knows them as "not found".
fn not_found_is_none<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is(ErrorKind::NotFound) || e.code.starts_with("NoSuch") => Ok(None),
        Err(e) => Err(e),
    }
}

fn bare_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").to_string()
}

fn bare_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn zone_of(z: &SdkZone) -> HostedZone {
    HostedZone {
        id: bare_id(z.id()),
        name: bare_name(z.name()),
        caller_reference: z.caller_reference().to_string(),
        comment: z.config().and_then(|c| c.comment()).map(String::from),
        private: z.config().is_some_and(|c| c.private_zone()),
    }
}

fn build_error(operation: &'static str, e: impl std::fmt::Display) -> AwsError {
    AwsError {
        operation,
        code: String::new(),
        message: e.to_string(),
        kind: ErrorKind::Other,
    }
}

impl<'a> SdkRoute53<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        SdkRoute53 {
            client: aws_sdk_route53::Client::new(ctx.provider.session().sdk()),
            ctx,
        }
    }

    fn vpc(&self, vpc_id: &str) -> Vpc {
        let region = self.ctx.provider.session().region().map(String::from);
        Vpc::builder()
            .vpc_id(vpc_id)
            .set_vpc_region(region.map(|r| VpcRegion::from(r.as_str())))
            .build()
    }

    /// The zone and the VPCs it is associated with; `None` when it is gone.
    pub async fn zone(&self, id: &str) -> Result<Option<(HostedZone, Vec<String>)>, AwsError> {
        let out = not_found_is_none(
            send!(
                self.ctx,
                "GetHostedZone",
                TRANSIENT,
                self.client.get_hosted_zone().id(id)
            )
            .await,
        )?;
        Ok(out.and_then(|o| {
            let vpcs = o
                .vpcs()
                .iter()
                .filter_map(|v| v.vpc_id().map(String::from))
                .collect();
            o.hosted_zone().map(|z| (zone_of(z), vpcs))
        }))
    }

    /// The account's zones with exactly this name (public and private).
    pub async fn zones_named(&self, name: &str) -> Result<Vec<HostedZone>, AwsError> {
        let out = send!(
            self.ctx,
            "ListHostedZonesByName",
            TRANSIENT,
            self.client
                .list_hosted_zones_by_name()
                .dns_name(name)
                .max_items(100)
        )
        .await?;
        let wanted = bare_name(name);
        Ok(out
            .hosted_zones()
            .iter()
            .map(zone_of)
            .filter(|z| z.name == wanted)
            .collect())
    }

    /// The private zones of any account associated with the VPC, as `(id, name)`.
    pub async fn zones_on_vpc(&self, vpc_id: &str) -> Result<Vec<(String, String)>, AwsError> {
        let vpc = self.vpc(vpc_id);
        let out = send!(
            self.ctx,
            "ListHostedZonesByVPC",
            TRANSIENT,
            self.client
                .list_hosted_zones_by_vpc()
                .vpc_id(vpc_id)
                .set_vpc_region(vpc.vpc_region().cloned())
        )
        .await?;
        Ok(out
            .hosted_zone_summaries()
            .iter()
            .map(|s| (bare_id(s.hosted_zone_id()), bare_name(s.name())))
            .collect())
    }

    /// Creates a private zone associated with the VPC. `caller_reference` makes a retried
    /// request idempotent: when the first attempt's answer was lost, AWS answers
    /// HostedZoneAlreadyExists and the zone made with that reference is returned.
    pub async fn create_private_zone(
        &self,
        name: &str,
        vpc_id: &str,
        caller_reference: &str,
        comment: &str,
    ) -> Result<HostedZone, AwsError> {
        let created = send!(
            self.ctx,
            "CreateHostedZone",
            TRANSIENT,
            self.client
                .create_hosted_zone()
                .name(name)
                .caller_reference(caller_reference)
                .vpc(self.vpc(vpc_id))
                .hosted_zone_config(
                    HostedZoneConfig::builder()
                        .comment(comment)
                        .private_zone(true)
                        .build()
                )
        )
        .await;
        match created {
            Ok(out) => out
                .hosted_zone()
                .map(zone_of)
                .ok_or_else(|| build_error("CreateHostedZone", "the answer named no zone")),
            Err(e) if e.code == "HostedZoneAlreadyExists" => self
                .zones_named(name)
                .await?
                .into_iter()
                .find(|z| z.caller_reference == caller_reference)
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    pub async fn associate(&self, zone_id: &str, vpc_id: &str) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "AssociateVPCWithHostedZone",
            TRANSIENT,
            self.client
                .associate_vpc_with_hosted_zone()
                .hosted_zone_id(zone_id)
                .vpc(self.vpc(vpc_id))
        )
        .await?;
        Ok(())
    }

    pub async fn tags(&self, zone_id: &str) -> Result<Tags, AwsError> {
        let out = send!(
            self.ctx,
            "ListTagsForResource",
            EVENTUALLY_VISIBLE,
            self.client
                .list_tags_for_resource()
                .resource_type(TagResourceType::Hostedzone)
                .resource_id(zone_id)
        )
        .await?;
        Ok(out
            .resource_tag_set()
            .map(|set| {
                set.tags()
                    .iter()
                    .filter_map(|t| {
                        Some((
                            t.key()?.to_string(),
                            t.value().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Adds or changes `add`, removes `remove` (Route 53 takes at most 10 of each per call).
    pub async fn change_tags(
        &self,
        zone_id: &str,
        add: &Tags,
        remove: &[String],
    ) -> Result<(), AwsError> {
        let add: Vec<Tag> = add
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        for (adding, removing) in chunks(&add, remove) {
            send!(
                self.ctx,
                "ChangeTagsForResource",
                EVENTUALLY_VISIBLE,
                self.client
                    .change_tags_for_resource()
                    .resource_type(TagResourceType::Hostedzone)
                    .resource_id(zone_id)
                    .set_add_tags((!adding.is_empty()).then(|| adding.to_vec()))
                    .set_remove_tag_keys((!removing.is_empty()).then(|| removing.to_vec()))
            )
            .await?;
        }
        Ok(())
    }

    /// The alias A record for `name` in the zone, if there is one.
    pub async fn alias(
        &self,
        zone_id: &str,
        name: &str,
    ) -> Result<Option<AliasTargetOf>, AwsError> {
        let out = send!(
            self.ctx,
            "ListResourceRecordSets",
            TRANSIENT,
            self.client
                .list_resource_record_sets()
                .hosted_zone_id(zone_id)
                .start_record_name(name)
                .start_record_type(RrType::A)
                .max_items(1)
        )
        .await?;
        let wanted = bare_name(name);
        Ok(out
            .resource_record_sets()
            .iter()
            .find(|r| bare_name(r.name()) == wanted && *r.r#type() == RrType::A)
            .and_then(|r| r.alias_target())
            .map(|a| AliasTargetOf {
                dns_name: bare_name(a.dns_name()),
                hosted_zone_id: a.hosted_zone_id().to_string(),
            }))
    }

    /// Creates or replaces (`UPSERT`) or deletes the alias A record for `name`.
    pub async fn change_alias(
        &self,
        zone_id: &str,
        name: &str,
        target: &AliasTargetOf,
        delete: bool,
    ) -> Result<(), AwsError> {
        let operation = "ChangeResourceRecordSets";
        let alias = AliasTarget::builder()
            .hosted_zone_id(&target.hosted_zone_id)
            .dns_name(&target.dns_name)
            .evaluate_target_health(false)
            .build()
            .map_err(|e| build_error(operation, e))?;
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::A)
            .alias_target(alias)
            .build()
            .map_err(|e| build_error(operation, e))?;
        let change = Change::builder()
            .action(if delete {
                ChangeAction::Delete
            } else {
                ChangeAction::Upsert
            })
            .resource_record_set(record)
            .build()
            .map_err(|e| build_error(operation, e))?;
        let batch = ChangeBatch::builder()
            .changes(change)
            .build()
            .map_err(|e| build_error(operation, e))?;
        send!(
            self.ctx,
            "ChangeResourceRecordSets",
            EVENTUALLY_VISIBLE,
            self.client
                .change_resource_record_sets()
                .hosted_zone_id(zone_id)
                .change_batch(batch.clone())
        )
        .await?;
        Ok(())
    }

    /// Deletes the zone; a zone already gone is not an error.
    pub async fn delete_zone(&self, zone_id: &str) -> Result<(), AwsError> {
        not_found_is_none(
            send!(
                self.ctx,
                "DeleteHostedZone",
                TRANSIENT,
                self.client.delete_hosted_zone().id(zone_id)
            )
            .await,
        )?;
        Ok(())
    }
}

/// Pairs of at most 10 tags to add and 10 keys to remove, Route 53's limit per call.
fn chunks<'t>(add: &'t [Tag], remove: &'t [String]) -> Vec<(&'t [Tag], &'t [String])> {
    const MAX: usize = 10;
    let rounds = add.len().div_ceil(MAX).max(remove.len().div_ceil(MAX));
    (0..rounds)
        .map(|i| {
            let a = &add[(i * MAX).min(add.len())..((i + 1) * MAX).min(add.len())];
            let r = &remove[(i * MAX).min(remove.len())..((i + 1) * MAX).min(remove.len())];
            (a, r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_changes_are_split_into_calls_of_ten() {
        let add: Vec<Tag> = (0..12)
            .map(|i| Tag::builder().key(format!("k{i}")).value("v").build())
            .collect();
        let remove: Vec<String> = (0..3).map(|i| format!("r{i}")).collect();
        let calls = chunks(&add, &remove);
        assert_eq!(calls.len(), 2);
        assert_eq!((calls[0].0.len(), calls[0].1.len()), (10, 3));
        assert_eq!((calls[1].0.len(), calls[1].1.len()), (2, 0));
        assert!(chunks(&[], &[]).is_empty());
    }

    #[test]
    fn ids_and_names_are_compared_bare() {
        assert_eq!(bare_id("/hostedzone/Z123"), "Z123");
        assert_eq!(bare_id("Z123"), "Z123");
        assert_eq!(bare_name("Db.Example.com."), "db.example.com");
    }
}
