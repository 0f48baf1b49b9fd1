//! The `ResourceProvider` gRPC service: decodes requests, dispatches to the provider's
//! configuration hook or to the resource registered for the request's type, and encodes the
//! answers.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use pulumi_rs_wire::pulumirpc::{
    self, check_request, diff_response::DiffChanges, property_diff::Kind as DiffKind,
    resource_provider_server::ResourceProvider,
};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::engine_log::EngineLog;
use super::status::into_status;
use super::structs::{from_property_map, to_property_map, MalformedProperty};
use crate::runtime::configure::{Configure, ConfigureError};
use crate::runtime::decode;
use crate::runtime::progress::{Discard, LogSink, Progress};
use crate::runtime::redact::Secrets;
use crate::runtime::registry::{DynResource, OperationError, Registry};
use crate::runtime::resource::{ChangeKind, CheckFailure, Context};
use crate::runtime::value::{PropertyMap, PropertyValue};
use crate::runtime::wait::Pace;

/// The service for a provider whose configuration hook is `H`.
pub struct ProviderService<H: Configure> {
    hook: H,
    registry: Registry<H::Configured>,
    configured: RwLock<Option<H::Configured>>,
    /// Cancelled by the Cancel RPC: every in-flight operation's context derives from it.
    cancel: CancellationToken,
    /// Shared by every operation's waits.
    pace: Pace,
    log: RwLock<Arc<dyn LogSink>>,
}

impl<H: Configure> ProviderService<H> {
    pub fn new(hook: H, registry: Registry<H::Configured>, engine_address: Option<&str>) -> Self {
        let log: Arc<dyn LogSink> = match engine_address {
            Some(address) => Arc::new(EngineLog::connect(address)),
            None => Arc::new(Discard),
        };
        ProviderService {
            hook,
            registry,
            configured: RwLock::new(None),
            cancel: CancellationToken::new(),
            pace: Pace::default(),
            log: RwLock::new(log),
        }
    }

    /// Sends progress lines to the engine at `address` from now on.
    fn connect_engine(&self, address: &str) {
        if let Ok(mut log) = self.log.write() {
            *log = Arc::new(EngineLog::connect(address));
        }
    }

    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    fn resource(
        &self,
        urn: &str,
        type_token: &str,
    ) -> Result<Arc<dyn DynResource<H::Configured>>, Status> {
        let token = if type_token.is_empty() {
            type_from_urn(urn)
        } else {
            type_token
        };
        self.registry
            .get(token)
            .cloned()
            .ok_or_else(|| Status::invalid_argument(format!("unknown resource type `{token}`")))
    }

    fn context(
        &self,
        urn: &str,
        name: &str,
        seed: Vec<u8>,
        timeout: f64,
    ) -> Result<Context<H::Configured>, Status> {
        let provider = self
            .configured
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| Status::failed_precondition("the provider has not been configured"))?;
        let sink = self.engine_log();
        let name = if name.is_empty() {
            urn.rsplit("::").next().unwrap_or_default()
        } else {
            name
        };
        Ok(Context {
            urn: urn.to_string(),
            name: name.to_string(),
            random_seed: seed,
            deadline: (timeout > 0.0).then(|| Instant::now() + Duration::from_secs_f64(timeout)),
            cancel: self.cancel.child_token(),
            progress: Progress::new(urn, sink),
            pace: self.pace.clone(),
            provider,
        })
    }
}

/// The operation's answer, once the progress lines it logged have reached the engine (so the
/// engine shows them with the operation, not after it).
async fn answered<P, T>(
    ctx: &Context<P>,
    secrets: &Secrets,
    result: Result<T, OperationError>,
) -> Result<T, Status> {
    ctx.progress.flush().await;
    result.map_err(|e| into_status(secrets.redact_error(e)))
}

/// The schema with the plugin's version, which SDK generation and `pulumi package add` read
/// from the schema (pulumi/pkg/codegen/schema, PackageSpec.Version).
fn schema_with_version(schema: &serde_json::Value, version: &str) -> String {
    let mut spec = schema.clone();
    if let Some(object) = spec.as_object_mut() {
        object.insert("version".into(), version.into());
    }
    spec.to_string()
}

/// Keys the engine adds to a provider's inputs on its own, never part of the configuration.
const ENGINE_KEYS: &[&str] = &["version", "pluginDownloadURL"];

fn without_engine_keys(mut map: PropertyMap) -> PropertyMap {
    map.retain(|k, _| !ENGINE_KEYS.contains(&k.as_str()) && !k.starts_with("__"));
    map
}

