"""The article end to end (issue 5), as `pulumi up` runs examples/producer and then
examples/consumer, and `pulumi destroy` removes them: two accounts in the emulator, the producer's
Postgres behind an RDS Proxy, the consumer's Glue security group, the three resources driven
through the plugin as the engine drives them (preview first, then Check and Create; Read for a
refresh; Check and Diff for the next up; Delete), a Glue JDBC connection through the endpoint, and
every effect verified in AWS with boto3."""

import ipaddress

import grpc
import pytest

from article import (CONSUMER_ROOT, DATABASE, GLUE_CONNECTION, PORT, ArticleStacks, acceptance_inputs,
                     consumer_inputs, create_glue_connection, delete_glue_connection, endpoint_state,
                     glue_connection_names, producer_inputs, security_group_rules, writes_since)
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import UNKNOWN


@pytest.fixture
def baseline(emulator, producer_network, consumer_network):
    """Both accounts' inventories with only the fixture networks in them."""
    return emulator.inventory()


@pytest.fixture
def stacks(provider_session, baseline):
    return ArticleStacks(provider_session)


def preview_writes_nothing(emulator, resource, news):
    """`pulumi preview` (and the preview step of `pulumi up`) of a new resource: Check, then
    Create with preview=True. Answers the planned outputs."""
    seq = emulator.last_seq()
    diff, planned = resource.preview(news)
    assert diff is None, "a new resource has no Diff"
    assert writes_since(emulator, seq) == [], f"preview of {resource.type} wrote to AWS"
    return planned


def up_producer_stack(emulator, stacks, producer_network, consumer_network):
    """examples/producer: preview, then up."""
    news = producer_inputs(producer_network, consumer_network)
    planned = preview_writes_nothing(emulator, stacks.producer, news)
    assert planned["port"] == PORT and planned["serviceName"] == UNKNOWN
    stacks.producer.up(news)


def up_consumer_stack(emulator, stacks, consumer_network):
    """examples/consumer: preview (the endpoint's id is unknown to the acceptance until the
    endpoint exists), then up. The producer's outputs come in through the stack reference."""
    service = stacks.producer.outputs
    endpoint_news = consumer_inputs(consumer_network, service["serviceName"])
    planned = preview_writes_nothing(emulator, stacks.endpoint, endpoint_news)
    assert planned["endpointId"] == UNKNOWN and planned["jdbcUrl"] == UNKNOWN
    planned = preview_writes_nothing(emulator, stacks.acceptance, acceptance_inputs(service["serviceId"], UNKNOWN))
    assert planned["state"] == UNKNOWN

    stacks.endpoint.up(endpoint_news)
    assert stacks.endpoint.outputs["state"] == "pendingAcceptance"
    stacks.acceptance.up(acceptance_inputs(service["serviceId"], stacks.endpoint.id))


@pytest.fixture
def deployed(emulator, stacks, producer_network, consumer_network):
    """Both stacks up, the way the article's reader runs them."""
    up_producer_stack(emulator, stacks, producer_network, consumer_network)
    up_consumer_stack(emulator, stacks, consumer_network)
    return stacks


def destroy_in_reverse(emulator, stacks):
    """The Glue connection (made by hand), then `pulumi destroy` of the consumer stack
    (acceptance first: it depends on the endpoint), then of the producer stack."""
    if GLUE_CONNECTION in glue_connection_names(emulator):
        delete_glue_connection(emulator)
    endpoint_id = stacks.endpoint.id
    stacks.acceptance.destroy()
    assert endpoint_state(emulator, endpoint_id) == "rejected", "deleting the acceptance rejects the connection"
    stacks.endpoint.destroy()
    assert endpoint_state(emulator, endpoint_id) is None
    stacks.producer.destroy()


