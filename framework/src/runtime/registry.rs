//! From type token to resource implementation, and the generic half of every lifecycle call:
//! decoding, preview, unknowns and secrets are handled here once, so resource modules only see
//! their own typed structs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use super::decode::{self, DecodeError};
use super::encode;
use super::resource::{ChangeKind, CheckFailure, Context, DiffPlan, Resource, ResourceError};
use super::value::{reveal, Markers, PropertyMap, PropertyValue, UnknownKind};

/// Why the runtime could not carry out a call.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// The engine sent state or inputs that do not decode (not a user mistake: Check catches
    /// those).
    #[error("{0}")]
    BadState(String),
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

impl From<DecodeError> for OperationError {
    fn from(e: DecodeError) -> Self {
        OperationError::BadState(e.to_string())
    }
}

impl From<encode::EncodeError> for OperationError {
    fn from(e: encode::EncodeError) -> Self {
        OperationError::BadState(e.to_string())
    }
}

pub struct CheckOutcome {
    pub inputs: PropertyMap,
    pub failures: Vec<CheckFailure>,
}

/// A diff in property terms: each changed property, whether it replaces, and whether the change
/// is between inputs (always, for us).
pub struct DiffOutcome {
    pub changes: Vec<PropertyChange>,
    pub delete_before_replace: bool,
}

pub struct PropertyChange {
    pub property: String,
    pub kind: ChangeKind,
    pub added: bool,
    pub removed: bool,
}

/// A resource behind its type token, with property maps in and out; `P` is the configured
/// provider its calls run with.
#[async_trait]
pub trait DynResource<P>: Send + Sync {
    fn token(&self) -> &'static str;
    fn input_fields(&self) -> &'static [&'static str];
    /// Inputs and computed state: everything recorded as outputs.
    fn output_fields(&self) -> Vec<&'static str>;
    async fn check(
        &self,
        ctx: &Context<P>,
        olds: &PropertyMap,
        news: PropertyMap,
    ) -> Result<CheckOutcome, OperationError>;
    fn diff(
        &self,
        old_inputs: &PropertyMap,
        old_outputs: &PropertyMap,
        news: &PropertyMap,
    ) -> Result<DiffOutcome, OperationError>;
    async fn create(
        &self,
        ctx: &Context<P>,
        inputs: PropertyMap,
        preview: bool,
    ) -> Result<(String, PropertyMap), OperationError>;
    async fn read(
        &self,
        ctx: &Context<P>,
        id: &str,
        state: &PropertyMap,
    ) -> Result<Option<(PropertyMap, PropertyMap)>, OperationError>;
    async fn update(
        &self,
        ctx: &Context<P>,
        id: &str,
        olds: &PropertyMap,
        news: PropertyMap,
        preview: bool,
    ) -> Result<PropertyMap, OperationError>;
    async fn delete(
        &self,
        ctx: &Context<P>,
        id: &str,
        olds: &PropertyMap,
    ) -> Result<(), OperationError>;
}

/// Resource tokens to implementations, all running with the configured provider `P`.
#[derive(Clone)]
pub struct Registry<P> {
    resources: BTreeMap<&'static str, Arc<dyn DynResource<P>>>,
}

impl<P> Default for Registry<P> {
    fn default() -> Self {
        Registry {
            resources: BTreeMap::new(),
        }
    }
}

impl<P: Clone + Send + Sync + 'static> Registry<P> {
    /// Adds a resource; `shape` says which outputs are secret and what type each output has
    /// (from the package schema, [`ResourceShape::from_schema`]).
    pub fn register<R: Resource<Provider = P>>(
        mut self,
        resource: R,
        shape: ResourceShape,
    ) -> Self {
        self.resources
            .insert(R::TOKEN, Arc::new(Typed { resource, shape }));
        self
    }

    pub fn get(&self, token: &str) -> Option<&Arc<dyn DynResource<P>>> {
        self.resources.get(token)
    }

    pub fn tokens(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.resources.keys().copied()
    }
}

struct Typed<R> {
    resource: R,
    shape: ResourceShape,
}

