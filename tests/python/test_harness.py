"""The behaviour-test harness itself: provider sessions acting as an emulator account, value
conversion, partial-failure decoding, and the network fixtures."""

import ipaddress

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import provider_pb2

from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import UNKNOWN, InitFailed, init_failure, secret, to_dict, to_struct


def test_producer_session_is_configured_and_validated_as_the_producer_account(producer, emulator):
    calls = emulator.log(action="GetCallerIdentity")
    assert [(c["account"], c["outcome"]) for c in calls] == [(PRODUCER, "ok")]
    producer.wait_for_log(lambda line: emulator.url in line.message)


def test_host_aws_settings_do_not_leak_into_the_plugin(monkeypatch, provider_session, emulator):
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "999999999999")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "host-token")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    provider_session(CONSUMER)
    assert [c["account"] for c in emulator.log(action="GetCallerIdentity")] == [CONSUMER]


def test_values_keep_unknowns_secrets_and_integers():
    values = {"port": 5432, "ratio": 0.5, "ips": [UNKNOWN], "password": secret("p"), "tags": {"a": "b"},
              "flag": True, "nothing": None}
    assert to_dict(to_struct(values)) == values
    assert isinstance(to_dict(to_struct(values))["port"], int)


class _FakeRpcError(grpc.RpcError):
    def __init__(self, metadata):
        self._metadata = metadata

    def trailing_metadata(self):
        return self._metadata

    def details(self):
        return "listener: boom"


def test_partial_failure_is_decoded_from_the_status_details():
    detail = any_pb2.Any()
    detail.Pack(provider_pb2.ErrorResourceInitFailed(id="svc", properties=to_struct({"port": 1}), reasons=["boom"]))
    status = status_pb2.Status(code=2, message="listener: boom", details=[detail])
    failed = init_failure(_FakeRpcError([("grpc-status-details-bin", status.SerializeToString())]))
    assert isinstance(failed, InitFailed)
    assert (failed.id, failed.outputs, failed.reasons, failed.message) == ("svc", {"port": 1}, ["boom"], "listener: boom")
    assert init_failure(_FakeRpcError([])) is None


def test_producer_network_has_a_proxy_resolving_in_its_subnets(producer_network, emulator):
    net = producer_network
    assert len(net["subnet_ids"]) == 2 and len(net["proxy_ips"]) == 2
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network(net["vpc_cidr"]) for ip in net["proxy_ips"])
    assert sorted(emulator.resolve(net["proxy_endpoint"])) == sorted(net["proxy_ips"])
    kinds = emulator.inventory(PRODUCER)[PRODUCER]["us-east-1"]
    assert kinds["vpcs"] == [net["vpc_id"]] and kinds["db_proxies"]


def test_consumer_network_lives_in_the_consumer_account(consumer_network, emulator):
    kinds = emulator.inventory(CONSUMER)[CONSUMER]["us-east-1"]
    assert kinds["vpcs"] == [consumer_network["vpc_id"]]
    assert kinds["security_groups"] == [consumer_network["glue_sg_id"]]
    assert sorted(kinds["subnets"]) == sorted(consumer_network["subnet_ids"])
