//! Reading the producer back from AWS: the computed state after create and update, and what
//! refresh and import report (the live values of every property AWS knows).

use std::collections::BTreeSet;

use super::inputs::{
    ConnectionOutput, HealthCheck, PrivateDnsVerification, ProducerInputs, ProducerState,
};
use crate::aws::ec2::{Ec2, EndpointService, Subnet};
use crate::aws::elbv2::{Elbv2, Listener, LoadBalancer, TargetGroup};
use crate::config::Context;
use crate::resources::naming::OWN_TAGS;
use crate::resources::{in_program_order, optional_in_program_order};
use pulumi_rs_provider::runtime::resource::ResourceError;

/// The live inputs and state. `known` is the state recorded so far; pieces it names that are
/// gone are left out.
pub async fn observe(
    ctx: &Context,
    inputs: &ProducerInputs,
    known: &ProducerState,
    service: Option<EndpointService>,
) -> Result<(ProducerInputs, ProducerState), ResourceError> {
    let ec2 = Ec2::new(ctx);
    let elb = Elbv2::new(ctx);
    let mut live = inputs.clone();
    let mut state = ProducerState {
        instance_id: known.instance_id.clone(),
        availability_zones: known.availability_zones.clone(),
        availability_zone_ids: known.availability_zone_ids.clone(),
        ..ProducerState::default()
    };

    // Every read whose id is known is made at once; the ids learnt from an answer (the
    // service's balancer, the balancer's group, the listener's target group) are read after
    // only when they differ from the recorded ones.
    let recorded_balancer = known.load_balancer_arn.clone().or_else(|| {
        service
            .as_ref()
            .and_then(|s| s.load_balancer_arns.first().cloned())
    });
    let (service_reads, balancer, target_group, group) = futures::join!(
        async {
            match &service {
                Some(service) => futures::try_join!(
                    ec2.connections(&service.id),
                    ec2.allowed_principals(&service.id)
                )
                .map(Some),
                None => Ok(None),
            }
        },
        balancer_reads(&ec2, &elb, recorded_balancer.as_deref()),
        target_group_reads(&elb, known.target_group_arn.as_deref()),
        async {
            match &known.security_group_id {
                Some(id) => ec2.security_group(id).await,
                None => Ok(None),
            }
        },
    );
    let (service_reads, mut balancer, mut target_group, mut group) =
        (service_reads?, balancer?, target_group?, group?);
    let service_balancer = service
        .as_ref()
        .and_then(|s| s.load_balancer_arns.first().cloned());
    if service_balancer.is_some() && service_balancer != recorded_balancer {
        balancer = balancer_reads(&ec2, &elb, service_balancer.as_deref()).await?;
    }

    if let (Some(service), Some((connections, principals))) = (&service, service_reads) {
        state.service_id = Some(service.id.clone());
        state.service_name = Some(service.name.clone());
        state.service_state = Some(service.state.to_string());
        state.private_dns_verification =
            service
                .dns_verification
                .as_ref()
                .map(|d| PrivateDnsVerification {
                    name: d.name.clone(),
                    record_type: d.record_type.clone(),
                    value: d.value.clone(),
                    state: d.state.to_string(),
                });
        state.connections = connections
            .into_iter()
            .map(|c| ConnectionOutput {
                endpoint_id: c.endpoint_id,
                owner_account: c.owner,
                state: c.state.to_string(),
            })
            .collect();
        live.allow_any_principal =
            Some(principals.contains("*") || inputs.allow_any_principal == Some(true));
        live.allowed_principals =
            optional_in_program_order(inputs.allowed_principals.as_ref(), principals);
        live.acceptance_required = Some(service.acceptance_required);
        live.private_dns_name = service.private_dns_name.clone();
        live.supported_regions = optional_in_program_order(
            inputs.supported_regions.as_ref(),
            service.supported_regions.clone(),
        );
        live.tags = user_tags(ctx, inputs, &service.tags);
    }

    let mut listener_port = None;
    let mut group_id = known.security_group_id.clone();
    if let Some(BalancerReads {
        balancer: lb,
        cross_zone,
        subnets,
        listener,
    }) = balancer
    {
        state.load_balancer_arn = Some(lb.arn.clone());
        state.load_balancer_dns_name = Some(lb.dns_name.clone());
        live.name = Some(lb.name.clone());
        live.vpc_id = lb.vpc_id.clone();
        let subnet_ids: BTreeSet<String> = lb.subnet_ids.iter().cloned().collect();
        live.subnet_ids = in_program_order(&inputs.subnet_ids, subnet_ids);
        live.enforce_security_group_inbound_rules_on_private_link_traffic =
            lb.enforce_inbound_rules_on_privatelink;
        live.cross_zone_load_balancing = Some(cross_zone);
        group_id = lb.security_groups.first().cloned();
        let ordered: Vec<_> = live
            .subnet_ids
            .iter()
            .filter_map(|id| subnets.iter().find(|s| &s.id == id))
            .collect();
        state.availability_zones = ordered.iter().map(|s| s.zone.clone()).collect();
        state.availability_zone_ids = ordered.iter().map(|s| s.zone_id.clone()).collect();
        if let Some(listener) = listener {
            state.listener_arn = Some(listener.arn.clone());
            listener_port = Some(listener.port);
            live.port = listener.port.into();
            if listener.target_group_arn.is_some()
                && listener.target_group_arn != known.target_group_arn
            {
                target_group =
                    target_group_reads(&elb, listener.target_group_arn.as_deref()).await?;
            }
        }
    }
    if group_id != known.security_group_id {
        group = match &group_id {
            Some(id) => ec2.security_group(id).await?,
            None => None,
        };
    }

    if let Some((group, registered)) = target_group {
        state.target_group_arn = Some(group.arn.clone());
        live.target_port = Some(group.port.into());
        live.health_check = Some(HealthCheck {
            interval_seconds: Some(group.health_check.interval_seconds.into()),
            healthy_threshold: Some(group.health_check.healthy_threshold.into()),
            unhealthy_threshold: Some(group.health_check.unhealthy_threshold.into()),
            port: group.health_check.port.map(i64::from),
        });
        state.registered_target_ips = registered.iter().cloned().collect();
        live.target_ips = optional_in_program_order(inputs.target_ips.as_ref(), registered);
    }

    state.security_group_id = None;
    if let Some(group) = group {
        let port = listener_port.unwrap_or(inputs.port as i32);
        let cidrs: BTreeSet<String> = group
            .ingress
            .iter()
            .filter(|r| r.protocol == "tcp" && r.from_port == port && r.to_port == port)
            .filter_map(|r| r.cidr().map(String::from))
            .collect();
        live.allowed_cidrs = optional_in_program_order(inputs.allowed_cidrs.as_ref(), cidrs);
        state.security_group_id = Some(group.id);
    }
    Ok((live, state))
}

