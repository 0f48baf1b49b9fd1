//! pulumi-rs-provider: a framework for Pulumi resource providers written in Rust, in the spirit
//! of pulumi-go-provider's `infer`. It knows nothing of any cloud: a provider supplies its typed
//! configuration through the [`Configure`](runtime::configure::Configure) hook and its resources
//! through the [`Resource`](runtime::resource::Resource) trait.
//!
//! Dependencies flow one way: [`protocol`] (gRPC, the only code that sees protobuf) →
//! [`runtime`] (typed resources, property model, decoding, waiting, progress) → the provider's
//! hook and resources. [`schema`] builds the package schema from the same Rust types.

pub mod protocol;
pub mod runtime;
pub mod schema;
