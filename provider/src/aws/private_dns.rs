//! Endpoint service private DNS names: asking AWS to verify the domain. AWS reads the TXT
//! record (`privateDnsVerification` output) only when asked, so every `up` asks while the name
//! is not verified. The call is EC2's ([`Ec2Api::start_private_dns_verification`]).
//! https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html

use super::ec2::{Ec2, Ec2Api};
use super::error::AwsError;
use crate::config::Context;

pub struct PrivateDns<'a> {
    ec2: Ec2<'a>,
}

impl<'a> PrivateDns<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        PrivateDns { ec2: Ec2::new(ctx) }
    }

    /// AWS looks up the TXT record and sets the verification state (read back with the service).
    pub async fn start_verification(&self, service_id: &str) -> Result<(), AwsError> {
        Ec2Api::start_private_dns_verification(&*self.ec2, service_id).await
    }
}
