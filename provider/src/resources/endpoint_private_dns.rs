//! `privatelink:index:EndpointPrivateDns`: private DNS on one interface endpoint, as a resource
//! of its own in the consumer account. AWS turns private DNS on only for an accepted endpoint,
//! and the acceptance is the producer's (another provider); with the endpoint id taken from the
//! EndpointAcceptance's output the engine runs this after it, so one `pulumi up` ends with private
//! DNS on. Deleting it turns private DNS off. The id is the endpoint id.

use std::time::Duration;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::ec2::{
    DnsVerificationState, Ec2, Endpoint, EndpointChange, EndpointState, ServiceDetail, Tags,
};
use crate::aws::error::ErrorKind;
use crate::config::{Configured, Context};
use crate::resources::naming;
use crate::validate::Failures;
use pulumi_rs_provider::runtime::resource::{Checked, Resource, ResourceError};
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

// The default of `privateDnsEnabled`, written once: decoding fills it in (serde), the schema
// shows it (schemars calls the same function), and `wanted` falls back to it for a null.
const DEFAULT_PRIVATE_DNS: bool = true;

fn default_private_dns() -> Option<bool> {
    Some(DEFAULT_PRIVATE_DNS)
}

// endpointId decodes to "" when missing so that a preview with unknowns still decodes; Check
// names it when missing, and the schema marks it required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivateDnsInputs {
    /// The consumer's endpoint id, `vpce-...`: take it from the EndpointAcceptance's
    /// `endpointId` output, so that this runs after the acceptance (AWS turns private DNS on
    /// only for an accepted endpoint).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub endpoint_id: String,
    /// Whether private DNS is on. A refresh records what AWS has, so a change made outside
    /// shows as a diff that the next `pulumi up` undoes.
    #[serde(default = "default_private_dns")]
    pub private_dns_enabled: Option<bool>,
}

impl PrivateDnsInputs {
    fn wanted(&self) -> bool {
        self.private_dns_enabled.unwrap_or(DEFAULT_PRIVATE_DNS)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PrivateDnsState {
    // This create's id, tagged on the endpoint as OWNER_TAG.
    /// Id of the create that manages the endpoint's private DNS, tagged on the endpoint as
    /// `pulumi-privatelink:private-dns-instance`. A replacement the engine makes without asking
    /// the provider (`pulumi up --replace`, a replaced provider) creates the successor first,
    /// which re-tags the endpoint; the old resource's delete then leaves private DNS on.
    pub instance_id: Option<String>,
    // What AWS has (over the input): differs from the input only after a create or update that
    // stopped part-way, which the next `up` then finishes.
    /// Whether AWS has private DNS on for the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_enabled: Option<bool>,
    /// The service's private DNS name as the endpoint answers for it in the VPC, while private
    /// DNS is on.
    pub private_dns_name: Option<String>,
}

/// Turns on private DNS for one consumer endpoint: inside the consumer VPC the endpoint
/// service's private DNS name resolves to the endpoint. Run it with the consumer account's
/// credentials. Create waits until the endpoint is accepted and available, turns private DNS on
/// and waits until AWS shows it; deleting it turns private DNS off (an endpoint already gone is
/// fine). It tags the endpoint with its `instanceId`. The service's private DNS name must be
/// verified and the VPC needs enableDnsSupport and enableDnsHostnames. Leave the
/// PrivateLinkConsumer's `privateDnsEnabled` unset, so that only this resource manages it.
#[derive(JsonSchema)]
pub struct EndpointPrivateDns;

/// Tag on the endpoint naming the instance that manages its private DNS. The successor of a
/// replacement the engine forces is created before the old resource is deleted (see
/// naming::INSTANCE_TAG) and re-tags the endpoint; the old one's delete then leaves private DNS
/// on. Not the consumer's INSTANCE_TAG: the endpoint is the consumer's piece.
pub(crate) const OWNER_TAG: &str = "pulumi-privatelink:private-dns-instance";

fn owner_tag(instance_id: &str) -> Tags {
    Tags::from([(OWNER_TAG.to_string(), instance_id.to_string())])
}

/// The instance the endpoint's tag names, when it is not `own` (a state without an instance id
/// claims nothing).
fn successor<'e>(endpoint: &'e Endpoint, own: Option<&str>) -> Option<&'e str> {
    let tagged = endpoint.tags.get(OWNER_TAG)?;
    (own.is_some() && Some(tagged.as_str()) != own).then_some(tagged.as_str())
}

