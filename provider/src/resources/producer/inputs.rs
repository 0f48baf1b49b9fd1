//! PrivateLinkProducer's inputs and computed state, and Check: validation with a failure per
//! property, defaults, the generated name, and target hostname resolution.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::config::Context;
use crate::dns;
use crate::resources::naming::check_name;
use crate::validate::{
    check_principal, is_account_id, is_dns_name, is_private_target, is_region, parse_cidr, Failures,
};
use pulumi_rs_provider::runtime::resource::Checked;

pub const DEFAULT_INTERVAL: i64 = 10;
pub const DEFAULT_THRESHOLD: i64 = 3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthCheck {
    pub interval_seconds: Option<i64>,
    pub healthy_threshold: Option<i64>,
    pub unhealthy_threshold: Option<i64>,
    pub port: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProducerInputs {
    pub name: Option<String>,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub port: i64,
    pub target_port: Option<i64>,
    pub target_hostname: Option<String>,
    pub target_ips: Option<Vec<String>>,
    pub health_check: Option<HealthCheck>,
    pub allowed_principals: Option<Vec<String>>,
    pub allow_any_principal: Option<bool>,
    pub acceptance_required: Option<bool>,
    pub auto_accept_accounts: Option<Vec<String>>,
    pub allowed_cidrs: Option<Vec<String>>,
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<bool>,
    pub cross_zone_load_balancing: Option<bool>,
    pub private_dns_name: Option<String>,
    pub supported_regions: Option<Vec<String>>,
    pub force_destroy: Option<bool>,
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionOutput {
    pub endpoint_id: String,
    pub owner_account: String,
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsVerification {
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: String,
    pub value: String,
    pub state: String,
}

/// What exists in AWS. Every piece is optional: a create that stopped part-way records what
/// it made, and the next update or delete carries on from there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerState {
    /// This create's id, tagged on the pieces (naming::INSTANCE_TAG).
    pub instance_id: Option<String>,
    pub service_name: Option<String>,
    pub service_id: Option<String>,
    pub service_state: Option<String>,
    pub load_balancer_arn: Option<String>,
    pub load_balancer_dns_name: Option<String>,
    pub target_group_arn: Option<String>,
    pub listener_arn: Option<String>,
    pub security_group_id: Option<String>,
    pub registered_target_ips: Vec<String>,
    pub availability_zones: Vec<String>,
    pub availability_zone_ids: Vec<String>,
    pub connections: Vec<ConnectionOutput>,
    pub private_dns_verification: Option<PrivateDnsVerification>,
}

impl ProducerState {
    /// Whether no piece is recorded (the instance id is not a piece).
    pub fn holds_nothing(&self) -> bool {
        *self
            == ProducerState {
                instance_id: self.instance_id.clone(),
                ..ProducerState::default()
            }
    }
}

/// Inputs after Check: every default filled in. Resource code reads these instead of the
/// optional fields.
impl ProducerInputs {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
    pub fn listener_port(&self) -> u16 {
        self.port as u16
    }
    pub fn target_port(&self) -> u16 {
        self.target_port.unwrap_or(self.port) as u16
    }
    pub fn targets(&self) -> Vec<String> {
        self.target_ips.clone().unwrap_or_default()
    }
    pub fn principals(&self) -> Vec<String> {
        self.allowed_principals.clone().unwrap_or_default()
    }
    pub fn acceptance_required(&self) -> bool {
        self.acceptance_required.unwrap_or(true)
    }
    pub fn enforce_inbound_rules(&self) -> bool {
        self.enforce_security_group_inbound_rules_on_private_link_traffic
            .unwrap_or(true)
    }
    pub fn cross_zone(&self) -> bool {
        self.cross_zone_load_balancing.unwrap_or(true)
    }
    pub fn force_destroy(&self) -> bool {
        self.force_destroy.unwrap_or(false)
    }
    pub fn cidrs(&self) -> Vec<String> {
        self.allowed_cidrs.clone().unwrap_or_default()
    }
    pub fn regions(&self) -> Vec<String> {
        self.supported_regions.clone().unwrap_or_default()
    }
    pub fn auto_accept(&self) -> Vec<String> {
        self.auto_accept_accounts.clone().unwrap_or_default()
    }
    pub fn health(&self) -> crate::aws::elbv2::HealthCheck {
        let h = self.health_check.clone().unwrap_or_default();
        crate::aws::elbv2::HealthCheck {
            interval_seconds: h.interval_seconds.unwrap_or(DEFAULT_INTERVAL) as i32,
            healthy_threshold: h.healthy_threshold.unwrap_or(DEFAULT_THRESHOLD) as i32,
            unhealthy_threshold: h.unhealthy_threshold.unwrap_or(DEFAULT_THRESHOLD) as i32,
            port: h.port.map(|p| p as u16),
        }
    }
}

/// Validates `news`, fills defaults and resolves the target hostname. Makes no AWS calls.
pub async fn check(
    ctx: &Context,
    olds: Option<&ProducerInputs>,
    mut news: ProducerInputs,
) -> Checked<ProducerInputs> {
    let mut f = Failures::default();

    check_name(
        ctx,
        &mut news.name,
        olds.and_then(|o| o.name.as_deref()),
        &mut f,
    );

    f.placement(&news.vpc_id, &news.subnet_ids);

    if news.port == 0 {
        f.add(
            "port",
            "is required: the port consumers connect to, e.g. 5432",
        );
    } else {
        f.port("port", news.port);
    }
    if let Some(port) = news.target_port {
        f.port("targetPort", port);
    } else {
        news.target_port = Some(news.port);
    }

    if let Some(h) = &news.health_check {
        if let Some(interval) = h.interval_seconds {
            if !(5..=300).contains(&interval) {
                f.add(
                    "healthCheck.intervalSeconds",
                    format!("{interval} is outside 5 to 300 seconds"),
                );
            }
        }
        for (property, value) in [
            ("healthCheck.healthyThreshold", h.healthy_threshold),
            ("healthCheck.unhealthyThreshold", h.unhealthy_threshold),
        ] {
            if let Some(v) = value {
                if !(2..=10).contains(&v) {
                    f.add(property, format!("{v} is outside 2 to 10"));
                }
            }
        }
        if let Some(port) = h.port {
            f.port("healthCheck.port", port);
        }
    }
    let health = news.health_check.get_or_insert_with(HealthCheck::default);
    health.interval_seconds.get_or_insert(DEFAULT_INTERVAL);
    health.healthy_threshold.get_or_insert(DEFAULT_THRESHOLD);
    health.unhealthy_threshold.get_or_insert(DEFAULT_THRESHOLD);

    check_targets(ctx, &mut news, &mut f).await;

    let allow_any = news.allow_any_principal.unwrap_or(false);
    for (i, principal) in news.principals().iter().enumerate() {
        if principal == "*" {
            if !allow_any {
                f.add(
                    format!("allowedPrincipals[{i}]"),
                    "`*` lets any AWS account connect; set allowAnyPrincipal: true if that is intended",
                );
            }
        } else if let Err(reason) = check_principal(principal) {
            f.add(format!("allowedPrincipals[{i}]"), reason);
        }
    }
    f.distinct("allowedPrincipals", &news.principals());
    for (i, account) in news.auto_accept().iter().enumerate() {
        if !is_account_id(account) {
            f.add(
                format!("autoAcceptAccounts[{i}]"),
                format!("`{account}` is not a 12-digit AWS account id"),
            );
        }
    }
    for (i, cidr) in news.cidrs().iter().enumerate() {
        if let Err(reason) = parse_cidr(cidr) {
            f.add(format!("allowedCidrs[{i}]"), reason);
        }
    }
    f.distinct("allowedCidrs", &news.cidrs());
    if let Some(dns_name) = &news.private_dns_name {
        if !is_dns_name(dns_name) {
            f.add(
                "privateDnsName",
                format!("`{dns_name}` is not a DNS name such as `db.example.com`"),
            );
        }
    }
    for (i, region) in news.regions().iter().enumerate() {
        if !is_region(region) {
            f.add(
                format!("supportedRegions[{i}]"),
                format!("`{region}` is not an AWS region name such as `eu-west-1`"),
            );
        }
    }
    if let Some(name) = &news.name {
        f.security_group_name(name);
    }
    let ours =
        crate::resources::naming::desired_tags(ctx, news.name.as_deref().unwrap_or(""), None);
    if let Some(tags) = &news.tags {
        f.tags("tags", tags);
        f.elb_tags("tags", tags, &ours);
    }

    news.acceptance_required.get_or_insert(true);
    news.allow_any_principal.get_or_insert(false);
    news.enforce_security_group_inbound_rules_on_private_link_traffic
        .get_or_insert(true);
    news.cross_zone_load_balancing.get_or_insert(true);
    news.force_destroy.get_or_insert(false);

    if f.is_empty() && news.enforce_inbound_rules() && news.cidrs().is_empty() {
        ctx.progress.warn(
            "allowedCidrs is empty and the security group's rules apply to PrivateLink traffic: \
             consumers will be able to connect their endpoints but no traffic will pass. Add the \
             consumers' CIDR blocks to allowedCidrs.",
        );
    }
    f.checked(news)
}

/// Exactly one target kind; a hostname is resolved here so that a changed address shows up in
/// preview and the next update registers it.
async fn check_targets(ctx: &Context, news: &mut ProducerInputs, f: &mut Failures) {
    match (&news.target_hostname, &news.target_ips) {
        (Some(hostname), Some(ips)) => {
            // Inputs that were checked before carry both: accept them when the addresses are
            // still the hostname's, otherwise the program set both.
            let resolved = resolve(ctx, hostname).await.ok();
            if resolved.as_ref() != Some(ips) {
                f.add(
                    "targetIps",
                    "set either targetHostname or targetIps, not both",
                );
            }
        }
        (None, None) => {
            f.add(
                "targetHostname",
                "set targetHostname (e.g. the RDS Proxy endpoint) or targetIps",
            );
        }
        (None, Some(ips)) => {
            if ips.is_empty() {
                f.add("targetIps", "at least one IPv4 address is required");
            }
            for (i, ip) in ips.iter().enumerate() {
                match ip.parse::<Ipv4Addr>() {
                    Err(_) => f.add(
                        format!("targetIps[{i}]"),
                        format!("`{ip}` is not an IPv4 address"),
                    ),
                    Ok(address) if !is_private_target(address) => f.add(
                        format!("targetIps[{i}]"),
                        format!("{PUBLIC_TARGET} (`{ip}`)"),
                    ),
                    Ok(_) => {}
                }
            }
            f.distinct("targetIps", ips);
        }
        (Some(hostname), None) => {
            if !is_dns_name(hostname) {
                f.add("targetHostname", format!("`{hostname}` is not a DNS name"));
                return;
            }
            match resolve(ctx, hostname).await {
                Ok(addresses) => {
                    let public: Vec<&String> = addresses
                        .iter()
                        .filter(|a| a.parse().is_ok_and(|ip| !is_private_target(ip)))
                        .collect();
                    if public.is_empty() {
                        news.target_ips = Some(addresses);
                    } else {
                        f.add(
                            "targetHostname",
                            format!(
                                "`{hostname}` resolves to {}: {PUBLIC_TARGET}",
                                public
                                    .iter()
                                    .map(|a| a.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
                Err(e) => f.add("targetHostname", e.to_string()),
            }
        }
    }
}

const PUBLIC_TARGET: &str = "a load balancer's IP targets must be private addresses (the VPC's, \
     10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10); AWS refuses public ones";

async fn resolve(ctx: &Context, hostname: &str) -> Result<Vec<String>, dns::DnsError> {
    let resolvers = ctx.provider.config().resolvers();
    let addresses = dns::resolve_ipv4(hostname, &resolvers).await?;
    Ok(addresses.iter().map(|a| a.to_string()).collect())
}
