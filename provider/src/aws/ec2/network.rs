//! VPC facts: CIDR blocks, subnets and their zones (by id, and every subnet of a VPC with its
//! block), DNS attributes. The ids are the user's, so
//! "not found" is a typo to report at once, never retried as eventual consistency.

use super::SdkEc2;
use crate::aws::error::{required, AwsError};
use crate::aws::retry::{all_pages, send, TRANSIENT};
use crate::aws::target_zones::SubnetRange;

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    pub zone_id: String,
}

fn subnet_of(s: &aws_sdk_ec2::types::Subnet) -> Result<Subnet, AwsError> {
    const OP: &str = "DescribeSubnets";
    Ok(Subnet {
        id: required(OP, "SubnetId", s.subnet_id())?,
        vpc_id: required(OP, "VpcId", s.vpc_id())?,
        zone: required(OP, "AvailabilityZone", s.availability_zone())?,
        zone_id: required(OP, "AvailabilityZoneId", s.availability_zone_id())?,
    })
}

impl SdkEc2<'_> {
    /// The VPC's IPv4 CIDR blocks (primary and associated).
    pub async fn vpc_cidrs(&self, vpc_id: &str) -> Result<Vec<String>, AwsError> {
        let out = send!(
            self.ctx,
            "DescribeVpcs",
            TRANSIENT,
            self.client.describe_vpcs().vpc_ids(vpc_id)
        )
        .await?;
        let mut cidrs: Vec<String> = out
            .vpcs()
            .iter()
            .flat_map(|v| v.cidr_block_association_set())
            .filter(|a| {
                a.cidr_block_state()
                    .and_then(|s| s.state())
                    .is_none_or(|s| s.as_str().eq_ignore_ascii_case("associated"))
            })
            .filter_map(|a| a.cidr_block().map(String::from))
            .collect();
        if cidrs.is_empty() {
            cidrs.extend(
                out.vpcs()
                    .iter()
                    .filter_map(|v| v.cidr_block().map(String::from)),
            );
        }
        cidrs.sort();
        cidrs.dedup();
        Ok(cidrs)
    }

    pub async fn subnets(&self, ids: &[String]) -> Result<Vec<Subnet>, AwsError> {
        all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeSubnets",
                TRANSIENT,
                self.client
                    .describe_subnets()
                    .set_subnet_ids(Some(ids.to_vec()))
                    .set_next_token(token.clone())
            )
            .await?;
            let subnets = out
                .subnets()
                .iter()
                .map(subnet_of)
                .collect::<Result<_, _>>()?;
            Ok((subnets, out.next_token().map(String::from)))
        })
        .await
    }

    pub async fn subnet_ranges(&self, vpc_id: &str) -> Result<Vec<SubnetRange>, AwsError> {
        let vpc = super::filter("vpc-id", [vpc_id]);
        let vpc = &vpc;
        let subnets = all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeSubnets",
                TRANSIENT,
                self.client
                    .describe_subnets()
                    .filters(vpc.clone())
                    .set_next_token(token.clone())
            )
            .await?;
            let ranges = out
                .subnets()
                .iter()
                .filter_map(|s| {
                    Some(SubnetRange {
                        cidr: s.cidr_block()?.to_string(),
                        zone: s.availability_zone()?.to_string(),
                    })
                })
                .collect();
            Ok((ranges, out.next_token().map(String::from)))
        })
        .await?;
        Ok(subnets)
    }

    /// The VPC's `enableDnsSupport` and `enableDnsHostnames` attributes.
    pub async fn vpc_dns_attributes(&self, vpc_id: &str) -> Result<(bool, bool), AwsError> {
        use aws_sdk_ec2::types::VpcAttributeName;
        let support = send!(
            self.ctx,
            "DescribeVpcAttribute",
            TRANSIENT,
            self.client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(VpcAttributeName::EnableDnsSupport)
        )
        .await?;
        let hostnames = send!(
            self.ctx,
            "DescribeVpcAttribute",
            TRANSIENT,
            self.client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(VpcAttributeName::EnableDnsHostnames)
        )
        .await?;
        let on = |v: Option<&aws_sdk_ec2::types::AttributeBooleanValue>| {
            v.and_then(|v| v.value()).unwrap_or(false)
        };
        Ok((
            on(support.enable_dns_support()),
            on(hostnames.enable_dns_hostnames()),
        ))
    }
}
