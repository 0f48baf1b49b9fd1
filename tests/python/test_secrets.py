"""Diagnostics without leaks (issue 14). `pulumi up --logtostderr --logflow -v=9` launches the
plugin with `--logtostderr -v=9` (engine.DEBUG_FLAGS); then each AWS call and each poll of a wait
is one stderr line. Without those flags (engine.QUIET) the plugin writes nothing there: the engine
shows a resource plugin's stderr only as debug output, or dumped after a crash
(sdk/go/common/resource/plugin/plugin.go, `newPlugin`'s runtrace: `unstructuredOutput`, Debugf).

Secrets (values the program marks secret: a provider's assumeRole.externalId, a tag value, a
hostname alias) never appear in that stderr, in Engine.Log messages, in error messages, or in an
output that is not itself secret."""

import json
import re

import grpc
import pytest

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs
from engine import DEBUG_FLAGS, QUIET
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import SIG, InitFailed, ProviderSession, secret

EXTERNAL_ID = "ext-id-7f3a9c2e51"
TAG_SECRET = "tag-secret-4b8d1e6f"
ALIAS_SECRET = "orders-secret-9c1d.proxy-abc123def456.us-east-1.rds.amazonaws.com"
SECRETS = (EXTERNAL_ID, TAG_SECRET, ALIAS_SECRET)

AWS_CALL = re.compile(r'AWS call service="?(?P<service>\w+)"? action="?(?P<action>\w+)"? attempt=(?P<attempt>\d+) '
                      r'duration_ms=\d+ outcome="?(?P<outcome>[^" ]+(?: error)?)"?.*request_id="?(?P<request_id>[^" ]+)"?')
POLL = re.compile(r'still waiting what="?(?P<what>[^"]+)"? poll=(?P<poll>\d+) state=')


def session(provider_binary, emulator, account, flags, **config):
    return ProviderSession(provider_binary, emulator, account, config=config, flags=flags)


def aws_calls(stderr):
    return [m.groupdict() for m in map(AWS_CALL.search, stderr.splitlines()) if m]


def test_at_v9_every_aws_call_and_every_poll_is_one_stderr_line(
        provider_binary, emulator, producer_network, consumer_network):
    emulator.config(nlb_provisioning=1)
    emulator.fault("CreateSecurityGroup", "throttle", account=PRODUCER)
    seq = emulator.last_seq()
    with session(provider_binary, emulator, PRODUCER, DEBUG_FLAGS) as producer:
        service = ManagedResource(producer, PRODUCER_TYPE, "db")
        service.up(producer_inputs(producer_network, consumer_network))
        service.destroy()
        stderr = producer.stderr()
    called = [(e["service"], e["action"]) for e in emulator.log(since=seq, account=PRODUCER)]
    logged = aws_calls(stderr)
    # Every call the emulator saw is a line (some run concurrently: lines come as calls end).
    assert sorted(c["action"] for c in logged) == sorted(action for _, action in called), stderr
    assert {c["service"] for c in logged} >= {"ec2", "elasticloadbalancingv2"}, logged
    throttled = [c for c in logged if c["action"] == "CreateSecurityGroup"]
    assert [(c["attempt"], c["outcome"]) for c in throttled] == [("1", "RequestLimitExceeded"), ("2", "ok")], throttled
    assert all(c["request_id"] != "-" for c in logged if c["outcome"] == "ok"), logged
    polls = [m.groupdict() for m in map(POLL.search, stderr.splitlines()) if m]
    assert polls, "no poll of the load balancer's provisioning was logged"
    assert any("load balancer" in p["what"] or "LoadBalancer" in p["what"] for p in polls), polls


def test_at_default_verbosity_the_plugin_writes_nothing_to_stderr(
        provider_binary, emulator, producer_network, consumer_network):
    with session(provider_binary, emulator, PRODUCER, QUIET) as producer:
        service = ManagedResource(producer, PRODUCER_TYPE, "db")
        emulator.fault("CreateLoadBalancer", "throttle", count=10_000, account=PRODUCER)
        with pytest.raises(InitFailed):
            service.up(producer_inputs(producer_network, consumer_network), timeout=3)
        emulator.clear_faults()
        service.up(producer_inputs(producer_network, consumer_network))
        service.destroy()
        assert producer.stderr() == ""


def unsecret_text(value):
    """`value` as JSON with every secret-wrapped part taken out."""
    def strip(v):
        if isinstance(v, dict):
            if SIG in v:
                return "<secret>"
            return {k: strip(x) for k, x in v.items()}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return json.dumps(strip(value))


def assert_no_secret(where, text):
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{leaked} in {where}: {text[-2000:]}"


def assert_session_clean(session):
    assert_no_secret("the plugin's stderr at -v=9", session.stderr())
    assert_no_secret("Engine.Log", "\n".join(line.message for line in session.logs()))


def configured(provider_binary, emulator, account):
    config = {"assumeRole": {"roleArn": f"arn:aws:iam::{account}:role/deployer",
                             "externalId": secret(EXTERNAL_ID)}}
    return session(provider_binary, emulator, account, DEBUG_FLAGS, **config)


def test_secrets_stay_out_of_stderr_logs_errors_and_plain_outputs(
        provider_binary, emulator, producer_network, consumer_network):
    with configured(provider_binary, emulator, PRODUCER) as producer, \
            configured(provider_binary, emulator, CONSUMER) as consumer:
        assert emulator.log(action="AssumeRole"), "the provider did not assume the role"
        service = ManagedResource(producer, PRODUCER_TYPE, "db")
        service.up(producer_inputs(producer_network, consumer_network, tags={"owner": secret(TAG_SECRET)}))
        assert_no_secret("the producer's plain outputs", unsecret_text(service.outputs))
        assert service.outputs["tags"][SIG], "a secret tag's output is not secret"

        endpoint = ManagedResource(consumer, CONSUMER_TYPE, "endpoint")
        news = consumer_inputs(consumer_network, service.outputs["serviceName"],
                               tags={"owner": secret(TAG_SECRET)}, hostnameAliases=[secret(ALIAS_SECRET)])
        # A create that fails part-way: the error and the partial state keep the secrets out.
        emulator.fault("ChangeResourceRecordSets", "throttle", count=10_000, account=CONSUMER)
        with pytest.raises(InitFailed) as failed:
            endpoint.up(news, timeout=4)
        emulator.clear_faults()
        assert_no_secret("the partial create's error", " ".join([str(failed.value), *failed.value.reasons]))
        assert_no_secret("the partial create's plain state", unsecret_text(failed.value.outputs))
        endpoint.up(news)
        assert_no_secret("the consumer's plain outputs", unsecret_text(endpoint.outputs))
        # A bad input's Check failure does not echo a secret value either.
        _, failures = consumer.check(CONSUMER_TYPE, "bad", {**news, "hostnameAliases": [secret(ALIAS_SECRET + " x")]})
        assert failures and all("hostnameAliases" in p for p, _ in failures), failures
        assert_no_secret("Check failures", json.dumps(failures))
        endpoint.destroy()
        service.destroy()
        for s in (producer, consumer):
            assert_session_clean(s)


def test_a_refused_secret_external_id_is_not_echoed(provider_binary, emulator):
    with pytest.raises((ValueError, grpc.RpcError)) as refused:
        session(provider_binary, emulator, PRODUCER, DEBUG_FLAGS,
                assumeRole={"roleArn": f"arn:aws:iam::{PRODUCER}:role/deployer",
                            "externalId": secret(EXTERNAL_ID + " !bad")})
    assert "externalId" in str(refused.value)
    assert_no_secret("the configuration error", str(refused.value))
