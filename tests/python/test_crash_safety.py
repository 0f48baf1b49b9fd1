"""Killed at every step (issue 14). For each resource and each of create, update and delete, the
plugin is SIGKILLed right after its k-th AWS write, for every k; then the engine does what it does
next, and the end state is the one an uninterrupted run reaches, with nothing duplicated, and
`destroy` leaves nothing.

"Right after the k-th write" is the emulator's halt (privatelink_emulator/halt.py): from then on
every call of the account is dropped undone, so AWS sees exactly k writes however long the kill
takes. With `lose_answer`, the k-th write happens but its answer never arrives.

What the engine does next (pulumi/pkg/backend/snapshot.go, SnapshotManager.snap): a pending
CREATE stays in the checkpoint for the user to clear, with no resource in state, so the next `up`
creates afresh with a new seed (lifecycle.ManagedResource.up); pending UPDATE and DELETE
operations are not carried over, and the resource stays in state with its old inputs and outputs
(doUpdate/doDelete change the state only when the step ends), so the next `up` diffs and updates
again and the next `destroy` deletes again."""

import collections
import functools
import signal
import time

import pytest
from pulumi.runtime.proto import provider_pb2

from article import (ACCEPTANCE_TYPE, CONSUMER_TYPE, PRODUCER_TYPE, acceptance_inputs, consumer_inputs,
                     producer_inputs)
from lifecycle import ManagedResource
from networks import consumer_network, producer_network
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import ProviderSession, init_failure, to_struct


def shape(inventory):
    """How many of each kind of thing (in each state) each account has; ids differ from run to
    run."""
    counts = collections.Counter()
    for account, regions in inventory.items():
        for region, kinds in regions.items():
            for kind, ids in kinds.items():
                by_state = collections.Counter(i.split(" ")[-1] if " " in i else "" for i in ids)
                for state, n in by_state.items():
                    counts[(account, region, kind, state)] += n
    return dict(counts)


class World:
    """A reset emulator with both networks; `resource(kind)` makes the resource under test, with
    whatever it depends on already created."""

    def __init__(self, emulator, binary, sessions):
        emulator.reset()
        self.emulator, self.binary, self.sessions = emulator, binary, sessions
        self.producer_net = producer_network(emulator, PRODUCER)
        self.consumer_net = consumer_network(emulator, CONSUMER)
        self.baseline = emulator.inventory()

    def session(self, account):
        started = ProviderSession(self.binary, self.emulator, account)
        self.sessions.append(started)
        return started

    @functools.cached_property
    def next_step(self):
        """The plugins that carry on after a kill (and make the dependencies), one per account."""
        return {account: self.session(account) for account in (PRODUCER, CONSUMER)}

    def service(self):
        service = ManagedResource(self.next_step[PRODUCER], PRODUCER_TYPE, "db")
        service.up(producer_inputs(self.producer_net, self.consumer_net))
        return service

    def endpoint(self, service):
        endpoint = ManagedResource(self.next_step[CONSUMER], CONSUMER_TYPE, "endpoint")
        endpoint.up(self.consumer_news(service))
        return endpoint

    def consumer_news(self, service, **changes):
        return consumer_inputs(self.consumer_net, service.outputs["serviceName"], **changes)


# resource kind -> (account acted as, type, news(world, deps), changed news(world, deps), dependencies(world))
def _producer_news(world, _deps, **changes):
    return producer_inputs(world.producer_net, world.consumer_net, **changes)


def _consumer_news(world, deps, **changes):
    return world.consumer_news(deps[0], **changes)


def _acceptance_news(_world, deps):
    return acceptance_inputs(deps[0].outputs["serviceId"], deps[1].id)


PRIVATE_DNS_TYPE = "privatelink:index:EndpointPrivateDns"
PRIVATE_DNS_NAME = "db.example.com"


def _private_dns_deps(world):
    """A service with a verified private DNS name, and an endpoint to it that the producer
    accepted, in a VPC with DNS hostnames."""
    service = ManagedResource(world.next_step[PRODUCER], PRODUCER_TYPE, "db")
    service.up(producer_inputs(world.producer_net, world.consumer_net, privateDnsName=PRIVATE_DNS_NAME))
    record = service.outputs["privateDnsVerification"]
    world.emulator.dns_txt(f"{record['name']}.{PRIVATE_DNS_NAME}", [record["value"]])
    producer = world.emulator.client("ec2", PRODUCER)
    producer.start_vpc_endpoint_service_private_dns_verification(ServiceId=service.outputs["serviceId"])
    ec2 = world.emulator.client("ec2", CONSUMER)
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=world.consumer_net["vpc_id"], **{attribute: {"Value": True}})
    endpoint = world.endpoint(service)
    producer.accept_vpc_endpoint_connections(ServiceId=service.outputs["serviceId"], VpcEndpointIds=[endpoint.id])
    return [service, endpoint]


