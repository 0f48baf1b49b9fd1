//! The AWS session a configured provider runs with: the SDK configuration built from the
//! provider's settings through the standard credential chain (environment, profile, SSO,
//! instance role), optionally assuming a role, and the check that the credentials work.
//!
//! This is the one piece of aws/ that config/ imports (Configure calls [`connect`]); everything
//! else flows the other way (aws/ reads config's settings and its `Context`). A [`Session`] also
//! says which implementation of the AWS layer's traits the resources get: the SDK's, or (in unit
//! tests) the in-memory fake of `aws::fake`.

use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::BehaviorVersion;
use aws_types::region::Region;
use aws_types::SdkConfig;

use crate::config::ProviderConfig;

#[derive(Debug, thiserror::Error)]
pub enum AwsSetupError {
    #[error("could not assume role {role}: {message}")]
    AssumeRole { role: String, message: String },
    #[error(
        "the AWS credentials could not be validated ({0}); check the profile or environment \
         credentials, or set privatelink:skipCredentialsValidation"
    )]
    Credentials(String),
}

/// How long Configure may spend proving the credentials work before it reports that they don't.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one attempt of one AWS call may take before ours counts it as a transient failure.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The AWS side of a configured provider.
#[derive(Clone)]
pub struct Session {
    sdk: SdkConfig,
    backend: Backend,
}

/// Who answers the AWS layer's calls.
#[derive(Clone)]
pub(crate) enum Backend {
    Sdk,
    #[cfg(test)]
    Fake(std::sync::Arc<super::fake::Fake>),
}

impl Session {
    pub fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    /// The Region the calls go to.
    pub fn region(&self) -> Option<&str> {
        self.sdk.region().map(|r| r.as_ref())
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// A session whose calls the in-memory fake answers, in `region`.
    #[cfg(test)]
    pub(crate) fn fake(fake: std::sync::Arc<super::fake::Fake>, region: &str) -> Self {
        Session {
            sdk: SdkConfig::builder()
                .region(Region::new(region.to_string()))
                .behavior_version(BehaviorVersion::latest())
                .build(),
            backend: Backend::Fake(fake),
        }
    }
}

/// Why Configure cannot make a session.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Neither the settings nor the environment or profile name a Region.
    #[error("no AWS region is set")]
    NoRegion,
    #[error(transparent)]
    Setup(#[from] AwsSetupError),
}

/// The session for `config`: the SDK configuration, which must name a Region, and, unless
/// `skipCredentialsValidation`, proof that the credentials work.
pub async fn connect(config: &ProviderConfig) -> Result<Session, ConnectError> {
    let sdk = sdk_config(config).await?;
    if sdk.region().is_none() {
        return Err(ConnectError::NoRegion);
    }
    if config.skip_credentials_validation != Some(true) {
        validate_credentials(&sdk).await?;
    }
    Ok(Session {
        sdk,
        backend: Backend::Sdk,
    })
}

/// The SDK configuration the provider's AWS clients are built from.
pub async fn sdk_config(config: &ProviderConfig) -> Result<SdkConfig, AwsSetupError> {
    sdk_config_with_ceiling(config, ATTEMPT_TIMEOUT).await
}

async fn sdk_config_with_ceiling(
    config: &ProviderConfig,
    attempt_timeout: Duration,
) -> Result<SdkConfig, AwsSetupError> {
    // One retry layer: ours (retry.rs, bounded by the engine's timeouts and Cancel). The SDK's
    // own retries would multiply under it; each attempt gets a ceiling so a hung call cannot
    // outlive ours.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(attempt_timeout)
                .build(),
        );
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &config.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let base = loader.load().await;
    let Some(role) = &config.assume_role else {
        return Ok(base);
    };
    let mut provider = AssumeRoleProvider::builder(&role.role_arn)
        .session_name(role.session_name.as_deref().unwrap_or("pulumi-privatelink"))
        .configure(&base);
    if let Some(external_id) = &role.external_id {
        provider = provider.external_id(external_id);
    }
    let credentials = provider.build().await;
    Ok(base
        .into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .build())
}

/// An error and its causes in plain words joined by `: `, each said once and on one line (the
/// SDK's `DisplayErrorContext` appends Debug structures, and its credential chain lists every
/// provider it tried on lines of their own).
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    use aws_credential_types::provider::error::CredentialsError;
    let mut said: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(CredentialsError::CredentialsNotLoaded(_)) = current.downcast_ref() {
            return "no credentials were found in the environment, the shared config profile, a web \
                    identity token, or container or instance metadata"
                .into();
        }
        let text = current.to_string();
        let first_line = text.lines().next().unwrap_or_default().trim();
        if !first_line.is_empty() && !said.iter().any(|s| s.contains(first_line)) {
            said.push(first_line.to_string());
        }
        next = current.source();
    }
    said.join(": ")
}

/// Asks STS who we are, proving the credentials (and any assumed role) work. Returns the
/// account id.
pub async fn validate_credentials(sdk: &SdkConfig) -> Result<String, AwsSetupError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let identity = tokio::time::timeout(
        VALIDATION_TIMEOUT,
        super::retry::logged("GetCallerIdentity", 1, sts.get_caller_identity().send()),
    )
    .await
    .map_err(|_| {
        AwsSetupError::Credentials(format!("no answer from STS in {VALIDATION_TIMEOUT:?}"))
    })?
    .map_err(|e| AwsSetupError::Credentials(causes(&e)))?;
    identity
        .account()
        .filter(|a| !a.is_empty())
        .map(String::from)
        .ok_or_else(|| AwsSetupError::Credentials("STS answered without an account id".into()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::aws::error::{AwsError, ErrorKind};

    /// A server that accepts connections, reads, and never answers; counts the connections.
    fn hung_server() -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut reader = stream.try_clone().expect("clone");
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 4096];
                    while matches!(reader.read(&mut buffer), Ok(n) if n > 0) {}
                });
                held.push(stream);
            }
        });
        (url, accepted)
    }

    #[tokio::test]
    async fn the_sdk_makes_one_attempt_and_a_hung_attempt_is_cut_at_the_ceiling() {
        let (url, accepted) = hung_server();
        let config = ProviderConfig {
            region: Some("us-east-1".into()),
            endpoint: Some(url),
            ..ProviderConfig::default()
        };
        let ceiling = Duration::from_millis(500);
        let sdk = sdk_config_with_ceiling(&config, ceiling)
            .await
            .expect("sdk config")
            .into_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "AKIDTEST", "secret", None, None, "test",
                    ),
                ),
            )
            .build();
        assert_eq!(sdk.retry_config().map(|r| r.max_attempts()), Some(1));
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let started = Instant::now();
        let outcome = ec2.describe_vpcs().send().await;
        let took = started.elapsed();
        let error = AwsError::from_sdk("DescribeVpcs", outcome.expect_err("a hung call must fail"));
        assert!(took >= ceiling && took < ceiling * 4, "took {took:?}");
        // Ours decides whether to try again: the SDK made exactly one attempt.
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        assert_eq!(error.kind, ErrorKind::Transient, "{}", error.message);
    }
}
