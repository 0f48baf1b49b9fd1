//! Everything that talks to AWS for the resources lives under this folder: typed EC2, ELBv2 and
//! Route 53 calls, error classification, retries, and the session Configure makes (`session`).
//!
//! The resources see each service as a trait of the calls they make ([`ec2::Ec2Api`],
//! [`elbv2::LoadBalancingApi`], [`route53::DnsApi`]), answered in this folder's small types,
//! never SDK shapes. `Ec2::new(ctx)`, `Elbv2::new(ctx)` and `Route53::new(ctx)` make a handle that
//! derefs to the implementation the context's session names: the SDK's (`SdkEc2`, …, one
//! inherent method per call, through the retry mechanism) or, in unit tests, the in-memory fake
//! (`fake`). So resource code calls `ec2.security_group(id)` either way and never chooses.
//!
//! Imports flow one way: resources/ → aws/ → config's settings and `Context`; aws/ never imports
//! resources/ or config's Configure hook, and config/ imports only `aws::session` (the
//! layering test in `lib.rs` checks this).

pub mod ec2;
pub mod elbv2;
pub mod error;
#[cfg(test)]
pub mod fake;
pub mod private_dns;
pub mod retry;
pub mod route53;
pub mod session;
pub mod states;
pub mod tags;
pub mod target_zones;

/// Declares a trait of async calls and implements it for the SDK-backed type by calling that
/// type's inherent method of the same name: the SDK code stays in inherent methods spread over
/// several files (a trait impl must be one block), and the trait lists the surface once.
macro_rules! api_trait {
    (
        $(#[$trait_meta:meta])*
        pub trait $api:ident for $sdk:ty {
            $(
                $(#[$meta:meta])*
                async fn $method:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;
            )*
        }
    ) => {
        $(#[$trait_meta])*
        #[async_trait::async_trait]
        pub trait $api: Send + Sync {
            $(
                $(#[$meta])*
                async fn $method(&self $(, $arg: $ty)*) -> $ret;
            )*
        }

        #[async_trait::async_trait]
        impl $api for $sdk {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> $ret {
                    // Inherent methods come first in path resolution: this is the SDK's call.
                    Self::$method(self $(, $arg)*).await
                }
            )*
        }
    };
}
pub(crate) use api_trait;
