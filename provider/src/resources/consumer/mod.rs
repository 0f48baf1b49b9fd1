//! `privatelink:index:PrivateLinkConsumer`: an interface VPC endpoint to a producer's endpoint
//! service, with a security group that admits only the given sources on the service port.
//! The resource id is the endpoint id.

mod aliases;
mod inputs;

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;

pub use inputs::{ConsumerInputs, ConsumerState};

use crate::aws::ec2::{
    DnsEntry, Ec2, Endpoint, EndpointChange, EndpointState, Peer, Rule, SecurityGroup,
    ServiceDetail, Tags,
};
use crate::config::{Configured, Context};
use crate::resources::naming::{self, NAME_TAG};
use crate::resources::{
    endpoint_private_dns, in_program_order, network, optional_in_program_order,
};
use aliases::AliasZone;
use inputs::{DnsEntryOutput, Jdbc};
use pulumi_rs_provider::runtime::resource::{Checked, Resource, ResourceError};
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

/// The consumer side of AWS PrivateLink: an interface VPC endpoint to a producer's endpoint
/// service, with a security group that admits only the given sources on the service port.
#[derive(schemars::JsonSchema)]
pub struct PrivateLinkConsumer;

/// How long turning on private DNS waits for an accepted endpoint to become available, when
/// waitForAcceptance does not say.
const PRIVATE_DNS_WAIT: Duration = Duration::from_secs(20 * 60);

/// The service's Region when it is not this provider's (a cross-Region endpoint), from
/// serviceRegion. A service name in another Region without serviceRegion is refused: AWS looks
/// for the service in the caller's Region unless ServiceRegion names another
/// (CreateVpcEndpoint, DescribeVpcEndpointServices), and would answer only InvalidServiceName.
fn remote_region<'i>(
    own: Option<&str>,
    inputs: &'i ConsumerInputs,
) -> Result<Option<&'i str>, ResourceError> {
    let Some(own) = own else {
        return Ok(None);
    };
    match inputs.service_region.as_deref() {
        Some(region) => Ok((region != own).then_some(region)),
        None => match crate::validate::service_name_region(&inputs.service_name) {
            Some(named) if named != own => Err(ResourceError::Invalid(format!(
                "serviceRegion: endpoint service `{}` is in `{named}` and this provider works in \
                 `{own}`: set serviceRegion to `{named}` (the producer must list `{own}` in its \
                 supportedRegions)",
                inputs.service_name
            ))),
            _ => Ok(None),
        },
    }
}

/// Checks, before anything is written, that this account can use the service and that every
/// subnet is in the VPC, in its own zone, and in a zone the service has a load balancer in.
/// Zones are compared by id: zone names map to different zones in different accounts.
async fn preflight(ec2: &Ec2<'_>, inputs: &ConsumerInputs) -> Result<ServiceDetail, ResourceError> {
    let remote = remote_region(ec2.region(), inputs)?;
    let service = ec2
        .service_detail(&inputs.service_name, inputs.service_region.as_deref())
        .await?
        .ok_or_else(|| {
            ResourceError::Invalid(match (remote, ec2.region()) {
                (Some(region), Some(own)) => format!(
                    "serviceName: endpoint service `{}` in {region} does not exist, does not \
                     support this Region ({own}) yet, or this account is not one of its allowed \
                     principals: ask the producer to add `{own}` to supportedRegions and this \
                     account's ARN (arn:aws:iam::<account>:root) to allowedPrincipals",
                    inputs.service_name
                ),
                _ => format!(
                    "serviceName: endpoint service `{}` does not exist, or this account is not \
                     one of its allowed principals: ask the producer to add this account's ARN \
                     (arn:aws:iam::<account>:root) to allowedPrincipals",
                    inputs.service_name
                ),
            })
        })?;
    let subnets =
        network::subnets_in_vpc(ec2, &inputs.vpc_id, &inputs.subnet_ids, "an endpoint").await?;
    // A service in another Region lists that Region's zones; AWS places a cross-Region
    // endpoint's interfaces in the consumer's zones, so there is nothing to compare.
    let cross_region = remote.is_some();
    let mut unsupported = Vec::new();
    for subnet in subnets.iter().filter(|_| !cross_region) {
        let id = &subnet.id;
        let supported = if service.zone_ids.is_empty() {
            service.zones.contains(&subnet.zone)
        } else {
            service.zone_ids.contains(&subnet.zone_id)
        };
        if !supported {
            unsupported.push(format!("{id} ({}, {})", subnet.zone_id, subnet.zone));
        }
    }
    if !unsupported.is_empty() {
        return Err(ResourceError::Invalid(format!(
            "subnetIds: {} {} in an Availability Zone the service does not support; it supports \
             zone ids {} (named {} in this account). Use subnets in those zones, or ask the \
             producer to add subnets in yours",
            unsupported.join(", "),
            if unsupported.len() == 1 { "is" } else { "are" },
            service.zone_ids.join(", "),
            service.zones.join(", ")
        )));
    }
    if inputs.private_dns() {
        endpoint_private_dns::check_possible(
            ec2,
            &inputs.service_name,
            Some(&service),
            &inputs.vpc_id,
            "privateDnsEnabled",
        )
        .await?;
    }
    Ok(service)
}

