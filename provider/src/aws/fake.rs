//! An in-memory AWS for unit tests: one account and Region that keep VPCs, subnets, security
//! groups and rules, load balancers, target groups, targets, listeners, endpoint services with
//! their permissions, endpoints (whose connections the service owner sees), hosted zones and
//! alias records, all with tags. It implements the AWS layer's traits ([`Ec2Api`],
//! [`LoadBalancingApi`], [`DnsApi`]); a context whose session is [`Session::fake`] gets it from
//! `Ec2::new(ctx)` and the other handles, so resource code runs unchanged.
//!
//! - Transitions are scripted: a new load balancer answers `provisioning`, a new service
//!   `Pending`, an accepted connection `pending` and a deleted endpoint `deleting` for
//!   [`Fake::set_pending_reads`] reads each (0 by default), then `active`, `Available`,
//!   `available` or gone. An endpoint to a service that requires acceptance is
//!   `pendingAcceptance` until the owner accepts it.
//! - Errors are injected by action ([`Fake::fail`]): the next attempts of that action answer an
//!   AWS error code, classified as real answers are (throttling is retried, not-found is
//!   "gone", `DependencyViolation` a refusal).
//! - Every attempt is logged with its action name and whether it writes ([`Fake::calls`]).
//!
//! Each call goes through the real retry mechanism (`retry::call`, throttling and transient
//! failures only), and answers in the same small types as the SDK implementations, applying
//! the same "gone is `None`" rules. It is a stand-in for fast tests of resource logic, not the
//! strict double: the emulator (tests/aws-emulator, its README cites AWS for each behaviour)
//! is that. AWS's refusals the resources rely on are modelled, as the API reference states them:
//! - a group name taken in the VPC (`InvalidGroup.Duplicate`, API_CreateSecurityGroup);
//! - deleting a group that a network interface or another group's rule still uses
//!   (`DependencyViolation`, API_DeleteSecurityGroup);
//! - deleting a target group a listener forwards to (`ResourceInUse`, API_DeleteTargetGroup);
//! - deleting a service with live connections (`ExistingVpcEndpointConnections`,
//!   API_DeleteVpcEndpointServiceConfigurations);
//! - deleting a hosted zone that holds records (`HostedZoneNotEmpty`, API_DeleteHostedZone), and
//!   deleting a record that does not match (`InvalidChangeBatch`, API_ChangeResourceRecordSets);
//! - creates with the same client token, balancer or target group name and settings answer
//!   what the first made (ec2-api-idempotency, API_CreateLoadBalancer, API_CreateTargetGroup).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::ec2::{
    refuse_if_referenced, Connection, DnsEntry, DnsVerification, Ec2Api, Endpoint, EndpointChange,
    EndpointService, MadeGroup, Peer, Rule, SecurityGroup, ServiceChange, ServiceDetail, Subnet,
};
use super::elbv2::{HealthCheck, Listener, LoadBalancer, LoadBalancingApi, TargetGroup};
use super::error::{absent, AwsError};
use super::retry::{call, TRANSIENT};
use super::route53::{AliasTargetOf, DnsApi, HostedZone};
use super::session::Session;
use super::states::{DnsVerificationState, EndpointState, LoadBalancerState, ServiceState};
use super::tags::Tags;
use super::target_zones::SubnetRange;
use crate::config::{Configured, Context, ProviderConfig};

pub const ACCOUNT: &str = "111111111111";
pub const REGION: &str = "us-east-1";
pub const VPC: &str = "vpc-0000000000000a001";
pub const SUBNETS: [&str; 3] = [
    "subnet-0000000000000a00a",
    "subnet-0000000000000a00b",
    "subnet-0000000000000a00c",
];
pub const OTHER_VPC: &str = "vpc-0000000000000b001";
pub const OTHER_SUBNET: &str = "subnet-0000000000000b00a";

/// One attempt of one AWS action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub action: &'static str,
    pub write: bool,
}

/// Describe, Get and List actions read; every other action writes.
fn is_write(action: &str) -> bool {
    !["Describe", "Get", "List"]
        .iter()
        .any(|prefix| action.starts_with(prefix))
}

#[derive(Debug, Clone)]
pub struct FakeSubnet {
    pub vpc_id: String,
    pub cidr: String,
    pub zone: String,
    pub zone_id: String,
}

