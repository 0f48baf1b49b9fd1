"""PrivateLink connection lifecycle across two accounts.
AWS: https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html"""
import re

from conftest import CONSUMER, PRODUCER
from helpers import endpoint, endpoint_state, error_code, network, nlb, security_group, service


def _producer(ec2_a, elbv2_a, acceptance=True, principals=(f"arn:aws:iam::{CONSUMER}:root",)):
    vpc, subnets = network(ec2_a)
    group = security_group(ec2_a, vpc, "nlb")
    arn = nlb(elbv2_a, subnets, [group])
    return service(ec2_a, arn, acceptance, principals)


def _consumer(ec2_b):
    vpc, subnets = network(ec2_b, "10.1.0.0/16")
    return vpc, subnets, security_group(ec2_b, vpc, "endpoint")


def test_acceptance_required_starts_pending_acceptance_then_available_after_accept(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a)
    vpc, subnets, group = _consumer(ec2_b)
    ep = endpoint(ec2_b, vpc, subnets, [group], svc["ServiceName"])
    assert ep["State"] == "pendingAcceptance"
    assert endpoint_state(ec2_b, ep["VpcEndpointId"]) == "pendingAcceptance"

    connections = ec2_a.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [svc["ServiceId"]]}])["VpcEndpointConnections"]
    assert [(c["VpcEndpointId"], c["VpcEndpointOwner"], c["VpcEndpointState"]) for c in connections] == \
        [(ep["VpcEndpointId"], CONSUMER, "pendingAcceptance")]

    result = ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    assert result["Unsuccessful"] == []
    assert endpoint_state(ec2_b, ep["VpcEndpointId"]) == "available"
    states = ec2_a.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert [c["VpcEndpointState"] for c in states] == ["available"]


def test_reject_leaves_consumer_endpoint_rejected(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a)
    vpc, subnets, group = _consumer(ec2_b)
    ep = endpoint(ec2_b, vpc, subnets, [group], svc["ServiceName"])
    result = ec2_a.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep["VpcEndpointId"]])
    assert result["Unsuccessful"] == []
    assert endpoint_state(ec2_b, ep["VpcEndpointId"]) == "rejected"


def test_without_acceptance_endpoint_is_pending_then_available(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a, acceptance=False)
    vpc, subnets, group = _consumer(ec2_b)
    ep = endpoint(ec2_b, vpc, subnets, [group], svc["ServiceName"])
    assert ep["State"] == "pending"
    assert endpoint_state(ec2_b, ep["VpcEndpointId"]) == "available"


def test_accept_unknown_endpoint_and_foreign_service(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a)
    result = ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    # Only the service owner manages its connections.
    assert error_code(ec2_b.accept_vpc_endpoint_connections, ServiceId=svc["ServiceId"],
                      VpcEndpointIds=["vpce-0123456789abcdef0"]) == "InvalidVpcEndpointServiceId.NotFound"


def test_consumer_sees_service_only_when_allowed(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a, principals=())
    name = svc["ServiceName"]
    assert error_code(ec2_b.describe_vpc_endpoint_services, ServiceNames=[name]) == "InvalidServiceName"
    vpc, subnets, group = _consumer(ec2_b)
    assert error_code(endpoint, ec2_b, vpc, subnets, [group], name) == "InvalidServiceName"

    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                  AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    details = ec2_b.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"]
    assert [(d["ServiceName"], d["Owner"], d["AcceptanceRequired"]) for d in details] == [(name, PRODUCER, True)]
    assert endpoint(ec2_b, vpc, subnets, [group], name)["State"] == "pendingAcceptance"


def test_wildcard_principal_allows_every_account(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a, principals=("*",))
    names = ec2_b.describe_vpc_endpoint_services()["ServiceNames"]
    assert svc["ServiceName"] in names


def test_unknown_service_name_fails_as_in_aws(ec2_b):
    vpc, subnets, group = _consumer(ec2_b)
    assert error_code(endpoint, ec2_b, vpc, subnets, [group],
                      "com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000000") == "InvalidServiceName"
    # AWS-managed service names stay valid.
    ep = endpoint(ec2_b, vpc, subnets, [group], "com.amazonaws.us-east-1.secretsmanager")
    assert ep["State"] == "pending"


def test_subnet_outside_service_zones_is_refused(ec2_a, ec2_b, elbv2_a):
    vpc, subnets = network(ec2_a, zones=("us-east-1a",))
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    svc = service(ec2_a, arn, principals=("*",))
    vpc_b, subnets_b = network(ec2_b, "10.1.0.0/16", zones=("us-east-1c",))
    group = security_group(ec2_b, vpc_b, "endpoint")
    assert error_code(endpoint, ec2_b, vpc_b, subnets_b, [group], svc["ServiceName"]) == "InvalidParameter"


def test_endpoint_dns_entries_and_interfaces_follow_aws_shape(ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a)
    vpc, subnets, group = _consumer(ec2_b)
    ep = endpoint(ec2_b, vpc, subnets, [group], svc["ServiceName"])
    service_id, ep_id = svc["ServiceId"], ep["VpcEndpointId"]
    names = [e["DnsName"] for e in ep["DnsEntries"]]
    regional = rf"{ep_id}-[0-9a-z]{{8}}\.{service_id}\.us-east-1\.vpce\.amazonaws\.com"
    assert re.fullmatch(regional, names[0])
    assert [re.fullmatch(rf"{ep_id}-[0-9a-z]{{8}}-(us-east-1[ab])\.{service_id}\.us-east-1\.vpce\.amazonaws\.com", n).group(1)
            for n in names[1:]] == ["us-east-1a", "us-east-1b"]
    assert {e["HostedZoneId"] for e in ep["DnsEntries"]} == {"Z7HUB22UULQXV"}

    enis = ec2_b.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    cidrs = {"us-east-1a": "10.1.1.", "us-east-1b": "10.1.2."}
    for eni in enis:
        assert eni["PrivateIpAddress"].startswith(cidrs[eni["AvailabilityZone"]])
        assert [g["GroupId"] for g in eni["Groups"]] == [group]
        assert eni["InterfaceType"] == "vpc_endpoint" and eni["RequesterManaged"]
        assert eni["Description"] == f"VPC Endpoint Interface {ep_id}"


