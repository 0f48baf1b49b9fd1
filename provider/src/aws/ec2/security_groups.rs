//! Security groups and their rules.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{
    IpPermission, IpRange, ResourceType, SecurityGroup as SdkSecurityGroup, UserIdGroupPair,
};

use super::{filter, ignore_duplicate, tag_spec, Ec2Api, SdkEc2, Tags};
use crate::aws::error::{absent, required, AwsError, ErrorKind};
use crate::aws::retry::{all_pages, send, EVENTUALLY_VISIBLE, TRANSIENT, UNTIL_RELEASED};
use crate::aws::tags::from_sdk;
use crate::validate::is_security_group_text;
use pulumi_rs_provider::runtime::resource::ResourceError;
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};

/// The other side of a security group rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    Cidr(String),
    /// Members of another security group.
    Group(String),
}

/// One security group rule the way we write them: a protocol and port range to or from a peer.
/// Protocol `-1` (all traffic) has no ports; it is kept so that it can be revoked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub peer: Peer,
}

impl Rule {
    pub fn tcp(port: u16, peer: Peer) -> Rule {
        Rule {
            protocol: "tcp".into(),
            from_port: port.into(),
            to_port: port.into(),
            peer,
        }
    }

    /// The rule's CIDR, when its peer is one.
    pub fn cidr(&self) -> Option<&str> {
        match &self.peer {
            Peer::Cidr(cidr) => Some(cidr),
            Peer::Group(_) => None,
        }
    }

    pub fn group(&self) -> Option<&str> {
        match &self.peer {
            Peer::Group(id) => Some(id),
            Peer::Cidr(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub ingress: BTreeSet<Rule>,
    pub egress: BTreeSet<Rule>,
    pub tags: Tags,
}

/// What CreateSecurityGroup gave: a new group's id, or the group of that name that was there.
#[derive(Debug, Clone)]
pub enum MadeGroup {
    New(String),
    Existing(SecurityGroup),
}

impl MadeGroup {
    pub fn id(&self) -> &str {
        match self {
            MadeGroup::New(id) => id,
            MadeGroup::Existing(group) => &group.id,
        }
    }
}

/// `text` as EC2 accepts a group description: characters it refuses (a resource name may hold
/// any) become `_`, and at most 255 characters.
pub fn description_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_security_group_text(&c.to_string()) {
                c
            } else {
                '_'
            }
        })
        .take(255)
        .collect()
}

fn permission(rule: &Rule) -> IpPermission {
    let builder = IpPermission::builder().ip_protocol(&rule.protocol);
    let builder = match &rule.peer {
        Peer::Cidr(cidr) => builder.ip_ranges(IpRange::builder().cidr_ip(cidr).build()),
        Peer::Group(id) => {
            builder.user_id_group_pairs(UserIdGroupPair::builder().group_id(id).build())
        }
    };
    if rule.protocol == "-1" {
        builder.build()
    } else {
        builder
            .from_port(rule.from_port)
            .to_port(rule.to_port)
            .build()
    }
}

fn rules_of(permissions: &[IpPermission]) -> BTreeSet<Rule> {
    let mut rules = BTreeSet::new();
    for p in permissions {
        let protocol = p.ip_protocol().unwrap_or("-1").to_string();
        let (from_port, to_port) = if protocol == "-1" {
            (-1, -1)
        } else {
            (p.from_port().unwrap_or(-1), p.to_port().unwrap_or(-1))
        };
        let cidrs = p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(|c| Peer::Cidr(c.to_string())));
        let groups = p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(|id| Peer::Group(id.to_string())));
        for peer in cidrs.chain(groups) {
            rules.insert(Rule {
                protocol: protocol.clone(),
                from_port,
                to_port,
                peer,
            });
        }
    }
    rules
}

fn group_of(g: &SdkSecurityGroup) -> Result<SecurityGroup, AwsError> {
    const OP: &str = "DescribeSecurityGroups";
    Ok(SecurityGroup {
        id: required(OP, "GroupId", g.group_id())?,
        name: required(OP, "GroupName", g.group_name())?,
        ingress: rules_of(g.ip_permissions()),
        egress: rules_of(g.ip_permissions_egress()),
        tags: from_sdk(g.tags()),
    })
}

/// The first group of an answer, converted.
fn first_group(groups: &[SdkSecurityGroup]) -> Result<Option<SecurityGroup>, AwsError> {
    groups.first().map(group_of).transpose()
}

