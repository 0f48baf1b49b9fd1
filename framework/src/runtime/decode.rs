//! Typed decoding of property values with serde.
//!
//! Resource code declares plain Rust structs; this deserializer fills them from a
//! [`PropertyValue`]. Secrets decode as their plain value (their paths are kept in
//! [`Markers`](super::value::Markers) and put back on the way out). Unknowns decode as the empty
//! value of whatever type is asked for (`""`, `0`, `false`, `None`, an empty list, a struct of
//! empty fields) so that preview can still run validation on everything that *is* known; the
//! runtime discards failures found under unknown paths. Every error names the property path.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::value::{PropertyMap, PropertyPath, PropertyValue};

/// A value that does not fit the declared type, at a property path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", if path.is_root() { String::new() } else { format!("{path}: ") })]
pub struct DecodeError {
    pub path: PropertyPath,
    pub message: String,
    /// Serde raises some errors (missing or unknown field, custom) without knowing where it is;
    /// their path is relative to the value being decoded until an outer level roots it.
    relative: bool,
}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError {
            path: PropertyPath::root(),
            message: msg.to_string(),
            relative: true,
        }
    }

    // Missing and unknown fields are reported at the field's own path, so that a CheckFailure
    // lands on the property the user has to fix.
    fn missing_field(field: &'static str) -> Self {
        DecodeError {
            path: PropertyPath::root().key(field),
            message: "missing required property".into(),
            relative: true,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DecodeError {
            path: PropertyPath::root().key(field),
            message: format!("unknown property; expected one of: {}", expected.join(", ")),
            relative: true,
        }
    }
}

impl DecodeError {
    fn at(path: &PropertyPath, message: String) -> Self {
        DecodeError {
            path: path.clone(),
            message,
            relative: false,
        }
    }

    /// Roots a relative error at the path of the value that was being decoded.
    fn within(mut self, outer: &PropertyPath) -> Self {
        if self.relative {
            let mut segments = outer.0.clone();
            segments.append(&mut self.path.0);
            self.path = PropertyPath(segments);
            self.relative = false;
        }
        self
    }
}

/// Decodes a property map into `T`.
pub fn from_map<T: DeserializeOwned>(map: &PropertyMap) -> Result<T, DecodeError> {
    T::deserialize(ValueDeserializer::new(MapRef(map), PropertyPath::root()))
}

/// Decodes one property value into `T`.
pub fn from_value<T: DeserializeOwned>(value: &PropertyValue) -> Result<T, DecodeError> {
    T::deserialize(ValueDeserializer::new(Ref(value), PropertyPath::root()))
}

/// The names of the fields a struct type reads, as serde derives them (after renames): which
/// recorded outputs are a resource's inputs and which its state.
pub fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe;
    #[derive(Debug)]
    struct Fields(&'static [&'static str]);
    impl fmt::Display for Fields {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "fields probe")
        }
    }
    impl std::error::Error for Fields {}
    impl de::Error for Fields {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Fields(&[])
        }
    }
    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Fields;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    match T::deserialize(Probe) {
        Err(Fields(fields)) => fields,
        Ok(_) => &[],
    }
}

// Borrowed views, so decoding never clones the property tree.
#[derive(Clone, Copy)]
struct Ref<'a>(&'a PropertyValue);
#[derive(Clone, Copy)]
struct MapRef<'a>(&'a PropertyMap);

enum Node<'a> {
    Value(&'a PropertyValue),
    Map(&'a PropertyMap),
}

impl<'a> From<Ref<'a>> for Node<'a> {
    fn from(r: Ref<'a>) -> Self {
        Node::Value(r.0)
    }
}
impl<'a> From<MapRef<'a>> for Node<'a> {
    fn from(r: MapRef<'a>) -> Self {
        Node::Map(r.0)
    }
}

struct ValueDeserializer<'a> {
    node: Node<'a>,
    path: PropertyPath,
}

impl<'a> ValueDeserializer<'a> {
    fn new(node: impl Into<Node<'a>>, path: PropertyPath) -> Self {
        let mut node = node.into();
        // Secrets and resource references decode as what they stand for.
        loop {
            node = match node {
                Node::Value(PropertyValue::Secret(inner)) => Node::Value(inner),
                Node::Value(PropertyValue::ResourceReference { id: Some(id), .. }) => {
                    Node::Value(id)
                }
                other => break ValueDeserializer { node: other, path },
            }
        }
    }

