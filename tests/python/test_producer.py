"""Behaviour of privatelink:index:PrivateLinkProducer, driven as the engine drives it (Check, Diff,
Create, Read, Update, Delete) against the AWS emulator, with every effect verified in AWS with
boto3 as the producer account. The contract is schema.json's resource entry."""

import ipaddress
import re

import grpc
import pytest

from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import UNKNOWN, InitFailed

TOKEN = "privatelink:index:PrivateLinkProducer"
CONSUMER_ROOT = f"arn:aws:iam::{CONSUMER}:root"
IDENTITY_OUTPUTS = ("serviceId", "serviceName", "loadBalancerArn", "targetGroupArn", "listenerArn", "securityGroupId")


def by_ip(ips):
    return sorted(ips, key=ipaddress.ip_address)


class ProducerAws:
    """What AWS says about a producer's pieces, in the shapes the tests compare."""

    def __init__(self, emulator):
        self.ec2 = emulator.client("ec2", PRODUCER)
        self.elbv2 = emulator.client("elbv2", PRODUCER)

    def rules(self, group_id, direction):
        """{(protocol, from, to, cidr)} of the group's ingress or egress rules."""
        group = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        key = "IpPermissions" if direction == "ingress" else "IpPermissionsEgress"
        return {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
                for p in group[key] for r in p.get("IpRanges", [])}

    def group(self, group_id):
        return self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    def target_group(self, arn):
        return self.elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]

    def targets(self, arn):
        """Registered targets, not draining: [(ip, port)] by address."""
        health = self.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        return sorted(((t["Target"]["Id"], t["Target"]["Port"]) for t in health
                       if t["TargetHealth"]["State"] != "draining"), key=lambda t: ipaddress.ip_address(t[0]))

    def load_balancer(self, arn):
        return self.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]

    def lb_attribute(self, arn, key):
        attributes = self.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        return {a["Key"]: a["Value"] for a in attributes}[key]

    def listener(self, arn):
        return self.elbv2.describe_listeners(ListenerArns=[arn])["Listeners"][0]

    def service(self, service_id):
        return self.ec2.describe_vpc_endpoint_service_configurations(
            ServiceIds=[service_id])["ServiceConfigurations"][0]

    def principals(self, service_id):
        allowed = self.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service_id)["AllowedPrincipals"]
        return sorted(p["Principal"] for p in allowed)

    def tags(self, outputs):
        """{piece: {key: value}} for the security group, load balancer, target group and service."""
        def ec2_tags(item):
            return {t["Key"]: t["Value"] for t in item.get("Tags", [])}
        elb = self.elbv2.describe_tags(ResourceArns=[outputs["loadBalancerArn"], outputs["targetGroupArn"]])
        elb_tags = {d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]} for d in elb["TagDescriptions"]}
        return {"securityGroup": ec2_tags(self.group(outputs["securityGroupId"])),
                "loadBalancer": elb_tags[outputs["loadBalancerArn"]],
                "targetGroup": elb_tags[outputs["targetGroupArn"]],
                "service": ec2_tags(self.service(outputs["serviceId"]))}


@pytest.fixture
def aws(emulator):
    return ProducerAws(emulator)


@pytest.fixture
def inputs(producer_inputs):
    return producer_inputs


@pytest.fixture
def baseline(emulator, producer_network):
    """The producer account's inventory with only the network fixtures in it."""
    return emulator.inventory(PRODUCER)


@pytest.fixture
def db(producer, baseline):
    """A resource named `db`, not created yet."""
    return ManagedResource(producer, TOKEN, "db")


@pytest.fixture
def created(db, inputs):
    db.up(inputs)
    return db


def writes_since(emulator, seq):
    return [e["action"] for e in emulator.log(since=seq, write=True)]


def consumer_endpoint(emulator, consumer_network, service_name):
    """The consumer account's interface endpoint to the service (pendingAcceptance by default)."""
    ec2 = emulator.client("ec2", CONSUMER)
    return ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=consumer_network["vpc_id"],
                                   ServiceName=service_name, SubnetIds=consumer_network["subnet_ids"],
                                   SecurityGroupIds=[consumer_network["glue_sg_id"]])["VpcEndpoint"]["VpcEndpointId"]


def endpoint_state(emulator, endpoint_id):
    ec2 = emulator.client("ec2", CONSUMER)
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]


# --- Check -----------------------------------------------------------------------------------


