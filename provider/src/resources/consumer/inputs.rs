//! PrivateLinkConsumer's inputs and computed state, and Check.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::aliases::{self, AliasZone};
use crate::config::Context;
use crate::resources::naming::check_name;
use crate::validate::{is_region, parse_cidr, parse_duration, service_name_region, Failures};
use pulumi_rs_provider::runtime::resource::Checked;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Jdbc {
    #[serde(default)]
    pub engine: String,
    #[serde(default)]
    pub database: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsumerInputs {
    #[serde(default)]
    pub service_name: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub port: i64,
    pub allowed_security_group_ids: Option<Vec<String>>,
    pub allowed_cidrs: Option<Vec<String>>,
    pub private_dns_enabled: Option<bool>,
    pub service_region: Option<String>,
    pub wait_for_acceptance: Option<String>,
    pub jdbc: Option<Jdbc>,
    pub hostname_aliases: Option<Vec<String>>,
    pub name: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEntryOutput {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerState {
    /// This create's id, tagged on the pieces (naming::INSTANCE_TAG).
    pub instance_id: Option<String>,
    /// Whether AWS has private DNS on for the endpoint, which the outputs' `privateDnsEnabled`
    /// shows (over the input) when the input is set: AWS turns it on only after the producer
    /// accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_enabled: Option<bool>,
    pub endpoint_id: Option<String>,
    pub security_group_id: Option<String>,
    pub state: Option<String>,
    pub dns_name: Option<String>,
    pub dns_entries: Vec<DnsEntryOutput>,
    pub network_interface_ids: Vec<String>,
    pub jdbc_url: Option<String>,
    pub hostname_alias_zones: Vec<AliasZone>,
}

impl ConsumerState {
    /// Whether no piece is recorded (the instance id is not a piece).
    pub fn holds_nothing(&self) -> bool {
        *self
            == ConsumerState {
                instance_id: self.instance_id.clone(),
                ..ConsumerState::default()
            }
    }
}

impl ConsumerInputs {
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
