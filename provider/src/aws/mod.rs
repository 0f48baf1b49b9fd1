//! Everything that talks to AWS for the resources lives under this folder: typed EC2, ELBv2 and
//! Route 53 calls, error classification, retries. The SDK configuration they run with is made
//! by Configure (`crate::config`).

pub mod ec2;
pub mod elbv2;
pub mod error;
pub mod private_dns;
pub mod retry;
pub mod route53;
pub mod states;
pub mod tags;
pub mod target_zones;
