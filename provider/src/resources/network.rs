//! Checks of the network a resource is placed in, made before anything is written, and the
//! security group each resource owns.

use std::collections::BTreeSet;

use crate::aws::ec2::{Ec2, MadeGroup, Rule, SecurityGroup, Subnet, Tags};
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

/// The resource's security group as it is before anything is written: by id when known, else
/// by name in the VPC.
pub async fn find_security_group(
    ec2: &Ec2<'_>,
    known: Option<&str>,
    vpc_id: &str,
    name: &str,
) -> Result<Option<SecurityGroup>, ResourceError> {
    Ok(match known {
        Some(id) => ec2.security_group(id).await?,
        None => ec2.security_group_named(vpc_id, name).await?,
    })
}

/// The group [`find_security_group`] found, or a new one. Returns its id, and the group when it
/// was there (a new one's rules are read by [`settle_security_group`]). A group found by name is
/// adopted only if this resource made it (an interrupted create left it, tagged
/// naming::NAME_TAG), never a group someone else made with the same name.
pub async fn make_security_group(
    ec2: &Ec2<'_>,
    found: Option<SecurityGroup>,
    known: Option<&str>,
    (vpc_id, name, description): (&str, &str, &str),
    tags: &Tags,
) -> Result<(String, Option<SecurityGroup>), ResourceError> {
    let group = match found {
        Some(group) => group,
        None => match ec2
            .create_security_group(vpc_id, name, description, tags)
            .await?
        {
            MadeGroup::New(id) => return Ok((id, None)),
            MadeGroup::Existing(group) => group,
        },
    };
    if known.is_none() && !naming::made_by(&group.tags, name) {
        return Err(ResourceError::Invalid(format!(
            "name: security group {} in {vpc_id} is already named `{name}` and was not made by \
             this resource; choose another name",
            group.id
        )));
    }
    Ok((group.id.clone(), Some(group)))
}

/// Makes the group's rules and tags what is asked, writing only the differences. `found` is the
/// group as read before; `None` for a group this run created (read back here, with the tags it
/// was created with). Answers the group with the rules it has now (its tags as read).
pub async fn settle_security_group(
    ec2: &Ec2<'_>,
    id: &str,
    found: Option<SecurityGroup>,
    (ingress, egress): (&BTreeSet<Rule>, &BTreeSet<Rule>),
    tags: &Tags,
    previous_tags: &Tags,
) -> Result<SecurityGroup, ResourceError> {
    let group = match found {
        Some(group) => group,
        None => ec2.security_group_just_made(id).await?,
    };
    ec2.sync_rules(&group, ingress, egress).await?;
    ec2.sync_tags(&group.id, &group.tags, tags, previous_tags)
        .await?;
    Ok(SecurityGroup {
        ingress: ingress.clone(),
        egress: egress.clone(),
        ..group
    })
}
