"""Issue 10, the parts besides hostnameAliases: the producer's private DNS name verification, a
consumer with privateDnsEnabled in the same stack as its EndpointAcceptance, private DNS in one
`up` through an EndpointPrivateDns after the acceptance, and targets in zones the load balancer
does not serve. Driven as the engine drives the plugin against the emulator."""

import time

import grpc
import pytest

from article import PRODUCER_TYPE, consumer_inputs, producer_inputs
from lifecycle import CheckFailed, ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from article import acceptance_inputs
from test_consumer import (accept, baseline, consumer, dns_hostnames, endpoint,  # noqa: F401 (fixtures)
                           make_service, private_dns_service)

DOMAIN = "db.example.com"
START = "StartVpcEndpointServicePrivateDnsVerification"
PRIVATE_DNS_TYPE = "privatelink:index:EndpointPrivateDns"


def describe(emulator, endpoint_id):
    return emulator.client("ec2", CONSUMER).describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def test_a_private_dns_name_starts_verification_and_says_which_txt_record_to_publish(
        producer, producer_network, consumer_network, emulator):
    service = make_service(producer, producer_network, consumer_network, privateDnsName=DOMAIN)
    record = service.outputs["privateDnsVerification"]
    assert (record["type"], record["state"]) == ("TXT", "pendingVerification"), record
    assert [e["outcome"] for e in emulator.log(action=START)] == ["ok"]
    producer.wait_for_log(lambda line: line.severity == "INFO" and f"{record['name']}.{DOMAIN}" in line.message
                          and record["value"] in line.message)

    # The user publishes the record; refresh reads the state without writing, the next update asks.
    emulator.dns_txt(f"{record['name']}.{DOMAIN}", [record["value"]])
    seq = emulator.last_seq()
    assert service.refresh()
    assert service.outputs["privateDnsVerification"]["state"] == "pendingVerification"
    assert emulator.log(since=seq, action=START) == []
    service.up(producer_inputs(producer_network, consumer_network, privateDnsName=DOMAIN, tags={"team": "data"}))
    assert service.outputs["privateDnsVerification"]["state"] == "verified"
    assert service.refresh() and service.outputs["privateDnsVerification"]["state"] == "verified"

    # Verified: updates stop asking.
    seq = emulator.last_seq()
    service.up(producer_inputs(producer_network, consumer_network, privateDnsName=DOMAIN, tags={"team": "ops"}))
    assert emulator.log(since=seq, action=START) == []


def test_without_a_private_dns_name_nothing_is_verified(producer, producer_network, consumer_network, emulator):
    service = make_service(producer, producer_network, consumer_network)
    assert service.outputs.get("privateDnsVerification") is None
    assert emulator.log(action=START) == []


def test_private_dns_with_the_acceptance_in_the_same_stack_does_not_wait_for_it(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    """The examples' layout: the EndpointAcceptance needs the endpoint's id, so it is made after
    the consumer; the consumer must not wait for it."""
    dns_hostnames(emulator, consumer_network)
    service = private_dns_service(producer, producer_network, consumer_network, emulator)
    # Acceptance comes only from the EndpointAcceptance below (no autoAcceptAccounts).
    service.up(producer_inputs(producer_network, consumer_network, privateDnsName=DOMAIN))
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], privateDnsEnabled=True)
    started = time.monotonic()
    endpoint.up(news, timeout=120)
    assert time.monotonic() - started < 60, "the consumer waited for an acceptance that comes after it"
    assert endpoint.outputs["state"] == "pendingAcceptance"
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is False
    # The outputs say what AWS has, not what was asked for.
    assert endpoint.outputs["privateDnsEnabled"] is False and endpoint.inputs["privateDnsEnabled"] is True
    consumer.wait_for_log(lambda line: line.severity == "WARNING" and "privateDnsEnabled" in line.message
                          and endpoint.id in line.message and "next `pulumi up`" in line.message)
    # Before the acceptance, another `up` tries again and still says false.
    diff = endpoint.up(news)
    assert "privateDnsEnabled" in diff.diffs and endpoint.outputs["privateDnsEnabled"] is False, diff
    acceptance = accept(provider_session, service, endpoint)
    assert acceptance.outputs["state"] in ("pending", "available")

    # The next plain `pulumi up` (no refresh): its preview shows the change, the update makes it.
    preview, _planned = endpoint.preview(news)
    assert "privateDnsEnabled" in preview.diffs, preview
    diff = endpoint.up(news)
    assert "privateDnsEnabled" in diff.diffs, diff
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True and endpoint.outputs["privateDnsEnabled"] is True
    assert DOMAIN in [entry["dnsName"] for entry in endpoint.outputs["dnsEntries"]]
    # Applied: the up after it has nothing to do.
    assert endpoint.up(news).changes == "DIFF_NONE"


