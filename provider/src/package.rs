//! The published package: the resources the plugin serves and its schema, built from the Rust
//! types of the configuration and the resources by the framework's schema builder (doc comments
//! are the descriptions, serde's defaults the defaults, `REPLACE_ON_CHANGE` the replaces) with
//! the package's own metadata below. GetSchema serves it and the framework's registry reads each
//! resource's output types and secrets from it. `pulumi-resource-privatelink --schema` prints it;
//! `bash scripts/gen-schema.sh` writes it to schema.json, the committed copy SDKs are generated
//! from (scripts/test.sh fails when the two differ).

use std::sync::OnceLock;

use pulumi_rs_provider::runtime::configure::Configure;
use pulumi_rs_provider::runtime::registry::{Registry, ResourceShape};
use pulumi_rs_provider::runtime::resource::Resource;
use pulumi_rs_provider::schema::{PackageBuilder, SchemaError};
use serde_json::{json, Map, Value};

use crate::config::{Configured, PrivateLink, ProviderConfig};
use crate::resources::{acceptance, consumer, endpoint_private_dns, producer};

/// The package's name, description and per-language settings.
fn metadata() -> Map<String, Value> {
    let metadata = json!({
        "name": PrivateLink::PACKAGE,
        "displayName": "AWS PrivateLink",
        "description": "Expose a service (for example an RDS database behind an RDS Proxy) from \
            one AWS account to another over AWS PrivateLink, with two resources: a producer and a \
            consumer.",
        "keywords": ["pulumi", "aws", "privatelink", "vpc-endpoint", "category/network", "kind/native"],
        "homepage": "https://github.com/pulumi-privatelink/pulumi-privatelink",
        "repository": "https://github.com/pulumi-privatelink/pulumi-privatelink",
        "license": "Apache-2.0",
        "publisher": "pulumi-privatelink",
        "language": {
            "python": {"packageName": "pulumi_privatelink"},
            "nodejs": {"packageName": "@pulumi-privatelink/privatelink"},
            "go": {"importBasePath": "github.com/pulumi-privatelink/pulumi-privatelink/sdk/go/privatelink"}
        }
    });
    match metadata {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The schema built from the types.
pub fn build() -> Result<Value, SchemaError> {
    Ok(PackageBuilder::new(PrivateLink::PACKAGE)
        .config::<ProviderConfig>()?
        .resource::<producer::PrivateLinkProducer>()?
        .resource::<consumer::PrivateLinkConsumer>()?
        .resource::<acceptance::EndpointAcceptance>()?
        .resource::<endpoint_private_dns::EndpointPrivateDns>()?
        .finish(metadata()))
}

/// The schema, built once. The types are fixed at compile time and the tests below build them,
/// so a failure here is a build defect; the plugin then serves an empty schema instead of
/// crashing.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| build().unwrap_or(Value::Null))
}

/// The configuration hook, serving this package's schema.
pub fn hook() -> PrivateLink {
    PrivateLink::new(schema())
}

/// Every resource the plugin serves.
pub fn registry() -> Registry<Configured> {
    Registry::default()
        .register(
            producer::PrivateLinkProducer,
            ResourceShape::from_schema(schema(), producer::PrivateLinkProducer::TOKEN),
        )
        .register(
            consumer::PrivateLinkConsumer,
            ResourceShape::from_schema(schema(), consumer::PrivateLinkConsumer::TOKEN),
        )
        .register(
            acceptance::EndpointAcceptance,
            ResourceShape::from_schema(schema(), acceptance::EndpointAcceptance::TOKEN),
        )
        .register(
            endpoint_private_dns::EndpointPrivateDns,
            ResourceShape::from_schema(schema(), endpoint_private_dns::EndpointPrivateDns::TOKEN),
        )
}

/// The schema as schema.json holds it: two-space indented JSON and a final newline.
pub fn schema_text() -> Result<String, SchemaError> {
    let schema = build()?;
    let text = serde_json::to_string_pretty(&schema).map_err(|e| SchemaError {
        location: "schema".into(),
        reason: e.to_string(),
    })?;
    Ok(text + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property, at any depth, has a description for the generated docs.
    fn assert_described(where_: &str, properties: &Value) {
        for (name, spec) in properties.as_object().into_iter().flatten() {
            let description = spec["description"].as_str().unwrap_or_default();
            assert!(
                !description.trim().is_empty(),
                "{where_}.{name} has no description"
            );
        }
    }

    #[test]
    fn the_schema_builds_and_describes_every_property() {
        let schema = build().expect("the types make a schema");
        assert_described("config", &schema["config"]["variables"]);
        for (token, resource) in schema["resources"].as_object().into_iter().flatten() {
            assert_described(token, &resource["inputProperties"]);
            assert_described(token, &resource["properties"]);
        }
        for (token, object_type) in schema["types"].as_object().into_iter().flatten() {
            assert_described(token, &object_type["properties"]);
        }
    }

    #[test]
    fn the_registry_serves_exactly_the_published_resources() {
        let registered: Vec<&str> = registry().tokens().collect();
        let published: Vec<&str> = schema()["resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(token, _)| token.as_str())
            .collect();
        assert_eq!(registered, published);
    }

    #[test]
    fn the_external_id_is_secret_and_the_hook_serves_the_built_schema() {
        assert_eq!(
            schema()["types"]["privatelink:index:AssumeRole"]["properties"]["externalId"]["secret"],
            true
        );
        assert_eq!(hook().schema(), &build().expect("builds"));
    }
}
