"""Control API: call log, inventory, reset, account mapping, loopback only."""
import socket
import urllib.request

from conftest import CONSUMER, PRODUCER
from helpers import error_code, network, security_group


def test_static_access_keys_pick_the_account(emulator):
    for account in (PRODUCER, CONSUMER):
        assert emulator.client("sts", account).get_caller_identity()["Account"] == account


def test_log_counts_calls_and_flags_writes(emulator, ec2_a, ec2_b):
    start = emulator.call("GET", "/_emulator/log")["last_seq"]
    ec2_a.describe_vpcs()
    vpc = ec2_b.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    assert error_code(ec2_b.delete_vpc, VpcId="vpc-00000000") is not None
    entries = emulator.log(since=start)
    assert [(e["account"], e["region"], e["service"], e["action"], e["write"], e["outcome"]) for e in entries] == [
        (PRODUCER, "us-east-1", "ec2", "DescribeVpcs", False, "ok"),
        (CONSUMER, "us-east-1", "ec2", "CreateVpc", True, "ok"),
        (CONSUMER, "us-east-1", "ec2", "DeleteVpc", True, "error"),
    ]
    assert entries[2]["error_code"] == "InvalidVpcID.NotFound"
    assert [e["action"] for e in emulator.log(since=start, write="false")] == ["DescribeVpcs"]
    assert [e["action"] for e in emulator.log(since=start, account=CONSUMER)] == ["CreateVpc", "DeleteVpc"]
    assert entries[0]["seq"] < entries[1]["seq"] < entries[2]["seq"]
    assert vpc


def test_inventory_lists_live_resources_without_defaults(emulator, ec2_a):
    assert emulator.inventory() == {}
    ec2_a.describe_vpcs()  # creates moto's default VPC: not listed
    assert emulator.inventory() == {}
    vpc, subnets = network(ec2_a, zones=("us-east-1a",))
    group = security_group(ec2_a, vpc, "db")
    region = emulator.inventory()[PRODUCER]["us-east-1"]
    assert region == {"vpcs": [vpc], "subnets": subnets, "security_groups": [group]}
    ec2_a.delete_security_group(GroupId=group)
    ec2_a.delete_subnet(SubnetId=subnets[0])
    ec2_a.delete_vpc(VpcId=vpc)
    assert emulator.inventory() == {}


def test_reset_clears_resources_log_and_faults(emulator, ec2_a):
    network(ec2_a)
    emulator.call("POST", "/_emulator/faults", {"action": "Nothing", "kind": "drop"})
    emulator.call("POST", "/_emulator/reset")
    assert emulator.inventory() == {}
    assert emulator.log() == []
    assert emulator.call("GET", "/_emulator/faults")["faults"] == []


def test_unimplemented_call_is_a_non_retryable_aws_error(emulator):
    # moto lacks DescribeTrustStores and answers an HTML 500 that SDKs would retry for minutes.
    elbv2 = emulator.client("elbv2", PRODUCER)
    assert error_code(elbv2.describe_trust_stores) == "InvalidAction"
    assert [(e["status"], e["error_code"]) for e in emulator.log(action="DescribeTrustStores")] == \
        [(400, "InvalidAction")]


def test_listens_on_loopback_only(emulator):
    port = int(emulator.url.rsplit(":", 1)[1])
    with open("/proc/net/tcp") as handle:
        lines = handle.read().splitlines()[1:]
    listening = [l.split()[1] for l in lines if l.split()[3] == "0A" and int(l.split()[1].split(":")[1], 16) == port]
    assert listening == ["0100007F:%04X" % port]
    assert urllib.request.urlopen(emulator.url + "/_emulator/health").status == 200
    assert socket.gethostbyname("127.0.0.1") == "127.0.0.1"


def test_unknown_control_path_is_404(emulator):
    assert emulator.call("GET", "/_emulator/nope")["status"] == 404