def test_load_balancer_arn_names_network_type(elbv2_a, ec2_a):
    vpc, subnets = network(ec2_a)
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    assert ":loadbalancer/net/db-nlb/" in arn


def test_available_endpoint_dns_names_resolve_to_its_interfaces(emulator, ec2_a, ec2_b, elbv2_a):
    svc = _producer(ec2_a, elbv2_a, acceptance=False)
    vpc, subnets, group = _consumer(ec2_b)
    ep = endpoint(ec2_b, vpc, subnets, [group], svc["ServiceName"])
    assert emulator.resolve(ep["DnsEntries"][0]["DnsName"]) is None  # pending: not in DNS yet
    assert endpoint_state(ec2_b, ep["VpcEndpointId"]) == "available"
    enis = ec2_b.describe_network_interfaces(NetworkInterfaceIds=ep["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(emulator.resolve(ep["DnsEntries"][0]["DnsName"])) == sorted(e["PrivateIpAddress"] for e in enis)


def test_assume_role_credentials_act_as_the_role_account(emulator):
    sts = emulator.client("sts", PRODUCER)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{CONSUMER}:role/deployer", RoleSessionName="test")["Credentials"]
    import boto3
    assumed = boto3.client("sts", endpoint_url=emulator.url, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert assumed.get_caller_identity()["Account"] == CONSUMER
    assert emulator.log(action="GetCallerIdentity")[-1]["account"] == CONSUMER


def _as_role(emulator, account, role_arn):
    """An EC2 client acting as `role_arn`, assumed through STS as the provider's assumeRole does."""
    import boto3
    from conftest import REGION
    creds = emulator.client("sts", account).assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
    return boto3.client("ec2", endpoint_url=emulator.url, region_name=REGION,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def test_a_role_principal_admits_only_that_role_and_an_account_root_the_whole_account(emulator, ec2_a, ec2_b,
                                                                                      elbv2_a):
    deployer = f"arn:aws:iam::{CONSUMER}:role/glue-deployer"
    svc = _producer(ec2_a, elbv2_a, principals=(deployer,))
    vpc, subnets, group = _consumer(ec2_b)
    as_deployer = _as_role(emulator, CONSUMER, deployer)
    as_other_role = _as_role(emulator, CONSUMER, f"arn:aws:iam::{CONSUMER}:role/other")
    names = [svc["ServiceName"]]
    assert error_code(ec2_b.describe_vpc_endpoint_services, ServiceNames=names) == "InvalidServiceName"
    assert error_code(endpoint, ec2_b, vpc, subnets, [group], svc["ServiceName"]) == "InvalidServiceName"
    assert error_code(endpoint, as_other_role, vpc, subnets, [group], svc["ServiceName"]) == "InvalidServiceName"
    assert as_deployer.describe_vpc_endpoint_services(ServiceNames=names)["ServiceNames"] == names
    assert endpoint(as_deployer, vpc, subnets, [group], svc["ServiceName"])["State"] == "pendingAcceptance"
    ec2_a.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                  AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    assert endpoint(as_other_role, vpc, subnets[:1], [group], svc["ServiceName"])["State"] == "pendingAcceptance"


def test_zone_names_map_to_zone_ids_per_account(ec2_a, ec2_b, elbv2_a):
    """AWS maps zone names to physical zones independently per account; ids are shared."""
    def ids(ec2):
        return {z["ZoneName"]: z["ZoneId"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
    producer_ids, consumer_ids = ids(ec2_a), ids(ec2_b)
    assert producer_ids["us-east-1a"] != consumer_ids["us-east-1a"]
    assert set(producer_ids.values()) == set(consumer_ids.values())
    svc = _producer(ec2_a, elbv2_a)  # NLB in the producer's us-east-1a and us-east-1b
    consumer_vpc = ec2_b.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    outside = next(name for name, zone_id in consumer_ids.items()
                   if zone_id not in (producer_ids["us-east-1a"], producer_ids["us-east-1b"]))
    by_id = ec2_b.create_subnet(VpcId=consumer_vpc, CidrBlock="10.1.1.0/24",
                                AvailabilityZoneId=producer_ids["us-east-1a"])["Subnet"]
    assert by_id["AvailabilityZoneId"] == producer_ids["us-east-1a"]
    assert by_id["AvailabilityZone"] != "us-east-1a"
    elsewhere = ec2_b.create_subnet(VpcId=consumer_vpc, CidrBlock="10.1.2.0/24", AvailabilityZone=outside)["Subnet"]
    group = security_group(ec2_b, consumer_vpc, "endpoint")
    details = ec2_b.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])["ServiceDetails"][0]
    assert sorted(details["AvailabilityZoneIds"]) == sorted([producer_ids["us-east-1a"], producer_ids["us-east-1b"]])
    assert by_id["AvailabilityZone"] in details["AvailabilityZones"]
    assert error_code(endpoint, ec2_b, consumer_vpc, [elsewhere["SubnetId"]], [group],
                      svc["ServiceName"]) == "InvalidParameter"
    assert endpoint(ec2_b, consumer_vpc, [by_id["SubnetId"]], [group], svc["ServiceName"])["State"] \
        == "pendingAcceptance"
