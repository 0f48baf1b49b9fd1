//! The Elastic Load Balancing v2 calls the producer makes: an internal Network Load Balancer with
//! a security group, an IP target group with TCP health checks, and a TCP listener. The
//! [`LoadBalancingApi`] trait lists them, [`SdkElbv2`] makes them with the SDK, and [`Elbv2`] is
//! the handle resources hold (see `aws`'s comment), which adds the waits on top of the calls.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum,
    LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    TargetDescription, TargetTypeEnum,
};

use super::error::{absent, required, AwsError};
use super::retry::{all_pages, send, EVENTUALLY_VISIBLE, TRANSIENT, UNTIL_RELEASED};
use super::session::Backend;
use super::states::{LoadBalancerState, TargetHealthState};
use super::tags::{self, from_sdk, to_sdk, Tags};
use crate::config::Context;
use pulumi_rs_provider::runtime::resource::ResourceError;
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

const CROSS_ZONE: &str = "load_balancing.cross_zone.enabled";

#[derive(Debug, Clone)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    pub state: LoadBalancerState,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub security_groups: Vec<String>,
    /// `None` when the balancer has no security groups (then the setting does not apply).
    pub enforce_inbound_rules_on_privatelink: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    pub interval_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
    /// `None`: the target's own port (`traffic-port`).
    pub port: Option<u16>,
}

impl HealthCheck {
    /// TCP's default timeout is 10 s and may not exceed the interval (ELB guide, "Health checks
    /// for Network Load Balancer target groups"): a shorter interval gets a timeout that fits.
    pub fn timeout_seconds(&self) -> i32 {
        self.interval_seconds.clamp(2, 10)
    }
}

#[derive(Debug, Clone)]
pub struct TargetGroup {
    pub arn: String,
    pub port: i32,
    pub health_check: HealthCheck,
}

#[derive(Debug, Clone)]
pub struct Listener {
    pub arn: String,
    pub port: i32,
    pub target_group_arn: Option<String>,
}

super::api_trait! {
    /// The load balancing calls the producer makes. Lookups answer `None` for what does not
    /// exist; deletes of what is gone succeed.
    pub trait LoadBalancingApi for SdkElbv2<'_> {
        async fn load_balancer(&self, arn: &str) -> Result<Option<LoadBalancer>, AwsError>;
        async fn load_balancer_named(&self, name: &str) -> Result<Option<LoadBalancer>, AwsError>;
        /// Creates an internal NLB; idempotent for the same name and settings.
        async fn create_load_balancer(
            &self,
            name: &str,
            subnet_ids: &[String],
            security_group_id: &str,
            tags: &Tags,
        ) -> Result<LoadBalancer, AwsError>;
        /// Makes the balancer's subnets exactly `subnet_ids`.
        async fn set_subnets(&self, arn: &str, subnet_ids: &[String]) -> Result<(), AwsError>;
        async fn cross_zone(&self, arn: &str) -> Result<bool, AwsError>;
        async fn set_cross_zone(&self, arn: &str, enabled: bool) -> Result<(), AwsError>;
        /// Whether the security group's inbound rules apply to PrivateLink traffic.
        async fn set_enforce_on_privatelink(
            &self,
            arn: &str,
            security_group_id: &str,
            enforce: bool,
        ) -> Result<(), AwsError>;
        /// DeleteLoadBalancer: AWS deletes it in the background. Gone already is fine.
        async fn start_deleting_load_balancer(&self, arn: &str) -> Result<(), AwsError>;
        async fn target_group(&self, arn: &str) -> Result<Option<TargetGroup>, AwsError>;
        async fn target_group_named(&self, name: &str) -> Result<Option<TargetGroup>, AwsError>;
        /// Creates a TCP target group of IP targets; idempotent for the same name and settings.
        async fn create_target_group(
            &self,
            name: &str,
            vpc_id: &str,
            port: u16,
            health: &HealthCheck,
            tags: &Tags,
        ) -> Result<TargetGroup, AwsError>;
        async fn set_health_check(&self, arn: &str, health: &HealthCheck) -> Result<(), AwsError>;
        /// The IPs registered in the group (in any state but `draining`).
        async fn registered_ips(&self, arn: &str) -> Result<BTreeSet<String>, AwsError>;
        /// The same, each with the AvailabilityZone it was registered for.
        async fn registered_targets(
            &self,
            arn: &str,
        ) -> Result<BTreeMap<String, Option<String>>, AwsError>;
        /// Registers `ips`; those in `outside_vpc` for AvailabilityZone `all`.
        async fn register_targets(
            &self,
            arn: &str,
            ips: &[String],
            port: u16,
            outside_vpc: &BTreeSet<String>,
        ) -> Result<(), AwsError>;
        async fn deregister_targets(
            &self,
            arn: &str,
            registered: &BTreeMap<String, Option<String>>,
            port: u16,
        ) -> Result<(), AwsError>;
        /// Deletes the group, waiting while the listener that used it is still being removed.
        async fn delete_target_group(&self, arn: &str) -> Result<(), AwsError>;
        async fn listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, AwsError>;
        async fn create_listener(
            &self,
            load_balancer_arn: &str,
            port: u16,
            target_group_arn: &str,
            tags: &Tags,
        ) -> Result<Listener, AwsError>;
        async fn set_listener_port(&self, arn: &str, port: u16) -> Result<(), AwsError>;
        async fn delete_listener(&self, arn: &str) -> Result<(), AwsError>;
        /// The tags of each ARN given.
        async fn tags(&self, arns: &[String]) -> Result<Vec<(String, Tags)>, AwsError>;
        /// Adds or overwrites these tags (AddTags); see [`Elbv2::sync_tags`].
        async fn add_tags(&self, arn: &str, tags: Tags) -> Result<(), AwsError>;
        /// Removes these tag keys (RemoveTags).
        async fn remove_tags(&self, arn: &str, keys: Vec<String>) -> Result<(), AwsError>;
    }
}