    fn is_unknown(&self) -> bool {
        matches!(self.node, Node::Value(PropertyValue::Unknown(_)))
    }

    fn type_error(&self, expected: &str) -> DecodeError {
        let found = match self.node {
            Node::Map(_) | Node::Value(PropertyValue::Object(_)) => "an object",
            Node::Value(PropertyValue::Null) => "null",
            Node::Value(PropertyValue::Bool(_)) => "a boolean",
            Node::Value(PropertyValue::Number(_)) => "a number",
            Node::Value(PropertyValue::String(_)) => "a string",
            Node::Value(PropertyValue::Array(_)) => "a list",
            Node::Value(PropertyValue::Unknown(_)) => "an unknown value",
            Node::Value(PropertyValue::Secret(_)) => "a secret",
            Node::Value(PropertyValue::ResourceReference { .. }) => "a resource reference",
        };
        DecodeError::at(&self.path, format!("expected {expected}, found {found}"))
    }

    fn number(&self) -> Result<f64, DecodeError> {
        match self.node {
            Node::Value(PropertyValue::Number(n)) => Ok(*n),
            _ if self.is_unknown() => Ok(0.0),
            _ => Err(self.type_error("a number")),
        }
    }

    fn integer<T: TryFrom<i64>>(&self, name: &str) -> Result<T, DecodeError> {
        let n = self.number()?;
        if n.fract() != 0.0 || !n.is_finite() {
            return Err(DecodeError::at(
                &self.path,
                format!("expected a whole number, found {n}"),
            ));
        }
        T::try_from(n as i64)
            .map_err(|_| DecodeError::at(&self.path, format!("{n} is out of range for {name}")))
    }
}

macro_rules! deserialize_integer {
    ($($method:ident => $visit:ident($ty:ty)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let n: $ty = self.integer(stringify!($ty))?;
            visitor.$visit(n)
        }
    )*};
}

impl<'de, 'a> de::Deserializer<'de> for ValueDeserializer<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Map(map) => visitor.visit_map(Fields::new(map.iter(), &self.path)),
            Node::Value(value) => match value {
                PropertyValue::Null | PropertyValue::Unknown(_) => visitor.visit_unit(),
                PropertyValue::Bool(b) => visitor.visit_bool(*b),
                // Whole numbers go out as integers, so buffered decoding (`flatten`) can still
                // fill integer fields.
                PropertyValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                    if *n >= 0.0 {
                        visitor.visit_u64(*n as u64)
                    } else {
                        visitor.visit_i64(*n as i64)
                    }
                }
                PropertyValue::Number(n) => visitor.visit_f64(*n),
                PropertyValue::String(s) => visitor.visit_str(s),
                PropertyValue::Array(items) => visitor.visit_seq(Items::new(items, &self.path)),
                PropertyValue::Object(map) => {
                    visitor.visit_map(Fields::new(map.iter(), &self.path))
                }
                PropertyValue::Secret(_) | PropertyValue::ResourceReference { .. } => {
                    // Unwrapped in `new`; a reference without an id is only a URN.
                    match value {
                        PropertyValue::ResourceReference { urn, .. } => visitor.visit_str(urn),
                        _ => Err(self.type_error("a plain value")),
                    }
                }
            },
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Value(PropertyValue::Bool(b)) => visitor.visit_bool(*b),
            _ if self.is_unknown() => visitor.visit_bool(false),
            _ => Err(self.type_error("a boolean")),
        }
    }

    deserialize_integer! {
        deserialize_i8 => visit_i8(i8), deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32), deserialize_i64 => visit_i64(i64),
        deserialize_u8 => visit_u8(u8), deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32), deserialize_u64 => visit_u64(u64),
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f32(self.number()? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f64(self.number()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Value(PropertyValue::String(s)) => visitor.visit_str(s),
            Node::Value(PropertyValue::ResourceReference { urn, id: None, .. }) => {
                visitor.visit_str(urn)
            }
            _ if self.is_unknown() => visitor.visit_str(""),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Value(PropertyValue::Null | PropertyValue::Unknown(_)) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Value(PropertyValue::Array(items)) => {
                visitor.visit_seq(Items::new(items, &self.path))
            }
            _ if self.is_unknown() => visitor.visit_seq(Items::new(&[], &self.path)),
            _ => Err(self.type_error("a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.node {
            Node::Map(map) | Node::Value(PropertyValue::Object(map)) => {
                visitor.visit_map(Fields::new(map.iter(), &self.path))
            }
            _ if self.is_unknown() => {
                visitor.visit_map(Fields::new(std::iter::empty(), &self.path))
            }
            _ => Err(self.type_error("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if self.is_unknown() {
            // Every field of an unknown object is unknown too.
            return visitor.visit_map(UnknownFields {
                fields: fields.iter(),
                path: self.path,
                current: None,
            });
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        // Only unit variants (string enums) appear in our schema.
        let variant = match self.node {
            Node::Value(PropertyValue::String(s)) => s.as_str(),
            _ if self.is_unknown() => variants.first().copied().unwrap_or_default(),
            _ => return Err(self.type_error("a string")),
        };
        let path = self.path.clone();
        visitor
            .visit_enum(variant.into_deserializer())
            .map_err(|e: DecodeError| {
                DecodeError::at(
                    &path,
                    format!("{}; allowed values: {}", e.message, variants.join(", ")),
                )
            })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit_struct newtype_struct tuple tuple_struct identifier
    }
}

struct Items<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, PropertyValue>>,
    path: &'a PropertyPath,
}

impl<'a> Items<'a> {
    fn new(items: &'a [PropertyValue], path: &'a PropertyPath) -> Self {
        Items {
            items: items.iter().enumerate(),
            path,
        }
    }
}

impl<'de, 'a> de::SeqAccess<'de> for Items<'a> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, item)) => {
                let path = self.path.index(i);
                seed.deserialize(ValueDeserializer::new(Ref(item), path.clone()))
                    .map(Some)
                    .map_err(|e| e.within(&path))
            }
        }
    }
}

