"""Deletes that AWS refuses while something depends on the resource.
AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpcEndpointServiceConfigurations.html
     https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html"""
import time

from conftest import CONSUMER
from helpers import endpoint, endpoint_state, error_code, network, nlb, security_group, service


def _pair(ec2_a, ec2_b, elbv2_a, acceptance=True):
    vpc, subnets = network(ec2_a)
    nlb_group = security_group(ec2_a, vpc, "nlb")
    arn = nlb(elbv2_a, subnets, [nlb_group])
    svc = service(ec2_a, arn, acceptance, principals=(f"arn:aws:iam::{CONSUMER}:root",))
    vpc_b, subnets_b = network(ec2_b, "10.1.0.0/16")
    ep_group = security_group(ec2_b, vpc_b, "endpoint")
    ep = endpoint(ec2_b, vpc_b, subnets_b, [ep_group], svc["ServiceName"])
    return svc, arn, nlb_group, ep, ep_group


def test_service_with_pending_or_available_connection_is_not_deleted(ec2_a, ec2_b, elbv2_a):
    svc, _arn, _g, ep, _eg = _pair(ec2_a, ec2_b, elbv2_a)
    for _ in ("pendingAcceptance", "available"):
        result = ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
        assert [(u["ResourceId"], u["Error"]["Code"]) for u in result["Unsuccessful"]] == \
            [(svc["ServiceId"], "ExistingVpcEndpointConnections")]
        ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    assert ec2_a.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    # A rejected connection no longer blocks the delete.
    ec2_a.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    assert ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])["Unsuccessful"] == []


def test_unknown_service_delete_is_an_unsuccessful_item(ec2_a):
    result = ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=["vpce-svc-00000000"])
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointService.NotFound"


def test_nlb_of_an_endpoint_service_is_in_use(ec2_a, ec2_b, elbv2_a):
    svc, arn, _g, _ep, _eg = _pair(ec2_a, ec2_b, elbv2_a, acceptance=False)
    assert error_code(elbv2_a.delete_load_balancer, LoadBalancerArn=arn) == "ResourceInUse"
    ec2_b.delete_vpc_endpoints(VpcEndpointIds=[_ep["VpcEndpointId"]])
    ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
    elbv2_a.delete_load_balancer(LoadBalancerArn=arn)


def test_security_group_of_endpoint_eni_and_nlb_is_a_dependency(emulator, ec2_a, ec2_b, elbv2_a):
    emulator.call("POST", "/_emulator/config", {"eni_release": 0.5})
    svc, arn, nlb_group, ep, ep_group = _pair(ec2_a, ec2_b, elbv2_a, acceptance=False)
    assert error_code(ec2_b.delete_security_group, GroupId=ep_group) == "DependencyViolation"
    assert error_code(ec2_a.delete_security_group, GroupId=nlb_group) == "DependencyViolation"

    ec2_b.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    # Gone, but its ENIs still hold the group for eni_release seconds.
    assert error_code(ec2_b.describe_vpc_endpoints, VpcEndpointIds=[ep["VpcEndpointId"]]) == "InvalidVpcEndpointId.NotFound"
    assert error_code(ec2_b.delete_security_group, GroupId=ep_group) == "DependencyViolation"
    time.sleep(0.6)
    ec2_b.delete_security_group(GroupId=ep_group)

    ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
    elbv2_a.delete_load_balancer(LoadBalancerArn=arn)
    assert error_code(ec2_a.delete_security_group, GroupId=nlb_group) == "DependencyViolation"
    time.sleep(0.6)
    ec2_a.delete_security_group(GroupId=nlb_group)


def test_interfaces_held_after_a_delete_are_listed_until_released(emulator, ec2_a, ec2_b, elbv2_a):
    """DescribeNetworkInterfaces (filter group-id) lists the requester-managed ENIs of a deleted
    endpoint or load balancer until AWS releases them, so a client can wait by reading.
    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
         https://docs.aws.amazon.com/vpc/latest/privatelink/delete-interface-endpoint.html"""
    emulator.call("POST", "/_emulator/config", {"eni_release": 0.5})
    svc, arn, nlb_group, ep, ep_group = _pair(ec2_a, ec2_b, elbv2_a, acceptance=False)

    def using(ec2, group):
        return ec2.describe_network_interfaces(
            Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"]

    ec2_b.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    held = using(ec2_b, ep_group)
    assert held and all(e["RequesterManaged"] and e["Status"] == "in-use" for e in held), held
    assert all(e["Description"] == f"VPC Endpoint Interface {ep['VpcEndpointId']}" for e in held)
    ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
    elbv2_a.delete_load_balancer(LoadBalancerArn=arn)
    held = using(ec2_a, nlb_group)
    assert held and all(e["Description"].startswith("ELB net/") and e["RequesterManaged"] for e in held), held
    time.sleep(0.6)
    assert using(ec2_b, ep_group) == [] and using(ec2_a, nlb_group) == []
    ec2_b.delete_security_group(GroupId=ep_group)
    ec2_a.delete_security_group(GroupId=nlb_group)


def test_security_group_referenced_by_another_groups_rule(ec2_a):
    vpc, _subnets = network(ec2_a)
    db, nlb_group = security_group(ec2_a, vpc, "db"), security_group(ec2_a, vpc, "nlb")
    ec2_a.authorize_security_group_ingress(GroupId=db, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": nlb_group}]}])
    assert error_code(ec2_a.delete_security_group, GroupId=nlb_group) == "DependencyViolation"
    ec2_a.delete_security_group(GroupId=db)
    ec2_a.delete_security_group(GroupId=nlb_group)


def test_deleting_unknown_endpoint_is_an_unsuccessful_item(ec2_b):
    result = ec2_b.delete_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpoint.NotFound"


def test_subnet_with_endpoint_interfaces_is_a_dependency(emulator, ec2_a, ec2_b, elbv2_a):
    emulator.call("POST", "/_emulator/config", {"eni_release": 0.5})
    svc, arn, _g, ep, ep_group = _pair(ec2_a, ec2_b, elbv2_a, acceptance=False)
    subnet = ec2_b.describe_vpc_endpoints()["VpcEndpoints"][0]["SubnetIds"][0]
    assert error_code(ec2_b.delete_subnet, SubnetId=subnet) == "DependencyViolation"
    nlb_subnet = elbv2_a.describe_load_balancers()["LoadBalancers"][0]["AvailabilityZones"][0]["SubnetId"]
    assert error_code(ec2_a.delete_subnet, SubnetId=nlb_subnet) == "DependencyViolation"
    ec2_b.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    ec2_b.describe_vpc_endpoints()
    assert error_code(ec2_b.delete_subnet, SubnetId=subnet) == "DependencyViolation"
    time.sleep(0.6)
    ec2_b.delete_subnet(SubnetId=subnet)