RESOURCES = {
    "producer": (PRODUCER, PRODUCER_TYPE, _producer_news,
                 lambda w, d: _producer_news(w, d, allowedCidrs=["10.1.0.0/16", "10.9.0.0/16"],
                                             tags={"team": "data"}),
                 lambda w: []),
    "consumer": (CONSUMER, CONSUMER_TYPE, _consumer_news,
                 lambda w, d: _consumer_news(w, d, allowedCidrs=["10.1.0.0/16"], tags={"team": "data"}),
                 lambda w: [w.service()]),
    "acceptance": (PRODUCER, ACCEPTANCE_TYPE, _acceptance_news, None,
                   lambda w: [w.service()]),
    "private-dns": (CONSUMER, PRIVATE_DNS_TYPE, lambda w, d: {"endpointId": d[1].id},
                    lambda w, d: {"endpointId": d[1].id, "privateDnsEnabled": False}, _private_dns_deps),
}


def interrupted(world, session, account, k, lose_answer, start_call):
    """Starts an RPC (`start_call()` -> future), lets AWS see k writes of `account`, then kills
    the plugin. Answers True if the operation finished before it was cut short."""
    seq = world.emulator.last_seq()
    world.emulator.halt(account, k, lose_answer=lose_answer)
    future = start_call()
    deadline = time.time() + 60
    while not future.done():
        if any(e["fault"] == "halt" for e in world.emulator.log(since=seq, account=account)):
            break
        assert time.time() < deadline, "the operation neither finished nor reached the halt"
        time.sleep(0.02)
    finished = future.done() and future.exception() is None
    session.plugin.process.send_signal(signal.SIGKILL)
    session.plugin.process.wait()
    world.emulator.clear_halt()
    writes = [e for e in world.emulator.log(since=seq, account=account, write="true") if e["outcome"] == "ok"
              or e["fault"] == "lost_answer"]
    assert len(writes) <= k, [e["action"] for e in writes]
    return finished


def writes_of(world, account, since):
    return len([e for e in world.emulator.log(since=since, account=account, write="true")
                if e["outcome"] == "ok"])


def run_case(world, kind, operation, deps, k, lose_answer=False):
    """One case; k=None runs it uninterrupted. Answers (writes the operation made, end shape).
    Everything the case made is destroyed again, back to the world's baseline."""
    account, token, news_of, changed_of, _ = RESOURCES[kind]
    emulator = world.emulator
    baseline = shape(emulator.inventory())
    # Deleting an acceptance rejects the connection for good: each case gets its own endpoint.
    own = [world.endpoint(deps[0])] if kind == "acceptance" else []
    resource = ManagedResource(world.next_step[account], token, kind)
    news = news_of(world, deps + own)
    if operation != "create":
        resource.up(news)
    if operation == "update":
        news = changed_of(world, deps)
    seq = emulator.last_seq()
    if k is None:
        if operation == "delete":
            resource.destroy()
        else:
            resource.up(news)
    else:
        session = world.session(account)  # the plugin that will be killed
        urn = dict(urn=session.urn(token, kind), name=kind, type=token)
        if operation == "create":
            inputs = resource.check(news)
            start = lambda: session.stub.Create.future(provider_pb2.CreateRequest(  # noqa: E731
                properties=to_struct(inputs), timeout=60, **urn))
        elif operation == "update":
            inputs = resource.check(news)
            start = lambda: session.stub.Update.future(provider_pb2.UpdateRequest(  # noqa: E731
                id=resource.id, olds=to_struct(resource.outputs), news=to_struct(inputs),
                old_inputs=to_struct(resource.inputs), timeout=60, **urn))
        else:
            start = lambda: session.stub.Delete.future(provider_pb2.DeleteRequest(  # noqa: E731
                id=resource.id, properties=to_struct(resource.outputs), old_inputs=to_struct(resource.inputs),
                timeout=60, **urn))
        interrupted(world, session, account, k, lose_answer, start)
        session.stop()
        # The engine's next step, by another plugin; a pending CREATE leaves nothing in state.
        if operation == "create":
            resource.id, resource.inputs, resource.outputs = None, {}, {}
        if operation == "delete":
            resource.destroy()
        else:
            resource.up(news)
    writes = writes_of(world, account, seq)
    end = shape(emulator.inventory())
    if resource.id is not None:
        resource.destroy()
    for dep in own:
        dep.destroy()
    assert shape(emulator.inventory()) == baseline, f"destroy left something behind (k={k}, lost answer: {lose_answer})"
    return writes, end