/// Keys the engine itself may add to inputs (`__defaults` in old engines).
fn without_internal_keys(mut map: PropertyMap) -> PropertyMap {
    map.retain(|k, _| !k.starts_with("__"));
    map
}

fn failure_is_about_unknown(failure: &CheckFailure, markers: &Markers) -> bool {
    markers.unknowns.iter().any(|(path, _)| {
        let unknown = path.to_string();
        failure.property == unknown
            || failure.property.starts_with(&format!("{unknown}."))
            || failure.property.starts_with(&format!("{unknown}["))
    })
}

impl<R: Resource> Typed<R> {
    /// Marks outputs secret where the schema says so, or where the input of the same name was.
    fn protect_outputs(&self, outputs: &mut PropertyMap, secret_inputs: &BTreeSet<String>) {
        for (key, value) in outputs.iter_mut() {
            if self.shape.secret_outputs.contains(key) || secret_inputs.contains(key) {
                let plain = std::mem::replace(value, PropertyValue::Null);
                *value = plain.into_secret();
            }
        }
    }

    /// The top-level properties that are secret in `map`, and those computed from them
    /// (`Resource::DERIVED`). The engine itself only carries secretness over to outputs of the
    /// same name (pulumi/sdk/go/common/resource/plugin/provider_plugin.go, annotateSecrets).
    fn secret_keys(&self, map: &PropertyMap) -> BTreeSet<String> {
        let mut keys: BTreeSet<String> = Markers::collect(map)
            .top_level_secrets()
            .map(String::from)
            .collect();
        for (source, derived) in R::DERIVED {
            if keys.contains(*source) {
                keys.extend(derived.iter().map(|d| d.to_string()));
            }
        }
        keys
    }

    /// Outputs for a preview: the inputs as given, and every other output not known yet.
    fn preview_outputs(&self, base: PropertyMap) -> PropertyMap {
        let mut outputs = base;
        let declared = self.shape.output_kinds.keys().map(String::as_str);
        for field in self.output_fields().into_iter().chain(declared) {
            if !outputs.contains_key(field) {
                let unknown = PropertyValue::Unknown(self.shape.unknown_kind(field));
                outputs.insert(field.to_string(), unknown);
            }
        }
        let secret_inputs = self.secret_keys(&outputs);
        self.protect_outputs(&mut outputs, &secret_inputs);
        outputs
    }

    fn outputs_to_map(
        &self,
        inputs: &R::Inputs,
        state: &R::State,
        secret_inputs: &BTreeSet<String>,
    ) -> Result<PropertyMap, OperationError> {
        let mut map = encode::merge(inputs, state)?;
        self.protect_outputs(&mut map, secret_inputs);
        Ok(map)
    }

    /// Splits recorded outputs into the inputs and the state they were merged from.
    fn split(&self, outputs: &PropertyMap) -> Result<(R::Inputs, R::State), OperationError> {
        let only = |fields: &[&str]| -> PropertyMap {
            outputs
                .iter()
                .filter(|(k, _)| fields.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let inputs = decode::from_map(&only(self.input_fields()))?;
        let state = decode::from_map(&only(decode::struct_fields::<R::State>()))?;
        Ok((inputs, state))
    }

    fn protect_partial(
        &self,
        error: ResourceError,
        secret_inputs: &BTreeSet<String>,
    ) -> OperationError {
        match error {
            ResourceError::Partial {
                id,
                mut state,
                source,
            } => {
                self.protect_outputs(&mut state, secret_inputs);
                OperationError::Resource(ResourceError::Partial { id, state, source })
            }
            other => OperationError::Resource(other),
        }
    }
}

fn reject_unknowns(map: &PropertyMap, operation: &str) -> Result<(), OperationError> {
    match map.iter().find(|(_, v)| v.contains_unknowns()) {
        Some((key, _)) => Err(OperationError::BadState(format!(
            "cannot {operation} while `{key}` is not known yet"
        ))),
        None => Ok(()),
    }
}

#[async_trait]
impl<R: Resource> DynResource<R::Provider> for Typed<R> {
    fn token(&self) -> &'static str {
        R::TOKEN
    }

    fn input_fields(&self) -> &'static [&'static str] {
        decode::struct_fields::<R::Inputs>()
    }

