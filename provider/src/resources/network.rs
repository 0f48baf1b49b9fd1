//! Checks of the network a resource is placed in, made before anything is written.

use crate::aws::ec2::{Ec2, Subnet};
use pulumi_rs_provider::runtime::resource::ResourceError;

/// The subnets, in the order given, after checking that each exists, is in the VPC, and is in
/// an Availability Zone of its own (`what` says who needs one subnet per zone).
pub async fn subnets_in_vpc(
    ec2: &Ec2<'_>,
    vpc_id: &str,
    subnet_ids: &[String],
    what: &str,
) -> Result<Vec<Subnet>, ResourceError> {
    let invalid = |message: String| ResourceError::Invalid(format!("subnetIds: {message}"));
    let found = ec2
        .subnets(subnet_ids)
        .await
        .map_err(|e| invalid(e.message))?;
    let mut ordered: Vec<Subnet> = Vec::new();
    for id in subnet_ids {
        let subnet = found
            .iter()
            .find(|s| &s.id == id)
            .ok_or_else(|| invalid(format!("subnet {id} does not exist")))?;
        if subnet.vpc_id != vpc_id {
            return Err(invalid(format!(
                "subnet {id} is in {}, not in vpcId {vpc_id}",
                subnet.vpc_id
            )));
        }
        if let Some(other) = ordered.iter().find(|s| s.zone_id == subnet.zone_id) {
            return Err(invalid(format!(
                "{} and {id} are both in {}; {what} takes one subnet per Availability Zone",
                other.id, subnet.zone
            )));
        }
        ordered.push(subnet.clone());
    }
    Ok(ordered)
}
