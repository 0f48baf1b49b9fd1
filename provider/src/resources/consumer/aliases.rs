//! `hostnameAliases`: names that resolve to the endpoint inside the consumer VPC, so that a
//! client verifying the service's TLS certificate (which names the service's own hostname, e.g.
//! an RDS Proxy's) can connect through the endpoint. Each name gets a Route 53 private hosted
//! zone of exactly that name, associated with the VPC, holding an alias A record to the
//! endpoint's regional DNS name.
//!
//! A zone is ours only when both its comment and its name tag say so; a zone for the name that
//! someone else made is never adopted or changed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::ec2::{Endpoint, Tags};
use crate::aws::route53::{AliasTargetOf, HostedZone, Route53};
use crate::aws::tags::tag_changes;
use crate::config::Context;
use crate::resources::naming::{self, NAME_TAG};
use crate::validate::{is_dns_name, Failures};
use pulumi_rs_provider::runtime::resource::ResourceError;

// One alias as recorded in state: its name and the private hosted zone made for it.
/// The Route 53 private hosted zone made for one of `hostnameAliases`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "HostnameAliasZone")]
pub struct AliasZone {
    /// The alias, lower case, without a trailing dot.
    pub hostname: String,
    /// The private hosted zone of exactly that name, associated with the endpoint's VPC, holding
    /// an alias A record to the endpoint's regional DNS name.
    pub hosted_zone_id: String,
}

/// The zone comment that marks a zone as made by this resource (`name` is its physical name).
fn marker(name: &str) -> String {
    format!("pulumi-privatelink: alias to the endpoint of {name}")
}

fn is_ours(zone: &HostedZone, tags: &Tags, name: &str) -> bool {
    zone.private
        && zone.comment.as_deref() == Some(marker(name).as_str())
        && tags.get(NAME_TAG).map(String::as_str) == Some(name)
}

/// Lower case without a trailing dot: how Route 53 compares names.
pub fn normalized(alias: &str) -> String {
    alias.trim_end_matches('.').to_ascii_lowercase()
}

/// Check's part: each alias a DNS name of at least two labels, not a wildcard, not the
/// endpoint's own AWS name, and no name twice.
pub fn check(aliases: &[String], f: &mut Failures) {
    for (i, alias) in aliases.iter().enumerate() {
        let property = format!("hostnameAliases[{i}]");
        let name = normalized(alias);
        if alias.contains('*') {
            f.add(
                property,
                format!("`{alias}` is a wildcard; give each hostname itself"),
            );
        } else if !is_dns_name(&name) || !name.contains('.') {
            f.add(
                property,
                format!(
                    "`{alias}` is not a DNS hostname such as \
                     `orders.proxy-abc123.eu-west-1.rds.amazonaws.com`"
                ),
            );
        } else if name.ends_with(".vpce.amazonaws.com") {
            f.add(
                property,
                format!("`{alias}` is an endpoint's own name, which resolves already"),
            );
        }
    }
    let names: Vec<String> = aliases.iter().map(|a| normalized(a)).collect();
    f.distinct("hostnameAliases", &names);
}

/// The endpoint's regional DNS name, which every alias points at.
fn target(endpoint: &Endpoint) -> Result<AliasTargetOf, ResourceError> {
    endpoint
        .dns_entries
        .first()
        .map(|d| AliasTargetOf {
            dns_name: normalized(&d.dns_name),
            hosted_zone_id: d.hosted_zone_id.clone(),
        })
        .ok_or_else(|| ResourceError::Cloud {
            operation: "DescribeVpcEndpoints".into(),
            message: format!(
                "endpoint {} has no DNS name yet to point hostnameAliases at",
                endpoint.id
            ),
        })
}

/// A zone of ours for `alias` on the VPC, left by a create whose answer never reached state.
async fn find_own_zone(
    r53: &Route53<'_>,
    vpc_id: &str,
    alias: &str,
    name: &str,
) -> Result<Option<HostedZone>, ResourceError> {
    for (id, zone_name) in r53.zones_on_vpc(vpc_id).await? {
        if zone_name != alias {
            continue;
        }
        let (zone, _) = match r53.zone(&id).await? {
            Some(found) => found,
            None => continue,
        };
        if is_ours(&zone, &r53.tags(&id).await?, name) {
            return Ok(Some(zone));
        }
        return Err(ResourceError::Invalid(format!(
            "hostnameAliases: a private hosted zone for `{alias}` ({id}) is already associated \
             with VPC {vpc_id} and was not made by this resource, so it is left alone; remove \
             the alias or that zone's association"
        )));
    }
    Ok(None)
}

