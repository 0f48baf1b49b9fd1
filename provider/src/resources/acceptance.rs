//! `privatelink:index:EndpointAcceptance`: the producer accepting one consumer's connection.
//! It runs with the producer account's credentials; deleting it rejects the connection. The id
//! is `<service id>/<endpoint id>`.

use std::time::Duration;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::ec2::{Connection, Ec2, EndpointState};
use crate::config::{Configured, Context};
use crate::validate::Failures;
use pulumi_rs_provider::runtime::resource::{Checked, Resource, ResourceError};
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

// Both inputs decode to "" when missing so that a preview with unknowns still decodes; Check
// names them when missing, and the schema marks them required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptanceInputs {
    /// The producer's endpoint service id, `vpce-svc-...`.
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub service_id: String,
    /// The consumer's endpoint id, `vpce-...` (the consumer's `endpointId` output).
    #[serde(default)]
    #[schemars(extend("required" = true))]
    pub endpoint_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AcceptanceState {
    /// The connection's state as the producer sees it: `pending`, `available`, `rejected`, ...
    pub state: String,
    /// The account that owns the endpoint.
    pub owner_account: String,
}

/// Accepts one consumer's connection request to an endpoint service; deleting it rejects the
/// connection. Run it with the producer account's credentials (an explicit provider with the
/// producer's profile or role).
#[derive(JsonSchema)]
pub struct EndpointAcceptance;

/// A consumer's endpoint shows up in the producer's connections moments after it is made.
const APPEAR_WITHIN: Duration = Duration::from_secs(120);
const ACCEPTED_WITHIN: Duration = Duration::from_secs(20 * 60);

async fn connection(
    ec2: &Ec2<'_>,
    inputs: &AcceptanceInputs,
) -> Result<Option<Connection>, ResourceError> {
    Ok(ec2
        .connections(&inputs.service_id)
        .await?
        .into_iter()
        .find(|c| c.endpoint_id == inputs.endpoint_id))
}

#[async_trait]
impl Resource for EndpointAcceptance {
    const TOKEN: &'static str = "privatelink:index:EndpointAcceptance";
    type Provider = Configured;
    type Inputs = AcceptanceInputs;
    type State = AcceptanceState;
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["serviceId", "endpointId"];
    const STABLE_ON_UPDATE: &'static [&'static str] = &["ownerAccount"];

    async fn check(
        &self,
        _ctx: &Context,
        _olds: Option<&AcceptanceInputs>,
        news: AcceptanceInputs,
    ) -> Checked<AcceptanceInputs> {
        let mut f = Failures::default();
        if f.required("serviceId", &news.service_id) {
            f.aws_id(
                "serviceId",
                &news.service_id,
                "vpce-svc",
                "an endpoint service",
            );
        }
        if f.required("endpointId", &news.endpoint_id) {
            f.aws_id("endpointId", &news.endpoint_id, "vpce", "a VPC endpoint");
        }
        f.checked(news)
    }

    async fn create(
        &self,
        ctx: &Context,
        inputs: &AcceptanceInputs,
    ) -> Result<(String, AcceptanceState), ResourceError> {
        let ec2 = Ec2::new(ctx);
        let found = wait_for(
            ctx,
            "the endpoint's connection request",
            Backoff::until(APPEAR_WITHIN),
            || async {
                Ok(match connection(&ec2, inputs).await? {
                    Some(c) => Poll::Ready(c),
                    None => Poll::Pending("no connection request yet".into()),
                })
            },
        )
        .await
        .map_err(|e| match e {
            ResourceError::Timeout(..) => ResourceError::Invalid(format!(
                "endpoint {} has no connection to service {} (is serviceId the producer's, and \
                 are these the producer account's credentials?)",
                inputs.endpoint_id, inputs.service_id
            )),
            other => other,
        })?;
        match found.state {
            EndpointState::PendingAcceptance => {
                ec2.accept_connections(&inputs.service_id, vec![inputs.endpoint_id.clone()])
                    .await?
            }
            EndpointState::Rejected
            | EndpointState::Failed
            | EndpointState::Expired
            | EndpointState::Deleting
            | EndpointState::Deleted => {
                return Err(ResourceError::Invalid(format!(
                    "the connection of endpoint {} is {}; it cannot be accepted (the consumer \
                     must recreate its endpoint)",
                    inputs.endpoint_id, found.state
                )))
            }
            _ => {}
        }
        let id = format!("{}/{}", inputs.service_id, inputs.endpoint_id);
        ctx.progress
            .status("waiting for the connection to become available");
        let accepted = wait_for(
            ctx,
            "the connection to become available",
            Backoff::until(ACCEPTED_WITHIN),
            || async {
                match connection(&ec2, inputs).await? {
                    Some(c) if c.state == EndpointState::Available => Ok(Poll::Ready(c)),
                    Some(c)
                        if matches!(c.state, EndpointState::Rejected | EndpointState::Failed) =>
                    {
                        Err(ResourceError::Cloud {
                            operation: "AcceptVpcEndpointConnections".into(),
                            message: format!("the connection became {}", c.state),
                        })
                    }
                    Some(c) => Ok(Poll::Pending(c.state.to_string())),
                    None => Ok(Poll::Pending("not visible".into())),
                }
            },
        )
        .await
        // Accepted already: cancelled or timed out, the engine must keep the acceptance in
        // state, or a destroy would never reject the connection again.
        .map_err(|e| {
            let pending = AcceptanceState {
                state: found.state.to_string(),
                owner_account: found.owner.clone(),
            };
            ResourceError::partial(id.clone(), inputs, &pending, e)
        })?;
        Ok((
            id,
            AcceptanceState {
                state: accepted.state.to_string(),
                owner_account: accepted.owner,
            },
        ))
    }

    async fn read(
        &self,
        ctx: &Context,
        id: &str,
        old: Option<(&AcceptanceInputs, &AcceptanceState)>,
    ) -> Result<Option<(AcceptanceInputs, AcceptanceState)>, ResourceError> {
        let inputs = match old {
            Some((inputs, _)) => inputs.clone(),
            None => match id.split_once('/') {
                Some((service_id, endpoint_id)) => AcceptanceInputs {
                    service_id: service_id.into(),
                    endpoint_id: endpoint_id.into(),
                },
                None => {
                    return Err(ResourceError::Invalid(format!(
                        "import id `{id}` must be `<service id>/<endpoint id>`"
                    )))
                }
            },
        };
        let ec2 = Ec2::new(ctx);
        Ok(connection(&ec2, &inputs)
            .await?
            .filter(|c| !c.state.is_gone())
            .map(|c| {
                (
                    inputs,
                    AcceptanceState {
                        state: c.state.to_string(),
                        owner_account: c.owner,
                    },
                )
            }))
    }

    async fn delete(
        &self,
        ctx: &Context,
        _id: &str,
        (inputs, _): (&AcceptanceInputs, &AcceptanceState),
    ) -> Result<(), ResourceError> {
        let ec2 = Ec2::new(ctx);
        let live = connection(&ec2, inputs)
            .await?
            .filter(|c| c.state.is_live());
        if live.is_some() {
            ctx.progress.status("rejecting the connection");
            match ec2
                .reject_connections(&inputs.service_id, vec![inputs.endpoint_id.clone()])
                .await
            {
                Ok(()) => {}
                // The service or endpoint went first: nothing is connected any more.
                Err(e) if e.is(crate::aws::error::ErrorKind::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
