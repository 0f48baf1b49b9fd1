//! Input rules shared by provider configuration and every resource's Check: AWS identifiers,
//! network values and tags. Each rule explains itself in the failure, next to the property.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use pulumi_rs_provider::runtime::resource::{CheckFailure, Checked};

/// Collects Check failures, one per offending property.
#[derive(Debug, Default)]
pub struct Failures(Vec<CheckFailure>);

impl Failures {
    pub fn add(&mut self, property: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CheckFailure::new(property, reason));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` when nothing failed, else every failure.
    /// Check's answer: the inputs as filled in so far, with every failure found.
    pub fn checked<T>(self, inputs: T) -> Checked<T> {
        Checked {
            inputs,
            failures: self.0,
        }
    }

    pub fn into_vec(self) -> Vec<CheckFailure> {
        self.0
    }

    /// A required string that is missing or empty.
    pub fn required(&mut self, property: &str, value: &str) -> bool {
        if value.trim().is_empty() {
            self.add(property, "is required");
            return false;
        }
        true
    }

    /// An id of the form `<prefix>-<hex>` (`vpc-0abc…`).
    pub fn aws_id(&mut self, property: &str, value: &str, prefix: &str, what: &str) {
        if !value.is_empty() && !is_aws_id(value, prefix) {
            self.add(
                property,
                format!("`{value}` is not {what} id such as `{prefix}-0123456789abcdef0`"),
            );
        }
    }

    pub fn port(&mut self, property: &str, port: i64) {
        if !(1..=65535).contains(&port) {
            self.add(property, format!("{port} is not a port: use 1 to 65535"));
        }
    }

    pub fn tags(&mut self, property: &str, tags: &BTreeMap<String, String>) {
        for (key, value) in tags {
            let property = format!("{property}.{key}");
            if key.is_empty() || key.chars().count() > 128 {
                self.add(&property, "tag keys are 1 to 128 characters");
            } else if key.to_ascii_lowercase().starts_with("aws:") {
                self.add(
                    &property,
                    "tag keys starting with `aws:` are reserved by AWS",
                );
            }
            if value.chars().count() > 256 {
                self.add(&property, "tag values are at most 256 characters");
            }
        }
    }

    /// Tags that also go on load balancers, target groups and listeners: ELBv2's characters, and
    /// at most 50 with everything else that is put on the resource (`others`: the provider's
    /// defaultTags and our own tag).
    pub fn elb_tags(
        &mut self,
        property: &str,
        tags: &BTreeMap<String, String>,
        others: &BTreeMap<String, String>,
    ) {
        for (key, value) in tags {
            if !is_elb_tag_text(key) || !is_elb_tag_text(value) {
                self.add(
                    format!("{property}.{key}"),
                    "load balancer tags may only contain letters, digits, spaces and _ . : / = + - @",
                );
            }
        }
        self.tag_count(property, tags, others);
    }

    /// At most 50 tags on each resource, counting `others` (defaultTags, our own tag).
    pub fn tag_count(
        &mut self,
        property: &str,
        tags: &BTreeMap<String, String>,
        others: &BTreeMap<String, String>,
    ) {
        let total = others
            .keys()
            .chain(tags.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if total > MAX_TAGS {
            self.add(
                property,
                format!(
                    "{} tags here plus {} from defaultTags and the provider's own make {total}; AWS \
                     allows at most {MAX_TAGS} per resource",
                    tags.len(),
                    total - tags.len()
                ),
            );
        }
    }

    /// A security group is named after the resource; EC2 refuses names starting with `sg-`.
    pub fn security_group_name(&mut self, name: &str) {
        if name.starts_with("sg-") {
            self.add(
                "name",
                format!("`{name}` cannot start with `sg-` (EC2 refuses such security group names)"),
            );
        }
    }

    /// A VPC and one or more distinct subnets in it (that they are in the VPC is checked
    /// against AWS before the first write).
    pub fn placement(&mut self, vpc_id: &str, subnet_ids: &[String]) {
        if self.required("vpcId", vpc_id) {
            self.aws_id("vpcId", vpc_id, "vpc", "a VPC");
        }
        if subnet_ids.is_empty() {
            self.add(
                "subnetIds",
                "at least one subnet is required (one per Availability Zone)",
            );
        }
        for (i, subnet) in subnet_ids.iter().enumerate() {
            self.aws_id(&format!("subnetIds[{i}]"), subnet, "subnet", "a subnet");
        }
        self.distinct("subnetIds", subnet_ids);
    }

    /// Each element distinct; the duplicate is named.
    pub fn distinct(&mut self, property: &str, values: &[String]) {
        for (i, value) in values.iter().enumerate() {
            if values[..i].contains(value) {
                self.add(
                    format!("{property}[{i}]"),
                    format!("`{value}` is listed twice"),
                );
            }
        }
    }
}

pub fn is_aws_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            (8..=32).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit())
        })
}

pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The region of an endpoint service name: `com.amazonaws.vpce.<region>.vpce-svc-<hex>`, or in
/// the China partition `cn.com.amazonaws.vpce.cn-<…>.vpce-svc-<hex>` (AWS PrivateLink guide,
/// "Share your services through AWS PrivateLink": service names in the China Regions).
pub fn service_name_region(name: &str) -> Option<&str> {
    let (china, rest) = match name.strip_prefix("cn.") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let well_formed = parts.len() == 5
        && parts[..3] == ["com", "amazonaws", "vpce"]
        && is_region(parts[3])
        && is_aws_id(parts[4], "vpce-svc")
        && china == parts[3].starts_with("cn-");
    well_formed.then(|| parts[3])
}

pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.chars().all(|c| c.is_ascii_digit())
}

/// The account and resource part of an IAM ARN (`arn:aws:iam::<account>:<resource>`).
fn iam_arn(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && is_account_id(parts[4]))
    .then(|| (parts[4], parts[5]))
}

pub fn is_role_arn(arn: &str) -> bool {
    iam_arn(arn).is_some_and(|(_, resource)| {
        resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
    })
}

/// A principal an endpoint service may allow: an account root, role or user ARN.
pub fn check_principal(principal: &str) -> Result<(), String> {
    if is_account_id(principal) {
        return Err(format!(
            "use the account's ARN, `arn:aws:iam::{principal}:root`, not the bare account id"
        ));
    }
    let valid = iam_arn(principal).is_some_and(|(_, resource)| {
        resource == "root"
            || ["role/", "user/"]
                .iter()
                .any(|kind| resource.strip_prefix(kind).is_some_and(|n| !n.is_empty()))
    });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{principal}` is not an IAM principal ARN such as `arn:aws:iam::123456789012:root` \
             or `arn:aws:iam::123456789012:role/analytics`"
        ))
    }
}

