//! `pulumi-rs-wire`: the protocol between the Pulumi engine and a resource provider plugin, as
//! generated Rust types. Only the RPCs and messages pulumi-privatelink uses are described; tonic
//! answers every other RPC with `Unimplemented`.

/// Messages and services of the `pulumirpc` protobuf package.
pub mod pulumirpc {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("pulumirpc");
}

/// The gRPC rich error model, used to attach structured details to an error status.
pub mod google_rpc {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("google.rpc");
}

/// The encoded `FileDescriptorSet` of our .proto files (with their imports), for conformance tests
/// and reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/pulumirpc_descriptor.bin"));

pub use prost_types;
pub use tonic;
