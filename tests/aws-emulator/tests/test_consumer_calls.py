"""Every AWS call the PrivateLinkConsumer resource and the article's Glue step make, as the consumer
account (B) sees another account's (A) service, answered as AWS would. AWS pages per behaviour are
cited in the emulator modules (ext/endpoints.py, ext/glue.py, ext/ec2_privatelink.py) and in
../README.md."""
import time

from conftest import CONSUMER, PRODUCER
from helpers import error_code, network, nlb, security_group

DOMAIN = "db.example.com"


def _service(emulator, ec2_a, elbv2_a, acceptance=True, private_dns=DOMAIN, verified=True):
    """A's service behind a new NLB in us-east-1a/b, allowing B; its private DNS name verified."""
    vpc, subnets = network(ec2_a)
    count = len(elbv2_a.describe_load_balancers()["LoadBalancers"])
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")], name=f"nlb-{count}")
    extra = {"PrivateDnsName": private_dns} if private_dns else {}
    svc = ec2_a.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn], AcceptanceRequired=acceptance,
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "stack", "Value": "producer"}]}],
        **extra)["ServiceConfiguration"]
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                  AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    if private_dns and verified:
        check = svc["PrivateDnsNameConfiguration"]
        emulator.dns_txt(f"{check['Name']}.{private_dns}", [check["Value"]])
        ec2_a.start_vpc_endpoint_service_private_dns_verification(ServiceId=svc["ServiceId"])
    return svc


def _consumer_vpc(ec2_b, dns=True, zones=("us-east-1a", "us-east-1b")):
    vpc, subnets = network(ec2_b, "10.1.0.0/16", zones=zones)
    if dns:
        ec2_b.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
        ec2_b.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc, subnets, security_group(ec2_b, vpc, "endpoint")


def _create(ec2_b, vpc, subnets, groups, service_name, **extra):
    return ec2_b.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=service_name,
                                     SubnetIds=subnets, SecurityGroupIds=groups, **extra)


def _describe(ec2_b, endpoint_id):
    return ec2_b.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def _eni_groups(ec2_b, endpoint):
    enis = ec2_b.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"]
    return {eni["AvailabilityZone"]: sorted(g["GroupId"] for g in eni["Groups"]) for eni in enis}


# ---------------------------------------------------------------------------- DescribeVpcEndpointServices

def test_consumer_sees_service_detail_by_name_by_filter_and_in_the_full_list(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a)
    name = svc["ServiceName"]
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in ec2_b.describe_availability_zones()["AvailabilityZones"]}
    expected = {
        "ServiceName": name, "ServiceId": svc["ServiceId"], "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceRegion": "us-east-1", "Owner": PRODUCER, "AcceptanceRequired": True,
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "AvailabilityZoneIds": [zone_ids["us-east-1a"], zone_ids["us-east-1b"]],
        "BaseEndpointDnsNames": [f"{svc['ServiceId']}.us-east-1.vpce.amazonaws.com"],
        "PrivateDnsName": DOMAIN, "PrivateDnsNames": [{"PrivateDnsName": DOMAIN}],
        "PrivateDnsNameVerificationState": "verified", "SupportedIpAddressTypes": ["ipv4"],
        "VpcEndpointPolicySupported": True, "ManagesVpcEndpoints": False,
        "Tags": [{"Key": "stack", "Value": "producer"}],
    }
    by_name = ec2_b.describe_vpc_endpoint_services(ServiceNames=[name])
    assert by_name["ServiceNames"] == [name] and by_name["ServiceDetails"] == [expected]
    for name_filter in ({"Name": "service-name", "Values": [name]}, {"Name": "owner", "Values": [PRODUCER]},
                        {"Name": "tag:stack", "Values": ["producer"]}, {"Name": "tag-key", "Values": ["stack"]}):
        assert ec2_b.describe_vpc_endpoint_services(Filters=[name_filter])["ServiceDetails"] == [expected]
    everything = ec2_b.describe_vpc_endpoint_services()["ServiceDetails"]
    assert [d for d in everything if d["ServiceName"] == name] == [expected]
    aws = [d for d in everything if d["ServiceName"] == "com.amazonaws.us-east-1.secretsmanager"][0]
    assert aws["AvailabilityZoneIds"] == [zone_ids[z] for z in aws["AvailabilityZones"]]

    gateways = ec2_b.describe_vpc_endpoint_services(Filters=[{"Name": "service-type", "Values": ["Gateway"]}])
    assert name not in gateways["ServiceNames"] and gateways["ServiceNames"]
    assert error_code(ec2_b.describe_vpc_endpoint_services,
                      Filters=[{"Name": "colour", "Values": ["x"]}]) == "InvalidParameterValue"
    # The owner's own view carries the zone ids too, in the order of the owner's zone names (which
    # map to other zones than the consumer's: tests/aws-emulator/README.md, "Availability Zones").
    own = ec2_a.describe_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])["ServiceConfigurations"][0]
    owner_ids = {z["ZoneName"]: z["ZoneId"] for z in ec2_a.describe_availability_zones()["AvailabilityZones"]}
    assert own["AvailabilityZoneIds"] == [owner_ids["us-east-1a"], owner_ids["us-east-1b"]]
    assert sorted(own["AvailabilityZoneIds"]) == sorted(expected["AvailabilityZoneIds"])


