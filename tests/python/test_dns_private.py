"""Issue 10, the parts besides hostnameAliases: the producer's private DNS name verification, a
consumer with privateDnsEnabled in the same stack as its EndpointAcceptance, and targets in zones
the load balancer does not serve. Driven as the engine drives the plugin against the emulator."""

import time

from article import PRODUCER_TYPE, consumer_inputs, producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from test_consumer import (accept, baseline, consumer, dns_hostnames, endpoint,  # noqa: F401 (fixtures)
                           make_service, private_dns_service)

DOMAIN = "db.example.com"
START = "StartVpcEndpointServicePrivateDnsVerification"


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
