//! The package schema (schema.json at the repository root), embedded in the plugin. It is what
//! GetSchema serves and what SDKs are generated from; the framework's registry also reads each
//! resource's output types and secrets from it, so the schema is the one place they are declared.

use std::sync::OnceLock;

use serde_json::Value;

pub const SCHEMA_JSON: &str = include_str!("../../schema.json");

/// The parsed schema; schema.json is checked by tests, so a parse failure is a build defect.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEMA_JSON).unwrap_or(Value::Null))
}

/// The provider's semantic version, as GetPluginInfo reports it.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