/// Only the service port, only from the given groups and blocks; nothing outbound (an
/// interface endpoint answers on the connections it is given and starts none).
fn desired_rules(inputs: &ConsumerInputs) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    let groups = inputs.groups().into_iter().map(Peer::Group);
    let cidrs = inputs.cidrs().into_iter().map(Peer::Cidr);
    let ingress = groups
        .chain(cidrs)
        .map(|peer| Rule::tcp(inputs.port(), peer))
        .collect();
    (ingress, BTreeSet::new())
}

fn desired_tags(ctx: &Context, inputs: &ConsumerInputs) -> Tags {
    naming::desired_tags(ctx, inputs.name(), inputs.tags.as_ref())
}

async fn wait_for_state(
    ctx: &Context,
    ec2: &Ec2<'_>,
    id: &str,
    ceiling: Duration,
) -> Result<Endpoint, ResourceError> {
    wait_for(
        ctx,
        "the producer to accept the endpoint connection",
        Backoff::until(ceiling),
        || async {
            match ec2.endpoint(id).await? {
                Some(e) if e.state == EndpointState::Available => Ok(Poll::Ready(e)),
                Some(e) if matches!(e.state, EndpointState::Rejected | EndpointState::Failed) => {
                    Err(ResourceError::Cloud {
                        operation: "CreateVpcEndpoint".into(),
                        message: format!("the endpoint service's owner {} endpoint {id}", e.state),
                    })
                }
                Some(e) => Ok(Poll::Pending(e.state.to_string())),
                None => Ok(Poll::Pending("not visible yet".into())),
            }
        },
    )
    .await
}

/// An endpoint found by name (an interrupted create's, or the one of the resource this create
/// replaces) is taken over only when it is what the inputs ask for: an endpoint cannot move to
/// another service or VPC.
fn takeover_fits(endpoint: &Endpoint, inputs: &ConsumerInputs) -> Result<(), ResourceError> {
    if endpoint.service_name == inputs.service_name && endpoint.vpc_id == inputs.vpc_id {
        return Ok(());
    }
    Err(ResourceError::Invalid(format!(
        "serviceName, vpcId: endpoint {} (made by an earlier create of this resource, `{}`) \
         connects VPC {} to {}, not the ones given; a replacement the engine makes without asking \
         the provider keeps the name, so give this resource the deleteBeforeReplace: true option",
        endpoint.id,
        inputs.name(),
        endpoint.vpc_id,
        endpoint.service_name
    )))
}

/// What converge leaves, as AWS answered the writes: the caller reads only what is missing.
struct Converged {
    /// `None` when the endpoint changed after AWS last described it.
    endpoint: Option<Endpoint>,
    group: SecurityGroup,
}

