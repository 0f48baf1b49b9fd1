//! Runtime errors as gRPC statuses. A partial failure carries `ErrorResourceInitFailed` in the
//! status details, which is how the engine learns to keep the half-made resource in state.

use prost::Message;
use pulumi_rs_wire::google_rpc;
use pulumi_rs_wire::pulumirpc::ErrorResourceInitFailed;
use tonic::{Code, Status};

use super::structs::from_property_map;
use crate::runtime::registry::OperationError;
use crate::runtime::resource::ResourceError;

const INIT_FAILED_TYPE_URL: &str = "type.googleapis.com/pulumirpc.ErrorResourceInitFailed";

pub fn into_status(error: OperationError) -> Status {
    match error {
        OperationError::BadState(message) => Status::invalid_argument(message),
        OperationError::Resource(ResourceError::Partial { id, state, source }) => {
            let message = source.to_string();
            let detail = ErrorResourceInitFailed {
                id,
                properties: Some(from_property_map(&state)),
                reasons: vec![message.clone()],
                inputs: None,
            };
            let status = google_rpc::Status {
                code: Code::Unknown as i32,
                message: message.clone(),
                details: vec![prost_types::Any {
                    type_url: INIT_FAILED_TYPE_URL.to_string(),
                    value: detail.encode_to_vec(),
                }],
            };
            Status::with_details(Code::Unknown, message, status.encode_to_vec().into())
        }
        OperationError::Resource(e @ ResourceError::Cancelled(_)) => {
            Status::cancelled(e.to_string())
        }
        OperationError::Resource(e @ ResourceError::Timeout(..)) => {
            Status::deadline_exceeded(e.to_string())
        }
        OperationError::Resource(e) => Status::unknown(e.to_string()),
    }
}
