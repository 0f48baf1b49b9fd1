//! Pulumi's property model, independent of protobuf: a JSON-like value that can also be unknown
//! (during preview), secret, or a reference to another resource.

use std::collections::BTreeMap;
use std::fmt;

pub type PropertyMap = BTreeMap<String, PropertyValue>;

/// The type an unknown value will have once it is known. The engine sends a distinct sentinel per
/// type, and we send the same one back so that it can type-check programs during preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnknownKind {
    Bool,
    Number,
    String,
    Array,
    Object,
    Asset,
    Archive,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<PropertyValue>),
    Object(PropertyMap),
    /// Not known until another resource is created or updated.
    Unknown(UnknownKind),
    /// A value that must stay encrypted in state and masked in output.
    Secret(Box<PropertyValue>),
    /// A reference to another resource; custom resources carry their id (itself possibly unknown).
    ResourceReference {
        urn: String,
        id: Option<Box<PropertyValue>>,
        package_version: String,
    },
}

impl PropertyValue {
    pub fn is_unknown(&self) -> bool {
        matches!(self, PropertyValue::Unknown(_))
    }

    /// True if this value or anything inside it is unknown.
    pub fn contains_unknowns(&self) -> bool {
        match self {
            PropertyValue::Unknown(_) => true,
            PropertyValue::Array(items) => items.iter().any(Self::contains_unknowns),
            PropertyValue::Object(map) => map.values().any(Self::contains_unknowns),
            PropertyValue::Secret(inner) => inner.contains_unknowns(),
            PropertyValue::ResourceReference { id, .. } => {
                id.as_deref().is_some_and(Self::contains_unknowns)
            }
            _ => false,
        }
    }

    /// True if this value or anything inside it is secret.
    pub fn contains_secrets(&self) -> bool {
        match self {
            PropertyValue::Secret(_) => true,
            PropertyValue::Array(items) => items.iter().any(Self::contains_secrets),
            PropertyValue::Object(map) => map.values().any(Self::contains_secrets),
            _ => false,
        }
    }

    /// Wraps the value as a secret unless it already is one.
    pub fn into_secret(self) -> PropertyValue {
        match self {
            PropertyValue::Secret(_) => self,
            other => PropertyValue::Secret(Box::new(other)),
        }
    }

    /// The kind of unknown that stands for a value of this shape.
    pub fn unknown_kind(&self) -> UnknownKind {
        match self {
            PropertyValue::Bool(_) => UnknownKind::Bool,
            PropertyValue::Number(_) => UnknownKind::Number,
            PropertyValue::Array(_) => UnknownKind::Array,
            PropertyValue::Object(_) => UnknownKind::Object,
            PropertyValue::Unknown(kind) => *kind,
            PropertyValue::Secret(inner) => inner.unknown_kind(),
            _ => UnknownKind::String,
        }
    }