/// Before anything is written: no alias without a zone in state may have a zone on the VPC
/// that someone else made.
pub async fn preflight(
    ctx: &Context,
    vpc_id: &str,
    name: &str,
    wanted: &[String],
    known: &[AliasZone],
) -> Result<(), ResourceError> {
    let r53 = Route53::new(ctx);
    for alias in wanted.iter().map(|a| normalized(a)) {
        if !known.iter().any(|z| z.hostname == alias) {
            find_own_zone(&r53, vpc_id, &alias, name).await?;
        }
    }
    Ok(())
}

/// A fresh reference per creation attempt (Route 53 refuses a reference used before, also
/// after that zone is deleted); retries of the same request reuse it, which is what makes a
/// create whose answer was lost idempotent.
fn caller_reference(ctx: &Context, name: &str, alias: &str) -> String {
    let mut reference = format!(
        "{}-{:08x}-{:08x}",
        naming::client_token(ctx, name),
        alias.bytes().fold(0x811c9dc5u32, |h, b| (h ^ u32::from(b))
            .wrapping_mul(0x01000193)),
        fastrand::u32(..)
    );
    reference.truncate(128);
    reference
}

async fn ensure_zone(
    ctx: &Context,
    r53: &Route53<'_>,
    vpc_id: &str,
    alias: &str,
    name: &str,
    known: Option<&AliasZone>,
) -> Result<String, ResourceError> {
    if let Some(known) = known {
        if let Some((_, vpcs)) = r53.zone(&known.hosted_zone_id).await? {
            if !vpcs.iter().any(|v| v == vpc_id) {
                r53.associate(&known.hosted_zone_id, vpc_id).await?;
            }
            return Ok(known.hosted_zone_id.clone());
        }
    }
    if let Some(zone) = find_own_zone(r53, vpc_id, alias, name).await? {
        return Ok(zone.id);
    }
    ctx.progress
        .status(format!("creating private hosted zone for {alias}"));
    let zone = r53
        .create_private_zone(
            alias,
            vpc_id,
            &caller_reference(ctx, name, alias),
            &marker(name),
        )
        .await
        .map_err(|e| match e.code.as_str() {
            "ConflictingDomainExists" => ResourceError::Invalid(format!(
                "hostnameAliases: a private hosted zone for `{alias}` is already associated with \
                 VPC {vpc_id} and was not made by this resource, so it is left alone ({})",
                e.message
            )),
            _ => e.into(),
        })?;
    Ok(zone.id)
}

async fn sync_zone_tags(
    r53: &Route53<'_>,
    zone_id: &str,
    tags: &Tags,
    previous: &Tags,
) -> Result<(), ResourceError> {
    let current = r53.tags(zone_id).await?;
    let (add, remove) = tag_changes(&current, tags, previous);
    if !add.is_empty() || !remove.is_empty() {
        r53.change_tags(zone_id, &add, &remove).await?;
    }
    Ok(())
}