/// How long create waits for the endpoint to be accepted and available (the acceptance may run
/// at the same time when the endpoint id is not taken from it).
const AVAILABLE_WITHIN: Duration = Duration::from_secs(20 * 60);
/// AWS answers the change at once; DescribeVpcEndpoints shows it moments later.
const SHOWN_WITHIN: Duration = Duration::from_secs(5 * 60);

/// Whether AWS will turn private DNS on for an endpoint to `service` (as this account sees it,
/// `None` when it cannot) in `vpc_id`; every refusal names `property` and says what to do, before
/// anything is written.
pub async fn check_possible(
    ec2: &Ec2<'_>,
    service_name: &str,
    service: Option<&ServiceDetail>,
    vpc_id: &str,
    property: &str,
) -> Result<(), ResourceError> {
    // A service this account cannot see is refused by the consumer or by ModifyVpcEndpoint
    // itself; only what the service says about private DNS is checked here.
    if let Some(service) = service {
        let Some(name) = &service.private_dns_name else {
            return Err(ResourceError::Invalid(format!(
                "{property}: endpoint service `{service_name}` has no private DNS name; leave \
                 private DNS off and use the endpoint's dnsName"
            )));
        };
        if let Some(state) = service
            .private_dns_state
            .as_ref()
            .filter(|s| **s != DnsVerificationState::Verified)
        {
            return Err(ResourceError::Invalid(format!(
                "{property}: the service's private DNS name `{name}` is not verified yet \
                 ({state}); the producer must publish its privateDnsVerification TXT record first"
            )));
        }
    }
    let (support, hostnames) = ec2.vpc_dns_attributes(vpc_id).await?;
    if !(support && hostnames) {
        return Err(ResourceError::Invalid(format!(
            "{property}: VPC {vpc_id} needs enableDnsSupport and enableDnsHostnames turned on \
             (now {support} and {hostnames})"
        )));
    }
    Ok(())
}

fn not_found(endpoint_id: &str) -> ResourceError {
    ResourceError::Invalid(format!(
        "endpointId: endpoint {endpoint_id} does not exist in this account (is this the \
         consumer account's provider?)"
    ))
}

/// The endpoint once it is `available` (accepted); a connection that can no longer be accepted
/// is an error at once.
async fn available(
    ctx: &Context,
    ec2: &Ec2<'_>,
    endpoint_id: &str,
) -> Result<Endpoint, ResourceError> {
    wait_for(
        ctx,
        "the endpoint to be accepted and available",
        Backoff::until(AVAILABLE_WITHIN),
        || async {
            let endpoint = ec2
                .endpoint(endpoint_id)
                .await?
                .ok_or_else(|| not_found(endpoint_id))?;
            match endpoint.state {
                EndpointState::Available => Ok(Poll::Ready(endpoint)),
                EndpointState::PendingAcceptance | EndpointState::Pending => {
                    Ok(Poll::Pending(endpoint.state.to_string()))
                }
                other => Err(ResourceError::Invalid(format!(
                    "endpointId: endpoint {endpoint_id} is {other}; private DNS can be turned on \
                     only for an accepted endpoint"
                ))),
            }
        },
    )
    .await
}

