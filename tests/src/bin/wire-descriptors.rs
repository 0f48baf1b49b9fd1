//! Writes the encoded FileDescriptorSet of pulumi-rs-wire to stdout, for the conformance test
//! that compares it with the official Pulumi descriptors.

use std::io::Write;

fn main() -> std::io::Result<()> {
    std::io::stdout().write_all(pulumi_rs_wire::FILE_DESCRIPTOR_SET)
}
