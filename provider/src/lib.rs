//! pulumi-privatelink: a Pulumi resource provider that sets up AWS PrivateLink between two
//! accounts, on the `pulumi-rs-provider` framework (protocol and runtime, no AWS in it).
//!
//! Imports flow one way: [`resources`] → [`aws`] → [`config`]'s settings and `Context` →
//! [`validate`]; the framework calls [`config::PrivateLink`] (the Configure hook), which makes the
//! AWS session with `aws::session` (the only part of aws/ that config/ uses), and the resources
//! of [`resources::registry`]. The `layering` test below enforces this on every `crate::` path.
//!
//! - [`config`]: provider configuration, the Configure hook, the AWS session it makes;
//! - [`resources`]: one module per published resource;
//! - [`aws`]: everything the resources call in AWS;
//! - [`schema`]: the package schema;
//! - [`validate`], [`dns`]: input rules shared by config and resources; hostname resolution.

pub mod aws;
pub mod config;
pub mod dns;
pub mod resources;
pub mod schema;
pub mod validate;

/// The import rules of the modules, checked on the source text: every `crate::` path in a file
/// under aws/ or config/, imports and inline paths alike, a group (`crate::config::{A, B}`)
/// read whole. Grouping at the crate root (`crate::{…}`) is refused, so no path hides there.
#[cfg(test)]
mod layering {
    use std::path::Path;

    /// The path starting `text`: `a::b::C`, or `a::b::{C, D}` with its group.
    fn path_at(text: &str) -> String {
        let mut path = String::new();
        let mut depth = 0;
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') => break,
                _ => {}
            }
            path.push(c);
            if c == '}' && depth == 0 {
                break;
            }
        }
        path
    }

    /// Every `crate::…` path in the Rust files under `dir`, with the file it is in.
    fn crate_paths(dir: &Path) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let entries = std::fs::read_dir(dir).expect("source folder");
        for entry in entries.map(|e| e.expect("folder entry").path()) {
            if entry.is_dir() {
                found.extend(crate_paths(&entry));
                continue;
            }
            if entry.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&entry).expect("source file");
            for (at, _) in text.match_indices("crate::") {
                found.push((entry.display().to_string(), path_at(&text[at..])));
            }
        }
        found
    }

    fn source(folder: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(folder)
    }

    #[test]
    fn paths_are_read_whole() {
        assert_eq!(path_at("crate::aws::ec2::Ec2;\n"), "crate::aws::ec2::Ec2");
        assert_eq!(
            path_at("crate::config::{Configured, Context};"),
            "crate::config::{Configured, Context}"
        );
        assert_eq!(
            path_at("crate::a::{b::{C, D}, e}::x"),
            "crate::a::{b::{C, D}, e}"
        );
    }

    #[test]
    fn aws_never_imports_resources_or_the_configure_hook() {
        let paths = crate_paths(&source("aws"));
        assert!(
            paths.iter().any(|(_, p)| p.starts_with("crate::config::")),
            "the check reads aws/ (it found no config import): {paths:?}"
        );
        let bad: Vec<_> = paths
            .into_iter()
            .filter(|(_, path)| {
                path.starts_with("crate::{")
                    || path.starts_with("crate::resources")
                    || path.starts_with("crate::schema")
                    || (path.starts_with("crate::config") && path.contains("PrivateLink"))
            })
            .collect();
        assert!(bad.is_empty(), "aws/ imports upward: {bad:?}");
    }

    #[test]
    fn config_imports_only_the_session_from_aws() {
        let paths = crate_paths(&source("config"));
        assert!(
            paths
                .iter()
                .any(|(_, p)| p.starts_with("crate::aws::session")),
            "the check reads config/ (it found no session import): {paths:?}"
        );
        let bad: Vec<_> = paths
            .into_iter()
            .filter(|(_, path)| {
                path.starts_with("crate::{")
                    || path.starts_with("crate::resources")
                    || (path.starts_with("crate::aws") && !path.starts_with("crate::aws::session"))
            })
            .collect();
        assert!(
            bad.is_empty(),
            "config/ imports more of aws/ than the session: {bad:?}"
        );
    }
}
