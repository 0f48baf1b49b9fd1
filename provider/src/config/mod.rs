//! Provider configuration (`privatelink:` namespace): the typed settings, validation with a
//! failure per key, what a change replaces, and the [`Configure`] hook the framework calls for
//! CheckConfig, DiffConfig and Configure. Configure makes the [`Configured`] state (settings and
//! the AWS session, `aws::session`) that every resource operation runs with, in its
//! [`Context`].
//!
//! Imports flow one way: aws/ reads this module's settings and [`Context`]; from aws/ this
//! module uses only `aws::session` (the session Configure makes). `lib.rs`'s layering test
//! enforces both.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;
use pulumi_rs_provider::runtime::configure::{ConfigDiff, Configure, ConfigureError};
use pulumi_rs_provider::runtime::progress::{LogSink, Severity};
use pulumi_rs_provider::runtime::resource::CheckFailure;
use pulumi_rs_provider::runtime::value::{reveal, PropertyMap, PropertyValue};
use serde::{Deserialize, Serialize};

use crate::aws::session::{self, ConnectError, Session};
use crate::schema::schema;
use crate::validate::{is_region, is_role_arn};

/// What every resource operation gets: the framework's context, running with this provider's
/// configured state.
pub type Context = pulumi_rs_provider::runtime::resource::Context<Configured>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub assume_role: Option<AssumeRole>,
    pub endpoint: Option<String>,
    pub dns_resolvers: Option<Vec<String>>,
    pub default_tags: Option<BTreeMap<String, String>>,
    pub skip_credentials_validation: Option<bool>,
}

#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
}

// The external id is a shared secret between accounts: never print it.
impl fmt::Debug for AssumeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRole")
            .field("role_arn", &self.role_arn)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "<redacted>"),
            )
            .field("session_name", &self.session_name)
            .finish()
    }
}

/// Config values may arrive JSON-encoded in strings (the engine's `variables`, older engines'
/// CheckConfig). Decode them wherever the schema says the key is not a string.
pub fn normalize(mut map: PropertyMap) -> PropertyMap {
    let variables = &schema()["config"]["variables"];
    for (key, value) in map.iter_mut() {
        let is_string_typed = variables[key.as_str()]["type"].as_str() == Some("string");
        let text = match value {
            PropertyValue::String(text) if !is_string_typed => text.clone(),
            PropertyValue::Secret(inner) if !is_string_typed => match inner.as_ref() {
                PropertyValue::String(text) => text.clone(),
                _ => continue,
            },
            _ => continue,
        };
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
            let decoded = PropertyValue::from_json(json);
            *value = match value {
                PropertyValue::Secret(_) => decoded.into_secret(),
                _ => decoded,
            };
        }
    }
    map
}

/// Keys whose change points the provider at other AWS resources: every resource it manages must
/// then be replaced (made anew where the provider now points, deleted where it pointed), as
/// provider.proto's DiffConfig asks, and not read or deleted in the wrong place.
const REPLACING_KEYS: &[&str] = &["region", "endpoint"];