def test_check_fills_defaults_a_name_and_the_resolved_targets_without_calling_aws(producer, emulator, inputs,
                                                                                  producer_network):
    seq = emulator.last_seq()
    checked, failures = producer.check(TOKEN, "db", inputs)
    assert failures == []
    assert re.fullmatch(r"db-[0-9a-f]{7}", checked["name"])
    assert checked["targetIps"] == producer_network["proxy_ips"]
    assert {k: checked[k] for k in ("targetPort", "acceptanceRequired", "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
                                    "crossZoneLoadBalancing", "forceDestroy", "allowAnyPrincipal")} == \
        {"targetPort": 5432, "acceptanceRequired": True, "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": True,
         "crossZoneLoadBalancing": True, "forceDestroy": False, "allowAnyPrincipal": False}
    assert emulator.log(since=seq) == []


def test_check_name_follows_the_urn_not_the_seed_and_is_kept_from_olds(producer, inputs):
    def name(resource_name, seed, olds=None):
        return producer.check(TOKEN, resource_name, inputs, olds=olds, random_seed=seed)[0]["name"]

    # The engine sends a fresh seed with every registration: the name must not follow it.
    assert name("db", b"a" * 32) == name("db", b"b" * 32)
    assert name("db", b"a" * 32) != name("db2", b"a" * 32)
    assert name("db", b"b" * 32, olds={**inputs, "name": "db-1234567"}) == "db-1234567"
    long_name = name("a-very-long-resource-name-for-the-orders-database", b"a" * 32)
    assert len(long_name) <= 32 and re.fullmatch(r"[A-Za-z0-9-]+-[0-9a-f]{7}", long_name)


def test_check_keeps_explicit_names_and_target_ips(producer, inputs):
    news = {**inputs, "name": "orders-db", "targetIps": ["10.0.1.10", "10.0.2.10"]}
    del news["targetHostname"]
    checked, failures = producer.check(TOKEN, "db", news)
    assert failures == []
    assert checked["name"] == "orders-db" and by_ip(checked["targetIps"]) == ["10.0.1.10", "10.0.2.10"]


def test_check_accepts_principal_arns_and_star_with_allow_any_principal(producer, inputs):
    for principals, allow_any in (([CONSUMER_ROOT, "arn:aws:iam::222222222222:role/glue"], False), (["*"], True)):
        news = {**inputs, "allowedPrincipals": principals, "allowAnyPrincipal": allow_any}
        assert producer.check(TOKEN, "db", news)[1] == []


def _without(*keys):
    return lambda i: {k: v for k, v in i.items() if k not in keys}


def _with(**changes):
    return lambda i: {**i, **changes}


BAD_INPUTS = {
    "missing vpcId": (_without("vpcId"), {"vpcId"}),
    "missing subnetIds": (_without("subnetIds"), {"subnetIds"}),
    "missing port": (_without("port"), {"port"}),
    "both targetHostname and targetIps": (_with(targetIps=["10.0.1.10"]), {"targetHostname", "targetIps"}),
    "neither targetHostname nor targetIps": (_without("targetHostname"), {"targetHostname", "targetIps"}),
    "bad IPv4 in targetIps": (lambda i: {**_without("targetHostname")(i), "targetIps": ["10.0.1.10", "10.0.1.300"]},
                              {"targetIps[1]"}),
    "port 0": (_with(port=0), {"port"}),
    "port 65536": (_with(port=65536), {"port"}),
    "targetPort 70000": (_with(targetPort=70000), {"targetPort"}),
    "bad CIDR": (_with(allowedCidrs=["10.1.0.0/16", "10.1.0.0/33"]), {"allowedCidrs[1]"}),
    "principal neither ARN nor account": (_with(allowedPrincipals=["glue"]), {"allowedPrincipals[0]"}),
    "bare account id as principal": (_with(allowedPrincipals=[CONSUMER]), {"allowedPrincipals[0]"}),
    "star without allowAnyPrincipal": (_with(allowedPrincipals=["*"]), {"allowedPrincipals[0]"}),
    "duplicate subnets": (lambda i: {**i, "subnetIds": [i["subnetIds"][0]] * 2}, {"subnetIds", "subnetIds[1]"}),
    "name too long": (_with(name="n" * 33), {"name"}),
    "name with invalid characters": (_with(name="orders_db"), {"name"}),
    "health check interval 4": (_with(healthCheck={"intervalSeconds": 4}), {"healthCheck.intervalSeconds"}),
    "health check interval 301": (_with(healthCheck={"intervalSeconds": 301}), {"healthCheck.intervalSeconds"}),
    "healthy threshold 1": (_with(healthCheck={"healthyThreshold": 1}), {"healthCheck.healthyThreshold"}),
    "unhealthy threshold 11": (_with(healthCheck={"unhealthyThreshold": 11}), {"healthCheck.unhealthyThreshold"}),
    "unresolvable targetHostname": (_with(targetHostname="no-such-proxy.invalid"), {"targetHostname"}),
    "auto-accept account not 12 digits": (_with(autoAcceptAccounts=["2222"]), {"autoAcceptAccounts[0]"}),
}


