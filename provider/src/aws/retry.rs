//! Retrying AWS calls: throttling and transient failures always, plus whatever the caller names
//! (eventual consistency after a create, a dependency that AWS releases late). Built on the
//! runtime's single wait mechanism, so backoff, ceilings, progress and Cancel behave alike.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_types::request_id::RequestId;

use super::error::{AwsError, ErrorKind};
use crate::config::Context;
use pulumi_rs_provider::runtime::resource::ResourceError;
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

/// Retry only throttling and transient failures.
pub const TRANSIENT: &[ErrorKind] = &[];
/// Also retry "not found": a thing made moments ago may not be visible yet.
pub const EVENTUALLY_VISIBLE: &[ErrorKind] = &[ErrorKind::NotFound];
/// Also retry "still in use": AWS detaches network interfaces minutes after their owner goes.
pub const UNTIL_RELEASED: &[ErrorKind] = &[ErrorKind::DependencyViolation, ErrorKind::InUse];

fn backoff_for(operation: &str, also: &[ErrorKind]) -> Backoff {
    let ceiling = if also.contains(&ErrorKind::DependencyViolation) {
        Duration::from_secs(20 * 60)
    } else {
        Duration::from_secs(5 * 60)
    };
    // A read retried (mostly a thing just made, not visible yet) changes nothing: it comes
    // soon and its waits grow by half (a doubling one saw a group 0.2 s after EC2 showed it,
    // in the benchmarks). A write's retry is a mutating call, so its waits double. Both grow
    // geometrically, so throttling still backs off.
    let (initial, share_of_elapsed) = if is_read(operation) {
        (Duration::from_millis(50), 0.5)
    } else {
        (Duration::from_millis(250), 1.0)
    };
    Backoff {
        initial,
        max_interval: Duration::from_secs(15),
        share_of_elapsed,
        ceiling,
    }
}

/// Whether an AWS action only reads (by AWS's naming of actions).
fn is_read(operation: &str) -> bool {
    ["Describe", "Get", "List"]
        .iter()
        .any(|verb| operation.starts_with(verb))
}

/// Calls `op` until it succeeds, fails with an error that is not retryable, or the ceiling
/// (bounded by the engine's timeout) passes. `op` gets the attempt number, from 1.
pub async fn call<T, F, Fut>(
    ctx: &Context,
    operation: &'static str,
    also: &[ErrorKind],
    mut op: F,
) -> Result<T, AwsError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut attempts = 0;
    let outcome = wait_for(ctx, operation, backoff_for(operation, also), || {
        attempts += 1;
        let attempt = op(attempts);
        async move {
            Ok(match attempt.await {
                Ok(value) => Poll::Ready(Ok(value)),
                Err(e) if e.is_retryable() || also.contains(&e.kind) => Poll::Pending(e.message),
                Err(e) => Poll::Ready(Err(e)),
            })
        }
    })
    .await;
    match outcome {
        Ok(result) => result,
        Err(ResourceError::Cancelled(message)) => Err(AwsError {
            operation,
            code: String::new(),
            message,
            kind: ErrorKind::Cancelled,
        }),
        Err(other) => Err(AwsError {
            operation,
            code: String::new(),
            message: other.to_string(),
            kind: ErrorKind::GaveUp,
        }),
    }
}

/// One attempt of an SDK call through [`logged`], its error made an [`AwsError`].
pub async fn attempt<T, E>(
    operation: &'static str,
    attempt: u32,
    sent: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Result<T, AwsError>
where
    T: RequestId,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    logged(operation, attempt, sent)
        .await
        .map_err(|e| AwsError::from_sdk(operation, e))
}

/// One attempt of an SDK call, logged for `pulumi up --logtostderr --logflow -v=9` (the engine
/// passes those flags on: pulumi/sdk/go/common/resource/plugin/plugin.go,
/// `buildPluginArguments`). The line holds no request or answer content, and of an error only
/// its code: AWS messages may quote input values, secrets among them.
pub async fn logged<T, E>(
    operation: &'static str,
    attempt: u32,
    sent: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Result<T, SdkError<E, HttpResponse>>
where
    T: RequestId,
    E: ProvideErrorMetadata,
{
    let started = Instant::now();
    let result = sent.await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let service = service_of::<T>();
    let (outcome, request_id) = match &result {
        Ok(answer) => ("ok", answer.request_id()),
        Err(e) => (
            e.code().unwrap_or("transport error"),
            e.request_id().or_else(|| e.meta().request_id()),
        ),
    };
    tracing::debug!(
        service,
        action = operation,
        attempt,
        duration_ms,
        outcome,
        request_id = request_id.unwrap_or("-"),
        "AWS call"
    );
    result
}

/// The AWS service of an SDK answer type, from its crate: `aws_sdk_ec2::…` is `ec2`.
fn service_of<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    let krate = path.split("::").next().unwrap_or(path);
    krate.strip_prefix("aws_sdk_").unwrap_or(krate)
}

/// Every item of a paginated Describe call: `page` gets the previous page's token (`None`
/// first) and answers its items and the next token; an absent or empty token ends it.
pub async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let (batch, next) = page(token.take()).await?;
        items.extend(batch);
        match next.filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok(items),
        }
    }
}

/// Sends an SDK request through [`call`], rebuilding it for each attempt, and turns its error
/// into an [`AwsError`] named after the operation.
macro_rules! send {
    ($ctx:expr, $operation:literal, $also:expr, $request:expr) => {
        $crate::aws::retry::call($ctx, $operation, $also, |attempt| {
            // Boxed: the SDK's send futures are large, and nested inline in every caller's
            // future they overflow a worker thread's stack in debug builds.
            $crate::aws::retry::attempt($operation, attempt, Box::pin($request.send()))
        })
    };
}
pub(crate) use send;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_retried_sooner_than_writes_and_both_back_off() {
        let read = backoff_for("DescribeSecurityGroups", EVENTUALLY_VISIBLE);
        let write = backoff_for("CreateTags", EVENTUALLY_VISIBLE);
        assert_eq!(read.initial, Duration::from_millis(50));
        assert_eq!(write.initial, Duration::from_millis(250));
        assert_eq!((read.share_of_elapsed, write.share_of_elapsed), (0.5, 1.0));
        assert_eq!(
            backoff_for("DeleteSecurityGroup", UNTIL_RELEASED).ceiling,
            Duration::from_secs(20 * 60)
        );
    }

    #[test]
    fn the_service_is_named_after_the_sdk_crate() {
        assert_eq!(
            service_of::<aws_sdk_ec2::operation::create_security_group::CreateSecurityGroupOutput>(
            ),
            "ec2"
        );
        assert_eq!(
            service_of::<
                aws_sdk_elasticloadbalancingv2::operation::create_listener::CreateListenerOutput,
            >(),
            "elasticloadbalancingv2"
        );
    }
}