    /// Converts plain JSON (as produced by serializing typed outputs) into a property value.
    pub fn from_json(json: serde_json::Value) -> PropertyValue {
        match json {
            serde_json::Value::Null => PropertyValue::Null,
            serde_json::Value::Bool(b) => PropertyValue::Bool(b),
            serde_json::Value::Number(n) => PropertyValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => PropertyValue::String(s),
            serde_json::Value::Array(items) => {
                PropertyValue::Array(items.into_iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => PropertyValue::Object(
                map.into_iter()
                    .map(|(k, v)| (k, Self::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// One step into a property value: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Where a value sits inside a property map, printed the way Pulumi prints property paths
/// (`healthCheck.port`, `subnetIds[1]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PropertyPath(pub Vec<PathSegment>);

impl PropertyPath {
    pub fn root() -> Self {
        Self::default()
    }

    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut next = self.clone();
        next.0.push(PathSegment::Key(key.into()));
        next
    }

    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(PathSegment::Index(index));
        next
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The top-level property this path is in.
    pub fn top_level(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathSegment::Key(key)) => Some(key),
            _ => None,
        }
    }

    pub fn starts_with(&self, prefix: &PropertyPath) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

/// Written as the engine writes property paths (sdk/go/common/resource/properties_path.go,
/// `PropertyPath.String`): `a.b[0]`, and a key with any character other than a letter, digit or
/// `_` as `["a.b"]` with `"` escaped, so a path names one property unambiguously.
impl fmt::Display for PropertyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key)
                    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    write!(f, "[\"{}\"]", key.replace('"', "\\\""))?
                }
                PathSegment::Key(key) if i == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The paths of every unknown and every secret in a property map, recorded before the values
/// are handed to typed resource code, so they can be put back on what it returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Markers {
    pub unknowns: Vec<(PropertyPath, UnknownKind)>,
    pub secrets: Vec<PropertyPath>,
}

impl Markers {
    pub fn collect(map: &PropertyMap) -> Self {
        let mut markers = Markers::default();
        for (key, value) in map {
            markers.visit(&PropertyPath::root().key(key), value);
        }
        markers
    }

    fn visit(&mut self, path: &PropertyPath, value: &PropertyValue) {
        match value {
            PropertyValue::Unknown(kind) => self.unknowns.push((path.clone(), *kind)),
            PropertyValue::Secret(inner) => {
                self.secrets.push(path.clone());
                self.visit(path, inner);
            }
            PropertyValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.visit(&path.index(i), item);
                }
            }
            PropertyValue::Object(map) => {
                for (key, item) in map {
                    self.visit(&path.key(key), item);
                }
            }
            PropertyValue::ResourceReference { id: Some(id), .. } if id.is_unknown() => {
                self.unknowns.push((path.clone(), UnknownKind::String))
            }
            _ => {}
        }
    }

    /// True if the path is, or is inside, an unknown value.
    pub fn is_unknown(&self, path: &PropertyPath) -> bool {
        self.unknowns.iter().any(|(u, _)| path.starts_with(u))
    }

    pub fn top_level_secrets(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().filter_map(PropertyPath::top_level)
    }

    /// Puts unknowns and secrets back where they were. Unknowns win over whatever placeholder
    /// typed code saw, and come back even where typed code left nothing (an unknown optional
    /// value decodes as absent); a secret wraps the value now at its path. Secret paths that no
    /// longer exist (resource code dropped the property) are skipped.
    pub fn restore(&self, map: &mut PropertyMap) {
        for (path, kind) in &self.unknowns {
            if let Some(slot) = slot_or_insert(map, path) {
                *slot = PropertyValue::Unknown(*kind);
            }
        }
        // Deepest first, so a secret inside a secret wraps the inner value before the outer one.
        let mut secrets = self.secrets.clone();
        secrets.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        for path in &secrets {
            if let Some(slot) = slot_mut(map, path) {
                let value = std::mem::replace(slot, PropertyValue::Null);
                *slot = value.into_secret();
            }
        }
    }
}

fn slot_mut<'a>(map: &'a mut PropertyMap, path: &PropertyPath) -> Option<&'a mut PropertyValue> {
    let (first, rest) = path.0.split_first()?;
    let PathSegment::Key(key) = first else {
        return None;
    };
    let mut slot = map.get_mut(key)?;
    for segment in rest {
        // Look through secrets that were already re-applied on an outer path.
        while let PropertyValue::Secret(inner) = slot {
            slot = inner.as_mut();
        }
        slot = match (segment, slot) {
            (PathSegment::Key(key), PropertyValue::Object(map)) => map.get_mut(key)?,
            (PathSegment::Index(i), PropertyValue::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(slot)
}

/// The value at `path`, inserting a null there when only its last key is missing (the object it
/// belongs to exists). An element past the end of a list is not made up.
fn slot_or_insert<'a>(
    map: &'a mut PropertyMap,
    path: &PropertyPath,
) -> Option<&'a mut PropertyValue> {
    let (last, parent) = path.0.split_last()?;
    let PathSegment::Key(key) = last else {
        return slot_mut(map, path);
    };
    let object = if parent.is_empty() {
        map
    } else {
        let mut slot = slot_mut(map, &PropertyPath(parent.to_vec()))?;
        while let PropertyValue::Secret(inner) = slot {
            slot = inner.as_mut();
        }
        match slot {
            PropertyValue::Object(object) => object,
            _ => return None,
        }
    };
    Some(object.entry(key.clone()).or_insert(PropertyValue::Null))
}

