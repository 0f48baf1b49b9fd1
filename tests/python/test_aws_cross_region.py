"""Cross-Region PrivateLink (issue 15): a producer in us-east-1 that supports us-west-2, a consumer
in us-west-2 with serviceRegion us-east-1. The emulator admits such a consumer only with
ServiceRegion and only from a Region the service supports, and does not compare the consumer's
zones with the service's (tests/aws-emulator/README.md, "Cross-Region PrivateLink")."""

import grpc
import pytest

from article import (ACCEPTANCE_TYPE, CONSUMER_TYPE, PRODUCER_TYPE, acceptance_inputs, consumer_inputs,
                     producer_inputs)
from behaviour import check_refuses
from lifecycle import ManagedResource
from networks import helpers  # tests/aws-emulator/tests/helpers.py
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed

WEST = "us-west-2"
WEST_ZONES = ("us-west-2a", "us-west-2b")


def failure_text(error):
    return error.message if isinstance(error, InitFailed) else error.details()


@pytest.fixture
def west_network(emulator):
    """The consumer's VPC in us-west-2 (10.1.0.0/16, one subnet in each of two zones) and the
    Glue security group."""
    ec2 = emulator.client("ec2", CONSUMER, region=WEST)
    vpc, subnets = helpers.network(ec2, "10.1.0.0/16", WEST_ZONES)
    return {"vpc_id": vpc, "subnet_ids": subnets, "vpc_cidr": "10.1.0.0/16",
            "glue_sg_id": helpers.security_group(ec2, vpc, "glue")}


@pytest.fixture
def west_session(provider_session):
    return provider_session(CONSUMER, region=WEST)


def endpoint_in_aws(emulator, endpoint_id):
    found = emulator.client("ec2", CONSUMER, region=WEST).describe_vpc_endpoints(
        Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}])["VpcEndpoints"]
    return found[0] if found else None


def test_a_consumer_in_another_region_comes_up_is_accepted_refreshed_and_destroyed_clean(
        emulator, provider_session, producer, producer_network, west_network):
    baseline = emulator.inventory()
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, west_network, supportedRegions=[WEST]))
    assert service.outputs["supportedRegions"] == [WEST]
    endpoint = ManagedResource(provider_session(CONSUMER, region=WEST), CONSUMER_TYPE, "endpoint")
    # Its subnets are in us-west-2 zones, none of the service's: the zone preflight must not refuse.
    news = consumer_inputs(west_network, service.outputs["serviceName"], serviceRegion="us-east-1")
    endpoint.up(news)
    made = emulator.log(action="CreateVpcEndpoint")
    assert [(e["region"], e["outcome"]) for e in made] == [(WEST, "ok")]
    assert endpoint.outputs["state"] == "pendingAcceptance"
    assert endpoint_in_aws(emulator, endpoint.id)["ServiceRegion"] == "us-east-1"

    acceptance = ManagedResource(provider_session(PRODUCER), ACCEPTANCE_TYPE, "acceptance")
    acceptance.up(acceptance_inputs(service.outputs["serviceId"], endpoint.id))
    assert endpoint_in_aws(emulator, endpoint.id)["State"] == "available"

    for resource in (service, endpoint, acceptance):
        assert resource.refresh(), f"{resource.type} vanished on refresh"
    assert endpoint.outputs["state"] == "available"
    assert endpoint.inputs["serviceRegion"] == "us-east-1"
    assert [c["endpointId"] for c in service.outputs["connections"]] == [endpoint.id]
    seq = emulator.last_seq()
    assert endpoint.up(news).changes == "DIFF_NONE"  # refresh left no drift
    assert emulator.log(since=seq, write=True) == []

    acceptance.destroy()
    endpoint.destroy()
    service.destroy()
    assert emulator.inventory() == baseline


def test_a_consumer_in_a_region_the_service_does_not_support_is_refused_before_any_write(
        emulator, producer, producer_network, west_network, west_session):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, west_network, supportedRegions=["eu-west-1"]))
    endpoint = ManagedResource(west_session, CONSUMER_TYPE, "endpoint")
    seq = emulator.last_seq()
    with pytest.raises((InitFailed, grpc.RpcError)) as refused:
        endpoint.up(consumer_inputs(west_network, service.outputs["serviceName"], serviceRegion="us-east-1"),
                    timeout=120)
    assert failure_text(refused.value).startswith("serviceName:"), failure_text(refused.value)
    assert WEST in failure_text(refused.value) and "supportedRegions" in failure_text(refused.value)
    assert [e["action"] for e in emulator.log(since=seq, write=True)] == []


def test_a_service_in_another_region_without_service_region_is_refused_naming_service_region(
        emulator, producer, producer_network, west_network, west_session):
    """AWS looks for the service in the caller's Region unless ServiceRegion says otherwise, so
    the provider asks for serviceRegion before any AWS call."""
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, west_network, supportedRegions=[WEST]))
    endpoint = ManagedResource(west_session, CONSUMER_TYPE, "endpoint")
    seq = emulator.last_seq()
    with pytest.raises((InitFailed, grpc.RpcError)) as refused:
        endpoint.up(consumer_inputs(west_network, service.outputs["serviceName"]), timeout=120)
    assert failure_text(refused.value).startswith("serviceRegion:"), failure_text(refused.value)
    assert "us-east-1" in failure_text(refused.value)
    assert emulator.log(since=seq, account=CONSUMER) == []


def test_removing_a_region_with_connected_endpoints_says_which_stay_connected(
        emulator, provider_session, producer, producer_network, west_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    news = producer_inputs(producer_network, west_network, supportedRegions=[WEST])
    service.up(news)
    endpoint = ManagedResource(provider_session(CONSUMER, region=WEST), CONSUMER_TYPE, "endpoint")
    endpoint.up(consumer_inputs(west_network, service.outputs["serviceName"], serviceRegion="us-east-1"))

    service.up({**news, "supportedRegions": []})
    warnings = [line.message for line in producer.logs() if line.severity == "WARNING"]
    assert any(WEST in w and endpoint.id in w for w in warnings), warnings
    # AWS keeps the Region (Deleting) while the endpoint is connected; the state follows the inputs.
    assert service.outputs.get("supportedRegions") in (None, [])
    assert endpoint.refresh() and endpoint.outputs["state"] == "pendingAcceptance"
    endpoint.destroy()
    assert service.refresh() and service.outputs.get("supportedRegions") in (None, [])
    service.destroy()


def test_a_service_region_other_than_the_service_names_own_fails_check(emulator, west_network, west_session):
    """A service name carries the Region the service was made in, its only Region."""
    name = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    failures = check_refuses(emulator, west_session, CONSUMER_TYPE,
                             consumer_inputs(west_network, name, serviceRegion="eu-west-1"), {"serviceRegion"})
    assert "us-east-1" in failures[0][1], failures
