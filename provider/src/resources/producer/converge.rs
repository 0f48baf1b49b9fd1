//! Create and update are one operation: bring every piece to what the inputs say, finding what
//! exists (from state, or by name and tag when an interrupted create lost track of it) and
//! writing only the differences. A create that stopped part-way and the next `pulumi up` that
//! continues it are therefore the same code.

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::{ProducerInputs, ProducerState};
use crate::aws::ec2::{
    Ec2, EndpointService, EndpointState, Peer, Rule, SecurityGroup, ServiceChange, ServiceState,
    Subnet, Tags,
};
use crate::aws::elbv2::{Elbv2, LoadBalancer};
use crate::aws::private_dns::PrivateDns;
use crate::aws::states::LoadBalancerState;
use crate::aws::target_zones;
use crate::config::Context;
use crate::resources::naming::{self, NAME_TAG};
use crate::resources::network;
use pulumi_rs_provider::runtime::resource::ResourceError;
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

/// The tags every piece gets: the provider's defaults, the resource's own, and ours.
pub fn desired_tags(ctx: &Context, inputs: &ProducerInputs) -> Tags {
    naming::desired_tags(ctx, inputs.name(), inputs.tags.as_ref())
}

/// Checks the subnets before anything is written: they exist, are in the VPC, and are in
/// different Availability Zones (an NLB takes one subnet per zone).
pub async fn preflight(
    ec2: &Ec2<'_>,
    inputs: &ProducerInputs,
) -> Result<Vec<Subnet>, ResourceError> {
    network::subnets_in_vpc(ec2, &inputs.vpc_id, &inputs.subnet_ids, "a load balancer").await
}

/// The security group's rules: clients reach the listener port from the allowed CIDRs; the
/// load balancer reaches the targets (and their health check port) inside the VPC, nothing else.
pub fn desired_rules(
    inputs: &ProducerInputs,
    vpc_cidrs: &[String],
) -> (BTreeSet<Rule>, BTreeSet<Rule>) {
    let ingress = inputs
        .cidrs()
        .iter()
        .map(|cidr| Rule::tcp(inputs.listener_port(), Peer::Cidr(cidr.clone())))
        .collect();
    let mut ports = vec![inputs.target_port()];
    ports.extend(inputs.health().port);
    // Targets beyond the VPC (private addresses reached over peering or a transit gateway)
    // need their own rules.
    let outside: Vec<String> = outside_vpc(inputs, vpc_cidrs)
        .into_iter()
        .map(|ip| format!("{ip}/32"))
        .collect();
    let egress = vpc_cidrs
        .iter()
        .chain(outside.iter())
        .flat_map(|cidr| {
            ports
                .iter()
                .map(move |port| Rule::tcp(*port, Peer::Cidr(cidr.clone())))
        })
        .collect();
    (ingress, egress)
}

/// The target addresses outside the VPC's CIDR blocks.
pub fn outside_vpc(inputs: &ProducerInputs, vpc_cidrs: &[String]) -> BTreeSet<String> {
    inputs
        .targets()
        .into_iter()
        .filter(|ip| {
            ip.parse()
                .is_ok_and(|ip| !crate::validate::in_cidrs(ip, vpc_cidrs))
        })
        .collect()
}

/// What exists before anything is written, found by state or by name.
struct Found {
    group: Option<SecurityGroup>,
    balancer: Option<LoadBalancer>,
    service: Option<EndpointService>,
}

/// How the load balancer came to be as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    /// Created now: provisioning, with the tags it was created with.
    Created,
    /// Found, and its subnets changed: it reconfigures.
    Changed,
    Found,
}

