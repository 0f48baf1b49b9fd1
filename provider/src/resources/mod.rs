//! The published resources, one module each. Registering a resource is one line here; its
//! types and properties must match schema.json (a test checks that).

pub mod acceptance;
pub mod consumer;
pub mod naming;
pub mod network;
pub mod producer;

use crate::runtime::registry::Registry;
use crate::runtime::resource::Resource;
use crate::schema::ResourceShape;

/// Every resource the plugin serves.
pub fn registry() -> Registry {
    Registry::default()
        .register(
            producer::PrivateLinkProducer,
            ResourceShape::of(producer::PrivateLinkProducer::TOKEN),
        )
        .register(
            consumer::PrivateLinkConsumer,
            ResourceShape::of(consumer::PrivateLinkConsumer::TOKEN),
        )
        .register(
            acceptance::EndpointAcceptance,
            ResourceShape::of(acceptance::EndpointAcceptance::TOKEN),
        )
}
