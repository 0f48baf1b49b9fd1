"""The article end to end, as the README's main command runs it (scripts/demo.py takes the same
path, stacks/examples.py): the example programs examples/producer and examples/consumer, unchanged,
each `pulumi` command one run of the program under the SDK's mock monitor, the privatelink
resources driven through the real plugin, the aws ones made by the pulumi-aws test double in the
emulator. Every effect is checked in AWS with boto3, and the stacks' state between commands as a
stack keeps it: preview writes nothing, a second up changes nothing, refresh keeps everything,
destroy (consumer, then producer) leaves only what the emulator started with."""

import ipaddress
import json
import re

import pytest

from privatelink_emulator.client import CONSUMER, PRODUCER
from stacks.examples import (CONSUMER_CIDR, PRIVATE_DNS_NAME, ExampleStacks, endpoint_addresses,
                             glue_connection_host)

def writes_since(emulator, seq):
    return [f"{e['account']} {e['action']}" for e in emulator.log(since=seq, write=True)]


@pytest.fixture
def stacks(emulator, provider_binary, tmp_path):
    stacks = ExampleStacks(emulator, tmp_path, provider_binary)
    stacks.configure()
    return stacks


def ok(run):
    assert run.returncode == 0, run.output
    return run


def steps(run):
    """The resource lines of a run: [(symbol, type, name, outcome)]."""
    found = []
    for line in run.output.splitlines():
        match = re.match(r"^ (\+-|\+|-|~|>|\*\*| ) +(\w+:[\w/]+:\w+) +(\S+) +(\w+)", line)
        if match:
            found.append(match.groups())
    return found


def preview_writes_nothing(emulator, stacks, example):
    seq = emulator.last_seq()
    run = ok(stacks.run("preview", example))
    assert writes_since(emulator, seq) == [], f"the preview of {example} wrote to AWS"
    return run


def second_up_changes_nothing(emulator, stacks, example):
    seq = emulator.last_seq()
    run = ok(stacks.run("up", example))
    changed = [s for s in steps(run) if s[3] not in ("same", "read")]
    assert changed == [], changed
    assert writes_since(emulator, seq) == []


