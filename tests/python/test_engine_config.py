"""Provider configuration as the engine hands it over: DiffConfig deciding whether a changed
provider replaces its resources (provider.proto, DiffConfig; the engine replaces every resource
of a provider whose DiffConfig reports a replacement, pulumi/pkg/resource/deploy/step_generator.go,
providerChanged), explicit providers that get no stack configuration
(pulumi/pkg/resource/deploy/default_providers.go), and Configure errors people can read."""

import ast
import pathlib

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from engine import Plugin
from privatelink_emulator.client import PRODUCER
from provider_session import account_environment, to_struct

PROVIDER_URN = "urn:pulumi:test::privatelink::pulumi:providers:privatelink::producerAccount"
BASE = {"region": "us-east-1", "profile": "producer",
        "assumeRole": {"roleArn": "arn:aws:iam::111111111111:role/deployer"}}



def diff_config(plugin, olds, news):
    response = plugin.stub.DiffConfig(provider_pb2.DiffRequest(
        urn=PROVIDER_URN, olds=to_struct(olds), old_inputs=to_struct(olds), news=to_struct(news)))
    kind = provider_pb2.PropertyDiff.Kind.Name
    return (provider_pb2.DiffResponse.DiffChanges.Name(response.changes), sorted(response.replaces),
            {k: kind(v.kind) for k, v in response.detailedDiff.items()})


@pytest.mark.parametrize("key,value", [("region", "eu-west-1"), ("endpoint", "http://127.0.0.1:4566"),
                                       ("assumeRole", {"roleArn": "arn:aws:iam::222222222222:role/deployer"})])
def test_a_change_of_where_the_provider_points_replaces_it(plugin, key, value):
    changes, replaces, detailed = diff_config(plugin, BASE, {**BASE, key: value})
    assert (changes, replaces, detailed) == ("DIFF_SOME", [key], {key: "UPDATE_REPLACE"})


def test_a_change_that_keeps_the_account_and_region_updates_in_place(plugin):
    news = {**BASE, "profile": "other", "defaultTags": {"team": "data"},
            "assumeRole": {"roleArn": "arn:aws:iam::111111111111:role/other", "sessionName": "ci"}}
    changes, replaces, detailed = diff_config(plugin, BASE, news)
    assert (changes, replaces) == ("DIFF_SOME", [])
    assert detailed == {"profile": "UPDATE", "defaultTags": "UPDATE", "assumeRole": "UPDATE"}
    assert diff_config(plugin, BASE, BASE) == ("DIFF_NONE", [], {})


def test_an_unknown_region_replaces(plugin):
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert diff_config(plugin, BASE, {**BASE, "region": unknown})[1] == ["region"]


def test_an_explicit_provider_without_a_region_fails_configure_naming_region(provider_binary, engine, emulator,
                                                                            tmp_path):
    env = account_environment(PRODUCER, "us-east-1", str(tmp_path))
    del env["AWS_REGION"]
    plugin = Plugin(provider_binary, engine.address, env=env)
    try:
        seq = emulator.last_seq()
        with pytest.raises(grpc.RpcError) as error:
            plugin.stub.Configure(provider_pb2.ConfigureRequest(
                args=to_struct({"endpoint": emulator.url}), acceptSecrets=True, acceptResources=True), timeout=60)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "`region`" in error.value.details()
        assert emulator.log(since=seq) == [], "Configure called AWS without a region"
    finally:
        plugin.stop()


def test_configure_without_credentials_says_so_in_plain_sentences(provider_binary, engine, emulator, tmp_path):
    env = account_environment(PRODUCER, "us-east-1", str(tmp_path))
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    plugin = Plugin(provider_binary, engine.address, env=env)
    try:
        with pytest.raises(grpc.RpcError) as error:
            plugin.stub.Configure(provider_pb2.ConfigureRequest(
                args=to_struct({"region": "us-east-1", "endpoint": emulator.url}),
                acceptSecrets=True, acceptResources=True), timeout=120)
        message = error.value.details()
        assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "credentials" in message and "skipCredentialsValidation" in message
        # One or two sentences, none of the SDK's Debug structures.
        assert not any(mark in message for mark in ("{", "}", "Some(", "source:", "ErrorKind")), message
        assert message.count(". ") <= 2 and len(message) < 400, message
    finally:
        plugin.stop()


def test_every_explicit_provider_in_the_examples_sets_its_region(repo_root):
    """The examples are Python programs: every explicit provider they construct
    (`<module>.Provider(...)`) passes `region=`, since it reads no stack configuration."""
    providers = []
    for program in sorted(pathlib.Path(repo_root, "examples").glob("*/__main__.py")):
        for node in ast.walk(ast.parse(program.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Provider":
                providers.append(program.parent.name)
                keywords = {k.arg for k in node.keywords}
                assert "region" in keywords, f"{program.parent.name}: a Provider at line {node.lineno} has no region"
    assert "consumer" in providers, "the consumer example accepts through an explicit provider"