impl SdkEc2<'_> {
    pub async fn security_group(&self, id: &str) -> Result<Option<SecurityGroup>, AwsError> {
        let out = absent(
            send!(
                self.ctx,
                "DescribeSecurityGroups",
                TRANSIENT,
                self.client.describe_security_groups().group_ids(id)
            )
            .await,
        )?;
        match out {
            Some(out) => first_group(out.security_groups()),
            None => Ok(None),
        }
    }

    pub async fn security_group_named(
        &self,
        vpc_id: &str,
        name: &str,
    ) -> Result<Option<SecurityGroup>, AwsError> {
        let groups = self
            .security_groups_filtered(vec![
                filter("vpc-id", [vpc_id]),
                filter("group-name", [name]),
            ])
            .await?;
        Ok(groups.into_iter().next())
    }

    /// Groups other than `group_id` with a rule naming it as peer: while they exist, EC2 refuses
    /// to delete it (`DependencyViolation`), and no amount of waiting changes that.
    pub async fn groups_referencing(&self, group_id: &str) -> Result<Vec<SecurityGroup>, AwsError> {
        let mut referencing = self
            .security_groups_filtered(vec![filter("ip-permission.group-id", [group_id])])
            .await?;
        referencing.extend(
            self.security_groups_filtered(vec![filter(
                "egress.ip-permission.group-id",
                [group_id],
            )])
            .await?,
        );
        referencing.retain(|g| g.id != group_id);
        referencing.sort_by(|a, b| a.id.cmp(&b.id));
        referencing.dedup_by(|a, b| a.id == b.id);
        Ok(referencing)
    }

    async fn security_groups_filtered(
        &self,
        filters: Vec<aws_sdk_ec2::types::Filter>,
    ) -> Result<Vec<SecurityGroup>, AwsError> {
        let filters = &filters;
        all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeSecurityGroups",
                TRANSIENT,
                self.client
                    .describe_security_groups()
                    .set_filters(Some(filters.clone()))
                    .set_next_token(token.clone())
            )
            .await?;
            let groups = out
                .security_groups()
                .iter()
                .map(group_of)
                .collect::<Result<_, _>>()?;
            Ok((groups, out.next_token().map(String::from)))
        })
        .await
    }

    /// Creates the group; when the VPC already has a group of that name, answers that group
    /// (whether to adopt it is the caller's policy: resources::network). A new group is answered
    /// by id only: its rules (AWS adds a default egress rule) are read by
    /// [`Self::security_group_just_made`], which callers run while they use the id.
    pub async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<MadeGroup, AwsError> {
        let created = send!(
            self.ctx,
            "CreateSecurityGroup",
            TRANSIENT,
            self.client
                .create_security_group()
                .vpc_id(vpc_id)
                .group_name(name)
                .description(description_text(description))
                .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
        )
        .await;
        match created {
            Ok(out) => Ok(MadeGroup::New(
                required("CreateSecurityGroup", "GroupId", out.group_id())?.to_string(),
            )),
            Err(e) if e.is(ErrorKind::Duplicate) => self
                .security_group_named(vpc_id, name)
                .await?
                .map(MadeGroup::Existing)
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// The group this run just created: EC2 reads are eventually consistent, so "not found" is
    /// waited out here (and only here).
    pub async fn security_group_just_made(&self, id: &str) -> Result<SecurityGroup, AwsError> {
        let group = send!(
            self.ctx,
            "DescribeSecurityGroups",
            EVENTUALLY_VISIBLE,
            self.client.describe_security_groups().group_ids(id)
        )
        .await?;
        first_group(group.security_groups())?.ok_or_else(|| {
            AwsError::reported("DescribeSecurityGroups", "InvalidGroup.NotFound", id)
        })
    }

    /// Makes the group's rules exactly `ingress` and `egress`, writing only the differences.
    /// The group is known to be visible (read just before); a peer group that does not exist
    /// is the user's typo, not eventual consistency, so "not found" is not retried.
    pub async fn sync_rules(
        &self,
        group: &SecurityGroup,
        ingress: &BTreeSet<Rule>,
        egress: &BTreeSet<Rule>,
    ) -> Result<bool, AwsError> {
        let id = group.id.as_str();
        let grant_in: Vec<_> = ingress.difference(&group.ingress).map(permission).collect();
        let revoke_in: Vec<_> = group.ingress.difference(ingress).map(permission).collect();
        let grant_out: Vec<_> = egress.difference(&group.egress).map(permission).collect();
        let revoke_out: Vec<_> = group.egress.difference(egress).map(permission).collect();
        let changed = !(grant_in.is_empty()
            && revoke_in.is_empty()
            && grant_out.is_empty()
            && revoke_out.is_empty());
        // The four writes touch different rules of the group: AWS takes them in any order.
        futures::try_join!(
            async {
                if grant_in.is_empty() {
                    return Ok(());
                }
                ignore_duplicate(
                    send!(
                        self.ctx,
                        "AuthorizeSecurityGroupIngress",
                        TRANSIENT,
                        self.client
                            .authorize_security_group_ingress()
                            .group_id(id)
                            .set_ip_permissions(Some(grant_in.clone()))
                    )
                    .await,
                )
            },
            async {
                if grant_out.is_empty() {
                    return Ok(());
                }
                ignore_duplicate(
                    send!(
                        self.ctx,
                        "AuthorizeSecurityGroupEgress",
                        TRANSIENT,
                        self.client
                            .authorize_security_group_egress()
                            .group_id(id)
                            .set_ip_permissions(Some(grant_out.clone()))
                    )
                    .await,
                )
            },
            async {
                if revoke_in.is_empty() {
                    return Ok(());
                }
                send!(
                    self.ctx,
                    "RevokeSecurityGroupIngress",
                    TRANSIENT,
                    self.client
                        .revoke_security_group_ingress()
                        .group_id(id)
                        .set_ip_permissions(Some(revoke_in.clone()))
                )
                .await
                .map(drop)
            },
            async {
                if revoke_out.is_empty() {
                    return Ok(());
                }
                send!(
                    self.ctx,
                    "RevokeSecurityGroupEgress",
                    TRANSIENT,
                    self.client
                        .revoke_security_group_egress()
                        .group_id(id)
                        .set_ip_permissions(Some(revoke_out.clone()))
                )
                .await
                .map(drop)
            },
        )?;
        Ok(changed)
    }

    /// The network interfaces that use the group, as `eni-… (description)`. AWS lists the
    /// requester-managed interfaces of a deleted endpoint or load balancer here until it
    /// releases them, minutes later
    /// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html,
    /// filter `group-id`).
    pub async fn interfaces_using(&self, group_id: &str) -> Result<Vec<String>, AwsError> {
        let group_filter = filter("group-id", [group_id]);
        let group_filter = &group_filter;
        all_pages(|token| async move {
            let out = send!(
                self.ctx,
                "DescribeNetworkInterfaces",
                TRANSIENT,
                self.client
                    .describe_network_interfaces()
                    .filters(group_filter.clone())
                    .set_next_token(token.clone())
            )
            .await?;
            let interfaces = out
                .network_interfaces()
                .iter()
                .map(|eni| {
                    format!(
                        "{} ({})",
                        eni.network_interface_id().unwrap_or("an interface"),
                        eni.description().unwrap_or("no description")
                    )
                })
                .collect();
            Ok((interfaces, out.next_token().map(String::from)))
        })
        .await
    }

    /// Deletes the group once nothing holds it. Gone is fine. Another group's rule naming it
    /// fails at once ([`refuse_if_referenced`]). Network interfaces that AWS releases late (a
    /// deleted endpoint's or load balancer's) are waited out by reading them, so the delete is
    /// sent once; it still retries "in use" for the moment between an interface's release and
    /// the group being free.
    pub async fn delete_security_group(&self, id: &str) -> Result<(), AwsError> {
        if refuse_if_referenced(self, id).await?.is_none() {
            return Ok(());
        }
        let what = format!("network interfaces to release security group {id}");
        wait_for(self.ctx, &what, Backoff::until(RELEASE_WITHIN), || async {
            let using = self.interfaces_using(id).await?;
            Ok(if using.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending(format!("still used by {}", using.join(", ")))
            })
        })
        .await
        .map_err(|e| AwsError {
            operation: "DeleteSecurityGroup",
            code: String::new(),
            kind: match e {
                ResourceError::Cancelled(_) => ErrorKind::Cancelled,
                _ => ErrorKind::GaveUp,
            },
            message: e.to_string(),
        })?;
        absent(
            send!(
                self.ctx,
                "DeleteSecurityGroup",
                UNTIL_RELEASED,
                self.client.delete_security_group().group_id(id)
            )
            .await,
        )?;
        Ok(())
    }
}

