//! Helpers for unit tests of runtime and resource code (this crate's and providers').

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::progress::{LogSink, Progress, Severity};
use super::resource::Context;
use super::wait::Pace;

/// Records the messages of status lines.
#[derive(Default)]
pub struct Recorder(pub Arc<Mutex<Vec<String>>>);

impl LogSink for Recorder {
    fn log(&self, _: Severity, _: &str, message: String, _: bool) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(message);
        }
    }
}

/// A context with no provider configuration, no deadline, a fresh cancellation token and
/// recorded progress lines.
pub fn context() -> (Context<()>, Arc<Mutex<Vec<String>>>) {
    context_with(())
}

/// The same, running with the configured provider `provider`.
pub fn context_with<P>(provider: P) -> (Context<P>, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let ctx = Context {
        urn: "urn:pulumi:test::test::privatelink:index:Test::t".into(),
        name: "t".into(),
        random_seed: vec![],
        deadline: None,
        cancel: CancellationToken::new(),
        progress: Progress::new("urn", Arc::new(Recorder(lines.clone()))),
        pace: Pace::default(),
        provider,
    };
    (ctx, lines)
}