    fn output_fields(&self) -> Vec<&'static str> {
        let mut fields = self.input_fields().to_vec();
        fields.extend_from_slice(decode::struct_fields::<R::State>());
        fields
    }

    async fn check(
        &self,
        ctx: &Context<R::Provider>,
        olds: &PropertyMap,
        news: PropertyMap,
    ) -> Result<CheckOutcome, OperationError> {
        let news = without_internal_keys(news);
        let markers = Markers::collect(&news);
        let typed_news: R::Inputs = match decode::from_map(&news) {
            Ok(typed) => typed,
            Err(e) => {
                return Ok(CheckOutcome {
                    inputs: news,
                    failures: vec![CheckFailure::new(e.path.to_string(), e.message)],
                })
            }
        };
        // Old inputs written by an older version may not decode; then there is nothing to keep.
        let typed_olds: Option<R::Inputs> = if olds.is_empty() {
            None
        } else {
            decode::from_map(&without_internal_keys(olds.clone())).ok()
        };
        let checked = self
            .resource
            .check(ctx, typed_olds.as_ref(), typed_news)
            .await;
        // The engine previews and diffs with the inputs Check returns
        // (pulumi/pkg/resource/deploy/step_generator.go, generateSteps): unknowns go back
        // exactly where they were, over whatever placeholder or default typed code put there.
        let mut inputs = encode::to_map(&checked.inputs)?;
        markers.restore(&mut inputs);
        let secret = self.secret_keys(&news);
        for (key, value) in inputs.iter_mut() {
            if secret.contains(key) && !matches!(value, PropertyValue::Secret(_)) {
                *value = std::mem::replace(value, PropertyValue::Null).into_secret();
            }
        }
        Ok(CheckOutcome {
            inputs,
            failures: checked
                .failures
                .into_iter()
                .filter(|f| !failure_is_about_unknown(f, &markers))
                .collect(),
        })
    }

    fn diff(
        &self,
        old_inputs: &PropertyMap,
        old_outputs: &PropertyMap,
        news: &PropertyMap,
    ) -> Result<DiffOutcome, OperationError> {
        let mut changed = Vec::new();
        let mut presence = BTreeMap::new();
        for field in self.input_fields() {
            let old = old_inputs.get(*field).cloned().map(reveal);
            let new = news.get(*field).cloned().map(reveal);
            let differs = match (&old, &new) {
                (_, Some(new)) if new.contains_unknowns() => true,
                (None | Some(PropertyValue::Null), None | Some(PropertyValue::Null)) => false,
                (old, new) => old != new,
            };
            if differs {
                changed.push(field.to_string());
                presence.insert(field.to_string(), (old.is_none(), new.is_none()));
            }
        }
        let (_, state) = self.split(old_outputs)?;
        let typed_news: R::Inputs = decode::from_map(news)?;
        for property in self.resource.unapplied(&state, &typed_news) {
            if !changed.contains(&property) {
                changed.push(property);
            }
        }
        let plan = if changed.is_empty() {
            DiffPlan::default()
        } else {
            self.resource.diff(&changed, &state, &typed_news)
        };
        let replaces = plan.replaces();
        Ok(DiffOutcome {
            changes: plan
                .changes
                .into_iter()
                .map(|(property, kind)| {
                    let (added, removed) = presence.get(&property).copied().unwrap_or_default();
                    PropertyChange {
                        property,
                        kind,
                        added,
                        removed,
                    }
                })
                .collect(),
            delete_before_replace: replaces && plan.delete_before_replace,
        })
    }

    async fn create(
        &self,
        ctx: &Context<R::Provider>,
        inputs: PropertyMap,
        preview: bool,
    ) -> Result<(String, PropertyMap), OperationError> {
        if preview {
            // Nothing is written during preview; resource code is not even called.
            return Ok((String::new(), self.preview_outputs(inputs)));
        }
        reject_unknowns(&inputs, "create")?;
        let secret_inputs = self.secret_keys(&inputs);
        let typed: R::Inputs = decode::from_map(&inputs)?;
        let (id, state) = self
            .resource
            .create(ctx, &typed)
            .await
            .map_err(|e| self.protect_partial(e, &secret_inputs))?;
        Ok((id, self.outputs_to_map(&typed, &state, &secret_inputs)?))
    }

    async fn read(
        &self,
        ctx: &Context<R::Provider>,
        id: &str,
        state: &PropertyMap,
    ) -> Result<Option<(PropertyMap, PropertyMap)>, OperationError> {
        let secret_inputs = self.secret_keys(state);
        let old = if state.is_empty() {
            None
        } else {
            Some(self.split(state)?)
        };
        let old = old.as_ref().map(|(inputs, state)| (inputs, state));
        let Some((inputs, state)) = self.resource.read(ctx, id, old).await? else {
            return Ok(None);
        };
        let outputs = self.outputs_to_map(&inputs, &state, &secret_inputs)?;
        let mut inputs = encode::to_map(&inputs)?;
        self.protect_outputs(&mut inputs, &secret_inputs);
        Ok(Some((inputs, outputs)))
    }

    async fn update(
        &self,
        ctx: &Context<R::Provider>,
        id: &str,
        olds: &PropertyMap,
        news: PropertyMap,
        preview: bool,
    ) -> Result<PropertyMap, OperationError> {
        if preview {
            // The new inputs as given, the state an in-place update keeps as it was, and
            // everything else not known yet.
            let mut base = news;
            for field in R::STABLE_ON_UPDATE {
                if let Some(value) = olds.get(*field) {
                    base.entry(field.to_string())
                        .or_insert_with(|| value.clone());
                }
            }
            return Ok(self.preview_outputs(base));
        }
        reject_unknowns(&news, "update")?;
        let secret_inputs = self.secret_keys(&news);
        let (old_inputs, old_state) = self.split(olds)?;
        let typed_news: R::Inputs = decode::from_map(&news)?;
        let state = self
            .resource
            .update(ctx, id, (&old_inputs, &old_state), &typed_news)
            .await
            .map_err(|e| self.protect_partial(e, &secret_inputs))?;
        self.outputs_to_map(&typed_news, &state, &secret_inputs)
    }

    async fn delete(
        &self,
        ctx: &Context<R::Provider>,
        id: &str,
        olds: &PropertyMap,
    ) -> Result<(), OperationError> {
        let (inputs, state) = self.split(olds)?;
        Ok(self.resource.delete(ctx, id, (&inputs, &state)).await?)
    }
}

