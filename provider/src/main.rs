//! The plugin binary the Pulumi engine launches.

use pulumi_privatelink::package;
use std::io::IsTerminal;

use pulumi_rs_provider::protocol::launch::{self, LaunchArgs};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `--schema`: print the package schema (scripts/gen-schema.sh writes it to schema.json).
    if std::env::args().nth(1).as_deref() == Some("--schema") {
        return match package::schema_text() {
            Ok(text) => {
                print!("{text}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("pulumi-resource-privatelink: the schema cannot be built: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let args = LaunchArgs::parse(std::env::args().skip(1));
    // Stdout belongs to the port announcement: every log line goes to stderr.
    // -v raises our own verbosity only; the HTTP/2 and SDK internals stay at warnings.
    let default_level = match args.verbosity {
        0..=3 => "warn",
        4..=8 => "warn,pulumi_privatelink=info,pulumi_rs_provider=info",
        _ => "warn,pulumi_privatelink=debug,pulumi_rs_provider=debug",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // The engine reads our stderr into its own log: no colour codes there.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_env("PRIVATELINK_LOG")
                .unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .init();
    match launch::run(args, package::hook(), package::registry()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pulumi-resource-privatelink: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
