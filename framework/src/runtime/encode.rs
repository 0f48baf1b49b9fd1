//! Typed values back to properties: serialize with serde into JSON, then into the property
//! model. Outputs never contain unknowns or secrets of their own; the runtime adds those.

use serde::Serialize;

use super::value::{PropertyMap, PropertyValue};

#[derive(Debug, thiserror::Error)]
#[error("could not encode properties: {0}")]
pub struct EncodeError(String);

pub fn to_map<T: Serialize>(value: &T) -> Result<PropertyMap, EncodeError> {
    match serde_json::to_value(value).map_err(|e| EncodeError(e.to_string()))? {
        serde_json::Value::Object(map) => Ok(map
            .into_iter()
            // Absent optional values are left out rather than recorded as null.
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, PropertyValue::from_json(v)))
            .collect()),
        other => Err(EncodeError(format!("expected an object, got {other}"))),
    }
}

/// The outputs Pulumi records: inputs and computed state in one map (state wins on a clash).
pub fn merge<I: Serialize, S: Serialize>(
    inputs: &I,
    state: &S,
) -> Result<PropertyMap, EncodeError> {
    let mut map = to_map(inputs)?;
    map.extend(to_map(state)?);
    Ok(map)
}
