//! PrivateLinkConsumer's inputs and computed state (their doc comments and serde defaults are
//! the package schema's descriptions and defaults), and Check.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::aliases::{self, AliasZone};
use crate::config::Context;
use crate::resources::naming::{check_name, INSTANCE_ID_DESCRIPTION};
use crate::validate::{is_region, parse_cidr, parse_duration, service_name_region, Failures};
use pulumi_rs_provider::runtime::resource::Checked;

/// Builds a JDBC URL that reaches the database through the endpoint (for an AWS Glue
/// connection, for example).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Jdbc {
    /// `postgresql` or `mysql`.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub engine: String,
    /// Database name in the URL.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub database: String,
}

// serviceName, vpcId, subnetIds and port decode to empty values when missing so that a preview
// with unknowns still decodes; Check names them when missing, and the schema marks them required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsumerInputs {
    /// Endpoint service to connect to, the producer's `serviceName` output
    /// (`com.amazonaws.vpce.<region>.vpce-svc-...`).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub service_name: String,
    /// VPC to create the endpoint in.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub vpc_id: String,
    /// Subnets for the endpoint's network interfaces, at most one per Availability Zone; each
    /// zone must be one the service supports. Changed in place (the endpoint and its DNS name
    /// stay).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub subnet_ids: Vec<String>,
    /// Port clients connect to, e.g. 5432 (the producer's `port`).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub port: i64,
    /// Security groups whose members may reach `port` on the endpoint, e.g. the AWS Glue
    /// connection's security group.
    pub allowed_security_group_ids: Option<Vec<String>>,
    /// CIDR blocks that may reach `port` on the endpoint.
    pub allowed_cidrs: Option<Vec<String>>,
    /// Whether this resource manages the endpoint's private DNS (resolve the service's private
    /// DNS name to this endpoint inside the VPC; the VPC needs DNS support and DNS hostnames, and
    /// the producer's name must be verified). Unset (the default), the consumer leaves private
    /// DNS alone: to have it on after one `pulumi up` with the EndpointAcceptance in the same
    /// program, use an EndpointPrivateDns with the acceptance's `endpointId` instead, and leave
    /// this unset. `true`: AWS turns it on only once the producer has accepted the connection;
    /// while the connection awaits acceptance it stays off with a warning (no wait), the output
    /// says `false`, and the next `pulumi up` after the acceptance turns it on; with
    /// `waitForAcceptance` set, create waits and turns it on. `false`: keeps it off.
    pub private_dns_enabled: Option<bool>,
    /// Region of the endpoint service when it is not this provider's Region (cross-Region
    /// PrivateLink).
    pub service_region: Option<String>,
    /// How long create and update wait for the producer to accept the connection, as a duration
    /// such as `10m` or `90s`. Default: do not wait; `state` reports `pendingAcceptance`.
    pub wait_for_acceptance: Option<String>,
    /// Set to get `jdbcUrl`, a JDBC URL through the endpoint.
    pub jdbc: Option<Jdbc>,
    /// DNS names that resolve to the endpoint inside `vpcId`, typically the RDS Proxy's hostname
    /// from the producer, so that clients verifying the service's TLS certificate
    /// (`sslmode=verify-full`) connect through the endpoint. Each gets a Route 53 private hosted
    /// zone of exactly that name associated with the VPC, with an alias A record to the
    /// endpoint. A zone for the name that this resource did not make is never adopted. With
    /// aliases set, `jdbcUrl` uses the first one and asks for certificate verification.
    pub hostname_aliases: Option<Vec<String>>,
    /// Name of the endpoint's security group (and its `Name` tag). Default: the resource name
    /// plus a random suffix.
    #[schemars(extend("filledByCheck" = true))]
    pub name: Option<String>,
    /// Tags for every AWS resource made; merged over the provider's `defaultTags`.
    pub tags: Option<BTreeMap<String, String>>,
}

/// A DNS name of the endpoint and its Route 53 hosted zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "DnsEntry")]
pub struct DnsEntryOutput {
    /// The DNS name.
    pub dns_name: String,
    /// The hosted zone that holds it.
    pub hosted_zone_id: String,
}

// What exists in AWS; a create that stopped part-way records what it made. The pieces marked
// required are in the outputs of every finished create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerState {
    // This create's id, tagged on the pieces (naming::INSTANCE_TAG).
    #[schemars(description = INSTANCE_ID_DESCRIPTION, extend("required" = true))]
    pub instance_id: Option<String>,
    // The outputs show this over the input of the same name.
    /// Whether AWS has private DNS on for the endpoint, when the input is set: `false` while the
    /// input asks for it but the connection awaits acceptance; the next `pulumi up` after the
    /// acceptance turns it on. Absent when the input is unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_enabled: Option<bool>,
    /// The interface VPC endpoint id, `vpce-...`.
    #[schemars(extend("required" = true))]
    pub endpoint_id: Option<String>,
    /// The endpoint's security group.
    #[schemars(extend("required" = true))]
    pub security_group_id: Option<String>,
    /// Endpoint state: `pendingAcceptance`, `pending`, `available`, `rejected`, `failed`,
    /// `deleting`.
    #[schemars(extend("required" = true))]
    pub state: Option<String>,
    /// The endpoint's regional DNS name (resolves to an address in every subnet).
    #[schemars(extend("required" = true))]
    pub dns_name: Option<String>,
    /// Every DNS name of the endpoint: regional, per zone, and the private DNS name while it is
    /// on and `privateDnsEnabled` is set (an EndpointPrivateDns's name is not listed here: it is
    /// that resource's `privateDnsName`).
    pub dns_entries: Vec<DnsEntryOutput>,
    /// The endpoint's network interfaces, one per subnet.
    pub network_interface_ids: Vec<String>,
    /// `jdbc:<engine>://<host>:<port>/<database>`, when `jdbc` is set. The host is the first of
    /// `hostnameAliases` with `?sslmode=verify-full` (`?sslMode=VERIFY_IDENTITY` for mysql), or
    /// else `dnsName`.
    pub jdbc_url: Option<String>,
    /// The private hosted zone made for each alias, in the order of `hostnameAliases`. A zone
    /// whose alias record no longer points at the endpoint stays here (so it is never orphaned)
    /// while refresh leaves that alias out of `hostnameAliases`, and the next update puts the
    /// record back.
    pub hostname_alias_zones: Vec<AliasZone>,
}

