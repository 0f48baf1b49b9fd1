//! Hostile input on the decode path (issue 14): arbitrary property maps, keyed mostly by each
//! resource's real input names, decoded into its typed inputs. Decoding never panics, and every
//! error names a property the map holds (or, for a missing one, a property of the schema).

use proptest::prelude::*;
use pulumi_privatelink::resources::acceptance::AcceptanceInputs;
use pulumi_privatelink::resources::consumer::ConsumerInputs;
use pulumi_privatelink::resources::producer::ProducerInputs;
use pulumi_rs_provider::runtime::decode::{from_map, DecodeError};
use pulumi_rs_provider::runtime::value::{PropertyMap, PropertyValue, UnknownKind};

fn input_names(token: &str) -> Vec<String> {
    pulumi_privatelink::package::schema()["resources"][token]["inputProperties"]
        .as_object()
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn value() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Bool),
        any::<f64>().prop_map(PropertyValue::Number),
        prop_oneof![
            Just(-1.0),
            Just(0.0),
            Just(65536.0),
            Just(1e300),
            Just(f64::NAN)
        ]
        .prop_map(PropertyValue::Number),
        ".{0,12}".prop_map(PropertyValue::String),
        Just(PropertyValue::Unknown(UnknownKind::String)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(PropertyValue::Array),
            prop::collection::btree_map("[a-zA-Z]{0,8}", inner.clone(), 0..4)
                .prop_map(PropertyValue::Object),
            inner.prop_map(|v| PropertyValue::Secret(Box::new(v))),
        ]
    })
}

fn map_for(token: &'static str) -> impl Strategy<Value = PropertyMap> {
    let mut names = input_names(token);
    names.push("notAProperty".into());
    prop::collection::btree_map(prop::sample::select(names), value(), 0..8)
}

fn names_a_property(error: &DecodeError, map: &PropertyMap, token: &str) -> bool {
    match error.path.top_level() {
        Some(top) => map.contains_key(top) || input_names(token).iter().any(|n| n == top),
        None => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn producer_inputs_decode_or_name_the_property(map in map_for("privatelink:index:PrivateLinkProducer")) {
        if let Err(e) = from_map::<ProducerInputs>(&map) {
            prop_assert!(names_a_property(&e, &map, "privatelink:index:PrivateLinkProducer"), "{e}");
        }
    }

    #[test]
    fn consumer_inputs_decode_or_name_the_property(map in map_for("privatelink:index:PrivateLinkConsumer")) {
        if let Err(e) = from_map::<ConsumerInputs>(&map) {
            prop_assert!(names_a_property(&e, &map, "privatelink:index:PrivateLinkConsumer"), "{e}");
        }
    }

    #[test]
    fn acceptance_inputs_decode_or_name_the_property(map in map_for("privatelink:index:EndpointAcceptance")) {
        if let Err(e) = from_map::<AcceptanceInputs>(&map) {
            prop_assert!(names_a_property(&e, &map, "privatelink:index:EndpointAcceptance"), "{e}");
        }
    }
}
