//! `privatelink:index:PrivateLinkProducer`: the producer half of the article as one resource.
//! A Network Load Balancer (with its own least-privilege security group) forwards a TCP port to
//! an IP target group of the service's addresses, and a VPC endpoint service publishes it to the
//! allowed principals.
//!
//! The resource id is the physical name shared by the load balancer, target group and security
//! group; `pulumi import` also accepts the endpoint service id (`vpce-svc-…`).

mod converge;
mod inputs;
mod observe;

use async_trait::async_trait;

pub use inputs::{ProducerInputs, ProducerState};

use crate::aws::ec2::{Ec2, EndpointService};
use crate::aws::elbv2::Elbv2;
use crate::config::{Configured, Context};
use crate::resources::naming::{self, NAME_TAG};
use converge::{converge, previous_tags};
use observe::observe;
use pulumi_rs_provider::runtime::resource::{Checked, Resource, ResourceError};

/// The producer side of AWS PrivateLink: a Network Load Balancer in front of a target (an RDS
/// Proxy endpoint or IP addresses), its least-privilege security group, an IP target group and
/// listener, and a VPC endpoint service that the allowed principals can connect to.
#[derive(schemars::JsonSchema)]
pub struct PrivateLinkProducer;

impl PrivateLinkProducer {
    /// Whether a piece found by name was made by this resource and by this instance of it.
    async fn made_here(
        elb: &Elbv2<'_>,
        arn: &str,
        name: &str,
        own: Option<&str>,
    ) -> Result<bool, ResourceError> {
        let tags = elb.tags(&[arn.to_string()]).await?;
        Ok(tags
            .iter()
            .any(|(_, t)| naming::made_by(t, name) && naming::other_instance(t, own).is_none()))
    }

    /// This state's instance id and the instance that took its pieces over, if one did, as the
    /// endpoint service, the load balancer or the security group (which a successor's converge
    /// re-tags first) names it. A state without an instance id (made by an earlier version) has
    /// no successor.
    async fn successor<'s>(
        ec2: &Ec2<'_>,
        elb: &Elbv2<'_>,
        state: &'s ProducerState,
        service: Option<&EndpointService>,
    ) -> Result<Option<(&'s str, String)>, ResourceError> {
        let Some(own_id) = state.instance_id.as_deref() else {
            return Ok(None);
        };
        let own = Some(own_id);
        // Only pieces this state recorded: one found by name may be another instance's.
        let recorded_service = service.filter(|_| state.service_id.is_some());
        if let Some(found) = recorded_service.and_then(|s| naming::other_instance(&s.tags, own)) {
            return Ok(Some((own_id, found.to_string())));
        }
        if let Some(arn) = &state.load_balancer_arn {
            if elb.load_balancer(arn).await?.is_some() {
                for (_, tags) in elb.tags(&[arn.clone()]).await? {
                    if let Some(found) = naming::other_instance(&tags, own) {
                        return Ok(Some((own_id, found.to_string())));
                    }
                }
            }
        }
        if let Some(group) = &state.security_group_id {
            if let Some(group) = ec2.security_group(group).await? {
                if let Some(found) = naming::other_instance(&group.tags, own) {
                    return Ok(Some((own_id, found.to_string())));
                }
            }
        }
        Ok(None)
    }

    /// A load balancer or target group of this resource found by name (an interrupted create's,
    /// or the one of the resource this create replaces without asking Diff: `pulumi up
    /// --replace`, replaceWith, a replaced provider) is taken over only when it is what the
    /// inputs ask for: a load balancer cannot move to another VPC, nor a target group forward
    /// to another port. Pieces another resource made are refused later (`adoptable`).
    async fn takeover_fits(elb: &Elbv2<'_>, inputs: &ProducerInputs) -> Result<(), ResourceError> {
        let name = inputs.name();
        let (balancer, group) =
            futures::join!(elb.load_balancer_named(name), elb.target_group_named(name));
        let mut misfits: Vec<(&str, String, String)> = Vec::new();
        if let Some(balancer) = balancer?.filter(|b| b.vpc_id != inputs.vpc_id) {
            let what = format!(
                "load balancer {} is in VPC {}",
                balancer.arn, balancer.vpc_id
            );
            misfits.push(("vpcId", balancer.arn, what));
        }
        let port = i32::from(inputs.target_port());
        if let Some(group) = group?.filter(|g| g.port != port) {
            let what = format!("target group {} forwards to port {}", group.arn, group.port);
            misfits.push(("targetPort", group.arn, what));
        }
        let mut ours = Vec::new();
        for (property, arn, what) in misfits {
            let tags = elb.tags(std::slice::from_ref(&arn)).await?;
            if tags.iter().any(|(_, t)| naming::made_by(t, name)) {
                ours.push((property, what));
            }
        }
        if ours.is_empty() {
            return Ok(());
        }
        let properties: Vec<&str> = ours.iter().map(|(p, _)| *p).collect();
        let found: Vec<String> = ours.into_iter().map(|(_, what)| what).collect();
        Err(ResourceError::Invalid(format!(
            "{}: {} (made by an earlier create of this resource, `{name}`), not what the inputs \
             give; a replacement the engine makes without asking the provider keeps the name and \
             takes such pieces over, so give this resource the deleteBeforeReplace: true option",
            properties.join(", "),
            found.join(" and ")
        )))
    }

    /// Records what exists when an operation stops part-way.
    fn stopped(
        id: &str,
        inputs: &ProducerInputs,
        state: &ProducerState,
        error: ResourceError,
    ) -> ResourceError {
        if state.holds_nothing() {
            error
        } else {
            ResourceError::partial(id, inputs, state, error)
        }
    }

    async fn find_service(
        ec2: &Ec2<'_>,
        id: &str,
        inputs: &ProducerInputs,
        state: &ProducerState,
    ) -> Result<Option<EndpointService>, ResourceError> {
        let service = if let Some(service_id) = &state.service_id {
            ec2.endpoint_service(service_id).await?
        } else if id.starts_with("vpce-svc-") {
            ec2.endpoint_service(id).await?
        } else {
            let name = inputs.name.as_deref().unwrap_or(id);
            ec2.endpoint_service_tagged(NAME_TAG, name).await?
        };
        Ok(service)
    }

    /// Converges, then reads the result back; on failure the pieces made so far are reported.
    async fn apply(
        ctx: &Context,
        id: &str,
        inputs: &ProducerInputs,
        old: Option<(&ProducerInputs, &ProducerState)>,
    ) -> Result<ProducerState, ResourceError> {
        let mut state = old.map(|(_, s)| s.clone()).unwrap_or_default();
        state
            .instance_id
            .get_or_insert_with(naming::new_instance_id);
        let previous = previous_tags(ctx, old.map(|(i, _)| i));
        if state.load_balancer_arn.is_none() && state.target_group_arn.is_none() {
            if let Err(e) = Self::takeover_fits(&Elbv2::new(ctx), inputs).await {
                return Err(Self::stopped(id, inputs, &state, e));
            }
        }
        let described = match converge(ctx, inputs, &previous, &mut state).await {
            Ok(service) => service,
            Err(e) => return Err(Self::stopped(id, inputs, &state, e)),
        };
        let ec2 = Ec2::new(ctx);
        let observed = async {
            let service = match described {
                Some(service) => Some(service),
                None => Self::find_service(&ec2, id, inputs, &state).await?,
            };
            observe(ctx, inputs, &state, service).await
        }
        .await;
        match observed {
            Ok((_, observed)) => Ok(observed),
            Err(e) => Err(Self::stopped(id, inputs, &state, e)),
        }
    }
}

