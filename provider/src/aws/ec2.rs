//! The EC2 calls the resources make: VPC facts, security groups and their rules, endpoint
//! services and their connections, interface endpoints. Answers come back as the small types
//! below, so resource code never handles SDK shapes; every call goes through the retry mechanism.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, ResourceType, SecurityGroup as SdkSecurityGroup, Tag,
    TagSpecification, UnsuccessfulItem, UserIdGroupPair,
};

use super::error::{absent, AwsError, ErrorKind};
use super::retry::{send, EVENTUALLY_VISIBLE, TRANSIENT, UNTIL_RELEASED};
use crate::runtime::resource::Context;

pub type Tags = BTreeMap<String, String>;

/// The other side of a security group rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    Cidr(String),
    /// Members of another security group.
    Group(String),
}

/// One security group rule the way we write them: a protocol and port range to or from a peer.
/// Protocol `-1` (all traffic) has no ports; it is kept so that it can be revoked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub peer: Peer,
}

impl Rule {
    pub fn tcp(port: u16, peer: Peer) -> Rule {
        Rule {
            protocol: "tcp".into(),
            from_port: port.into(),
            to_port: port.into(),
            peer,
        }
    }

    /// The rule's CIDR, when its peer is one.
    pub fn cidr(&self) -> Option<&str> {
        match &self.peer {
            Peer::Cidr(cidr) => Some(cidr),
            Peer::Group(_) => None,
        }
    }

    pub fn group(&self) -> Option<&str> {
        match &self.peer {
            Peer::Group(id) => Some(id),
            Peer::Cidr(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub ingress: BTreeSet<Rule>,
    pub egress: BTreeSet<Rule>,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    pub zone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsVerification {
    pub name: String,
    pub record_type: String,
    pub value: String,
    pub state: String,
}

/// An endpoint service as its owner sees it.
#[derive(Debug, Clone)]
pub struct EndpointService {
    pub id: String,
    pub name: String,
    pub state: String,
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
    pub state: String,
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

/// An endpoint service as a consumer sees it.
#[derive(Debug, Clone)]
pub struct ServiceDetail {
    pub zones: Vec<String>,
    pub zone_ids: Vec<String>,
    pub private_dns_name: Option<String>,
    /// `verified`, `pendingVerification` or `failed`, when the service has a private DNS name.
    pub private_dns_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsEntry {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

/// An interface VPC endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub state: String,
    pub vpc_id: String,
    pub service_name: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: bool,
    pub dns_entries: Vec<DnsEntry>,
    pub network_interface_ids: Vec<String>,
    pub tags: Tags,
}

/// What the endpoint should be changed to; empty fields leave it alone.
#[derive(Debug, Default)]
pub struct EndpointChange {
    pub private_dns_enabled: Option<bool>,
    pub add_security_groups: Vec<String>,
    pub remove_security_groups: Vec<String>,
}

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

fn tag_list(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn tags_of(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn tag_spec(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(tag_list(tags)))
        .build()
}

fn permission(rule: &Rule) -> IpPermission {
    let builder = IpPermission::builder().ip_protocol(&rule.protocol);
    let builder = match &rule.peer {
        Peer::Cidr(cidr) => builder.ip_ranges(IpRange::builder().cidr_ip(cidr).build()),
        Peer::Group(id) => {
            builder.user_id_group_pairs(UserIdGroupPair::builder().group_id(id).build())
        }
    };
    if rule.protocol == "-1" {
        builder.build()
    } else {
        builder
            .from_port(rule.from_port)
            .to_port(rule.to_port)
            .build()
    }
}

fn rules_of(permissions: &[IpPermission]) -> BTreeSet<Rule> {
    let mut rules = BTreeSet::new();
    for p in permissions {
        let protocol = p.ip_protocol().unwrap_or("-1").to_string();
        let (from_port, to_port) = if protocol == "-1" {
            (-1, -1)
        } else {
            (p.from_port().unwrap_or(-1), p.to_port().unwrap_or(-1))
        };
        let cidrs = p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(|c| Peer::Cidr(c.to_string())));
        let groups = p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(|id| Peer::Group(id.to_string())));
        for peer in cidrs.chain(groups) {
            rules.insert(Rule {
                protocol: protocol.clone(),
                from_port,
                to_port,
                peer,
            });
        }
    }
    rules
}

fn group_of(g: &SdkSecurityGroup) -> SecurityGroup {
    SecurityGroup {
        id: g.group_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        ingress: rules_of(g.ip_permissions()),
        egress: rules_of(g.ip_permissions_egress()),
        tags: tags_of(g.tags()),
    }
}

/// The first `Unsuccessful` item of a batch call, as an error.
fn first_failure(operation: &'static str, items: &[UnsuccessfulItem]) -> Result<(), AwsError> {
    match items.first().and_then(|i| i.error()) {
        Some(e) => Err(AwsError::reported(
            operation,
            e.code().unwrap_or_default(),
            e.message().unwrap_or_default(),
        )),
        None => Ok(()),
    }
}

impl<'a> Ec2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        Ec2 {
            client: aws_sdk_ec2::Client::new(ctx.provider.aws()),
            ctx,
        }
    }

    /// The VPC's IPv4 CIDR blocks (primary and associated).
    pub async fn vpc_cidrs(&self, vpc_id: &str) -> Result<Vec<String>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcs",
            EVENTUALLY_VISIBLE,
            self.client.describe_vpcs().vpc_ids(vpc_id)
        )
        .await?;
        let mut cidrs: Vec<String> = out
            .vpcs()
            .iter()
            .flat_map(|v| v.cidr_block_association_set())
            .filter(|a| {
                a.cidr_block_state()
                    .and_then(|s| s.state())
                    .is_none_or(|s| s.as_str() == "associated")
            })
            .filter_map(|a| a.cidr_block().map(String::from))
            .collect();
        if cidrs.is_empty() {
            cidrs.extend(
                out.vpcs()
                    .iter()
                    .filter_map(|v| v.cidr_block().map(String::from)),
            );
        }
        cidrs.sort();
        cidrs.dedup();
        Ok(cidrs)
    }