/// Reads, all at once, whatever of the resource already exists.
async fn find_pieces(
    ec2: &Ec2<'_>,
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    state: &ProducerState,
) -> Result<Found, ResourceError> {
    let (group, balancer, service) = futures::join!(
        network::find_security_group(
            ec2,
            state.security_group_id.as_deref(),
            &inputs.vpc_id,
            inputs.name()
        ),
        async {
            match state.load_balancer_arn.as_deref() {
                Some(arn) => Ok(elb.load_balancer(arn).await?),
                None => {
                    let found = elb.load_balancer_named(inputs.name()).await?;
                    if let Some(balancer) = &found {
                        adoptable(elb, &balancer.arn, inputs.name(), "load balancer").await?;
                    }
                    Ok::<_, ResourceError>(found)
                }
            }
        },
        async {
            Ok::<_, ResourceError>(match state.service_id.as_deref() {
                Some(id) => ec2.endpoint_service(id).await?,
                None => ec2.endpoint_service_tagged(NAME_TAG, inputs.name()).await?,
            })
        },
    );
    Ok(Found {
        group: group?,
        balancer: balancer?,
        service: service?,
    })
}

/// Brings AWS to `inputs`, recording each piece in `state` as soon as it exists. Answers the
/// endpoint service as AWS last described it when nothing changed it since (a service made
/// now, without a private DNS name to verify), so the caller need not read it again.
///
/// The load balancer's provisioning (minutes), then the endpoint service's, are the critical
/// path (the service needs an active balancer). So every read that needs no write is made at
/// the start, all at once; the balancer is created as soon as its security group exists; and
/// the group's rules, the target group, its targets and the listener are made while it
/// provisions.
pub async fn converge(
    ctx: &Context,
    inputs: &ProducerInputs,
    previous_tags: &Tags,
    state: &mut ProducerState,
) -> Result<Option<EndpointService>, ResourceError> {
    let ec2 = Ec2::new(ctx);
    let elb = Elbv2::new(ctx);
    let tags = naming::with_instance(desired_tags(ctx, inputs), state.instance_id.as_deref());

    ctx.progress.status("checking subnets and VPC");
    let (subnets, vpc_cidrs, target_subnets, found) = futures::join!(
        preflight(&ec2, inputs),
        ec2.vpc_cidrs(&inputs.vpc_id),
        async {
            if inputs.targets().is_empty() {
                return Ok(Vec::new());
            }
            target_zones::vpc_subnets(ctx, &inputs.vpc_id).await
        },
        find_pieces(&ec2, &elb, inputs, state),
    );
    let (subnets, vpc_cidrs) = (subnets?, vpc_cidrs?);
    state.availability_zones = subnets.iter().map(|s| s.zone.clone()).collect();
    state.availability_zone_ids = subnets.iter().map(|s| s.zone_id.clone()).collect();
    warn_unserved_targets(ctx, inputs, &target_subnets?, &state.availability_zones);
    let found = found?;

    ctx.progress
        .status("creating security group and load balancer");
    let description = format!(
        "PrivateLink load balancer {} ({})",
        inputs.name(),
        ctx.urn.rsplit("::").next().unwrap_or_default()
    );
    let (group, group_found) = network::make_security_group(
        &ec2,
        found.group,
        state.security_group_id.as_deref(),
        (&inputs.vpc_id, inputs.name(), &description),
        &tags,
    )
    .await?;
    state.security_group_id = Some(group.clone());
    let (balancer, made) = load_balancer(&elb, inputs, found.balancer, &group, &tags).await?;
    state.load_balancer_arn = Some(balancer.arn.clone());
    state.load_balancer_dns_name = Some(balancer.dns_name.clone());

    ctx.progress.status(
        "creating target group and listener, setting rules and attributes while the load \
         balancer provisions",
    );
    let (ingress, egress) = desired_rules(inputs, &vpc_cidrs);
    let known_target_group = state.target_group_arn.clone();
    let balancer_arn = balancer.arn.clone();
    let (settled, forwarding, balancer) = futures::join!(
        network::settle_security_group(
            &ec2,
            &group,
            group_found,
            (&ingress, &egress),
            &tags,
            previous_tags,
        ),
        async {
            let target_group = target_group(
                &elb,
                inputs,
                known_target_group.as_deref(),
                &vpc_cidrs,
                &tags,
                previous_tags,
            )
            .await
            .map_err(|e| (None, e))?;
            let listener = listener(&elb, inputs, &balancer_arn, &target_group, &tags)
                .await
                .map_err(|e| (Some(target_group.clone()), e))?;
            Ok::<_, (Option<String>, ResourceError)>((target_group, listener))
        },
        ready_balancer(&elb, inputs, balancer, made, &group, &tags, previous_tags),
    );
    match forwarding {
        Ok((target_group, listener)) => {
            state.target_group_arn = Some(target_group);
            state.listener_arn = Some(listener);
        }
        Err((target_group, e)) => {
            if target_group.is_some() {
                state.target_group_arn = target_group;
            }
            return Err(e);
        }
    }
    settled?;
    let balancer = balancer?;

    ctx.progress.status("creating endpoint service");
    let (service, created) = endpoint_service(
        &ec2,
        ctx,
        inputs,
        state,
        found.service,
        &balancer.arn,
        &tags,
        previous_tags,
    )
    .await?;
    // The service is Available: its permissions, its domain check and the acceptance of
    // pending connections are independent of one another.
    let (principals, dns, accepted) = futures::join!(
        allowed_principals(&ec2, inputs, &service, created),
        verify_private_dns(ctx, &ec2, inputs, &service.id),
        accept_allowed(&ec2, inputs, &service.id),
    );
    principals?;
    dns?;
    accepted?;
    Ok((created && inputs.private_dns_name.is_none()).then_some(service))
}