/// Removes secret wrappers everywhere, for code that must see plain values.
pub fn reveal(value: PropertyValue) -> PropertyValue {
    match value {
        PropertyValue::Secret(inner) => reveal(*inner),
        PropertyValue::Array(items) => {
            PropertyValue::Array(items.into_iter().map(reveal).collect())
        }
        PropertyValue::Object(map) => {
            PropertyValue::Object(map.into_iter().map(|(k, v)| (k, reveal(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, PropertyValue)]) -> PropertyMap {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn paths_print_like_pulumi() {
        let path = PropertyPath::root().key("healthCheck").key("port");
        assert_eq!(path.to_string(), "healthCheck.port");
        assert_eq!(
            PropertyPath::root().key("subnetIds").index(1).to_string(),
            "subnetIds[1]"
        );
        // A key that is not a plain identifier is quoted, so `.` alone is not read as a path.
        assert_eq!(PropertyPath::root().key(".").to_string(), r#"["."]"#);
        assert_eq!(
            PropertyPath::root()
                .key("tags")
                .key("team \"a\"")
                .to_string(),
            r#"tags["team \"a\""]"#
        );
    }

    #[test]
    fn markers_restore_unknowns_and_nested_secrets() {
        let original = obj(&[
            ("a", PropertyValue::Unknown(UnknownKind::Array)),
            (
                "b",
                PropertyValue::Object(obj(&[(
                    "c",
                    PropertyValue::Secret(Box::new(PropertyValue::String("pw".into()))),
                )])),
            ),
        ]);
        let markers = Markers::collect(&original);
        assert!(markers.is_unknown(&PropertyPath::root().key("a").index(3)));
        assert!(!markers.is_unknown(&PropertyPath::root().key("b")));

        let mut plain = obj(&[
            ("a", PropertyValue::Array(vec![])),
            (
                "b",
                PropertyValue::Object(obj(&[("c", PropertyValue::String("pw".into()))])),
            ),
        ]);
        markers.restore(&mut plain);
        assert_eq!(plain, original);
    }

    #[test]
    fn unknowns_come_back_where_typed_code_left_nothing() {
        let original = obj(&[
            ("cidrs", PropertyValue::Unknown(UnknownKind::Array)),
            (
                "health",
                PropertyValue::Object(obj(&[(
                    "port",
                    PropertyValue::Unknown(UnknownKind::Number),
                )])),
            ),
            (
                "list",
                PropertyValue::Array(vec![PropertyValue::Unknown(UnknownKind::String)]),
            ),
        ]);
        let markers = Markers::collect(&original);
        // Typed code dropped the absent optionals, filled a default and emptied the list.
        let mut checked = obj(&[
            (
                "health",
                PropertyValue::Object(obj(&[("interval", PropertyValue::Number(10.0))])),
            ),
            ("list", PropertyValue::Array(vec![])),
        ]);
        markers.restore(&mut checked);
        assert_eq!(checked["cidrs"], PropertyValue::Unknown(UnknownKind::Array));
        assert_eq!(
            checked["health"],
            PropertyValue::Object(obj(&[
                ("interval", PropertyValue::Number(10.0)),
                ("port", PropertyValue::Unknown(UnknownKind::Number)),
            ]))
        );
        // No element is made up past the end of a list.
        assert_eq!(checked["list"], PropertyValue::Array(vec![]));
    }
}