/// Brings AWS to `inputs`, recording each piece in `state` as soon as it exists.
///
/// Nothing here waits on AWS unless asked to (waitForAcceptance): the acceptance that follows
/// waits on the endpoint. So the checks and the lookups of what exists are made at once, and the
/// group's rules are set while the endpoint is created (it needs only the group's id).
async fn converge(
    ctx: &Context,
    inputs: &ConsumerInputs,
    previous_tags: &Tags,
    state: &mut ConsumerState,
) -> Result<Converged, ResourceError> {
    let ec2 = Ec2::new(ctx);
    // Known from the inputs alone, so refused before the lookups below start.
    remote_region(ec2.region(), inputs)?;
    let tags = naming::with_instance(desired_tags(ctx, inputs), state.instance_id.as_deref());
    ctx.progress
        .status("checking the endpoint service and subnets");
    let wanted_aliases = inputs.aliases();
    let (checked, aliases_checked, group_found, existing) = futures::join!(
        preflight(&ec2, inputs),
        aliases::preflight(
            ctx,
            &inputs.vpc_id,
            inputs.name(),
            &wanted_aliases,
            &state.hostname_alias_zones,
        ),
        network::find_security_group(
            &ec2,
            state.security_group_id.as_deref(),
            &inputs.vpc_id,
            inputs.name()
        ),
        async {
            match &state.endpoint_id {
                Some(id) => ec2.endpoint(id).await,
                None => ec2.endpoint_tagged(NAME_TAG, inputs.name()).await,
            }
        },
    );
    checked?;
    aliases_checked?;
    let (group_found, existing) = (group_found?, existing?);
    if state.endpoint_id.is_none() {
        if let Some(endpoint) = &existing {
            takeover_fits(endpoint, inputs)?;
        }
    }

    ctx.progress.status("creating security group");
    let (ingress, egress) = desired_rules(inputs);
    let description = format!(
        "PrivateLink endpoint {} on port {}",
        inputs.name(),
        inputs.port()
    );
    let (group, group_found) = network::make_security_group(
        &ec2,
        group_found,
        state.security_group_id.as_deref(),
        (&inputs.vpc_id, inputs.name(), &description),
        &tags,
    )
    .await?;
    state.security_group_id = Some(group.clone());

    ctx.progress
        .status("creating VPC endpoint and the security group's rules");
    let (settled, endpoint) = futures::join!(
        network::settle_security_group(
            &ec2,
            &group,
            group_found,
            (&ingress, &egress),
            &tags,
            previous_tags,
        ),
        async {
            match existing {
                Some(endpoint) => Ok::<_, ResourceError>((endpoint, false)),
                None => Ok((
                    ec2.create_endpoint(
                        &inputs.vpc_id,
                        &inputs.service_name,
                        inputs.service_region.as_deref(),
                        &inputs.subnet_ids,
                        &group,
                        &tags,
                        &naming::client_token(ctx, inputs.name()),
                    )
                    .await?,
                    true,
                )),
            }
        },
    );
    let (endpoint, created) = endpoint?;
    state.endpoint_id = Some(endpoint.id.clone());
    let settled = settled?;
    if !created {
        ec2.sync_tags(&endpoint.id, &endpoint.tags, &tags, previous_tags)
            .await?;
    }
    let mut change = EndpointChange::default();
    if !endpoint.security_group_ids.contains(&group) {
        change.add_security_groups.push(group.clone());
    }
    // Subnets change in place (ModifyVpcEndpoint AddSubnetIds/RemoveSubnetIds): one interface
    // more or less, the endpoint and its DNS name stay.
    change.add_subnets = inputs
        .subnet_ids
        .iter()
        .filter(|s| !endpoint.subnet_ids.contains(s))
        .cloned()
        .collect();
    change.remove_subnets = endpoint
        .subnet_ids
        .iter()
        .filter(|s| !inputs.subnet_ids.contains(s))
        .cloned()
        .collect();
    let mut fresh = created && change.is_empty();
    ec2.modify_endpoint(&endpoint.id, &change).await?;
    aliases::converge(
        ctx,
        &endpoint,
        inputs.name(),
        &inputs.aliases(),
        (&tags, previous_tags),
        &mut state.hostname_alias_zones,
    )
    .await?;

    let mut endpoint = endpoint;
    if let Some(wait) = inputs.acceptance_wait() {
        endpoint = wait_for_state(ctx, &ec2, &endpoint.id, wait).await?;
        fresh = true;
    }
    // Unset, private DNS is not this resource's (an EndpointPrivateDns may own it).
    let Some(private_dns) = inputs.private_dns_enabled else {
        return Ok(Converged {
            endpoint: fresh.then_some(endpoint),
            group: settled,
        });
    };
    if endpoint.private_dns_enabled != private_dns {
        if private_dns && endpoint.state != EndpointState::Available {
            if endpoint.state == EndpointState::PendingAcceptance {
                // AWS turns private DNS on only once the producer has accepted, and in the
                // examples' layout the acceptance is made after this resource, in the same
                // run: waiting here would wait for something that cannot happen yet.
                ctx.progress.warn(format!(
                    "privateDnsEnabled: endpoint {} awaits the producer's acceptance, and AWS \
                     turns private DNS on only after it; it stays off for now (the output \
                     privateDnsEnabled says false) and the next `pulumi up` after the \
                     acceptance turns it on (set waitForAcceptance to wait here instead)",
                    endpoint.id
                ));
                return Ok(Converged {
                    endpoint: fresh.then_some(endpoint),
                    group: settled,
                });
            }
            endpoint = wait_for_state(ctx, &ec2, &endpoint.id, PRIVATE_DNS_WAIT).await?;
        }
        let change = EndpointChange {
            private_dns_enabled: Some(private_dns),
            ..EndpointChange::default()
        };
        ec2.modify_endpoint(&endpoint.id, &change).await?;
        fresh = false;
    }
    Ok(Converged {
        endpoint: fresh.then_some(endpoint),
        group: settled,
    })
}

