//! PrivateLinkProducer's inputs and computed state (their doc comments and serde defaults are
//! the package schema's descriptions and defaults), and Check: validation with a failure per
//! property, the generated name, and target hostname resolution.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::Context;
use crate::dns;
use crate::resources::naming::{check_name, INSTANCE_ID_DESCRIPTION};
use crate::validate::{
    check_principal, is_account_id, is_dns_name, is_private_target, is_region, parse_cidr, Failures,
};
use pulumi_rs_provider::runtime::resource::Checked;

// Defaults of the optional inputs, each written once: decoding fills one in where the program
// leaves the input out (the `#[serde(default = ...)]` functions below), the schema shows it as
// `default` (schemars calls the same function), and the accessors fall back to the same constant
// for an explicit null.
pub const DEFAULT_INTERVAL: i64 = 10;
pub const DEFAULT_THRESHOLD: i64 = 3;
const DEFAULT_ALLOW_ANY_PRINCIPAL: bool = false;
const DEFAULT_ACCEPTANCE_REQUIRED: bool = true;
const DEFAULT_ENFORCE_INBOUND_RULES: bool = true;
const DEFAULT_CROSS_ZONE: bool = true;
const DEFAULT_FORCE_DESTROY: bool = false;

fn default_interval() -> Option<i64> {
    Some(DEFAULT_INTERVAL)
}
fn default_threshold() -> Option<i64> {
    Some(DEFAULT_THRESHOLD)
}
fn default_allow_any_principal() -> Option<bool> {
    Some(DEFAULT_ALLOW_ANY_PRINCIPAL)
}
fn default_acceptance_required() -> Option<bool> {
    Some(DEFAULT_ACCEPTANCE_REQUIRED)
}
fn default_enforce_inbound_rules() -> Option<bool> {
    Some(DEFAULT_ENFORCE_INBOUND_RULES)
}
fn default_cross_zone() -> Option<bool> {
    Some(DEFAULT_CROSS_ZONE)
}
fn default_force_destroy() -> Option<bool> {
    Some(DEFAULT_FORCE_DESTROY)
}

/// How the Network Load Balancer checks that a target accepts TCP connections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthCheck {
    /// Seconds between checks, 5 to 300.
    #[serde(default = "default_interval")]
    pub interval_seconds: Option<i64>,
    /// Consecutive successes before an unhealthy target is healthy again, 2 to 10.
    #[serde(default = "default_threshold")]
    pub healthy_threshold: Option<i64>,
    /// Consecutive failures before a target is unhealthy, 2 to 10.
    #[serde(default = "default_threshold")]
    pub unhealthy_threshold: Option<i64>,
    /// Port the checks connect to. Default: the target port.
    pub port: Option<i64>,
}

impl Default for HealthCheck {
    /// What decoding makes of `healthCheck: {}`.
    fn default() -> Self {
        HealthCheck {
            interval_seconds: default_interval(),
            healthy_threshold: default_threshold(),
            unhealthy_threshold: default_threshold(),
            port: None,
        }
    }
}

// vpcId, subnetIds and port decode to empty values when missing so that a preview with unknowns
// still decodes; Check names them when they are missing, and the schema marks them required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProducerInputs {
    /// Name of the load balancer, target group and security group (letters, digits and hyphens,
    /// at most 32 characters). Default: the resource name plus a random suffix.
    #[schemars(extend("filledByCheck" = true))]
    pub name: Option<String>,
    /// VPC of the service (the RDS Proxy's VPC).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub vpc_id: String,
    /// Subnets for the Network Load Balancer, at most one per Availability Zone. Consumers can
    /// only use Availability Zones listed here. Changed in place (the load balancer and the
    /// endpoint service stay); AWS refuses to remove a subnet while the load balancer has active
    /// endpoint associations.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub subnet_ids: Vec<String>,
    /// Port consumers connect to (the listener port), e.g. 5432.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub port: i64,
    /// Port of the targets. Default: `port`.
    #[schemars(extend("filledByCheck" = true))]
    pub target_port: Option<i64>,
    /// Hostname resolved to the IPv4 targets, e.g. the RDS Proxy endpoint. It is resolved at
    /// every preview and update, so a changed address is re-registered. Exactly one of
    /// `targetHostname` and `targetIps`.
    pub target_hostname: Option<String>,
    /// IPv4 addresses of the targets, in the VPC. Exactly one of `targetHostname` and
    /// `targetIps`; when `targetHostname` is set, this holds the addresses it resolved to. A
    /// refresh records the addresses registered in AWS here, so the next update re-registers the
    /// wanted ones.
    #[schemars(extend("filledByCheck" = true))]
    pub target_ips: Option<Vec<String>>,
    /// TCP health checks of the targets.
    #[schemars(extend("filledByCheck" = true))]
    pub health_check: Option<HealthCheck>,
    /// IAM principals allowed to connect, e.g. `arn:aws:iam::222222222222:root` for a whole
    /// account or a role ARN. `*` (anyone) needs `allowAnyPrincipal`.
    pub allowed_principals: Option<Vec<String>>,
    /// Allow `*` in `allowedPrincipals`: any AWS account may request a connection.
    #[serde(default = "default_allow_any_principal")]
    pub allow_any_principal: Option<bool>,
    /// Connection requests must be accepted by the service owner (see `autoAcceptAccounts` and
    /// EndpointAcceptance).
    #[serde(default = "default_acceptance_required")]
    pub acceptance_required: Option<bool>,
    /// Accounts (12 digits) whose pending connection requests are accepted on create and update;
    /// a pending request that a refresh finds makes the next update accept it (`pulumi up
    /// --refresh`). A refresh itself writes nothing. Only these accounts are accepted.
    pub auto_accept_accounts: Option<Vec<String>>,
    /// Client CIDR blocks allowed to reach `port` through the load balancer's security group,
    /// e.g. the consumer VPC's CIDR. Empty: no client traffic is allowed until you add one.
    pub allowed_cidrs: Option<Vec<String>>,
    /// Apply the load balancer's inbound rules to traffic arriving over PrivateLink. With
    /// `true`, `allowedCidrs` must include the consumers' addresses.
    #[serde(default = "default_enforce_inbound_rules")]
    pub enforce_security_group_inbound_rules_on_private_link_traffic: Option<bool>,
    /// Let each load balancer node send traffic to targets in every Availability Zone.
    #[serde(default = "default_cross_zone")]
    pub cross_zone_load_balancing: Option<bool>,
    /// Private DNS name consumers may use instead of the endpoint's name, e.g. `db.example.com`.
    /// You must prove ownership with the TXT record in `privateDnsVerification`; every create
    /// and update asks AWS to verify it until it is verified.
    pub private_dns_name: Option<String>,
    /// Other Regions consumers may connect from (cross-Region PrivateLink). The service's own
    /// Region is always supported.
    pub supported_regions: Option<Vec<String>>,
    /// On delete, reject the consumers' live connections instead of failing.
    #[serde(default = "default_force_destroy")]
    pub force_destroy: Option<bool>,
    /// Tags for every AWS resource made; merged over the provider's `defaultTags`.
    pub tags: Option<BTreeMap<String, String>>,
}