def writes_since(emulator, seq):
    return [f"{e['account']} {e['action']}" for e in emulator.log(since=seq, write=True)]


def examples_layout(producer, producer_network, consumer_network, endpoint, emulator, provider_session,
                    **consumer_changes):
    """A verified private DNS name, no auto-acceptance; the consumer, then the producer's
    EndpointAcceptance of its endpoint, as one `up` of examples/consumer makes them."""
    service = private_dns_service(producer, producer_network, consumer_network, emulator)
    service.up(producer_inputs(producer_network, consumer_network, privateDnsName=DOMAIN))
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], **consumer_changes)
    endpoint.up(news)
    assert endpoint.outputs["state"] == "pendingAcceptance"
    acceptance = accept(provider_session, service, endpoint)
    return service, news, acceptance


def test_one_up_of_the_examples_layout_turns_private_dns_on_through_an_endpoint_private_dns(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    """The consumer leaves private DNS unset; an EndpointPrivateDns takes the endpoint id from the
    acceptance's output, so the engine runs it after the acceptance: one `up` ends with private DNS
    on, the next changes nothing, refresh finds no drift, destroy leaves nothing."""
    dns_hostnames(emulator, consumer_network)
    baseline = emulator.inventory(CONSUMER)
    service, news, acceptance = examples_layout(producer, producer_network, consumer_network, endpoint,
                                                emulator, provider_session)
    assert "privateDnsEnabled" not in endpoint.inputs and "privateDnsEnabled" not in endpoint.outputs
    private_dns = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    started = time.monotonic()
    private_dns.up({"endpointId": acceptance.outputs["endpointId"]}, timeout=120)
    assert time.monotonic() - started < 60
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True
    assert private_dns.id == endpoint.id
    assert private_dns.outputs["privateDnsEnabled"] is True and private_dns.inputs["privateDnsEnabled"] is True
    assert private_dns.outputs["privateDnsName"] == DOMAIN
    assert not [line for line in consumer.logs() if line.severity == "WARNING" and "privateDnsEnabled" in line.message]

    # The second `up` of the whole stack: no diff and no AWS write; the consumer does not turn
    # private DNS back off, and does not list the name it does not manage.
    seq = emulator.last_seq()
    for resource, inputs in ((endpoint, news),
                             (acceptance, acceptance_inputs(service.outputs["serviceId"], endpoint.id)),
                             (private_dns, {"endpointId": endpoint.id})):
        preview, _planned = resource.preview(inputs)
        assert preview.changes == "DIFF_NONE", (resource.type, preview)
        assert resource.up(inputs).changes == "DIFF_NONE", resource.type
    assert writes_since(emulator, seq) == []
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True
    assert DOMAIN not in [entry["dnsName"] for entry in endpoint.outputs["dnsEntries"]]

    # Refresh: nothing about private DNS drifts, and the `up` after it changes nothing either.
    recorded = {"consumer": (endpoint.inputs, endpoint.outputs["dnsEntries"], endpoint.outputs["dnsName"]),
                "private dns": (private_dns.inputs, private_dns.outputs)}
    assert endpoint.refresh() and private_dns.refresh()
    assert recorded == {"consumer": (endpoint.inputs, endpoint.outputs["dnsEntries"], endpoint.outputs["dnsName"]),
                        "private dns": (private_dns.inputs, private_dns.outputs)}
    assert "privateDnsEnabled" not in endpoint.outputs
    seq = emulator.last_seq()
    assert endpoint.up(news).changes == "DIFF_NONE" and private_dns.up({"endpointId": endpoint.id}).changes == "DIFF_NONE"
    assert writes_since(emulator, seq) == []

    # Turned off outside: refresh shows it, the next `up` turns it on again.
    emulator.client("ec2", CONSUMER).modify_vpc_endpoint(VpcEndpointId=endpoint.id, PrivateDnsEnabled=False)
    assert private_dns.refresh() and private_dns.inputs["privateDnsEnabled"] is False
    diff = private_dns.up({"endpointId": endpoint.id})
    assert "privateDnsEnabled" in diff.diffs and not diff.replaces, diff
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True and private_dns.outputs["privateDnsEnabled"] is True

    # Destroy, in the engine's order (dependents first): private DNS goes off, then the rest goes.
    seq = emulator.last_seq()
    private_dns.destroy()
    assert writes_since(emulator, seq) == [f"{CONSUMER} ModifyVpcEndpoint", f"{CONSUMER} DeleteTags"]
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is False
    acceptance.destroy()
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_a_replacement_the_engine_forces_leaves_private_dns_on(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    """`pulumi up --replace` (or a replaced provider) creates the successor first; the old
    resource's delete must not turn off what the successor turned on."""
    dns_hostnames(emulator, consumer_network)
    _service, _news, acceptance = examples_layout(producer, producer_network, consumer_network, endpoint,
                                                  emulator, provider_session)
    private_dns = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    news = {"endpointId": acceptance.outputs["endpointId"]}
    private_dns.up(news, timeout=120)
    _old_id, old_outputs, old_inputs = private_dns.forced_replace(news)
    assert private_dns.outputs["instanceId"] != old_outputs["instanceId"]
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True
    consumer.wait_for_log(lambda line: line.severity == "WARNING" and old_outputs["instanceId"] in line.message
                          and "successor" in line.message)
    # A refresh of a state that still names the old instance finds the resource gone.
    stale = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    stale.id, stale.inputs, stale.outputs = endpoint.id, old_inputs, old_outputs
    assert stale.refresh() is False
    # The successor's own delete does turn it off.
    private_dns.destroy()
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is False
    tags = {t["Key"] for t in describe(emulator, endpoint.id).get("Tags", [])}
    assert "pulumi-privatelink:private-dns-instance" not in tags, tags


def test_an_endpoint_private_dns_whose_endpoint_is_gone_deletes_and_refreshes_cleanly(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    dns_hostnames(emulator, consumer_network)
    _service, _news, acceptance = examples_layout(producer, producer_network, consumer_network, endpoint,
                                                  emulator, provider_session)
    private_dns = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    private_dns.up({"endpointId": acceptance.outputs["endpointId"]}, timeout=120)
    recorded = (private_dns.id, private_dns.inputs, private_dns.outputs)
    endpoint.destroy()  # the endpoint goes first (deleted outside, or a destroy run out of order)
    seq = emulator.last_seq()
    private_dns.destroy()
    assert writes_since(emulator, seq) == []
    private_dns.id, private_dns.inputs, private_dns.outputs = recorded
    assert private_dns.refresh() is False


def test_an_endpoint_private_dns_the_service_cannot_have_is_refused_before_any_write(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    """No private DNS name on the service: refused naming endpointId, as AWS would refuse it."""
    dns_hostnames(emulator, consumer_network)
    service = make_service(producer, producer_network, consumer_network)
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    accept(provider_session, service, endpoint)
    private_dns = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    seq = emulator.last_seq()
    with pytest.raises(grpc.RpcError) as error:
        private_dns.up({"endpointId": endpoint.id}, timeout=60)
    assert "endpointId" in error.value.details() and "private DNS name" in error.value.details(), error.value.details()
    assert private_dns.id is None and writes_since(emulator, seq) == []
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is False


@pytest.mark.parametrize("inputs, property", [
    ({}, "endpointId"),
    ({"endpointId": "vpc-0123456789abcdef0"}, "endpointId"),
    ({"endpointId": "vpce-0123456789abcdef0", "privateDnsEnabled": "yes"}, "privateDnsEnabled"),
])
def test_an_endpoint_private_dns_checks_its_inputs(consumer, emulator, inputs, property):
    seq = emulator.last_seq()
    with pytest.raises(CheckFailed) as failed:
        ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns").up(inputs)
    assert property in {prop for prop, _reason in failed.value.failures}, failed.value.failures
    assert emulator.log(since=seq) == []


def test_a_consumer_without_private_dns_set_leaves_an_endpoint_private_dns_alone(
        producer, producer_network, consumer_network, endpoint, emulator, provider_session, consumer):
    """A consumer updated later (here: its tags) while an EndpointPrivateDns owns private DNS does
    not turn it off."""
    dns_hostnames(emulator, consumer_network)
    _service, news, acceptance = examples_layout(producer, producer_network, consumer_network, endpoint,
                                                 emulator, provider_session)
    private_dns = ManagedResource(consumer, PRIVATE_DNS_TYPE, "private-dns")
    private_dns.up({"endpointId": acceptance.outputs["endpointId"]}, timeout=120)
    seq = emulator.last_seq()
    diff = endpoint.up({**news, "tags": {"team": "data"}})
    assert list(diff.diffs) == ["tags"], diff
    assert "ModifyVpcEndpoint" not in [e["action"] for e in emulator.log(since=seq, write=True)]
    assert describe(emulator, endpoint.id)["PrivateDnsEnabled"] is True


def test_a_consumer_recorded_when_unset_meant_false_updates_once_without_writing(
        producer, producer_network, consumer_network, endpoint, emulator, consumer):
    """State written before EndpointPrivateDns: Check filled privateDnsEnabled false. The next `up`
    shows that one change, writes nothing, and from then on leaves private DNS alone."""
    service = make_service(producer, producer_network, consumer_network)
    news = consumer_inputs(consumer_network, service.outputs["serviceName"])
    endpoint.up(news)
    endpoint.inputs = {**endpoint.inputs, "privateDnsEnabled": False}
    endpoint.outputs = {**endpoint.outputs, "privateDnsEnabled": False}
    seq = emulator.last_seq()
    diff = endpoint.up(news)
    assert diff.diffs == ["privateDnsEnabled"] and not diff.replaces, diff
    assert writes_since(emulator, seq) == []
    assert "privateDnsEnabled" not in endpoint.inputs and "privateDnsEnabled" not in endpoint.outputs
    assert endpoint.up(news).changes == "DIFF_NONE"


def test_targets_in_zones_without_a_load_balancer_subnet_are_warned_about(
        producer, producer_network, consumer_network, emulator):
    ec2 = emulator.client("ec2", PRODUCER)
    ec2.create_subnet(VpcId=producer_network["vpc_id"], CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1c")
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    inputs = producer_inputs(producer_network, consumer_network, targetIps=["10.0.1.40", "10.0.3.7"])
    del inputs["targetHostname"]
    service.up(inputs)
    lines = producer.wait_for_log(lambda line: line.severity == "WARNING" and "10.0.3.7" in line.message)
    warning = next(line.message for line in lines if line.severity == "WARNING" and "10.0.3.7" in line.message)
    assert "us-east-1c" in warning and "targetIps" in warning and "10.0.1.40" not in warning, warning
    service.destroy()


def test_targets_in_served_zones_get_no_warning(producer, producer_network, consumer_network, emulator):
    service = make_service(producer, producer_network, consumer_network)
    assert service.outputs["registeredTargetIps"]
    assert not [line for line in producer.logs() if line.severity == "WARNING" and "targetIps" in line.message]