/// Sets private DNS to `wanted` and waits until DescribeVpcEndpoints shows it.
async fn set(
    ctx: &Context,
    ec2: &Ec2<'_>,
    endpoint: &Endpoint,
    wanted: bool,
) -> Result<Endpoint, ResourceError> {
    if endpoint.private_dns_enabled == wanted {
        return Ok(endpoint.clone());
    }
    ctx.progress.status(format!(
        "turning private DNS {} for endpoint {}",
        if wanted { "on" } else { "off" },
        endpoint.id
    ));
    let change = EndpointChange {
        private_dns_enabled: Some(wanted),
        ..EndpointChange::default()
    };
    ec2.modify_endpoint(&endpoint.id, &change).await?;
    wait_for(
        ctx,
        "the endpoint's private DNS change",
        Backoff::until(SHOWN_WITHIN),
        || async {
            match ec2.endpoint(&endpoint.id).await? {
                Some(e) if e.private_dns_enabled == wanted => Ok(Poll::Ready(e)),
                Some(e) => Ok(Poll::Pending(format!("{}, not shown yet", e.state))),
                None => Err(not_found(&endpoint.id)),
            }
        },
    )
    .await
}

fn observed(endpoint: &Endpoint, instance_id: Option<&str>) -> PrivateDnsState {
    PrivateDnsState {
        instance_id: instance_id.map(String::from),
        private_dns_enabled: Some(endpoint.private_dns_enabled),
        private_dns_name: endpoint
            .private_dns_entries()
            .next()
            .map(|d| d.dns_name.clone()),
    }
}

/// Brings the endpoint to the inputs, first tagging it as this instance's. Once the tag is
/// written, a failure keeps the resource in state (partial), so that a destroy turns private DNS
/// off again.
async fn apply(
    ctx: &Context,
    inputs: &PrivateDnsInputs,
    instance_id: &str,
) -> Result<PrivateDnsState, ResourceError> {
    let ec2 = Ec2::new(ctx);
    let endpoint = match ec2.endpoint_just_made(&inputs.endpoint_id).await {
        Ok(Some(endpoint)) if !endpoint.state.is_gone() => endpoint,
        Ok(_) => return Err(not_found(&inputs.endpoint_id)),
        Err(e) if e.is(ErrorKind::NotFound) => return Err(not_found(&inputs.endpoint_id)),
        Err(e) => return Err(e.into()),
    };
    if inputs.wanted() && !endpoint.private_dns_enabled {
        let service = ec2
            .service_detail(&endpoint.service_name, endpoint.service_region.as_deref())
            .await?;
        check_possible(
            &ec2,
            &endpoint.service_name,
            service.as_ref(),
            &endpoint.vpc_id,
            "endpointId",
        )
        .await?;
    }
    let before = observed(&endpoint, Some(instance_id));
    let claimed = async {
        ec2.sync_tags(
            &endpoint.id,
            &endpoint.tags,
            &owner_tag(instance_id),
            &Tags::default(),
        )
        .await?;
        let endpoint = if endpoint.private_dns_enabled == inputs.wanted() {
            endpoint
        } else {
            if endpoint.state != EndpointState::Available {
                ctx.progress.status(format!(
                    "waiting for endpoint {} to be accepted and available ({})",
                    endpoint.id, endpoint.state
                ));
            }
            available(ctx, &ec2, &endpoint.id).await?
        };
        set(ctx, &ec2, &endpoint, inputs.wanted()).await
    };
    claimed
        .await
        .map(|e| observed(&e, Some(instance_id)))
        .map_err(|e| ResourceError::partial(inputs.endpoint_id.clone(), inputs, &before, e))
}

