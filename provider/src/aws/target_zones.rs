//! Which Availability Zone each target address sits in, from the CIDR blocks of the VPC's
//! subnets: a load balancer sends no traffic to registered targets in a zone it has no subnet
//! in (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html).

use std::net::Ipv4Addr;

use super::ec2::Ec2;
use super::error::AwsError;
use crate::config::Context;
use crate::validate::parse_cidr;

/// A subnet's IPv4 block and zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetRange {
    pub cidr: String,
    pub zone: String,
}

/// Every subnet of the VPC with its block and zone.
pub async fn vpc_subnets(ctx: &Context, vpc_id: &str) -> Result<Vec<SubnetRange>, AwsError> {
    Ec2::new(ctx).subnet_ranges(vpc_id).await
}

/// The zone of the subnet holding `address`, if any.
pub fn zone_of(address: &str, subnets: &[SubnetRange]) -> Option<String> {
    let address: Ipv4Addr = address.parse().ok()?;
    subnets
        .iter()
        .find(|s| {
            parse_cidr(&s.cidr).is_ok_and(|(network, length)| {
                let mask = if length == 0 {
                    0
                } else {
                    u32::MAX << (32 - length)
                };
                u32::from(address) & mask == u32::from(network)
            })
        })
        .map(|s| s.zone.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_placed_by_subnet_block() {
        let subnets = vec![
            SubnetRange {
                cidr: "10.0.1.0/24".into(),
                zone: "us-east-1a".into(),
            },
            SubnetRange {
                cidr: "10.0.3.0/24".into(),
                zone: "us-east-1c".into(),
            },
        ];
        assert_eq!(zone_of("10.0.1.9", &subnets).as_deref(), Some("us-east-1a"));
        assert_eq!(
            zone_of("10.0.3.200", &subnets).as_deref(),
            Some("us-east-1c")
        );
        assert_eq!(zone_of("10.0.2.1", &subnets), None);
        assert_eq!(zone_of("not-an-ip", &subnets), None);
    }
}
