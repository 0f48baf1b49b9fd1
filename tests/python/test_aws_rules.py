"""What AWS refuses, caught by Check before any AWS call, and what AWS requires, done by the
provider (issue 15). The emulator refuses the same inputs (tests/aws-emulator/README.md,
"Strictness"), so each create test here fails if the provider sends what AWS would refuse."""

import grpc
import pytest

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs
from behaviour import check_refuses
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed

SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
NETWORK = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"], "vpc_cidr": "10.1.0.0/16",
           "glue_sg_id": "sg-0123456789abcdef0"}
PRODUCER_NETWORK = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
                    "proxy_endpoint": "unused.example.com"}


def producer_news(**changes):
    news = {k: v for k, v in producer_inputs(PRODUCER_NETWORK, NETWORK).items() if k != "targetHostname"}
    return {**news, "targetIps": ["10.0.1.10"], **changes}


BAD_PRODUCER = {
    "ELB tag key with a character ELB refuses": (producer_news(tags={"team#1": "data"}), {"tags.team#1"}),
    "ELB tag value with a character ELB refuses": (producer_news(tags={"team": "data;prod"}), {"tags.team"}),
    "50 tags plus ours": (producer_news(tags={f"k{i}": "v" for i in range(50)}), {"tags"}),
    "name starting sg-": (producer_news(name="sg-orders"), {"name"}),
    "public IP target": (producer_news(targetIps=["10.0.1.10", "8.8.8.8"]), {"targetIps[1]"}),
}


@pytest.mark.parametrize("news,properties", BAD_PRODUCER.values(), ids=BAD_PRODUCER.keys())
def test_producer_check_refuses_what_aws_refuses(provider_session, emulator, news, properties):
    check_refuses(emulator, provider_session(PRODUCER), PRODUCER_TYPE, news, properties)


BAD_CONSUMER = {
    "name starting sg-": (consumer_inputs(NETWORK, SERVICE, name="sg-orders"), {"name"}),
    "50 tags plus ours": (consumer_inputs(NETWORK, SERVICE, tags={f"k{i}": "v" for i in range(50)}), {"tags"}),
}


@pytest.mark.parametrize("news,properties", BAD_CONSUMER.values(), ids=BAD_CONSUMER.keys())
def test_consumer_check_refuses_what_aws_refuses(provider_session, emulator, news, properties):
    check_refuses(emulator, provider_session(CONSUMER), CONSUMER_TYPE, news, properties)


def test_china_service_names_pass_check(provider_session, emulator):
    news = consumer_inputs(NETWORK, "cn.com.amazonaws.vpce.cn-north-1.vpce-svc-0123456789abcdef0")
    _checked, failures = provider_session(CONSUMER).check(CONSUMER_TYPE, "endpoint", news)
    assert failures == []


def test_a_short_health_check_interval_gets_a_timeout_that_fits(emulator, producer, producer_network,
                                                               consumer_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network, healthCheck={"intervalSeconds": 5}))
    elbv2 = emulator.client("elbv2", PRODUCER)
    group = elbv2.describe_target_groups(TargetGroupArns=[service.outputs["targetGroupArn"]])["TargetGroups"][0]
    assert group["HealthCheckIntervalSeconds"] == 5
    assert group["HealthCheckTimeoutSeconds"] <= 5
    service.destroy()


def test_a_resource_name_ec2_would_refuse_in_a_description_is_made_safe(emulator, provider_session, producer_network,
                                                                         consumer_network):
    """The security group description embeds the engine's resource name, which may hold any character."""
    service = ManagedResource(provider_session(PRODUCER), PRODUCER_TYPE, "db (ördérs)")
    service.up(producer_inputs(producer_network, consumer_network, name="orders-db"))
    group = emulator.client("ec2", PRODUCER).describe_security_groups(
        GroupIds=[service.outputs["securityGroupId"]])["SecurityGroups"][0]
    assert "ö" not in group["Description"]
    service.destroy()


def test_private_targets_outside_the_vpc_are_registered_for_all_zones_and_reached(emulator, producer,
                                                                                producer_network, consumer_network):
    outside = "192.168.7.10"
    news = producer_inputs(producer_network, consumer_network)
    news = {**{k: v for k, v in news.items() if k != "targetHostname"}, "targetIps": [outside]}
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(news)
    elbv2 = emulator.client("elbv2", PRODUCER)
    health = elbv2.describe_target_health(TargetGroupArn=service.outputs["targetGroupArn"])
    assert [d["Target"]["Id"] for d in health["TargetHealthDescriptions"]] == [outside]
    group = emulator.client("ec2", PRODUCER).describe_security_groups(
        GroupIds=[service.outputs["securityGroupId"]])["SecurityGroups"][0]
    egress = {r["CidrIp"] for p in group["IpPermissionsEgress"] for r in p.get("IpRanges", [])}
    assert f"{outside}/32" in egress
    service.destroy()