/// A consumer's interface endpoint connected to the endpoint service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "EndpointConnection")]
pub struct ConnectionOutput {
    /// The consumer's VPC endpoint id, `vpce-...`.
    pub endpoint_id: String,
    /// The AWS account that owns the endpoint.
    pub owner_account: String,
    /// `pendingAcceptance`, `pending`, `available`, `rejected`, `deleting`, `deleted` or
    /// `failed`.
    pub state: String,
}

/// The DNS record that proves you own the private DNS name: publish it in the public zone of
/// the domain, then AWS verifies it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsVerification {
    /// Record name to create under the domain.
    pub name: String,
    /// Record type (`TXT`).
    #[serde(rename = "type")]
    pub record_type: String,
    /// Record value.
    pub value: String,
    /// `pendingVerification`, `verified` or `failed`.
    pub state: String,
}

// What exists in AWS. Every piece is optional: a create that stopped part-way records what it
// made, and the next update or delete carries on from there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerState {
    // This create's id, tagged on the pieces (naming::INSTANCE_TAG).
    #[schemars(description = INSTANCE_ID_DESCRIPTION, extend("required" = true))]
    pub instance_id: Option<String>,
    /// Endpoint service name consumers connect to, `com.amazonaws.vpce.<region>.vpce-svc-...`.
    pub service_name: Option<String>,
    /// Endpoint service id, `vpce-svc-...`.
    pub service_id: Option<String>,
    /// State of the endpoint service: `Pending`, `Available`, `Deleting`, `Deleted` or `Failed`.
    pub service_state: Option<String>,
    /// ARN of the Network Load Balancer.
    pub load_balancer_arn: Option<String>,
    /// DNS name of the Network Load Balancer.
    pub load_balancer_dns_name: Option<String>,
    /// ARN of the IP target group.
    pub target_group_arn: Option<String>,
    /// ARN of the TCP listener.
    pub listener_arn: Option<String>,
    /// Security group of the load balancer.
    pub security_group_id: Option<String>,
    /// Addresses registered in the target group (not draining), as last read from AWS.
    pub registered_target_ips: Vec<String>,
    /// Availability Zone names of the load balancer, in the producer account's naming.
    pub availability_zones: Vec<String>,
    /// Availability Zone ids (`use1-az1`), the same in every account: consumers' subnets must be
    /// in these.
    pub availability_zone_ids: Vec<String>,
    /// Consumers' endpoint connections and their states.
    pub connections: Vec<ConnectionOutput>,
    /// The TXT record to publish in public DNS to verify `privateDnsName`, and the verification
    /// state (`pendingVerification`, `verified`, `failed`) as of the last create, update or
    /// refresh.
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
    pub fn allow_any_principal(&self) -> bool {
        self.allow_any_principal
            .unwrap_or(DEFAULT_ALLOW_ANY_PRINCIPAL)
    }
    pub fn acceptance_required(&self) -> bool {
        self.acceptance_required
            .unwrap_or(DEFAULT_ACCEPTANCE_REQUIRED)
    }
    pub fn enforce_inbound_rules(&self) -> bool {
        self.enforce_security_group_inbound_rules_on_private_link_traffic
            .unwrap_or(DEFAULT_ENFORCE_INBOUND_RULES)
    }
    pub fn cross_zone(&self) -> bool {
        self.cross_zone_load_balancing.unwrap_or(DEFAULT_CROSS_ZONE)
    }
    pub fn force_destroy(&self) -> bool {
        self.force_destroy.unwrap_or(DEFAULT_FORCE_DESTROY)
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
    news.health_check.get_or_insert_with(HealthCheck::default);

    check_targets(ctx, &mut news, &mut f).await;

    let allow_any = news.allow_any_principal();
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
