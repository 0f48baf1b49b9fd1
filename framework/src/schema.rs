//! The package schema built from the Rust types: each resource's inputs and state and the
//! provider's configuration derive `schemars::JsonSchema` (doc comments become descriptions,
//! serde's renames and defaults are read from the same attributes decoding uses), and this
//! module turns those JSON Schemas into Pulumi's package schema shape
//! (pulumi/pkg/codegen/schema, `PackageSpec`, `ResourceSpec`, `PropertySpec`).
//!
//! A property's `secret` comes from `#[schemars(extend("secret" = true))]` on its field;
//! `replaceOnChanges` from the resource's `REPLACE_ON_CHANGE`, the list Diff itself uses; an
//! input's `default` from its `#[serde(default = ...)]` function, the one decoding calls, and the
//! description ends with it ("Default `true`."), so a default is written once, in that function;
//! the description of a property in `REPLACE_ON_CHANGE` ends with "Changing it replaces the
//! resource.".
//!
//! Which outputs every resource has (`required`): its required inputs, every non-`Option` field,
//! every input with a default (decoding fills it in), and the fields marked
//! `#[schemars(extend("filledByCheck" = true))]` (an optional input Check always fills in, such
//! as a generated name) or, on state, `#[schemars(extend("required" = true))]` (a piece every
//! create records).

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::runtime::resource::Resource;

/// A Rust type whose JSON Schema has no Pulumi equivalent here.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct SchemaError {
    pub location: String,
    pub reason: String,
}

fn unsupported(location: &str, reason: impl Into<String>) -> SchemaError {
    SchemaError {
        location: location.to_string(),
        reason: reason.into(),
    }
}

/// An object type's properties and which of them are required.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ObjectSpec {
    pub description: Option<String>,
    pub properties: Map<String, Value>,
    pub required: Vec<String>,
}

/// Builds a package schema from typed configuration and resources.
pub struct PackageBuilder {
    package: String,
    generator: SchemaGenerator,
    types: Map<String, Value>,
    resources: Map<String, Value>,
    config: Option<ObjectSpec>,
}

impl PackageBuilder {
    pub fn new(package: &str) -> Self {
        PackageBuilder {
            package: package.to_string(),
            generator: SchemaSettings::draft2020_12().into_generator(),
            types: Map::new(),
            resources: Map::new(),
            config: None,
        }
    }

    fn type_token(&self, name: &str) -> String {
        format!("{}:index:{name}", self.package)
    }

    /// The provider's configuration: `config.variables` and the explicit provider's inputs.
    pub fn config<C: JsonSchema>(mut self) -> Result<Self, SchemaError> {
        let config = self.object::<C>()?;
        self.config = Some(config);
        Ok(self)
    }