/// The JDBC URL through the endpoint. Through an alias (the service's own hostname) the
/// certificate matches, so the URL asks the driver to verify it; through the endpoint's AWS name
/// it cannot match, so the driver's default applies.
fn jdbc_url(jdbc: &Jdbc, alias: Option<&str>, dns_name: Option<&str>, port: i64) -> Option<String> {
    let (engine, database) = (&jdbc.engine, &jdbc.database);
    match (alias, dns_name) {
        (Some(alias), _) => {
            let verify = match engine.as_str() {
                "mysql" => "sslMode=VERIFY_IDENTITY",
                _ => "sslmode=verify-full",
            };
            Some(format!(
                "jdbc:{engine}://{alias}:{port}/{database}?{verify}"
            ))
        }
        (None, Some(host)) => Some(format!("jdbc:{engine}://{host}:{port}/{database}")),
        (None, None) => None,
    }
}

/// The endpoint's id, and its live inputs and state. `(known_group, settled)`: the group's id
/// from state, and the group as converge just left it (then it is not read again).
async fn observe(
    ctx: &Context,
    inputs: &ConsumerInputs,
    endpoint: Endpoint,
    (known_group, settled): (Option<&str>, Option<SecurityGroup>),
    known_aliases: &[AliasZone],
) -> Result<(String, (ConsumerInputs, ConsumerState)), ResourceError> {
    let ec2 = Ec2::new(ctx);
    let group_id = known_group
        .map(String::from)
        .or_else(|| endpoint.security_group_ids.first().cloned());
    let (observed_aliases, group) =
        futures::join!(aliases::observe(ctx, &endpoint, known_aliases), async {
            match (&group_id, settled) {
                (Some(id), Some(group)) if &group.id == id => Ok(Some(group)),
                (Some(id), _) => ec2.security_group(id).await,
                (None, _) => Ok(None),
            }
        },);
    let (observed_aliases, group) = (observed_aliases?, group?);
    let live_alias = |a: &String| observed_aliases.resolving.contains(&aliases::normalized(a));
    let mut live = inputs.clone();
    live.service_name = endpoint.service_name.clone();
    // AWS names the service's Region for every endpoint; only another Region than this
    // provider's is a serviceRegion (the inputs' own, given or not, stands otherwise).
    if let Some(region) = endpoint
        .service_region
        .as_deref()
        .filter(|region| Some(*region) != ec2.region())
    {
        live.service_region = Some(region.to_string());
    }
    live.vpc_id = endpoint.vpc_id.clone();
    live.subnet_ids = in_program_order(&inputs.subnet_ids, endpoint.subnet_ids.clone());
    let managed_private_dns = inputs
        .private_dns_enabled
        .map(|_| endpoint.private_dns_enabled);
    live.private_dns_enabled = managed_private_dns;
    let mut group_found = None;
    {
        if let Some(group) = group {
            let port = i32::from(inputs.port());
            let on_port: Vec<&Rule> = group
                .ingress
                .iter()
                .filter(|r| r.protocol == "tcp" && (inputs.port == 0 || r.from_port == port))
                .collect();
            if inputs.port == 0 {
                if let Some(rule) = on_port.first() {
                    live.port = rule.from_port.into();
                }
            }
            let groups: Vec<String> = on_port
                .iter()
                .filter_map(|r| r.group().map(String::from))
                .collect();
            let cidrs: Vec<String> = on_port
                .iter()
                .filter_map(|r| r.cidr().map(String::from))
                .collect();
            live.allowed_security_group_ids =
                optional_in_program_order(inputs.allowed_security_group_ids.as_ref(), groups);
            live.allowed_cidrs = optional_in_program_order(inputs.allowed_cidrs.as_ref(), cidrs);
            group_found = Some(group.id);
        }
    }
    live.hostname_aliases = inputs
        .hostname_aliases
        .as_ref()
        .map(|wanted| wanted.iter().filter(|a| live_alias(a)).cloned().collect());
    let dns_name = endpoint
        .own_dns_entries()
        .next()
        .map(|d| d.dns_name.clone());
    // The service's private DNS name is listed only where this resource manages private DNS:
    // an EndpointPrivateDns turning it on is not a change of this resource.
    let dns_entries: Vec<&DnsEntry> = if managed_private_dns.is_some() {
        endpoint.dns_entries.iter().collect()
    } else {
        endpoint.own_dns_entries().collect()
    };
    let first_alias = live.aliases().first().cloned();
    let state = ConsumerState {
        instance_id: None,
        private_dns_enabled: managed_private_dns,
        endpoint_id: Some(endpoint.id.clone()),
        security_group_id: group_found,
        state: Some(endpoint.state.to_string()),
        jdbc_url: inputs.jdbc.as_ref().and_then(|jdbc| {
            jdbc_url(jdbc, first_alias.as_deref(), dns_name.as_deref(), live.port)
        }),
        dns_name,
        hostname_alias_zones: observed_aliases.zones,
        dns_entries: dns_entries
            .into_iter()
            .map(|d| DnsEntryOutput {
                dns_name: d.dns_name.clone(),
                hosted_zone_id: d.hosted_zone_id.clone(),
            })
            .collect(),
        network_interface_ids: endpoint.network_interface_ids.clone(),
    };
    Ok((endpoint.id, (live, state)))
}

