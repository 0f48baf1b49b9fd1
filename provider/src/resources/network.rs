//! Checks of the network a resource is placed in, made before anything is written, and the
//! security group each resource owns.

use std::collections::BTreeSet;

use crate::aws::ec2::{Ec2, Rule, Subnet, Tags};
use crate::resources::naming;
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

/// The resource's security group: found by id when known, else by name in the VPC, else
/// created; then its rules and tags are made what is asked. Returns its id. A group found by
/// name is adopted only if this resource made it (an interrupted create left it, tagged
/// naming::NAME_TAG), never a group someone else made with the same name.
#[allow(clippy::too_many_arguments)]
pub async fn ensure_security_group(
    ec2: &Ec2<'_>,
    known: Option<&str>,
    vpc_id: &str,
    name: &str,
    description: &str,
    (ingress, egress): (&BTreeSet<Rule>, &BTreeSet<Rule>),
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<String, ResourceError> {
    let existing = match known {
        Some(id) => ec2.security_group(id).await?,
        None => ec2.security_group_named(vpc_id, name).await?,
    };
    let group = match existing {
        Some(group) => group,
        None => {
            ec2.create_security_group(vpc_id, name, description, tags)
                .await?
        }
    };
    if known.is_none() && !naming::made_by(&group.tags, name) {
        return Err(ResourceError::Invalid(format!(
            "name: security group {} in {vpc_id} is already named `{name}` and was not made by \
             this resource; choose another name",
            group.id
        )));
    }
    ec2.sync_rules(&group, ingress, egress).await?;
    ec2.sync_tags(&group.id, &group.tags, tags, previous_tags)
        .await?;
    Ok(group.id)
}
