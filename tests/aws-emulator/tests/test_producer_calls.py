"""Every AWS call the PrivateLinkProducer resource makes, with its parameters, answered as AWS would.
AWS pages per behaviour are cited in the emulator modules (ext/elbv2.py, ext/target_groups.py,
ext/endpoint_services.py) and in ../README.md."""
import re
import time

from dnslib import DNSRecord

from conftest import CONSUMER, REGION
from helpers import error_code, network, security_group

PORT = 5432
CONSUMER_PRINCIPAL = f"arn:aws:iam::{CONSUMER}:root"


def _tags(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _nlb_args(subnets, groups, name="pl-nlb"):
    return dict(Name=name, Type="network", Scheme="internal", Subnets=subnets, SecurityGroups=groups,
                Tags=_tags(stack="producer"))


def _tg_args(vpc, name="pl-tg"):
    return dict(Name=name, Protocol="TCP", Port=PORT, VpcId=vpc, TargetType="ip", HealthCheckProtocol="TCP",
                HealthCheckPort=str(PORT), HealthCheckIntervalSeconds=10, HealthyThresholdCount=3,
                UnhealthyThresholdCount=3, Tags=_tags(stack="producer"))


def _nlb_with_group(ec2, elbv2):
    vpc, subnets = network(ec2)
    group = security_group(ec2, vpc, "nlb")
    lb = elbv2.create_load_balancer(**_nlb_args(subnets, [group]))["LoadBalancers"][0]
    return vpc, subnets, group, lb["LoadBalancerArn"]


def _service(ec2, nlb_arn, token="token-1", **extra):
    return ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb_arn], AcceptanceRequired=True, ClientToken=token,
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": _tags(stack="producer")}],
        **extra)["ServiceConfiguration"]


def _describe_service(ec2, service_id):
    return ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])["ServiceConfigurations"][0]


def _health(elbv2, tg):
    return {(d["Target"]["Id"], d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"))
            for d in elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]}


# ---------------------------------------------------------------------------- EC2 basics (moto as is)

def test_subnets_report_zone_ids_consistent_with_describe_zones(ec2_a):
    vpc, subnets = network(ec2_a)
    assert ec2_a.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlock"] == "10.0.0.0/16"
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in ec2_a.describe_availability_zones()["AvailabilityZones"]}
    for subnet in ec2_a.describe_subnets(SubnetIds=subnets)["Subnets"]:
        assert re.fullmatch(r"use1-az\d", subnet["AvailabilityZoneId"])
        assert zone_ids[subnet["AvailabilityZone"]] == subnet["AvailabilityZoneId"]


