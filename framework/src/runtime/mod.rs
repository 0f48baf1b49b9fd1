//! The resource framework: the typed [`Resource`](resource::Resource) trait, the
//! [`Configure`](configure::Configure) hook, the property model, typed decoding and encoding,
//! progress, waiting, and the registry. Protocol-agnostic: the `protocol` module adapts it to
//! gRPC; it knows nothing of any cloud.

pub mod configure;
pub mod decode;
pub mod encode;
pub mod progress;
pub mod redact;
pub mod registry;
pub mod resource;
pub mod value;
pub mod wait;

pub mod testing;
