//! AWS errors as one typed value, classified by what the caller can do about them.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use pulumi_rs_provider::runtime::resource::ResourceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing does not exist (or is not visible yet: AWS is eventually consistent).
    NotFound,
    /// It already exists (a create that was retried after its answer was lost).
    Duplicate,
    /// Still referenced by something else (security group with live ENIs).
    DependencyViolation,
    /// In use by another resource (load balancer behind an endpoint service).
    InUse,
    Throttled,
    /// Network failures and 5xx answers.
    Transient,
    /// Our own retries gave up, or the operation was cancelled.
    GaveUp,
    Cancelled,
    Other,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct AwsError {
    pub operation: &'static str,
    /// The AWS error code, e.g. `InvalidGroup.NotFound`; empty for transport failures.
    pub code: String,
    pub message: String,
    pub kind: ErrorKind,
}

impl AwsError {
    pub fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let code = err.code().unwrap_or_default().to_string();
        let kind = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => ErrorKind::Transient,
            SdkError::ServiceError(ctx) => classify(&code, ctx.raw().status().as_u16()),
            _ => ErrorKind::Other,
        };
        let message = match err.message() {
            Some(text) if !code.is_empty() => format!("{code}: {text}"),
            _ => DisplayErrorContext(&err).to_string(),
        };
        AwsError {
            operation,
            code,
            message,
            kind,
        }
    }

    /// An error found in an answer that succeeded as a call (e.g. an `Unsuccessful` item).
    pub fn reported(operation: &'static str, code: &str, message: &str) -> Self {
        AwsError {
            operation,
            code: code.to_string(),
            message: format!("{code}: {message}"),
            kind: classify(code, 200),
        }
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Throttled | ErrorKind::Transient)
    }
}

/// A field AWS always sends (an id, an ARN, a name): its absence is an error, never `""`.
pub fn required(
    operation: &'static str,
    field: &str,
    value: Option<&str>,
) -> Result<String, AwsError> {
    value
        .filter(|v| !v.is_empty())
        .map(String::from)
        .ok_or_else(|| {
            AwsError::reported(
                operation,
                "IncompleteResponse",
                &format!("the answer has no {field}"),
            )
        })
}

/// Turns "not found" into `None`, for lookups and deletes of things that may be gone.
pub fn absent<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is(ErrorKind::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn classify(code: &str, status: u16) -> ErrorKind {
    match code {
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "TooManyRequestsException" => ErrorKind::Throttled,
        "DependencyViolation" => ErrorKind::DependencyViolation,
        "ResourceInUse" => ErrorKind::InUse,
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable" => {
            ErrorKind::Transient
        }
        c if c.ends_with("NotFound") || c.ends_with(".NotFound") => ErrorKind::NotFound,
        c if c.ends_with(".Duplicate") || c.starts_with("Duplicate") => ErrorKind::Duplicate,
        _ if status >= 500 => ErrorKind::Transient,
        _ => ErrorKind::Other,
    }
}

impl From<AwsError> for ResourceError {
    fn from(e: AwsError) -> Self {
        match e.kind {
            ErrorKind::Cancelled => ResourceError::Cancelled(e.operation.to_string()),
            _ => ResourceError::Cloud {
                operation: e.operation.to_string(),
                message: e.message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_by_what_the_caller_can_do() {
        assert_eq!(classify("InvalidGroup.NotFound", 400), ErrorKind::NotFound);
        assert_eq!(classify("LoadBalancerNotFound", 400), ErrorKind::NotFound);
        assert_eq!(
            classify("InvalidVpcEndpointServiceId.NotFound", 400),
            ErrorKind::NotFound
        );
        assert_eq!(
            classify("InvalidGroup.Duplicate", 400),
            ErrorKind::Duplicate
        );
        assert_eq!(
            classify("InvalidPermission.Duplicate", 400),
            ErrorKind::Duplicate
        );
        assert_eq!(
            classify("DuplicateLoadBalancerName", 400),
            ErrorKind::Duplicate
        );
        assert_eq!(classify("RequestLimitExceeded", 503), ErrorKind::Throttled);
        assert_eq!(classify("Throttling", 400), ErrorKind::Throttled);
        assert_eq!(
            classify("DependencyViolation", 400),
            ErrorKind::DependencyViolation
        );
        assert_eq!(classify("ResourceInUse", 400), ErrorKind::InUse);
        assert_eq!(classify("SomethingOdd", 502), ErrorKind::Transient);
        assert_eq!(classify("InvalidParameterValue", 400), ErrorKind::Other);
    }
}
