//! Retrying AWS calls: throttling and transient failures always, plus whatever the caller names
//! (eventual consistency after a create, a dependency that AWS releases late). Built on the
//! runtime's single wait mechanism, so backoff, ceilings, progress and Cancel behave alike.

use std::future::Future;
use std::time::Duration;

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

fn backoff_for(also: &[ErrorKind]) -> Backoff {
    let ceiling = if also.contains(&ErrorKind::DependencyViolation) {
        Duration::from_secs(20 * 60)
    } else {
        Duration::from_secs(5 * 60)
    };
    Backoff {
        initial: Duration::from_millis(250),
        max_interval: Duration::from_secs(15),
        multiplier: 2.0,
        ceiling,
    }
}

/// Calls `op` until it succeeds, fails with an error that is not retryable, or the ceiling
/// (bounded by the engine's timeout) passes.
pub async fn call<T, F, Fut>(
    ctx: &Context,
    operation: &'static str,
    also: &[ErrorKind],
    mut op: F,
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let outcome = wait_for(ctx, operation, backoff_for(also), || {
        let attempt = op();
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
        $crate::aws::retry::call($ctx, $operation, $also, || {
            let request = $request;
            async move {
                request
                    .send()
                    .await
                    .map_err(|e| $crate::aws::error::AwsError::from_sdk($operation, e))
            }
        })
    };
}
pub(crate) use send;