/// What changed between two provider configurations (normalized maps), and which of the changes
/// replace the provider.
pub fn diff(olds: &PropertyMap, news: &PropertyMap) -> ConfigDiff {
    let mut keys: Vec<&String> = olds.keys().chain(news.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut diff = ConfigDiff::default();
    for key in keys {
        let old = olds.get(key).cloned().map(reveal);
        let new = news.get(key).cloned().map(reveal);
        let unknown = new.as_ref().is_some_and(PropertyValue::contains_unknowns);
        if old == new && !unknown {
            continue;
        }
        let replaces = REPLACING_KEYS.contains(&key.as_str())
            || (key == "assumeRole" && (unknown || role_account(&old) != role_account(&new)));
        if replaces {
            diff.replaces.push(key.clone());
        }
        diff.changed.push(key.clone());
    }
    diff
}

/// The account of `assumeRole.roleArn` (`arn:aws:iam::<account>:role/...`); none without a role.
fn role_account(assume_role: &Option<PropertyValue>) -> Option<String> {
    let Some(PropertyValue::Object(role)) = assume_role else {
        return None;
    };
    match role.get("roleArn").cloned().map(reveal) {
        Some(PropertyValue::String(arn)) => arn.split(':').nth(4).map(String::from),
        _ => None,
    }
}

impl ProviderConfig {
    /// Every problem with the configuration, one failure per offending key.
    pub fn validate(&self) -> Vec<CheckFailure> {
        let mut failures = Vec::new();
        let mut fail = |property: &str, reason: String| {
            failures.push(CheckFailure::new(property, reason));
        };
        if let Some(region) = &self.region {
            if !is_region(region) {
                fail(
                    "region",
                    format!("`{region}` is not an AWS region name such as `us-east-1`"),
                );
            }
        }
        if matches!(&self.profile, Some(p) if p.trim().is_empty()) {
            fail("profile", "must not be empty".into());
        }
        if let Some(endpoint) = &self.endpoint {
            if let Err(reason) = check_endpoint(endpoint) {
                fail("endpoint", reason);
            }
        }
        if let Some(role) = &self.assume_role {
            if !is_role_arn(&role.role_arn) {
                fail(
                    "assumeRole.roleArn",
                    format!(
                        "`{}` is not an IAM role ARN such as `arn:aws:iam::123456789012:role/deployer`",
                        role.role_arn
                    ),
                );
            }
            if let Some(id) = &role.external_id {
                if !(2..=1224).contains(&id.len()) || !id.chars().all(is_external_id_char) {
                    // The value itself is secret; describe the rule, not the value.
                    fail(
                        "assumeRole.externalId",
                        "must be 2 to 1224 characters of letters, digits and +=,.@:/-".into(),
                    );
                }
            }
            if let Some(name) = &role.session_name {
                if !(2..=64).contains(&name.len()) || !name.chars().all(is_session_name_char) {
                    fail(
                        "assumeRole.sessionName",
                        format!(
                            "`{name}` must be 2 to 64 characters of letters, digits and +=,.@-"
                        ),
                    );
                }
            }
        }
        for (i, resolver) in self.dns_resolvers.iter().flatten().enumerate() {
            if parse_resolver(resolver).is_none() {
                fail(
                    &format!("dnsResolvers[{i}]"),
                    format!(
                        "`{resolver}` is not an IP address with an optional port (`10.0.0.2:53`)"
                    ),
                );
            }
        }
        let mut tag_failures = crate::validate::Failures::default();
        tag_failures.tags(
            "defaultTags",
            self.default_tags.as_ref().unwrap_or(&BTreeMap::new()),
        );
        failures.extend(tag_failures.into_vec());
        failures
    }

    /// The resolvers to use for target hostnames; empty means the system resolver.
    pub fn resolvers(&self) -> Vec<SocketAddr> {
        self.dns_resolvers
            .iter()
            .flatten()
            .filter_map(|r| parse_resolver(r))
            .collect()
    }
}

fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let url = url::Url::parse(endpoint).map_err(|e| format!("`{endpoint}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{endpoint}` must be an http:// or https:// URL"));
    }
    if url.host_str().unwrap_or_default().is_empty() {
        return Err(format!("`{endpoint}` has no host"));
    }
    Ok(())
}

fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)
}

fn is_session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

