//! Tags, one way for every service: a map in our code, converted at the SDK boundary, and the
//! rule for changing them (write only differences, never remove tags someone else set).

use std::collections::BTreeMap;

pub type Tags = BTreeMap<String, String>;

/// The SDKs' tag types (EC2's and ELBv2's are separate types of the same shape).
pub trait SdkTag: Sized {
    fn pair(&self) -> Option<(&str, &str)>;
    fn from_pair(key: &str, value: &str) -> Self;
}

impl SdkTag for aws_sdk_ec2::types::Tag {
    fn pair(&self) -> Option<(&str, &str)> {
        Some((self.key()?, self.value().unwrap_or("")))
    }
    fn from_pair(key: &str, value: &str) -> Self {
        Self::builder().key(key).value(value).build()
    }
}

impl SdkTag for aws_sdk_elasticloadbalancingv2::types::Tag {
    fn pair(&self) -> Option<(&str, &str)> {
        Some((self.key()?, self.value().unwrap_or("")))
    }
    fn from_pair(key: &str, value: &str) -> Self {
        Self::builder().key(key).value(value).build()
    }
}

pub fn to_sdk<T: SdkTag>(tags: &Tags) -> Vec<T> {
    tags.iter().map(|(k, v)| T::from_pair(k, v)).collect()
}

/// A tag with no value is the empty string in AWS's model, not a missing tag.
pub fn from_sdk<T: SdkTag>(tags: &[T]) -> Tags {
    tags.iter()
        .filter_map(|t| t.pair().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// The tags to set and the keys to remove so that `current` becomes `desired`. Keys removed are
/// only those we set before (`previous`), so tags added by other tools stay.
pub fn tag_changes(current: &Tags, desired: &Tags, previous: &Tags) -> (Tags, Vec<String>) {
    let set = desired
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = previous
        .keys()
        .filter(|k| !desired.contains_key(*k) && current.contains_key(*k))
        .cloned()
        .collect();
    (set, remove)
}

/// Makes a resource's tags `desired` with its service's two tag writes (`add`, then `remove` by
/// key), each sent only when it has something to do; the rule is [`tag_changes`].
pub async fn sync<E, Add, Remove>(
    current: &Tags,
    desired: &Tags,
    previous: &Tags,
    add: impl FnOnce(Tags) -> Add,
    remove: impl FnOnce(Vec<String>) -> Remove,
) -> Result<(), E>
where
    Add: std::future::Future<Output = Result<(), E>>,
    Remove: std::future::Future<Output = Result<(), E>>,
{
    let (set, keys) = tag_changes(current, desired, previous);
    if !set.is_empty() {
        add(set).await?;
    }
    if !keys.is_empty() {
        remove(keys).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tag_changes_touch_only_what_differs_and_keep_foreign_tags() {
        let current = tags(&[("team", "data"), ("env", "dev"), ("owner", "someone")]);
        let previous = tags(&[("team", "data"), ("env", "dev")]);
        let desired = tags(&[("env", "prod"), ("cost", "42")]);
        let (set, remove) = tag_changes(&current, &desired, &previous);
        assert_eq!(set, tags(&[("env", "prod"), ("cost", "42")]));
        assert_eq!(remove, vec!["team".to_string()]);
    }

    #[test]
    fn both_sdks_round_trip_through_one_helper() {
        let ours = tags(&[("a", "1"), ("empty", "")]);
        let ec2: Vec<aws_sdk_ec2::types::Tag> = to_sdk(&ours);
        let elb: Vec<aws_sdk_elasticloadbalancingv2::types::Tag> = to_sdk(&ours);
        assert_eq!(from_sdk(&ec2), ours);
        assert_eq!(from_sdk(&elb), ours);
    }
}
