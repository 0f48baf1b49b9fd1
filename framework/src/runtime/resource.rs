//! What a resource implements: typed inputs and outputs and the lifecycle methods. Nothing here
//! knows about protobuf or gRPC; the runtime handles unknowns, secrets and preview around it.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::progress::Progress;
use super::value::PropertyMap;
use super::wait::Pace;

/// A user mistake in one property, reported by Check next to that property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// The property path, as Pulumi prints it (`healthCheck.port`, `subnetIds[1]`).
    pub property: String,
    pub reason: String,
}

impl CheckFailure {
    pub fn new(property: impl Into<String>, reason: impl Into<String>) -> Self {
        CheckFailure {
            property: property.into(),
            reason: reason.into(),
        }
    }
}

/// Check's answer: the new inputs with defaults and the name filled in, and every problem found
/// in them. The inputs come back even when there are failures: during a preview the runtime
/// drops the failures about values not known yet and answers these inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<I> {
    pub inputs: I,
    pub failures: Vec<CheckFailure>,
}

/// How a changed property is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Update,
    Replace,
}

/// The per-property verdict of a diff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffPlan {
    /// Changed top-level properties and whether each is updated in place or forces a replace.
    pub changes: Vec<(String, ChangeKind)>,
    /// The replacement must be deleted before its successor is created, because both would
    /// claim the same physical names.
    pub delete_before_replace: bool,
}

impl DiffPlan {
    pub fn replaces(&self) -> bool {
        self.changes
            .iter()
            .any(|(_, kind)| *kind == ChangeKind::Replace)
    }
}

/// Why a lifecycle operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    /// Inputs that Check should have caught, or state that makes the operation impossible.
    #[error("{0}")]
    Invalid(String),
    /// A call to the cloud failed after the retries the caller allows.
    #[error("{operation}: {message}")]
    Cloud { operation: String, message: String },
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
    #[error("cancelled while {0}")]
    Cancelled(String),
    /// Create or update stopped part-way. `state` (inputs and computed state, as outputs)
    /// records what exists, so the engine keeps the
    /// resource and the next update continues (or destroy cleans up) from there.
    #[error("{source}")]
    Partial {
        id: String,
        state: PropertyMap,
        #[source]
        source: Box<ResourceError>,
    },
}

impl ResourceError {
    /// Wraps an error with the id, inputs and state of what was made before it happened.
    pub fn partial<I: Serialize, S: Serialize>(
        id: impl Into<String>,
        inputs: &I,
        state: &S,
        source: ResourceError,
    ) -> Self {
        match super::encode::merge(inputs, state) {
            Ok(state) => ResourceError::Partial {
                id: id.into(),
                state,
                source: Box::new(source),
            },
            Err(_) => source,
        }
    }
}

/// What every lifecycle call gets: who is asking, how long it may take, how to report progress,
/// and the configured provider (`P`, what the provider's [`Configure`](super::configure::Configure)
/// hook made of its configuration).
#[derive(Clone)]
pub struct Context<P> {
    pub urn: String,
    /// The resource's name in the program (the last part of the URN).
    pub name: String,
    /// The engine's seed for this registration: fresh in every deployment (and empty outside
    /// Check), so nothing that must be stable across runs may follow it.
    pub random_seed: Vec<u8>,
    pub deadline: Option<Instant>,
    pub cancel: CancellationToken,
    pub progress: Progress,
    /// The pace every wait of this plugin process shares (one per process, not per request).
    pub pace: Pace,
    pub provider: P,
}

impl<P> Context<P> {
    /// Time left before the engine's timeout, if one was set.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }
}

