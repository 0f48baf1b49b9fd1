//! The runtime driven over gRPC as the engine drives it, with a test-only resource that is not
//! part of the published schema.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use prost::Message;
use prost_types::value::Kind;
use prost_types::{Struct, Value};
use pulumi_rs_provider::protocol::launch::serve;
use pulumi_rs_provider::protocol::server::ProviderService;
use pulumi_rs_provider::runtime::configure::{ConfigDiff, Configure, ConfigureError};
use pulumi_rs_provider::runtime::progress::LogSink;
use pulumi_rs_provider::runtime::registry::{Registry, ResourceShape};
use pulumi_rs_provider::runtime::resource::{
    CheckFailure, Checked, Context, Resource, ResourceError,
};
use pulumi_rs_provider::runtime::value::{PropertyMap, UnknownKind};
use pulumi_rs_provider::runtime::wait::{wait_for, Backoff, Poll};
use pulumi_rs_wire::google_rpc;
use pulumi_rs_wire::pulumirpc::{
    self,
    engine_server::{Engine, EngineServer},
    resource_provider_client::ResourceProviderClient,
};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tonic::transport::Channel;

const TOKEN: &str = "privatelinktest:index:Echo";
const URN: &str = "urn:pulumi:test::proj::privatelinktest:index:Echo::e1";
const UNKNOWN_STRING: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT: &str = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
const SIG: &str = "4dabf18193072939515e22adb298388d";
const SECRET_SIG: &str = "1b47061264138c4ac30d75fd1eb44270";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Nested {
    port: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EchoInputs {
    name: String,
    size: u32,
    password: Option<String>,
    nested: Option<Nested>,
    fail_after_create: Option<bool>,
    wait_forever: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EchoState {
    greeting: String,
}

struct Echo {
    creates: Arc<AtomicUsize>,
}

/// The test provider's configuration: the word its greetings start with.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EchoConfig {
    greeting: String,
}

/// A configuration hook with no cloud behind it: Configure hands the decoded config to resources.
struct EchoProvider;

#[async_trait]
impl Configure for EchoProvider {
    const PACKAGE: &'static str = "privatelinktest";
    type Config = EchoConfig;
    type Configured = EchoConfig;

    fn schema(&self) -> &serde_json::Value {
        &serde_json::Value::Null
    }

    fn version(&self) -> &'static str {
        "0.0.1"
    }

    fn normalize(&self, map: PropertyMap) -> PropertyMap {
        map
    }

    fn validate(&self, config: &EchoConfig) -> Vec<CheckFailure> {
        if config.greeting.is_empty() {
            vec![CheckFailure::new("greeting", "must not be empty")]
        } else {
            vec![]
        }
    }

    fn diff(&self, olds: &PropertyMap, news: &PropertyMap) -> ConfigDiff {
        let changed: Vec<String> = (olds != news)
            .then(|| "greeting".to_string())
            .into_iter()
            .collect();
        ConfigDiff {
            replaces: changed.clone(),
            changed,
        }
    }

    async fn configure(
        &self,
        config: EchoConfig,
        _: &dyn LogSink,
    ) -> Result<EchoConfig, ConfigureError> {
        Ok(config)
    }
}

