"""`pulumi refresh` and `pulumi preview --refresh` only call Read, and must work with read-only
credentials: Read writes nothing to AWS. Connections from auto-accepted accounts that a refresh
finds pending are accepted by the next `up`, which sees them in the refreshed state."""

import pytest

from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER

PRODUCER_TOKEN = "privatelink:index:PrivateLinkProducer"


@pytest.fixture
def inputs(producer_inputs):
    return {**producer_inputs, "autoAcceptAccounts": [CONSUMER], "forceDestroy": True}


def consumer_endpoint(emulator, consumer_network, service_name):
    ec2 = emulator.client("ec2", CONSUMER)
    return ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=consumer_network["vpc_id"],
                                   ServiceName=service_name, SubnetIds=consumer_network["subnet_ids"],
                                   SecurityGroupIds=[consumer_network["glue_sg_id"]])["VpcEndpoint"]["VpcEndpointId"]


def endpoint_state(emulator, endpoint_id):
    ec2 = emulator.client("ec2", CONSUMER)
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]


def test_refresh_writes_nothing_and_the_next_up_accepts(producer, inputs, emulator, consumer_network):
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    db.up(inputs)
    try:
        endpoint = consumer_endpoint(emulator, consumer_network, db.outputs["serviceName"])
        seq = emulator.last_seq()
        assert db.refresh()
        assert [e["action"] for e in emulator.log(since=seq, write=True)] == [], "refresh wrote to AWS"
        assert endpoint_state(emulator, endpoint) == "pendingAcceptance"
        assert db.outputs["connections"] == [{"endpointId": endpoint, "ownerAccount": CONSUMER,
                                              "state": "pendingAcceptance"}]

        seq = emulator.last_seq()
        diff, _planned = db.preview(inputs)
        assert diff.detailed_diff == {"autoAcceptAccounts": "UPDATE"}, diff
        assert emulator.log(since=seq, write=True) == [], "preview wrote to AWS"

        diff = db.up(inputs)
        assert diff.changes == "DIFF_SOME"
        assert endpoint_state(emulator, endpoint) == "available"
        assert db.diff(db.check(inputs)).changes == "DIFF_NONE"
    finally:
        db.destroy()