/// The type token inside a URN (`urn:pulumi:stack::project::parent$type::name`).
fn type_from_urn(urn: &str) -> &str {
    urn.split("::")
        .nth(2)
        .and_then(|qualified| qualified.rsplit('$').next())
        .unwrap_or_default()
}

fn decode_struct(s: Option<&prost_types::Struct>) -> Result<PropertyMap, Status> {
    to_property_map(s).map_err(|e: MalformedProperty| Status::invalid_argument(e.to_string()))
}

fn check_response(inputs: &PropertyMap, failures: Vec<CheckFailure>) -> pulumirpc::CheckResponse {
    pulumirpc::CheckResponse {
        inputs: Some(from_property_map(inputs)),
        failures: failures
            .into_iter()
            .map(|f| pulumirpc::CheckFailure {
                property: f.property,
                reason: f.reason,
            })
            .collect(),
    }
}

impl<H: Configure> ProviderService<H> {
    /// The provider's inputs as its configuration code sees them.
    fn normalized(&self, map: PropertyMap) -> PropertyMap {
        self.hook.normalize(without_engine_keys(map))
    }

    /// Configure's `variables` (`<package>:config:<key>` = text) as a property map.
    fn from_variables(&self, variables: Vec<(String, String)>) -> PropertyMap {
        let prefix = format!("{}:config:", H::PACKAGE);
        let map = variables
            .into_iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(&prefix)
                    .map(|key| (key.to_string(), PropertyValue::String(v)))
            })
            .collect();
        self.normalized(map)
    }

    /// Decodes provider configuration and returns it with every problem found in it.
    fn checked_config(&self, map: &PropertyMap) -> (Option<H::Config>, Vec<CheckFailure>) {
        match decode::from_map::<H::Config>(map) {
            Ok(config) => {
                let failures = self.hook.validate(&config);
                (Some(config), failures)
            }
            Err(e) => (None, vec![CheckFailure::new(e.path.to_string(), e.message)]),
        }
    }

    fn engine_log(&self) -> Arc<dyn LogSink> {
        self.log
            .read()
            .map(|l| l.clone())
            .unwrap_or_else(|_| Arc::new(Discard))
    }
}

#[tonic::async_trait]
impl<H: Configure> ResourceProvider for ProviderService<H> {
    async fn handshake(
        &self,
        request: Request<pulumirpc::ProviderHandshakeRequest>,
    ) -> Result<Response<pulumirpc::ProviderHandshakeResponse>, Status> {
        let address = request.into_inner().engine_address;
        if !address.is_empty() {
            self.connect_engine(&address);
        }
        Ok(Response::new(pulumirpc::ProviderHandshakeResponse {
            accept_secrets: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: false,
        }))
    }

    async fn get_plugin_info(
        &self,
        _: Request<()>,
    ) -> Result<Response<pulumirpc::PluginInfo>, Status> {
        Ok(Response::new(pulumirpc::PluginInfo {
            version: self.hook.version().to_string(),
        }))
    }

    async fn get_schema(
        &self,
        request: Request<pulumirpc::GetSchemaRequest>,
    ) -> Result<Response<pulumirpc::GetSchemaResponse>, Status> {
        let request = request.into_inner();
        if !request.subpackage_name.is_empty() {
            return Err(Status::invalid_argument(format!(
                "this provider has no subpackage `{}`",
                request.subpackage_name
            )));
        }
        Ok(Response::new(pulumirpc::GetSchemaResponse {
            schema: schema_with_version(self.hook.schema(), self.hook.version()),
        }))
    }

    async fn check_config(
        &self,
        request: Request<pulumirpc::CheckRequest>,
    ) -> Result<Response<pulumirpc::CheckResponse>, Status> {
        let news = self.normalized(decode_struct(request.get_ref().news.as_ref())?);
        let (_, failures) = self.checked_config(&news);
        Ok(Response::new(check_response(&news, failures)))
    }