def test_security_group_calls(ec2_a):
    vpc, _subnets = network(ec2_a)
    group = ec2_a.create_security_group(
        GroupName="pl-nlb", Description="NLB", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(stack="producer")}])["GroupId"]
    assert error_code(ec2_a.create_security_group, GroupName="pl-nlb", Description="NLB",
                      VpcId=vpc) == "InvalidGroup.Duplicate"
    rule = [{"IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
             "IpRanges": [{"CidrIp": "10.1.0.0/16", "Description": "consumer"}]}]
    ec2_a.authorize_security_group_ingress(GroupId=group, IpPermissions=rule)
    ec2_a.authorize_security_group_egress(GroupId=group, IpPermissions=rule)
    found = ec2_a.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["pl-nlb"]},
                                                    {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [group]
    assert found[0]["Tags"] == _tags(stack="producer")
    rules = ec2_a.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert {(r["IsEgress"], r.get("CidrIpv4"), r.get("Description"), r["FromPort"]) for r in rules} >= \
        {(False, "10.1.0.0/16", "consumer", PORT), (True, "10.1.0.0/16", "consumer", PORT)}
    ec2_a.revoke_security_group_ingress(GroupId=group, IpPermissions=rule)
    ec2_a.revoke_security_group_egress(GroupId=group, IpPermissions=rule)
    assert error_code(ec2_a.revoke_security_group_ingress, GroupId=group,
                      IpPermissions=rule) == "InvalidPermission.NotFound"
    ec2_a.create_tags(Resources=[group], Tags=_tags(owner="x"))
    ec2_a.delete_tags(Resources=[group], Tags=[{"Key": "owner"}])
    assert ec2_a.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["Tags"] == _tags(stack="producer")
    ec2_a.delete_security_group(GroupId=group)


# ---------------------------------------------------------------------------- ELBv2 fixes

def test_create_load_balancer_is_idempotent(ec2_a, elbv2_a):
    vpc, subnets, group, arn = _nlb_with_group(ec2_a, elbv2_a)
    again = elbv2_a.create_load_balancer(**_nlb_args(subnets, [group]))["LoadBalancers"][0]
    assert again["LoadBalancerArn"] == arn
    assert len(elbv2_a.describe_load_balancers(Names=["pl-nlb"])["LoadBalancers"]) == 1
    assert error_code(elbv2_a.create_load_balancer,
                      **_nlb_args(subnets[:1], [group])) == "DuplicateLoadBalancerName"


def test_load_balancer_name_rules(ec2_a, elbv2_a):
    _vpc, subnets = network(ec2_a)
    for name in ("a" * 33, "-edge", "edge-", "internal-db", "under_score"):
        assert error_code(elbv2_a.create_load_balancer, **_nlb_args(subnets, [], name=name)) == "ValidationError"
    assert elbv2_a.create_load_balancer(**_nlb_args(subnets, [], name="a" * 32))["LoadBalancers"]


def test_nlb_security_groups_and_private_link_enforcement(ec2_a, elbv2_a):
    vpc, subnets, group, arn = _nlb_with_group(ec2_a, elbv2_a)
    lb = elbv2_a.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert lb["State"]["Code"] == "active" and lb["SecurityGroups"] == [group] and lb["DNSName"]
    assert [z["SubnetId"] for z in lb["AvailabilityZones"]] == subnets
    assert lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "on"
    answer = elbv2_a.set_security_groups(LoadBalancerArn=arn, SecurityGroups=[group],
                                         EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="off")
    assert answer["SecurityGroupIds"] == [group]
    assert answer["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    lb = elbv2_a.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    # An NLB created without security groups can never get one.
    bare = elbv2_a.create_load_balancer(Name="bare", Type="network", Scheme="internal",
                                        Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    assert "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic" not in \
        elbv2_a.describe_load_balancers(LoadBalancerArns=[bare])["LoadBalancers"][0]
    assert error_code(elbv2_a.set_security_groups, LoadBalancerArn=bare,
                      SecurityGroups=[group]) == "InvalidConfigurationRequest"


def test_cross_zone_attribute(ec2_a, elbv2_a):
    _vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    for value in ("true", "false"):
        elbv2_a.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": value}])
        attributes = elbv2_a.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        assert {"Key": "load_balancing.cross_zone.enabled", "Value": value} in attributes


def test_create_target_group_is_idempotent(ec2_a, elbv2_a):
    vpc, _subnets = network(ec2_a)
    tg = elbv2_a.create_target_group(**_tg_args(vpc))["TargetGroups"][0]
    assert (tg["Protocol"], tg["Port"], tg["TargetType"], tg["HealthCheckPort"]) == ("TCP", PORT, "ip", str(PORT))
    again = elbv2_a.create_target_group(**_tg_args(vpc))["TargetGroups"][0]
    assert again["TargetGroupArn"] == tg["TargetGroupArn"]
    assert error_code(elbv2_a.create_target_group, **{**_tg_args(vpc), "Port": 6432}) == "DuplicateTargetGroupName"
    changed = elbv2_a.modify_target_group(TargetGroupArn=tg["TargetGroupArn"], HealthCheckIntervalSeconds=30,
                                          HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]
    assert (changed["HealthCheckIntervalSeconds"], changed["HealthyThresholdCount"]) == (30, 2)


def test_target_health_unused_initial_healthy_draining(emulator, ec2_a, elbv2_a):
    emulator.call("POST", "/_emulator/config", {"target_registration": 0.3, "target_deregistration": 0.3})
    vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    tg = elbv2_a.create_target_group(**_tg_args(vpc))["TargetGroups"][0]["TargetGroupArn"]
    targets = [{"Id": "10.0.1.10", "Port": PORT}, {"Id": "10.0.2.10", "Port": PORT}]
    elbv2_a.register_targets(TargetGroupArn=tg, Targets=targets)
    assert _health(elbv2_a, tg) == {(t["Id"], "unused", "Target.NotInUse") for t in targets}

    elbv2_a.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=PORT,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    assert _health(elbv2_a, tg) == {(t["Id"], "initial", "Elb.RegistrationInProgress") for t in targets}
    time.sleep(0.35)
    assert _health(elbv2_a, tg) == {(t["Id"], "healthy", None) for t in targets}

    elbv2_a.deregister_targets(TargetGroupArn=tg, Targets=targets[1:])
    assert _health(elbv2_a, tg) == {("10.0.1.10", "healthy", None),
                                    ("10.0.2.10", "draining", "Target.DeregistrationInProgress")}
    time.sleep(0.35)
    assert _health(elbv2_a, tg) == {("10.0.1.10", "healthy", None)}


def test_listener_calls_and_target_group_in_use(ec2_a, elbv2_a):
    vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    tg = elbv2_a.create_target_group(**_tg_args(vpc))["TargetGroups"][0]["TargetGroupArn"]
    listener = elbv2_a.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=PORT, Tags=_tags(stack="producer"),
                                       DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]
    elbv2_a.modify_listener(ListenerArn=listener["ListenerArn"], Port=6432)
    (described,) = elbv2_a.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    assert (described["Port"], described["DefaultActions"][0]["TargetGroupArn"]) == (6432, tg)
    assert error_code(elbv2_a.delete_target_group, TargetGroupArn=tg) == "ResourceInUse"
    arns = [arn, tg, listener["ListenerArn"]]
    elbv2_a.add_tags(ResourceArns=arns, Tags=_tags(extra="1"))
    elbv2_a.remove_tags(ResourceArns=arns, TagKeys=["extra"])
    assert [d["Tags"] for d in elbv2_a.describe_tags(ResourceArns=arns)["TagDescriptions"]] == \
        [_tags(stack="producer")] * 3
    # Deleting the load balancer removes its listeners, so the target group is free.
    elbv2_a.delete_load_balancer(LoadBalancerArn=arn)
    elbv2_a.delete_target_group(TargetGroupArn=tg)


# ---------------------------------------------------------------------------- endpoint service fixes

def test_service_create_is_idempotent_with_client_token(ec2_a, elbv2_a):
    _vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    first = _service(ec2_a, arn)
    assert _service(ec2_a, arn)["ServiceId"] == first["ServiceId"]
    assert _service(ec2_a, arn, token="token-2")["ServiceId"] != first["ServiceId"]
    assert len(ec2_a.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]) == 2


def test_service_shape_pending_then_available(ec2_a, elbv2_a):
    _vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    created = _service(ec2_a, arn, PrivateDnsName="db.example.com", SupportedRegions=[REGION])
    assert created["ServiceState"] == "Pending"
    service = _describe_service(ec2_a, created["ServiceId"])
    assert service["ServiceState"] == "Available"
    assert service["ServiceName"] == f"com.amazonaws.vpce.{REGION}.{created['ServiceId']}"
    assert re.fullmatch(r"vpce-svc-[0-9a-f]+", created["ServiceId"])
    assert service["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert service["AcceptanceRequired"] is True and service["NetworkLoadBalancerArns"] == [arn]
    assert service["PrivateDnsName"] == "db.example.com"
    dns = service["PrivateDnsNameConfiguration"]
    assert (dns["State"], dns["Type"]) == ("pendingVerification", "TXT")
    assert dns["Name"].startswith("_") and dns["Value"].startswith("vpce:")
    assert [r["Region"] for r in service["SupportedRegions"]] == [REGION]
    assert service["Tags"] == _tags(stack="producer")
    # Without SupportedRegions the own Region is still listed, and there is no DNS configuration.
    plain = _service(ec2_a, arn, token="token-2")
    assert [r["Region"] for r in plain["SupportedRegions"]] == [REGION]
    assert "PrivateDnsNameConfiguration" not in plain and "PrivateDnsName" not in plain


def test_service_modify_and_private_dns_verification(emulator, ec2_a, elbv2_a):
    _vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    service_id = _service(ec2_a, arn, PrivateDnsName="db.example.com")["ServiceId"]
    check = _describe_service(ec2_a, service_id)["PrivateDnsNameConfiguration"]
    # No TXT record published: the check does not succeed.
    assert ec2_a.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)["ReturnValue"]
    assert _describe_service(ec2_a, service_id)["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    # The record on the parent domain verifies the name.
    record = f"{check['Name']}.example.com"
    emulator.call("POST", "/_emulator/dns", {"hostname": record, "txt": [check["Value"]]})
    host, port = emulator.dns_server.rsplit(":", 1)
    answer = DNSRecord.parse(DNSRecord.question(record, "TXT").send(host, int(port), timeout=2))
    assert [str(rr.rdata).strip('"') for rr in answer.rr] == [check["Value"]]
    ec2_a.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)
    assert _describe_service(ec2_a, service_id)["PrivateDnsNameConfiguration"]["State"] == "verified"

    ec2_a.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id, AcceptanceRequired=False, PrivateDnsName="other.example.org",
        AddSupportedRegions=["us-west-2"])
    service = _describe_service(ec2_a, service_id)
    assert service["AcceptanceRequired"] is False and service["PrivateDnsName"] == "other.example.org"
    assert service["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    assert [r["Region"] for r in service["SupportedRegions"]] == [REGION, "us-west-2"]

    ec2_a.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id, RemovePrivateDnsName=True, RemoveSupportedRegions=["us-west-2", "eu-west-1"])
    service = _describe_service(ec2_a, service_id)
    assert "PrivateDnsName" not in service and "PrivateDnsNameConfiguration" not in service
    assert [r["Region"] for r in service["SupportedRegions"]] == [REGION]