/// What resources hold: the implementation of [`LoadBalancingApi`] the context's session
/// names, and the waits built on its reads.
pub struct Elbv2<'a> {
    api: Box<dyn LoadBalancingApi + 'a>,
    ctx: &'a Context,
}

impl<'a> Deref for Elbv2<'a> {
    type Target = dyn LoadBalancingApi + 'a;

    fn deref(&self) -> &Self::Target {
        self.api.as_ref()
    }
}

impl<'a> Elbv2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        let api: Box<dyn LoadBalancingApi + 'a> = match ctx.provider.session().backend() {
            Backend::Sdk => Box::new(SdkElbv2::new(ctx)),
            #[cfg(test)]
            Backend::Fake(fake) => Box::new(super::fake::FakeElbv2::new(fake, ctx)),
        };
        Elbv2 { api, ctx }
    }

    /// Makes the resource's tags `desired`; keys we set before (`previous`) that are no longer
    /// wanted are removed, tags set by others stay.
    pub async fn sync_tags(
        &self,
        arn: &str,
        current: &Tags,
        desired: &Tags,
        previous: &Tags,
    ) -> Result<(), AwsError> {
        let api = self.api.as_ref();
        tags::sync(
            current,
            desired,
            previous,
            |set| api.add_tags(arn, set),
            |keys| api.remove_tags(arn, keys),
        )
        .await
    }

    /// Waits until the balancer is `active` (NLBs take a few minutes).
    pub async fn wait_active(&self, arn: &str) -> Result<LoadBalancer, ResourceError> {
        wait_for(
            self.ctx,
            "load balancer to become active",
            Backoff::default(),
            || async {
                match self.load_balancer(arn).await? {
                    Some(lb) if lb.state == LoadBalancerState::Active => Ok(Poll::Ready(lb)),
                    Some(lb) if lb.state == LoadBalancerState::Failed => {
                        Err(ResourceError::Cloud {
                            operation: "CreateLoadBalancer".into(),
                            message: format!("load balancer {} failed to provision", lb.name),
                        })
                    }
                    Some(lb) => Ok(Poll::Pending(lb.state.to_string())),
                    None => Ok(Poll::Pending("not visible yet".into())),
                }
            },
        )
        .await
    }

    /// Deletes the balancer and waits until it is gone. Gone already is fine.
    pub async fn delete_load_balancer(&self, arn: &str) -> Result<(), ResourceError> {
        self.start_deleting_load_balancer(arn).await?;
        wait_for(
            self.ctx,
            "load balancer to be deleted",
            Backoff::default(),
            || async {
                Ok(match self.load_balancer(arn).await? {
                    None => Poll::Ready(()),
                    Some(lb) => Poll::Pending(lb.state.to_string()),
                })
            },
        )
        .await
    }
}

