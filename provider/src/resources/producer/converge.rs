//! Create and update are one operation: bring every piece to what the inputs say, finding what
//! exists (from state, or by name and tag when an interrupted create lost track of it) and
//! writing only the differences. A create that stopped part-way and the next `pulumi up` that
//! continues it are therefore the same code.

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::{ProducerInputs, ProducerState};
use crate::aws::ec2::{Ec2, EndpointState, Peer, Rule, ServiceChange, ServiceState, Subnet, Tags};
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

/// Brings AWS to `inputs`, recording each piece in `state` as soon as it exists.
pub async fn converge(
    ctx: &Context,
    inputs: &ProducerInputs,
    previous_tags: &Tags,
    state: &mut ProducerState,
) -> Result<(), ResourceError> {
    let ec2 = Ec2::new(ctx);
    let elb = Elbv2::new(ctx);
    let tags = naming::with_instance(desired_tags(ctx, inputs), state.instance_id.as_deref());

    ctx.progress.status("checking subnets and VPC");
    let (subnets, vpc_cidrs) =
        futures::join!(preflight(&ec2, inputs), ec2.vpc_cidrs(&inputs.vpc_id));
    let (subnets, vpc_cidrs) = (subnets?, vpc_cidrs?);
    state.availability_zones = subnets.iter().map(|s| s.zone.clone()).collect();
    state.availability_zone_ids = subnets.iter().map(|s| s.zone_id.clone()).collect();
    warn_unserved_targets(ctx, inputs, &state.availability_zones).await?;

    // The load balancer's provisioning (minutes) is the long pole: start it as soon as its
    // security group exists, and make the target group (with its targets) meanwhile.
    ctx.progress
        .status("creating security group, load balancer and target group");
    let (group_and_balancer, target_group) = futures::join!(
        async {
            let group = security_group(
                &ec2,
                ctx,
                inputs,
                state.security_group_id.as_deref(),
                &vpc_cidrs,
                &tags,
                previous_tags,
            )
            .await
            .map_err(|e| (None, e))?;
            let balancer = load_balancer(
                &elb,
                inputs,
                state.load_balancer_arn.as_deref(),
                &group,
                &tags,
            )
            .await
            .map_err(|e| (Some(group.clone()), e))?;
            Ok::<_, (Option<String>, ResourceError)>((group, balancer))
        },
        target_group(
            &elb,
            inputs,
            state.target_group_arn.as_deref(),
            &vpc_cidrs,
            &tags,
            previous_tags
        ),
    );
    if let Ok(arn) = &target_group {
        state.target_group_arn = Some(arn.clone());
    }
    let (group, balancer) = match group_and_balancer {
        Ok(made) => made,
        Err((group, e)) => {
            if group.is_some() {
                state.security_group_id = group;
            }
            return Err(e);
        }
    };
    state.security_group_id = Some(group.clone());
    state.load_balancer_arn = Some(balancer.arn.clone());
    state.load_balancer_dns_name = Some(balancer.dns_name.clone());
    let target_group = target_group?;

    // The listener and the balancer's tags need only its ARN: AWS takes them while it
    // provisions, so they overlap the wait.
    ctx.progress
        .status("creating listener while the load balancer provisions");
    let balancer_arn = balancer.arn.clone();
    let (listener, balancer) = futures::join!(
        listener(&elb, inputs, &balancer_arn, &target_group, &tags),
        async {
            elb.sync_tags(
                &balancer.arn,
                &current_tags(&elb, &balancer.arn).await?,
                &tags,
                previous_tags,
            )
            .await?;
            if balancer.state == LoadBalancerState::Active {
                Ok(balancer)
            } else {
                elb.wait_active(&balancer.arn).await
            }
        },
    );
    if let Ok(arn) = &listener {
        state.listener_arn = Some(arn.clone());
    }
    let balancer = balancer?;
    listener?;

    // Attributes and the PrivateLink setting of the group are independent.
    // Listener, attributes and the PrivateLink setting of the group are independent.
    ctx.progress.status("configuring load balancer attributes");
    let (cross_zone, enforce) = futures::join!(
        async {
            let change = elb.cross_zone(&balancer.arn).await? != inputs.cross_zone();
            if change {
                elb.set_cross_zone(&balancer.arn, inputs.cross_zone())
                    .await?;
            }
            Ok::<_, ResourceError>(change)
        },
        async {
            let change = balancer.enforce_inbound_rules_on_privatelink
                != Some(inputs.enforce_inbound_rules());
            if change {
                elb.set_enforce_on_privatelink(
                    &balancer.arn,
                    &group,
                    inputs.enforce_inbound_rules(),
                )
                .await?;
            }
            Ok::<_, ResourceError>(change)
        },
    );
    if cross_zone? | enforce? {
        // Attribute and security group changes pass through a short reconfiguration: the
        // endpoint service is made (or changed) once the balancer is active again.
        elb.wait_active(&balancer.arn).await?;
    }

    ctx.progress.status("creating endpoint service");
    let service = endpoint_service(
        &ec2,
        ctx,
        inputs,
        state,
        &balancer.arn,
        &tags,
        previous_tags,
    )
    .await?;
    state.service_id = Some(service.clone());
    wait_available(ctx, &ec2, &service).await?;
    verify_private_dns(ctx, &ec2, inputs, &service).await?;
    accept_allowed(&ec2, inputs, &service).await?;
    Ok(())
}

