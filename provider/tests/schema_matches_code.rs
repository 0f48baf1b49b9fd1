//! schema.json is the package's public contract: SDKs are generated from it and the YAML
//! language host type-checks programs with it. These tests prove it says exactly what the code
//! decodes and emits.

use std::collections::BTreeSet;

use pulumi_privatelink::config::{AssumeRole, ProviderConfig};
use pulumi_privatelink::resources;
use pulumi_privatelink::schema::{schema, SCHEMA_JSON};
use pulumi_rs_provider::runtime::decode::struct_fields;
use serde_json::Value;

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn names(fields: &[&str]) -> BTreeSet<String> {
    fields.iter().map(|s| s.to_string()).collect()
}

/// Every property, at any depth, has a description for the generated docs.
fn assert_described(where_: &str, properties: &Value) {
    for (name, spec) in properties.as_object().into_iter().flatten() {
        let description = spec["description"].as_str().unwrap_or_default();
        assert!(
            !description.trim().is_empty(),
            "{where_}.{name} has no description"
        );
        assert_described(&format!("{where_}.{name}"), &spec["properties"]);
    }
}

#[test]
fn schema_is_valid_json_for_the_privatelink_package() {
    let parsed: Value = serde_json::from_str(SCHEMA_JSON).expect("schema.json parses");
    assert_eq!(parsed["name"], "privatelink");
    assert!(parsed["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}

#[test]
fn config_variables_are_exactly_the_provider_config_fields() {
    let variables = &schema()["config"]["variables"];
    assert_eq!(keys(variables), names(struct_fields::<ProviderConfig>()));
    assert_eq!(
        keys(&schema()["provider"]["inputProperties"]),
        keys(variables),
        "explicit providers take the same settings as stack configuration"
    );
    assert_described("config", variables);
    let assume_role = &schema()["types"]["privatelink:index:AssumeRole"];
    assert_eq!(
        keys(&assume_role["properties"]),
        names(struct_fields::<AssumeRole>())
    );
    assert_described("AssumeRole", &assume_role["properties"]);
    assert_eq!(assume_role["properties"]["externalId"]["secret"], true);
}

#[test]
fn published_resources_are_exactly_the_registered_ones_with_the_same_properties() {
    let registry = resources::registry();
    let registered: BTreeSet<String> = registry.tokens().map(String::from).collect();
    assert_eq!(registered, keys(&schema()["resources"]));
    for token in registry.tokens() {
        let resource = registry.get(token).expect("registered");
        let spec = &schema()["resources"][token];
        assert_eq!(
            keys(&spec["inputProperties"]),
            names(resource.input_fields()),
            "{token}: inputs decoded vs inputProperties in schema.json"
        );
        assert_eq!(
            keys(&spec["properties"]),
            resource
                .output_fields()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "{token}: outputs emitted vs properties in schema.json"
        );
        assert_described(token, &spec["inputProperties"]);
        assert_described(token, &spec["properties"]);
    }
}