    async fn diff_config(
        &self,
        request: Request<pulumirpc::DiffRequest>,
    ) -> Result<Response<pulumirpc::DiffResponse>, Status> {
        let request = request.into_inner();
        let olds = self.normalized(decode_struct(
            request.old_inputs.as_ref().or(request.olds.as_ref()),
        )?);
        let news = self.normalized(decode_struct(request.news.as_ref())?);
        let diff = self.hook.diff(&olds, &news);
        Ok(Response::new(pulumirpc::DiffResponse {
            changes: if diff.changed.is_empty() {
                DiffChanges::DiffNone
            } else {
                DiffChanges::DiffSome
            } as i32,
            detailed_diff: diff
                .changed
                .iter()
                .map(|k| {
                    let kind = if diff.replaces.contains(k) {
                        DiffKind::UpdateReplace
                    } else {
                        DiffKind::Update
                    };
                    (
                        k.clone(),
                        pulumirpc::PropertyDiff {
                            kind: kind as i32,
                            input_diff: true,
                        },
                    )
                })
                .collect(),
            replaces: diff.replaces,
            diffs: diff.changed,
            has_detailed_diff: true,
            ..Default::default()
        }))
    }

    async fn configure(
        &self,
        request: Request<pulumirpc::ConfigureRequest>,
    ) -> Result<Response<pulumirpc::ConfigureResponse>, Status> {
        let request = request.into_inner();
        let map = match request.args.as_ref() {
            Some(args) if !args.fields.is_empty() => self.normalized(decode_struct(Some(args))?),
            _ => self.from_variables(request.variables.into_iter().collect()),
        };
        let (config, failures) = self.checked_config(&map);
        let config = match (config, failures.is_empty()) {
            (Some(config), true) => config,
            (_, _) => {
                let problems: Vec<String> = failures
                    .iter()
                    .map(|f| format!("{}:{}: {}", H::PACKAGE, f.property, f.reason))
                    .collect();
                return Err(Status::invalid_argument(format!(
                    "invalid provider configuration: {}",
                    problems.join("; ")
                )));
            }
        };
        let log = self.engine_log();
        let configured = self
            .hook
            .configure(config, log.as_ref())
            .await
            .map_err(|e| match e {
                ConfigureError::Invalid(message) => Status::invalid_argument(message),
                ConfigureError::Unavailable(message) => Status::failed_precondition(message),
            })?;
        if let Ok(mut slot) = self.configured.write() {
            *slot = Some(configured);
        }
        Ok(Response::new(pulumirpc::ConfigureResponse {
            accept_secrets: true,
            supports_preview: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: false,
        }))
    }