#[async_trait]
impl Resource for Echo {
    const TOKEN: &'static str = TOKEN;
    type Provider = EchoConfig;
    const REPLACE_ON_CHANGE: &'static [&'static str] = &["name"];
    const STABLE_ON_UPDATE: &'static [&'static str] = &["greeting"];
    type Inputs = EchoInputs;
    type State = EchoState;

    async fn check(
        &self,
        _: &Context<EchoConfig>,
        _: Option<&EchoInputs>,
        news: EchoInputs,
    ) -> Checked<EchoInputs> {
        let mut failures = vec![];
        if !news.name.starts_with('e') {
            failures.push(CheckFailure::new("name", "must start with `e`"));
        }
        if !(1..=10).contains(&news.size) {
            failures.push(CheckFailure::new("size", "must be 1 to 10"));
        }
        if news.nested.as_ref().is_some_and(|n| n.port == 0) {
            failures.push(CheckFailure::new("nested.port", "must not be 0"));
        }
        Checked {
            inputs: news,
            failures,
        }
    }

    async fn create(
        &self,
        ctx: &Context<EchoConfig>,
        inputs: &EchoInputs,
    ) -> Result<(String, EchoState), ResourceError> {
        self.creates.fetch_add(1, Ordering::SeqCst);
        let state = EchoState {
            greeting: format!("{} {}", ctx.provider.greeting, inputs.name),
        };
        if inputs.wait_forever == Some(true) {
            let backoff = Backoff {
                initial: Duration::from_millis(10),
                ..Backoff::default()
            };
            wait_for(ctx, "the heat death of the universe", backoff, || async {
                Ok::<Poll<()>, ResourceError>(Poll::Pending("expanding".into()))
            })
            .await?;
        }
        if inputs.fail_after_create == Some(true) {
            let failure = ResourceError::Invalid("boom after create".into());
            return Err(ResourceError::partial("echo-1", inputs, &state, failure));
        }
        ctx.progress.info(format!("created {}", inputs.name));
        Ok(("echo-1".into(), state))
    }

    async fn read(
        &self,
        _: &Context<EchoConfig>,
        id: &str,
        old: Option<(&EchoInputs, &EchoState)>,
    ) -> Result<Option<(EchoInputs, EchoState)>, ResourceError> {
        Ok(old
            .filter(|_| id == "echo-1")
            .map(|(i, s)| (i.clone(), s.clone())))
    }

    async fn update(
        &self,
        _: &Context<EchoConfig>,
        _: &str,
        _: (&EchoInputs, &EchoState),
        news: &EchoInputs,
    ) -> Result<EchoState, ResourceError> {
        Ok(EchoState {
            greeting: format!("hello again {}", news.name),
        })
    }

    async fn delete(
        &self,
        _: &Context<EchoConfig>,
        _: &str,
        _: (&EchoInputs, &EchoState),
    ) -> Result<(), ResourceError> {
        Ok(())
    }
}
/// Collects Log calls like the engine would.
struct FakeEngine(mpsc::UnboundedSender<pulumirpc::LogRequest>);

#[tonic::async_trait]
impl Engine for FakeEngine {
    async fn log(
        &self,
        request: tonic::Request<pulumirpc::LogRequest>,
    ) -> Result<tonic::Response<()>, tonic::Status> {
        let _ = self.0.send(request.into_inner());
        Ok(tonic::Response::new(()))
    }
}

struct Harness {
    client: ResourceProviderClient<Channel>,
    creates: Arc<AtomicUsize>,
    logs: mpsc::UnboundedReceiver<pulumirpc::LogRequest>,
    _stop: oneshot::Sender<()>,
}

async fn start() -> Harness {
    let (log_tx, logs) = mpsc::unbounded_channel();
    let engine_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind engine");
    let engine_addr = engine_listener.local_addr().expect("addr");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(EngineServer::new(FakeEngine(log_tx)))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(
                engine_listener,
            )),
    );

    let creates = Arc::new(AtomicUsize::new(0));
    let shape = ResourceShape {
        output_kinds: [("greeting".to_string(), UnknownKind::String)].into(),
        ..Default::default()
    };
    let registry = Registry::default().register(
        Echo {
            creates: creates.clone(),
        },
        shape,
    );
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind provider");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let service = ProviderService::new(EchoProvider, registry, Some(&engine_addr.to_string()));
    tokio::spawn(serve(listener, service, async {
        let _ = stopped.await;
    }));
    let mut client = ResourceProviderClient::connect(format!("http://{addr}"))
        .await
        .expect("connect");
    client
        .configure(pulumirpc::ConfigureRequest {
            args: Some(object(&[("greeting", string("hello"))])),
            accept_secrets: true,
            ..Default::default()
        })
        .await
        .expect("configure");
    Harness {
        client,
        creates,
        logs,
        _stop: stop,
    }
}

