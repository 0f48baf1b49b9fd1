"""Route 53 private hosted zones as PrivateLinkConsumer's hostnameAliases use them (ext/route53.py,
AWS pages cited there and in ../README.md): idempotent creation by CallerReference, VPC and
conflict checks, alias targets that must be an endpoint's DNS entry, and resolution inside a VPC."""
import pytest

from conftest import CONSUMER, PRODUCER, REGION
from helpers import error_code, network, nlb, security_group

ALIAS = "orders-proxy.proxy-abc123.us-east-1.rds.amazonaws.com"


def _endpoint(emulator, ec2_a, ec2_b, elbv2_a):
    """B's endpoint to A's service (no acceptance needed), available."""
    vpc_a, subnets_a = network(ec2_a)
    arn = nlb(elbv2_a, subnets_a, [security_group(ec2_a, vpc_a, "nlb")])
    svc = ec2_a.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[arn],
                                                          AcceptanceRequired=False)["ServiceConfiguration"]
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                  AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    vpc_b, subnets_b = network(ec2_b, "10.1.0.0/16")
    group = security_group(ec2_b, vpc_b, "endpoint")
    endpoint = ec2_b.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc_b, ServiceName=svc["ServiceName"],
                                         SubnetIds=subnets_b, SecurityGroupIds=[group])["VpcEndpoint"]
    return vpc_b, endpoint


def _zone(route53, name, vpc, reference="ref-1"):
    return route53.create_hosted_zone(Name=name, CallerReference=reference,
                                      HostedZoneConfig={"PrivateZone": True, "Comment": "test"},
                                      VPC={"VPCRegion": REGION, "VPCId": vpc})["HostedZone"]


def _alias(route53, zone_id, name, entry, action="UPSERT"):
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
        "Action": action, "ResourceRecordSet": {"Name": name, "Type": "A", "AliasTarget": {
            "HostedZoneId": entry["HostedZoneId"], "DNSName": entry["DnsName"], "EvaluateTargetHealth": False}}}]})


def test_caller_reference_makes_create_idempotent_and_vpc_must_exist(emulator, ec2_b):
    route53 = emulator.client("route53", CONSUMER)
    vpc, _subnets = network(ec2_b, "10.1.0.0/16")
    _zone(route53, "a.example.com", vpc)
    assert error_code(_zone, route53, "b.example.com", vpc) == "HostedZoneAlreadyExists"
    assert error_code(_zone, route53, "c.example.com", "vpc-0123456789abcdef0", "ref-2") == "InvalidVPCId"
    # Another account's VPC is not the caller's to name.
    assert error_code(_zone, emulator.client("route53", PRODUCER), "d.example.com", vpc, "ref-3") == "InvalidVPCId"
    zones = route53.list_hosted_zones_by_name(DNSName="a.example.com")["HostedZones"]
    assert [z["Name"] for z in zones if z["Name"].startswith(("a.", "b."))] == ["a.example.com."]


def test_same_name_on_the_same_vpc_conflicts(emulator, ec2_b):
    route53 = emulator.client("route53", CONSUMER)
    vpc, _subnets = network(ec2_b, "10.1.0.0/16")
    other, _ = network(ec2_b, "10.2.0.0/16")
    _zone(route53, ALIAS, vpc)
    assert error_code(_zone, route53, ALIAS, vpc, "ref-2") == "ConflictingDomainExists"
    second = _zone(route53, ALIAS, other, "ref-3")
    assert error_code(route53.associate_vpc_with_hosted_zone, HostedZoneId=second["Id"],
                      VPC={"VPCRegion": REGION, "VPCId": vpc}) == "ConflictingDomainExists"


def test_alias_must_target_an_endpoint_entry_and_resolves_inside_the_vpc_only(emulator, ec2_a, ec2_b, elbv2_a):
    route53 = emulator.client("route53", CONSUMER)
    vpc, endpoint = _endpoint(emulator, ec2_a, ec2_b, elbv2_a)
    entry = endpoint["DnsEntries"][0]
    zone = _zone(route53, ALIAS, vpc)
    wrong = dict(entry, HostedZoneId="Z0000000000000")
    assert error_code(_alias, route53, zone["Id"], ALIAS, wrong) == "InvalidChangeBatch"
    _alias(route53, zone["Id"], ALIAS, entry)
    endpoint_ips = emulator.resolve(entry["DnsName"])
    assert endpoint_ips and emulator.resolve_in_vpc(ALIAS, vpc) == endpoint_ips
    # Outside the VPC the private zone does not answer; inside, it answers for its names only.
    assert emulator.resolve(ALIAS) is None
    assert emulator.resolve_in_vpc("other." + ALIAS, vpc) is None
    assert emulator.resolve_in_vpc(entry["DnsName"], vpc) == endpoint_ips
    assert any(ALIAS in z for z in emulator.inventory(CONSUMER)[CONSUMER]["aws"]["hosted_zones"])
    actions = {e["action"] for e in emulator.log(service="route53", write=True)}
    assert {"CreateHostedZone", "ChangeResourceRecordSets"} <= actions
    assert not {e["action"] for e in emulator.log(service="route53", write=False)} - {
        "ListHostedZonesByName", "ListResourceRecordSets", "GetHostedZone", "ListTagsForResource", "GetChange"}
    with pytest.raises(Exception):
        route53.delete_hosted_zone(Id=zone["Id"])  # not empty
    _alias(route53, zone["Id"], ALIAS, entry, action="DELETE")
    route53.delete_hosted_zone(Id=zone["Id"])
    assert "hosted_zones" not in emulator.inventory(CONSUMER).get(CONSUMER, {}).get("aws", {})


def test_a_lost_answer_is_carried_out_and_the_retry_meets_the_caller_reference(emulator, ec2_b):
    vpc, _subnets = network(ec2_b, "10.1.0.0/16")
    emulator.fault("CreateHostedZone", "lost_answer", account=CONSUMER)
    route53 = emulator.client("route53", CONSUMER, retries=2)
    assert error_code(_zone, route53, "a.example.com", vpc) == "HostedZoneAlreadyExists"
    assert [e["fault"] for e in emulator.log(action="CreateHostedZone")] == ["lost_answer", None]
    assert len(route53.list_hosted_zones_by_name(DNSName="a.example.com")["HostedZones"]) == 1