/// Warns (naming the zones) when target addresses sit in zones where the load balancer has
/// no subnet: those targets get no traffic.
async fn warn_unserved_targets(
    ctx: &Context,
    inputs: &ProducerInputs,
    balancer_zones: &[String],
) -> Result<(), ResourceError> {
    let targets = inputs.targets();
    if targets.is_empty() {
        return Ok(());
    }
    let subnets = target_zones::vpc_subnets(ctx, &inputs.vpc_id).await?;
    let mut unserved: Vec<(String, String)> = targets
        .iter()
        .filter_map(|ip| Some((ip.clone(), target_zones::zone_of(ip, &subnets)?)))
        .filter(|(_, zone)| !balancer_zones.contains(zone))
        .collect();
    if unserved.is_empty() {
        return Ok(());
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
    Ok(())
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

async fn security_group(
    ec2: &Ec2<'_>,
    ctx: &Context,
    inputs: &ProducerInputs,
    known: Option<&str>,
    vpc_cidrs: &[String],
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<String, ResourceError> {
    let description = format!(
        "PrivateLink load balancer {} ({})",
        inputs.name(),
        ctx.urn.rsplit("::").next().unwrap_or_default()
    );
    let (ingress, egress) = desired_rules(inputs, vpc_cidrs);
    network::ensure_security_group(
        ec2,
        known,
        &inputs.vpc_id,
        inputs.name(),
        &description,
        (&ingress, &egress),
        tags,
        previous_tags,
    )
    .await
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

async fn load_balancer(
    elb: &Elbv2<'_>,
    inputs: &ProducerInputs,
    known: Option<&str>,
    group: &str,
    tags: &Tags,
) -> Result<LoadBalancer, ResourceError> {
    let existing = match known {
        Some(arn) => elb.load_balancer(arn).await?,
        None => {
            let found = elb.load_balancer_named(inputs.name()).await?;
            if let Some(balancer) = &found {
                adoptable(elb, &balancer.arn, inputs.name(), "load balancer").await?;
            }
            found
        }
    };
    let balancer = match existing {
        Some(balancer) => balancer,
        None => {
            return Ok(elb
                .create_load_balancer(inputs.name(), &inputs.subnet_ids, group, tags)
                .await?)
        }
    };
    let have: BTreeSet<&String> = balancer.subnet_ids.iter().collect();
    let want: BTreeSet<&String> = inputs.subnet_ids.iter().collect();
    if have == want {
        return Ok(balancer);
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
    elb.wait_active(&balancer.arn).await
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

async fn endpoint_service(
    ec2: &Ec2<'_>,
    ctx: &Context,
    inputs: &ProducerInputs,
    state: &mut ProducerState,
    balancer: &str,
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<String, ResourceError> {
    let existing = match state.service_id.as_deref() {
        Some(id) => ec2.endpoint_service(id).await?,
        None => ec2.endpoint_service_tagged(NAME_TAG, inputs.name()).await?,
    };
    let service = match existing {
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
            service
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
            state.service_id = Some(service.id.clone());
            service
        }
    };
    state.service_name = Some(service.name.clone());
    // Permissions are changed on an Available service only (as terraform-provider-aws waits
    // before it touches them).
    if service.state != ServiceState::Available {
        wait_available(ctx, ec2, &service.id).await?;
    }
    let current = ec2.allowed_principals(&service.id).await?;
    let wanted: BTreeSet<String> = inputs.principals().into_iter().collect();
    ec2.set_allowed_principals(
        &service.id,
        wanted.difference(&current).cloned().collect(),
        current.difference(&wanted).cloned().collect(),
    )
    .await?;
    Ok(service.id)
}

async fn wait_available(ctx: &Context, ec2: &Ec2<'_>, service: &str) -> Result<(), ResourceError> {
    wait_for(
        ctx,
        "endpoint service to become available",
        Backoff::default(),
        || async {
            match ec2.endpoint_service(service).await? {
                Some(s) if s.state == ServiceState::Available => Ok(Poll::Ready(())),
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
