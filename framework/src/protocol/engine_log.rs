//! Delivers progress lines to the engine's `Log` RPC. Lines are queued and sent in order by one
//! background task, so resource code never waits on the engine; if the engine cannot be reached
//! the lines are dropped (they are progress, not results).

use pulumi_rs_wire::pulumirpc::{engine_client::EngineClient, LogRequest, LogSeverity};
use tokio::sync::{mpsc, oneshot};

use crate::runtime::progress::{LogSink, Severity};

pub struct EngineLog {
    queue: mpsc::UnboundedSender<Queued>,
}

enum Queued {
    Line(LogRequest),
    /// Answered when every line queued before it has been sent.
    Flush(oneshot::Sender<()>),
}

impl EngineLog {
    /// Starts the sender for the engine at `address` (`127.0.0.1:PORT`). Must be called inside
    /// the tokio runtime.
    pub fn connect(address: &str) -> Self {
        let (queue, mut lines) = mpsc::unbounded_channel::<Queued>();
        let endpoint = format!("http://{address}");
        tokio::spawn(async move {
            let mut client = None;
            while let Some(queued) = lines.recv().await {
                let line = match queued {
                    Queued::Line(line) => line,
                    Queued::Flush(done) => {
                        let _ = done.send(());
                        continue;
                    }
                };
                if client.is_none() {
                    client = EngineClient::connect(endpoint.clone()).await.ok();
                }
                let Some(engine) = client.as_mut() else {
                    tracing::debug!("engine at {endpoint} unreachable; dropping a log line");
                    continue;
                };
                if let Err(status) = engine.log(line).await {
                    tracing::debug!("engine log failed: {status}");
                    client = None;
                }
            }
        });
        EngineLog { queue }
    }
}

impl LogSink for EngineLog {
    fn log(&self, severity: Severity, urn: &str, message: String, ephemeral: bool) {
        let severity = match severity {
            Severity::Debug => LogSeverity::Debug,
            Severity::Info => LogSeverity::Info,
            Severity::Warning => LogSeverity::Warning,
            Severity::Error => LogSeverity::Error,
        };
        let _ = self.queue.send(Queued::Line(LogRequest {
            severity: severity as i32,
            message,
            urn: urn.to_string(),
            stream_id: 0,
            ephemeral,
        }));
    }

    fn flush(&self) -> Option<oneshot::Receiver<()>> {
        let (done, delivered) = oneshot::channel();
        self.queue.send(Queued::Flush(done)).ok()?;
        Some(delivered)
    }
}
