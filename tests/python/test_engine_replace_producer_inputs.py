"""A replacement the engine forces without asking Diff (`pulumi up --replace` with changed inputs,
replaceWith, a provider replaced in place) creates the successor first, under the same name
(pulumi/pkg/resource/deploy/step_generator.go, `diff` and `generateSteps`; lifecycle.forced_replace).
A producer's load balancer cannot move to another VPC and its target group cannot forward to
another port, so the successor must not take them over: the create stops with an error that names
deleteBeforeReplace, before any write, and the old producer stays whole (as the consumer does,
test_engine_replace.py)."""

import grpc
import pytest

from article import PRODUCER_TYPE, producer_inputs
from lifecycle import ManagedResource
from networks import helpers
from privatelink_emulator.client import PRODUCER
from provider_session import InitFailed


def other_vpc(emulator, inputs):
    """The same producer in another VPC (10.2.0.0/16), its target an address there."""
    vpc, subnets = helpers.network(emulator.client("ec2", PRODUCER), "10.2.0.0/16")
    moved = {k: v for k, v in inputs.items() if k != "targetHostname"}
    return {**moved, "vpcId": vpc, "subnetIds": subnets, "targetIps": ["10.2.1.10"]}


CHANGES = {
    "vpcId": other_vpc,
    "targetPort": lambda _emulator, inputs: {**inputs, "targetPort": 6432},
}


@pytest.mark.parametrize("prop", sorted(CHANGES))
def test_a_forced_replace_of_a_producer_that_changes_vpc_or_target_port_is_refused_and_keeps_the_old_one(
        emulator, producer, producer_network, consumer_network, prop):
    db = ManagedResource(producer, PRODUCER_TYPE, "db")
    inputs = producer_inputs(producer_network, consumer_network)
    db.up(inputs)
    changed = CHANGES[prop](emulator, inputs)
    before = emulator.inventory(PRODUCER)
    old = (db.id, db.outputs, db.inputs)
    seq = emulator.last_seq()
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        db.forced_replace(changed)
    message = failed.value.message if isinstance(failed.value, InitFailed) else failed.value.details()
    assert message.startswith(prop) or f", {prop}" in message.split(":")[0], message
    assert "deleteBeforeReplace" in message, message
    assert [e["action"] for e in emulator.log(since=seq, account=PRODUCER, write=True)] == []
    assert emulator.inventory(PRODUCER) == before
    # Nothing was made, so the engine records no successor; the old producer is whole.
    assert not isinstance(failed.value, InitFailed)
    predecessor = ManagedResource(producer, PRODUCER_TYPE, "db")
    predecessor.id, predecessor.outputs, predecessor.inputs = old
    assert predecessor.refresh() and predecessor.outputs["serviceId"] == old[1]["serviceId"]
    predecessor.destroy()