fn string(s: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(s.into())),
    }
}
fn number(n: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(n)),
    }
}
fn boolean(b: bool) -> Value {
    Value {
        kind: Some(Kind::BoolValue(b)),
    }
}
fn object(entries: &[(&str, Value)]) -> Struct {
    Struct {
        fields: entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}
fn secret(v: Value) -> Value {
    Value {
        kind: Some(Kind::StructValue(object(&[
            (SIG, string(SECRET_SIG)),
            ("value", v),
        ]))),
    }
}
fn is_secret(v: &Value) -> bool {
    matches!(&v.kind, Some(Kind::StructValue(s)) if s.fields.get(SIG) == Some(&string(SECRET_SIG)))
}

fn check_request(news: Struct) -> pulumirpc::CheckRequest {
    pulumirpc::CheckRequest {
        urn: URN.into(),
        news: Some(news),
        r#type: TOKEN.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn check_reports_each_bad_property_and_keeps_unknowns() {
    let mut h = start().await;
    let bad = h
        .client
        .check(check_request(object(&[
            ("name", string("x")),
            ("size", number(50.0)),
        ])))
        .await
        .expect("check")
        .into_inner();
    let mut props: Vec<_> = bad.failures.iter().map(|f| f.property.as_str()).collect();
    props.sort();
    assert_eq!(props, vec!["name", "size"]);

    // In preview the name and the nested object are unknown: failures about them are dropped,
    // the known bad size is still reported, and the unknowns come back as they went in.
    let preview = h
        .client
        .check(check_request(object(&[
            ("name", string(UNKNOWN_STRING)),
            ("size", number(50.0)),
            ("nested", string(UNKNOWN_OBJECT)),
        ])))
        .await
        .expect("check")
        .into_inner();
    assert_eq!(
        preview
            .failures
            .iter()
            .map(|f| f.property.as_str())
            .collect::<Vec<_>>(),
        vec!["size"]
    );
    let inputs = preview.inputs.expect("inputs");
    assert_eq!(inputs.fields["name"], string(UNKNOWN_STRING));
    assert_eq!(inputs.fields["nested"], string(UNKNOWN_OBJECT));

    let good = h
        .client
        .check(check_request(object(&[
            ("name", string(UNKNOWN_STRING)),
            ("size", number(3.0)),
            ("password", secret(string("hunter2"))),
        ])))
        .await
        .expect("check")
        .into_inner();
    assert!(good.failures.is_empty(), "{:?}", good.failures);
    let inputs = good.inputs.expect("inputs");
    assert_eq!(inputs.fields["name"], string(UNKNOWN_STRING));
    assert!(
        is_secret(&inputs.fields["password"]),
        "secret input stays secret"
    );
}

#[tokio::test]
async fn check_names_missing_wrongly_typed_and_nested_properties() {
    let mut h = start().await;
    let missing = h
        .client
        .check(check_request(object(&[("name", string("e1"))])))
        .await
        .expect("check")
        .into_inner();
    assert_eq!(missing.failures.len(), 1);
    assert_eq!(missing.failures[0].property, "size");
    assert!(
        missing.failures[0].reason.contains("missing"),
        "{}",
        missing.failures[0].reason
    );

    let wrong = h
        .client
        .check(check_request(object(&[
            ("name", string("e1")),
            ("size", string("three")),
        ])))
        .await
        .expect("check")
        .into_inner();
    assert_eq!(wrong.failures[0].property, "size");
    assert!(
        wrong.failures[0].reason.contains("expected a number"),
        "{}",
        wrong.failures[0].reason
    );

    let nested = h
        .client
        .check(check_request(object(&[
            ("name", string("e1")),
            ("size", number(1.0)),
            (
                "nested",
                Value {
                    kind: Some(Kind::StructValue(object(&[("port", number(0.0))]))),
                },
            ),
        ])))
        .await
        .expect("check")
        .into_inner();
    assert_eq!(nested.failures[0].property, "nested.port");

    let typo = h
        .client
        .check(check_request(object(&[
            ("name", string("e1")),
            ("size", number(1.0)),
            ("sise", number(1.0)),
        ])))
        .await
        .expect("check")
        .into_inner();
    assert_eq!(typo.failures[0].property, "sise");
}

#[tokio::test]
async fn preview_create_returns_unknown_outputs_without_calling_the_resource() {
    let mut h = start().await;
    let response = h
        .client
        .create(pulumirpc::CreateRequest {
            urn: URN.into(),
            properties: Some(object(&[
                ("name", string(UNKNOWN_STRING)),
                ("size", number(2.0)),
            ])),
            preview: true,
            ..Default::default()
        })
        .await
        .expect("preview")
        .into_inner();
    let props = response.properties.expect("properties");
    assert_eq!(props.fields["greeting"], string(UNKNOWN_STRING));
    assert_eq!(props.fields["name"], string(UNKNOWN_STRING));
    assert_eq!(props.fields["size"], number(2.0));
    assert_eq!(
        h.creates.load(Ordering::SeqCst),
        0,
        "preview must not run create"
    );
}

#[tokio::test]
async fn preview_update_keeps_stable_state_and_takes_the_new_inputs() {
    let mut h = start().await;
    let response = h
        .client
        .update(pulumirpc::UpdateRequest {
            urn: URN.into(),
            id: "echo-1".into(),
            olds: Some(object(&[
                ("name", string("e1")),
                ("size", number(1.0)),
                ("greeting", string("hello e1")),
            ])),
            news: Some(object(&[("name", string("e1")), ("size", number(3.0))])),
            preview: true,
            ..Default::default()
        })
        .await
        .expect("preview update")
        .into_inner();
    let props = response.properties.expect("properties");
    assert_eq!(props.fields["greeting"], string("hello e1"));
    assert_eq!(props.fields["size"], number(3.0));
}

#[tokio::test]
async fn create_keeps_secret_inputs_secret_in_outputs() {
    let mut h = start().await;
    let response = h
        .client
        .create(pulumirpc::CreateRequest {
            urn: URN.into(),
            properties: Some(object(&[
                ("name", string("e1")),
                ("size", number(2.0)),
                ("password", secret(string("hunter2"))),
            ])),
            ..Default::default()
        })
        .await
        .expect("create")
        .into_inner();
    assert_eq!(response.id, "echo-1");
    let props = response.properties.expect("properties");
    assert!(is_secret(&props.fields["password"]));
    assert_eq!(props.fields["greeting"], string("hello e1"));
    assert_eq!(h.creates.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn diff_classifies_update_replace_none_and_ignored_changes() {
    let mut h = start().await;
    let olds = object(&[
        ("name", string("e1")),
        ("size", number(2.0)),
        ("greeting", string("hello e1")),
    ]);
    let old_inputs = object(&[("name", string("e1")), ("size", number(2.0))]);
    let diff = |news: Struct, ignore: Vec<String>| pulumirpc::DiffRequest {
        id: "echo-1".into(),
        urn: URN.into(),
        olds: Some(olds.clone()),
        old_inputs: Some(old_inputs.clone()),
        news: Some(news),
        ignore_changes: ignore,
        ..Default::default()
    };
    let none = h
        .client
        .diff(diff(old_inputs.clone(), vec![]))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(
        none.changes,
        pulumirpc::diff_response::DiffChanges::DiffNone as i32
    );

    let update = h
        .client
        .diff(diff(
            object(&[("name", string("e1")), ("size", number(3.0))]),
            vec![],
        ))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(
        update.changes,
        pulumirpc::diff_response::DiffChanges::DiffSome as i32
    );
    assert!(update.replaces.is_empty());
    assert_eq!(
        update.detailed_diff["size"].kind,
        pulumirpc::property_diff::Kind::Update as i32
    );

    let replace = h
        .client
        .diff(diff(
            object(&[("name", string("e2")), ("size", number(2.0))]),
            vec![],
        ))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(replace.replaces, vec!["name".to_string()]);
    assert_eq!(
        replace.detailed_diff["name"].kind,
        pulumirpc::property_diff::Kind::UpdateReplace as i32
    );

    let unknown = h
        .client
        .diff(diff(
            object(&[("name", string(UNKNOWN_STRING)), ("size", number(2.0))]),
            vec![],
        ))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(
        unknown.replaces,
        vec!["name".to_string()],
        "an unknown name may change: replace"
    );

    let added = h
        .client
        .diff(diff(
            object(&[
                ("name", string("e1")),
                ("size", number(2.0)),
                (
                    "nested",
                    Value {
                        kind: Some(Kind::StructValue(object(&[("port", number(1.0))]))),
                    },
                ),
            ]),
            vec![],
        ))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(
        added.detailed_diff["nested"].kind,
        pulumirpc::property_diff::Kind::Add as i32
    );

    let ignored = h
        .client
        .diff(diff(
            object(&[("name", string("e2")), ("size", number(2.0))]),
            vec!["name".into()],
        ))
        .await
        .expect("diff")
        .into_inner();
    assert_eq!(
        ignored.changes,
        pulumirpc::diff_response::DiffChanges::DiffNone as i32
    );
}

#[tokio::test]
async fn a_partial_failure_carries_error_resource_init_failed() {
    let mut h = start().await;
    let status = h
        .client
        .create(pulumirpc::CreateRequest {
            urn: URN.into(),
            properties: Some(object(&[
                ("name", string("e1")),
                ("size", number(2.0)),
                ("failAfterCreate", boolean(true)),
                ("password", secret(string("pw"))),
            ])),
            ..Default::default()
        })
        .await
        .expect_err("fails after creating");
    assert!(status.message().contains("boom after create"));
    let details = google_rpc::Status::decode(status.details()).expect("rich status");
    assert_eq!(details.details.len(), 1);
    assert_eq!(
        details.details[0].type_url,
        "type.googleapis.com/pulumirpc.ErrorResourceInitFailed"
    );
    let init = pulumirpc::ErrorResourceInitFailed::decode(details.details[0].value.as_slice())
        .expect("decodes");
    assert_eq!(init.id, "echo-1");
    let props = init.properties.expect("state of what exists");
    assert_eq!(props.fields["greeting"], string("hello e1"));
    assert!(
        is_secret(&props.fields["password"]),
        "secrets stay secret in partial state"
    );
    assert_eq!(init.reasons, vec!["boom after create".to_string()]);
}

#[tokio::test]
async fn progress_logged_by_an_operation_reaches_the_engine_before_its_answer() {
    let mut h = start().await;
    h.client
        .create(pulumirpc::CreateRequest {
            urn: URN.into(),
            properties: Some(object(&[("name", string("e1")), ("size", number(2.0))])),
            ..Default::default()
        })
        .await
        .expect("create");
    // No waiting: the line must already be with the engine when Create answers.
    let line = h
        .logs
        .try_recv()
        .expect("the last progress line arrived before the answer");
    assert_eq!(
        (line.urn.as_str(), line.message.as_str()),
        (URN, "created e1")
    );
}

#[tokio::test]
async fn cancel_stops_in_flight_work_promptly_and_progress_reaches_the_engine() {
    let mut h = start().await;
    let mut client = h.client.clone();
    let create = tokio::spawn(async move {
        client
            .create(pulumirpc::CreateRequest {
                urn: URN.into(),
                properties: Some(object(&[
                    ("name", string("e1")),
                    ("size", number(2.0)),
                    ("waitForever", boolean(true)),
                ])),
                ..Default::default()
            })
            .await
    });
    // The wait reports an ephemeral status line for the resource before we cancel.
    let line = tokio::time::timeout(Duration::from_secs(10), h.logs.recv())
        .await
        .expect("a status line")
        .expect("open");
    assert_eq!(line.urn, URN);
    assert!(line.ephemeral);
    assert!(
        line.message
            .starts_with("waiting for the heat death of the universe: expanding"),
        "{}",
        line.message
    );

    let started = Instant::now();
    h.client.cancel(()).await.expect("cancel");
    let status = create.await.expect("join").expect_err("cancelled");
    assert_eq!(status.code(), tonic::Code::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn read_reports_gone_resources_with_an_empty_id() {
    let mut h = start().await;
    let state = object(&[
        ("name", string("e1")),
        ("size", number(2.0)),
        ("greeting", string("hello e1")),
    ]);
    let found = h
        .client
        .read(pulumirpc::ReadRequest {
            id: "echo-1".into(),
            urn: URN.into(),
            properties: Some(state.clone()),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(found.id, "echo-1");
    assert_eq!(
        found.inputs.expect("inputs").fields.get("greeting"),
        None,
        "inputs exclude outputs"
    );
    let gone = h
        .client
        .read(pulumirpc::ReadRequest {
            id: "echo-2".into(),
            urn: URN.into(),
            properties: Some(state),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(gone.id, "");
}

#[tokio::test]
async fn unknown_resource_types_are_rejected() {
    let mut h = start().await;
    let status = h
        .client
        .check(pulumirpc::CheckRequest {
            urn: "urn:pulumi:t::p::privatelink:index:Nope::n".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown type");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().contains("privatelink:index:Nope"));
}