struct Fields<'a, I> {
    entries: I,
    path: &'a PropertyPath,
    current: Option<(&'a String, &'a PropertyValue)>,
}

impl<'a, I> Fields<'a, I> {
    fn new(entries: I, path: &'a PropertyPath) -> Self {
        Fields {
            entries,
            path,
            current: None,
        }
    }
}

impl<'de, 'a, I> de::MapAccess<'de> for Fields<'a, I>
where
    I: Iterator<Item = (&'a String, &'a PropertyValue)>,
{
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.entries.next() {
            None => Ok(None),
            Some((key, value)) => {
                self.current = Some((key, value));
                seed.deserialize(key.as_str().into_deserializer())
                    .map(Some)
                    .map_err(|e: DecodeError| e.within(self.path))
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((key, value)) = self.current.take() else {
            return Err(de::Error::custom("value requested before key"));
        };
        let path = self.path.key(key);
        seed.deserialize(ValueDeserializer::new(Ref(value), path.clone()))
            .map_err(|e| e.within(&path))
    }
}

/// The fields of an unknown struct: each one is itself unknown.
struct UnknownFields {
    fields: std::slice::Iter<'static, &'static str>,
    path: PropertyPath,
    current: Option<&'static str>,
}

const UNKNOWN: PropertyValue = PropertyValue::Unknown(super::value::UnknownKind::Object);

impl<'de> de::MapAccess<'de> for UnknownFields {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.fields.next() {
            None => Ok(None),
            Some(field) => {
                self.current = Some(field);
                seed.deserialize(field.into_deserializer()).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let field = self.current.take().unwrap_or_default();
        seed.deserialize(ValueDeserializer::new(Ref(&UNKNOWN), self.path.key(field)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::value::UnknownKind;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct HealthCheck {
        port: u16,
        interval_seconds: Option<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Engine {
        Postgresql,
        Mysql,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Inputs {
        vpc_id: String,
        subnet_ids: Vec<String>,
        port: u16,
        health_check: Option<HealthCheck>,
        engine: Option<Engine>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
    }

    fn s(v: &str) -> PropertyValue {
        PropertyValue::String(v.into())
    }

    fn inputs(entries: Vec<(&str, PropertyValue)>) -> PropertyMap {
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    #[test]
    fn decodes_secrets_as_plain_values() {
        let map = inputs(vec![
            ("vpcId", PropertyValue::Secret(Box::new(s("vpc-1")))),
            ("subnetIds", PropertyValue::Array(vec![s("subnet-1")])),
            ("port", PropertyValue::Number(5432.0)),
        ]);
        let decoded: Inputs = from_map(&map).expect("decodes");
        assert_eq!(decoded.vpc_id, "vpc-1");
        assert_eq!(decoded.port, 5432);
    }

    #[test]
    fn unknowns_become_empty_values_of_the_asked_type() {
        let map = inputs(vec![
            ("vpcId", PropertyValue::Unknown(UnknownKind::String)),
            ("subnetIds", PropertyValue::Unknown(UnknownKind::Array)),
            ("port", PropertyValue::Unknown(UnknownKind::Number)),
            ("healthCheck", PropertyValue::Unknown(UnknownKind::Object)),
            ("engine", PropertyValue::Unknown(UnknownKind::String)),
        ]);
        let decoded: Inputs = from_map(&map).expect("decodes");
        assert_eq!(decoded.vpc_id, "");
        assert!(decoded.subnet_ids.is_empty());
        assert_eq!(decoded.port, 0);
        assert_eq!(decoded.health_check, None);
    }

    #[test]
    fn an_unknown_required_struct_decodes_field_by_field() {
        #[derive(Debug, Deserialize)]
        struct Outer {
            inner: HealthCheck,
        }
        let map = inputs(vec![("inner", PropertyValue::Unknown(UnknownKind::Object))]);
        let decoded: Outer = from_map(&map).expect("decodes");
        assert_eq!(decoded.inner.port, 0);
    }

    #[test]
    fn errors_name_the_property_path() {
        let bad_nested = inputs(vec![
            ("vpcId", s("vpc-1")),
            (
                "subnetIds",
                PropertyValue::Array(vec![s("a"), PropertyValue::Number(3.0)]),
            ),
            ("port", PropertyValue::Number(1.0)),
        ]);
        let err = from_map::<Inputs>(&bad_nested).expect_err("list item is a number");
        assert_eq!(err.path.to_string(), "subnetIds[1]");
        assert!(err.message.contains("expected a string"), "{err}");

        let missing = inputs(vec![
            ("vpcId", s("vpc-1")),
            ("port", PropertyValue::Number(1.0)),
        ]);
        let err = from_map::<Inputs>(&missing).expect_err("subnetIds is required");
        assert_eq!(err.path.to_string(), "subnetIds");

        let out_of_range = inputs(vec![
            ("vpcId", s("vpc-1")),
            ("subnetIds", PropertyValue::Array(vec![])),
            ("port", PropertyValue::Number(70000.0)),
        ]);
        let err = from_map::<Inputs>(&out_of_range).expect_err("port is a u16");
        assert_eq!(err.path.to_string(), "port");

        let nested_unknown_field = inputs(vec![
            ("vpcId", s("vpc-1")),
            ("subnetIds", PropertyValue::Array(vec![])),
            ("port", PropertyValue::Number(1.0)),
            (
                "healthCheck",
                PropertyValue::Object(inputs(vec![
                    ("port", PropertyValue::Number(1.0)),
                    ("intervalSecs", PropertyValue::Number(1.0)),
                ])),
            ),
        ]);
        let err = from_map::<Inputs>(&nested_unknown_field).expect_err("typo");
        assert_eq!(err.path.to_string(), "healthCheck.intervalSecs");

        let bad_enum = inputs(vec![
            ("vpcId", s("vpc-1")),
            ("subnetIds", PropertyValue::Array(vec![])),
            ("port", PropertyValue::Number(1.0)),
            ("engine", s("oracle")),
        ]);
        let err = from_map::<Inputs>(&bad_enum).expect_err("not a known engine");
        assert_eq!(err.path.to_string(), "engine");
        assert!(err.message.contains("postgresql, mysql"), "{err}");
    }

    #[test]
    fn struct_fields_lists_serde_names() {
        assert_eq!(
            struct_fields::<Inputs>(),
            &[
                "vpcId",
                "subnetIds",
                "port",
                "healthCheck",
                "engine",
                "tags"
            ]
        );
    }
}