@pytest.mark.parametrize("change,properties", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_check_names_the_bad_property_and_calls_no_aws(producer, emulator, inputs, change, properties):
    seq = emulator.last_seq()
    _checked, failures = producer.check(TOKEN, "db", change(inputs))
    assert failures, "Check accepted bad inputs"
    assert {p for p, _ in failures} <= properties, failures
    assert all(reason for _, reason in failures)
    assert emulator.log(since=seq) == []


def test_check_reports_every_bad_property_at_once(producer, inputs):
    _checked, failures = producer.check(TOKEN, "db", {**inputs, "port": 0, "allowedCidrs": ["nope"]})
    assert {p for p, _ in failures} == {"port", "allowedCidrs[0]"}


def test_check_accepts_unknown_inputs_during_preview(producer):
    news = {"vpcId": UNKNOWN, "subnetIds": UNKNOWN, "port": 5432, "targetHostname": UNKNOWN}
    _checked, failures = producer.check(TOKEN, "db", news)
    assert failures == []


# --- Diff ------------------------------------------------------------------------------------


REPLACING = {
    "vpcId": lambda i, _net: {**i, "vpcId": "vpc-0a1b2c3d4e5f67890"},
    "targetPort": lambda i, _net: {**i, "targetPort": 6432},
    "name": lambda i, _net: {**i, "name": "orders-db"},
}


@pytest.mark.parametrize("prop", REPLACING)
def test_diff_replaces_when_an_identity_property_changes(created, inputs, producer_network, prop):
    diff = created.diff(created.check(REPLACING[prop](inputs, producer_network)))
    assert diff.changes == "DIFF_SOME"
    assert prop in diff.replaces
    assert diff.delete_before_replace
    assert diff.detailed_diff[prop].endswith("_REPLACE")


def test_diff_of_unchanged_inputs_is_empty(created, inputs):
    diff = created.diff(created.check(inputs))
    assert (diff.changes, diff.replaces) == ("DIFF_NONE", [])


def test_renaming_replaces_delete_before_create(created, inputs, emulator, aws, baseline):
    old = created.outputs
    diff = created.up({**inputs, "name": "orders-db"})
    assert diff.replaces == ["name"]
    assert created.id == "orders-db" and aws.load_balancer(created.outputs["loadBalancerArn"])["LoadBalancerName"] == "orders-db"
    assert created.outputs["serviceId"] != old["serviceId"]
    region = emulator.inventory(PRODUCER)[PRODUCER]["us-east-1"]
    assert region["vpc_endpoint_services"] == [created.outputs["serviceId"]]
    assert region["load_balancers"] == [created.outputs["loadBalancerArn"]]


# --- Create ----------------------------------------------------------------------------------


def test_create_outputs_describe_the_service(created, inputs, producer_network):
    out = created.outputs
    assert created.id == out["name"]
    assert {k: out[k] for k in ("vpcId", "subnetIds", "port", "targetPort", "targetHostname", "allowedCidrs",
                                "allowedPrincipals")} == {**inputs, "targetPort": 5432}
    assert re.fullmatch(r"vpce-svc-[0-9a-f]+", out["serviceId"])
    assert out["serviceName"] == f"com.amazonaws.vpce.us-east-1.{out['serviceId']}"
    assert out["serviceState"] in ("Pending", "Available")
    assert ":loadbalancer/net/" in out["loadBalancerArn"] and ":targetgroup/" in out["targetGroupArn"]
    assert ":listener/net/" in out["listenerArn"] and out["securityGroupId"].startswith("sg-")
    assert out["loadBalancerDnsName"]
    assert by_ip(out["targetIps"]) == by_ip(out["registeredTargetIps"]) == producer_network["proxy_ips"]
    assert sorted(out["availabilityZones"]) == ["us-east-1a", "us-east-1b"]
    assert len(set(out["availabilityZoneIds"])) == 2
    assert out["connections"] == []
    assert "privateDnsVerification" not in out or not out["privateDnsVerification"]


def test_create_security_group_allows_only_the_listener_in_and_the_targets_out(created, aws):
    out = created.outputs
    group = aws.group(out["securityGroupId"])
    assert group["GroupName"] == created.id and group["VpcId"] == out["vpcId"]
    assert aws.rules(out["securityGroupId"], "ingress") == {("tcp", 5432, 5432, "10.1.0.0/16")}
    assert aws.rules(out["securityGroupId"], "egress") == {("tcp", 5432, 5432, "10.0.0.0/16")}


def test_create_load_balancer_target_group_and_listener(created, aws, producer_network):
    out = created.outputs
    lb = aws.load_balancer(out["loadBalancerArn"])
    assert (lb["LoadBalancerName"], lb["Type"], lb["Scheme"], lb["State"]["Code"]) == (created.id, "network", "internal", "active")
    assert lb["SecurityGroups"] == [out["securityGroupId"]]
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == sorted(producer_network["subnet_ids"])
    assert lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "on"
    assert aws.lb_attribute(out["loadBalancerArn"], "load_balancing.cross_zone.enabled") == "true"

    group = aws.target_group(out["targetGroupArn"])
    assert (group["TargetGroupName"], group["TargetType"], group["Protocol"], group["Port"], group["VpcId"]) == \
        (created.id, "ip", "TCP", 5432, producer_network["vpc_id"])
    assert (group["HealthCheckProtocol"], group["HealthCheckIntervalSeconds"], group["HealthyThresholdCount"],
            group["UnhealthyThresholdCount"]) == ("TCP", 10, 3, 3)
    assert aws.targets(out["targetGroupArn"]) == [(ip, 5432) for ip in producer_network["proxy_ips"]]

    listener = aws.listener(out["listenerArn"])
    assert (listener["Port"], listener["Protocol"]) == (5432, "TCP")
    assert [(a["Type"], a["TargetGroupArn"]) for a in listener["DefaultActions"]] == [("forward", out["targetGroupArn"])]


def test_create_endpoint_service_with_acceptance_and_principals(created, aws):
    out = created.outputs
    service = aws.service(out["serviceId"])
    assert service["NetworkLoadBalancerArns"] == [out["loadBalancerArn"]]
    assert service["AcceptanceRequired"] is True
    assert service["ServiceState"] == "Available"
    assert aws.principals(out["serviceId"]) == [CONSUMER_ROOT]


def test_create_with_every_option(db, inputs, aws):
    db.up({**inputs, "name": "orders-db", "port": 15432, "targetPort": 5432, "acceptanceRequired": False,
           "healthCheck": {"intervalSeconds": 30, "healthyThreshold": 2, "unhealthyThreshold": 5, "port": 8080},
           "privateDnsName": "db.example.com", "supportedRegions": ["us-west-2"], "crossZoneLoadBalancing": False,
           "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": False, "tags": {"team": "data"}})
    out = db.outputs
    assert aws.listener(out["listenerArn"])["Port"] == 15432
    assert aws.rules(out["securityGroupId"], "ingress") == {("tcp", 15432, 15432, "10.1.0.0/16")}
    assert aws.rules(out["securityGroupId"], "egress") == {("tcp", 5432, 5432, "10.0.0.0/16"),
                                                           ("tcp", 8080, 8080, "10.0.0.0/16")}
    group = aws.target_group(out["targetGroupArn"])
    assert (group["Port"], group["HealthCheckPort"], group["HealthCheckIntervalSeconds"], group["HealthyThresholdCount"],
            group["UnhealthyThresholdCount"]) == (5432, "8080", 30, 2, 5)
    assert aws.lb_attribute(out["loadBalancerArn"], "load_balancing.cross_zone.enabled") == "false"
    assert aws.load_balancer(out["loadBalancerArn"])["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    service = aws.service(out["serviceId"])
    assert service["AcceptanceRequired"] is False and service["PrivateDnsName"] == "db.example.com"
    assert {r["Region"] for r in service["SupportedRegions"]} == {"us-east-1", "us-west-2"}
    verification = out["privateDnsVerification"]
    assert verification["type"] == "TXT" and verification["state"] == "pendingVerification"
    assert verification["name"] == service["PrivateDnsNameConfiguration"]["Name"]
    assert verification["value"] == service["PrivateDnsNameConfiguration"]["Value"]
    assert all(tags.get("team") == "data" for tags in aws.tags(out).values()), aws.tags(out)


def test_create_reports_progress_to_the_engine(created, producer):
    lines = [line for line in producer.logs() if line.urn == producer.urn(TOKEN, "db")]
    assert lines, "no progress was logged for the resource"


# --- Preview ---------------------------------------------------------------------------------


def test_preview_of_a_create_writes_nothing(db, inputs, emulator, baseline):
    seq = emulator.last_seq()
    _diff, planned = db.preview(inputs)
    assert writes_since(emulator, seq) == []
    assert emulator.inventory(PRODUCER) == baseline
    assert planned["port"] == 5432
    assert planned.get("serviceId", UNKNOWN) == UNKNOWN


def test_preview_with_unknown_inputs_writes_nothing(db, emulator):
    seq = emulator.last_seq()
    _diff, planned = db.preview({"vpcId": UNKNOWN, "subnetIds": UNKNOWN, "port": 5432, "targetHostname": UNKNOWN})
    assert writes_since(emulator, seq) == []
    assert planned.get("serviceId", UNKNOWN) == UNKNOWN


def test_preview_of_an_update_writes_nothing(created, inputs, emulator, aws):
    seq = emulator.last_seq()
    diff, planned = created.preview({**inputs, "allowedCidrs": ["10.2.0.0/16"]})
    assert diff.replaces == [] and diff.changes == "DIFF_SOME"
    assert writes_since(emulator, seq) == []
    assert planned["allowedCidrs"] == ["10.2.0.0/16"]
    assert aws.rules(created.outputs["securityGroupId"], "ingress") == {("tcp", 5432, 5432, "10.1.0.0/16")}


# --- Read ------------------------------------------------------------------------------------


def test_refresh_without_drift_returns_the_same_state(created, inputs):
    created_id, created_outputs = created.id, created.outputs
    assert created.refresh()
    assert created.id == created_id
    assert {k: created.outputs.get(k) for k in created_outputs if k != "serviceState"} == \
        {k: v for k, v in created_outputs.items() if k != "serviceState"}
    assert created.diff(created.check(inputs)).changes == "DIFF_NONE"


def test_subnet_order_is_not_a_change_after_refresh(db, inputs):
    # The program lists us-east-1b's subnet first; AWS lists the load balancer's zones in its own order.
    news = {**inputs, "subnetIds": inputs["subnetIds"][::-1]}
    db.up(news)
    db.refresh()
    diff = db.diff(db.check(news))
    assert (diff.changes, diff.replaces) == ("DIFF_NONE", [])


def test_refresh_shows_targets_deregistered_out_of_band(created, aws, producer_network):
    kept, removed = producer_network["proxy_ips"]
    aws.elbv2.deregister_targets(TargetGroupArn=created.outputs["targetGroupArn"], Targets=[{"Id": removed, "Port": 5432}])
    created.refresh()
    assert created.outputs["registeredTargetIps"] == [kept]
    # schema.json: a refresh records the registered addresses in targetIps, so that the next
    # update's diff shows the missing one (see the next test).
    assert created.outputs["targetIps"] == [kept]


def test_next_up_after_drift_registers_the_missing_target(created, inputs, aws, emulator, producer_network):
    _kept, removed = producer_network["proxy_ips"]
    aws.elbv2.deregister_targets(TargetGroupArn=created.outputs["targetGroupArn"], Targets=[{"Id": removed, "Port": 5432}])
    created.refresh()
    seq = emulator.last_seq()
    created.up(inputs)
    assert writes_since(emulator, seq) == ["RegisterTargets"]
    assert aws.targets(created.outputs["targetGroupArn"]) == [(ip, 5432) for ip in producer_network["proxy_ips"]]
    assert by_ip(created.outputs["registeredTargetIps"]) == producer_network["proxy_ips"]


def test_refresh_after_the_service_was_deleted_out_of_band_reports_it_gone(created, aws):
    aws.ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[created.outputs["serviceId"]])
    assert created.refresh() is False


def test_import_by_service_id_returns_inputs_that_diff_clean(created, producer, inputs):
    out = created.outputs
    new_id, outputs, imported = producer.read(TOKEN, "imported", out["serviceId"])
    assert new_id in (created.id, out["serviceId"])
    assert {k: outputs[k] for k in IDENTITY_OUTPUTS} == {k: out[k] for k in IDENTITY_OUTPUTS}
    for key in ("vpcId", "port", "allowedCidrs", "allowedPrincipals"):
        assert imported[key] == inputs[key], key
    assert sorted(imported["subnetIds"]) == sorted(inputs["subnetIds"])
    assert by_ip(imported["targetIps"]) == by_ip(out["targetIps"])
    # `pulumi import` generates the program from these inputs; Diff must then find nothing to do.
    checked, failures = producer.check(TOKEN, "imported", imported, olds=imported)
    assert failures == []
    assert producer.diff(TOKEN, "imported", new_id, outputs, checked, old_inputs=imported).changes == "DIFF_NONE"


# --- Update in place -------------------------------------------------------------------------

ELB_TAGS = {"AddTags", "RemoveTags"}
EC2_TAGS = {"CreateTags", "DeleteTags"}
SERVICE_CONFIG = {"ModifyVpcEndpointServiceConfiguration"}
INGRESS = {"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"}


def _targets_changed(aws, out):
    assert aws.targets(out["targetGroupArn"]) == [("10.0.1.50", 5432), ("10.0.2.50", 5432)]
    assert by_ip(out["registeredTargetIps"]) == ["10.0.1.50", "10.0.2.50"]


def _health_check_changed(aws, out):
    group = aws.target_group(out["targetGroupArn"])
    assert (group["HealthCheckIntervalSeconds"], group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (30, 2, 4)


def _health_check_port_changed(aws, out):
    assert aws.target_group(out["targetGroupArn"])["HealthCheckPort"] == "8080"
    assert aws.rules(out["securityGroupId"], "egress") == {("tcp", 5432, 5432, "10.0.0.0/16"), ("tcp", 8080, 8080, "10.0.0.0/16")}


def _port_changed(aws, out):
    assert aws.listener(out["listenerArn"])["Port"] == 6432
    assert aws.rules(out["securityGroupId"], "ingress") == {("tcp", 6432, 6432, "10.1.0.0/16")}
    assert aws.target_group(out["targetGroupArn"])["Port"] == 5432


def _private_dns_changed(aws, out):
    assert aws.service(out["serviceId"])["PrivateDnsName"] == "db.example.com"
    assert out["privateDnsVerification"]["state"] == "pendingVerification"


# property -> (new inputs from the old ones, AWS writes allowed, check of AWS and the outputs)
IN_PLACE = {
    "port": (_with(port=6432, targetPort=5432), {"ModifyListener"} | INGRESS, _port_changed),
    "targetIps": (lambda i: {**_without("targetHostname")(i), "targetIps": ["10.0.1.50", "10.0.2.50"]},
                  {"RegisterTargets", "DeregisterTargets"}, _targets_changed),
    "allowedPrincipals": (_with(allowedPrincipals=["arn:aws:iam::222222222222:role/glue", "arn:aws:iam::333333333333:root"]),
                          {"ModifyVpcEndpointServicePermissions"},
                          lambda aws, out: aws.principals(out["serviceId"]) == ["arn:aws:iam::222222222222:role/glue",
                                                                                "arn:aws:iam::333333333333:root"]),
    "acceptanceRequired": (_with(acceptanceRequired=False), SERVICE_CONFIG,
                           lambda aws, out: aws.service(out["serviceId"])["AcceptanceRequired"] is False),
    "allowedCidrs": (_with(allowedCidrs=["10.2.0.0/16", "192.168.0.0/24"]), INGRESS,
                     lambda aws, out: aws.rules(out["securityGroupId"], "ingress") ==
                     {("tcp", 5432, 5432, "10.2.0.0/16"), ("tcp", 5432, 5432, "192.168.0.0/24")}),
    "healthCheck": (_with(healthCheck={"intervalSeconds": 30, "healthyThreshold": 2, "unhealthyThreshold": 4}),
                    {"ModifyTargetGroup"}, _health_check_changed),
    "healthCheck.port": (_with(healthCheck={"port": 8080}),
                         {"ModifyTargetGroup", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress"},
                         _health_check_port_changed),
    "tags": (_with(tags={"team": "data"}), ELB_TAGS | EC2_TAGS,
             lambda aws, out: all(t.get("team") == "data" for t in aws.tags(out).values())),
    "privateDnsName": (_with(privateDnsName="db.example.com"),
                       SERVICE_CONFIG | {"StartVpcEndpointServicePrivateDnsVerification"}, _private_dns_changed),
    "supportedRegions": (_with(supportedRegions=["us-west-2"]), SERVICE_CONFIG,
                         lambda aws, out: {r["Region"] for r in aws.service(out["serviceId"])["SupportedRegions"]} ==
                         {"us-east-1", "us-west-2"}),
    "crossZoneLoadBalancing": (_with(crossZoneLoadBalancing=False), {"ModifyLoadBalancerAttributes"},
                               lambda aws, out: aws.lb_attribute(out["loadBalancerArn"],
                                                                 "load_balancing.cross_zone.enabled") == "false"),
    "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": (
        _with(enforceSecurityGroupInboundRulesOnPrivateLinkTraffic=False), {"SetSecurityGroups"},
        lambda aws, out: aws.load_balancer(out["loadBalancerArn"])[
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"),
    "forceDestroy": (_with(forceDestroy=True), set(), lambda aws, out: out["forceDestroy"] is True),
    "autoAcceptAccounts": (_with(autoAcceptAccounts=[CONSUMER]), {"AcceptVpcEndpointConnections"},
                           lambda aws, out: out["autoAcceptAccounts"] == [CONSUMER]),
}


@pytest.mark.parametrize("prop", IN_PLACE)
def test_update_in_place_changes_only_what_changed(created, inputs, emulator, aws, prop):
    change, allowed_writes, verify = IN_PLACE[prop]
    before = created.outputs
    seq = emulator.last_seq()
    diff = created.up(change(inputs))
    assert diff.replaces == [] and diff.changes == "DIFF_SOME"
    top = prop.split(".")[0]
    assert any(re.match(rf"{top}($|[.\[])", path) for path in diff.detailed_diff), diff.detailed_diff
    writes = writes_since(emulator, seq)
    assert set(writes) <= allowed_writes, writes
    assert {k: created.outputs[k] for k in IDENTITY_OUTPUTS} == {k: before[k] for k in IDENTITY_OUTPUTS}
    assert verify(aws, created.outputs) in (None, True), f"{prop} is not what AWS has"
    # A refresh right after sees what the update made: no drift.
    updated = created.outputs
    created.refresh()
    assert created.outputs[top] == updated[top]


# --- DNS failover ----------------------------------------------------------------------------


def test_next_up_after_a_failover_moves_the_targets(created, inputs, emulator, aws, provider_session, producer_network):
    old_ips = producer_network["proxy_ips"]
    emulator.dns_pin(producer_network["proxy_endpoint"], ["10.0.1.77", "10.0.2.77"])
    # The next `pulumi up` runs a new plugin process, as the engine does.
    created.session = provider_session(PRODUCER)
    checked = created.check(inputs)
    assert by_ip(checked["targetIps"]) == ["10.0.1.77", "10.0.2.77"]
    diff = created.diff(checked)
    assert diff.replaces == [] and "targetIps" in diff.detailed_diff
    seq = emulator.last_seq()
    created.up(inputs)
    assert set(writes_since(emulator, seq)) == {"RegisterTargets", "DeregisterTargets"}
    assert aws.targets(created.outputs["targetGroupArn"]) == [("10.0.1.77", 5432), ("10.0.2.77", 5432)]
    assert by_ip(created.outputs["registeredTargetIps"]) == ["10.0.1.77", "10.0.2.77"] != old_ips


# --- Delete ----------------------------------------------------------------------------------


def test_delete_leaves_only_the_network(created, emulator, baseline):
    created.destroy()
    assert emulator.inventory(PRODUCER) == baseline


def test_delete_with_a_live_connection_fails_naming_it(created, emulator, consumer_network, baseline):
    endpoint = consumer_endpoint(emulator, consumer_network, created.outputs["serviceName"])
    with pytest.raises(grpc.RpcError) as error:
        created.destroy(timeout=30)
    message = error.value.details()
    assert endpoint in message and CONSUMER in message, message
    assert created.outputs["serviceId"] in str(emulator.inventory(PRODUCER))
    assert endpoint_state(emulator, endpoint) == "pendingAcceptance"


def test_force_destroy_rejects_live_connections(created, inputs, emulator, consumer_network, baseline):
    endpoint = consumer_endpoint(emulator, consumer_network, created.outputs["serviceName"])
    created.up({**inputs, "forceDestroy": True})
    created.destroy()
    assert endpoint_state(emulator, endpoint) == "rejected"
    assert emulator.inventory(PRODUCER) == baseline


def test_connections_are_listed_and_auto_accepted(created, inputs, emulator, consumer_network):
    endpoint = consumer_endpoint(emulator, consumer_network, created.outputs["serviceName"])
    created.refresh()
    assert created.outputs["connections"] == [{"endpointId": endpoint, "ownerAccount": CONSUMER, "state": "pendingAcceptance"}]
    created.up({**inputs, "autoAcceptAccounts": [CONSUMER]})
    assert endpoint_state(emulator, endpoint) == "available"
    created.refresh()
    assert [(c["endpointId"], c["state"]) for c in created.outputs["connections"]] == [(endpoint, "available")]


# --- Order (issue 11: the load balancer's provisioning is the long pole) ----------------------


def test_target_group_and_listener_are_made_while_the_load_balancer_provisions(db, inputs, emulator):
    emulator.config(nlb_provisioning=1.0)
    seq = emulator.last_seq()
    db.up(inputs)
    log = emulator.log(since=seq, account=PRODUCER)

    def made_at(action):
        return next(e["time"] for e in log if e["action"] == action and e["outcome"] == "ok")

    active = made_at("CreateLoadBalancer") + 1.0
    for action in ("CreateTargetGroup", "RegisterTargets", "CreateListener"):
        assert made_at(action) < active, f"{action} waited for the load balancer"
    assert made_at("CreateVpcEndpointServiceConfiguration") >= active


def test_destroy_writes_only_the_minimum(created, emulator):
    seq = emulator.last_seq()
    created.destroy()
    # Deleting the load balancer deletes its listener: no DeleteListener of our own.
    assert sorted(writes_since(emulator, seq)) == sorted(DELETE_WRITES)


# --- Faults ----------------------------------------------------------------------------------

CREATE_WRITES = ["CreateSecurityGroup", "RevokeSecurityGroupEgress", "AuthorizeSecurityGroupEgress",
                 "AuthorizeSecurityGroupIngress", "CreateTargetGroup", "CreateLoadBalancer", "RegisterTargets",
                 "CreateListener", "ModifyLoadBalancerAttributes", "CreateVpcEndpointServiceConfiguration",
                 "ModifyVpcEndpointServicePermissions"]
# DeleteListener is left out: deleting the load balancer deletes its listeners.
DELETE_WRITES = ["DeleteVpcEndpointServiceConfigurations", "DeleteLoadBalancer", "DeleteTargetGroup",
                 "DeleteSecurityGroup"]
KINDS = ("throttle", "http500", "drop")
# Each action fails once with one kind, the kinds taking turns, so every kind hits creates and deletes.
FAULTS = [("create", action, KINDS[i % 3]) for i, action in enumerate(CREATE_WRITES)] + \
    [("delete", action, KINDS[(i + 1) % 3]) for i, action in enumerate(DELETE_WRITES)]


@pytest.mark.parametrize("phase,action,kind", FAULTS, ids=[f"{p}-{a}-{k}" for p, a, k in FAULTS])
def test_transient_faults_are_retried(db, inputs, emulator, baseline, phase, action, kind):
    if phase == "delete":
        db.up(inputs)
    emulator.fault(action, kind, account=PRODUCER)
    if phase == "create":
        db.up(inputs)
        assert db.outputs["serviceId"] in str(emulator.inventory(PRODUCER))
    db.destroy()
    assert emulator.faults() == [], f"the {phase} never called {action}"
    assert [e["fault"] for e in emulator.log(action=action) if e["fault"]] == [kind]
    assert emulator.inventory(PRODUCER) == baseline


# --- Partial failure -------------------------------------------------------------------------


@pytest.fixture
def half_made(db, inputs, emulator):
    """A create whose endpoint service call is throttled until the create's timeout passes: the
    load balancer and everything before it exist, the service does not. (A deterministic
    non-retryable AWS failure after the first writes is not available in the emulator.)"""
    emulator.fault("CreateVpcEndpointServiceConfiguration", "throttle", count=10_000, account=PRODUCER)
    with pytest.raises(InitFailed) as failed:
        db.up(inputs, timeout=4)
    emulator.clear_faults()
    assert db.id and db.id == failed.value.id
    assert "CreateVpcEndpointServiceConfiguration" in " ".join(failed.value.reasons + [failed.value.message])
    return failed.value


def test_partial_create_keeps_what_was_made_and_delete_removes_it(db, half_made, aws, emulator, baseline):
    assert aws.load_balancer(db.outputs["loadBalancerArn"])["LoadBalancerName"] == db.id
    assert not db.outputs.get("serviceId")
    db.destroy()
    assert emulator.inventory(PRODUCER) == baseline


def test_update_after_a_partial_create_finishes_it(db, half_made, inputs, aws):
    # The engine updates a resource with init errors on the next `up`, whatever Diff says.
    db._update(db.check(inputs), timeout=300)
    assert aws.service(db.outputs["serviceId"])["NetworkLoadBalancerArns"] == [db.outputs["loadBalancerArn"]]
    assert aws.principals(db.outputs["serviceId"]) == [CONSUMER_ROOT]