/// The load balancer and what is read of it by its ARN.
struct BalancerReads {
    balancer: LoadBalancer,
    cross_zone: bool,
    subnets: Vec<Subnet>,
    listener: Option<Listener>,
}

async fn balancer_reads(
    ec2: &Ec2<'_>,
    elb: &Elbv2<'_>,
    arn: Option<&str>,
) -> Result<Option<BalancerReads>, ResourceError> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    let Some(balancer) = elb.load_balancer(arn).await? else {
        return Ok(None);
    };
    let (cross_zone, subnets, listeners) = futures::try_join!(
        elb.cross_zone(&balancer.arn),
        ec2.subnets(&balancer.subnet_ids),
        elb.listeners(&balancer.arn),
    )?;
    Ok(Some(BalancerReads {
        balancer,
        cross_zone,
        subnets,
        listener: listeners.into_iter().next(),
    }))
}

/// The target group and its registered addresses, read at once; `None` when it is gone.
async fn target_group_reads(
    elb: &Elbv2<'_>,
    arn: Option<&str>,
) -> Result<Option<(TargetGroup, BTreeSet<String>)>, ResourceError> {
    let Some(arn) = arn else {
        return Ok(None);
    };
    let (group, registered) = futures::join!(elb.target_group(arn), elb.registered_ips(arn));
    match group? {
        Some(group) => Ok(Some((group, registered?))),
        None => Ok(None),
    }
}

/// The resource's own tags as AWS has them: without ours and without the provider's defaults
/// (unless the program set the same key).
fn user_tags(
    ctx: &Context,
    inputs: &ProducerInputs,
    live: &crate::aws::ec2::Tags,
) -> Option<crate::aws::ec2::Tags> {
    let defaults = ctx
        .provider
        .config()
        .default_tags
        .clone()
        .unwrap_or_default();
    let own = inputs.tags.clone().unwrap_or_default();
    let tags: crate::aws::ec2::Tags = live
        .iter()
        .filter(|(k, v)| {
            !OWN_TAGS.contains(&k.as_str())
                && (own.contains_key(*k) || defaults.get(*k) != Some(*v))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!tags.is_empty() || inputs.tags.is_some()).then_some(tags)
}
