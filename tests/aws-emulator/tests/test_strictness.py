"""Behaviours that make the emulator at least as strict as AWS where the provider used to get away
with less (issue 15). Each cites its AWS page in ../README.md ("Strictness")."""
from helpers import error_code, network, nlb, security_group


def _service(ec2, nlb_arn, token, acceptance=True):
    return ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb_arn], AcceptanceRequired=acceptance, ClientToken=token)["ServiceConfiguration"]


def test_service_client_token_is_remembered_after_the_service_is_deleted(ec2_a, elbv2_a):
    vpc, subnets = network(ec2_a)
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    first = _service(ec2_a, arn, "token-1")
    ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[first["ServiceId"]])
    again = _service(ec2_a, arn, "token-1")
    assert again["ServiceId"] == first["ServiceId"]
    assert again["ServiceState"] == "Deleted"
    assert error_code(_service, ec2_a, arn, "token-1", acceptance=False) == "IdempotentParameterMismatch"
    assert _service(ec2_a, arn, "token-2")["ServiceId"] != first["ServiceId"]


def test_endpoint_client_token_is_remembered_after_the_endpoint_is_deleted(ec2_a, elbv2_a):
    vpc, subnets = network(ec2_a)
    group = security_group(ec2_a, vpc, "endpoint")
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    name = _service(ec2_a, arn, "svc", acceptance=False)["ServiceName"]

    def create(token, groups):
        return ec2_a.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=name,
                                         SubnetIds=subnets[:1], SecurityGroupIds=groups,
                                         ClientToken=token)["VpcEndpoint"]

    first = create("ep-1", [group])
    ec2_a.delete_vpc_endpoints(VpcEndpointIds=[first["VpcEndpointId"]])
    ec2_a.describe_vpc_endpoints()  # the delete completes (no delay configured)
    again = create("ep-1", [group])
    assert (again["VpcEndpointId"], again["State"]) == (first["VpcEndpointId"], "deleted")
    other = security_group(ec2_a, vpc, "other")
    assert error_code(create, "ep-1", [other]) == "IdempotentParameterMismatch"


def test_lost_answer_fault_carries_out_the_write(emulator, ec2_a):
    vpc, _ = network(ec2_a)
    emulator.fault("CreateSecurityGroup", "lost_answer", answer="http500")
    assert error_code(ec2_a.create_security_group, VpcId=vpc, GroupName="g", Description="d") == "InternalError"
    names = [g["GroupName"] for g in ec2_a.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]]
    assert "g" in names


def test_refuse_fault_is_a_client_error(emulator, ec2_a, elbv2_a):
    emulator.fault("DescribeVpcs", "refuse")
    assert error_code(ec2_a.describe_vpcs) == "UnauthorizedOperation"
    emulator.fault("DescribeLoadBalancers", "refuse", code="AccessDenied")
    assert error_code(elbv2_a.describe_load_balancers) == "AccessDenied"
    ec2_a.describe_vpcs()


def test_aws_delay_profile_scales_every_delay(emulator):
    delays = emulator.call("POST", "/_emulator/config", {"profile": "aws", "scale": 0.5})["delays"]
    assert delays["nlb_provisioning"] == 90.0 and delays["target_deregistration"] == 150.0
    delays = emulator.call("POST", "/_emulator/config", {"profile": "aws", "scale": 0, "eni_release": 1})["delays"]
    assert delays["eni_release"] == 1.0 and delays["nlb_provisioning"] == 0.0


def test_a_target_outside_the_vpc_is_deregistered_only_with_its_zone_all(emulator, ec2_a, elbv2_a):
    vpc, _ = network(ec2_a)
    group = elbv2_a.create_target_group(Name="tg", Protocol="TCP", Port=5432, VpcId=vpc,
                                        TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    outside = {"Id": "10.99.0.10", "Port": 5432, "AvailabilityZone": "all"}
    elbv2_a.register_targets(TargetGroupArn=group, Targets=[outside, {"Id": "10.0.1.10", "Port": 5432}])
    described = {d["Target"]["Id"]: d["Target"].get("AvailabilityZone")
                 for d in elbv2_a.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]}
    assert described == {"10.99.0.10": "all", "10.0.1.10": None}
    assert error_code(elbv2_a.deregister_targets, TargetGroupArn=group,
                      Targets=[{"Id": "10.99.0.10", "Port": 5432}]) == "InvalidTarget"
    elbv2_a.deregister_targets(TargetGroupArn=group, Targets=[outside])
    elbv2_a.deregister_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10", "Port": 5432}])
    assert elbv2_a.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"] == []


def test_a_new_resource_is_missing_from_describe_by_id_for_the_visibility_lag(emulator, ec2_a, elbv2_a):
    import time
    vpc, subnets = network(ec2_a)
    emulator.call("POST", "/_emulator/config", {"visibility_lag": 1.5})
    group = security_group(ec2_a, vpc, "new")
    arn = nlb(elbv2_a, subnets, [group])
    assert error_code(ec2_a.describe_security_groups, GroupIds=[group]) == "InvalidGroup.NotFound"
    assert error_code(elbv2_a.describe_load_balancers, LoadBalancerArns=[arn]) == "LoadBalancerNotFound"
    listed = ec2_a.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert group in [g["GroupId"] for g in listed]  # only reads by id are held back
    time.sleep(1.6)
    assert ec2_a.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["GroupId"] == group
    assert elbv2_a.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["LoadBalancerArn"] == arn