/// AWS releases a deleted endpoint's or load balancer's interfaces within minutes; the same
/// ceiling as retry.rs gives "still in use".
const RELEASE_WITHIN: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// Before a delete: another group's rule naming `id` is a dependency no wait ends (EC2 answers
/// `DependencyViolation` until that rule goes), so it fails at once, naming the referencing
/// groups. `None` when the group is gone.
pub async fn refuse_if_referenced(
    ec2: &(dyn Ec2Api + '_),
    id: &str,
) -> Result<Option<()>, AwsError> {
    let referencing = match ec2.groups_referencing(id).await {
        Ok(groups) => groups,
        Err(e) if e.is(ErrorKind::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    if referencing.is_empty() {
        return Ok(Some(()));
    }
    let names: Vec<String> = referencing
        .iter()
        .map(|g| format!("{} ({})", g.id, g.name))
        .collect();
    Err(AwsError {
        operation: "DeleteSecurityGroup",
        code: "DependencyViolation".into(),
        message: format!(
            "security group {id} is still named in the rules of {}; remove those rules \
             (or delete those groups) first",
            names.join(", ")
        ),
        kind: ErrorKind::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_keep_only_what_ec2_accepts() {
        assert_eq!(
            description_text("PrivateLink load balancer db (ördérs \"prod\")"),
            "PrivateLink load balancer db (_rd_rs _prod_)"
        );
        assert_eq!(description_text(&"x".repeat(300)).len(), 255);
    }

    #[test]
    fn all_traffic_rules_have_no_ports() {
        let rule = Rule {
            protocol: "-1".into(),
            from_port: -1,
            to_port: -1,
            peer: Peer::Cidr("0.0.0.0/0".into()),
        };
        let p = permission(&rule);
        assert_eq!(p.from_port(), None);
        assert_eq!(rules_of(&[p]), BTreeSet::from([rule]));
    }
}
