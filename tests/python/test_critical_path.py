"""What the create path does while AWS transitions, and what it no longer repeats (issue 11).

The ratios of tests/bench measure time; these tests assert only ORDER and COUNTS in the
emulator's call log, so they hold on any machine. A call made concurrently with a slow one
shows up in the log before it: the emulator's `latency` fault holds one answer back (outside
its lock), and whatever the provider sends meanwhile is served and logged first. Serial code
cannot do that, whatever the machine's speed."""

import pytest

from article import ACCEPTANCE_TYPE, CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs
from article import producer_inputs as article_producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed

# Long enough that the order below cannot come from a slow machine answering in time.
HELD_MS = 2000


def actions(entries):
    return [e["action"] for e in entries]


def first(entries, action):
    return next(i for i, e in enumerate(entries) if e["action"] == action)


def last(entries, action):
    return max(i for i, e in enumerate(entries) if e["action"] == action)


@pytest.fixture
def producer(provider_session):
    return provider_session(PRODUCER)


@pytest.fixture
def db(producer, producer_network):
    return ManagedResource(producer, PRODUCER_TYPE, "db")


@pytest.fixture
def article_inputs(producer_network, consumer_network):
    return article_producer_inputs(producer_network, consumer_network)


def test_the_load_balancer_is_created_while_the_group_rules_are_written(emulator, db, article_inputs):
    """CreateLoadBalancer needs only the group's id: it is sent while the group's rules are
    still being written, and the group's three rule writes go out together."""
    emulator.fault("AuthorizeSecurityGroupIngress", "latency", latency_ms=HELD_MS, account=PRODUCER)
    seq = emulator.last_seq()
    db.up(article_inputs)
    log = emulator.log(since=seq, account=PRODUCER)
    held = first(log, "AuthorizeSecurityGroupIngress")
    assert first(log, "CreateLoadBalancer") < held, actions(log)
    # The other rule writes did not wait for the ingress one.
    assert first(log, "AuthorizeSecurityGroupEgress") < held, actions(log)
    assert first(log, "RevokeSecurityGroupEgress") < held, actions(log)


def test_everything_but_the_service_is_made_while_the_load_balancer_provisions(emulator, db, article_inputs):
    """A balancer that never becomes active within the engine's timeout: by then the target
    group, its targets, the listener and the group's rules are all written, and the balancer's
    attributes read (none of it needs an active balancer); the attribute change and the
    endpoint service wait for it."""
    emulator.config(nlb_provisioning=600)
    seq = emulator.last_seq()
    with pytest.raises(InitFailed):
        db.up(article_inputs, timeout=8)
    calls = actions(emulator.log(since=seq, account=PRODUCER))
    for action in ("CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
                   "RevokeSecurityGroupEgress", "CreateLoadBalancer", "CreateTargetGroup", "RegisterTargets",
                   "CreateListener", "DescribeLoadBalancerAttributes"):
        assert action in calls, (action, calls)
    assert "ModifyLoadBalancerAttributes" not in calls, calls
    assert "CreateVpcEndpointServiceConfiguration" not in calls, calls


def test_after_the_service_is_available_nothing_is_read_twice(emulator, db, article_inputs):
    """A service made now has no allowed principals: its permissions are written without being
    read first (the read after create is the outputs'), and once it is seen Available it is
    neither waited for a second time nor read again for the outputs."""
    seq = emulator.last_seq()
    db.up(article_inputs)
    log = emulator.log(since=seq, account=PRODUCER)
    assert actions(log).count("DescribeVpcEndpointServicePermissions") == 1, actions(log)
    assert first(log, "DescribeVpcEndpointServicePermissions") > first(log, "ModifyVpcEndpointServicePermissions")
    after = log[first(log, "ModifyVpcEndpointServicePermissions"):]
    assert "DescribeVpcEndpointServiceConfigurations" not in actions(after), actions(after)
    # The balancer reconfigures after its attributes change: awaited again, once (the emulator
    # answers active at once).
    between = log[first(log, "ModifyLoadBalancerAttributes"):first(log, "CreateVpcEndpointServiceConfiguration")]
    assert actions(between).count("DescribeLoadBalancers") == 1, actions(between)