    /// A resource: inputs from `R::Inputs`, outputs from the inputs and `R::State`, its
    /// description from the doc comment of `R` itself.
    pub fn resource<R>(mut self) -> Result<Self, SchemaError>
    where
        R: Resource + JsonSchema,
        R::Inputs: JsonSchema,
        R::State: JsonSchema,
    {
        let described = self.generator.root_schema_for::<R>().to_value();
        let inputs = self.object::<R::Inputs>()?;
        let state = self.object::<R::State>()?;
        let mut input_properties = inputs.properties;
        let mut outputs = Map::new();
        let mut output_required = inputs.required.clone();
        for (name, spec) in input_properties.iter_mut() {
            describe_default(spec);
            if always_output(spec) && !output_required.contains(name) {
                output_required.push(name.clone());
            }
            outputs.insert(name.clone(), spec.clone());
        }
        for name in &state.required {
            if !output_required.contains(name) {
                output_required.push(name.clone());
            }
        }
        // A state field of an input's name is what the outputs show of it (its description).
        for (name, spec) in state.properties {
            if always_output(&spec) && !output_required.contains(&name) {
                output_required.push(name.clone());
            }
            outputs.insert(name, spec);
        }
        for name in R::REPLACE_ON_CHANGE {
            let spec = outputs
                .get_mut(*name)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| {
                    unsupported(
                        R::TOKEN,
                        format!("REPLACE_ON_CHANGE names `{name}`, which is no property"),
                    )
                })?;
            spec.insert("replaceOnChanges".into(), true.into());
            append_sentence(spec, REPLACES);
            if let Some(input) = input_properties
                .get_mut(*name)
                .and_then(Value::as_object_mut)
            {
                append_sentence(input, REPLACES);
            }
        }
        for spec in input_properties
            .values_mut()
            .filter_map(Value::as_object_mut)
        {
            strip_marks(spec);
        }
        for spec in outputs.values_mut().filter_map(Value::as_object_mut) {
            strip_marks(spec);
            // A default is for what a program leaves out; outputs are never left out.
            spec.remove("default");
        }
        let mut resource = Map::new();
        if let Some(description) = described["description"].as_str() {
            resource.insert("description".into(), unwrap_doc(description).into());
        }
        resource.insert("inputProperties".into(), Value::Object(input_properties));
        resource.insert("requiredInputs".into(), inputs.required.into());
        resource.insert("properties".into(), Value::Object(outputs));
        resource.insert("required".into(), output_required.into());
        self.resources
            .insert(R::TOKEN.into(), Value::Object(resource));
        Ok(self)
    }

    /// The package: `metadata` (name, description, language sections, ...) with the config,
    /// provider, types and resources built so far.
    pub fn finish(self, metadata: Map<String, Value>) -> Value {
        let mut package = metadata;
        if let Some(config) = self.config {
            let mut variables = config.properties;
            for spec in variables.values_mut() {
                describe_default(spec);
                if let Some(spec) = spec.as_object_mut() {
                    strip_marks(spec);
                }
            }
            package.insert(
                "config".into(),
                serde_json::json!({ "variables": variables.clone() }),
            );
            let mut provider = Map::new();
            if let Some(description) = config.description {
                provider.insert("description".into(), description.into());
            }
            provider.insert("inputProperties".into(), Value::Object(variables));
            // The provider resource publishes no outputs: the engine keeps a provider's non-string
            // inputs JSON-encoded in its state, so typed outputs would not match what SDKs read.
            provider.insert("properties".into(), Value::Object(Map::new()));
            package.insert("provider".into(), Value::Object(provider));
        }
        package.insert("types".into(), Value::Object(self.types));
        package.insert("resources".into(), Value::Object(self.resources));
        Value::Object(package)
    }

    /// The properties of the struct `T`, registering the object types they refer to.
    fn object<T: JsonSchema>(&mut self) -> Result<ObjectSpec, SchemaError> {
        let root = self.generator.root_schema_for::<T>().to_value();
        let definitions = root.get("$defs").cloned().unwrap_or_default();
        self.object_from(&T::schema_name(), &root, &definitions)
    }

    fn object_from(
        &mut self,
        location: &str,
        schema: &Value,
        definitions: &Value,
    ) -> Result<ObjectSpec, SchemaError> {
        let mut spec = ObjectSpec {
            description: schema["description"].as_str().map(unwrap_doc),
            ..Default::default()
        };
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let converted = self.property(&format!("{location}.{name}"), property, definitions)?;
            spec.properties.insert(name.clone(), converted);
        }
        for name in schema["required"].as_array().into_iter().flatten() {
            if let Some(name) = name.as_str() {
                spec.required.push(name.to_string());
            }
        }
        // `#[schemars(extend("required" = true))]`: an input the program must set although
        // serde has a default for it (so that Check can decode a preview's unknowns and name
        // what is missing).
        for (name, property) in spec.properties.iter_mut() {
            let marked = property
                .as_object_mut()
                .and_then(|p| p.remove(REQUIRED))
                .is_some_and(|marked| marked == true);
            if marked && !spec.required.contains(name) {
                spec.required.push(name.clone());
            }
        }
        // A required input has no default, whatever serde fills in for a preview's unknowns.
        for name in &spec.required {
            if let Some(property) = spec.properties.get_mut(name).and_then(Value::as_object_mut) {
                property.remove("default");
            }
        }
        Ok(spec)
    }

    /// One property in Pulumi's shape.
    fn property(
        &mut self,
        location: &str,
        schema: &Value,
        definitions: &Value,
    ) -> Result<Value, SchemaError> {
        let Some(object) = schema.as_object() else {
            return Err(unsupported(location, "a schema that is not an object"));
        };
        let mut out = Map::new();
        let mut optional = false;
        // `Option<T>`: `anyOf: [T, null]` for a referenced T, `type: [t, "null"]` otherwise.
        let mut body = object.clone();
        if let Some(branches) = object.get("anyOf").and_then(Value::as_array) {
            let others: Vec<&Value> = branches.iter().filter(|b| b["type"] != "null").collect();
            if others.len() != 1 || others.len() == branches.len() {
                return Err(unsupported(location, "a union type"));
            }
            optional = true;
            body.remove("anyOf");
            for (key, value) in others[0].as_object().into_iter().flatten() {
                body.entry(key.clone()).or_insert(value.clone());
            }
        }
        if let Some(reference) = body.get("$ref").and_then(Value::as_str) {
            let name = reference
                .strip_prefix("#/$defs/")
                .ok_or_else(|| unsupported(location, format!("a reference `{reference}`")))?;
            let token = self.type_token(name);
            if !self.types.contains_key(&token) {
                // Placeholder first: a recursive type refers to itself.
                self.types.insert(token.clone(), Value::Null);
                let definition = &definitions[name];
                let spec = self.object_from(name, definition, definitions)?;
                let mut object_type = Map::new();
                if let Some(description) = spec.description {
                    object_type.insert("description".into(), description.into());
                }
                object_type.insert("type".into(), "object".into());
                let mut properties = spec.properties;
                for property in properties.values_mut() {
                    describe_default(property);
                    if let Some(property) = property.as_object_mut() {
                        strip_marks(property);
                    }
                }
                object_type.insert("properties".into(), Value::Object(properties));
                if !spec.required.is_empty() {
                    object_type.insert("required".into(), spec.required.into());
                }
                self.types.insert(token.clone(), Value::Object(object_type));
            }
            out.insert("$ref".into(), format!("#/types/{token}").into());
        } else {
            let kind = match body.get("type") {
                Some(Value::String(kind)) => kind.clone(),
                Some(Value::Array(kinds)) => {
                    let named: Vec<&str> = kinds
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|k| *k != "null")
                        .collect();
                    optional |= named.len() < kinds.len();
                    match named.as_slice() {
                        [kind] => kind.to_string(),
                        _ => return Err(unsupported(location, "a union type")),
                    }
                }
                _ => return Err(unsupported(location, "a value of no single type")),
            };
            match kind.as_str() {
                "string" | "integer" | "number" | "boolean" => {}
                "array" => {
                    let items = body
                        .get("items")
                        .ok_or_else(|| unsupported(location, "an array without item type"))?;
                    let items = self.property(&format!("{location}[]"), items, definitions)?;
                    out.insert("items".into(), strip_optional(items));
                }
                "object" => {
                    let values = body
                        .get("additionalProperties")
                        .filter(|v| v.is_object())
                        .ok_or_else(|| unsupported(location, "an object without value type"))?;
                    let values = self.property(&format!("{location}{{}}"), values, definitions)?;
                    out.insert("additionalProperties".into(), strip_optional(values));
                }
                other => return Err(unsupported(location, format!("the type `{other}`"))),
            }
            out.insert("type".into(), kind.into());
        }
        if let Some(description) = body.get("description").and_then(Value::as_str) {
            out.insert("description".into(), unwrap_doc(description).into());
        }
        for key in ["secret", REQUIRED, FILLED_BY_CHECK] {
            if let Some(value) = body.get(key) {
                out.insert(key.into(), value.clone());
            }
        }
        if let Some(default) = body.get("default").filter(|d| !d.is_null()) {
            out.insert("default".into(), default.clone());
        }
        if optional {
            out.insert(OPTIONAL.into(), true.into());
        }
        Ok(Value::Object(out))
    }
}