def test_service_filters_permissions_tags_and_connections(ec2_a, elbv2_a):
    _vpc, _subnets, _group, arn = _nlb_with_group(ec2_a, elbv2_a)
    mine = _service(ec2_a, arn)["ServiceId"]
    other = _service(ec2_a, arn, token="token-2")["ServiceId"]
    ec2_a.create_tags(Resources=[other], Tags=_tags(stack="other"))
    found = ec2_a.describe_vpc_endpoint_service_configurations(
        Filters=[{"Name": "tag:stack", "Values": ["producer"]}])["ServiceConfigurations"]
    assert [s["ServiceId"] for s in found] == [mine]
    ec2_a.delete_tags(Resources=[other], Tags=[{"Key": "stack"}])
    assert _describe_service(ec2_a, other).get("Tags", []) == []

    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=mine, AddAllowedPrincipals=[CONSUMER_PRINCIPAL])
    principals = ec2_a.describe_vpc_endpoint_service_permissions(ServiceId=mine)["AllowedPrincipals"]
    assert [p["Principal"] for p in principals] == [CONSUMER_PRINCIPAL]
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=mine, RemoveAllowedPrincipals=[CONSUMER_PRINCIPAL])
    assert ec2_a.describe_vpc_endpoint_service_permissions(ServiceId=mine)["AllowedPrincipals"] == []
    assert ec2_a.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [mine]}])["VpcEndpointConnections"] == []
    result = ec2_a.reject_vpc_endpoint_connections(ServiceId=mine, VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"


# ---------------------------------------------------------------------------- the whole producer

def test_producer_create_and_delete_leaves_nothing(emulator, ec2_a, elbv2_a):
    vpc, subnets = network(ec2_a)
    # Create, in the producer's order.
    group = ec2_a.create_security_group(
        GroupName="pl-nlb", Description="PrivateLink NLB", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(stack="producer")}])["GroupId"]
    ec2_a.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
         "IpRanges": [{"CidrIp": "10.1.0.0/16", "Description": "consumer VPC"}]}])
    arn = elbv2_a.create_load_balancer(**_nlb_args(subnets, [group]))["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2_a.set_security_groups(LoadBalancerArn=arn, SecurityGroups=[group],
                                EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="on")
    elbv2_a.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}])
    tg = elbv2_a.create_target_group(**_tg_args(vpc))["TargetGroups"][0]["TargetGroupArn"]
    elbv2_a.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.0.1.10", "Port": PORT}])
    listener = elbv2_a.create_listener(LoadBalancerArn=arn, Protocol="TCP", Port=PORT, Tags=_tags(stack="producer"),
                                       DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    listener = listener["Listeners"][0]["ListenerArn"]
    assert elbv2_a.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["State"]["Code"] == "active"
    service_id = _service(ec2_a, arn, PrivateDnsName="db.example.com", SupportedRegions=[REGION])["ServiceId"]
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=service_id, AddAllowedPrincipals=[CONSUMER_PRINCIPAL])
    ec2_a.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)
    assert _describe_service(ec2_a, service_id)["ServiceState"] == "Available"
    assert _health(elbv2_a, tg) == {("10.0.1.10", "healthy", None)}

    # Delete, in reverse; what depends on something else is refused until it is gone.
    assert error_code(elbv2_a.delete_load_balancer, LoadBalancerArn=arn) == "ResourceInUse"
    assert error_code(ec2_a.delete_security_group, GroupId=group) == "DependencyViolation"
    assert ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])["Unsuccessful"] == []
    elbv2_a.delete_listener(ListenerArn=listener)
    elbv2_a.delete_target_group(TargetGroupArn=tg)
    elbv2_a.delete_load_balancer(LoadBalancerArn=arn)
    ec2_a.delete_security_group(GroupId=group)
    for subnet in subnets:
        ec2_a.delete_subnet(SubnetId=subnet)
    ec2_a.delete_vpc(VpcId=vpc)
    assert emulator.inventory() == {}