impl PrivateLinkConsumer {
    /// This state's instance id and the instance that took its pieces over, if one did, as
    /// the endpoint or the security group (which a successor's converge re-tags first) names
    /// it. A state without an instance id (made by an earlier version) has no successor.
    async fn successor<'s>(
        ec2: &Ec2<'_>,
        state: &'s ConsumerState,
        endpoint: Option<&Endpoint>,
    ) -> Result<Option<(&'s str, String)>, ResourceError> {
        let Some(own) = state.instance_id.as_deref() else {
            return Ok(None);
        };
        if let Some(found) = endpoint.and_then(|e| naming::other_instance(&e.tags, Some(own))) {
            return Ok(Some((own, found.to_string())));
        }
        if let Some(group) = &state.security_group_id {
            if let Some(group) = ec2.security_group(group).await? {
                return Ok(naming::other_instance(&group.tags, Some(own))
                    .map(|found| (own, found.to_string())));
            }
        }
        Ok(None)
    }

    async fn apply(
        ctx: &Context,
        inputs: &ConsumerInputs,
        old: Option<(&ConsumerInputs, &ConsumerState)>,
    ) -> Result<(String, ConsumerState), ResourceError> {
        let mut state = old.map(|(_, s)| s.clone()).unwrap_or_default();
        state
            .instance_id
            .get_or_insert_with(naming::new_instance_id);
        let previous = old.map(|(i, _)| desired_tags(ctx, i)).unwrap_or_default();
        let outcome = async {
            let converged = converge(ctx, inputs, &previous, &mut state).await?;
            // converge records the endpoint's id before it returns Ok.
            let id = state.endpoint_id.clone().ok_or_else(|| {
                ResourceError::Invalid("the endpoint's id was not recorded by its create".into())
            })?;
            let ec2 = Ec2::new(ctx);
            let made_now = old.and_then(|(_, s)| s.endpoint_id.as_deref()) != Some(id.as_str());
            // What AWS answered to the last write is the endpoint now: no read back.
            let endpoint = match converged.endpoint {
                Some(endpoint) => Some(endpoint),
                None if made_now => ec2.endpoint_just_made(&id).await?,
                None => ec2.endpoint(&id).await?,
            };
            let endpoint = endpoint.ok_or_else(|| ResourceError::Cloud {
                operation: "DescribeVpcEndpoints".into(),
                message: format!("endpoint {id} disappeared right after it was made"),
            })?;
            observe(
                ctx,
                inputs,
                endpoint,
                (state.security_group_id.as_deref(), Some(converged.group)),
                &state.hostname_alias_zones,
            )
            .await
        }
        .await;
        match outcome {
            Ok((id, (_, observed))) => Ok((
                id,
                ConsumerState {
                    instance_id: state.instance_id,
                    ..observed
                },
            )),
            // Until the endpoint exists, the group's id stands in as the resource id; with
            // neither, nothing was made.
            Err(e) => match state
                .endpoint_id
                .clone()
                .or_else(|| state.security_group_id.clone())
            {
                Some(id) => Err(ResourceError::partial(id, inputs, &state, e)),
                None => Err(e),
            },
        }
    }
}

