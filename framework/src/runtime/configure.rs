//! The provider's half of configuration: what a provider implements so the framework can serve
//! CheckConfig, DiffConfig and Configure for it, and what Configure makes for its resources.

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use super::progress::LogSink;
use super::resource::CheckFailure;
use super::value::PropertyMap;

/// What changed between two provider configurations, and which of the changes replace the
/// provider (and so every resource it manages).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConfigDiff {
    pub changed: Vec<String>,
    pub replaces: Vec<String>,
}

/// Why Configure refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigureError {
    /// The configuration itself is wrong (the engine shows it as the user's mistake).
    #[error("{0}")]
    Invalid(String),
    /// The configuration is valid but cannot be used now (credentials rejected, unreachable).
    #[error("{0}")]
    Unavailable(String),
}

/// The configuration hook: the provider's typed configuration, its rules, and what Configure
/// makes of it. The framework decodes property maps into [`Configure::Config`] (failures name
/// the property), asks for the rules' failures, and hands [`Configure::Configured`] to every
/// resource call in its context.
#[async_trait]
pub trait Configure: Send + Sync + 'static {
    /// The package name: stack configuration keys are `<package>:<key>`.
    const PACKAGE: &'static str;
    /// The typed configuration, decoded from the provider's inputs.
    type Config: DeserializeOwned + Send;
    /// What resources run with once the provider is configured.
    type Configured: Clone + Send + Sync + 'static;

    /// The package schema GetSchema serves (without `version`; the framework adds it).
    fn schema(&self) -> &serde_json::Value;

    /// The provider's semantic version, as GetPluginInfo reports it.
    fn version(&self) -> &'static str;

    /// Puts raw configuration in the shape [`Configure::Config`] decodes: config values may
    /// arrive JSON-encoded in strings (the engine's `variables`, older engines' CheckConfig).
    fn normalize(&self, map: PropertyMap) -> PropertyMap;

    /// Every problem with a decoded configuration, one failure per offending property.
    fn validate(&self, config: &Self::Config) -> Vec<CheckFailure>;

    /// Which keys changed between two normalized configurations and which of them replace.
    fn diff(&self, olds: &PropertyMap, news: &PropertyMap) -> ConfigDiff;

    /// Makes the configured provider from a valid configuration; `log` reaches the engine.
    async fn configure(
        &self,
        config: Self::Config,
        log: &dyn LogSink,
    ) -> Result<Self::Configured, ConfigureError>;
}