CASES = [(kind, op) for kind in RESOURCES for op in ("create", "update", "delete")
         if not (op == "update" and RESOURCES[kind][3] is None)]


@pytest.mark.parametrize("kind,operation", CASES, ids=[f"{k}-{o}" for k, o in CASES])
def test_killed_after_every_write_the_next_run_reaches_the_same_end(emulator, provider_binary, kind, operation):
    emulator.config()  # zero delays
    sessions = []
    try:
        world = World(emulator, provider_binary, sessions)
        deps = RESOURCES[kind][4](world)
        writes, expected = run_case(world, kind, operation, deps, None)
        assert writes > 0, "the operation wrote nothing"
        for k in range(0, writes):
            for lose_answer in ((False, True) if k else (False,)):
                _, end = run_case(world, kind, operation, deps, k, lose_answer)
                assert end == expected, (f"killed after write {k} (answer lost: {lose_answer}): "
                                         f"{set(end.items()) ^ set(expected.items())}")
        for dep in reversed(deps):
            dep.destroy()
        assert shape(emulator.inventory()) == shape(world.baseline)
    finally:
        for started in sessions:
            started.stop()


# --- Cancel, then SIGINT, during a wait ------------------------------------------------------

# (kind, operation, emulator delays that make the wait long, extra inputs)
WAITS = {
    "producer-create-load-balancer": ("producer", "create", {"nlb_provisioning": 60}, {}),
    "consumer-create-acceptance": ("consumer", "create", {}, {"waitForAcceptance": "10m"}),
    "acceptance-create-available": ("acceptance", "create", {"endpoint_acceptance": 60}, {}),
    "consumer-delete-deleting": ("consumer", "delete", {"endpoint_deleting": 4}, {}),
}


@pytest.mark.parametrize("kind,operation,delays,extra", WAITS.values(), ids=WAITS.keys())
def test_cancel_then_sigint_during_a_wait_exits_promptly_and_records_the_pieces(
        emulator, provider_binary, kind, operation, delays, extra):
    """The engine's shutdown (pkg/resource/plugin/provider_plugin.go, SignalCancellation; then
    plugin.go's Close interrupts, and kills after a grace period): the plugin answers the
    operation at once, a create as a partial failure that records what exists, and exits; the
    next run finishes the job and destroy leaves nothing."""
    emulator.config()
    sessions = []
    try:
        world = World(emulator, provider_binary, sessions)
        deps = RESOURCES[kind][4](world)
        own = [world.endpoint(deps[0])] if kind == "acceptance" else []
        account, token, news_of, _, _ = RESOURCES[kind]
        news = {**news_of(world, deps + own), **extra}
        resource = ManagedResource(world.next_step[account], token, kind)
        if operation == "delete":
            resource.up(news)
        emulator.config(**delays)
        session = world.session(account)
        urn = dict(urn=session.urn(token, kind), name=kind, type=token)
        if operation == "create":
            future = session.stub.Create.future(provider_pb2.CreateRequest(
                properties=to_struct(resource.check(news)), timeout=300, **urn))
        else:
            future = session.stub.Delete.future(provider_pb2.DeleteRequest(
                id=resource.id, properties=to_struct(resource.outputs), old_inputs=to_struct(resource.inputs),
                timeout=300, **urn))
        session.wait_for_log(lambda line: line.message.startswith("waiting for"), timeout=30)
        started = time.monotonic()
        session.plugin.stop()  # Cancel, SIGINT, and SIGKILL only after 5 s
        exited = time.monotonic() - started
        assert exited < 2, f"the plugin took {exited:.1f} s to exit"
        assert session.plugin.process.returncode in (0, -signal.SIGINT), session.plugin.process.returncode
        error = future.exception(timeout=5)
        assert error is not None, "the operation claims to have finished"
        if operation == "create":
            failed = init_failure(error)
            assert failed is not None and failed.id, f"the create recorded nothing: {error}"
            resource.id, resource.outputs, resource.inputs = failed.id, failed.outputs, resource.check(news)
        emulator.config(**{k: 0 for k in delays})
        resource.session = world.next_step[account]
        if operation == "delete":
            resource.destroy()
        else:
            up_news = {k: v for k, v in news.items() if k != "waitForAcceptance"}
            if kind == "consumer":
                # The wait was for the producer's acceptance; without one it would wait again.
                resource.up(up_news)
            else:
                resource.up(news)
            resource.destroy()
        for dep in own + list(reversed(deps)):
            dep.destroy()
        assert shape(emulator.inventory()) == shape(world.baseline), "something was left behind"
    finally:
        for started_session in sessions:
            started_session.stop()