def test_the_article_end_to_end(emulator, stacks, baseline, producer_network, consumer_network):
    # --- producer stack ---
    up_producer_stack(emulator, stacks, producer_network, consumer_network)
    service = stacks.producer.outputs
    assert service["serviceName"] == f"com.amazonaws.vpce.us-east-1.{service['serviceId']}"
    assert sorted(service["registeredTargetIps"]) == producer_network["proxy_ips"]
    assert security_group_rules(emulator, PRODUCER, service["securityGroupId"]) == {
        "ingress": {("tcp", PORT, PORT, consumer_network["vpc_cidr"])},
        "egress": {("tcp", PORT, PORT, producer_network["vpc_cidr"])}}
    ec2 = emulator.client("ec2", PRODUCER)
    allowed = ec2.describe_vpc_endpoint_service_permissions(ServiceId=service["serviceId"])["AllowedPrincipals"]
    assert [p["Principal"] for p in allowed] == [CONSUMER_ROOT]

    # --- consumer stack: the endpoint waits for the producer, the acceptance (producer's
    # credentials) accepts it ---
    up_consumer_stack(emulator, stacks, consumer_network)
    endpoint = stacks.endpoint.outputs
    assert stacks.endpoint.id == endpoint["endpointId"] and endpoint["endpointId"].startswith("vpce-")
    assert endpoint["jdbcUrl"] == f"jdbc:postgresql://{endpoint['dnsName']}:{PORT}/{DATABASE}"
    assert stacks.acceptance.id == f"{service['serviceId']}/{endpoint['endpointId']}"
    assert (stacks.acceptance.outputs["state"], stacks.acceptance.outputs["ownerAccount"]) == ("available", CONSUMER)
    assert security_group_rules(emulator, CONSUMER, endpoint["securityGroupId"]) == {
        "ingress": {("tcp", PORT, PORT, consumer_network["glue_sg_id"])}, "egress": set()}

    # --- refresh: the endpoint is available, the producer sees the consumer's connection ---
    assert stacks.endpoint.refresh()
    assert stacks.endpoint.outputs["state"] == "available"
    assert stacks.producer.refresh()
    assert stacks.producer.outputs["connections"] == [
        {"endpointId": endpoint["endpointId"], "ownerAccount": CONSUMER, "state": "available"}]
    ips = emulator.resolve(stacks.endpoint.outputs["dnsName"])
    assert ips and all(ipaddress.ip_address(ip) in ipaddress.ip_network(consumer_network["vpc_cidr"]) for ip in ips)

    # --- the next `pulumi up` of each stack, program unchanged, has nothing to do ---
    seq = emulator.last_seq()
    programs = [producer_inputs(producer_network, consumer_network),
                consumer_inputs(consumer_network, service["serviceName"]),
                acceptance_inputs(service["serviceId"], endpoint["endpointId"])]
    for resource, news in zip(stacks.resources(), programs):
        diff = resource.up(news)
        assert (diff.changes, diff.replaces) == ("DIFF_NONE", []), (resource.type, diff)
    assert writes_since(emulator, seq) == []

    # --- the ETL side: a Glue JDBC connection through the endpoint ---
    connection = create_glue_connection(emulator, consumer_network, stacks.endpoint.outputs["jdbcUrl"])
    assert connection["ConnectionProperties"]["JDBC_CONNECTION_URL"] == endpoint["jdbcUrl"]
    assert connection["PhysicalConnectionRequirements"]["SecurityGroupIdList"] == [consumer_network["glue_sg_id"]]

    # --- destroy in reverse: nothing is left but the fixture networks ---
    destroy_in_reverse(emulator, stacks)
    assert glue_connection_names(emulator) == []
    assert emulator.inventory() == baseline


def test_destroying_the_producer_first_fails_naming_the_endpoint_then_the_right_order_cleans_up(
        emulator, deployed, baseline):
    before = emulator.inventory()
    endpoint_id = deployed.endpoint.id
    seq = emulator.last_seq()
    with pytest.raises(grpc.RpcError) as error:
        deployed.producer.destroy(timeout=30)  # on failure the engine keeps the resource in its state
    message = error.value.details()
    assert endpoint_id in message and CONSUMER in message, message
    assert emulator.inventory() == before, "the failed destroy deleted something"
    assert writes_since(emulator, seq) == [], "the guard runs before any delete"
    assert endpoint_state(emulator, endpoint_id) == "available"

    destroy_in_reverse(emulator, deployed)
    assert emulator.inventory() == baseline