def test_service_detail_without_private_dns_name_and_paging(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a, private_dns=None)
    detail = ec2_b.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"][0]
    assert not {"PrivateDnsName", "PrivateDnsNameVerificationState"} & set(detail)
    assert detail.get("PrivateDnsNames", []) == []
    first = ec2_b.describe_vpc_endpoint_services(MaxResults=5)
    second = ec2_b.describe_vpc_endpoint_services(MaxResults=5, NextToken=first["NextToken"])
    assert len(first["ServiceNames"]) == 5 and second["ServiceNames"][0] > first["ServiceNames"][-1]


# ---------------------------------------------------------------------------- CreateVpcEndpoint

def test_create_with_client_token_is_idempotent(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a)
    vpc, subnets, group = _consumer_vpc(ec2_b)
    first = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"], ClientToken="consumer-1", PrivateDnsEnabled=False)
    retry = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"], ClientToken="consumer-1", PrivateDnsEnabled=False)
    assert first["ClientToken"] == retry["ClientToken"] == "consumer-1"
    assert retry["VpcEndpoint"]["VpcEndpointId"] == first["VpcEndpoint"]["VpcEndpointId"]
    assert retry["VpcEndpoint"]["DnsEntries"] == first["VpcEndpoint"]["DnsEntries"]
    assert len(ec2_b.describe_vpc_endpoints()["VpcEndpoints"]) == 1
    assert len(ec2_b.describe_network_interfaces()["NetworkInterfaces"]) == 2
    assert error_code(_create, ec2_b, vpc, subnets[:1], [group], svc["ServiceName"], ClientToken="consumer-1",
                      PrivateDnsEnabled=False) == "IdempotentParameterMismatch"
    # Another token is another endpoint.
    other = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"], ClientToken="consumer-2", PrivateDnsEnabled=False)
    assert other["VpcEndpoint"]["VpcEndpointId"] != first["VpcEndpoint"]["VpcEndpointId"]


def test_one_subnet_per_zone(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a)
    vpc, subnets, group = _consumer_vpc(ec2_b, zones=("us-east-1a", "us-east-1a"))
    assert error_code(_create, ec2_b, vpc, subnets, [group], svc["ServiceName"]) == "DuplicateSubnetsInSameZone"


def test_private_dns_at_create_needs_vpc_dns_a_verified_name_and_no_pending_acceptance(emulator, ec2_a, ec2_b, elbv2_a):
    vpc, subnets, group = _consumer_vpc(ec2_b, dns=False)
    auto = _service(emulator, ec2_a, elbv2_a, acceptance=False)
    create = lambda name: _create(ec2_b, vpc, subnets, [group], name, PrivateDnsEnabled=True)  # noqa: E731
    assert error_code(create, auto["ServiceName"]) == "InvalidParameter"  # VPC attributes off
    ec2_b.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    for svc in (_service(emulator, ec2_a, elbv2_a, private_dns=None),                 # no private DNS name
                _service(emulator, ec2_a, elbv2_a, acceptance=False, verified=False),  # name not verified
                _service(emulator, ec2_a, elbv2_a, acceptance=True)):                  # awaits acceptance
        assert error_code(create, svc["ServiceName"]) == "InvalidParameter"
    assert ec2_b.describe_vpc_endpoints()["VpcEndpoints"] == []

    endpoint = create(auto["ServiceName"])["VpcEndpoint"]
    assert endpoint["PrivateDnsEnabled"] is True
    assert endpoint["DnsEntries"][-1]["DnsName"] == DOMAIN


def test_omitted_private_dns_is_on_where_allowed_and_off_elsewhere(emulator, ec2_a, ec2_b, elbv2_a):
    vpc, subnets, group = _consumer_vpc(ec2_b)
    for acceptance, expected in ((False, True), (True, False)):
        svc = _service(emulator, ec2_a, elbv2_a, acceptance=acceptance)
        endpoint = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"])["VpcEndpoint"]
        assert endpoint["PrivateDnsEnabled"] is expected
        assert (endpoint["DnsEntries"][-1]["DnsName"] == DOMAIN) is expected


# ---------------------------------------------------------------------------- DescribeVpcEndpoints

