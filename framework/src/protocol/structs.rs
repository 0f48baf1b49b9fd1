//! `google.protobuf.Struct` as the engine encodes properties, to and from [`PropertyMap`].
//!
//! The engine encodes what JSON cannot say in-band: unknowns are sentinel strings (one per
//! type), and secrets, resource references, assets and archives are objects tagged with a
//! signature key.

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};

use crate::runtime::value::{PropertyMap, PropertyValue, UnknownKind};

const SIG_KEY: &str = "4dabf18193072939515e22adb298388d";
const SECRET_SIG: &str = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_REF_SIG: &str = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG: &str = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG: &str = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG: &str = "0def7320c3a5731c473e5ecbe6d01bc7";

const UNKNOWN_SENTINELS: &[(UnknownKind, &str)] = &[
    (UnknownKind::Bool, "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"),
    (UnknownKind::Number, "3eeb2bf0-c639-47a8-9e75-3b44932eb421"),
    (UnknownKind::String, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
    (UnknownKind::Array, "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"),
    (UnknownKind::Asset, "030794c1-ac77-496b-92df-f27374a8bd58"),
    (UnknownKind::Archive, "e48ece36-62e2-4504-bad9-02848725956a"),
    (UnknownKind::Object, "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"),
];

/// A Struct the engine sent that breaks the encoding rules.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("malformed property `{path}`: {reason}")]
pub struct MalformedProperty {
    pub path: String,
    pub reason: String,
}

pub fn sentinel(kind: UnknownKind) -> &'static str {
    UNKNOWN_SENTINELS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, s)| *s)
        .unwrap_or(UNKNOWN_SENTINELS[2].1)
}

fn unknown_from_sentinel(s: &str) -> Option<UnknownKind> {
    UNKNOWN_SENTINELS
        .iter()
        .find(|(_, sentinel)| *sentinel == s)
        .map(|(kind, _)| *kind)
}

/// Decodes an optional Struct (absent means empty).
pub fn to_property_map(s: Option<&Struct>) -> Result<PropertyMap, MalformedProperty> {
    let mut map = PropertyMap::new();
    for (key, value) in s.map(|s| s.fields.iter()).into_iter().flatten() {
        map.insert(key.clone(), to_property_value(value, key)?);
    }
    Ok(map)
}

