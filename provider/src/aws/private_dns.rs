//! Endpoint service private DNS names: asking AWS to verify the domain. AWS reads the TXT
//! record (`privateDnsVerification` output) only when asked, so every `up` asks while the name
//! is not verified.
//! https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html

use super::error::AwsError;
use super::retry::{send, EVENTUALLY_VISIBLE};
use crate::config::Context;

pub struct PrivateDns<'a> {
    client: aws_sdk_ec2::Client,
    ctx: &'a Context,
}

impl<'a> PrivateDns<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        PrivateDns {
            client: aws_sdk_ec2::Client::new(ctx.provider.aws()),
            ctx,
        }
    }

    /// StartVpcEndpointServicePrivateDnsVerification: AWS looks up the TXT record and sets the
    /// verification state (read back with the service).
    pub async fn start_verification(&self, service_id: &str) -> Result<(), AwsError> {
        send!(
            self.ctx,
            "StartVpcEndpointServicePrivateDnsVerification",
            EVENTUALLY_VISIBLE,
            self.client
                .start_vpc_endpoint_service_private_dns_verification()
                .service_id(service_id)
        )
        .await?;
        Ok(())
    }
}