def test_consumer_endpoint_lifecycle_and_filters(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a)
    vpc, subnets, group = _consumer_vpc(ec2_b)
    tags = [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "stack", "Value": "consumer"}]}]
    accepted = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"], TagSpecifications=tags)["VpcEndpoint"]
    rejected = _create(ec2_b, vpc, subnets[:1], [group], svc["ServiceName"])["VpcEndpoint"]
    for endpoint in (accepted, rejected):
        assert endpoint["State"] == "pendingAcceptance"
        assert len(endpoint["NetworkInterfaceIds"]) == len(endpoint["SubnetIds"])
        assert len(endpoint["DnsEntries"]) == 1 + len(endpoint["SubnetIds"])

    emulator.config(endpoint_acceptance=0.2)
    ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[accepted["VpcEndpointId"]])
    ec2_a.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[rejected["VpcEndpointId"]])
    assert _describe(ec2_b, accepted["VpcEndpointId"])["State"] == "pending"
    time.sleep(0.25)
    now = _describe(ec2_b, accepted["VpcEndpointId"])
    assert now["State"] == "available"
    assert now["DnsEntries"] == accepted["DnsEntries"] and now["NetworkInterfaceIds"] == accepted["NetworkInterfaceIds"]
    assert _describe(ec2_b, rejected["VpcEndpointId"])["State"] == "rejected"

    def ids(*filters):
        return sorted(e["VpcEndpointId"] for e in ec2_b.describe_vpc_endpoints(Filters=list(filters))["VpcEndpoints"])

    both = sorted([accepted["VpcEndpointId"], rejected["VpcEndpointId"]])
    assert ids({"Name": "vpc-endpoint-id", "Values": [accepted["VpcEndpointId"]]}) == [accepted["VpcEndpointId"]]
    assert ids({"Name": "service-name", "Values": [svc["ServiceName"]]}) == both
    assert ids({"Name": "service-name", "Values": ["com.amazonaws.us-east-1.s3"]}) == []
    assert ids({"Name": "tag:stack", "Values": ["consumer"]}) == [accepted["VpcEndpointId"]]
    assert ids({"Name": "vpc-endpoint-state", "Values": ["rejected"]}) == [rejected["VpcEndpointId"]]
    assert ids({"Name": "vpc-id", "Values": [vpc]}, {"Name": "vpc-endpoint-type", "Values": ["Interface"]}) == both
    assert error_code(ec2_b.describe_vpc_endpoints, Filters=[{"Name": "colour", "Values": ["x"]}]) == "InvalidParameterValue"


# ---------------------------------------------------------------------------- ModifyVpcEndpoint

def test_modify_private_dns_after_acceptance(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a, verified=False)
    vpc, subnets, group = _consumer_vpc(ec2_b, dns=False)
    endpoint = _create(ec2_b, vpc, subnets, [group], svc["ServiceName"], PrivateDnsEnabled=False)["VpcEndpoint"]
    endpoint_id, names = endpoint["VpcEndpointId"], [e["DnsName"] for e in endpoint["DnsEntries"]]
    enable = lambda on: ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=on)  # noqa: E731

    assert error_code(enable, True) == "InvalidParameter"  # VPC attributes
    ec2_b.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    assert error_code(enable, True) == "InvalidParameter"  # name not verified
    check = svc["PrivateDnsNameConfiguration"]
    emulator.dns_txt(f"{check['Name']}.{DOMAIN}", [check["Value"]])
    ec2_a.start_vpc_endpoint_service_private_dns_verification(ServiceId=svc["ServiceId"])
    assert error_code(enable, True) == "InvalidParameter"  # awaits acceptance
    assert _describe(ec2_b, endpoint_id)["PrivateDnsEnabled"] is False

    ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[endpoint_id])
    assert enable(True)["Return"] is True
    now = _describe(ec2_b, endpoint_id)
    assert now["PrivateDnsEnabled"] is True and [e["DnsName"] for e in now["DnsEntries"]] == names + [DOMAIN]
    ips = [e["PrivateIpAddress"] for e in ec2_b.describe_network_interfaces(
        NetworkInterfaceIds=now["NetworkInterfaceIds"])["NetworkInterfaces"]]
    assert sorted(emulator.resolve(DOMAIN)) == sorted(ips)

    enable(False)
    now = _describe(ec2_b, endpoint_id)
    assert now["PrivateDnsEnabled"] is False and [e["DnsName"] for e in now["DnsEntries"]] == names
    assert emulator.resolve(DOMAIN) is None


