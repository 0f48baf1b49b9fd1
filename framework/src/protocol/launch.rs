//! How the engine starts a provider plugin: `pulumi-resource-<package> [flags] ENGINE_ADDR`.
//! We bind a free loopback port, print it as the first and only line on stdout, serve until
//! SIGINT or SIGTERM, and log to stderr.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{Stream, StreamExt};
use pulumi_rs_wire::pulumirpc::resource_provider_server::ResourceProviderServer;
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::wrappers::TcpListenerStream;

use super::server::ProviderService;
use crate::runtime::configure::Configure;
use crate::runtime::registry::Registry;

/// The engine's own limit on message size; tonic's default (4 MiB) is far smaller.
pub const MAX_MESSAGE_BYTES: usize = 400 * 1024 * 1024;

/// What the engine passes on the command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LaunchArgs {
    pub engine_address: Option<String>,
    /// `-v=N`: how chatty the plugin's own stderr log is.
    pub verbosity: u8,
}

impl LaunchArgs {
    /// The engine address is the last positional argument; flags we do not use (`--logtostderr`,
    /// `--tracing X`, `--logflow`, ...) are accepted and ignored.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Self {
        let mut parsed = LaunchArgs::default();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            if let Some(level) = arg.strip_prefix("-v=").or_else(|| arg.strip_prefix("--v=")) {
                parsed.verbosity = level.parse().unwrap_or(0);
            } else if arg == "--tracing" || arg == "--root" {
                args.next();
            } else if !arg.starts_with('-') {
                parsed.engine_address = Some(arg);
            }
        }
        parsed
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("could not listen on 127.0.0.1: {0}")]
    Bind(std::io::Error),
    #[error("could not announce the port on stdout: {0}")]
    Announce(std::io::Error),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// Runs the plugin as the engine expects.
pub async fn run<H: Configure>(
    args: LaunchArgs,
    hook: H,
    registry: Registry<H::Configured>,
) -> Result<(), LaunchError> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(LaunchError::Bind)?;
    let port = listener.local_addr().map_err(LaunchError::Bind)?.port();
    announce(port).map_err(LaunchError::Announce)?;
    tracing::info!(port, engine = ?args.engine_address, "serving");
    let service = ProviderService::new(hook, registry, args.engine_address.as_deref());
    serve(listener, service, shutdown_signal()).await
}

/// Serves the provider on `listener` until `shutdown` completes. In-flight operations are
/// cancelled on shutdown and given a moment to wind down.
pub async fn serve<H: Configure>(
    listener: TcpListener,
    service: ProviderService<H>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), LaunchError> {
    let cancel = service.cancellation();
    let grpc = ResourceProviderServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let stopping = async move {
        shutdown.await;
        cancel.cancel();
        // Let cancelled operations answer before connections close.
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    tonic::transport::Server::builder()
        .add_service(grpc)
        .serve_with_incoming_shutdown(accept_without_delay(listener), stopping)
        .await?;
    Ok(())
}

/// Accepted connections with Nagle's algorithm off. The engine's calls are small
/// request/answer pairs; with Nagle on, an answer's last bytes (the gRPC trailers) wait for the
/// engine's delayed ACK, about 40 ms per call (measured by the benchmarks, seen with strace).
/// tonic's own `tcp_nodelay` applies only to listeners it binds itself.
fn accept_without_delay(listener: TcpListener) -> impl Stream<Item = std::io::Result<TcpStream>> {
    TcpListenerStream::new(listener).map(|accepted| {
        let stream = accepted?;
        stream.set_nodelay(true)?;
        Ok(stream)
    })
}

/// The first and only line the plugin ever writes to stdout: the engine reads the port from it.
fn announce(port: u16) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{port}")?;
    stdout.flush()
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let mut accepted = Box::pin(accept_without_delay(listener));
        let _client = TcpStream::connect(address).await.unwrap();
        let server_side = accepted.next().await.unwrap().unwrap();
        assert!(server_side.nodelay().unwrap());
    }

    fn parse(args: &[&str]) -> LaunchArgs {
        LaunchArgs::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn the_engine_address_is_the_last_positional_argument() {
        assert_eq!(
            parse(&[
                "--logtostderr",
                "-v=9",
                "--tracing",
                "file:/tmp/t",
                "127.0.0.1:4242"
            ]),
            LaunchArgs {
                engine_address: Some("127.0.0.1:4242".into()),
                verbosity: 9
            }
        );
        assert_eq!(parse(&[]), LaunchArgs::default());
        assert_eq!(
            parse(&["--logflow", "127.0.0.1:1"])
                .engine_address
                .as_deref(),
            Some("127.0.0.1:1")
        );
    }
}