#[async_trait]
impl Resource for PrivateLinkProducer {
    const TOKEN: &'static str = "privatelink:index:PrivateLinkProducer";
    type Provider = Configured;
    type Inputs = ProducerInputs;
    type State = ProducerState;
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["name", "vpcId", "targetPort"];
    // The addresses come from the hostname (Check resolves it) and are registered as given.
    const DERIVED: &'static [(&'static str, &'static [&'static str])] = &[
        ("targetHostname", &["targetIps", "registeredTargetIps"]),
        ("targetIps", &["registeredTargetIps"]),
    ];
    // The new load balancer and target group would claim the same names.
    const DELETE_BEFORE_REPLACE: bool = true;
    const STABLE_ON_UPDATE: &'static [&'static str] = &[
        "instanceId",
        "serviceName",
        "serviceId",
        "loadBalancerArn",
        "loadBalancerDnsName",
        "targetGroupArn",
        "listenerArn",
        "securityGroupId",
        "availabilityZones",
        "availabilityZoneIds",
    ];

    async fn check(
        &self,
        ctx: &Context,
        olds: Option<&ProducerInputs>,
        news: ProducerInputs,
    ) -> Checked<ProducerInputs> {
        inputs::check(ctx, olds, news).await
    }

    /// Read (refresh) only observes: a connection from an auto-accepted account that it finds
    /// pending makes the next `up` update the resource, and the update accepts it.
    fn unapplied(&self, state: &ProducerState, inputs: &ProducerInputs) -> Vec<String> {
        let accounts = inputs.auto_accept();
        let pending = state
            .connections
            .iter()
            .any(|c| c.state == "pendingAcceptance" && accounts.contains(&c.owner_account));
        if pending {
            vec!["autoAcceptAccounts".into()]
        } else {
            vec![]
        }
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &ProducerInputs,
    ) -> Result<(String, ProducerState), ResourceError> {
        let id = inputs.name().to_string();
        let state = Self::apply(ctx, &id, inputs, None).await?;
        if let Some(name) = &state.service_name {
            ctx.progress
                .info(format!("endpoint service {name} is available"));
        }
        Ok((id, state))
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        old: Option<(&ProducerInputs, &ProducerState)>,
    ) -> Result<Option<(ProducerInputs, ProducerState)>, ResourceError> {
        let (inputs, known) = old.map(|(i, s)| (i.clone(), s.clone())).unwrap_or_default();
        let ec2 = Ec2::new(ctx);
        let service = Self::find_service(&ec2, id, &inputs, &known)
            .await?
            .filter(|s| {
                known.service_id.is_some()
                    || naming::other_instance(&s.tags, known.instance_id.as_deref()).is_none()
            });
        let nothing_else_known = known.load_balancer_arn.is_none()
            && known.target_group_arn.is_none()
            && known.security_group_id.is_none();
        if service.is_none() && (known.service_id.is_some() || nothing_else_known) {
            return Ok(None);
        }
        if let Some((own, successor)) =
            Self::successor(&ec2, &Elbv2::new(ctx), &known, service.as_ref()).await?
        {
            // What this state recorded is the successor's now: this resource is gone.
            ctx.progress
                .info(naming::left_to_successor(own, &successor, "what it made"));
            return Ok(None);
        }
        let (mut live, state) = observe(ctx, &inputs, &known, service).await?;
        if old.is_none() {
            // Imported: what AWS cannot tell us takes its default.
            live.force_destroy = Some(false);
            live.target_ips.get_or_insert_with(Vec::new);
        }
        Ok(Some((live, state)))
    }

    async fn update(
        &self,
        ctx: &Context,
        id: &str,
        old: (&ProducerInputs, &ProducerState),
        news: &ProducerInputs,
    ) -> Result<ProducerState, ResourceError> {
        Self::apply(ctx, id, news, Some(old)).await
    }

    async fn delete(
        &self,
        ctx: &Context,
        id: &str,
        (inputs, state): (&ProducerInputs, &ProducerState),
    ) -> Result<(), ResourceError> {
        let ec2 = Ec2::new(ctx);
        let elb = Elbv2::new(ctx);

        let own = state.instance_id.as_deref();
        let service = Self::find_service(&ec2, id, inputs, state)
            .await?
            .filter(|s| {
                state.service_id.is_some() || naming::other_instance(&s.tags, own).is_none()
            });
        if let Some((own, successor)) = Self::successor(&ec2, &elb, state, service.as_ref()).await?
        {
            ctx.progress.warn(naming::left_to_successor(
                own,
                &successor,
                "everything it made",
            ));
            return Ok(());
        }
        if let Some(service) = service {
            let live: Vec<_> = ec2
                .connections(&service.id)
                .await?
                .into_iter()
                .filter(|c| c.state.is_live())
                .collect();
            if !live.is_empty() && !inputs.force_destroy() {
                let list: Vec<String> = live
                    .iter()
                    .map(|c| format!("{} (account {}, {})", c.endpoint_id, c.owner, c.state))
                    .collect();
                return Err(ResourceError::Invalid(format!(
                    "endpoint service {} still has consumer connections: {}. Delete those \
                     endpoints first (destroy the PrivateLinkConsumer stacks), or set \
                     forceDestroy: true to reject them",
                    service.id,
                    list.join(", ")
                )));
            }
            if !live.is_empty() {
                ctx.progress.warn(format!(
                    "forceDestroy: rejecting {} consumer connection(s)",
                    live.len()
                ));
                let ids = live.into_iter().map(|c| c.endpoint_id).collect();
                ec2.reject_connections(&service.id, ids).await?;
            }
            ctx.progress.status("deleting endpoint service");
            ec2.delete_endpoint_service(&service.id).await?;
        }

        // Found by name only when the create stopped before recording it: delete it only if
        // our tag says this resource made it.
        let balancer = match &state.load_balancer_arn {
            Some(arn) => elb.load_balancer(arn).await?,
            None => match elb.load_balancer_named(inputs.name()).await? {
                Some(lb) if Self::made_here(&elb, &lb.arn, inputs.name(), own).await? => Some(lb),
                _ => None,
            },
        };
        // Deleting the balancer deletes its listeners, which frees the target group: no
        // listener deletes of our own (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html).
        if let Some(balancer) = balancer {
            ctx.progress.status("deleting load balancer");
            elb.delete_load_balancer(&balancer.arn).await?;
        }
        let target_group = match &state.target_group_arn {
            Some(arn) => Some(arn.clone()),
            None => match elb.target_group_named(inputs.name()).await? {
                Some(g) if Self::made_here(&elb, &g.arn, inputs.name(), own).await? => Some(g.arn),
                _ => None,
            },
        };
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
        ctx.progress.status(
            "deleting target group and security group (AWS releases load balancer interfaces late)",
        );
        let (target_group, group) = futures::join!(
            async {
                match target_group {
                    Some(arn) => elb.delete_target_group(&arn).await,
                    None => Ok(()),
                }
            },
            async {
                match group {
                    Some(id) => ec2.delete_security_group(&id).await,
                    None => Ok(()),
                }
            },
        );
        target_group?;
        group?;
        Ok(())
    }
}
