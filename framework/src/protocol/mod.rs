//! The Pulumi provider protocol: the only code that sees protobuf and gRPC types.
//!
//! - [`launch`]: how the engine starts the plugin (arguments, port, signals);
//! - [`server`]: the `ResourceProvider` service;
//! - [`structs`]: property values on the wire;
//! - [`engine_log`]: progress lines to the engine;
//! - [`status`]: errors on the wire.

pub mod engine_log;
pub mod launch;
pub mod server;
pub mod status;
pub mod structs;
