//! Compiles our .proto files with protox (pure Rust, so a fresh machine needs no `protoc`) and
//! generates prost messages plus tonic client and server code from the resulting descriptors.
//! The encoded descriptor set is kept too: the conformance test compares it with Pulumi's own.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "proto/pulumi/plugin.proto",
    "proto/pulumi/provider.proto",
    "proto/pulumi/engine.proto",
    "proto/google/rpc/status.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("pulumirpc_descriptor.bin"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