/// [`LoadBalancingApi`] made with the AWS SDK.
pub struct SdkElbv2<'a> {
    client: aws_sdk_elasticloadbalancingv2::Client,
    ctx: &'a Context,
}

fn health_port(port: Option<&str>) -> Option<u16> {
    port.and_then(|p| p.parse().ok())
}

fn balancer_of(
    lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer,
) -> Result<LoadBalancer, AwsError> {
    const OP: &str = "DescribeLoadBalancers";
    Ok(LoadBalancer {
        arn: required(OP, "LoadBalancerArn", lb.load_balancer_arn())?,
        name: required(OP, "LoadBalancerName", lb.load_balancer_name())?,
        dns_name: required(OP, "DNSName", lb.dns_name())?,
        state: LoadBalancerState::parse(&required(
            OP,
            "State.Code",
            lb.state().and_then(|s| s.code()).map(|c| c.as_str()),
        )?),
        vpc_id: required(OP, "VpcId", lb.vpc_id())?,
        subnet_ids: lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.subnet_id().map(String::from))
            .collect(),
        security_groups: lb.security_groups().to_vec(),
        enforce_inbound_rules_on_privatelink: lb
            .enforce_security_group_inbound_rules_on_private_link_traffic()
            .map(|v| v.eq_ignore_ascii_case("on")),
    })
}

fn first_balancer(
    balancers: &[aws_sdk_elasticloadbalancingv2::types::LoadBalancer],
) -> Result<Option<LoadBalancer>, AwsError> {
    balancers.first().map(balancer_of).transpose()
}