/// The balancer's tags and attributes, read and written while it provisions where AWS allows:
/// tags and reads at once; attribute and security group changes only on an active balancer
/// (as terraform-provider-aws makes them, internal/service/elbv2/load_balancer.go), after which
/// it reconfigures briefly, so it is awaited again only when something changed.
#[allow(clippy::too_many_arguments)]
async fn ready_balancer(
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    balancer: LoadBalancer,
    made: Made,
    group: &str,
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<LoadBalancer, ResourceError> {
    let (tagged, cross_zone) = futures::join!(
        async {
            if made == Made::Created {
                // Created with exactly these tags.
                return Ok(());
            }
            let current = current_tags(elb, &balancer.arn).await?;
            elb.sync_tags(&balancer.arn, &current, tags, previous_tags)
                .await?;
            Ok::<_, ResourceError>(())
        },
        elb.cross_zone(&balancer.arn),
    );
    tagged?;
    let set_cross_zone = cross_zone? != inputs.cross_zone();
    let set_enforce =
        balancer.enforce_inbound_rules_on_privatelink != Some(inputs.enforce_inbound_rules());
    let balancer = if made == Made::Found && balancer.state == LoadBalancerState::Active {
        balancer
    } else {
        elb.wait_active(&balancer.arn).await?
    };
    if !(set_cross_zone || set_enforce) {
        return Ok(balancer);
    }
    let (cross_zone, enforce) = futures::join!(
        async {
            if set_cross_zone {
                elb.set_cross_zone(&balancer.arn, inputs.cross_zone())
                    .await?;
            }
            Ok::<_, ResourceError>(())
        },
        async {
            if set_enforce {
                elb.set_enforce_on_privatelink(
                    &balancer.arn,
                    group,
                    inputs.enforce_inbound_rules(),
                )
                .await?;
            }
            Ok::<_, ResourceError>(())
        },
    );
    cross_zone?;
    enforce?;
    elb.wait_active(&balancer.arn).await
}

/// Warns (naming the zones) when target addresses sit in zones where the load balancer has
/// no subnet: those targets get no traffic. `vpc_subnets` are the VPC's subnets.
fn warn_unserved_targets(
    ctx: &Context,
    inputs: &ProducerInputs,
    vpc_subnets: &[target_zones::SubnetRange],
    balancer_zones: &[String],
) {
    let targets = inputs.targets();
    let mut unserved: Vec<(String, String)> = targets
        .iter()
        .filter_map(|ip| Some((ip.clone(), target_zones::zone_of(ip, vpc_subnets)?)))
        .filter(|(_, zone)| !balancer_zones.contains(zone))
        .collect();
    if unserved.is_empty() {
        return;
    }
    unserved.sort_by(|a, b| a.1.cmp(&b.1));
    let mut zones: Vec<&str> = unserved.iter().map(|(_, z)| z.as_str()).collect();
    zones.dedup();
    let addresses: Vec<String> = unserved
        .iter()
        .map(|(ip, zone)| format!("{ip} ({zone})"))
        .collect();
    ctx.progress.warn(format!(
        "targetIps: {} {} in Availability Zone{} {} where the load balancer has no subnet; \
         those targets get no traffic. Add a subnet in {} to subnetIds",
        addresses.join(", "),
        if addresses.len() == 1 { "is" } else { "are" },
        if zones.len() == 1 { "" } else { "s" },
        zones.join(", "),
        if zones.len() == 1 {
            "that zone"
        } else {
            "those zones"
        },
    ));
}

/// While the private DNS name is not verified, asks AWS to verify it (AWS reads the TXT record
/// only when asked) and says which record to publish.
async fn verify_private_dns(
    ctx: &Context,
    ec2: &Ec2<'_>,
    inputs: &ProducerInputs,
    service: &str,
) -> Result<(), ResourceError> {
    let Some(name) = &inputs.private_dns_name else {
        return Ok(());
    };
    let verification = ec2
        .endpoint_service(service)
        .await?
        .and_then(|s| s.dns_verification);
    if verification
        .as_ref()
        .is_some_and(|v| v.state == crate::aws::states::DnsVerificationState::Verified)
    {
        return Ok(());
    }
    ctx.progress
        .status(format!("asking AWS to verify the private DNS name {name}"));
    PrivateDns::new(ctx).start_verification(service).await?;
    if let Some(record) = verification {
        ctx.progress.info(format!(
            "private DNS name {name} is not verified yet: publish the TXT record {}.{name} with \
             the value {} (output privateDnsVerification); each update asks AWS to check again, and \
             `pulumi refresh` shows the state",
            record.name, record.value
        ));
    }
    Ok(())
}

async fn target_group(
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    known: Option<&str>,
    vpc_cidrs: &[String],
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<String, ResourceError> {
    let existing = match known {
        Some(arn) => elb.target_group(arn).await?,
        None => {
            let found = elb.target_group_named(inputs.name()).await?;
            if let Some(group) = &found {
                adoptable(elb, &group.arn, inputs.name(), "target group").await?;
            }
            found
        }
    };
    let health = inputs.health();
    let group = match existing {
        Some(group) => {
            if group.health_check != health {
                elb.set_health_check(&group.arn, &health).await?;
            }
            elb.sync_tags(
                &group.arn,
                &current_tags(elb, &group.arn).await?,
                tags,
                previous_tags,
            )
            .await?;
            group
        }
        None => {
            elb.create_target_group(
                inputs.name(),
                &inputs.vpc_id,
                inputs.target_port(),
                &health,
                tags,
            )
            .await?
        }
    };
    sync_targets(elb, &group.arn, inputs, vpc_cidrs).await?;
    Ok(group.arn)
}

/// Registers the targets that are missing and deregisters the ones no longer wanted.
pub async fn sync_targets(
    elb: &Elbv2<'_>,
    arn: &str,
    inputs: &ProducerInputs,
    vpc_cidrs: &[String],
) -> Result<(), ResourceError> {
    let registered = elb.registered_targets(arn).await?;
    let wanted: BTreeSet<String> = inputs.targets().into_iter().collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|ip| !registered.contains_key(*ip))
        .cloned()
        .collect();
    let stale: BTreeMap<String, Option<String>> = registered
        .into_iter()
        .filter(|(ip, _)| !wanted.contains(ip))
        .collect();
    elb.register_targets(
        arn,
        &missing,
        inputs.target_port(),
        &outside_vpc(inputs, vpc_cidrs),
    )
    .await?;
    elb.deregister_targets(arn, &stale, inputs.target_port())
        .await?;
    Ok(())
}

/// Refuses a piece found by name that another stack (or a person) made.
async fn adoptable(
    elb: &Elbv2<'_>,
    arn: &str,
    name: &str,
    what: &str,
) -> Result<(), ResourceError> {
    if naming::made_by(&current_tags(elb, arn).await?, name) {
        return Ok(());
    }
    Err(ResourceError::Invalid(format!(
        "name: a {what} named `{name}` already exists in this account and was not made by this \
         resource ({arn}); choose another name"
    )))
}

async fn current_tags(elb: &Elbv2<'_>, arn: &str) -> Result<Tags, ResourceError> {
    Ok(elb
        .tags(&[arn.to_string()])
        .await?
        .into_iter()
        .next()
        .map(|(_, tags)| tags)
        .unwrap_or_default())
}

/// The balancer found (its subnets made what is asked), or a new one.
async fn load_balancer(
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    found: Option<LoadBalancer>,
    group: &str,
    tags: &Tags,
) -> Result<(LoadBalancer, Made), ResourceError> {
    let Some(balancer) = found else {
        let created = elb
            .create_load_balancer(inputs.name(), &inputs.subnet_ids, group, tags)
            .await?;
        return Ok((created, Made::Created));
    };
    let have: BTreeSet<&String> = balancer.subnet_ids.iter().collect();
    let want: BTreeSet<&String> = inputs.subnet_ids.iter().collect();
    if have == want {
        return Ok((balancer, Made::Found));
    }
    // An NLB's subnets change in place (SetSubnets), so the endpoint service and its name stay.
    // AWS refuses to remove a subnet while the balancer has active endpoint associations.
    elb.set_subnets(&balancer.arn, &inputs.subnet_ids)
        .await
        .map_err(|e| match e.code.as_str() {
            "InvalidConfigurationRequest" | "ValidationError" => ResourceError::Invalid(format!(
                "subnetIds: the load balancer's subnets cannot be changed to these now: {}",
                e.message
            )),
            _ => e.into(),
        })?;
    Ok((balancer, Made::Changed))
}

async fn listener(
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    balancer: &str,
    target_group: &str,
    tags: &Tags,
) -> Result<String, ResourceError> {
    let listeners = elb.listeners(balancer).await?;
    let port = inputs.listener_port();
    if let Some(l) = listeners.iter().find(|l| l.port == i32::from(port)) {
        return Ok(l.arn.clone());
    }
    // Ours, on the old port: move it rather than making a second one.
    if let Some(l) = listeners
        .iter()
        .find(|l| l.target_group_arn.as_deref() == Some(target_group))
    {
        elb.set_listener_port(&l.arn, port).await?;
        return Ok(l.arn.clone());
    }
    Ok(elb
        .create_listener(balancer, port, target_group, tags)
        .await?
        .arn)
}

/// Removing a supported Region stops new endpoints from it; AWS's pages do not say that it
/// disconnects the endpoints already connected from it (the emulator keeps them, and the Region
/// `Deleting` until they are gone), so the user is told which stay.
async fn warn_of_connections_from(
    ctx: &Context,
    ec2: &Ec2<'_>,
    service_id: &str,
    removed: &[String],
) -> Result<(), ResourceError> {
    if removed.is_empty() {
        return Ok(());
    }
    let connected: Vec<String> = ec2
        .connections(service_id)
        .await?
        .into_iter()
        .filter(|c| c.state.is_live())
        .filter_map(|c| {
            let region = c.region?;
            removed
                .contains(&region)
                .then(|| format!("{} ({}, account {})", c.endpoint_id, region, c.owner))
        })
        .collect();
    if !connected.is_empty() {
        ctx.progress.warn(format!(
            "supportedRegions: removing {} stops new endpoints from there; endpoints already \
             connected from there are not disconnected by it: {}. Reject them (delete their \
             EndpointAcceptance) or ask their owners to delete them",
            removed.join(", "),
            connected.join(", ")
        ));
    }
    Ok(())
}

/// The service found (changed to what is asked), or a new one; answered once it is Available
/// (permissions are changed on an Available service only, as terraform-provider-aws waits
/// before it touches them), with whether it was created now.
#[allow(clippy::too_many_arguments)]
async fn endpoint_service(
    ec2: &Ec2<'_>,
    ctx: &Context,
    inputs: &ProducerInputs,
    state: &mut ProducerState,
    found: Option<EndpointService>,
    balancer: &str,
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<(EndpointService, bool), ResourceError> {
    let (service, created) = match found {
        Some(service) => {
            state.service_id = Some(service.id.clone());
            let wanted_regions: BTreeSet<String> = inputs.regions().into_iter().collect();
            let change = ServiceChange {
                acceptance_required: (service.acceptance_required != inputs.acceptance_required())
                    .then_some(inputs.acceptance_required()),
                private_dns_name: (service.private_dns_name != inputs.private_dns_name)
                    .then(|| inputs.private_dns_name.clone()),
                add_regions: wanted_regions
                    .difference(&service.supported_regions)
                    .cloned()
                    .collect(),
                remove_regions: service
                    .supported_regions
                    .difference(&wanted_regions)
                    .cloned()
                    .collect(),
            };
            warn_of_connections_from(ctx, ec2, &service.id, &change.remove_regions).await?;
            ec2.modify_endpoint_service(&service.id, &change).await?;
            ec2.sync_tags(&service.id, &service.tags, tags, previous_tags)
                .await?;
            (service, false)
        }
        None => {
            let service = ec2
                .create_endpoint_service(
                    balancer,
                    inputs.acceptance_required(),
                    inputs.private_dns_name.as_deref(),
                    &inputs.regions(),
                    tags,
                    &naming::client_token(ctx, inputs.name()),
                )
                .await?;
            (service, true)
        }
    };
    state.service_id = Some(service.id.clone());
    state.service_name = Some(service.name.clone());
    if service.state == ServiceState::Available {
        return Ok((service, created));
    }
    Ok((wait_available(ctx, ec2, &service.id).await?, created))
}

/// Makes the service's allowed principals exactly those asked. A service this run created has
/// none yet (no one else knows its id), so there is nothing to read.
async fn allowed_principals(
    ec2: &Ec2<'_>,
    inputs: &ProducerInputs,
    service: &EndpointService,
    created: bool,
) -> Result<(), ResourceError> {
    let current = if created {
        BTreeSet::new()
    } else {
        ec2.allowed_principals(&service.id).await?
    };
    let wanted: BTreeSet<String> = inputs.principals().into_iter().collect();
    ec2.set_allowed_principals(
        &service.id,
        wanted.difference(&current).cloned().collect(),
        current.difference(&wanted).cloned().collect(),
    )
    .await?;
    Ok(())
}

async fn wait_available(
    ctx: &Context,
    ec2: &Ec2<'_>,
    service: &str,
) -> Result<EndpointService, ResourceError> {
    wait_for(
        ctx,
        "endpoint service to become available",
        Backoff::default(),
        || async {
            match ec2.endpoint_service(service).await? {
                Some(s) if s.state == ServiceState::Available => Ok(Poll::Ready(s)),
                Some(s) if s.state == ServiceState::Failed => Err(ResourceError::Cloud {
                    operation: "CreateVpcEndpointServiceConfiguration".into(),
                    message: format!("endpoint service {service} failed"),
                }),
                Some(s) => Ok(Poll::Pending(s.state.to_string())),
                None => Ok(Poll::Pending("not visible yet".into())),
            }
        },
    )
    .await
}

/// Accepts pending connection requests from `autoAcceptAccounts`, and from no one else.
pub async fn accept_allowed(
    ec2: &Ec2<'_>,
    inputs: &ProducerInputs,
    service: &str,
) -> Result<(), ResourceError> {
    let accounts = inputs.auto_accept();
    if accounts.is_empty() {
        return Ok(());
    }
    let pending: Vec<String> = ec2
        .connections(service)
        .await?
        .into_iter()
        .filter(|c| c.state == EndpointState::PendingAcceptance && accounts.contains(&c.owner))
        .map(|c| c.endpoint_id)
        .collect();
    Ok(ec2.accept_connections(service, pending).await?)
}

/// The tags the previous inputs asked for, so that a tag removed from the program is removed
/// from AWS.
pub fn previous_tags(ctx: &Context, old: Option<&ProducerInputs>) -> Tags {
    old.map(|o| desired_tags(ctx, o)).unwrap_or_default()
}
