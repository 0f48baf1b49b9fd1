"""Availability Zones across accounts (issue 15): zone names map to physical zones per account, as
in AWS, so the consumer's preflight compares zone ids with the service's, never names. The emulator
maps names per account (tests/aws-emulator/README.md, "Availability Zones")."""

import grpc
import pytest

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed


def failure_text(error):
    return error.message if isinstance(error, InitFailed) else error.details()


def zone_ids(emulator, account):
    zones = emulator.client("ec2", account).describe_availability_zones()["AvailabilityZones"]
    return {z["ZoneName"]: z["ZoneId"] for z in zones}


def test_the_consumer_preflight_matches_zones_by_id_not_by_name(emulator, provider_session, producer,
                                                                 producer_network, consumer_network):
    producer_ids, consumer_ids = zone_ids(emulator, PRODUCER), zone_ids(emulator, CONSUMER)
    ec2 = emulator.client("ec2", PRODUCER)
    third = ec2.create_subnet(VpcId=producer_network["vpc_id"], CidrBlock="10.0.3.0/24",
                              AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
    # The service's load balancer is in the producer's us-east-1a and us-east-1c only.
    subnets = [producer_network["subnet_ids"][0], third]
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network, subnetIds=subnets))
    served = {producer_ids["us-east-1a"], producer_ids["us-east-1c"]}
    consumer_ec2 = emulator.client("ec2", CONSUMER)
    by_zone = {s["AvailabilityZoneId"]: s["SubnetId"] for s in consumer_ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [consumer_network["vpc_id"]]}])["Subnets"]}
    same_name = consumer_ec2.create_subnet(VpcId=consumer_network["vpc_id"], CidrBlock="10.1.3.0/24",
                                           AvailabilityZone="us-east-1c")["Subnet"]
    assert same_name["AvailabilityZoneId"] not in served  # the name matches, the zone does not
    matching = [subnet for zone_id, subnet in by_zone.items() if zone_id in served]
    assert matching and consumer_ids["us-east-1a"] not in served  # matching zone, other name

    endpoint = ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")
    with pytest.raises((InitFailed, grpc.RpcError)) as refused:
        endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"],
                                    subnetIds=[same_name["SubnetId"]]), timeout=120)
    assert failure_text(refused.value).startswith("subnetIds:"), failure_text(refused.value)
    assert same_name["SubnetId"] in failure_text(refused.value)
    assert emulator.log(action="CreateVpcEndpoint") == []

    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"], subnetIds=matching))
    assert endpoint.outputs["state"] == "pendingAcceptance"
    endpoint.destroy()
    service.destroy()