def check_producer_in_aws(emulator, stacks):
    out = stacks.outputs("producer")
    resources = stacks.resources("producer")
    rds = emulator.client("rds", PRODUCER)
    ec2 = emulator.client("ec2", PRODUCER)
    instance = resources["aws:rds/instance:Instance::database"]["outputs"]
    db = rds.describe_db_instances(DBInstanceIdentifier=instance["identifier"])["DBInstances"][0]
    assert (db["Engine"], db["StorageEncrypted"], db["PubliclyAccessible"]) == ("postgres", True, False)
    assert db["EngineVersion"].startswith("16")
    secret_arn = db["MasterUserSecret"]["SecretArn"]  # the password is RDS's, in Secrets Manager
    assert out["databaseSecretArn"] == secret_arn

    proxy = rds.describe_db_proxies()["DBProxies"][0]
    assert proxy["RequireTLS"] is True and proxy["Endpoint"] == out["proxyEndpoint"]
    assert [a["SecretArn"] for a in proxy["Auth"]] == [secret_arn]
    targets = rds.describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])["Targets"]
    assert [t["RdsResourceId"] for t in targets] == [instance["identifier"]]
    role = proxy["RoleArn"].split("/")[-1]
    iam = emulator.client("iam", PRODUCER)
    [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert [(s["Action"], s["Resource"]) for s in document["Statement"]] == \
        [("secretsmanager:GetSecretValue", secret_arn)], "the proxy may read that one secret only"

    def ingress(group_id):
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        return [(p["IpProtocol"], p.get("FromPort"), [g["GroupId"] for g in p.get("UserIdGroupPairs", [])],
                 [r["CidrIp"] for r in p.get("IpRanges", [])]) for p in group["IpPermissions"]]
    database_group = resources["aws:ec2/securityGroup:SecurityGroup::database"]["id"]
    proxy_group = resources["aws:ec2/securityGroup:SecurityGroup::proxy"]["id"]
    service = resources["privatelink:index:PrivateLinkProducer::database"]["outputs"]
    assert ingress(database_group) == [("tcp", 5432, [proxy_group], [])]
    egress = ec2.describe_security_groups(GroupIds=[database_group])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert egress == [], "pulumi-aws removes AWS's allow-all egress from a group made without rules"
    assert ingress(proxy_group) == [("tcp", 5432, [service["securityGroupId"]], [])]

    allowed = ec2.describe_vpc_endpoint_service_permissions(ServiceId=out["serviceId"])["AllowedPrincipals"]
    assert [p["Principal"] for p in allowed] == [f"arn:aws:iam::{CONSUMER}:root"]
    assert sorted(service["registeredTargetIps"]) == sorted(emulator.resolve(out["proxyEndpoint"]))
    assert len(out["availabilityZoneIds"]) == 2


def check_consumer_in_aws(emulator, stacks):
    out = stacks.outputs("consumer")
    producer = stacks.outputs("producer")
    resources = stacks.resources("consumer")
    ec2 = emulator.client("ec2", CONSUMER)
    assert out["connectionState"] == "available"
    # TLS verifies: the URL names the proxy's own hostname (an alias of the endpoint in this VPC).
    proxy = stacks.outputs("producer")["proxyEndpoint"]
    assert out["jdbcUrl"] == f"jdbc:postgresql://{proxy}:5432/sales?sslmode=verify-full"
    # One `up`: private DNS is on, after the acceptance, and the producer's name resolves here.
    endpoint_id = out["endpointId"]
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["PrivateDnsEnabled"] is True
    assert out["privateDnsName"] == producer["privateDnsName"] == PRIVATE_DNS_NAME
    assert sorted(emulator.resolve_in_vpc(PRIVATE_DNS_NAME, out["vpcId"])) == endpoint_addresses(emulator, endpoint_id)

    subnet_ids = [r["id"] for k, r in resources.items() if k.startswith("aws:ec2/subnet:Subnet::")]
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert {s["AvailabilityZoneId"] for s in subnets} <= set(producer["availabilityZoneIds"])

    glue_group = out["glueSecurityGroupId"]
    group = ec2.describe_security_groups(GroupIds=[glue_group])["SecurityGroups"][0]
    assert [(p["IpProtocol"], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in group["IpPermissions"]] == \
        [("-1", [glue_group])], "Glue's self-referencing rule, and nothing else in"
    endpoint = resources["privatelink:index:PrivateLinkConsumer::database"]["outputs"]
    endpoint_group = ec2.describe_security_groups(GroupIds=[endpoint["securityGroupId"]])["SecurityGroups"][0]
    assert [[g["GroupId"] for g in p["UserIdGroupPairs"]] for p in endpoint_group["IpPermissions"]] == [[glue_group]]

    gateway = ec2.describe_vpc_endpoints(VpcEndpointIds=[out["s3GatewayEndpointId"]])["VpcEndpoints"][0]
    assert (gateway["VpcEndpointType"], gateway["ServiceName"]) == ("Gateway", "com.amazonaws.us-east-1.s3")
    assert gateway["RouteTableIds"] == [resources["aws:ec2/routeTable:RouteTable::private"]["id"]]

    host, connection = glue_connection_host(emulator, out["glueConnectionName"])
    properties = connection["ConnectionProperties"]
    assert properties["JDBC_CONNECTION_URL"] == out["jdbcUrl"] and "PASSWORD" not in properties
    secret = emulator.client("secretsmanager", CONSUMER).get_secret_value(SecretId=properties["SECRET_ID"])
    assert json.loads(secret["SecretString"]) == {"username": "glue_etl",
                                                  "password": stacks.secrets["databasePassword"]}
    assert connection["PhysicalConnectionRequirements"]["SecurityGroupIdList"] == [glue_group]
    return host


def pulumi_aws_properties(type_token):
    """The wire names of a pulumi-aws resource's properties, read from its Python SDK's getters."""
    import warnings

    import pulumi_aws
    _package, module, name = type_token.split(":")
    with warnings.catch_warnings():  # loading a pulumi-aws module warns about its deprecated types
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = getattr(getattr(pulumi_aws, module.split("/")[0]), name)
    return {getattr(v.fget, "_pulumi_name", k) for k, v in vars(cls).items() if isinstance(v, property)}


def outputs_are_named_as_pulumi_aws_names_them(stacks):
    for example in ("producer", "consumer"):
        for record in stacks.state(example)["resources"]:
            if record["type"].startswith("aws:"):
                unknown = set(record["outputs"]) - {"id"} - pulumi_aws_properties(record["type"])
                assert not unknown, f"{record['type']}: pulumi-aws has no {sorted(unknown)}"


def glue_password_stays_with_the_aws_resources(stacks):
    """The Glue connection's password, a secret setting of the consumer stack, goes only to the
    aws:* resources that keep it in Secrets Manager: it is in no plugin's stderr at -v=9, no
    privatelink resource's state and no stack output (run outputs, with the plugin's Engine.Log
    lines, are checked where they are made)."""
    password = stacks.secrets["databasePassword"]
    logs = stacks.plugin_logs()
    assert "CreateVpcEndpoint" in logs  # the plugins did log every AWS call, so the next check can fail
    assert password not in logs
    for example in ("producer", "consumer"):
        state = stacks.state(example)
        assert password not in json.dumps(state["outputs"])
        for record in state["resources"]:
            if record["type"].startswith("privatelink:"):
                assert password not in json.dumps(record), record["key"]


def test_the_article_stacks_up_again_refresh_and_destroy(emulator, stacks):
    baseline = emulator.inventory()

    # --- examples/producer ---
    run = preview_writes_nothing(emulator, stacks, "producer")
    assert ("+", "privatelink:index:PrivateLinkProducer", "database", "create") in steps(run)
    ok(stacks.run("up", "producer"))
    check_producer_in_aws(emulator, stacks)
    run = preview_writes_nothing(emulator, stacks, "producer")  # with state: Diff, nothing to do
    assert {s[3] for s in steps(run)} == {"same"}
    second_up_changes_nothing(emulator, stacks, "producer")

    # --- the producer's owner publishes the TXT record and has AWS verify the name ---
    assert stacks.verify_private_dns_name() == "verified"

    # --- examples/consumer, reading the producer's outputs through its stack reference ---
    run = preview_writes_nothing(emulator, stacks, "consumer")
    assert ("+", "privatelink:index:EndpointAcceptance", "database", "create") in steps(run)
    assert ("+", "privatelink:index:EndpointPrivateDns", "database", "create") in steps(run)
    run = ok(stacks.run("up", "consumer"))
    assert "database: waiting for the connection to become available" in run.output  # the plugin's progress
    host = check_consumer_in_aws(emulator, stacks)
    second_up_changes_nothing(emulator, stacks, "consumer")
    outputs_are_named_as_pulumi_aws_names_them(stacks)
    assert stacks.secrets["databasePassword"] not in run.output
    glue_password_stays_with_the_aws_resources(stacks)

    # --- the Glue connection's host is the endpoint, in the consumer's VPC ---
    consumer = stacks.outputs("consumer")
    addresses = endpoint_addresses(emulator, consumer["endpointId"])
    assert sorted(emulator.resolve_in_vpc(host, consumer["vpcId"])) == addresses
    # Outside the consumer VPC the proxy's name is still the proxy (the producer's targets).
    assert sorted(emulator.resolve(host)) != addresses
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network(CONSUMER_CIDR) for ip in addresses)

    # --- refresh: everything is still there; the producer now sees the connection ---
    for example in ("producer", "consumer"):
        seq = emulator.last_seq()
        run = ok(stacks.run("refresh", example))
        assert {s[3] for s in steps(run)} == {"refreshed"}
        assert writes_since(emulator, seq) == []
    service = stacks.resources("producer")["privatelink:index:PrivateLinkProducer::database"]["outputs"]
    assert service["connections"] == [{"endpointId": consumer["endpointId"], "ownerAccount": CONSUMER,
                                       "state": "available"}]

    # --- destroy in the wrong order: the engine deletes the producer stack last-made first, so the
    # proxy's rule goes, then the PrivateLinkProducer refuses, naming the connected endpoint, and
    # the rest stays in AWS and in the state; the next up puts the rule back ---
    run = stacks.run("destroy", "producer")
    assert run.returncode != 0 and consumer["endpointId"] in run.output and CONSUMER in run.output
    assert "privatelink:index:PrivateLinkProducer::database" in stacks.resources("producer")
    assert stacks.outputs("consumer")["connectionState"] == "available"
    run = ok(stacks.run("up", "producer"))
    assert [s for s in steps(run) if s[3] != "same"] == [
        ("+", "aws:vpc:SecurityGroupIngressRule", "proxy-from-privatelink", "created")]

    # --- destroy, consumer first ---
    ok(stacks.run("destroy", "consumer"))
    ok(stacks.run("destroy", "producer"))
    assert stacks.state("consumer")["resources"] == [] and stacks.state("producer")["resources"] == []
    assert emulator.inventory() == baseline
    glue_password_stays_with_the_aws_resources(stacks)


def test_a_refresh_forgets_what_was_deleted_outside_and_the_next_up_makes_it_again(emulator, stacks):
    ok(stacks.run("up", "producer"))
    rule = stacks.resources("producer")["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::proxy-from-privatelink"]
    emulator.client("ec2", PRODUCER).revoke_security_group_ingress(
        GroupId=rule["outputs"]["securityGroupId"], SecurityGroupRuleIds=[rule["id"]])
    run = ok(stacks.run("refresh", "producer"))
    assert ("-", "aws:vpc:SecurityGroupIngressRule", "proxy-from-privatelink", "deleted") in steps(run)
    run = ok(stacks.run("up", "producer"))
    assert [s for s in steps(run) if s[3] != "same"] == [
        ("+", "aws:vpc:SecurityGroupIngressRule", "proxy-from-privatelink", "created")]
    ok(stacks.run("destroy", "producer"))
    assert emulator.inventory() == {}


def test_a_stack_missing_a_setting_fails_naming_it_before_any_aws_call(emulator, provider_binary, tmp_path):
    stacks = ExampleStacks(emulator, tmp_path, provider_binary)  # no `config set` at all
    seq = emulator.last_seq()
    run = stacks.run("up", "producer")
    assert run.returncode != 0
    assert "privatelink-producer:consumerAccountId" in run.output and "privatelink-producer:consumerCidr" in run.output
    assert emulator.log(since=seq) == []


def test_a_setting_of_the_wrong_type_fails_naming_it_before_any_aws_call(emulator, stacks):
    stacks.config_set("producer", "zoneCount", "two")
    seq = emulator.last_seq()
    run = stacks.run("up", "producer")
    assert run.returncode != 0
    assert "privatelink-producer:zoneCount: 'two' is not of the declared type integer" in run.output
    assert emulator.log(since=seq) == []