fn parse_resolver(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>().ok().or_else(|| {
        text.parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// A configured provider: its settings and the AWS session made from them.
#[derive(Clone)]
pub struct Configured(Arc<ConfiguredInner>);

struct ConfiguredInner {
    config: ProviderConfig,
    session: Session,
}

impl Configured {
    pub fn new(config: ProviderConfig, session: Session) -> Self {
        Configured(Arc::new(ConfiguredInner { config, session }))
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.0.config
    }

    pub fn session(&self) -> &Session {
        &self.0.session
    }
}

/// Neither the configuration nor the environment or profile names a region. Explicit providers
/// get no stack configuration at all (pulumi/pkg/resource/deploy/default_providers.go gives
/// `privatelink:*` stack config to the default provider only), so this is how a provider
/// resource without `region` ends.
const MISSING_REGION: &str = "privatelink: no AWS region is set for this provider. Set `region` \
     on the provider resource (an explicit provider does not read the stack's privatelink:region), \
     or privatelink:region in the stack configuration for the default provider.";

/// The privatelink provider's configuration hook.
pub struct PrivateLink;

#[async_trait]
impl Configure for PrivateLink {
    const PACKAGE: &'static str = "privatelink";
    type Config = ProviderConfig;
    type Configured = Configured;

    fn schema(&self) -> &serde_json::Value {
        schema()
    }

    fn version(&self) -> &'static str {
        crate::schema::version()
    }

    fn normalize(&self, map: PropertyMap) -> PropertyMap {
        normalize(map)
    }

    fn validate(&self, config: &ProviderConfig) -> Vec<CheckFailure> {
        config.validate()
    }

    fn diff(&self, olds: &PropertyMap, news: &PropertyMap) -> ConfigDiff {
        diff(olds, news)
    }

    async fn configure(
        &self,
        config: ProviderConfig,
        log: &dyn LogSink,
    ) -> Result<Configured, ConfigureError> {
        let session = session::connect(&config).await.map_err(|e| match e {
            ConnectError::NoRegion => ConfigureError::Invalid(MISSING_REGION.into()),
            ConnectError::Setup(e) => ConfigureError::Unavailable(e.to_string()),
        })?;
        if let Some(endpoint) = &config.endpoint {
            // Say so loudly: nothing this provider does will reach real AWS.
            log.log(
                Severity::Info,
                "",
                format!("privatelink: every AWS call goes to the endpoint override {endpoint}"),
                false,
            );
        }
        Ok(Configured::new(config, session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures_of(config: ProviderConfig) -> Vec<String> {
        config.validate().into_iter().map(|f| f.property).collect()
    }

    #[test]
    fn accepts_a_complete_valid_configuration() {
        let config = ProviderConfig {
            region: Some("us-gov-west-1".into()),
            profile: Some("producer".into()),
            assume_role: Some(AssumeRole {
                role_arn: "arn:aws:iam::123456789012:role/deployer".into(),
                external_id: Some("shared-secret".into()),
                session_name: Some("pulumi".into()),
            }),
            endpoint: Some("http://127.0.0.1:5000".into()),
            dns_resolvers: Some(vec!["127.0.0.1:5353".into(), "10.0.0.2".into()]),
            default_tags: Some(BTreeMap::from([("team".into(), "data".into())])),
            skip_credentials_validation: Some(true),
        };
        assert_eq!(config.validate(), vec![]);
        assert_eq!(config.resolvers().len(), 2);
    }

    #[test]
    fn each_bad_key_gets_its_own_failure() {
        let config = ProviderConfig {
            region: Some("useast1".into()),
            profile: Some(" ".into()),
            assume_role: Some(AssumeRole {
                role_arn: "arn:aws:iam::1234:user/x".into(),
                external_id: Some("x".into()),
                session_name: Some("has space".into()),
            }),
            endpoint: Some("ftp://host".into()),
            dns_resolvers: Some(vec!["nameserver".into()]),
            default_tags: Some(BTreeMap::from([("aws:owner".into(), "x".into())])),
            skip_credentials_validation: None,
        };
        assert_eq!(
            failures_of(config),
            vec![
                "region",
                "profile",
                "endpoint",
                "assumeRole.roleArn",
                "assumeRole.externalId",
                "assumeRole.sessionName",
                "dnsResolvers[0]",
                "defaultTags.aws:owner"
            ]
        );
    }

    #[test]
    fn external_id_never_appears_in_failures_or_debug_output() {
        let role = AssumeRole {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            external_id: Some("x y z secret!".into()),
            session_name: None,
        };
        let config = ProviderConfig {
            assume_role: Some(role.clone()),
            ..Default::default()
        };
        let rendered = format!("{:?} {:?}", config.validate(), role);
        assert!(!rendered.contains("secret!"), "{rendered}");
    }

    fn map(json: serde_json::Value) -> PropertyMap {
        match PropertyValue::from_json(json) {
            PropertyValue::Object(map) => map,
            _ => PropertyMap::new(),
        }
    }

    #[test]
    fn region_endpoint_and_role_account_changes_replace() {
        let role = |account: &str, session: &str| {
            serde_json::json!({"roleArn": format!("arn:aws:iam::{account}:role/deployer"),
                               "sessionName": session})
        };
        let old = map(serde_json::json!({"region": "us-east-1", "profile": "a",
                                         "assumeRole": role("111111111111", "one")}));
        let same_account = map(serde_json::json!({"region": "us-east-1", "profile": "b",
                                                  "assumeRole": role("111111111111", "two")}));
        assert_eq!(
            diff(&old, &same_account),
            ConfigDiff {
                changed: vec!["assumeRole".into(), "profile".into()],
                replaces: vec![]
            }
        );
        let moved = map(serde_json::json!({"region": "eu-west-1", "profile": "a",
                                           "endpoint": "http://127.0.0.1:1",
                                           "assumeRole": role("222222222222", "one")}));
        assert_eq!(
            diff(&old, &moved).replaces,
            vec!["assumeRole", "endpoint", "region"]
        );
        assert_eq!(diff(&old, &old), ConfigDiff::default());
    }

    #[test]
    fn json_encoded_values_are_decoded_for_non_string_keys() {
        let text = |value: &str| PropertyValue::String(value.to_string());
        let map = normalize(PropertyMap::from([
            ("region".to_string(), text("eu-west-1")),
            ("skipCredentialsValidation".to_string(), text("true")),
            ("dnsResolvers".to_string(), text(r#"["127.0.0.1:53"]"#)),
        ]));
        let config: ProviderConfig =
            pulumi_rs_provider::runtime::decode::from_map(&map).expect("decodes");
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.skip_credentials_validation, Some(true));
        assert_eq!(config.dns_resolvers, Some(vec!["127.0.0.1:53".to_string()]));
    }
}
