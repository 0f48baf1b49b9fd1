"""Hostile input (issue 14): arbitrary values and Structs, as a buggy program or a hand-edited
state could send them, fed to CheckConfig, Configure, Check, Diff and Create of every resource
over gRPC. The plugin never crashes; every user mistake Check finds is a CheckFailure naming the
property; anything Check refuses makes no AWS call, and neither does a Create of it.

Hypothesis runs a small, bounded number of examples per test (deadline off: one example is a
few RPCs to a subprocess)."""

import json
import math
import os
import pathlib

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto import provider_pb2

from article import ACCEPTANCE_TYPE, CONSUMER_TYPE, PRODUCER_TYPE
from privatelink_emulator.client import CONSUMER, PRODUCER
from engine import FakeEngine, Plugin
from provider_session import SIG, SECRET_SIG, UNKNOWN, ProviderSession, account_environment, to_struct

SCHEMA = json.loads((pathlib.Path(__file__).resolve().parents[2] / "schema.json").read_text())
NETWORK = {"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}
VALID = {
    PRODUCER_TYPE: {**NETWORK, "port": 5432, "targetIps": ["10.0.1.10"], "allowedCidrs": ["10.1.0.0/16"],
                    "allowedPrincipals": [f"arn:aws:iam::{CONSUMER}:root"]},
    CONSUMER_TYPE: {**NETWORK, "port": 5432, "serviceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                    "allowedSecurityGroupIds": ["sg-0123456789abcdef0"]},
    ACCEPTANCE_TYPE: {"serviceId": "vpce-svc-0123456789abcdef0", "endpointId": "vpce-0123456789abcdef0"},
}
ACCOUNT = {PRODUCER_TYPE: PRODUCER, CONSUMER_TYPE: CONSUMER, ACCEPTANCE_TYPE: PRODUCER}
FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**53, 2**53), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(["", " ", "*", "0.0.0.0/0", "vpc-", "arn:aws:iam::1:root", "\x00", "é" * 300]),
    st.just(UNKNOWN))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4),
                            inner.map(lambda v: {SIG: SECRET_SIG, "value": v})),
    max_leaves=12)


def input_names(type_token):
    return list(SCHEMA["resources"][type_token]["inputProperties"])


def alive(session):
    assert session.plugin.process.poll() is None, f"the plugin died:\n{session.stderr()[-3000:]}"


@pytest.fixture(scope="module")
def sessions(provider_binary, emulator_process):
    started = {account: ProviderSession(provider_binary, emulator_process, account)
               for account in (PRODUCER, CONSUMER)}
    yield started
    for session in started.values():
        session.stop()


def hostile_news(type_token):
    """The valid inputs with some properties set to arbitrary values, or an arbitrary Struct."""
    names = input_names(type_token) + ["notAProperty", ""]
    changed = st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4).map(
        lambda changes: {**VALID[type_token], **changes})
    return st.one_of(changed, st.dictionaries(st.text(max_size=20), values, max_size=5))


def check_failures(session, type_token, news):
    """Check's failures as (property, reason). The checked inputs are not read back: they may
    hold NaN or infinities, which protobuf's JSON form cannot."""
    response = session.stub.Check(provider_pb2.CheckRequest(
        urn=session.urn(type_token, "fuzzed"), name="fuzzed", type=type_token, news=to_struct(news),
        randomSeed=os.urandom(32)), timeout=60)
    return [(f.property, f.reason) for f in response.failures]


@pytest.mark.parametrize("type_token", VALID)
@FUZZ
@given(data=st.data())
def test_check_then_create_of_hostile_inputs(sessions, emulator_process, type_token, data):
    session = sessions[ACCOUNT[type_token]]
    news = data.draw(hostile_news(type_token))
    seq = emulator_process.last_seq()
    failures = check_failures(session, type_token, news)
    alive(session)
    assert emulator_process.log(since=seq) == [], "Check called AWS"
    known = set(input_names(type_token))
    for prop, reason in failures:
        top = prop.split("[")[0].split(".")[0]
        assert reason, failures
        assert top in known or top in news, f"failure at {prop!r} names no property: {failures}"
    if not failures:
        return
    # The engine never creates what Check refused (step_generator.go, generateSteps stops at
    # Check's failures); a Create of it anyway fails without writing anything.
    with pytest.raises(grpc.RpcError):
        session.create(type_token, "fuzzed", news, timeout=10)
    alive(session)
    assert emulator_process.log(since=seq, write="true") == [], "a Create of refused inputs wrote to AWS"


@pytest.mark.parametrize("type_token", VALID)
@FUZZ
@given(data=st.data())
def test_diff_of_hostile_olds_and_news_answers(sessions, type_token, data):
    session = sessions[ACCOUNT[type_token]]
    olds = data.draw(hostile_news(type_token))
    news = data.draw(hostile_news(type_token))
    try:
        session.diff(type_token, "fuzzed", "id-1", olds, news, old_inputs=olds)
    except grpc.RpcError as error:
        assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION), error
        assert error.details(), error
    alive(session)


CONFIG_NAMES = list(SCHEMA["config"]["variables"]) + ["notAKey"]


class Launched:
    """A bare plugin (not configured), acting as the producer account on the emulator."""

    def __init__(self, binary, emulator, config_dir):
        self.engine = FakeEngine()
        env = account_environment(PRODUCER, "us-east-1", config_dir)
        env["AWS_ENDPOINT_URL"] = emulator.url  # whatever the config says, nothing reaches AWS
        self.plugin = Plugin(binary, self.engine.address, env=env)

    def stderr(self):
        return self.plugin.stderr_text()

    def stop(self):
        self.plugin.stop()
        self.engine.stop()


@FUZZ
@given(config=st.dictionaries(st.sampled_from(CONFIG_NAMES), values, max_size=4))
def test_check_config_and_configure_of_hostile_config(provider_binary, emulator_process, tmp_path, config):
    # A fresh plugin each time: a Configure that succeeds changes what the plugin acts as.
    session = Launched(provider_binary, emulator_process, str(tmp_path))
    try:
        stub = session.plugin.stub
        urn = "urn:pulumi:test::privatelink::pulumi:providers:privatelink::default"
        seq = emulator_process.last_seq()
        checked = stub.CheckConfig(provider_pb2.CheckRequest(urn=urn, news=to_struct(config)), timeout=30)
        alive(session)
        for failure in checked.failures:
            assert failure.property.split("[")[0].split(".")[0] in config, checked.failures
            assert failure.reason, checked.failures
        assert emulator_process.log(since=seq) == [], "CheckConfig called AWS"
        variables = {f"privatelink:config:{k}": v if isinstance(v, str) else json.dumps(v)
                     for k, v in config.items()}
        try:
            stub.Configure(provider_pb2.ConfigureRequest(variables=variables, args=to_struct(config),
                                                         acceptSecrets=True, acceptResources=True), timeout=30)
        except grpc.RpcError as error:
            assert error.details(), error
        alive(session)
    finally:
        session.stop()


def test_structs_with_non_finite_numbers_reach_check_intact(sessions):
    """NaN and infinities are valid protobuf doubles; a port of NaN is a CheckFailure."""
    session = sessions[PRODUCER]
    for bad in (math.nan, math.inf, -math.inf, 1e308, 0.5):
        failures = check_failures(session, PRODUCER_TYPE, {**VALID[PRODUCER_TYPE], "port": bad})
        assert [p for p, _ in failures] == ["port"], (bad, failures)
    alive(session)
