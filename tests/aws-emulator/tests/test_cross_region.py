"""Cross-Region PrivateLink (ext/cross_region.py): a service in us-east-1 that supports us-west-2 is
found and reached from us-west-2 with ServiceRegion, and only then.
AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SupportedRegionDetail.html"""
import pytest

from conftest import CONSUMER, PRODUCER
from helpers import endpoint_state, error_code, network, nlb, security_group, service

WEST = "us-west-2"
WEST_ZONES = ("us-west-2a", "us-west-2b")


@pytest.fixture
def ec2_west(emulator):
    return emulator.client("ec2", CONSUMER, region=WEST)


def _service(ec2_a, elbv2_a, regions=(WEST,)):
    vpc, subnets = network(ec2_a)
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    config = ec2_a.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn], AcceptanceRequired=True,
        SupportedRegions=list(regions))["ServiceConfiguration"]
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=config["ServiceId"],
                                                  AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    return config


def _west_network(ec2_west):
    vpc, subnets = network(ec2_west, "10.1.0.0/16", WEST_ZONES)
    return vpc, subnets, security_group(ec2_west, vpc, "endpoint")


def _regions(ec2_a, service_id):
    config = ec2_a.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])["ServiceConfigurations"][0]
    return {r["Region"]: r["ServiceState"] for r in config["SupportedRegions"]}, config["RemoteAccessEnabled"]


def _create(ec2_west, vpc, subnets, group, name, **extra):
    return ec2_west.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=name,
                                        SubnetIds=subnets, SecurityGroupIds=[group], **extra)


def test_each_supported_region_has_its_state_and_the_own_region_is_always_listed(emulator, ec2_a, elbv2_a):
    emulator.config(service_pending=30)
    svc = _service(ec2_a, elbv2_a)
    assert _regions(ec2_a, svc["ServiceId"]) == ({"us-east-1": "Available", WEST: "Pending"}, False)
    emulator.config(service_pending=0)
    ec2_a.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"], AddSupportedRegions=["eu-west-1"])
    ec2_a.describe_vpc_endpoint_service_configurations()  # lazy timers run on the next call
    regions, remote = _regions(ec2_a, svc["ServiceId"])
    assert regions["eu-west-1"] == "Available" and remote is True
    ec2_a.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"],
                                                    RemoveSupportedRegions=["eu-west-1", "ap-south-1", "us-east-1"])
    assert set(_regions(ec2_a, svc["ServiceId"])[0]) == {"us-east-1", WEST}


def test_a_consumer_in_another_region_finds_and_connects_only_with_service_region(ec2_a, elbv2_a, ec2_west):
    svc = _service(ec2_a, elbv2_a)
    name = svc["ServiceName"]
    vpc, subnets, group = _west_network(ec2_west)
    # Without ServiceRegion the service is looked for in the caller's Region.
    assert error_code(ec2_west.describe_vpc_endpoint_services, ServiceNames=[name]) == "InvalidServiceName"
    assert error_code(_create, ec2_west, vpc, subnets, group, name) == "InvalidServiceName"

    detail = ec2_west.describe_vpc_endpoint_services(ServiceNames=[name], ServiceRegions=["us-east-1"])
    (found,) = detail["ServiceDetails"]
    assert (found["ServiceRegion"], found["Owner"]) == ("us-east-1", PRODUCER)
    assert found["AvailabilityZoneIds"] and all(z.startswith("use1-") for z in found["AvailabilityZoneIds"])

    # The consumer's subnets are in us-west-2's zones, none of the service's: no zone comparison.
    ep = _create(ec2_west, vpc, subnets, group, name, ServiceRegion="us-east-1")["VpcEndpoint"]
    assert ep["State"] == "pendingAcceptance" and ep["ServiceRegion"] == "us-east-1"
    assert [e["DnsName"].split(".", 1)[1] for e in ep["DnsEntries"]] == [f"{svc['ServiceId']}.us-east-1.vpce.amazonaws.com"]

    (connection,) = ec2_a.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert (connection["VpcEndpointId"], connection["VpcEndpointRegion"]) == (ep["VpcEndpointId"], WEST)
    assert ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"],
                                                 VpcEndpointIds=[ep["VpcEndpointId"]])["Unsuccessful"] == []
    assert endpoint_state(ec2_west, ep["VpcEndpointId"]) == "available"
    by_region = ec2_west.describe_vpc_endpoints(Filters=[{"Name": "service-region", "Values": ["us-east-1"]}])
    assert [e["VpcEndpointId"] for e in by_region["VpcEndpoints"]] == [ep["VpcEndpointId"]]
    # One subnet per zone still holds for the endpoint itself.
    extra = ec2_west.create_subnet(VpcId=vpc, CidrBlock="10.1.9.0/24", AvailabilityZone=WEST_ZONES[0])
    assert error_code(ec2_west.modify_vpc_endpoint, VpcEndpointId=ep["VpcEndpointId"],
                      AddSubnetIds=[extra["Subnet"]["SubnetId"]]) == "DuplicateSubnetsInSameZone"


def test_a_region_the_service_does_not_support_or_not_yet_is_refused(emulator, ec2_a, elbv2_a, ec2_west):
    svc = _service(ec2_a, elbv2_a, regions=("eu-west-1",))
    vpc, subnets, group = _west_network(ec2_west)
    assert error_code(_create, ec2_west, vpc, subnets, group, svc["ServiceName"],
                      ServiceRegion="us-east-1") == "InvalidServiceName"
    assert ec2_west.describe_vpc_endpoint_services(ServiceRegions=["us-east-1"])["ServiceDetails"] == []
    emulator.config(service_pending=30)
    ec2_a.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"], AddSupportedRegions=[WEST])
    assert error_code(_create, ec2_west, vpc, subnets, group, svc["ServiceName"],
                      ServiceRegion="us-east-1") == "InvalidServiceName"  # still Pending
    assert ec2_west.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_a_region_removed_while_connected_stays_deleting_until_its_endpoints_are_gone(ec2_a, elbv2_a, ec2_west):
    svc = _service(ec2_a, elbv2_a)
    vpc, subnets, group = _west_network(ec2_west)
    ep = _create(ec2_west, vpc, subnets, group, svc["ServiceName"], ServiceRegion="us-east-1")["VpcEndpoint"]
    ec2_a.modify_vpc_endpoint_service_configuration(ServiceId=svc["ServiceId"], RemoveSupportedRegions=[WEST])
    assert _regions(ec2_a, svc["ServiceId"])[0][WEST] == "Deleting"
    assert endpoint_state(ec2_west, ep["VpcEndpointId"]) == "pendingAcceptance"  # not cut off
    assert error_code(_create, ec2_west, vpc, subnets[:1], group, svc["ServiceName"],
                      ServiceRegion="us-east-1") == "InvalidServiceName"
    ec2_west.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    ec2_west.describe_vpc_endpoints()  # deleting -> gone on the next call
    assert _regions(ec2_a, svc["ServiceId"])[0] == {"us-east-1": "Available"}