    pub async fn subnets(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeSubnets",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_subnets()
                .set_subnet_ids(Some(ids.to_vec()))
        )
        .await?;
        Ok(out
            .subnets()
            .iter()
            .map(|s| Subnet {
                id: s.subnet_id().unwrap_or_default().into(),
                vpc_id: s.vpc_id().unwrap_or_default().into(),
                zone: s.availability_zone().unwrap_or_default().into(),
                zone_id: s.availability_zone_id().unwrap_or_default().into(),
            })
            .collect())
    }

    pub async fn security_group(&self, id: &str) -> Result<Option<SecurityGroup>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeSecurityGroups",
                TRANSIENT,
                self.client.describe_security_groups().group_ids(id)
            )
            .await,
        )?;
        Ok(out.and_then(|o| o.security_groups().first().map(group_of)))
    }

    pub async fn security_group_named(
        &self,
        vpc_id: &str,
        name: &str,
    ) -> Result<Option<SecurityGroup>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeSecurityGroups",
            TRANSIENT,
            self.client
                .describe_security_groups()
                .filters(filter("vpc-id", [vpc_id]))
                .filters(filter("group-name", [name]))
        )
        .await?;
        Ok(out.security_groups().first().map(group_of))
    }

    /// Creates the group, or adopts the one an interrupted earlier attempt made.
    pub async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<SecurityGroup, AwsError> {
        let created = send!(
            self.ctx,
            "CreateSecurityGroup",
            TRANSIENT,
            self.client
                .create_security_group()
                .vpc_id(vpc_id)
                .group_name(name)
                .description(description)
                .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
        )
        .await;
        match created {
            Ok(out) => {
                let id = out.group_id().unwrap_or_default().to_string();
                // Read it back (retrying until visible) to learn the rules AWS added.
                let group = send!(
                    self.ctx,
                    "DescribeSecurityGroups",
                    EVENTUALLY_VISIBLE,
                    self.client.describe_security_groups().group_ids(&id)
                )
                .await?;
                group
                    .security_groups()
                    .first()
                    .map(group_of)
                    .ok_or_else(|| {
                        AwsError::reported("DescribeSecurityGroups", "InvalidGroup.NotFound", &id)
                    })
            }
            Err(e) if e.is(ErrorKind::Duplicate) => {
                self.security_group_named(vpc_id, name).await?.ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes the group's rules exactly `ingress` and `egress`, writing only the differences.
    pub async fn sync_rules(
        &self,
        group: &SecurityGroup,
        ingress: &BTreeSet<Rule>,
        egress: &BTreeSet<Rule>,
    ) -> Result<bool, AwsError> {
        let id = group.id.as_str();
        let grant_in: Vec<_> = ingress.difference(&group.ingress).map(permission).collect();
        let revoke_in: Vec<_> = group.ingress.difference(ingress).map(permission).collect();
        let grant_out: Vec<_> = egress.difference(&group.egress).map(permission).collect();
        let revoke_out: Vec<_> = group.egress.difference(egress).map(permission).collect();
        let changed = !(grant_in.is_empty()
            && revoke_in.is_empty()
            && grant_out.is_empty()
            && revoke_out.is_empty());
        if !grant_in.is_empty() {
            ignore_duplicate(
                send!(
                    self.ctx,
                    "AuthorizeSecurityGroupIngress",
                    EVENTUALLY_VISIBLE,
                    self.client
                        .authorize_security_group_ingress()
                        .group_id(id)
                        .set_ip_permissions(Some(grant_in.clone()))
                )
                .await,
            )?;
        }
        if !grant_out.is_empty() {
            ignore_duplicate(
                send!(
                    self.ctx,
                    "AuthorizeSecurityGroupEgress",
                    EVENTUALLY_VISIBLE,
                    self.client
                        .authorize_security_group_egress()
                        .group_id(id)
                        .set_ip_permissions(Some(grant_out.clone()))
                )
                .await,
            )?;
        }
        if !revoke_in.is_empty() {
            send!(
                self.ctx,
                "RevokeSecurityGroupIngress",
                EVENTUALLY_VISIBLE,
                self.client
                    .revoke_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(revoke_in.clone()))
            )
            .await?;
        }
        if !revoke_out.is_empty() {
            send!(
                self.ctx,
                "RevokeSecurityGroupEgress",
                EVENTUALLY_VISIBLE,
                self.client
                    .revoke_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(revoke_out.clone()))
            )
            .await?;
        }
        Ok(changed)
    }

    /// Finds the group (by id when known, else by name in the VPC) or creates it, then makes
    /// its rules and tags what is asked. Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn ensure_security_group(
        &self,
        known: Option<&str>,
        vpc_id: &str,
        name: &str,
        description: &str,
        rules: (&BTreeSet<Rule>, &BTreeSet<Rule>),
        tags: &Tags,
        previous_tags: &Tags,
        owner: (&str, &str),
    ) -> Result<String, AwsError> {
        let existing = match known {
            Some(id) => self.security_group(id).await?,
            None => self.security_group_named(vpc_id, name).await?,
        };
        let group = match existing {
            Some(group) => group,
            None => {
                self.create_security_group(vpc_id, name, description, tags)
                    .await?
            }
        };
        // Found by name: adopt it only if it is ours (an interrupted create made it), never a
        // group someone else made with the same name.
        let (owner_key, owner_value) = owner;
        if known.is_none() && group.tags.get(owner_key).map(String::as_str) != Some(owner_value) {
            return Err(AwsError::reported(
                "CreateSecurityGroup",
                "InvalidGroup.Duplicate",
                &format!(
                    "name: security group {} in {vpc_id} is already named `{name}` and was not made \
                     by this resource; choose another name",
                    group.id
                ),
            ));
        }
        let (ingress, egress) = rules;
        self.sync_rules(&group, ingress, egress).await?;
        self.sync_tags(&group.id, &group.tags, tags, previous_tags)
            .await?;
        Ok(group.id)
    }

    /// Deletes the group, waiting while AWS still holds it (ENIs released late). Gone is fine.
    pub async fn delete_security_group(&self, id: &str) -> Result<(), AwsError> {
        absent(
            send!(
                self.ctx,
                "DeleteSecurityGroup",
                UNTIL_RELEASED,
                self.client.delete_security_group().group_id(id)
            )
            .await,
        )?;
        Ok(())
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
                    .set_tags(Some(tag_list(&set)))
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

    // ---- endpoint services (the producer's side) ----

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
        Ok(out.and_then(|o| {
            o.service_configurations()
                .iter()
                .map(service_of)
                .find(|s| !matches!(s.state.as_str(), "Deleted" | "Deleting"))
        }))
    }

    /// The live service tagged with `key` = `value` (how an interrupted create's service is found).
    pub async fn endpoint_service_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<EndpointService>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcEndpointServiceConfigurations",
            TRANSIENT,
            self.client
                .describe_vpc_endpoint_service_configurations()
                .filters(filter(&format!("tag:{key}"), [value]))
        )
        .await?;
        Ok(out
            .service_configurations()
            .iter()
            .map(service_of)
            .find(|s| !matches!(s.state.as_str(), "Deleted" | "Deleting")))
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
        out.service_configuration().map(service_of).ok_or_else(|| {
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

    pub async fn allowed_principals(&self, service_id: &str) -> Result<BTreeSet<String>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcEndpointServicePermissions",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_vpc_endpoint_service_permissions()
                .service_id(service_id)
        )
        .await?;
        Ok(out
            .allowed_principals()
            .iter()
            .filter_map(|p| p.principal().map(String::from))
            .collect())
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
        let out = send!(
            self.ctx,
            "DescribeVpcEndpointConnections",
            TRANSIENT,
            self.client
                .describe_vpc_endpoint_connections()
                .filters(filter("service-id", [service_id]))
        )
        .await?;
        let mut connections: Vec<Connection> = out
            .vpc_endpoint_connections()
            .iter()
            .map(|c| Connection {
                endpoint_id: c.vpc_endpoint_id().unwrap_or_default().into(),
                owner: c.vpc_endpoint_owner().unwrap_or_default().into(),
                state: c
                    .vpc_endpoint_state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect();
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

    // ---- interface endpoints (the consumer's side) ----

    /// The service as this account sees it; `None` when it does not exist or this account is
    /// not allowed to use it (AWS does not say which).
    pub async fn service_detail(
        &self,
        service_name: &str,
        service_region: Option<&str>,
    ) -> Result<Option<ServiceDetail>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcEndpointServices",
            TRANSIENT,
            self.client
                .describe_vpc_endpoint_services()
                .service_names(service_name)
                .set_service_regions(service_region.map(|r| vec![r.to_string()]))
        )
        .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if e.code == "InvalidServiceName" => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(out
            .service_details()
            .iter()
            .find(|d| d.service_name() == Some(service_name))
            .map(|d| ServiceDetail {
                zones: d.availability_zones().to_vec(),
                zone_ids: d.availability_zone_ids().to_vec(),
                private_dns_name: d.private_dns_name().map(String::from),
                private_dns_state: d
                    .private_dns_name_verification_state()
                    .map(|s| s.as_str().to_string()),
            }))
    }

    /// The VPC's `enableDnsSupport` and `enableDnsHostnames` attributes.
    pub async fn vpc_dns_attributes(&self, vpc_id: &str) -> Result<(bool, bool), AwsError> {
        use aws_sdk_ec2::types::VpcAttributeName;
        let support = send!(
            self.ctx,
            "DescribeVpcAttribute",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(VpcAttributeName::EnableDnsSupport)
        )
        .await?;
        let hostnames = send!(
            self.ctx,
            "DescribeVpcAttribute",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(VpcAttributeName::EnableDnsHostnames)
        )
        .await?;
        let on = |v: Option<&aws_sdk_ec2::types::AttributeBooleanValue>| {
            v.and_then(|v| v.value()).unwrap_or(false)
        };
        Ok((
            on(support.enable_dns_support()),
            on(hostnames.enable_dns_hostnames()),
        ))
    }

    pub async fn endpoint(&self, id: &str) -> Result<Option<Endpoint>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeVpcEndpoints",
                TRANSIENT,
                self.client.describe_vpc_endpoints().vpc_endpoint_ids(id)
            )
            .await,
        )?;
        Ok(out.and_then(|o| live_endpoint(o.vpc_endpoints())))
    }

    /// The live endpoint tagged with `key` = `value` (how an interrupted create's endpoint is
    /// found).
    pub async fn endpoint_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<Endpoint>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcEndpoints",
            TRANSIENT,
            self.client
                .describe_vpc_endpoints()
                .filters(filter(&format!("tag:{key}"), [value]))
        )
        .await?;
        Ok(live_endpoint(out.vpc_endpoints()))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_endpoint(
        &self,
        vpc_id: &str,
        service_name: &str,
        service_region: Option<&str>,
        subnet_ids: &[String],
        security_group_id: &str,
        tags: &Tags,
        client_token: &str,
    ) -> Result<Endpoint, AwsError> {
        let out = send!(
            self.ctx,
            "CreateVpcEndpoint",
            EVENTUALLY_VISIBLE,
            self.client
                .create_vpc_endpoint()
                .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
                .vpc_id(vpc_id)
                .service_name(service_name)
                .set_service_region(service_region.map(String::from))
                .set_subnet_ids(Some(subnet_ids.to_vec()))
                .security_group_ids(security_group_id)
                .private_dns_enabled(false)
                .tag_specifications(tag_spec(ResourceType::VpcEndpoint, tags))
                .client_token(client_token)
        )
        .await?;
        out.vpc_endpoint().map(endpoint_of).ok_or_else(|| {
            AwsError::reported(
                "CreateVpcEndpoint",
                "EmptyResponse",
                "no endpoint in the answer",
            )
        })
    }

    pub async fn modify_endpoint(&self, id: &str, change: &EndpointChange) -> Result<(), AwsError> {
        if change.private_dns_enabled.is_none()
            && change.add_security_groups.is_empty()
            && change.remove_security_groups.is_empty()
        {
            return Ok(());
        }
        send!(
            self.ctx,
            "ModifyVpcEndpoint",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_vpc_endpoint()
                .vpc_endpoint_id(id)
                .set_private_dns_enabled(change.private_dns_enabled)
                .set_add_security_group_ids(non_empty(&change.add_security_groups))
                .set_remove_security_group_ids(non_empty(&change.remove_security_groups))
        )
        .await?;
        Ok(())
    }

    /// Starts deleting the endpoint. Gone already is fine.
    pub async fn delete_endpoint(&self, id: &str) -> Result<(), AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DeleteVpcEndpoints",
                TRANSIENT,
                self.client.delete_vpc_endpoints().vpc_endpoint_ids(id)
            )
            .await,
        )?;
        let items = out.as_ref().map(|o| o.unsuccessful()).unwrap_or_default();
        absent(first_failure("DeleteVpcEndpoints", items))?;
        Ok(())
    }
}