def test_a_target_outside_the_vpc_is_deregistered_for_the_zone_it_was_registered_with(
        emulator, producer, producer_network, consumer_network):
    """AWS registers an address outside the VPC for AvailabilityZone `all`; dropping it from
    targetIps must deregister it for `all` too (the emulator refuses a deregistration without it)."""
    kept, dropped = "192.168.7.10", "192.168.7.11"
    news = producer_inputs(producer_network, consumer_network)
    news = {k: v for k, v in news.items() if k != "targetHostname"}
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up({**news, "targetIps": [kept, dropped]})
    service.up({**news, "targetIps": [kept]})
    elbv2 = emulator.client("elbv2", PRODUCER)
    health = elbv2.describe_target_health(TargetGroupArn=service.outputs["targetGroupArn"])
    assert {d["Target"]["Id"]: d["Target"].get("AvailabilityZone") for d in health["TargetHealthDescriptions"]} \
        == {kept: "all"}
    assert [e["outcome"] for e in emulator.log(action="DeregisterTargets")] == ["ok"]
    service.destroy()


def test_a_same_named_load_balancer_of_someone_else_is_not_adopted_nor_deleted(emulator, producer, producer_network,
                                                                              consumer_network):
    elbv2 = emulator.client("elbv2", PRODUCER)
    theirs = elbv2.create_load_balancer(Name="orders-db", Type="network", Scheme="internal",
                                        Subnets=producer_network["subnet_ids"])["LoadBalancers"][0]["LoadBalancerArn"]
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.up(producer_inputs(producer_network, consumer_network, name="orders-db"))
    message = failed.value.message if isinstance(failed.value, InitFailed) else failed.value.details()
    assert "name" in message and "not made by this resource" in message, message
    if service.id:
        service.destroy()
    assert [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]] == [theirs]


def test_a_same_named_security_group_of_someone_else_is_not_adopted_nor_changed(
        emulator, producer, producer_network, consumer_network):
    """The adopt-or-not policy (resources/network.rs): a group found by name is used only when
    this resource's tag says it made it."""
    ec2 = emulator.client("ec2", PRODUCER)
    theirs = ec2.create_security_group(GroupName="orders-db", Description="made by another team",
                                       VpcId=producer_network["vpc_id"])["GroupId"]
    before = ec2.describe_security_groups(GroupIds=[theirs])["SecurityGroups"][0]
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.up(producer_inputs(producer_network, consumer_network, name="orders-db"), timeout=120)
    message = failed.value.message if isinstance(failed.value, InitFailed) else failed.value.details()
    assert message.startswith("name:") and theirs in message and "not made by this resource" in message, message
    assert ec2.describe_security_groups(GroupIds=[theirs])["SecurityGroups"][0] == before
    assert emulator.log(action="CreateLoadBalancer") == []


def test_producer_subnets_change_in_place_and_removal_with_live_endpoints_is_refused_clearly(
        emulator, producer, provider_session, producer_network, consumer_network):
    news = producer_inputs(producer_network, consumer_network)
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(news)
    name, arn = service.outputs["serviceName"], service.outputs["loadBalancerArn"]
    diff = service.up({**news, "subnetIds": news["subnetIds"][:1]})
    assert diff.replaces == [] and diff.changes == "DIFF_SOME"
    elbv2 = emulator.client("elbv2", PRODUCER)
    lb = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert [z["SubnetId"] for z in lb["AvailabilityZones"]] == news["subnetIds"][:1]
    service.up(news)
    assert service.outputs["serviceName"] == name and service.outputs["loadBalancerArn"] == arn
    endpoint = ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")
    endpoint.up(consumer_inputs(consumer_network, name))
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.up({**news, "subnetIds": news["subnetIds"][:1]})
    message = failed.value.message if isinstance(failed.value, InitFailed) else failed.value.details()
    assert message.startswith("subnetIds:") and "endpoint associations" in message, message
    endpoint.destroy()
    service.inputs = service.check(news)
    service.destroy()