impl<'a> SdkElbv2<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        SdkElbv2 {
            client: aws_sdk_elasticloadbalancingv2::Client::new(ctx.provider.session().sdk()),
            ctx,
        }
    }

    pub async fn load_balancer(&self, arn: &str) -> Result<Option<LoadBalancer>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeLoadBalancers",
                TRANSIENT,
                self.client
                    .describe_load_balancers()
                    .load_balancer_arns(arn)
            )
            .await,
        )?;
        match out {
            Some(out) => first_balancer(out.load_balancers()),
            None => Ok(None),
        }
    }

    pub async fn load_balancer_named(&self, name: &str) -> Result<Option<LoadBalancer>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeLoadBalancers",
                TRANSIENT,
                self.client.describe_load_balancers().names(name)
            )
            .await,
        )?;
        match out {
            Some(out) => first_balancer(out.load_balancers()),
            None => Ok(None),
        }
    }

    /// Creates an internal NLB; CreateLoadBalancer is idempotent for the same name and settings,
    /// so a retried create returns the balancer an interrupted one made.
    pub async fn create_load_balancer(
        &self,
        name: &str,
        subnet_ids: &[String],
        security_group_id: &str,
        tags: &Tags,
    ) -> Result<LoadBalancer, AwsError> {
        let out = send!(
            self.ctx,
            "CreateLoadBalancer",
            EVENTUALLY_VISIBLE,
            self.client
                .create_load_balancer()
                .name(name)
                .r#type(LoadBalancerTypeEnum::Network)
                .scheme(LoadBalancerSchemeEnum::Internal)
                .set_subnets(Some(subnet_ids.to_vec()))
                .security_groups(security_group_id)
                .set_tags(Some(to_sdk(tags)))
        )
        .await?;
        first_balancer(out.load_balancers())?.ok_or_else(|| {
            AwsError::reported(
                "CreateLoadBalancer",
                "EmptyResponse",
                "no load balancer in the answer",
            )
        })
    }

    /// Makes the balancer's subnets exactly `subnet_ids` (adds and removes in place).
    pub async fn set_subnets(&self, arn: &str, subnet_ids: &[String]) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "SetSubnets",
            TRANSIENT,
            self.client
                .set_subnets()
                .load_balancer_arn(arn)
                .set_subnets(Some(subnet_ids.to_vec()))
        )
        .await?;
        Ok(())
    }

    pub async fn cross_zone(&self, arn: &str) -> Result<bool, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeLoadBalancerAttributes",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_load_balancer_attributes()
                .load_balancer_arn(arn)
        )
        .await?;
        Ok(out
            .attributes()
            .iter()
            .any(|a| a.key() == Some(CROSS_ZONE) && a.value() == Some("true")))
    }

    pub async fn set_cross_zone(&self, arn: &str, enabled: bool) -> Result<(), AwsError> {
        let attribute = LoadBalancerAttribute::builder()
            .key(CROSS_ZONE)
            .value(enabled.to_string())
            .build();
        send!(
            self.ctx,
            "ModifyLoadBalancerAttributes",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_load_balancer_attributes()
                .load_balancer_arn(arn)
                .attributes(attribute.clone())
        )
        .await?;
        Ok(())
    }

    /// Sets whether the security group's inbound rules apply to PrivateLink traffic (only
    /// possible on an NLB created with a security group).
    pub async fn set_enforce_on_privatelink(
        &self,
        arn: &str,
        security_group_id: &str,
        enforce: bool,
    ) -> Result<(), AwsError> {
        let setting = if enforce {
            EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum::On
        } else {
            EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum::Off
        };
        send!(
            self.ctx,
            "SetSecurityGroups",
            EVENTUALLY_VISIBLE,
            self.client
                .set_security_groups()
                .load_balancer_arn(arn)
                .security_groups(security_group_id)
                .enforce_security_group_inbound_rules_on_private_link_traffic(setting.clone())
        )
        .await?;
        Ok(())
    }

    pub async fn start_deleting_load_balancer(&self, arn: &str) -> Result<(), AwsError> {
        absent(
            send!(
                self.ctx,
                "DeleteLoadBalancer",
                UNTIL_RELEASED,
                self.client.delete_load_balancer().load_balancer_arn(arn)
            )
            .await,
        )?;
        Ok(())
    }

    pub async fn target_group(&self, arn: &str) -> Result<Option<TargetGroup>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeTargetGroups",
                TRANSIENT,
                self.client.describe_target_groups().target_group_arns(arn)
            )
            .await,
        )?;
        match out {
            Some(out) => out.target_groups().first().map(group_of).transpose(),
            None => Ok(None),
        }
    }

    pub async fn target_group_named(&self, name: &str) -> Result<Option<TargetGroup>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeTargetGroups",
                TRANSIENT,
                self.client.describe_target_groups().names(name)
            )
            .await,
        )?;
        match out {
            Some(out) => out.target_groups().first().map(group_of).transpose(),
            None => Ok(None),
        }
    }

    /// Creates a TCP target group of IP targets; idempotent for the same name and settings.
    pub async fn create_target_group(
        &self,
        name: &str,
        vpc_id: &str,
        port: u16,
        health: &HealthCheck,
        tags: &Tags,
    ) -> Result<TargetGroup, AwsError> {
        let out = send!(
            self.ctx,
            "CreateTargetGroup",
            TRANSIENT,
            self.client
                .create_target_group()
                .name(name)
                .protocol(ProtocolEnum::Tcp)
                .port(port.into())
                .vpc_id(vpc_id)
                .target_type(TargetTypeEnum::Ip)
                .health_check_protocol(ProtocolEnum::Tcp)
                .health_check_port(port_setting(health.port))
                .health_check_interval_seconds(health.interval_seconds)
                .health_check_timeout_seconds(health.timeout_seconds())
                .healthy_threshold_count(health.healthy_threshold)
                .unhealthy_threshold_count(health.unhealthy_threshold)
                .set_tags(Some(to_sdk(tags)))
        )
        .await?;
        out.target_groups()
            .first()
            .map(group_of)
            .transpose()?
            .ok_or_else(|| {
                AwsError::reported(
                    "CreateTargetGroup",
                    "EmptyResponse",
                    "no target group in the answer",
                )
            })
    }

    pub async fn set_health_check(&self, arn: &str, health: &HealthCheck) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "ModifyTargetGroup",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_target_group()
                .target_group_arn(arn)
                .health_check_protocol(ProtocolEnum::Tcp)
                .health_check_port(port_setting(health.port))
                .health_check_interval_seconds(health.interval_seconds)
                .health_check_timeout_seconds(health.timeout_seconds())
                .healthy_threshold_count(health.healthy_threshold)
                .unhealthy_threshold_count(health.unhealthy_threshold)
        )
        .await?;
        Ok(())
    }

    /// The IPs registered in the group (in any state but `draining`).
    pub async fn registered_ips(&self, arn: &str) -> Result<BTreeSet<String>, AwsError> {
        Ok(self.registered_targets(arn).await?.into_keys().collect())
    }

    /// The IPs registered in the group (in any state but `draining`), each with the
    /// AvailabilityZone it was registered for (`all` for an address outside the VPC): a
    /// deregistration must name the same zone.
    pub async fn registered_targets(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, Option<String>>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeTargetHealth",
            EVENTUALLY_VISIBLE,
            self.client.describe_target_health().target_group_arn(arn)
        )
        .await?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .filter(|d| {
                d.target_health().and_then(|h| h.state()).is_none_or(|s| {
                    TargetHealthState::parse(s.as_str()) != TargetHealthState::Draining
                })
            })
            .filter_map(|d| d.target())
            .filter_map(|t| {
                let zone = t.availability_zone().map(String::from);
                t.id().map(|id| (id.to_string(), zone))
            })
            .collect())
    }

    /// Registers `ips`; those in `outside_vpc` (private addresses beyond the group's VPC, e.g.
    /// over peering) must be registered for AvailabilityZone `all`.
    pub async fn register_targets(
        &self,
        arn: &str,
        ips: &[String],
        port: u16,
        outside_vpc: &BTreeSet<String>,
    ) -> Result<(), AwsError> {
        let Some(targets) = targets(ips, port, outside_vpc) else {
            return Ok(());
        };
        send!(
            self.ctx,
            "RegisterTargets",
            EVENTUALLY_VISIBLE,
            self.client
                .register_targets()
                .target_group_arn(arn)
                .set_targets(Some(targets.clone()))
        )
        .await?;
        Ok(())
    }

    /// Deregisters each IP for the AvailabilityZone it was registered with (from
    /// [`Self::registered_targets`]).
    pub async fn deregister_targets(
        &self,
        arn: &str,
        registered: &BTreeMap<String, Option<String>>,
        port: u16,
    ) -> Result<(), AwsError> {
        if registered.is_empty() {
            return Ok(());
        }
        let targets: Vec<TargetDescription> = registered
            .iter()
            .map(|(ip, zone)| {
                TargetDescription::builder()
                    .id(ip)
                    .port(port.into())
                    .set_availability_zone(zone.clone())
                    .build()
            })
            .collect();
        send!(
            self.ctx,
            "DeregisterTargets",
            EVENTUALLY_VISIBLE,
            self.client
                .deregister_targets()
                .target_group_arn(arn)
                .set_targets(Some(targets.clone()))
        )
        .await?;
        Ok(())
    }

    /// Deletes the group, waiting while the listener that used it is still being removed.
    pub async fn delete_target_group(&self, arn: &str) -> Result<(), AwsError> {
        absent(
            send!(
                self.ctx,
                "DeleteTargetGroup",
                UNTIL_RELEASED,
                self.client.delete_target_group().target_group_arn(arn)
            )
            .await,
        )?;
        Ok(())
    }

    pub async fn listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, AwsError> {
        let listeners = all_pages(|marker| async move {
            let out = absent(
                send!(
                    self.ctx,
                    "DescribeListeners",
                    TRANSIENT,
                    self.client
                        .describe_listeners()
                        .load_balancer_arn(load_balancer_arn)
                        .set_marker(marker.clone())
                )
                .await,
            )?;
            let Some(out) = out else {
                return Ok((Vec::new(), None));
            };
            let page = out
                .listeners()
                .iter()
                .map(|l| {
                    Ok(Listener {
                        arn: required("DescribeListeners", "ListenerArn", l.listener_arn())?,
                        port: l.port().ok_or_else(|| {
                            AwsError::reported(
                                "DescribeListeners",
                                "IncompleteResponse",
                                "the answer has no Port",
                            )
                        })?,
                        target_group_arn: l
                            .default_actions()
                            .iter()
                            .find_map(|a| a.target_group_arn().map(String::from)),
                    })
                })
                .collect::<Result<Vec<_>, AwsError>>()?;
            Ok((page, out.next_marker().map(String::from)))
        })
        .await?;
        Ok(listeners)
    }

    pub async fn create_listener(
        &self,
        load_balancer_arn: &str,
        port: u16,
        target_group_arn: &str,
        tags: &Tags,
    ) -> Result<Listener, AwsError> {
        let forward = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .target_group_arn(target_group_arn)
            .build();
        let out = send!(
            self.ctx,
            "CreateListener",
            EVENTUALLY_VISIBLE,
            self.client
                .create_listener()
                .load_balancer_arn(load_balancer_arn)
                .protocol(ProtocolEnum::Tcp)
                .port(port.into())
                .default_actions(forward.clone())
                .set_tags(Some(to_sdk(tags)))
        )
        .await?;
        let listener = out.listeners().first().ok_or_else(|| {
            AwsError::reported(
                "CreateListener",
                "EmptyResponse",
                "no listener in the answer",
            )
        })?;
        Ok(Listener {
            arn: required("CreateListener", "ListenerArn", listener.listener_arn())?,
            port: port.into(),
            target_group_arn: Some(target_group_arn.into()),
        })
    }

    pub async fn set_listener_port(&self, arn: &str, port: u16) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "ModifyListener",
            EVENTUALLY_VISIBLE,
            self.client
                .modify_listener()
                .listener_arn(arn)
                .port(port.into())
        )
        .await?;
        Ok(())
    }

    pub async fn delete_listener(&self, arn: &str) -> Result<(), AwsError> {
        absent(
            send!(
                self.ctx,
                "DeleteListener",
                TRANSIENT,
                self.client.delete_listener().listener_arn(arn)
            )
            .await,
        )?;
        Ok(())
    }

    /// The tags of each ARN given.
    pub async fn tags(&self, arns: &[String]) -> Result<Vec<(String, Tags)>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeTags",
            EVENTUALLY_VISIBLE,
            self.client
                .describe_tags()
                .set_resource_arns(Some(arns.to_vec()))
        )
        .await?;
        out.tag_descriptions()
            .iter()
            .map(|d| {
                Ok((
                    required("DescribeTags", "ResourceArn", d.resource_arn())?,
                    from_sdk(d.tags()),
                ))
            })
            .collect()
    }

    pub async fn add_tags(&self, arn: &str, tags: Tags) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "AddTags",
            EVENTUALLY_VISIBLE,
            self.client
                .add_tags()
                .resource_arns(arn)
                .set_tags(Some(to_sdk(&tags)))
        )
        .await?;
        Ok(())
    }

    pub async fn remove_tags(&self, arn: &str, keys: Vec<String>) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "RemoveTags",
            EVENTUALLY_VISIBLE,
            self.client
                .remove_tags()
                .resource_arns(arn)
                .set_tag_keys(Some(keys.clone()))
        )
        .await?;
        Ok(())
    }
}

