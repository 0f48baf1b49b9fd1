//! pulumi-privatelink: a Pulumi resource provider that sets up AWS PrivateLink between two
//! accounts, on the `pulumi-rs-provider` framework (protocol and runtime, no AWS in it).
//!
//! Imports flow one way: [`package`] → [`resources`] → [`aws`] → [`config`] → [`validate`]; the
//! framework calls [`config::PrivateLink`] (the Configure hook) and the resources of
//! [`package::registry`].
//!
//! - [`config`]: provider configuration, the Configure hook, the AWS session it makes;
//! - [`resources`]: one module per published resource;
//! - [`aws`]: everything the resources call in AWS;
//! - [`package`]: the resources the plugin serves and the schema built from their types;
//! - [`validate`], [`dns`]: input rules shared by config and resources; hostname resolution.

pub mod aws;
pub mod config;
pub mod dns;
pub mod package;
pub mod resources;
pub mod validate;