/// Internal mark of a property that may be absent (an `Option`), removed before output.
const OPTIONAL: &str = "x-optional";

/// The field-level mark of an input the program must set (see `object_from`).
const REQUIRED: &str = "required";

/// The field-level mark of an optional input that Check always fills in: every output has it.
const FILLED_BY_CHECK: &str = "filledByCheck";

/// Whether every output of the resource has this property (see the module's comment).
fn always_output(spec: &Value) -> bool {
    spec[OPTIONAL] != true
        || spec.get("default").is_some_and(|d| !d.is_null())
        || spec[FILLED_BY_CHECK] == true
}

/// The internal marks, removed before output.
fn strip_marks(spec: &mut Map<String, Value>) {
    spec.remove(OPTIONAL);
    spec.remove(FILLED_BY_CHECK);
}

/// Ends the description of a property that has a default with it, so that the generated docs
/// say it without a second copy of the value in a doc comment (likewise [`REPLACES`]).
fn describe_default(spec: &mut Value) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    let shown = match spec.get("default") {
        None | Some(Value::Null) => return,
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    append_sentence(spec, &format!("Default `{shown}`."));
}

/// What the description of a property in `REPLACE_ON_CHANGE` ends with.
const REPLACES: &str = "Changing it replaces the resource.";

fn append_sentence(spec: &mut Map<String, Value>, sentence: &str) {
    let description = match spec.get("description").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => format!("{text} {sentence}"),
        _ => sentence.to_string(),
    };
    spec.insert("description".into(), description.into());
}

