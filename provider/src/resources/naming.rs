//! Physical names, idempotency tokens and tags shared by the resources: deterministic from
//! the engine's URN, so a retried create finds what an interrupted one made.

use std::collections::BTreeMap;

use crate::aws::ec2::Tags;
use crate::config::Context;
use crate::validate::Failures;

/// AWS's limit for load balancer and target group names; the other names follow it too.
pub const MAX_NAME: usize = 32;

/// Tag that ties every piece to its resource, so a retried create can adopt what it finds.
pub const NAME_TAG: &str = "pulumi-privatelink:name";

/// Tag naming the create that made, or last took over, a piece: `instanceId` in the state. The
/// engine creates the successor of a replacement it forces (`pulumi up --replace`, replaceWith,
/// deletedWith, a provider replaced in place) before it deletes the old resource, without asking
/// Diff (pulumi/pkg/resource/deploy/step_generator.go, `diff`). The successor has the same URN,
/// hence the same name, and takes the pieces over like a retried create; this tag then tells
/// the old resource's Delete and Read that the pieces are no longer its own.
pub const INSTANCE_TAG: &str = "pulumi-privatelink:instance";

/// The schema's description of the `instanceId` output every resource that tags its pieces has.
pub const INSTANCE_ID_DESCRIPTION: &str = "Id of the create that made this resource's AWS pieces, \
     tagged on them as `pulumi-privatelink:instance`. A replacement the engine makes without asking \
     the provider (`pulumi up --replace`, `replaceWith`, `deletedWith`, a replaced provider) creates \
     the successor before it deletes this resource, and the successor keeps the name, so it takes \
     these pieces over and re-tags them; the old resource's delete then leaves them alone. Use \
     `deleteBeforeReplace: true` to get new pieces instead.";

/// The tags this provider writes for itself: never part of a resource's `tags`.
pub const OWN_TAGS: [&str; 2] = [NAME_TAG, INSTANCE_TAG];

/// A new instance id, drawn by every create (and by the first update of a state that has none).
pub fn new_instance_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// `tags` with this instance's tag, when the state has an instance id.
pub fn with_instance(mut tags: Tags, instance_id: Option<&str>) -> Tags {
    if let Some(id) = instance_id {
        tags.insert(INSTANCE_TAG.into(), id.into());
    }
    tags
}

/// The instance id a piece's tags name when it is not `own`: for a piece this state recorded,
/// a later create of the same resource took it over; for one found by name, another create
/// made it. A piece or state without an instance id (made by an earlier version) belongs to
/// whoever holds it.
pub fn other_instance<'t>(tags: &'t Tags, own: Option<&str>) -> Option<&'t str> {
    let tagged = tags.get(INSTANCE_TAG)?;
    (Some(tagged.as_str()) != own && own.is_some()).then_some(tagged.as_str())
}

/// The progress line of an operation that leaves the pieces to the resource's successor.
pub fn left_to_successor(own: &str, successor: &str, what: &str) -> String {
    format!(
        "instance {own} of this resource was replaced: {what} now belongs to its \
         successor (instance {successor}), which took it over, and is left alone"
    )
}

/// `<resource name>-<7 hex>`, the hex folded from the resource's URN: the same in a preview
/// and the `up` that follows, and in an `up` that runs again after one was interrupted (the
/// engine then has no record of the name, and sends a fresh random seed with every Check, see
/// pulumi/pkg/resource/deploy/step_generator.go), so that run finds and adopts what the
/// first made. Unique between stacks and projects (both are in the URN). A replacement keeps
/// the name: Diff asks for delete-before-create, and a replacement the engine forces without
/// Diff takes the old pieces over (INSTANCE_TAG).
pub fn generated_name(resource_name: &str, urn: &str) -> String {
    let mut base: String = resource_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    base.truncate(MAX_NAME - 8);
    let base = base.trim_matches('-');
    let base = if base.is_empty() || base.starts_with("internal-") {
        format!("pl-{base}")
    } else {
        base.to_string()
    };
    let hash = fnv1a(urn.bytes());
    let mut name = format!("{}-{:07x}", base.trim_end_matches('-'), hash & 0xfff_ffff);
    name.truncate(MAX_NAME);
    name
}

pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Some(format!(
            "`{name}` must be 1 to {MAX_NAME} characters (AWS's limit for load balancer names)"
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some(format!(
            "`{name}` may only contain letters, digits and hyphens"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some(format!("`{name}` must not begin or end with a hyphen"));
    }
    if name.starts_with("internal-") {
        return Some(format!("`{name}` must not begin with `internal-`"));
    }
    None
}

/// Check's part for `name`: a given name must follow AWS's rules; otherwise the old one is
/// kept (state made by earlier versions keeps its seed-derived name), or one is generated.
pub fn check_name(ctx: &Context, name: &mut Option<String>, old: Option<&str>, f: &mut Failures) {
    match name {
        Some(given) => {
            if let Some(problem) = name_problem(given) {
                f.add("name", problem);
            }
        }
        None => {
            *name = Some(match old {
                Some(old) => old.to_string(),
                None => generated_name(&ctx.name, &ctx.urn),
            });
        }
    }
}

/// The tags every piece gets: the provider's defaults, the resource's own, and ours.
pub fn desired_tags(ctx: &Context, name: &str, own: Option<&BTreeMap<String, String>>) -> Tags {
    let mut tags: Tags = ctx
        .provider
        .config()
        .default_tags
        .clone()
        .unwrap_or_default();
    tags.extend(own.cloned().unwrap_or_default());
    tags.insert(NAME_TAG.into(), name.into());
    tags
}

/// Whether `tags` say this resource made the piece: only such a piece found by name (left by an
/// interrupted create) is adopted or deleted; another stack's same-named piece never is.
pub fn made_by(tags: &Tags, name: &str) -> bool {
    tags.get(NAME_TAG).map(String::as_str) == Some(name)
}

/// The idempotency token of one create call. EC2 remembers a token after the resource it made
/// is deleted (a reuse answers the deleted resource, or IdempotentParameterMismatch), so every
/// create call gets a new one, from a random nonce; the SDK request built with it is resent
/// unchanged by our retries, so a retry whose first answer was lost gets the first call's
/// resource. A create interrupted across runs is found by its tag instead (NAME_TAG).
pub fn client_token(ctx: &Context, name: &str) -> String {
    let nonce = fastrand::u64(..).to_le_bytes();
    let hash = fnv1a(
        ctx.urn
            .bytes()
            .chain(name.bytes())
            .chain(nonce)
            .chain(ctx.random_seed.iter().copied()),
    );
    format!("privatelink-{name}-{hash:016x}")
}

/// FNV-1a: folds bytes into a short, stable number (not a cryptographic hash; names need
/// only be stable and spread).
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_fit_aws_rules_and_are_stable() {
        let urn =
            "urn:pulumi:dev::orders::privatelink:index:PrivateLinkProducer::orders-db-producer";
        let a = generated_name("orders-db-producer", urn);
        assert_eq!(a, generated_name("orders-db-producer", urn));
        assert!(a.starts_with("orders-db-producer-"));
        assert!(name_problem(&a).is_none(), "{a}");
        let long = generated_name(&"x".repeat(80), urn);
        assert!(
            long.len() <= MAX_NAME && name_problem(&long).is_none(),
            "{long}"
        );
        let odd = generated_name("internal-__weird name__", urn);
        assert!(name_problem(&odd).is_none(), "{odd}");
        let other_stack = urn.replace(":dev::", ":prod::");
        assert_ne!(a, generated_name("orders-db-producer", &other_stack));
    }

    #[test]
    fn a_piece_tagged_by_another_instance_belongs_to_the_successor() {
        let own = new_instance_id();
        let tagged = with_instance(Tags::new(), Some(&own));
        assert_eq!(other_instance(&tagged, Some(&own)), None);
        let later = new_instance_id();
        assert_ne!(own, later);
        assert_eq!(other_instance(&tagged, Some(&later)), Some(own.as_str()));
        // Pieces or states from before instance ids belong to whoever holds them.
        assert_eq!(other_instance(&Tags::new(), Some(&own)), None);
        assert_eq!(other_instance(&tagged, None), None);
        assert!(with_instance(Tags::new(), None).is_empty());
    }
}