/// Parses `a.b.c.d/n`; a block with host bits set is refused with its network address, since
/// AWS would silently widen or reject it.
/// Whether `ip` is in one of `cidrs` (malformed entries match nothing).
pub fn in_cidrs(ip: Ipv4Addr, cidrs: &[String]) -> bool {
    cidrs.iter().any(|cidr| {
        parse_cidr(cidr).is_ok_and(|(network, length)| {
            let mask = if length == 0 {
                0
            } else {
                u32::MAX << (32 - length)
            };
            u32::from(ip) & mask == u32::from(network)
        })
    })
}

/// The ranges an NLB accepts as IP targets besides its VPC's own: RFC 1918 and RFC 6598
/// (ELB guide, "Register targets with your target group", IP addresses).
pub fn is_private_target(ip: Ipv4Addr) -> bool {
    let shared = ["100.64.0.0/10".to_string()];
    ip.is_private() || in_cidrs(ip, &shared)
}

/// ELBv2's tag characters: Unicode letters, digits, white space and `_ . : / = + - @`
/// (ELBv2 API reference, `Tag`).
pub fn is_elb_tag_text(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_alphanumeric()
            || c.is_whitespace()
            || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
    })
}

/// AWS's limit of tags per resource (EC2 and ELBv2 alike).
pub const MAX_TAGS: usize = 50;

/// Characters EC2 allows in a VPC security group's name and description
/// (EC2 API reference, `CreateSecurityGroup`).
pub fn is_security_group_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c))
}

pub fn parse_cidr(text: &str) -> Result<(Ipv4Addr, u8), String> {
    let invalid = || format!("`{text}` is not an IPv4 CIDR block such as `10.1.0.0/16`");
    let (address, length) = text.split_once('/').ok_or_else(invalid)?;
    let address: Ipv4Addr = address.parse().map_err(|_| invalid())?;
    let length: u8 = length.parse().map_err(|_| invalid())?;
    if length > 32 {
        return Err(invalid());
    }
    let mask = if length == 0 {
        0
    } else {
        u32::MAX << (32 - length)
    };
    let network = Ipv4Addr::from(u32::from(address) & mask);
    if network != address {
        return Err(format!(
            "`{text}` has host bits set; did you mean `{network}/{length}`?"
        ));
    }
    Ok((address, length))
}

/// A DNS name: dot-separated labels of letters, digits and hyphens, at most 255 characters.
pub fn is_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 255
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// A duration such as `90s`, `10m`, `1h30m`.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    (number.is_empty() && total > 0).then(|| std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        assert!(check_principal("arn:aws:iam::222222222222:root").is_ok());
        assert!(check_principal("arn:aws:iam::222222222222:role/glue").is_ok());
        assert!(check_principal("arn:aws-us-gov:iam::222222222222:user/me").is_ok());
        assert!(check_principal("222222222222")
            .unwrap_err()
            .contains(":root"));
        assert!(check_principal("arn:aws:iam::2222:root").is_err());
        assert!(check_principal("arn:aws:s3:::bucket").is_err());
        assert!(check_principal("*").is_err());
    }

    #[test]
    fn cidrs() {
        assert!(parse_cidr("10.1.0.0/16").is_ok());
        assert!(parse_cidr("0.0.0.0/0").is_ok());
        assert!(parse_cidr("10.1.2.3/16")
            .unwrap_err()
            .contains("10.1.0.0/16"));
        assert!(parse_cidr("10.1.0.0/33").is_err());
        assert!(parse_cidr("10.1.0.0").is_err());
        assert!(parse_cidr("fd00::/8").is_err());
    }

    #[test]
    fn ids_regions_names() {
        assert!(is_aws_id("vpc-0123abcd", "vpc"));
        assert!(is_aws_id("subnet-0123456789abcdef0", "subnet"));
        assert!(!is_aws_id("vpc-xyz", "vpc"));
        assert!(!is_aws_id("subnet-0123abcd", "vpc"));
        assert!(is_region("eu-central-1") && is_region("us-gov-west-1"));
        assert!(!is_region("us-east") && !is_region("US-EAST-1"));
        assert!(is_dns_name("db.example.com") && !is_dns_name("-bad.example.com"));
        assert!(!is_dns_name("a..b"));
        assert_eq!(parse_duration("1h30m").map(|d| d.as_secs()), Some(5400));
        assert_eq!(parse_duration("90s").map(|d| d.as_secs()), Some(90));
        assert!(parse_duration("10").is_none() && parse_duration("5d").is_none());
        assert!(parse_duration("0s").is_none() && parse_duration("").is_none());
    }
}