/// A doc comment as one description: its lines are wrapped prose, so they join with spaces;
/// a blank line still separates paragraphs.
fn unwrap_doc(doc: &str) -> String {
    doc.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn strip_optional(mut spec: Value) -> Value {
    if let Some(object) = spec.as_object_mut() {
        object.remove(OPTIONAL);
    }
    spec
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use async_trait::async_trait;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;
    use crate::runtime::resource::{Context, ResourceError};

    fn default_port() -> u16 {
        5432
    }

    /// How to reach the thing.
    #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Access {
        /// The login.
        user_name: String,
        /// The password.
        #[schemars(extend("secret" = true))]
        password: Option<String>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Inputs {
        /// The VPC, in a doc comment
        /// of two lines.
        vpc_id: String,
        /// The port.
        #[serde(default = "default_port")]
        port: u16,
        /// Subnets.
        subnet_ids: Vec<String>,
        /// Tags.
        tags: Option<BTreeMap<String, String>>,
        /// Access, if any.
        access: Option<Access>,
        /// Filled in for previews only.
        #[serde(default)]
        #[schemars(extend("required" = true))]
        service_id: String,
        /// Check makes one up when the program has none.
        #[schemars(extend("filledByCheck" = true))]
        name: Option<String>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase", default)]
    struct State {
        /// The id.
        endpoint_id: String,
        /// When known.
        dns_name: Option<String>,
        /// Every create records it.
        #[schemars(extend("required" = true))]
        instance_id: Option<String>,
    }

    /// A thing in the test package.
    #[derive(JsonSchema)]
    struct Thing;

    /// A test resource that makes and reads nothing: only its token, replace-on-change list and
    /// schema differ between the tests.
    macro_rules! inert_resource {
        ($ty:ty, $token:literal, $replace:expr) => {
            #[async_trait]
            impl Resource for $ty {
                const TOKEN: &'static str = $token;
                const REPLACE_ON_CHANGE: &'static [&'static str] = $replace;
                type Provider = ();
                type Inputs = Inputs;
                type State = State;

                async fn create(
                    &self,
                    _: &Context<()>,
                    _: &Inputs,
                ) -> Result<(String, State), ResourceError> {
                    Ok(("t".into(), State::default()))
                }

                async fn read(
                    &self,
                    _: &Context<()>,
                    _: &str,
                    _: Option<(&Inputs, &State)>,
                ) -> Result<Option<(Inputs, State)>, ResourceError> {
                    Ok(None)
                }

                async fn delete(
                    &self,
                    _: &Context<()>,
                    _: &str,
                    _: (&Inputs, &State),
                ) -> Result<(), ResourceError> {
                    Ok(())
                }
            }
        };
    }

    inert_resource!(Thing, "test:index:Thing", &["vpcId"]);

    /// Settings of the test provider.
    #[derive(Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Config {
        /// The region.
        region: Option<String>,
        /// Skip the check.
        #[serde(default)]
        skip_check: bool,
    }

    #[test]
    fn resources_types_and_config_come_out_in_pulumis_shape() {
        let package = PackageBuilder::new("test")
            .config::<Config>()
            .and_then(|b| b.resource::<Thing>())
            .expect("builds")
            .finish(Map::from_iter([("name".to_string(), json!("test"))]));
        let inputs = json!({
            "vpcId": {"type": "string", "description": "The VPC, in a doc comment of two lines."},
            "port": {"type": "integer", "description": "The port. Default `5432`.", "default": 5432},
            "subnetIds": {"type": "array", "items": {"type": "string"}, "description": "Subnets."},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Tags."},
            "access": {"$ref": "#/types/test:index:Access", "description": "Access, if any."},
            "serviceId": {"type": "string", "description": "Filled in for previews only."},
            "name": {"type": "string", "description": "Check makes one up when the program has none."},
        });
        let mut inputs = inputs;
        inputs["vpcId"]["description"] =
            json!("The VPC, in a doc comment of two lines. Changing it replaces the resource.");
        let mut outputs = inputs.clone();
        outputs["vpcId"]["replaceOnChanges"] = json!(true);
        // Outputs carry no default (a program never leaves one out) but keep its description.
        outputs["port"] = json!({"type": "integer", "description": "The port. Default `5432`."});
        outputs["endpointId"] = json!({"type": "string", "description": "The id."});
        outputs["dnsName"] = json!({"type": "string", "description": "When known."});
        outputs["instanceId"] =
            json!({"type": "string", "description": "Every create records it."});
        assert_eq!(
            package["resources"]["test:index:Thing"],
            json!({
                "description": "A thing in the test package.",
                "inputProperties": inputs,
                "requiredInputs": ["vpcId", "subnetIds", "serviceId"],
                "properties": outputs,
                // Required inputs; then, in name order, an input with a default and one Check
                // fills in; then state marked required and state that is no `Option`.
                "required": ["vpcId", "subnetIds", "serviceId", "name", "port", "instanceId", "endpointId"],
            })
        );
        assert_eq!(
            package["types"]["test:index:Access"],
            json!({
                "description": "How to reach the thing.",
                "type": "object",
                "properties": {
                    "userName": {"type": "string", "description": "The login."},
                    "password": {"type": "string", "description": "The password.", "secret": true},
                },
                "required": ["userName"],
            })
        );
        let region = json!({
            "region": {"type": "string", "description": "The region."},
            "skipCheck": {"type": "boolean", "description": "Skip the check. Default `false`.", "default": false},
        });
        assert_eq!(package["config"]["variables"], region);
        assert_eq!(package["provider"]["inputProperties"], region);
        assert_eq!(package["provider"]["properties"], json!({}));
        assert_eq!(
            package["provider"]["description"],
            "Settings of the test provider."
        );
        assert_eq!(package["name"], "test");
    }

    #[test]
    fn a_replace_on_change_that_names_no_property_is_an_error() {
        struct Wrong;
        inert_resource!(Wrong, "test:index:Wrong", &["vpcID"]);
        impl JsonSchema for Wrong {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "Wrong".into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({})
            }
        }
        let error = PackageBuilder::new("test")
            .resource::<Wrong>()
            .err()
            .expect("fails");
        assert!(error.to_string().contains("vpcID"), "{error}");
    }
}