#[async_trait]
impl Resource for PrivateLinkConsumer {
    const TOKEN: &'static str = "privatelink:index:PrivateLinkConsumer";
    type Provider = Configured;
    type Inputs = ConsumerInputs;
    type State = ConsumerState;
    const REPLACE_ON_CHANGE: &'static [&'static str] =
        &["serviceName", "vpcId", "serviceRegion", "name"];
    // The URL names the database and the first alias; each alias zone names its alias.
    const DERIVED: &'static [(&'static str, &'static [&'static str])] = &[
        ("jdbc", &["jdbcUrl"]),
        ("hostnameAliases", &["hostnameAliasZones", "jdbcUrl"]),
    ];
    // The successor's security group would claim the same name.
    const DELETE_BEFORE_REPLACE: bool = true;
    const STABLE_ON_UPDATE: &'static [&'static str] = &[
        "instanceId",
        "endpointId",
        "securityGroupId",
        "dnsName",
        "networkInterfaceIds",
    ];

    async fn check(
        &self,
        ctx: &Context,
        olds: Option<&ConsumerInputs>,
        news: ConsumerInputs,
    ) -> Checked<ConsumerInputs> {
        inputs::check(ctx, olds, news).await
    }

    /// The outputs record whether AWS has private DNS on; while it is off against the inputs
    /// (the acceptance came after this resource), the next update turns it on.
    fn unapplied(&self, state: &ConsumerState, inputs: &ConsumerInputs) -> Vec<String> {
        if state.private_dns_enabled == Some(false) && inputs.private_dns() {
            vec!["privateDnsEnabled".into()]
        } else {
            vec![]
        }
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ConsumerInputs,
    ) -> Result<(String, ConsumerState), ResourceError> {
        let (id, state) = Self::apply(ctx, inputs, None).await?;
        ctx.progress.info(format!(
            "endpoint {id} is {}",
            state.state.as_deref().unwrap_or("unknown")
        ));
        Ok((id, state))
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        old: Option<(&ConsumerInputs, &ConsumerState)>,
    ) -> Result<Option<(ConsumerInputs, ConsumerState)>, ResourceError> {
        let (inputs, known) = old.map(|(i, s)| (i.clone(), s.clone())).unwrap_or_default();
        let ec2 = Ec2::new(ctx);
        let endpoint = match &known.endpoint_id {
            Some(endpoint_id) => ec2.endpoint(endpoint_id).await?,
            None if id.starts_with("vpce-") => ec2.endpoint(id).await?,
            // A create that stopped before the endpoint existed: find what it made.
            // An import by an id that is not an endpoint's has no name to look for.
            None => match inputs.name.as_deref() {
                Some(name) => ec2.endpoint_tagged(NAME_TAG, name).await?.filter(|e| {
                    naming::other_instance(&e.tags, known.instance_id.as_deref()).is_none()
                }),
                None => None,
            },
        };
        let Some(endpoint) = endpoint else {
            if known.endpoint_id.is_none() {
                if let Some(group) = &known.security_group_id {
                    if ec2.security_group(group).await?.is_some() {
                        return Ok(Some((inputs, known)));
                    }
                }
            }
            return Ok(None);
        };
        if endpoint.state.is_gone() {
            return Ok(None);
        }
        if let Some((own, successor)) = Self::successor(&ec2, &known, Some(&endpoint)).await? {
            // What this state recorded is the successor's now: this resource is gone.
            ctx.progress
                .info(naming::left_to_successor(own, &successor, "what it made"));
            return Ok(None);
        }
        let (_, (mut live, mut state)) = observe(
            ctx,
            &inputs,
            endpoint,
            (known.security_group_id.as_deref(), None),
            &known.hostname_alias_zones,
        )
        .await?;
        state.instance_id = known.instance_id;
        if old.is_none() {
            // Imported: the group's name is the resource's name.
            live.name = match &state.security_group_id {
                Some(group) => Ec2::new(ctx).security_group(group).await?.map(|g| g.name),
                None => None,
            };
        }
        Ok(Some((live, state)))
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        old: (&ConsumerInputs, &ConsumerState),
        news: &ConsumerInputs,
    ) -> Result<ConsumerState, ResourceError> {
        Ok(Self::apply(ctx, news, Some(old)).await?.1)
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        (inputs, state): (&ConsumerInputs, &ConsumerState),
    ) -> Result<(), ResourceError> {
        let ec2 = Ec2::new(ctx);
        let own = state.instance_id.as_deref();
        let endpoint = match &state.endpoint_id {
            Some(id) => ec2.endpoint(id).await?,
            None if id.starts_with("vpce-") => ec2.endpoint(id).await?,
            // Found by name: only this instance's (another one's may be live).
            None => ec2
                .endpoint_tagged(NAME_TAG, inputs.name())
                .await?
                .filter(|e| naming::other_instance(&e.tags, own).is_none()),
        };
        if let Some((own, successor)) = Self::successor(&ec2, state, endpoint.as_ref()).await? {
            ctx.progress.warn(naming::left_to_successor(
                own,
                &successor,
                "everything it made",
            ));
            return Ok(());
        }
        aliases::delete_all(
            ctx,
            &inputs.vpc_id,
            inputs.name(),
            &inputs.aliases(),
            &state.hostname_alias_zones,
        )
        .await?;
        if let Some(endpoint) = endpoint {
            ctx.progress.status("deleting VPC endpoint");
            ec2.delete_endpoint(&endpoint.id).await?;
            wait_for(
                ctx,
                "the VPC endpoint to be deleted",
                Backoff::default(),
                || async {
                    Ok(match ec2.endpoint(&endpoint.id).await? {
                        None => Poll::Ready(()),
                        Some(e) => Poll::Pending(e.state.to_string()),
                    })
                },
            )
            .await?;
        }
        let group = match &state.security_group_id {
            Some(id) => Some(id.clone()),
            None => ec2
                .security_group_named(&inputs.vpc_id, inputs.name())
                .await?
                .filter(|g| {
                    naming::made_by(&g.tags, inputs.name())
                        && naming::other_instance(&g.tags, own).is_none()
                })
                .map(|g| g.id),
        };
        if let Some(group) = group {
            ctx.progress
                .status("deleting security group (AWS releases endpoint interfaces late)");
            ec2.delete_security_group(&group).await?;
        }
        Ok(())
    }
}