impl ConsumerInputs {
    /// The AWS name. Check always sets it (naming::check_name), so every operation on checked
    /// inputs has one; Read of an import, which has no inputs, does not use this.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
    pub fn port(&self) -> u16 {
        self.port as u16
    }
    pub fn groups(&self) -> Vec<String> {
        self.allowed_security_group_ids.clone().unwrap_or_default()
    }
    pub fn cidrs(&self) -> Vec<String> {
        self.allowed_cidrs.clone().unwrap_or_default()
    }
    pub fn private_dns(&self) -> bool {
        self.private_dns_enabled.unwrap_or(false)
    }
    pub fn aliases(&self) -> Vec<String> {
        self.hostname_aliases.clone().unwrap_or_default()
    }
    pub fn acceptance_wait(&self) -> Option<Duration> {
        self.wait_for_acceptance.as_deref().and_then(parse_duration)
    }
}

pub async fn check(
    ctx: &Context,
    olds: Option<&ConsumerInputs>,
    mut news: ConsumerInputs,
) -> Checked<ConsumerInputs> {
    let mut f = Failures::default();
    check_name(
        ctx,
        &mut news.name,
        olds.and_then(|o| o.name.as_deref()),
        &mut f,
    );
    if f.required("serviceName", &news.service_name) && !is_service_name(&news.service_name) {
        f.add(
            "serviceName",
            format!(
                "`{}` is not an endpoint service name such as \
                 `com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0` (the producer's serviceName output)",
                news.service_name
            ),
        );
    }
    f.placement(&news.vpc_id, &news.subnet_ids);
    if news.port == 0 {
        f.add("port", "is required: the service port, e.g. 5432");
    } else {
        f.port("port", news.port);
    }
    for (i, group) in news.groups().iter().enumerate() {
        f.aws_id(
            &format!("allowedSecurityGroupIds[{i}]"),
            group,
            "sg",
            "a security group",
        );
    }
    f.distinct("allowedSecurityGroupIds", &news.groups());
    for (i, cidr) in news.cidrs().iter().enumerate() {
        if let Err(reason) = parse_cidr(cidr) {
            f.add(format!("allowedCidrs[{i}]"), reason);
        }
    }
    f.distinct("allowedCidrs", &news.cidrs());
    if let Some(region) = &news.service_region {
        if !is_region(region) {
            f.add(
                "serviceRegion",
                format!("`{region}` is not an AWS region name such as `eu-west-1`"),
            );
        } else if let Some(named) =
            service_name_region(&news.service_name).filter(|named| named != region)
        {
            // A service name carries the Region the service was made in, its only Region.
            f.add(
                "serviceRegion",
                format!(
                    "`{region}` is not the Region of serviceName `{}`, which is in `{named}`",
                    news.service_name
                ),
            );
        }
    }
    if let Some(wait) = &news.wait_for_acceptance {
        if parse_duration(wait).is_none() {
            f.add(
                "waitForAcceptance",
                format!("`{wait}` is not a duration such as `10m`, `90s` or `1h30m`"),
            );
        }
    }
    if let Some(jdbc) = &news.jdbc {
        if !matches!(jdbc.engine.as_str(), "postgresql" | "mysql") {
            f.add(
                "jdbc.engine",
                format!(
                    "`{}` is not supported: use `postgresql` or `mysql`",
                    jdbc.engine
                ),
            );
        }
        if jdbc.database.is_empty()
            || !jdbc
                .database
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            f.add(
                "jdbc.database",
                "a database name of letters, digits, `_` and `-` is required",
            );
        }
    }
    if let Some(name) = &news.name {
        f.security_group_name(name);
    }
    aliases::check(&news.aliases(), &mut f);
    if let Some(tags) = &news.tags {
        f.tags("tags", tags);
        let ours =
            crate::resources::naming::desired_tags(ctx, news.name.as_deref().unwrap_or(""), None);
        f.tag_count("tags", tags, &ours);
    }
    if news.groups().is_empty() && news.cidrs().is_empty() && f.is_empty() {
        ctx.progress.warn(
            "neither allowedSecurityGroupIds nor allowedCidrs is set: nothing will be able to reach the endpoint",
        );
    }
    // Unset stays unset: private DNS is then not this resource's to manage (an
    // EndpointPrivateDns may own it), so it never turns it back off.
    f.checked(news)
}

/// An endpoint service name (a partner or AWS service name also works with an interface
/// endpoint, but this resource connects to a PrivateLinkProducer).
fn is_service_name(name: &str) -> bool {
    service_name_region(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert!(is_service_name(
            "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
        ));
        assert!(is_service_name(
            "cn.com.amazonaws.vpce.cn-north-1.vpce-svc-0123456789abcdef0"
        ));
        assert!(!is_service_name(
            "com.amazonaws.vpce.cn-north-1.vpce-svc-0123456789abcdef0"
        ));
        assert!(!is_service_name("com.amazonaws.us-east-1.s3"));
        assert!(!is_service_name("vpce-svc-0123456789abcdef0"));
    }
}
