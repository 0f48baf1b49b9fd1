"""Generated names under the engine's randomSeed, which is fresh for every registration in every
deployment (pulumi/pkg/resource/deploy/step_generator.go, generateSteps): what a preview shows is
what `up` makes, and an `up` after an interrupted create adopts what that create made."""

import threading
import time

import grpc
import pytest

from lifecycle import ManagedResource
from privatelink_emulator.client import PRODUCER
from provider_session import ProviderSession

PRODUCER_TOKEN = "privatelink:index:PrivateLinkProducer"


@pytest.fixture
def inputs(producer_inputs):
    return producer_inputs


def test_preview_shows_the_name_that_up_creates(producer, inputs, emulator, producer_network):
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    _diff, planned = db.preview(inputs)
    db.up(inputs)
    try:
        assert planned["name"] == db.outputs["name"] == db.id
    finally:
        db.destroy()


def wait_for_call(emulator, action, since, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if emulator.log(since=since, action=action):
            return
        time.sleep(0.1)
    raise AssertionError(f"{action} was never called")


def test_up_after_an_interrupted_create_adopts_what_it_made(producer, inputs, emulator, provider_binary,
                                                           producer_network):
    baseline = emulator.inventory(PRODUCER)
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    # The endpoint service never gets made: the plugin is killed while it retries, after the
    # security group, target group, load balancer and listener exist.
    emulator.fault("CreateVpcEndpointServiceConfiguration", "throttle", count=10_000, account=PRODUCER)
    seq = emulator.last_seq()
    failure = []

    def up():
        try:
            db.up(inputs)
        except grpc.RpcError as error:
            failure.append(error)

    running = threading.Thread(target=up)
    running.start()
    wait_for_call(emulator, "CreateVpcEndpointServiceConfiguration", seq)
    producer.plugin.process.kill()
    running.join(timeout=60)
    emulator.clear_faults()
    assert failure and db.id is None, "the create was not interrupted"
    made = emulator.inventory(PRODUCER)
    assert made != baseline

    # The engine keeps no state for the resource (a pending create): the next `up` checks it as
    # new, with a new seed, on a new plugin.
    with ProviderSession(provider_binary, emulator, PRODUCER) as second:
        db.session = second
        db.up(inputs)
        try:
            after = emulator.inventory(PRODUCER)
            region = next(iter(after[PRODUCER]))
            for kind in ("security_groups", "target_groups", "load_balancers", "listeners"):
                assert after[PRODUCER][region][kind] == made[PRODUCER][region][kind], f"new {kind} were made"
        finally:
            db.destroy()
        assert emulator.inventory(PRODUCER) == baseline, "pieces of the interrupted create were orphaned"