#[derive(Debug, Clone)]
pub struct FakeGroup {
    pub vpc_id: String,
    pub name: String,
    pub ingress: BTreeSet<Rule>,
    pub egress: BTreeSet<Rule>,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeBalancer {
    pub name: String,
    pub dns_name: String,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub security_groups: Vec<String>,
    pub enforce_on_privatelink: bool,
    pub cross_zone: bool,
    /// Reads left answering `provisioning`.
    pub provisioning_reads: u32,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeTargetGroup {
    pub name: String,
    pub vpc_id: String,
    pub port: u16,
    pub health: HealthCheck,
    /// Registered address and the zone it was registered for.
    pub targets: BTreeMap<String, Option<String>>,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeListener {
    pub load_balancer_arn: String,
    pub port: u16,
    pub target_group_arn: String,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeService {
    pub name: String,
    pub load_balancer_arns: Vec<String>,
    pub acceptance_required: bool,
    pub private_dns_name: Option<String>,
    pub supported_regions: BTreeSet<String>,
    pub principals: BTreeSet<String>,
    /// Reads left answering `Pending`.
    pub pending_reads: u32,
    /// Verification requests made (StartVpcEndpointServicePrivateDnsVerification).
    pub dns_verifications_started: u32,
    /// Whether AWS found the TXT record; tests set it.
    pub dns_verified: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeEndpoint {
    pub vpc_id: String,
    pub service_name: String,
    pub service_region: Option<String>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: bool,
    pub state: EndpointState,
    /// Reads left answering `pending` once accepted, or `deleting` once deleted.
    pub transition_reads: u32,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct FakeZone {
    pub name: String,
    pub caller_reference: String,
    pub comment: String,
    pub vpcs: Vec<String>,
    pub aliases: BTreeMap<String, AliasTargetOf>,
    pub tags: Tags,
}

/// Everything the fake account holds; tests read and change it through [`Fake::world`].
#[derive(Debug, Default)]
pub struct World {
    next_id: u64,
    pending_reads: u32,
    calls: Vec<Call>,
    failures: Vec<(&'static str, String, u32)>,
    client_tokens: BTreeMap<String, String>,
    pub vpcs: BTreeMap<String, Vec<String>>,
    pub subnets: BTreeMap<String, FakeSubnet>,
    pub security_groups: BTreeMap<String, FakeGroup>,
    pub load_balancers: BTreeMap<String, FakeBalancer>,
    pub target_groups: BTreeMap<String, FakeTargetGroup>,
    pub listeners: BTreeMap<String, FakeListener>,
    pub services: BTreeMap<String, FakeService>,
    pub endpoints: BTreeMap<String, FakeEndpoint>,
    pub zones: BTreeMap<String, FakeZone>,
}

fn not_found(operation: &'static str, code: &str, id: &str) -> AwsError {
    AwsError::reported(operation, code, &format!("`{id}` does not exist"))
}

/// A tag write (EC2's or ELB's): `edit` applied to the tags found, or the action's NotFound.
fn edit_tags(
    found: Option<&mut Tags>,
    (operation, code, id): (&'static str, &str, &str),
    edit: impl FnOnce(&mut Tags),
) -> Result<(), AwsError> {
    edit(found.ok_or_else(|| not_found(operation, code, id))?);
    Ok(())
}

fn refused(operation: &'static str, code: &str, message: String) -> AwsError {
    AwsError::reported(operation, code, &message)
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:017x}", self.next_id)
    }

    /// Logs the attempt and answers an injected failure, if one is due.
    fn attempt(&mut self, action: &'static str) -> Result<(), AwsError> {
        self.calls.push(Call {
            action,
            write: is_write(action),
        });
        let due = self
            .failures
            .iter_mut()
            .find(|(failing, _, left)| *failing == action && *left > 0);
        match due {
            Some((_, code, left)) => {
                *left -= 1;
                Err(AwsError::reported(action, code, "injected by the test"))
            }
            None => Ok(()),
        }
    }

    fn group(&self, id: &str) -> Option<SecurityGroup> {
        self.security_groups.get(id).map(|g| SecurityGroup {
            id: id.to_string(),
            name: g.name.clone(),
            ingress: g.ingress.clone(),
            egress: g.egress.clone(),
            tags: g.tags.clone(),
        })
    }

    fn subnet(&self, id: &str) -> Option<Subnet> {
        self.subnets.get(id).map(|s| Subnet {
            id: id.to_string(),
            vpc_id: s.vpc_id.clone(),
            zone: s.zone.clone(),
            zone_id: s.zone_id.clone(),
        })
    }

    /// A read of the balancer: counts down its provisioning.
    fn read_balancer(&mut self, arn: &str) -> Option<LoadBalancer> {
        let lb = self.load_balancers.get_mut(arn)?;
        let state = if lb.provisioning_reads > 0 {
            lb.provisioning_reads -= 1;
            LoadBalancerState::Provisioning
        } else {
            LoadBalancerState::Active
        };
        self.balancer(arn, state)
    }

    fn balancer(&self, arn: &str, state: LoadBalancerState) -> Option<LoadBalancer> {
        let lb = self.load_balancers.get(arn)?;
        Some(LoadBalancer {
            arn: arn.to_string(),
            name: lb.name.clone(),
            dns_name: lb.dns_name.clone(),
            state,
            vpc_id: lb.vpc_id.clone(),
            subnet_ids: lb.subnet_ids.clone(),
            security_groups: lb.security_groups.clone(),
            enforce_inbound_rules_on_privatelink: (!lb.security_groups.is_empty())
                .then_some(lb.enforce_on_privatelink),
        })
    }

    fn target_group_of(&self, arn: &str) -> Option<TargetGroup> {
        self.target_groups.get(arn).map(|g| TargetGroup {
            arn: arn.to_string(),
            port: g.port.into(),
            health_check: g.health.clone(),
        })
    }

    /// A read of the service: counts down its pending state.
    fn read_service(&mut self, id: &str) -> Option<EndpointService> {
        let s = self.services.get_mut(id)?;
        let state = if s.pending_reads > 0 {
            s.pending_reads -= 1;
            ServiceState::Pending
        } else {
            ServiceState::Available
        };
        Some(EndpointService {
            id: id.to_string(),
            name: s.name.clone(),
            state,
            load_balancer_arns: s.load_balancer_arns.clone(),
            acceptance_required: s.acceptance_required,
            private_dns_name: s.private_dns_name.clone(),
            dns_verification: s.private_dns_name.as_ref().map(|_| DnsVerification {
                name: "_pl-verify".into(),
                record_type: "TXT".into(),
                value: format!("verify-{id}"),
                state: if s.dns_verified {
                    DnsVerificationState::Verified
                } else {
                    DnsVerificationState::PendingVerification
                },
            }),
            supported_regions: s.supported_regions.clone(),
            tags: s.tags.clone(),
        })
    }

    /// One read's worth of the endpoint's transition: an accepted one answers `pending` and a
    /// deleted one `deleting` for their reads, then `available` or gone.
    fn settle(&mut self, id: &str) {
        let Some(e) = self.endpoints.get_mut(id) else {
            return;
        };
        if !matches!(e.state, EndpointState::Deleting | EndpointState::Pending) {
            return;
        }
        if e.transition_reads > 0 {
            e.transition_reads -= 1;
        } else if e.state == EndpointState::Pending {
            e.state = EndpointState::Available;
        } else {
            self.endpoints.remove(id);
        }
    }

    fn read_endpoint(&mut self, id: &str) -> Option<Endpoint> {
        self.settle(id);
        let e = self.endpoints.get(id)?;
        // AWS's regional name for the endpoint, and with private DNS on, the service's name.
        let service_id = e.service_name.rsplit('.').next().unwrap_or_default();
        let mut dns_entries = vec![DnsEntry {
            dns_name: format!("{id}-fake.{service_id}.{REGION}.vpce.amazonaws.com"),
            hosted_zone_id: "ZFAKEVPCE".into(),
        }];
        let private_name = self
            .services
            .values()
            .find(|s| s.name == e.service_name)
            .and_then(|s| s.private_dns_name.clone())
            .filter(|_| e.private_dns_enabled);
        dns_entries.extend(private_name.map(|dns_name| DnsEntry {
            dns_name,
            hosted_zone_id: "ZFAKEPRIVATE".into(),
        }));
        Some(Endpoint {
            id: id.to_string(),
            state: e.state.clone(),
            vpc_id: e.vpc_id.clone(),
            service_name: e.service_name.clone(),
            service_region: e.service_region.clone(),
            subnet_ids: e.subnet_ids.clone(),
            security_group_ids: e.security_group_ids.clone(),
            private_dns_enabled: e.private_dns_enabled,
            dns_entries,
            network_interface_ids: vec![],
            tags: e.tags.clone(),
        })
    }

    fn tags_of(&mut self, arn: &str) -> Option<&mut Tags> {
        if let Some(lb) = self.load_balancers.get_mut(arn) {
            return Some(&mut lb.tags);
        }
        if let Some(g) = self.target_groups.get_mut(arn) {
            return Some(&mut g.tags);
        }
        self.listeners.get_mut(arn).map(|l| &mut l.tags)
    }

    fn ec2_tags_of(&mut self, id: &str) -> Option<&mut Tags> {
        if let Some(g) = self.security_groups.get_mut(id) {
            return Some(&mut g.tags);
        }
        if let Some(s) = self.services.get_mut(id) {
            return Some(&mut s.tags);
        }
        self.endpoints.get_mut(id).map(|e| &mut e.tags)
    }

    /// Whether a network interface (a load balancer's or an endpoint's) still uses the group.
    fn group_in_use(&self, id: &str) -> bool {
        self.load_balancers
            .values()
            .any(|lb| lb.security_groups.iter().any(|g| g == id))
            || self
                .endpoints
                .values()
                .any(|e| e.security_group_ids.iter().any(|g| g == id))
    }

    /// A read of the service's connections (each one's transition moves on).
    fn read_connections(&mut self, service_id: &str) -> Vec<Connection> {
        let ids: Vec<String> = self.endpoints.keys().cloned().collect();
        for id in ids {
            self.settle(&id);
        }
        self.connections_of(service_id)
    }

    fn connections_of(&self, service_id: &str) -> Vec<Connection> {
        let Some(service) = self.services.get(service_id) else {
            return vec![];
        };
        self.endpoints
            .iter()
            .filter(|(_, e)| e.service_name == service.name)
            .map(|(id, e)| Connection {
                endpoint_id: id.clone(),
                owner: ACCOUNT.into(),
                state: e.state.clone(),
                // The fake's endpoints have no Region of their own (one account, one Region).
                region: None,
            })
            .collect()
    }
}

/// The fake account. Shared (`Arc`) by the session and the test that inspects it.
#[derive(Debug, Default)]
pub struct Fake {
    world: Mutex<World>,
}

impl Fake {
    /// An account with VPC [`VPC`] (10.0.0.0/16) holding a subnet in each of three zones
    /// ([`SUBNETS`]: 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24), and VPC [`OTHER_VPC`] with one
    /// subnet ([`OTHER_SUBNET`]).
    pub fn with_network() -> Arc<Fake> {
        let fake = Arc::new(Fake::default());
        {
            let mut w = fake.world();
            w.vpcs.insert(VPC.into(), vec!["10.0.0.0/16".into()]);
            w.vpcs.insert(OTHER_VPC.into(), vec!["10.9.0.0/16".into()]);
            for (i, (id, zone)) in SUBNETS.iter().zip(["a", "b", "c"]).enumerate() {
                w.subnets.insert(
                    id.to_string(),
                    FakeSubnet {
                        vpc_id: VPC.into(),
                        cidr: format!("10.0.{}.0/24", i + 1),
                        zone: format!("{REGION}{zone}"),
                        zone_id: format!("use1-az{}", i + 1),
                    },
                );
            }
            w.subnets.insert(
                OTHER_SUBNET.into(),
                FakeSubnet {
                    vpc_id: OTHER_VPC.into(),
                    cidr: "10.9.1.0/24".into(),
                    zone: format!("{REGION}a"),
                    zone_id: "use1-az1".into(),
                },
            );
        }
        fake
    }

    /// A resource context whose AWS calls this fake answers.
    pub fn context(self: &Arc<Self>) -> Context {
        let session = Session::fake(self.clone(), REGION);
        let configured = Configured::new(ProviderConfig::default(), session);
        pulumi_rs_provider::runtime::testing::context_with(configured).0
    }

    /// The account's contents, to read or change behind the provider's back.
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A test that panicked while holding the lock has failed already.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// New load balancers stay `provisioning`, new services `Pending` and deleted endpoints
    /// `deleting` for this many reads.
    pub fn set_pending_reads(&self, reads: u32) {
        self.world().pending_reads = reads;
    }

    /// The next `times` attempts of `action` answer the AWS error `code`.
    pub fn fail(&self, action: &'static str, code: &str, times: u32) {
        self.world()
            .failures
            .push((action, code.to_string(), times));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.world().calls.clone()
    }

    /// The actions that wrote, in order.
    pub fn writes(&self) -> Vec<&'static str> {
        self.calls()
            .into_iter()
            .filter(|c| c.write)
            .map(|c| c.action)
            .collect()
    }

    pub fn clear_calls(&self) {
        self.world().calls.clear();
    }

    /// Runs `op` on the world as one attempt of `action`, retried as real calls are.
    async fn run<T>(
        &self,
        ctx: &Context,
        action: &'static str,
        mut op: impl FnMut(&mut World) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        call(ctx, action, TRANSIENT, |_| {
            let outcome = {
                let mut world = self.world();
                world.attempt(action).and_then(|()| op(&mut world))
            };
            std::future::ready(outcome)
        })
        .await
    }
}

/// [`Ec2Api`] answered by the fake.
pub struct FakeEc2<'a> {
    fake: &'a Fake,
    ctx: &'a Context,
}

impl<'a> FakeEc2<'a> {
    pub fn new(fake: &'a Arc<Fake>, ctx: &'a Context) -> Self {
        FakeEc2 { fake, ctx }
    }

    async fn run<T>(
        &self,
        action: &'static str,
        op: impl FnMut(&mut World) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        self.fake.run(self.ctx, action, op).await
    }
}

#[async_trait]
impl Ec2Api for FakeEc2<'_> {
    async fn add_tags(&self, resource_id: &str, tags: Tags) -> Result<(), AwsError> {
        self.run("CreateTags", |w| {
            let found = w.ec2_tags_of(resource_id);
            edit_tags(
                found,
                ("CreateTags", "InvalidID.NotFound", resource_id),
                |t| t.extend(tags.clone()),
            )
        })
        .await
    }

    async fn remove_tags(&self, resource_id: &str, keys: Vec<String>) -> Result<(), AwsError> {
        self.run("DeleteTags", |w| {
            let found = w.ec2_tags_of(resource_id);
            edit_tags(
                found,
                ("DeleteTags", "InvalidID.NotFound", resource_id),
                |t| t.retain(|k, _| !keys.contains(k)),
            )
        })
        .await
    }

    async fn vpc_cidrs(&self, vpc_id: &str) -> Result<Vec<String>, AwsError> {
        self.run("DescribeVpcs", |w| {
            w.vpcs
                .get(vpc_id)
                .cloned()
                .ok_or_else(|| not_found("DescribeVpcs", "InvalidVpcID.NotFound", vpc_id))
        })
        .await
    }

    async fn subnets(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError> {
        self.run("DescribeSubnets", |w| {
            ids.iter()
                .map(|id| {
                    w.subnet(id)
                        .ok_or_else(|| not_found("DescribeSubnets", "InvalidSubnetID.NotFound", id))
                })
                .collect()
        })
        .await
    }

    async fn subnet_ranges(&self, vpc_id: &str) -> Result<Vec<SubnetRange>, AwsError> {
        self.run("DescribeSubnets", |w| {
            Ok(w.subnets
                .values()
                .filter(|s| s.vpc_id == vpc_id)
                .map(|s| SubnetRange {
                    cidr: s.cidr.clone(),
                    zone: s.zone.clone(),
                })
                .collect())
        })
        .await
    }

    async fn vpc_dns_attributes(&self, vpc_id: &str) -> Result<(bool, bool), AwsError> {
        self.run("DescribeVpcAttribute", |w| {
            match w.vpcs.contains_key(vpc_id) {
                true => Ok((true, true)),
                false => Err(not_found(
                    "DescribeVpcAttribute",
                    "InvalidVpcID.NotFound",
                    vpc_id,
                )),
            }
        })
        .await
    }

    async fn security_group(&self, id: &str) -> Result<Option<SecurityGroup>, AwsError> {
        absent(
            self.run("DescribeSecurityGroups", |w| {
                w.group(id)
                    .ok_or_else(|| not_found("DescribeSecurityGroups", "InvalidGroup.NotFound", id))
            })
            .await,
        )
    }

    async fn security_group_named(
        &self,
        vpc_id: &str,
        name: &str,
    ) -> Result<Option<SecurityGroup>, AwsError> {
        self.run("DescribeSecurityGroups", |w| {
            let id = w
                .security_groups
                .iter()
                .find(|(_, g)| g.vpc_id == vpc_id && g.name == name)
                .map(|(id, _)| id.clone());
            Ok(id.and_then(|id| w.group(&id)))
        })
        .await
    }

    async fn groups_referencing(&self, group_id: &str) -> Result<Vec<SecurityGroup>, AwsError> {
        self.run("DescribeSecurityGroups", |w| {
            let peer = Peer::Group(group_id.to_string());
            let ids: Vec<String> = w
                .security_groups
                .iter()
                .filter(|(id, g)| {
                    id.as_str() != group_id
                        && g.ingress.iter().chain(&g.egress).any(|r| r.peer == peer)
                })
                .map(|(id, _)| id.clone())
                .collect();
            Ok(ids.iter().filter_map(|id| w.group(id)).collect())
        })
        .await
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        _description: &str,
        tags: &Tags,
    ) -> Result<MadeGroup, AwsError> {
        const OP: &str = "CreateSecurityGroup";
        let created = self
            .run(OP, |w| {
                if !w.vpcs.contains_key(vpc_id) {
                    return Err(not_found(OP, "InvalidVpcID.NotFound", vpc_id));
                }
                if w.security_groups
                    .values()
                    .any(|g| g.vpc_id == vpc_id && g.name == name)
                {
                    return Err(refused(
                        OP,
                        "InvalidGroup.Duplicate",
                        format!("the group `{name}` already exists in {vpc_id}"),
                    ));
                }
                let id = w.id("sg");
                // EC2 gives a new group an egress rule to everywhere.
                let everywhere = Rule {
                    protocol: "-1".into(),
                    from_port: -1,
                    to_port: -1,
                    peer: Peer::Cidr("0.0.0.0/0".into()),
                };
                w.security_groups.insert(
                    id.clone(),
                    FakeGroup {
                        vpc_id: vpc_id.into(),
                        name: name.into(),
                        ingress: BTreeSet::new(),
                        egress: BTreeSet::from([everywhere]),
                        tags: tags.clone(),
                    },
                );
                Ok(id)
            })
            .await;
        match created {
            Ok(id) => Ok(MadeGroup::New(id)),
            Err(e) if e.is(super::error::ErrorKind::Duplicate) => self
                .security_group_named(vpc_id, name)
                .await?
                .map(MadeGroup::Existing)
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    async fn security_group_just_made(&self, id: &str) -> Result<SecurityGroup, AwsError> {
        self.security_group(id)
            .await?
            .ok_or_else(|| not_found("DescribeSecurityGroups", "InvalidGroup.NotFound", id))
    }

    async fn sync_rules(
        &self,
        group: &SecurityGroup,
        ingress: &BTreeSet<Rule>,
        egress: &BTreeSet<Rule>,
    ) -> Result<bool, AwsError> {
        let id = group.id.as_str();
        let changes: [(&'static str, BTreeSet<Rule>, bool, bool); 4] = [
            (
                "AuthorizeSecurityGroupIngress",
                ingress.difference(&group.ingress).cloned().collect(),
                true,
                true,
            ),
            (
                "AuthorizeSecurityGroupEgress",
                egress.difference(&group.egress).cloned().collect(),
                false,
                true,
            ),
            (
                "RevokeSecurityGroupIngress",
                group.ingress.difference(ingress).cloned().collect(),
                true,
                false,
            ),
            (
                "RevokeSecurityGroupEgress",
                group.egress.difference(egress).cloned().collect(),
                false,
                false,
            ),
        ];
        let mut changed = false;
        for (action, rules, inbound, grant) in changes {
            if rules.is_empty() {
                continue;
            }
            changed = true;
            self.run(action, |w| {
                for peer in rules.iter().filter_map(Rule::group) {
                    if !w.security_groups.contains_key(peer) {
                        return Err(not_found(action, "InvalidGroup.NotFound", peer));
                    }
                }
                let g = w
                    .security_groups
                    .get_mut(id)
                    .ok_or_else(|| not_found(action, "InvalidGroup.NotFound", id))?;
                let set = if inbound {
                    &mut g.ingress
                } else {
                    &mut g.egress
                };
                for rule in &rules {
                    if grant {
                        set.insert(rule.clone());
                    } else {
                        set.remove(rule);
                    }
                }
                Ok(())
            })
            .await?;
        }
        Ok(changed)
    }

    async fn delete_security_group(&self, id: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteSecurityGroup";
        if refuse_if_referenced(self, id).await?.is_none() {
            return Ok(());
        }
        absent(
            self.run(OP, |w| {
                if !w.security_groups.contains_key(id) {
                    return Err(not_found(OP, "InvalidGroup.NotFound", id));
                }
                if w.group_in_use(id) {
                    return Err(refused(
                        OP,
                        "DependencyViolation",
                        format!("resource {id} has a dependent object"),
                    ));
                }
                w.security_groups.remove(id);
                Ok(())
            })
            .await,
        )?;
        Ok(())
    }

    async fn endpoint_service(&self, id: &str) -> Result<Option<EndpointService>, AwsError> {
        const OP: &str = "DescribeVpcEndpointServiceConfigurations";
        absent(
            self.run(OP, |w| {
                w.read_service(id)
                    .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", id))
            })
            .await,
        )
    }

    async fn endpoint_service_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<EndpointService>, AwsError> {
        self.run("DescribeVpcEndpointServiceConfigurations", |w| {
            let id = w
                .services
                .iter()
                .find(|(_, s)| s.tags.get(key).map(String::as_str) == Some(value))
                .map(|(id, _)| id.clone());
            Ok(id.and_then(|id| w.read_service(&id)))
        })
        .await
    }

    async fn create_endpoint_service(
        &self,
        load_balancer_arn: &str,
        acceptance_required: bool,
        private_dns_name: Option<&str>,
        supported_regions: &[String],
        tags: &Tags,
        client_token: &str,
    ) -> Result<EndpointService, AwsError> {
        const OP: &str = "CreateVpcEndpointServiceConfiguration";
        self.run(OP, |w| {
            if let Some(id) = w.client_tokens.get(client_token).cloned() {
                if let Some(service) = w.read_service(&id) {
                    return Ok(service);
                }
            }
            if !w.load_balancers.contains_key(load_balancer_arn) {
                return Err(not_found(OP, "LoadBalancerNotFound", load_balancer_arn));
            }
            let id = w.id("vpce-svc");
            w.client_tokens.insert(client_token.into(), id.clone());
            let pending_reads = w.pending_reads;
            w.services.insert(
                id.clone(),
                FakeService {
                    name: format!("com.amazonaws.vpce.{REGION}.{id}"),
                    load_balancer_arns: vec![load_balancer_arn.into()],
                    acceptance_required,
                    private_dns_name: private_dns_name.map(String::from),
                    supported_regions: supported_regions.iter().cloned().collect(),
                    principals: BTreeSet::new(),
                    pending_reads,
                    dns_verifications_started: 0,
                    dns_verified: false,
                    tags: tags.clone(),
                },
            );
            w.read_service(&id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", &id))
        })
        .await
    }

    async fn modify_endpoint_service(
        &self,
        id: &str,
        change: &ServiceChange,
    ) -> Result<(), AwsError> {
        const OP: &str = "ModifyVpcEndpointServiceConfiguration";
        if change.is_empty() {
            return Ok(());
        }
        self.run(OP, |w| {
            let s = w
                .services
                .get_mut(id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", id))?;
            if let Some(required) = change.acceptance_required {
                s.acceptance_required = required;
            }
            if let Some(name) = &change.private_dns_name {
                s.private_dns_name = name.clone();
                s.dns_verified = false;
            }
            s.supported_regions
                .extend(change.add_regions.iter().cloned());
            for region in &change.remove_regions {
                s.supported_regions.remove(region);
            }
            Ok(())
        })
        .await
    }

    async fn allowed_principals(&self, service_id: &str) -> Result<BTreeSet<String>, AwsError> {
        const OP: &str = "DescribeVpcEndpointServicePermissions";
        self.run(OP, |w| {
            w.services
                .get(service_id)
                .map(|s| s.principals.clone())
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", service_id))
        })
        .await
    }

    async fn set_allowed_principals(
        &self,
        service_id: &str,
        add: Vec<String>,
        remove: Vec<String>,
    ) -> Result<(), AwsError> {
        const OP: &str = "ModifyVpcEndpointServicePermissions";
        if add.is_empty() && remove.is_empty() {
            return Ok(());
        }
        self.run(OP, |w| {
            let s = w
                .services
                .get_mut(service_id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", service_id))?;
            s.principals.extend(add.iter().cloned());
            for principal in &remove {
                s.principals.remove(principal);
            }
            Ok(())
        })
        .await
    }

    async fn connections(&self, service_id: &str) -> Result<Vec<Connection>, AwsError> {
        self.run("DescribeVpcEndpointConnections", |w| {
            Ok(w.read_connections(service_id))
        })
        .await
    }

    async fn accept_connections(
        &self,
        service_id: &str,
        endpoint_ids: Vec<String>,
    ) -> Result<(), AwsError> {
        self.answer_connections(
            "AcceptVpcEndpointConnections",
            service_id,
            endpoint_ids,
            EndpointState::Pending,
        )
        .await
    }

    async fn reject_connections(
        &self,
        service_id: &str,
        endpoint_ids: Vec<String>,
    ) -> Result<(), AwsError> {
        self.answer_connections(
            "RejectVpcEndpointConnections",
            service_id,
            endpoint_ids,
            EndpointState::Rejected,
        )
        .await
    }

    async fn delete_endpoint_service(&self, id: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteVpcEndpointServiceConfigurations";
        absent(
            self.run(OP, |w| {
                if !w.services.contains_key(id) {
                    return Err(not_found(OP, "InvalidVpcEndpointServiceId.NotFound", id));
                }
                if w.connections_of(id).iter().any(|c| c.state.is_live()) {
                    return Err(refused(
                        OP,
                        "ExistingVpcEndpointConnections",
                        format!("service {id} has existing endpoint connections"),
                    ));
                }
                w.services.remove(id);
                Ok(())
            })
            .await,
        )?;
        Ok(())
    }

    async fn start_private_dns_verification(&self, service_id: &str) -> Result<(), AwsError> {
        const OP: &str = "StartVpcEndpointServicePrivateDnsVerification";
        self.run(OP, |w| {
            let s = w
                .services
                .get_mut(service_id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointServiceId.NotFound", service_id))?;
            s.dns_verifications_started += 1;
            Ok(())
        })
        .await
    }

    async fn service_detail(
        &self,
        service_name: &str,
        _service_region: Option<&str>,
    ) -> Result<Option<ServiceDetail>, AwsError> {
        self.run("DescribeVpcEndpointServices", |w| {
            let Some(service) = w.services.values().find(|s| s.name == service_name) else {
                return Ok(None);
            };
            // The one fake account owns every service, and an owner sees its own.
            let subnets: Vec<&FakeSubnet> = service
                .load_balancer_arns
                .iter()
                .filter_map(|arn| w.load_balancers.get(arn))
                .flat_map(|lb| lb.subnet_ids.iter())
                .filter_map(|id| w.subnets.get(id))
                .collect();
            Ok(Some(ServiceDetail {
                zones: subnets.iter().map(|s| s.zone.clone()).collect(),
                zone_ids: subnets.iter().map(|s| s.zone_id.clone()).collect(),
                private_dns_name: service.private_dns_name.clone(),
                private_dns_state: service.private_dns_name.as_ref().map(|_| {
                    if service.dns_verified {
                        DnsVerificationState::Verified
                    } else {
                        DnsVerificationState::PendingVerification
                    }
                }),
            }))
        })
        .await
    }

    async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>, AwsError> {
        absent(
            self.run("DescribeVpcEndpoints", |w| {
                w.read_endpoint(id).ok_or_else(|| {
                    not_found("DescribeVpcEndpoints", "InvalidVpcEndpointId.NotFound", id)
                })
            })
            .await,
        )
    }

    async fn endpoint_just_made(&self, id: &str) -> Result<Option<Endpoint>, AwsError> {
        self.endpoint(id).await
    }

    async fn endpoint_tagged(&self, key: &str, value: &str) -> Result<Option<Endpoint>, AwsError> {
        self.run("DescribeVpcEndpoints", |w| {
            let id = w
                .endpoints
                .iter()
                .find(|(_, e)| {
                    e.tags.get(key).map(String::as_str) == Some(value)
                        && e.state != EndpointState::Deleted
                })
                .map(|(id, _)| id.clone());
            Ok(id.and_then(|id| w.read_endpoint(&id)))
        })
        .await
    }

    async fn create_endpoint(
        &self,
        vpc_id: &str,
        service_name: &str,
        service_region: Option<&str>,
        subnet_ids: &[String],
        security_group_id: &str,
        tags: &Tags,
        client_token: &str,
    ) -> Result<Endpoint, AwsError> {
        const OP: &str = "CreateVpcEndpoint";
        self.run(OP, |w| {
            if let Some(id) = w.client_tokens.get(client_token).cloned() {
                if let Some(endpoint) = w.read_endpoint(&id) {
                    return Ok(endpoint);
                }
            }
            let Some(service) = w.services.values().find(|s| s.name == service_name) else {
                return Err(refused(
                    OP,
                    "InvalidServiceName",
                    format!("the service `{service_name}` does not exist"),
                ));
            };
            let state = if service.acceptance_required {
                EndpointState::PendingAcceptance
            } else {
                EndpointState::Available
            };
            for subnet in subnet_ids {
                if w.subnets.get(subnet).is_none_or(|s| s.vpc_id != vpc_id) {
                    return Err(not_found(OP, "InvalidSubnetID.NotFound", subnet));
                }
            }
            if !w.security_groups.contains_key(security_group_id) {
                return Err(not_found(OP, "InvalidGroup.NotFound", security_group_id));
            }
            let id = w.id("vpce");
            w.client_tokens.insert(client_token.into(), id.clone());
            w.endpoints.insert(
                id.clone(),
                FakeEndpoint {
                    vpc_id: vpc_id.into(),
                    service_name: service_name.into(),
                    service_region: service_region.map(String::from),
                    subnet_ids: subnet_ids.to_vec(),
                    security_group_ids: vec![security_group_id.into()],
                    private_dns_enabled: false,
                    state,
                    transition_reads: 0,
                    tags: tags.clone(),
                },
            );
            w.read_endpoint(&id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointId.NotFound", &id))
        })
        .await
    }

    async fn modify_endpoint(&self, id: &str, change: &EndpointChange) -> Result<(), AwsError> {
        const OP: &str = "ModifyVpcEndpoint";
        if change.is_empty() {
            return Ok(());
        }
        self.run(OP, |w| {
            let e = w
                .endpoints
                .get_mut(id)
                .ok_or_else(|| not_found(OP, "InvalidVpcEndpointId.NotFound", id))?;
            if let Some(enabled) = change.private_dns_enabled {
                e.private_dns_enabled = enabled;
            }
            e.security_group_ids
                .retain(|g| !change.remove_security_groups.contains(g));
            e.security_group_ids
                .extend(change.add_security_groups.iter().cloned());
            e.subnet_ids.retain(|s| !change.remove_subnets.contains(s));
            e.subnet_ids.extend(change.add_subnets.iter().cloned());
            Ok(())
        })
        .await
    }

    async fn delete_endpoint(&self, id: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteVpcEndpoints";
        absent(
            self.run(OP, |w| {
                let reads = w.pending_reads;
                let e = w
                    .endpoints
                    .get_mut(id)
                    .ok_or_else(|| not_found(OP, "InvalidVpcEndpointId.NotFound", id))?;
                if e.state != EndpointState::Deleting {
                    e.state = EndpointState::Deleting;
                    e.transition_reads = reads;
                }
                Ok(())
            })
            .await,
        )?;
        Ok(())
    }
}

impl FakeEc2<'_> {
    /// Accepts or rejects connections, answering as AWS does for each endpoint (`Unsuccessful`
    /// items become the error of the first).
    async fn answer_connections(
        &self,
        action: &'static str,
        service_id: &str,
        endpoint_ids: Vec<String>,
        to: EndpointState,
    ) -> Result<(), AwsError> {
        if endpoint_ids.is_empty() {
            return Ok(());
        }
        self.run(action, |w| {
            let reads = w.pending_reads;
            let service = w.services.get(service_id).ok_or_else(|| {
                not_found(action, "InvalidVpcEndpointServiceId.NotFound", service_id)
            })?;
            let name = service.name.clone();
            for id in &endpoint_ids {
                let e = w
                    .endpoints
                    .get_mut(id)
                    .filter(|e| e.service_name == name)
                    .ok_or_else(|| not_found(action, "InvalidVpcEndpointId.NotFound", id))?;
                let answerable = match to {
                    EndpointState::Pending => e.state == EndpointState::PendingAcceptance,
                    _ => e.state.is_live(),
                };
                if !answerable {
                    return Err(refused(
                        action,
                        "InvalidState",
                        format!("endpoint {id} is {}", e.state),
                    ));
                }
                e.state = to.clone();
                e.transition_reads = reads;
            }
            Ok(())
        })
        .await
    }
}

/// [`LoadBalancingApi`] answered by the fake.
pub struct FakeElbv2<'a> {
    fake: &'a Fake,
    ctx: &'a Context,
}

impl<'a> FakeElbv2<'a> {
    pub fn new(fake: &'a Arc<Fake>, ctx: &'a Context) -> Self {
        FakeElbv2 { fake, ctx }
    }

    async fn run<T>(
        &self,
        action: &'static str,
        op: impl FnMut(&mut World) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        self.fake.run(self.ctx, action, op).await
    }
}

fn arn(kind: &str, name: &str, id: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{kind}/{name}/{id}")
}

#[async_trait]
impl LoadBalancingApi for FakeElbv2<'_> {
    async fn load_balancer(&self, arn: &str) -> Result<Option<LoadBalancer>, AwsError> {
        absent(
            self.run("DescribeLoadBalancers", |w| {
                w.read_balancer(arn)
                    .ok_or_else(|| not_found("DescribeLoadBalancers", "LoadBalancerNotFound", arn))
            })
            .await,
        )
    }

    async fn load_balancer_named(&self, name: &str) -> Result<Option<LoadBalancer>, AwsError> {
        absent(
            self.run("DescribeLoadBalancers", |w| {
                let arn = w
                    .load_balancers
                    .iter()
                    .find(|(_, lb)| lb.name == name)
                    .map(|(arn, _)| arn.clone())
                    .ok_or_else(|| {
                        not_found("DescribeLoadBalancers", "LoadBalancerNotFound", name)
                    })?;
                w.read_balancer(&arn)
                    .ok_or_else(|| not_found("DescribeLoadBalancers", "LoadBalancerNotFound", name))
            })
            .await,
        )
    }

    async fn create_load_balancer(
        &self,
        name: &str,
        subnet_ids: &[String],
        security_group_id: &str,
        tags: &Tags,
    ) -> Result<LoadBalancer, AwsError> {
        const OP: &str = "CreateLoadBalancer";
        self.run(OP, |w| {
            if let Some(arn) = w
                .load_balancers
                .iter()
                .find(|(_, lb)| lb.name == name)
                .map(|(arn, _)| arn.clone())
            {
                // Idempotent for the same settings.
                return w
                    .read_balancer(&arn)
                    .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", &arn));
            }
            let vpc_id = subnet_ids
                .iter()
                .map(|id| {
                    w.subnets
                        .get(id)
                        .map(|s| s.vpc_id.clone())
                        .ok_or_else(|| not_found(OP, "SubnetNotFound", id))
                })
                .collect::<Result<BTreeSet<_>, _>>()?;
            let Some(vpc_id) = vpc_id.into_iter().next() else {
                return Err(refused(OP, "ValidationError", "no subnets".into()));
            };
            if !w.security_groups.contains_key(security_group_id) {
                return Err(not_found(OP, "SecurityGroupNotFound", security_group_id));
            }
            let id = w.id("lb");
            let arn = arn("loadbalancer/net", name, &id);
            let provisioning_reads = w.pending_reads;
            w.load_balancers.insert(
                arn.clone(),
                FakeBalancer {
                    name: name.into(),
                    dns_name: format!("{name}-{id}.elb.{REGION}.amazonaws.com"),
                    vpc_id,
                    subnet_ids: subnet_ids.to_vec(),
                    security_groups: vec![security_group_id.into()],
                    enforce_on_privatelink: true,
                    cross_zone: false,
                    provisioning_reads,
                    tags: tags.clone(),
                },
            );
            // The create's answer shows the state it starts in.
            w.balancer(&arn, LoadBalancerState::Provisioning)
                .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", &arn))
        })
        .await
    }

    async fn set_subnets(&self, arn: &str, subnet_ids: &[String]) -> Result<(), AwsError> {
        self.run("SetSubnets", |w| {
            let lb = w
                .load_balancers
                .get_mut(arn)
                .ok_or_else(|| not_found("SetSubnets", "LoadBalancerNotFound", arn))?;
            lb.subnet_ids = subnet_ids.to_vec();
            Ok(())
        })
        .await
    }

    async fn cross_zone(&self, arn: &str) -> Result<bool, AwsError> {
        const OP: &str = "DescribeLoadBalancerAttributes";
        self.run(OP, |w| {
            w.load_balancers
                .get(arn)
                .map(|lb| lb.cross_zone)
                .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", arn))
        })
        .await
    }

    async fn set_cross_zone(&self, arn: &str, enabled: bool) -> Result<(), AwsError> {
        const OP: &str = "ModifyLoadBalancerAttributes";
        self.run(OP, |w| {
            let lb = w
                .load_balancers
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", arn))?;
            lb.cross_zone = enabled;
            Ok(())
        })
        .await
    }

    async fn set_enforce_on_privatelink(
        &self,
        arn: &str,
        security_group_id: &str,
        enforce: bool,
    ) -> Result<(), AwsError> {
        const OP: &str = "SetSecurityGroups";
        self.run(OP, |w| {
            let lb = w
                .load_balancers
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", arn))?;
            lb.security_groups = vec![security_group_id.into()];
            lb.enforce_on_privatelink = enforce;
            Ok(())
        })
        .await
    }

    async fn start_deleting_load_balancer(&self, arn: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteLoadBalancer";
        absent(
            self.run(OP, |w| {
                w.load_balancers
                    .remove(arn)
                    .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", arn))?;
                // Its listeners go with it.
                w.listeners.retain(|_, l| l.load_balancer_arn != arn);
                Ok(())
            })
            .await,
        )?;
        Ok(())
    }

    async fn target_group(&self, arn: &str) -> Result<Option<TargetGroup>, AwsError> {
        absent(
            self.run("DescribeTargetGroups", |w| {
                w.target_group_of(arn)
                    .ok_or_else(|| not_found("DescribeTargetGroups", "TargetGroupNotFound", arn))
            })
            .await,
        )
    }

    async fn target_group_named(&self, name: &str) -> Result<Option<TargetGroup>, AwsError> {
        absent(
            self.run("DescribeTargetGroups", |w| {
                w.target_groups
                    .iter()
                    .find(|(_, g)| g.name == name)
                    .and_then(|(arn, _)| w.target_group_of(arn))
                    .ok_or_else(|| not_found("DescribeTargetGroups", "TargetGroupNotFound", name))
            })
            .await,
        )
    }

    async fn create_target_group(
        &self,
        name: &str,
        vpc_id: &str,
        port: u16,
        health: &HealthCheck,
        tags: &Tags,
    ) -> Result<TargetGroup, AwsError> {
        const OP: &str = "CreateTargetGroup";
        self.run(OP, |w| {
            if let Some((arn, group)) = w.target_groups.iter().find(|(_, g)| g.name == name) {
                if group.port != port || group.vpc_id != vpc_id {
                    return Err(refused(
                        OP,
                        "DuplicateTargetGroupName",
                        format!("a target group named `{name}` exists with other settings"),
                    ));
                }
                let arn = arn.clone();
                return w
                    .target_group_of(&arn)
                    .ok_or_else(|| not_found(OP, "TargetGroupNotFound", &arn));
            }
            let id = w.id("tg");
            let arn = arn("targetgroup", name, &id);
            w.target_groups.insert(
                arn.clone(),
                FakeTargetGroup {
                    name: name.into(),
                    vpc_id: vpc_id.into(),
                    port,
                    health: health.clone(),
                    targets: BTreeMap::new(),
                    tags: tags.clone(),
                },
            );
            w.target_group_of(&arn)
                .ok_or_else(|| not_found(OP, "TargetGroupNotFound", &arn))
        })
        .await
    }

    async fn set_health_check(&self, arn: &str, health: &HealthCheck) -> Result<(), AwsError> {
        const OP: &str = "ModifyTargetGroup";
        self.run(OP, |w| {
            let g = w
                .target_groups
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "TargetGroupNotFound", arn))?;
            g.health = health.clone();
            Ok(())
        })
        .await
    }

    async fn registered_ips(&self, arn: &str) -> Result<BTreeSet<String>, AwsError> {
        Ok(self.registered_targets(arn).await?.into_keys().collect())
    }

    async fn registered_targets(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, Option<String>>, AwsError> {
        const OP: &str = "DescribeTargetHealth";
        self.run(OP, |w| {
            w.target_groups
                .get(arn)
                .map(|g| g.targets.clone())
                .ok_or_else(|| not_found(OP, "TargetGroupNotFound", arn))
        })
        .await
    }

    async fn register_targets(
        &self,
        arn: &str,
        ips: &[String],
        _port: u16,
        outside_vpc: &BTreeSet<String>,
    ) -> Result<(), AwsError> {
        const OP: &str = "RegisterTargets";
        if ips.is_empty() {
            return Ok(());
        }
        self.run(OP, |w| {
            let g = w
                .target_groups
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "TargetGroupNotFound", arn))?;
            for ip in ips {
                let zone = outside_vpc.contains(ip).then(|| "all".to_string());
                g.targets.insert(ip.clone(), zone);
            }
            Ok(())
        })
        .await
    }

    async fn deregister_targets(
        &self,
        arn: &str,
        registered: &BTreeMap<String, Option<String>>,
        _port: u16,
    ) -> Result<(), AwsError> {
        const OP: &str = "DeregisterTargets";
        if registered.is_empty() {
            return Ok(());
        }
        self.run(OP, |w| {
            let g = w
                .target_groups
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "TargetGroupNotFound", arn))?;
            for (ip, zone) in registered {
                // A deregistration must name the zone the target was registered for.
                if g.targets.get(ip) == Some(zone) {
                    g.targets.remove(ip);
                }
            }
            Ok(())
        })
        .await
    }

    async fn delete_target_group(&self, arn: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteTargetGroup";
        absent(
            self.run(OP, |w| {
                if !w.target_groups.contains_key(arn) {
                    return Err(not_found(OP, "TargetGroupNotFound", arn));
                }
                if w.listeners.values().any(|l| l.target_group_arn == arn) {
                    return Err(refused(
                        OP,
                        "ResourceInUse",
                        format!("target group {arn} is currently in use by a listener"),
                    ));
                }
                w.target_groups.remove(arn);
                Ok(())
            })
            .await,
        )?;
        Ok(())
    }

    async fn listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, AwsError> {
        self.run("DescribeListeners", |w| {
            Ok(w.listeners
                .iter()
                .filter(|(_, l)| l.load_balancer_arn == load_balancer_arn)
                .map(|(arn, l)| Listener {
                    arn: arn.clone(),
                    port: l.port.into(),
                    target_group_arn: Some(l.target_group_arn.clone()),
                })
                .collect())
        })
        .await
    }

    async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: u16,
        target_group_arn: &str,
        tags: &Tags,
    ) -> Result<Listener, AwsError> {
        const OP: &str = "CreateListener";
        self.run(OP, |w| {
            if !w.load_balancers.contains_key(load_balancer_arn) {
                return Err(not_found(OP, "LoadBalancerNotFound", load_balancer_arn));
            }
            if !w.target_groups.contains_key(target_group_arn) {
                return Err(not_found(OP, "TargetGroupNotFound", target_group_arn));
            }
            if w.listeners
                .values()
                .any(|l| l.load_balancer_arn == load_balancer_arn && l.port == port)
            {
                return Err(refused(
                    OP,
                    "DuplicateListener",
                    format!("a listener on port {port} exists"),
                ));
            }
            let id = w.id("listener");
            let arn = arn("listener/net", "lb", &id);
            w.listeners.insert(
                arn.clone(),
                FakeListener {
                    load_balancer_arn: load_balancer_arn.into(),
                    port,
                    target_group_arn: target_group_arn.into(),
                    tags: tags.clone(),
                },
            );
            Ok(Listener {
                arn,
                port: port.into(),
                target_group_arn: Some(target_group_arn.into()),
            })
        })
        .await
    }

    async fn set_listener_port(&self, arn: &str, port: u16) -> Result<(), AwsError> {
        const OP: &str = "ModifyListener";
        self.run(OP, |w| {
            let l = w
                .listeners
                .get_mut(arn)
                .ok_or_else(|| not_found(OP, "ListenerNotFound", arn))?;
            l.port = port;
            Ok(())
        })
        .await
    }

    async fn delete_listener(&self, arn: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteListener";
        absent(
            self.run(OP, |w| {
                w.listeners
                    .remove(arn)
                    .map(|_| ())
                    .ok_or_else(|| not_found(OP, "ListenerNotFound", arn))
            })
            .await,
        )?;
        Ok(())
    }

    async fn tags(&self, arns: &[String]) -> Result<Vec<(String, Tags)>, AwsError> {
        const OP: &str = "DescribeTags";
        self.run(OP, |w| {
            arns.iter()
                .map(|arn| {
                    let tags = w
                        .tags_of(arn)
                        .cloned()
                        .ok_or_else(|| not_found(OP, "LoadBalancerNotFound", arn))?;
                    Ok((arn.clone(), tags))
                })
                .collect()
        })
        .await
    }

    async fn add_tags(&self, arn: &str, tags: Tags) -> Result<(), AwsError> {
        self.run("AddTags", |w| {
            let found = w.tags_of(arn);
            edit_tags(found, ("AddTags", "LoadBalancerNotFound", arn), |t| {
                t.extend(tags.clone())
            })
        })
        .await
    }

    async fn remove_tags(&self, arn: &str, keys: Vec<String>) -> Result<(), AwsError> {
        self.run("RemoveTags", |w| {
            let found = w.tags_of(arn);
            edit_tags(found, ("RemoveTags", "LoadBalancerNotFound", arn), |t| {
                t.retain(|k, _| !keys.contains(k))
            })
        })
        .await
    }
}

/// [`DnsApi`] answered by the fake.
pub struct FakeRoute53<'a> {
    fake: &'a Fake,
    ctx: &'a Context,
}

impl<'a> FakeRoute53<'a> {
    pub fn new(fake: &'a Arc<Fake>, ctx: &'a Context) -> Self {
        FakeRoute53 { fake, ctx }
    }

    async fn run<T>(
        &self,
        action: &'static str,
        op: impl FnMut(&mut World) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        self.fake.run(self.ctx, action, op).await
    }
}

fn bare(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn hosted_zone(id: &str, z: &FakeZone) -> HostedZone {
    HostedZone {
        id: id.to_string(),
        name: z.name.clone(),
        caller_reference: z.caller_reference.clone(),
        comment: Some(z.comment.clone()),
        private: true,
    }
}

#[async_trait]
impl DnsApi for FakeRoute53<'_> {
    async fn zone(&self, id: &str) -> Result<Option<(HostedZone, Vec<String>)>, AwsError> {
        self.run("GetHostedZone", |w| {
            Ok(w.zones
                .get(id)
                .map(|z| (hosted_zone(id, z), z.vpcs.clone())))
        })
        .await
    }

    async fn zones_named(&self, name: &str) -> Result<Vec<HostedZone>, AwsError> {
        let wanted = bare(name);
        self.run("ListHostedZonesByName", |w| {
            Ok(w.zones
                .iter()
                .filter(|(_, z)| z.name == wanted)
                .map(|(id, z)| hosted_zone(id, z))
                .collect())
        })
        .await
    }

    async fn zones_on_vpc(&self, vpc_id: &str) -> Result<Vec<(String, String)>, AwsError> {
        self.run("ListHostedZonesByVPC", |w| {
            Ok(w.zones
                .iter()
                .filter(|(_, z)| z.vpcs.iter().any(|v| v == vpc_id))
                .map(|(id, z)| (id.clone(), z.name.clone()))
                .collect())
        })
        .await
    }

    async fn create_private_zone(
        &self,
        name: &str,
        vpc_id: &str,
        caller_reference: &str,
        comment: &str,
    ) -> Result<HostedZone, AwsError> {
        self.run("CreateHostedZone", |w| {
            if let Some((id, z)) = w
                .zones
                .iter()
                .find(|(_, z)| z.caller_reference == caller_reference)
            {
                return Ok(hosted_zone(id, z));
            }
            w.next_id += 1;
            let id = format!("Z{:012X}", w.next_id);
            let zone = FakeZone {
                name: bare(name),
                caller_reference: caller_reference.into(),
                comment: comment.into(),
                vpcs: vec![vpc_id.into()],
                aliases: BTreeMap::new(),
                tags: Tags::new(),
            };
            let answer = hosted_zone(&id, &zone);
            w.zones.insert(id, zone);
            Ok(answer)
        })
        .await
    }

    async fn associate(&self, zone_id: &str, vpc_id: &str) -> Result<(), AwsError> {
        const OP: &str = "AssociateVPCWithHostedZone";
        self.run(OP, |w| {
            let z = w
                .zones
                .get_mut(zone_id)
                .ok_or_else(|| not_found(OP, "NoSuchHostedZone", zone_id))?;
            if !z.vpcs.iter().any(|v| v == vpc_id) {
                z.vpcs.push(vpc_id.into());
            }
            Ok(())
        })
        .await
    }

    async fn tags(&self, zone_id: &str) -> Result<Tags, AwsError> {
        const OP: &str = "ListTagsForResource";
        self.run(OP, |w| {
            w.zones
                .get(zone_id)
                .map(|z| z.tags.clone())
                .ok_or_else(|| not_found(OP, "NoSuchHostedZone", zone_id))
        })
        .await
    }

    async fn change_tags(
        &self,
        zone_id: &str,
        add: &Tags,
        remove: &[String],
    ) -> Result<(), AwsError> {
        const OP: &str = "ChangeTagsForResource";
        self.run(OP, |w| {
            let z = w
                .zones
                .get_mut(zone_id)
                .ok_or_else(|| not_found(OP, "NoSuchHostedZone", zone_id))?;
            z.tags.extend(add.clone());
            for key in remove {
                z.tags.remove(key);
            }
            Ok(())
        })
        .await
    }

    async fn alias(&self, zone_id: &str, name: &str) -> Result<Option<AliasTargetOf>, AwsError> {
        const OP: &str = "ListResourceRecordSets";
        self.run(OP, |w| {
            w.zones
                .get(zone_id)
                .map(|z| z.aliases.get(&bare(name)).cloned())
                .ok_or_else(|| not_found(OP, "NoSuchHostedZone", zone_id))
        })
        .await
    }

    async fn change_alias(
        &self,
        zone_id: &str,
        name: &str,
        target: &AliasTargetOf,
        delete: bool,
    ) -> Result<(), AwsError> {
        const OP: &str = "ChangeResourceRecordSets";
        self.run(OP, |w| {
            let z = w
                .zones
                .get_mut(zone_id)
                .ok_or_else(|| not_found(OP, "NoSuchHostedZone", zone_id))?;
            if delete {
                if z.aliases.get(&bare(name)) != Some(target) {
                    return Err(refused(
                        OP,
                        "InvalidChangeBatch",
                        format!("no such record {name} to delete"),
                    ));
                }
                z.aliases.remove(&bare(name));
            } else {
                z.aliases.insert(bare(name), target.clone());
            }
            Ok(())
        })
        .await
    }

    async fn delete_zone(&self, zone_id: &str) -> Result<(), AwsError> {
        const OP: &str = "DeleteHostedZone";
        self.run(OP, |w| {
            match w.zones.get(zone_id) {
                None => {}
                Some(z) if !z.aliases.is_empty() => {
                    return Err(refused(
                        OP,
                        "HostedZoneNotEmpty",
                        format!("zone {zone_id} still has records"),
                    ))
                }
                Some(_) => {
                    w.zones.remove(zone_id);
                }
            }
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::Ec2;
    use crate::aws::error::ErrorKind;

    #[tokio::test]
    async fn a_group_another_group_names_is_refused_at_once_naming_that_group() {
        let fake = Fake::with_network();
        let ctx = fake.context();
        let ec2 = Ec2::new(&ctx);
        let tags = Tags::new();
        let target = ec2
            .create_security_group(VPC, "target", "d", &tags)
            .await
            .expect("group");
        let target = ec2
            .security_group_just_made(target.id())
            .await
            .expect("visible");
        let client = ec2
            .create_security_group(VPC, "client", "d", &tags)
            .await
            .expect("group");
        let client = ec2
            .security_group_just_made(client.id())
            .await
            .expect("visible");
        let rule = Rule::tcp(5432, Peer::Group(target.id.clone()));
        ec2.sync_rules(&client, &BTreeSet::new(), &BTreeSet::from([rule]))
            .await
            .expect("rule");

        let error = ec2
            .delete_security_group(&target.id)
            .await
            .expect_err("referenced");

        assert!(error.message.contains(&client.id), "{}", error.message);
        assert_eq!(error.code, "DependencyViolation");
        assert_eq!(count(&fake, "DeleteSecurityGroup"), 0);
        assert!(fake.world().security_groups.contains_key(&target.id));
    }

    #[tokio::test]
    async fn injected_errors_are_classified_and_counted_down() {
        let fake = Fake::with_network();
        let ctx = fake.context();
        let ec2 = Ec2::new(&ctx);
        fake.fail("DescribeVpcs", "InvalidParameterValue", 1);
        let error = ec2.vpc_cidrs(VPC).await.expect_err("injected");
        assert_eq!(error.kind, ErrorKind::Other);
        // Used up: the next attempt answers.
        assert_eq!(ec2.vpc_cidrs(VPC).await.expect("cidrs"), ["10.0.0.0/16"]);
        // A duplicate name answers the group that has it, as the SDK implementation does.
        let first = ec2
            .create_security_group(VPC, "g", "d", &Tags::new())
            .await
            .expect("group");
        let again = ec2
            .create_security_group(VPC, "g", "d", &Tags::new())
            .await
            .expect("group");
        assert_eq!(first.id(), again.id());
        assert_eq!(
            fake.writes(),
            ["CreateSecurityGroup", "CreateSecurityGroup"]
        );
    }

    fn count(fake: &Fake, action: &str) -> usize {
        fake.calls().iter().filter(|c| c.action == action).count()
    }
}