    async fn check(
        &self,
        request: Request<pulumirpc::CheckRequest>,
    ) -> Result<Response<pulumirpc::CheckResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let mut ctx = self.context(&request.urn, &request.name, request.random_seed, 0.0)?;
        let olds = decode_struct(request.olds.as_ref())?;
        let news = decode_struct(request.news.as_ref())?;
        let _: Option<check_request::AutonamingOptions> = request.autonaming;
        let secrets = Secrets::of([&olds, &news]);
        ctx.progress.redacting(secrets.clone());
        let outcome = answered(&ctx, &secrets, resource.check(&ctx, &olds, news).await).await?;
        let failures = outcome
            .failures
            .into_iter()
            .map(|f| secrets.redact_failure(f))
            .collect();
        Ok(Response::new(check_response(&outcome.inputs, failures)))
    }

    async fn diff(
        &self,
        request: Request<pulumirpc::DiffRequest>,
    ) -> Result<Response<pulumirpc::DiffResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let old_outputs = decode_struct(request.olds.as_ref())?;
        let old_inputs = match request.old_inputs.as_ref() {
            Some(inputs) if !inputs.fields.is_empty() => decode_struct(Some(inputs))?,
            _ => old_outputs.clone(),
        };
        let mut news = decode_struct(request.news.as_ref())?;
        // Ignored properties keep their old value, so they cannot cause a change.
        for ignored in &request.ignore_changes {
            match old_inputs.get(ignored) {
                Some(old) => news.insert(ignored.clone(), old.clone()),
                None => news.remove(ignored),
            };
        }
        let outcome = resource
            .diff(&old_inputs, &old_outputs, &news)
            .map_err(|e| into_status(Secrets::of([&old_outputs, &news]).redact_error(e)))?;
        let mut response = pulumirpc::DiffResponse {
            changes: if outcome.changes.is_empty() {
                DiffChanges::DiffNone
            } else {
                DiffChanges::DiffSome
            } as i32,
            delete_before_replace: outcome.delete_before_replace,
            has_detailed_diff: true,
            ..Default::default()
        };
        for change in outcome.changes {
            let replace = change.kind == ChangeKind::Replace;
            let kind = match (change.added, change.removed, replace) {
                (true, _, false) => DiffKind::Add,
                (true, _, true) => DiffKind::AddReplace,
                (_, true, false) => DiffKind::Delete,
                (_, true, true) => DiffKind::DeleteReplace,
                (_, _, false) => DiffKind::Update,
                (_, _, true) => DiffKind::UpdateReplace,
            };
            if replace {
                response.replaces.push(change.property.clone());
            }
            response.diffs.push(change.property.clone());
            response.detailed_diff.insert(
                change.property,
                pulumirpc::PropertyDiff {
                    kind: kind as i32,
                    input_diff: true,
                },
            );
        }
        Ok(Response::new(response))
    }

    async fn create(
        &self,
        request: Request<pulumirpc::CreateRequest>,
    ) -> Result<Response<pulumirpc::CreateResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let mut ctx = self.context(&request.urn, &request.name, vec![], request.timeout)?;
        let inputs = decode_struct(request.properties.as_ref())?;
        let secrets = Secrets::of([&inputs]);
        ctx.progress.redacting(secrets.clone());
        let (id, outputs) = answered(
            &ctx,
            &secrets,
            resource.create(&ctx, inputs, request.preview).await,
        )
        .await?;
        Ok(Response::new(pulumirpc::CreateResponse {
            id,
            properties: Some(from_property_map(&outputs)),
        }))
    }

    async fn read(
        &self,
        request: Request<pulumirpc::ReadRequest>,
    ) -> Result<Response<pulumirpc::ReadResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let mut ctx = self.context(&request.urn, &request.name, vec![], request.timeout)?;
        let state = decode_struct(request.properties.as_ref())?;
        let secrets = Secrets::of([&state]);
        ctx.progress.redacting(secrets.clone());
        let found = answered(
            &ctx,
            &secrets,
            resource.read(&ctx, &request.id, &state).await,
        )
        .await?;
        Ok(Response::new(match found {
            Some((inputs, outputs)) => pulumirpc::ReadResponse {
                id: request.id,
                properties: Some(from_property_map(&outputs)),
                inputs: Some(from_property_map(&inputs)),
            },
            None => pulumirpc::ReadResponse::default(),
        }))
    }

    async fn update(
        &self,
        request: Request<pulumirpc::UpdateRequest>,
    ) -> Result<Response<pulumirpc::UpdateResponse>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let mut ctx = self.context(&request.urn, &request.name, vec![], request.timeout)?;
        let olds = decode_struct(request.olds.as_ref())?;
        let news = decode_struct(request.news.as_ref())?;
        let secrets = Secrets::of([&olds, &news]);
        ctx.progress.redacting(secrets.clone());
        let outputs = answered(
            &ctx,
            &secrets,
            resource
                .update(&ctx, &request.id, &olds, news, request.preview)
                .await,
        )
        .await?;
        Ok(Response::new(pulumirpc::UpdateResponse {
            properties: Some(from_property_map(&outputs)),
        }))
    }

    async fn delete(
        &self,
        request: Request<pulumirpc::DeleteRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.urn, &request.r#type)?;
        let mut ctx = self.context(&request.urn, &request.name, vec![], request.timeout)?;
        let olds = decode_struct(request.properties.as_ref())?;
        let secrets = Secrets::of([&olds]);
        ctx.progress.redacting(secrets.clone());
        answered(
            &ctx,
            &secrets,
            resource.delete(&ctx, &request.id, &olds).await,
        )
        .await?;
        Ok(Response::new(()))
    }

    /// A plugin started by hand (the user then sets PULUMI_DEBUG_PROVIDERS=privatelink:<port>)
    /// learns the engine's address here instead of from its command line
    /// (pulumi/pkg/resource/plugin/provider_plugin.go, NewProvider calls Attach).
    async fn attach(
        &self,
        request: Request<pulumirpc::PluginAttach>,
    ) -> Result<Response<()>, Status> {
        let address = request.into_inner().address;
        if address.is_empty() {
            return Err(Status::invalid_argument(
                "Attach needs the engine's address",
            ));
        }
        self.connect_engine(&address);
        Ok(Response::new(()))
    }

    async fn cancel(&self, _: Request<()>) -> Result<Response<()>, Status> {
        self.cancel.cancel();
        Ok(Response::new(()))
    }
}

#[cfg(test)]
mod tests {
    use super::type_from_urn;

    #[test]
    fn type_tokens_come_from_the_last_qualified_type() {
        assert_eq!(
            type_from_urn("urn:pulumi:dev::proj::privatelink:index:PrivateLinkProducer::db"),
            "privatelink:index:PrivateLinkProducer"
        );
        assert_eq!(
            type_from_urn("urn:pulumi:dev::proj::my:Component$privatelink:index:X::n"),
            "privatelink:index:X"
        );
    }
}
