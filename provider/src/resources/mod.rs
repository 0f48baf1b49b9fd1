//! The published resources, one module each. Registering a resource is one line here; its
//! types and properties must match schema.json (a test checks that).

use crate::runtime::registry::Registry;

/// Every resource the plugin serves.
pub fn registry() -> Registry {
    Registry::default()
}
