//! The published resources, one module each. Registering a resource is one line here; its
//! types and properties must match schema.json (a test checks that).

pub mod acceptance;
#[cfg(test)]
mod against_fake;
pub mod consumer;
pub mod endpoint_private_dns;
pub mod naming;
pub mod network;
pub mod producer;

use pulumi_rs_provider::runtime::registry::{Registry, ResourceShape};
use pulumi_rs_provider::runtime::resource::Resource;

use crate::config::Configured;
use crate::schema::schema;

/// A list read back from AWS, in the program's order where the two agree, so that a refresh
/// without drift shows no diff; what only AWS has comes last.
pub fn in_program_order(program: &[String], live: impl IntoIterator<Item = String>) -> Vec<String> {
    let live: Vec<String> = live.into_iter().collect();
    let mut ordered: Vec<String> = program
        .iter()
        .filter(|v| live.contains(v))
        .cloned()
        .collect();
    ordered.extend(live.into_iter().filter(|v| !program.contains(v)));
    ordered
}

/// The same for an optional input: an empty live list stays unset when the program left it
/// unset.
pub fn optional_in_program_order(
    program: Option<&Vec<String>>,
    live: impl IntoIterator<Item = String>,
) -> Option<Vec<String>> {
    let ordered = in_program_order(program.map(Vec::as_slice).unwrap_or_default(), live);
    (program.is_some() || !ordered.is_empty()).then_some(ordered)
}

/// Every resource the plugin serves.
pub fn registry() -> Registry<Configured> {
    Registry::default()
        .register(
            producer::PrivateLinkProducer,
            ResourceShape::from_schema(schema(), producer::PrivateLinkProducer::TOKEN),
        )
        .register(
            consumer::PrivateLinkConsumer,
            ResourceShape::from_schema(schema(), consumer::PrivateLinkConsumer::TOKEN),
        )
        .register(
            acceptance::EndpointAcceptance,
            ResourceShape::from_schema(schema(), acceptance::EndpointAcceptance::TOKEN),
        )
        .register(
            endpoint_private_dns::EndpointPrivateDns,
            ResourceShape::from_schema(schema(), endpoint_private_dns::EndpointPrivateDns::TOKEN),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn live_lists_keep_the_programs_order_and_unset_stays_unset() {
        let program = strings(&["b", "a"]);
        assert_eq!(
            in_program_order(&program, strings(&["a", "c", "b"])),
            strings(&["b", "a", "c"])
        );
        assert_eq!(optional_in_program_order(None, strings(&[])), None);
        assert_eq!(
            optional_in_program_order(Some(&vec![]), strings(&[])),
            Some(vec![])
        );
        assert_eq!(
            optional_in_program_order(None, strings(&["x"])),
            Some(strings(&["x"]))
        );
    }
}
