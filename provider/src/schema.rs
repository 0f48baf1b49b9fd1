//! The package schema (schema.json at the repository root), embedded in the plugin. It is what
//! GetSchema serves and what SDKs are generated from; the runtime also reads each resource's
//! output types and secrets from it, so the schema is the one place they are declared.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

use crate::runtime::value::UnknownKind;

pub const SCHEMA_JSON: &str = include_str!("../../schema.json");

/// The parsed schema; schema.json is checked by tests, so a parse failure is a build defect.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEMA_JSON).unwrap_or(Value::Null))
}

/// What the runtime needs to know about a resource's outputs.
#[derive(Debug, Clone, Default)]
pub struct ResourceShape {
    pub secret_outputs: BTreeSet<String>,
    pub output_kinds: BTreeMap<String, UnknownKind>,
}

impl ResourceShape {
    /// The shape of `token` as schema.json declares it (empty when it is not declared).
    pub fn of(token: &str) -> ResourceShape {
        let properties = schema()["resources"][token]["properties"].as_object();
        let mut shape = ResourceShape::default();
        for (name, spec) in properties.into_iter().flatten() {
            if spec["secret"].as_bool() == Some(true) {
                shape.secret_outputs.insert(name.clone());
            }
            shape.output_kinds.insert(name.clone(), kind_of(spec));
        }
        shape
    }
}

fn kind_of(spec: &Value) -> UnknownKind {
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

/// The provider's semantic version, as GetPluginInfo reports it.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