fn port_setting(port: Option<u16>) -> String {
    port.map(|p| p.to_string())
        .unwrap_or_else(|| "traffic-port".into())
}

fn targets(
    ips: &[String],
    port: u16,
    outside_vpc: &BTreeSet<String>,
) -> Option<Vec<TargetDescription>> {
    let targets: Vec<_> = ips
        .iter()
        .map(|ip| {
            TargetDescription::builder()
                .id(ip)
                .port(port.into())
                .set_availability_zone(outside_vpc.contains(ip).then(|| "all".to_string()))
                .build()
        })
        .collect();
    (!targets.is_empty()).then_some(targets)
}

fn group_of(
    tg: &aws_sdk_elasticloadbalancingv2::types::TargetGroup,
) -> Result<TargetGroup, AwsError> {
    const OP: &str = "DescribeTargetGroups";
    Ok(TargetGroup {
        arn: required(OP, "TargetGroupArn", tg.target_group_arn())?,
        port: tg.port().ok_or_else(|| {
            AwsError::reported(OP, "IncompleteResponse", "the answer has no Port")
        })?,
        // AWS always answers these; the fallbacks are its documented defaults for TCP groups.
        health_check: HealthCheck {
            interval_seconds: tg.health_check_interval_seconds().unwrap_or(30),
            healthy_threshold: tg.healthy_threshold_count().unwrap_or(5),
            unhealthy_threshold: tg.unhealthy_threshold_count().unwrap_or(2),
            port: health_port(tg.health_check_port()),
        },
    })
}
