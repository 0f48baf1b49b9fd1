//! pulumi-privatelink: a Pulumi resource provider that sets up AWS PrivateLink between two
//! accounts.
//!
//! - [`protocol`]: the gRPC side, the only code that sees Pulumi's wire types;
//! - [`runtime`]: the resource framework (typed resources, properties, waiting, progress);
//! - [`resources`]: one module per published resource;
//! - [`aws`]: everything that talks to AWS;
//! - [`config`] and [`schema`]: provider configuration and the package schema.

pub mod aws;
pub mod config;
pub mod dns;
pub mod protocol;
pub mod resources;
pub mod runtime;
pub mod schema;
pub mod validate;