def test_refresh_reads_the_pieces_at_once(emulator, db, article_inputs):
    """Refresh (and the read after create) asks for the target group and its targets without
    waiting for the balancer's listeners."""
    db.up(article_inputs)
    emulator.fault("DescribeListeners", "latency", latency_ms=HELD_MS, account=PRODUCER)
    seq = emulator.last_seq()
    db.refresh()
    log = emulator.log(since=seq, account=PRODUCER)
    held = first(log, "DescribeListeners")
    assert last(log, "DescribeTargetGroups") < held, actions(log)
    assert last(log, "DescribeTargetHealth") < held, actions(log)
    assert db.outputs["targetGroupArn"] and db.outputs["registeredTargetIps"]


@pytest.fixture
def service(db, article_inputs):
    db.up(article_inputs)
    return db


@pytest.fixture
def endpoint(provider_session, consumer_network):
    return ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")


def test_the_endpoint_is_created_while_its_group_rules_are_written(emulator, service, endpoint, consumer_network):
    emulator.fault("AuthorizeSecurityGroupIngress", "latency", latency_ms=HELD_MS, account=CONSUMER)
    seq = emulator.last_seq()
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    log = emulator.log(since=seq, account=CONSUMER)
    held = first(log, "AuthorizeSecurityGroupIngress")
    assert first(log, "CreateVpcEndpoint") < held, actions(log)
    assert first(log, "RevokeSecurityGroupEgress") < held, actions(log)


def test_the_new_endpoint_is_not_read_back(emulator, service, endpoint, consumer_network, provider_session):
    """CreateVpcEndpoint answers the endpoint; the outputs come from that answer (reading it back
    waits out EC2's eventual consistency for nothing). The outputs are what a read shows."""
    seq = emulator.last_seq()
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    log = emulator.log(since=seq, account=CONSUMER)
    assert "DescribeVpcEndpoints" not in actions(log[first(log, "CreateVpcEndpoint"):]), actions(log)
    created = dict(endpoint.outputs)
    endpoint.refresh()
    for key in ("endpointId", "dnsName", "dnsEntries", "networkInterfaceIds", "securityGroupId", "state"):
        assert created.get(key) == endpoint.outputs.get(key), key
    assert created["dnsName"] and created["networkInterfaceIds"]
    acceptance = ManagedResource(provider_session(PRODUCER), ACCEPTANCE_TYPE, "acceptance")
    acceptance.up({"serviceId": service.outputs["serviceId"], "endpointId": endpoint.id})
    assert acceptance.outputs["state"] == "available"


def test_destroy_waits_for_released_interfaces_then_deletes_each_group_once(
        emulator, service, endpoint, consumer_network, provider_session):
    """AWS releases a deleted endpoint's or load balancer's interfaces minutes later; until then
    DeleteSecurityGroup fails. Destroy reads the interfaces (DescribeNetworkInterfaces) until
    they are gone and then deletes each group once, instead of repeating the delete."""
    emulator.config(eni_release=2)
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    seq = emulator.last_seq()
    endpoint.destroy()
    service.destroy()
    log = emulator.log(since=seq)
    for account in (CONSUMER, PRODUCER):
        mine = [e for e in log if e["account"] == account]
        deletes = [e for e in mine if e["action"] == "DeleteSecurityGroup"]
        assert [e["outcome"] for e in deletes] == ["ok"], actions(mine)
        assert first(mine, "DescribeNetworkInterfaces") < first(mine, "DeleteSecurityGroup"), actions(mine)
    groups = emulator.client("ec2", CONSUMER).describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [consumer_network["vpc_id"]]}])["SecurityGroups"]
    assert sorted(g["GroupName"] for g in groups) == sorted(
        g["GroupName"] for g in groups if g["GroupId"] == consumer_network["glue_sg_id"] or g["GroupName"] == "default")