def test_modify_security_groups_moves_interface_groups(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a, acceptance=False)
    vpc, subnets, old = _consumer_vpc(ec2_b)
    new = security_group(ec2_b, vpc, "endpoint-2")
    endpoint = _create(ec2_b, vpc, subnets, [old], svc["ServiceName"])["VpcEndpoint"]
    ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], AddSecurityGroupIds=[new],
                              RemoveSecurityGroupIds=[old])
    now = _describe(ec2_b, endpoint["VpcEndpointId"])
    assert [g["GroupId"] for g in now["Groups"]] == [new]
    assert _eni_groups(ec2_b, now) == {"us-east-1a": [new], "us-east-1b": [new]}
    ec2_b.delete_security_group(GroupId=old)
    assert error_code(ec2_b.delete_security_group, GroupId=new) == "DependencyViolation"
    assert error_code(ec2_b.modify_vpc_endpoint, VpcEndpointId=endpoint["VpcEndpointId"],
                      AddSecurityGroupIds=["sg-0123456789abcdef0"]) == "InvalidGroup.NotFound"


def test_modify_subnets_adds_and_removes_interfaces(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _service(emulator, ec2_a, elbv2_a, acceptance=False)
    vpc, subnets, group = _consumer_vpc(ec2_b, zones=("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"))
    a, b, c, a2 = subnets
    endpoint = _create(ec2_b, vpc, [a], [group], svc["ServiceName"], PrivateDnsEnabled=False)["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[b])
    now = _describe(ec2_b, endpoint_id)
    assert now["SubnetIds"] == [a, b] and _eni_groups(ec2_b, now) == {"us-east-1a": [group], "us-east-1b": [group]}
    prefix, base = endpoint["DnsEntries"][0]["DnsName"].split(".", 1)
    assert now["DnsEntries"][:2] == endpoint["DnsEntries"]
    assert now["DnsEntries"][2]["DnsName"] == f"{prefix}-us-east-1b.{base}"
    assert error_code(ec2_b.modify_vpc_endpoint, VpcEndpointId=endpoint_id, AddSubnetIds=[c]) == "InvalidParameter"
    assert error_code(ec2_b.modify_vpc_endpoint, VpcEndpointId=endpoint_id,
                      AddSubnetIds=[a2]) == "DuplicateSubnetsInSameZone"

    ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[a])
    now = _describe(ec2_b, endpoint_id)
    assert now["SubnetIds"] == [b] and list(_eni_groups(ec2_b, now)) == ["us-east-1b"]
    assert [e["DnsName"] for e in now["DnsEntries"]] == [f"{prefix}.{base}", f"{prefix}-us-east-1b.{base}"]
    ec2_b.delete_subnet(SubnetId=a)
    assert error_code(ec2_b.delete_subnet, SubnetId=b) == "DependencyViolation"


# ---------------------------------------------------------------------------- Glue

def test_glue_jdbc_connection_calls(emulator, ec2_b):
    glue = emulator.client("glue", CONSUMER)
    _vpc, subnets, group = _consumer_vpc(ec2_b)
    since = emulator.last_seq()
    connection = {
        "Name": "rds-proxy", "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": f"jdbc:postgresql://{DOMAIN}:5432/postgres",
                                 "USERNAME": "glue", "PASSWORD": "secret"},
        "PhysicalConnectionRequirements": {"SubnetId": subnets[0], "SecurityGroupIdList": [group],
                                           "AvailabilityZone": "us-east-1a"},
    }
    glue.create_connection(ConnectionInput=connection)
    got = glue.get_connection(Name="rds-proxy")["Connection"]
    assert {k: got[k] for k in ("Name", "ConnectionType", "ConnectionProperties", "PhysicalConnectionRequirements")} \
        == connection
    assert "PASSWORD" not in glue.get_connection(Name="rds-proxy", HidePassword=True)["Connection"]["ConnectionProperties"]
    assert error_code(glue.create_connection, ConnectionInput=connection) == "AlreadyExistsException"
    assert emulator.inventory(CONSUMER)[CONSUMER]["us-east-1"]["glue_connections"] == ["rds-proxy"]
    # A connection is catalog metadata: its security group and subnet are free to delete.
    ec2_b.delete_security_group(GroupId=group)
    ec2_b.delete_subnet(SubnetId=subnets[0])

    glue.delete_connection(ConnectionName="rds-proxy")
    assert error_code(glue.get_connection, Name="rds-proxy") == "EntityNotFoundException"
    assert error_code(glue.delete_connection, ConnectionName="rds-proxy") == "EntityNotFoundException"
    assert "glue_connections" not in emulator.inventory(CONSUMER)[CONSUMER]["us-east-1"]
    assert [(e["account"], e["action"], e["write"], e["error_code"])
            for e in emulator.log(since=since, service="glue")] == [
        (CONSUMER, "CreateConnection", True, None), (CONSUMER, "GetConnection", False, None),
        (CONSUMER, "GetConnection", False, None), (CONSUMER, "CreateConnection", True, "AlreadyExistsException"),
        (CONSUMER, "DeleteConnection", True, None), (CONSUMER, "GetConnection", False, "EntityNotFoundException"),
        (CONSUMER, "DeleteConnection", True, "EntityNotFoundException")]
