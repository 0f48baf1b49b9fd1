"""Smaller parts of the engine's protocol: the schema's version, Read's timeout, Attach for a
plugin started by hand (PULUMI_DEBUG_PROVIDERS), and secrecy of outputs computed from secret
inputs."""

import json
import subprocess
import time

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from engine import FakeEngine
from lifecycle import ManagedResource
from privatelink_emulator.client import PRODUCER
from provider_session import SECRET_SIG, SIG, account_environment, secret, to_struct

PRODUCER_TOKEN = "privatelink:index:PrivateLinkProducer"


@pytest.fixture
def inputs(producer_inputs):
    return producer_inputs


def is_secret(value):
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def test_get_schema_carries_the_plugin_version(producer, repo_root):
    schema = json.loads(producer.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    info = producer.stub.GetPluginInfo(empty_pb2.Empty())
    assert schema["version"] == info.version and info.version
    published = json.loads((repo_root / "schema.json").read_text())
    assert {k: v for k, v in schema.items() if k != "version"} == published


def test_read_honours_the_request_timeout(producer, inputs, emulator):
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    db.up(inputs)
    try:
        emulator.fault("DescribeVpcEndpointServiceConfigurations", "throttle", count=10_000, account=PRODUCER)
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as error:
            producer.read(PRODUCER_TOKEN, "db", db.id, db.outputs, db.inputs, timeout=3)
        elapsed = time.monotonic() - started
        emulator.clear_faults()
        # The plugin gave up within the engine's timeout, not the client at its own deadline.
        assert "timed out" in error.value.details() and elapsed < 15, (elapsed, error.value.details())
    finally:
        emulator.clear_faults()
        db.destroy()


def test_attach_gives_a_plugin_started_by_hand_its_engine(provider_binary, emulator, tmp_path):
    """As with PULUMI_DEBUG_PROVIDERS: the user starts the plugin without an engine address; the
    engine connects to its port and calls Attach (pulumi/pkg/resource/plugin/provider_plugin.go,
    NewProvider), then configures it; progress lines must reach that engine."""
    engine = FakeEngine()
    env = account_environment(PRODUCER, "us-east-1", str(tmp_path))
    process = subprocess.Popen([str(provider_binary)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    channel = None
    try:
        port = int(process.stdout.readline())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        grpc.channel_ready_future(channel).result(timeout=10)
        stub.Attach(plugin_pb2.PluginAttach(address=engine.address), timeout=10)
        stub.Configure(provider_pb2.ConfigureRequest(
            args=to_struct({"region": "us-east-1", "endpoint": emulator.url}), acceptSecrets=True,
            acceptResources=True), timeout=60)
        deadline = time.time() + 10
        messages = []
        while time.time() < deadline and not any(emulator.url in m for m in messages):
            while not engine.logs.empty():
                messages.append(engine.logs.get().message)
            time.sleep(0.05)
        assert any(emulator.url in m for m in messages), messages
    finally:
        if channel is not None:
            channel.close()
        process.terminate()
        process.wait(timeout=10)
        engine.stop()


def test_outputs_computed_from_a_secret_input_stay_secret(producer, inputs, producer_network):
    news = {**inputs, "targetHostname": secret(inputs["targetHostname"])}
    checked, failures = producer.check(PRODUCER_TOKEN, "db", news)
    assert failures == []
    assert is_secret(checked["targetHostname"]) and is_secret(checked["targetIps"]), checked
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    db.up(news)
    try:
        for key in ("targetHostname", "targetIps", "registeredTargetIps"):
            assert is_secret(db.outputs[key]), (key, db.outputs[key])
        assert sorted(db.outputs["registeredTargetIps"]["value"]) == sorted(producer_network["proxy_ips"])
        _diff, planned = db.preview(news)
        assert is_secret(planned["targetIps"]), planned
    finally:
        db.destroy()