/// Endpoints in `deleted` state linger in answers; they are gone for us.
fn live_endpoint(endpoints: &[aws_sdk_ec2::types::VpcEndpoint]) -> Option<Endpoint> {
    endpoints
        .iter()
        .map(endpoint_of)
        .find(|e| !e.state.eq_ignore_ascii_case("deleted"))
}

fn endpoint_of(e: &aws_sdk_ec2::types::VpcEndpoint) -> Endpoint {
    Endpoint {
        id: e.vpc_endpoint_id().unwrap_or_default().into(),
        state: e
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        vpc_id: e.vpc_id().unwrap_or_default().into(),
        service_name: e.service_name().unwrap_or_default().into(),
        subnet_ids: e.subnet_ids().to_vec(),
        security_group_ids: e
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(String::from))
            .collect(),
        private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
        dns_entries: e
            .dns_entries()
            .iter()
            .map(|d| DnsEntry {
                dns_name: d.dns_name().unwrap_or_default().into(),
                hosted_zone_id: d.hosted_zone_id().unwrap_or_default().into(),
            })
            .collect(),
        network_interface_ids: e.network_interface_ids().to_vec(),
        tags: tags_of(e.tags()),
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

/// The tags to set and the keys to remove so that `current` becomes `desired`. Keys removed are
/// only those we set before (`previous`), so tags added by other tools stay.
pub fn tag_changes(current: &Tags, desired: &Tags, previous: &Tags) -> (Tags, Vec<String>) {
    let set = desired
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = previous
        .keys()
        .filter(|k| !desired.contains_key(*k) && current.contains_key(*k))
        .cloned()
        .collect();
    (set, remove)
}

fn service_of(c: &aws_sdk_ec2::types::ServiceConfiguration) -> EndpointService {
    let own_region = c
        .service_name()
        .and_then(|n| n.split('.').nth(3))
        .unwrap_or_default()
        .to_string();
    EndpointService {
        id: c.service_id().unwrap_or_default().into(),
        name: c.service_name().unwrap_or_default().into(),
        state: c
            .service_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        load_balancer_arns: c.network_load_balancer_arns().to_vec(),
        acceptance_required: c.acceptance_required().unwrap_or(false),
        private_dns_name: c.private_dns_name().map(String::from),
        dns_verification: c.private_dns_name_configuration().map(|d| DnsVerification {
            name: d.name().unwrap_or_default().into(),
            record_type: d.r#type().unwrap_or_default().into(),
            value: d.value().unwrap_or_default().into(),
            state: d
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }),
        supported_regions: c
            .supported_regions()
            .iter()
            .filter_map(|r| r.region().map(String::from))
            .filter(|r| *r != own_region)
            .collect(),
        tags: tags_of(c.tags()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tag_changes_touch_only_what_differs_and_keep_foreign_tags() {
        let current = tags(&[("team", "data"), ("env", "dev"), ("owner", "someone")]);
        let previous = tags(&[("team", "data"), ("env", "dev")]);
        let desired = tags(&[("env", "prod"), ("cost", "42")]);
        let (set, remove) = tag_changes(&current, &desired, &previous);
        assert_eq!(set, tags(&[("env", "prod"), ("cost", "42")]));
        assert_eq!(remove, vec!["team".to_string()]);
    }

    #[test]
    fn all_traffic_rules_have_no_ports() {
        let rule = Rule {
            protocol: "-1".into(),
            from_port: -1,
            to_port: -1,
            peer: Peer::Cidr("0.0.0.0/0".into()),
        };
        let p = permission(&rule);
        assert_eq!(p.from_port(), None);
        assert_eq!(rules_of(&[p]), BTreeSet::from([rule]));
    }
}
