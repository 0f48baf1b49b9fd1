"""Faults injected over the control API. Error codes from the API references' common errors:
EC2 https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
ELBv2 https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html"""
import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from conftest import CONSUMER, PRODUCER


def _fault(emulator, **spec):
    rule = emulator.call("POST", "/_emulator/faults", spec)
    assert "id" in rule, rule
    return rule


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_ec2_throttling_for_next_n_calls(emulator, ec2_a):
    _fault(emulator, action="DescribeVpcs", count=2, kind="throttle")
    assert _error(ec2_a.describe_vpcs) == ("RequestLimitExceeded", 503)
    assert _error(ec2_a.describe_vpcs) == ("RequestLimitExceeded", 503)
    ec2_a.describe_vpcs()
    assert emulator.call("GET", "/_emulator/faults")["faults"] == []


def test_elbv2_throttling(emulator, elbv2_a):
    _fault(emulator, action="DescribeLoadBalancers", count=1, kind="throttle")
    assert _error(elbv2_a.describe_load_balancers) == ("Throttling", 400)
    elbv2_a.describe_load_balancers()


def test_fault_limited_to_one_account(emulator, ec2_a, ec2_b):
    _fault(emulator, action="DescribeVpcs", account=CONSUMER, count=1, kind="http500")
    ec2_a.describe_vpcs()
    assert _error(ec2_b.describe_vpcs) == ("InternalError", 500)


def test_server_errors_are_retried_by_sdks(emulator):
    _fault(emulator, action="DescribeSubnets", count=2, kind="http503")
    client = emulator.client("ec2", PRODUCER, retries=3)
    client.describe_subnets()  # two 503s, then success: the SDK's retry treats them as transient
    entries = emulator.log(action="DescribeSubnets")
    assert [(e["status"], e["outcome"], e["error_code"]) for e in entries] == \
        [(503, "fault", "Unavailable"), (503, "fault", "Unavailable"), (200, "ok", None)]


def test_dropped_connection(emulator, ec2_a):
    _fault(emulator, action="DescribeVpcs", count=1, kind="drop")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        ec2_a.describe_vpcs()
    ec2_a.describe_vpcs()


def test_latency(emulator, ec2_a):
    _fault(emulator, action="DescribeVpcs", count=1, kind="latency", latency_ms=300)
    start = time.monotonic()
    ec2_a.describe_vpcs()
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    ec2_a.describe_vpcs()
    assert time.monotonic() - start < 0.3


def test_bad_fault_spec_and_clear(emulator):
    assert emulator.call("POST", "/_emulator/faults", {"action": "X", "kind": "boom"})["status"] == 400
    _fault(emulator, action="*", count=5, kind="throttle")
    assert len(emulator.call("GET", "/_emulator/faults")["faults"]) == 1
    assert emulator.call("DELETE", "/_emulator/faults")["faults"] == []


def test_one_kind_for_a_write_whose_answer_is_lost(emulator, ec2_a):
    """`lost_answer` is the one kind for "carried out, answer lost"; the former `lose_answer` is gone."""
    refused = emulator.call("POST", "/_emulator/faults",
                            {"action": "CreateSecurityGroup", "kind": "lose_answer"})
    assert "kind must be one of" in refused["error"]
    vpc = ec2_a.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    _fault(emulator, action="CreateSecurityGroup", kind="lost_answer")
    quiet = emulator.client("ec2", PRODUCER, retries=1)
    with pytest.raises(ConnectionClosedError):
        quiet.create_security_group(VpcId=vpc, GroupName="g", Description="d")
    _fault(emulator, action="CreateSecurityGroup", kind="lost_answer", answer="http500")
    assert _error(quiet.create_security_group, VpcId=vpc, GroupName="h", Description="d") == ("InternalError", 500)
    names = {g["GroupName"] for g in ec2_a.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]}
    assert {"g", "h"} <= names
    assert [e["fault"] for e in emulator.log(action="CreateSecurityGroup")] == ["lost_answer", "lost_answer"]
