//! Progress reporting for resource code: status lines and diagnostics attached to the resource,
//! delivered to the engine by whatever sink the protocol layer installs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::redact::Secrets;

/// How long an operation's answer may wait for its last log lines to reach the engine.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Debug,
    Info,
    Warning,
    Error,
}

/// Where log lines go. The protocol layer sends them to the engine's `Log` RPC.
pub trait LogSink: Send + Sync {
    fn log(&self, severity: Severity, urn: &str, message: String, ephemeral: bool);

    /// Resolves once every line logged before it has been delivered (`None`: nothing queued).
    fn flush(&self) -> Option<oneshot::Receiver<()>> {
        None
    }
}

/// A sink that drops everything, for contexts without an engine.
pub struct Discard;

impl LogSink for Discard {
    fn log(&self, _: Severity, _: &str, _: String, _: bool) {}
}

/// A resource's progress channel.
#[derive(Clone)]
pub struct Progress {
    urn: String,
    sink: Arc<dyn LogSink>,
    /// Cut out of every line: the engine shows log lines as plain text.
    secrets: Secrets,
}

impl Progress {
    pub fn new(urn: impl Into<String>, sink: Arc<dyn LogSink>) -> Self {
        Progress {
            urn: urn.into(),
            sink,
            secrets: Secrets::default(),
        }
    }

    /// Masks `secrets` in every line logged from now on.
    pub fn redacting(&mut self, secrets: Secrets) {
        self.secrets = secrets;
    }

    pub fn discard() -> Self {
        Progress::new("", Arc::new(Discard))
    }

    /// Replaces the resource's live status line, e.g. "waiting for load balancer (42 s)".
    pub fn status(&self, message: impl Into<String>) {
        self.sink.log(
            Severity::Info,
            &self.urn,
            self.secrets.redact(&message.into()),
            true,
        );
    }

    pub fn info(&self, message: impl Into<String>) {
        self.sink.log(
            Severity::Info,
            &self.urn,
            self.secrets.redact(&message.into()),
            false,
        );
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.sink.log(
            Severity::Warning,
            &self.urn,
            self.secrets.redact(&message.into()),
            false,
        );
    }

    /// Waits (briefly) until the lines logged so far reached the engine, so that they are
    /// shown with the operation rather than after it.
    pub async fn flush(&self) {
        if let Some(delivered) = self.sink.flush() {
            let _ = tokio::time::timeout(FLUSH_WAIT, delivered).await;
        }
    }

    pub fn debug(&self, message: impl Into<String>) {
        self.sink
            .log(Severity::Debug, &self.urn, message.into(), false);
    }
}
