//! Secrets out of messages. The engine keeps secret values encrypted in state and masks them in
//! its display, but error messages, Check failure reasons and log lines travel as plain text:
//! a reason that quotes a bad input (or an AWS error that quotes a request) would show it.

use super::registry::OperationError;
use super::resource::{CheckFailure, ResourceError};
use super::value::{PropertyMap, PropertyValue};

/// What a secret is replaced with in a message.
pub const MASK: &str = "[secret]";

/// The plain text of every secret in a request's property maps.
#[derive(Debug, Default, Clone)]
pub struct Secrets(Vec<String>);

impl Secrets {
    pub fn of<'a>(maps: impl IntoIterator<Item = &'a PropertyMap>) -> Self {
        let mut texts = Vec::new();
        for map in maps {
            for value in map.values() {
                collect(value, false, &mut texts);
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
        texts.dedup();
        Secrets(texts)
    }

    pub fn redact(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), MASK)
        })
    }

    pub fn redact_failure(&self, failure: CheckFailure) -> CheckFailure {
        CheckFailure {
            reason: self.redact(&failure.reason),
            ..failure
        }
    }

    pub fn redact_error(&self, error: OperationError) -> OperationError {
        match error {
            OperationError::BadState(message) => OperationError::BadState(self.redact(&message)),
            OperationError::Resource(e) => OperationError::Resource(self.redact_resource_error(e)),
        }
    }

    fn redact_resource_error(&self, error: ResourceError) -> ResourceError {
        match error {
            ResourceError::Invalid(m) => ResourceError::Invalid(self.redact(&m)),
            ResourceError::Cloud { operation, message } => ResourceError::Cloud {
                operation,
                message: self.redact(&message),
            },
            ResourceError::Timeout(after, what) => {
                ResourceError::Timeout(after, self.redact(&what))
            }
            ResourceError::Cancelled(m) => ResourceError::Cancelled(self.redact(&m)),
            ResourceError::Partial { id, state, source } => ResourceError::Partial {
                id,
                state,
                source: Box::new(self.redact_resource_error(*source)),
            },
        }
    }
}

fn collect(value: &PropertyValue, secret: bool, texts: &mut Vec<String>) {
    match value {
        PropertyValue::Secret(inner) => collect(inner, true, texts),
        PropertyValue::String(s) if secret && !s.is_empty() => texts.push(s.clone()),
        PropertyValue::Number(n) if secret => texts.push(n.to_string()),
        PropertyValue::Array(items) => items.iter().for_each(|v| collect(v, secret, texts)),
        PropertyValue::Object(map) => map.values().for_each(|v| collect(v, secret, texts)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> PropertyValue {
        PropertyValue::String(text.into()).into_secret()
    }

    #[test]
    fn nested_secrets_are_masked_and_plain_values_kept() {
        let map: PropertyMap = [
            ("name".to_string(), PropertyValue::String("orders".into())),
            (
                "aliases".to_string(),
                PropertyValue::Array(vec![secret("db.internal"), secret("db")]),
            ),
        ]
        .into_iter()
        .collect();
        let secrets = Secrets::of([&map]);
        assert_eq!(
            secrets.redact("`db.internal` and `db` for orders"),
            "`[secret]` and `[secret]` for orders"
        );
    }

    #[test]
    fn a_partial_error_keeps_its_state_and_loses_the_secret() {
        let map: PropertyMap = [("tag".to_string(), secret("s3cr3t"))]
            .into_iter()
            .collect();
        let error = OperationError::Resource(ResourceError::Partial {
            id: "i-1".into(),
            state: PropertyMap::new(),
            source: Box::new(ResourceError::Cloud {
                operation: "CreateTags".into(),
                message: "bad value s3cr3t".into(),
            }),
        });
        let redacted = Secrets::of([&map]).redact_error(error);
        assert_eq!(redacted.to_string(), "CreateTags: bad value [secret]");
    }
}