fn to_property_value(value: &Value, path: &str) -> Result<PropertyValue, MalformedProperty> {
    Ok(match &value.kind {
        None | Some(Kind::NullValue(_)) => PropertyValue::Null,
        Some(Kind::BoolValue(b)) => PropertyValue::Bool(*b),
        Some(Kind::NumberValue(n)) => PropertyValue::Number(*n),
        Some(Kind::StringValue(s)) => match unknown_from_sentinel(s) {
            Some(kind) => PropertyValue::Unknown(kind),
            None => PropertyValue::String(s.clone()),
        },
        Some(Kind::ListValue(list)) => PropertyValue::Array(
            list.values
                .iter()
                .enumerate()
                .map(|(i, v)| to_property_value(v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Some(Kind::StructValue(s)) => special_or_object(s, path)?,
    })
}

fn special_or_object(s: &Struct, path: &str) -> Result<PropertyValue, MalformedProperty> {
    let malformed = |reason: &str| MalformedProperty {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    let string_field = |name: &str| match s.fields.get(name).and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(v)) => Some(v.clone()),
        _ => None,
    };
    let field = |name: &str| {
        s.fields
            .get(name)
            .map(|v| to_property_value(v, &format!("{path}.{name}")))
            .transpose()
    };
    if s.fields.contains_key(SIG_KEY) && string_field(SIG_KEY).is_none() {
        return Err(malformed("the signature key must hold a string"));
    }
    let Some(signature) = string_field(SIG_KEY) else {
        let mut map = PropertyMap::new();
        for (key, value) in &s.fields {
            map.insert(
                key.clone(),
                to_property_value(value, &format!("{path}.{key}"))?,
            );
        }
        return Ok(PropertyValue::Object(map));
    };
    match signature.as_str() {
        SECRET_SIG => {
            let value = field("value")?.ok_or_else(|| malformed("secret without a value"))?;
            Ok(value.into_secret())
        }
        RESOURCE_REF_SIG => {
            let urn = string_field("urn").ok_or_else(|| malformed("reference without a urn"))?;
            // An empty id is how the engine spells "custom resource, id not known yet".
            let id = field("id")?.map(|id| match id {
                PropertyValue::String(s) if s.is_empty() => {
                    PropertyValue::Unknown(UnknownKind::String)
                }
                other => other,
            });
            Ok(PropertyValue::ResourceReference {
                urn,
                id: id.map(Box::new),
                package_version: string_field("packageVersion").unwrap_or_default(),
            })
        }
        OUTPUT_VALUE_SIG => {
            // An output value: known or not, secret or not. Its dependencies are the engine's
            // business, not ours.
            let inner = field("value")?.unwrap_or(PropertyValue::Unknown(UnknownKind::String));
            let secret = matches!(
                s.fields.get("secret").and_then(|v| v.kind.as_ref()),
                Some(Kind::BoolValue(true))
            );
            Ok(if secret { inner.into_secret() } else { inner })
        }
        ASSET_SIG | ARCHIVE_SIG => Err(malformed("assets and archives are not supported here")),
        other => Err(malformed(&format!("unrecognised signature {other}"))),
    }
}

/// Encodes a property map for the engine.
pub fn from_property_map(map: &PropertyMap) -> Struct {
    Struct {
        fields: map
            .iter()
            .map(|(k, v)| (k.clone(), from_property_value(v)))
            .collect(),
    }
}

fn from_property_value(value: &PropertyValue) -> Value {
    let kind = match value {
        PropertyValue::Null => Kind::NullValue(0),
        PropertyValue::Bool(b) => Kind::BoolValue(*b),
        PropertyValue::Number(n) => Kind::NumberValue(*n),
        PropertyValue::String(s) => Kind::StringValue(s.clone()),
        PropertyValue::Unknown(kind) => Kind::StringValue(sentinel(*kind).to_string()),
        PropertyValue::Array(items) => Kind::ListValue(ListValue {
            values: items.iter().map(from_property_value).collect(),
        }),
        PropertyValue::Object(map) => Kind::StructValue(from_property_map(map)),
        PropertyValue::Secret(inner) => Kind::StructValue(Struct {
            fields: [
                (SIG_KEY.to_string(), string_value(SECRET_SIG)),
                ("value".to_string(), from_property_value(inner)),
            ]
            .into_iter()
            .collect(),
        }),
        PropertyValue::ResourceReference {
            urn,
            id,
            package_version,
        } => {
            let mut fields = std::collections::BTreeMap::from([
                (SIG_KEY.to_string(), string_value(RESOURCE_REF_SIG)),
                ("urn".to_string(), string_value(urn)),
            ]);
            if let Some(id) = id {
                let id = match id.as_ref() {
                    PropertyValue::Unknown(_) => string_value(""),
                    known => from_property_value(known),
                };
                fields.insert("id".to_string(), id);
            }
            if !package_version.is_empty() {
                fields.insert("packageVersion".to_string(), string_value(package_version));
            }
            Kind::StructValue(Struct { fields })
        }
    };
    Value { kind: Some(kind) }
}

fn string_value(s: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(map: &PropertyMap) -> PropertyMap {
        to_property_map(Some(&from_property_map(map))).expect("our own encoding decodes")
    }

    #[test]
    fn every_unknown_kind_survives_a_round_trip() {
        let map: PropertyMap = UNKNOWN_SENTINELS
            .iter()
            .enumerate()
            .map(|(i, (kind, _))| (format!("p{i}"), PropertyValue::Unknown(*kind)))
            .collect();
        assert_eq!(round_trip(&map), map);
    }

    #[test]
    fn secrets_references_and_nesting_survive_a_round_trip() {
        let map = PropertyMap::from([
            (
                "password".to_string(),
                PropertyValue::String("hunter2".into()).into_secret(),
            ),
            (
                "nested".to_string(),
                PropertyValue::Object(PropertyMap::from([(
                    "list".to_string(),
                    PropertyValue::Array(vec![
                        PropertyValue::Null,
                        PropertyValue::Bool(true),
                        PropertyValue::Number(1.5),
                        PropertyValue::Unknown(UnknownKind::Number).into_secret(),
                    ]),
                )])),
            ),
            (
                "vpc".to_string(),
                PropertyValue::ResourceReference {
                    urn: "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::main".into(),
                    id: Some(Box::new(PropertyValue::Unknown(UnknownKind::String))),
                    package_version: "6.0.0".into(),
                },
            ),
        ]);
        assert_eq!(round_trip(&map), map);
    }

    #[test]
    fn output_values_decode_as_their_value_and_secrecy() {
        let output = Struct {
            fields: [
                (SIG_KEY.to_string(), string_value(OUTPUT_VALUE_SIG)),
                ("value".to_string(), string_value("x")),
                (
                    "secret".to_string(),
                    Value {
                        kind: Some(Kind::BoolValue(true)),
                    },
                ),
            ]
            .into_iter()
            .collect(),
        };
        let wrapped = Struct {
            fields: [(
                "a".to_string(),
                Value {
                    kind: Some(Kind::StructValue(output)),
                },
            )]
            .into_iter()
            .collect(),
        };
        let map = to_property_map(Some(&wrapped)).expect("decodes");
        assert_eq!(map["a"], PropertyValue::String("x".into()).into_secret());
    }

    #[test]
    fn malformed_special_objects_name_their_path() {
        let bad = Struct {
            fields: [(
                "outer".to_string(),
                Value {
                    kind: Some(Kind::StructValue(Struct {
                        fields: [(SIG_KEY.to_string(), string_value(SECRET_SIG))]
                            .into_iter()
                            .collect(),
                    })),
                },
            )]
            .into_iter()
            .collect(),
        };
        let err = to_property_map(Some(&bad)).expect_err("secret without value");
        assert_eq!(err.path, "outer");
    }

    fn arbitrary_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value { kind: None }),
            any::<bool>().prop_map(|b| Value {
                kind: Some(Kind::BoolValue(b))
            }),
            any::<f64>().prop_map(|n| Value {
                kind: Some(Kind::NumberValue(n))
            }),
            prop_oneof![
                ".*".prop_map(String::from),
                Just(SIG_KEY.to_string()),
                Just(SECRET_SIG.to_string()),
                Just(RESOURCE_REF_SIG.to_string()),
                Just(OUTPUT_VALUE_SIG.to_string()),
                Just(sentinel(UnknownKind::String).to_string()),
                Just(sentinel(UnknownKind::Object).to_string()),
            ]
            .prop_map(|s| Value {
                kind: Some(Kind::StringValue(s))
            }),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            let keys = prop_oneof![
                "[a-zA-Z]{1,8}".prop_map(String::from),
                Just(SIG_KEY.to_string()),
                Just("value".to_string()),
                Just("urn".to_string()),
                Just("id".to_string()),
                Just("secret".to_string()),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(|values| Value {
                    kind: Some(Kind::ListValue(ListValue { values }))
                }),
                prop::collection::btree_map(keys, inner, 0..6).prop_map(|fields| Value {
                    kind: Some(Kind::StructValue(Struct { fields })),
                }),
            ]
        })
    }

    /// A typed struct with optional, nested, list and map fields, for the decoding half below.
    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Typed {
        a: Option<String>,
        b: Option<bool>,
        c: Option<Vec<u16>>,
        d: Option<std::collections::BTreeMap<String, String>>,
        e: Option<Box<Typed>>,
    }

    proptest! {
        /// Whatever the engine (or a fuzzer) sends, decoding never panics, and anything that
        /// decodes re-encodes to something that decodes to the same value.
        #[test]
        fn arbitrary_structs_never_panic_and_decoded_values_are_stable(
            fields in prop::collection::btree_map("[a-z]{1,6}", arbitrary_value(), 0..8)
        ) {
            let s = Struct { fields };
            if let Ok(map) = to_property_map(Some(&s)) {
                let again = round_trip(&map);
                // NaN never equals itself; compare the debug rendering instead.
                prop_assert_eq!(format!("{again:?}"), format!("{map:?}"));
                // And typed decoding of arbitrary values reports errors instead of panicking.
                let _ = crate::runtime::decode::from_map::<Typed>(&map);
            }
        }
    }
}