/// What the runtime needs to know about a resource's outputs beyond its Rust types: which are
/// secret, and the kind of each (for the sentinel of an output not known yet).
#[derive(Debug, Clone, Default)]
pub struct ResourceShape {
    pub secret_outputs: BTreeSet<String>,
    pub output_kinds: BTreeMap<String, UnknownKind>,
}

impl ResourceShape {
    /// The shape of the resource `token` as a Pulumi package schema declares it (empty when it
    /// is not declared).
    pub fn from_schema(schema: &serde_json::Value, token: &str) -> ResourceShape {
        let properties = schema["resources"][token]["properties"].as_object();
        let mut shape = ResourceShape::default();
        for (name, spec) in properties.into_iter().flatten() {
            if spec["secret"].as_bool() == Some(true) {
                shape.secret_outputs.insert(name.clone());
            }
            shape.output_kinds.insert(name.clone(), kind_of(spec));
        }
        shape
    }

    /// The sentinel type for an output that is not known yet.
    pub fn unknown_kind(&self, property: &str) -> UnknownKind {
        self.output_kinds
            .get(property)
            .copied()
            .unwrap_or(UnknownKind::String)
    }
}

/// The kind of a schema property, for the sentinel of its unknown value.
fn kind_of(spec: &serde_json::Value) -> UnknownKind {
    match spec["type"].as_str() {
        Some("boolean") => UnknownKind::Bool,
        Some("integer" | "number") => UnknownKind::Number,
        Some("array") => UnknownKind::Array,
        Some("object") => UnknownKind::Object,
        Some("string") => UnknownKind::String,
        _ if spec["$ref"].is_string() => UnknownKind::Object,
        _ => UnknownKind::String,
    }
}
