"""The plugin binary launched exactly as the Pulumi engine launches it, driven with the official
generated stubs from the `pulumi` package, with a fake Engine service receiving Log calls."""

import json
import signal

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from engine import struct

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"



def failures(response):
    return sorted(f.property for f in response.failures)


def test_handshake_and_plugin_info(plugin):
    assert plugin.handshake.accept_secrets
    assert plugin.handshake.accept_resources
    info = plugin.stub.GetPluginInfo(empty_pb2.Empty())
    major, minor, patch = info.version.lstrip("v").split(".")[:3]
    assert all(part.isdigit() for part in (major, minor, patch.split("-")[0]))


def test_get_schema_serves_schema_json(plugin, repo_root):
    schema = json.loads(plugin.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    published = json.loads((repo_root / "schema.json").read_text())
    assert {k: v for k, v in schema.items() if k != "version"} == published
    assert schema["name"] == "privatelink"


def test_check_config_accepts_good_config(plugin):
    news = struct(
        {
            "region": "eu-west-1",
            "endpoint": "http://127.0.0.1:5000",
            "assumeRole": {"roleArn": "arn:aws:iam::111111111111:role/producer"},
            "dnsResolvers": ["127.0.0.1:5353"],
            "defaultTags": {"team": "data"},
            "skipCredentialsValidation": True,
            "version": "0.1.0",
        }
    )
    response = plugin.stub.CheckConfig(provider_pb2.CheckRequest(urn="urn:pulumi:s::p::pulumi:providers:privatelink::default", news=news))
    assert failures(response) == []


def test_check_config_accepts_json_encoded_values(plugin):
    # Stack configuration reaches providers as strings; non-string keys are JSON text.
    news = struct({"skipCredentialsValidation": "true", "dnsResolvers": '["10.0.0.2"]'})
    response = plugin.stub.CheckConfig(provider_pb2.CheckRequest(news=news))
    assert failures(response) == []
    assert response.inputs["skipCredentialsValidation"] is True


def test_check_config_names_every_bad_property(plugin):
    news = struct(
        {
            "region": "Frankfurt",
            "endpoint": "localhost:5000",
            "assumeRole": {"roleArn": "not-an-arn"},
            "dnsResolvers": ["dns.example"],
        }
    )
    response = plugin.stub.CheckConfig(provider_pb2.CheckRequest(news=news))
    assert failures(response) == ["assumeRole.roleArn", "dnsResolvers[0]", "endpoint", "region"]
    assert all(f.reason for f in response.failures)

    typo = plugin.stub.CheckConfig(provider_pb2.CheckRequest(news=struct({"regoin": "us-east-1"})))
    assert failures(typo) == ["regoin"]


def test_configure_with_the_emulator_endpoint_logs_to_the_engine(plugin, engine):
    response = plugin.stub.Configure(
        provider_pb2.ConfigureRequest(
            variables={
                "privatelink:config:region": "us-east-1",
                "privatelink:config:endpoint": "http://127.0.0.1:1",
                "privatelink:config:skipCredentialsValidation": "true",
            },
            acceptSecrets=True,
            acceptResources=True,
        )
    )
    assert response.acceptSecrets and response.supportsPreview and response.acceptResources
    line = engine.logs.get(timeout=10)
    assert "http://127.0.0.1:1" in line.message


def test_configure_rejects_bad_config_without_leaking_secrets(plugin):
    secret_external_id = {SIG: SECRET_SIG, "value": "x"}  # too short, and secret
    with pytest.raises(grpc.RpcError) as error:
        plugin.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct(
                    {
                        "region": "nowhere",
                        "assumeRole": {"roleArn": "arn:aws:iam::111111111111:role/r", "externalId": secret_external_id},
                    }
                )
            )
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    message = error.value.details()
    assert "privatelink:region" in message and "privatelink:assumeRole.externalId" in message
    assert '"x"' not in message and "`x`" not in message


def test_configure_reports_credentials_that_cannot_be_validated(plugin):
    with pytest.raises(grpc.RpcError) as error:
        plugin.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct({"region": "us-east-1", "endpoint": "http://127.0.0.1:9"}),
            ),
            timeout=120,
        )
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "skipCredentialsValidation" in error.value.details()


def test_messages_larger_than_tonics_default_limit_are_accepted(plugin):
    big = "x" * (8 * 1024 * 1024)
    response = plugin.stub.CheckConfig(provider_pb2.CheckRequest(news=struct({"profile": big})))
    assert failures(response) == []


def test_rpcs_we_do_not_serve_answer_unimplemented(plugin):
    with pytest.raises(grpc.RpcError) as error:
        plugin.stub.Invoke(provider_pb2.InvokeRequest(tok="privatelink:index:nothing"))
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_resource_calls_before_configure_fail_clearly(plugin):
    with pytest.raises(grpc.RpcError) as error:
        plugin.stub.Check(provider_pb2.CheckRequest(urn="urn:pulumi:s::p::privatelink:index:Nope::n"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_cancel_then_sigint_exits_cleanly_and_stdout_holds_only_the_port(plugin):
    plugin.stub.Cancel(empty_pb2.Empty())
    plugin.process.send_signal(signal.SIGINT)
    assert plugin.process.wait(timeout=5) == 0
    assert plugin.process.stdout.read() == b"", "nothing but the port may ever reach stdout"


def test_sigterm_also_exits_cleanly(plugin):
    plugin.process.send_signal(signal.SIGTERM)
    assert plugin.process.wait(timeout=5) == 0