#[async_trait]
impl Resource for EndpointPrivateDns {
    const TOKEN: &'static str = "privatelink:index:EndpointPrivateDns";
    type Provider = Configured;
    type Inputs = PrivateDnsInputs;
    type State = PrivateDnsState;
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["endpointId"];
    const STABLE_ON_UPDATE: &'static [&'static str] = &["instanceId", "privateDnsName"];

    async fn check(
        &self,
        _ctx: &Context,
        _olds: Option<&PrivateDnsInputs>,
        news: PrivateDnsInputs,
    ) -> Checked<PrivateDnsInputs> {
        let mut f = Failures::default();
        if f.required("endpointId", &news.endpoint_id) {
            f.aws_id("endpointId", &news.endpoint_id, "vpce", "a VPC endpoint");
        }
        f.checked(news)
    }

    /// A create or update that stopped after asking AWS records what AWS had then; the next
    /// update finishes it although the inputs did not change.
    fn unapplied(&self, state: &PrivateDnsState, inputs: &PrivateDnsInputs) -> Vec<String> {
        match state.private_dns_enabled {
            Some(live) if live != inputs.wanted() => vec!["privateDnsEnabled".into()],
            _ => vec![],
        }
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &PrivateDnsInputs,
    ) -> Result<(String, PrivateDnsState), ResourceError> {
        let state = apply(ctx, inputs, &naming::new_instance_id()).await?;
        Ok((inputs.endpoint_id.clone(), state))
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        old: Option<(&PrivateDnsInputs, &PrivateDnsState)>,
    ) -> Result<Option<(PrivateDnsInputs, PrivateDnsState)>, ResourceError> {
        let endpoint_id = old.map(|(i, _)| i.endpoint_id.as_str()).unwrap_or(id);
        let own = old.and_then(|(_, s)| s.instance_id.as_deref());
        let Some(endpoint) = Ec2::new(ctx)
            .endpoint(endpoint_id)
            .await?
            .filter(|e| !e.state.is_gone())
        else {
            return Ok(None);
        };
        // `successor` answers only for a state with an instance id.
        if let (Some(own), Some(successor)) = (own, successor(&endpoint, own)) {
            // Private DNS is the successor's to manage now: this resource is gone.
            ctx.progress
                .info(naming::left_to_successor(own, successor, "private DNS"));
            return Ok(None);
        }
        let inputs = PrivateDnsInputs {
            endpoint_id: endpoint.id.clone(),
            private_dns_enabled: Some(endpoint.private_dns_enabled),
        };
        Ok(Some((inputs, observed(&endpoint, own))))
    }

    async fn update(
        &self,
        ctx: &Context,
        _id: &str,
        (_, old): (&PrivateDnsInputs, &PrivateDnsState),
        news: &PrivateDnsInputs,
    ) -> Result<PrivateDnsState, ResourceError> {
        let instance_id = old
            .instance_id
            .clone()
            .unwrap_or_else(naming::new_instance_id);
        apply(ctx, news, &instance_id).await
    }

    async fn delete(
        &self,
        ctx: &Context,
        _id: &str,
        (inputs, state): (&PrivateDnsInputs, &PrivateDnsState),
    ) -> Result<(), ResourceError> {
        let ec2 = Ec2::new(ctx);
        let own = state.instance_id.as_deref();
        let Some(endpoint) = ec2
            .endpoint(&inputs.endpoint_id)
            .await?
            .filter(|e| !e.state.is_gone())
        else {
            // Gone or going: nothing resolves through it.
            return Ok(());
        };
        if let (Some(own), Some(successor)) = (own, successor(&endpoint, own)) {
            ctx.progress
                .warn(naming::left_to_successor(own, successor, "private DNS"));
            return Ok(());
        }
        let released = async {
            set(ctx, &ec2, &endpoint, false).await?;
            let ours = own.map(owner_tag).unwrap_or_default();
            ec2.sync_tags(&endpoint.id, &endpoint.tags, &Tags::default(), &ours)
                .await?;
            Ok::<(), ResourceError>(())
        };
        match released.await {
            Ok(()) => Ok(()),
            // Deleted meanwhile: the consumer's own destroy may run at the same time.
            Err(e) => match ec2.endpoint(&endpoint.id).await? {
                Some(live) if !live.state.is_gone() => Err(e),
                _ => Ok(()),
            },
        }
    }
}