/// Brings the aliases to `wanted`, recording each zone in `state` as soon as it exists.
pub async fn converge(
    ctx: &Context,
    endpoint: &Endpoint,
    name: &str,
    wanted: &[String],
    (tags, previous_tags): (&Tags, &Tags),
    state: &mut Vec<AliasZone>,
) -> Result<(), ResourceError> {
    let r53 = Route53::new(ctx);
    let wanted: Vec<String> = wanted.iter().map(|a| normalized(a)).collect();
    for gone in state
        .clone()
        .iter()
        .filter(|z| !wanted.contains(&z.hostname))
    {
        ctx.progress
            .status(format!("removing hostname alias {}", gone.hostname));
        remove(&r53, gone).await?;
        state.retain(|z| z.hostname != gone.hostname);
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let target = target(endpoint)?;
    for alias in &wanted {
        let known = state.iter().find(|z| &z.hostname == alias).cloned();
        let zone_id = ensure_zone(ctx, &r53, &endpoint.vpc_id, alias, name, known.as_ref()).await?;
        state.retain(|z| &z.hostname != alias);
        state.push(AliasZone {
            hostname: alias.clone(),
            hosted_zone_id: zone_id.clone(),
        });
        sync_zone_tags(&r53, &zone_id, tags, previous_tags).await?;
        if r53.alias(&zone_id, alias).await?.as_ref() != Some(&target) {
            ctx.progress
                .status(format!("pointing {alias} at {}", target.dns_name));
            r53.change_alias(&zone_id, alias, &target, false).await?;
        }
    }
    state.sort_by_key(|z| wanted.iter().position(|w| w == &z.hostname));
    Ok(())
}

/// Deletes the alias record and the zone; what is already gone is skipped.
async fn remove(r53: &Route53<'_>, zone: &AliasZone) -> Result<(), ResourceError> {
    if r53.zone(&zone.hosted_zone_id).await?.is_none() {
        return Ok(());
    }
    if let Some(target) = r53.alias(&zone.hosted_zone_id, &zone.hostname).await? {
        r53.change_alias(&zone.hosted_zone_id, &zone.hostname, &target, true)
            .await?;
    }
    r53.delete_zone(&zone.hosted_zone_id).await?;
    Ok(())
}

/// Deletes every alias zone: those in state, and ours on the VPC that state never heard of.
pub async fn delete_all(
    ctx: &Context,
    vpc_id: &str,
    name: &str,
    aliases: &[String],
    known: &[AliasZone],
) -> Result<(), ResourceError> {
    let r53 = Route53::new(ctx);
    let mut zones = known.to_vec();
    for alias in aliases.iter().map(|a| normalized(a)) {
        if zones.iter().any(|z| z.hostname == alias) || vpc_id.is_empty() {
            continue;
        }
        match find_own_zone(&r53, vpc_id, &alias, name).await {
            Ok(Some(zone)) => zones.push(AliasZone {
                hostname: alias,
                hosted_zone_id: zone.id,
            }),
            // Someone else's zone for the name: not ours to delete.
            Ok(None) | Err(ResourceError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for zone in &zones {
        ctx.progress
            .status(format!("deleting hostname alias {}", zone.hostname));
        remove(&r53, zone).await?;
    }
    Ok(())
}

/// What refresh finds: the zones that still exist (kept in state, so that nothing is
/// orphaned), and the aliases that still resolve to the endpoint (zone associated with the VPC,
/// alias record pointing at the endpoint). An alias that drifted is left out of the live
/// inputs, so the next update puts it back.
pub struct Observed {
    pub zones: Vec<AliasZone>,
    pub resolving: Vec<String>,
}

pub async fn observe(
    ctx: &Context,
    endpoint: &Endpoint,
    known: &[AliasZone],
) -> Result<Observed, ResourceError> {
    let r53 = Route53::new(ctx);
    let target = target(endpoint).ok();
    let mut observed = Observed {
        zones: Vec::new(),
        resolving: Vec::new(),
    };
    for zone in known {
        let Some((_, vpcs)) = r53.zone(&zone.hosted_zone_id).await? else {
            continue;
        };
        let points_here = r53.alias(&zone.hosted_zone_id, &zone.hostname).await? == target;
        if points_here && vpcs.contains(&endpoint.vpc_id) {
            observed.resolving.push(zone.hostname.clone());
        }
        observed.zones.push(zone.clone());
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(aliases: &[&str]) -> Vec<String> {
        let mut f = Failures::default();
        check(
            &aliases.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            &mut f,
        );
        f.into_vec()
            .into_iter()
            .map(|c| format!("{}: {}", c.property, c.reason))
            .collect()
    }

    #[test]
    fn aliases_must_be_distinct_hostnames() {
        assert!(failures(&[
            "orders.proxy-abc.us-east-1.rds.amazonaws.com",
            "db.example.com."
        ])
        .is_empty());
        let found = failures(&[
            "*.example.com",
            "localhost",
            "bad_-.exa mple.com",
            "vpce-1-abc.vpce-svc-1.us-east-1.vpce.amazonaws.com",
            "Db.Example.com",
            "db.example.com.",
        ]);
        assert!(found[0].starts_with("hostnameAliases[0]: "), "{found:?}");
        assert!(found[1].starts_with("hostnameAliases[1]: "), "{found:?}");
        assert!(found[2].starts_with("hostnameAliases[2]: "), "{found:?}");
        assert!(found[3].starts_with("hostnameAliases[3]: "), "{found:?}");
        assert!(found[4].starts_with("hostnameAliases[5]: "), "{found:?}");
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn only_zones_with_our_comment_and_tag_are_ours() {
        let zone = HostedZone {
            id: "Z1".into(),
            name: "db.example.com".into(),
            caller_reference: "r".into(),
            comment: Some(marker("orders-1234567")),
            private: true,
        };
        let tags: Tags = [(NAME_TAG.to_string(), "orders-1234567".to_string())].into();
        assert!(is_ours(&zone, &tags, "orders-1234567"));
        assert!(!is_ours(&zone, &Tags::new(), "orders-1234567"));
        assert!(!is_ours(&zone, &tags, "other-1234567"));
        let foreign = HostedZone {
            comment: Some("made by hand".into()),
            ..zone.clone()
        };
        assert!(!is_ours(&foreign, &tags, "orders-1234567"));
    }
}