/// A resource, in the shape of pulumi-go-provider's `infer`: typed inputs, typed computed state,
/// and the lifecycle methods. Pulumi records both as the resource's outputs; the runtime merges
/// and splits them, so resource code never repeats its input fields. A resource implements
/// `create`, `read` and `delete`; the other methods have defaults it overrides when it needs to.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The Pulumi type token, e.g. `privatelink:index:PrivateLinkProducer`.
    const TOKEN: &'static str;
    /// The configured provider the resource runs with (its hook's `Configured`).
    type Provider: Clone + Send + Sync + 'static;
    type Inputs: Serialize + DeserializeOwned + Send + Sync;
    /// What the provider computes (ids, ARNs, observed state), beside the inputs.
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// Properties computed from an input (`(input, [properties])`): when the input is secret,
    /// so are they, in Check's inputs and in the outputs.
    const DERIVED: &'static [(&'static str, &'static [&'static str])] = &[];
    /// Top-level input properties whose change forces a replacement.
    const REPLACE_ON_CHANGE: &'static [&'static str] = &[];
    /// Whether a replacement must delete the old resource first (physical names reused).
    const DELETE_BEFORE_REPLACE: bool = false;
    /// Computed state that an in-place update never changes (ids, ARNs, names). A preview of
    /// an update shows these as they are, so that resources depending on them are not shown
    /// as changing; other computed state is unknown until the update runs.
    const STABLE_ON_UPDATE: &'static [&'static str] = &[];

    /// Validates and normalises new inputs (defaults filled in). `olds` are the previous inputs
    /// when the resource exists. Must not write to the cloud. During preview, unknown inputs
    /// arrive as empty values; the runtime discards failures about them and puts the unknowns
    /// back where they were in the returned inputs. The default accepts the inputs as decoded:
    /// right for a resource whose types say every rule.
    async fn check(
        &self,
        _ctx: &Context<Self::Provider>,
        _olds: Option<&Self::Inputs>,
        news: Self::Inputs,
    ) -> Checked<Self::Inputs> {
        Checked {
            inputs: news,
            failures: Vec::new(),
        }
    }

    /// Classifies changed input properties. The default replaces for `REPLACE_ON_CHANGE` and
    /// updates in place otherwise; override it when a change can only be judged from state.
    fn diff(&self, changed: &[String], _state: &Self::State, _news: &Self::Inputs) -> DiffPlan {
        DiffPlan {
            changes: changed
                .iter()
                .map(|p| {
                    let kind = if Self::REPLACE_ON_CHANGE.contains(&p.as_str()) {
                        ChangeKind::Replace
                    } else {
                        ChangeKind::Update
                    };
                    (p.clone(), kind)
                })
                .collect(),
            delete_before_replace: Self::DELETE_BEFORE_REPLACE,
        }
    }

    /// Input properties whose effect the recorded state (as the last refresh saw it) shows as not
    /// applied, so that the next update runs although the inputs did not change. Read only
    /// observes (a refresh must not write); the update then applies them.
    fn unapplied(&self, _state: &Self::State, _inputs: &Self::Inputs) -> Vec<String> {
        Vec::new()
    }

    /// Makes the resource; returns its id and state.
    async fn create(
        &self,
        ctx: &Context<Self::Provider>,
        inputs: &Self::Inputs,
    ) -> Result<(String, Self::State), ResourceError>;

    /// Reports the live inputs and state. `None` means the resource is gone. On import `old`
    /// is `None` and `id` is whatever the user passed to `pulumi import`.
    async fn read(
        &self,
        ctx: &Context<Self::Provider>,
        id: &str,
        old: Option<(&Self::Inputs, &Self::State)>,
    ) -> Result<Option<(Self::Inputs, Self::State)>, ResourceError>;

    /// Applies in-place changes and returns the new state. A resource whose every input is in
    /// `REPLACE_ON_CHANGE` is never updated in place (its diff only replaces) and keeps the
    /// default, which refuses rather than pretend a change was applied.
    async fn update(
        &self,
        _ctx: &Context<Self::Provider>,
        _id: &str,
        _old: (&Self::Inputs, &Self::State),
        _news: &Self::Inputs,
    ) -> Result<Self::State, ResourceError> {
        Err(ResourceError::Invalid(format!(
            "{} cannot be updated in place: every change to it replaces it",
            Self::TOKEN
        )))
    }

    /// Removes the resource; pieces already gone are not an error.
    async fn delete(
        &self,
        ctx: &Context<Self::Provider>,
        id: &str,
        old: (&Self::Inputs, &Self::State),
    ) -> Result<(), ResourceError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::testing::context;

    #[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
    struct Inputs {
        name: String,
    }

    /// A resource that implements only what it must.
    struct Minimal;

    #[async_trait]
    impl Resource for Minimal {
        const TOKEN: &'static str = "test:index:Minimal";
        const REPLACE_ON_CHANGE: &'static [&'static str] = &["name"];
        type Provider = ();
        type Inputs = Inputs;
        type State = ();

        async fn create(&self, _: &Context<()>, _: &Inputs) -> Result<(String, ()), ResourceError> {
            Ok(("m-1".into(), ()))
        }

        async fn read(
            &self,
            _: &Context<()>,
            _: &str,
            old: Option<(&Inputs, &())>,
        ) -> Result<Option<(Inputs, ())>, ResourceError> {
            Ok(old.map(|(inputs, _)| (inputs.clone(), ())))
        }

        async fn delete(
            &self,
            _: &Context<()>,
            _: &str,
            _: (&Inputs, &()),
        ) -> Result<(), ResourceError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_resource_without_check_or_update_accepts_its_inputs_and_only_replaces() {
        let (ctx, _) = context();
        let news = Inputs { name: "a".into() };
        let checked = Minimal.check(&ctx, None, news.clone()).await;
        assert_eq!(
            checked,
            Checked {
                inputs: news.clone(),
                failures: vec![]
            }
        );

        let plan = Minimal.diff(&["name".to_string()], &(), &news);
        assert!(plan.replaces(), "{plan:?}");

        let refused = Minimal.update(&ctx, "m-1", (&news, &()), &news).await;
        match refused {
            Err(ResourceError::Invalid(message)) => {
                assert!(message.contains("test:index:Minimal"), "{message}")
            }
            other => panic!("update should refuse, got {other:?}"),
        }
    }
}
