"""Behaviour of privatelink:index:PrivateLinkConsumer and privatelink:index:EndpointAcceptance,
driven as the engine drives them against the AWS emulator, with a PrivateLinkProducer (made
through the plugin, producer account) as the service, and every effect verified in AWS with boto3.
The contract is schema.json's resource entries."""

import concurrent.futures
import time

import grpc
import pytest

from article import (ACCEPTANCE_TYPE, CONSUMER_TYPE, PORT, PRODUCER_TYPE, acceptance_inputs, consumer_inputs,
                     endpoint_state, producer_inputs, security_group_rules, writes_since)
from behaviour import check_refuses, cut_short, replaces, survives_faults
from behaviour import with_changes as _with
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed, ProviderSession

# A well-formed service name no producer made: Check and Diff never look it up.
SOME_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
# Well-formed ids of nothing, for Check, which never looks them up either.
SOME_NETWORK = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                "glue_sg_id": "sg-0123456789abcdef0"}
INGRESS = {"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"}


@pytest.fixture(scope="module")
def checking(provider_binary, emulator_process):
    """checking(account) -> a plugin for Check only. Check makes no AWS call, so the Check tests
    share one plugin per account and need neither a fresh emulator nor networks."""
    sessions = {}

    def session(account):
        if account not in sessions:
            sessions[account] = ProviderSession(provider_binary, emulator_process, account)
        return sessions[account]

    yield session
    for started in sessions.values():
        started.stop()


@pytest.fixture
def consumer(provider_session):
    """The provider configured as the consumer account."""
    return provider_session(CONSUMER)


@pytest.fixture
def baseline(emulator, producer_network, consumer_network):
    """The consumer account's inventory with only its network fixture in it."""
    return emulator.inventory(CONSUMER)


def make_service(producer, producer_network, consumer_network, name="db", **changes):
    service = ManagedResource(producer, PRODUCER_TYPE, name)
    service.up(producer_inputs(producer_network, consumer_network, **changes))
    return service


@pytest.fixture
def service(producer, producer_network, consumer_network):
    """The article's producer: the consumer account may connect, connections need acceptance."""
    return make_service(producer, producer_network, consumer_network)


@pytest.fixture
def inputs(consumer_network, service):
    return consumer_inputs(consumer_network, service.outputs["serviceName"])


@pytest.fixture
def endpoint(consumer, baseline):
    """A PrivateLinkConsumer named `endpoint`, not created yet."""
    return ManagedResource(consumer, CONSUMER_TYPE, "endpoint")


@pytest.fixture
def created(endpoint, inputs):
    endpoint.up(inputs)
    return endpoint


def accept(provider_session, service, endpoint):
    """An EndpointAcceptance made with the producer account's credentials."""
    acceptance = ManagedResource(provider_session(PRODUCER), ACCEPTANCE_TYPE, "acceptance")
    acceptance.up(acceptance_inputs(service.outputs["serviceId"], endpoint.id))
    return acceptance


def subnet(emulator, consumer_network, cidr, zone):
    ec2 = emulator.client("ec2", CONSUMER)
    return ec2.create_subnet(VpcId=consumer_network["vpc_id"], CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]


def ingress(emulator, group_id):
    return security_group_rules(emulator, CONSUMER, group_id)["ingress"]


# --- Check -----------------------------------------------------------------------------------


BAD_INPUTS = {
    "serviceName not a service name": (_with(serviceName="com.amazonaws.us-east-1.s3"), {"serviceName"}),
    "serviceName a bare service id": (_with(serviceName="vpce-svc-0123456789abcdef0"), {"serviceName"}),
    "bad subnet id": (lambda i: {**i, "subnetIds": [i["subnetIds"][0], "subnet_1"]}, {"subnetIds[1]"}),
    "no subnets": (_with(subnetIds=[]), {"subnetIds"}),
    "bad vpc id": (_with(vpcId="vpc"), {"vpcId"}),
    "port 0": (_with(port=0), {"port"}),
    "port 65536": (_with(port=65536), {"port"}),
    "bad CIDR": (_with(allowedCidrs=["10.1.0.0/16", "10.1.0.0/33"]), {"allowedCidrs[1]"}),
    "bad security group id": (_with(allowedSecurityGroupIds=["glue"]), {"allowedSecurityGroupIds[0]"}),
    "bad waitForAcceptance": (_with(waitForAcceptance="soon"), {"waitForAcceptance"}),
    "negative waitForAcceptance": (_with(waitForAcceptance="-5m"), {"waitForAcceptance"}),
    "jdbc.engine oracle": (_with(jdbc={"engine": "oracle", "database": "sales"}), {"jdbc.engine"}),
    "jdbc.database missing": (_with(jdbc={"engine": "postgresql", "database": ""}), {"jdbc.database"}),
    "bad serviceRegion": (_with(serviceRegion="mars-1"), {"serviceRegion"}),
    "name with invalid characters": (_with(name="orders_endpoint"), {"name"}),
}


@pytest.mark.parametrize("change,properties", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_check_names_the_bad_property_and_calls_no_aws(checking, emulator_process, change, properties):
    check_refuses(emulator_process, checking(CONSUMER), CONSUMER_TYPE,
                  change(consumer_inputs(SOME_NETWORK, SOME_SERVICE)), properties)


def test_check_fills_a_name_and_defaults_without_calling_aws(checking, emulator_process):
    session = checking(CONSUMER)
    seq = emulator_process.last_seq()
    checked, failures = session.check(CONSUMER_TYPE, "endpoint", consumer_inputs(SOME_NETWORK, SOME_SERVICE))
    assert failures == []
    assert checked["name"].startswith("endpoint-") and "privateDnsEnabled" not in checked  # unset: not managed
    assert emulator_process.log(since=seq) == []


@pytest.mark.parametrize("news,properties", [
    ({"serviceId": "svc-1", "endpointId": "vpce-0123456789abcdef0"}, {"serviceId"}),
    ({"serviceId": "vpce-svc-0123456789abcdef0", "endpointId": "vpc-0123456789abcdef0"}, {"endpointId"}),
    ({"endpointId": "vpce-0123456789abcdef0"}, {"serviceId"}),
], ids=["bad serviceId", "bad endpointId", "missing serviceId"])
def test_acceptance_check_names_the_bad_property_and_calls_no_aws(checking, emulator_process, news, properties):
    failures = check_refuses(emulator_process, checking(PRODUCER), ACCEPTANCE_TYPE, news, properties)
    assert {p for p, _ in failures} == properties, failures


# --- Preflight: refused before any write -----------------------------------------------------


def refused_before_any_write(emulator, endpoint, news, baseline):
    """Create fails with an error (not a partial create); nothing was written in any account.
    Answers the error message."""
    seq = emulator.last_seq()
    with pytest.raises(grpc.RpcError) as error:
        endpoint.up(news, timeout=60)
    assert not isinstance(error.value, InitFailed) and endpoint.id is None
    assert writes_since(emulator, seq) == []
    assert emulator.inventory(CONSUMER) == baseline
    return error.value.details()


def test_a_service_this_account_may_not_use_is_refused_before_any_write(
        producer, producer_network, consumer_network, endpoint, emulator, baseline):
    other = make_service(producer, producer_network, consumer_network,
                         allowedPrincipals=["arn:aws:iam::333333333333:root"])
    message = refused_before_any_write(emulator, endpoint,
                                       consumer_inputs(consumer_network, other.outputs["serviceName"]), baseline)
    assert "serviceName" in message and "allowedPrincipals" in message, message


def test_a_subnet_in_a_zone_the_service_lacks_is_refused_before_any_write(
        inputs, endpoint, emulator, consumer_network, baseline):
    zone_c = subnet(emulator, consumer_network, "10.1.3.0/24", "us-east-1c")
    baseline = emulator.inventory(CONSUMER)
    message = refused_before_any_write(emulator, endpoint,
                                       {**inputs, "subnetIds": [consumer_network["subnet_ids"][0], zone_c]}, baseline)
    assert "subnetIds" in message and zone_c in message and "us-east-1c" in message, message
    assert consumer_network["subnet_ids"][0] not in message, message


def test_two_subnets_in_one_zone_are_refused_before_any_write(inputs, endpoint, emulator, consumer_network, baseline):
    second_a = subnet(emulator, consumer_network, "10.1.4.0/24", "us-east-1a")
    baseline = emulator.inventory(CONSUMER)
    message = refused_before_any_write(emulator, endpoint,
                                       {**inputs, "subnetIds": [consumer_network["subnet_ids"][0], second_a]}, baseline)
    assert "subnetIds" in message and second_a in message and "us-east-1a" in message, message


def test_private_dns_for_a_service_without_a_private_name_is_refused_before_any_write(
        inputs, endpoint, emulator, baseline):
    message = refused_before_any_write(emulator, endpoint, {**inputs, "privateDnsEnabled": True}, baseline)
    assert "privateDnsEnabled" in message, message


def private_dns_service(producer, producer_network, consumer_network, emulator, verified=True):
    """A producer with the private DNS name db.example.com (verified through its TXT record
    unless `verified` is false) that auto-accepts the consumer account."""
    service = make_service(producer, producer_network, consumer_network, privateDnsName="db.example.com",
                           autoAcceptAccounts=[CONSUMER])
    if verified:
        record = service.outputs["privateDnsVerification"]
        emulator.dns_txt(f"{record['name']}.db.example.com", [record["value"]])
        emulator.client("ec2", PRODUCER).start_vpc_endpoint_service_private_dns_verification(
            ServiceId=service.outputs["serviceId"])
    return service


def dns_hostnames(emulator, consumer_network):
    ec2 = emulator.client("ec2", CONSUMER)
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=consumer_network["vpc_id"], **{attribute: {"Value": True}})


def test_private_dns_in_a_vpc_without_dns_hostnames_is_refused_before_any_write(
        producer, producer_network, consumer_network, endpoint, emulator, baseline):
    service = private_dns_service(producer, producer_network, consumer_network, emulator)
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], privateDnsEnabled=True,
                           waitForAcceptance="5s")
    message = refused_before_any_write(emulator, endpoint, news, baseline)
    assert "privateDnsEnabled" in message and "enableDnsHostnames" in message, message


def test_private_dns_of_an_unverified_name_is_refused_before_any_write(
        producer, producer_network, consumer_network, endpoint, emulator, baseline):
    dns_hostnames(emulator, consumer_network)
    baseline = emulator.inventory(CONSUMER)
    service = private_dns_service(producer, producer_network, consumer_network, emulator, verified=False)
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], privateDnsEnabled=True,
                           waitForAcceptance="5s")
    message = refused_before_any_write(emulator, endpoint, news, baseline)
    assert "privateDnsEnabled" in message and "verified" in message, message


def test_a_name_taken_by_a_group_it_did_not_make_is_refused_and_that_group_left_alone(
        inputs, endpoint, emulator, consumer_network, baseline):
    # The Glue connection's group is named `glue` (networks.py): it is the user's, not ours.
    glue = consumer_network["glue_sg_id"]
    ec2 = emulator.client("ec2", CONSUMER)
    before = ec2.describe_security_groups(GroupIds=[glue])["SecurityGroups"][0]
    try:
        with pytest.raises(grpc.RpcError) as error:
            endpoint.up({**inputs, "name": "glue"}, timeout=60)
        assert "name" in error.value.details() and glue in error.value.details(), error.value.details()
        assert ec2.describe_security_groups(GroupIds=[glue])["SecurityGroups"][0] == before, \
            "the provider took over (rules, tags) a security group it did not make"
    finally:
        if endpoint.id:
            endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline, "destroy deleted the user's security group"


# --- Create ----------------------------------------------------------------------------------


def test_create_makes_a_pending_endpoint_reachable_only_from_the_allowed_group(created, service, emulator,
                                                                             consumer_network):
    out = created.outputs
    assert created.id == out["endpointId"] and out["state"] == "pendingAcceptance"
    described = emulator.client("ec2", CONSUMER).describe_vpc_endpoints(VpcEndpointIds=[created.id])["VpcEndpoints"][0]
    assert (described["ServiceName"], described["VpcId"], described["VpcEndpointType"]) == \
        (service.outputs["serviceName"], consumer_network["vpc_id"], "Interface")
    assert sorted(described["SubnetIds"]) == sorted(consumer_network["subnet_ids"])
    assert [g["GroupId"] for g in described["Groups"]] == [out["securityGroupId"]]
    assert security_group_rules(emulator, CONSUMER, out["securityGroupId"]) == {
        "ingress": {("tcp", PORT, PORT, consumer_network["glue_sg_id"])}, "egress": set()}
    assert out["dnsName"] == out["dnsEntries"][0]["dnsName"]
    assert out["jdbcUrl"] == f"jdbc:postgresql://{out['dnsName']}:{PORT}/sales"
    assert sorted(out["networkInterfaceIds"]) == sorted(described["NetworkInterfaceIds"])


def test_create_reports_progress_to_the_engine(created, consumer):
    lines = consumer.wait_for_log(lambda line: created.id in line.message)
    lines = [line for line in lines if line.urn == consumer.urn(CONSUMER_TYPE, "endpoint")]
    assert any(line.ephemeral for line in lines), lines


def test_preview_writes_nothing(endpoint, inputs, emulator, baseline):
    seq = emulator.last_seq()
    endpoint.preview(inputs)
    assert writes_since(emulator, seq) == []
    assert emulator.inventory(CONSUMER) == baseline


# --- Acceptance ------------------------------------------------------------------------------


def up_with_refresh(service):
    """`pulumi up --refresh` of the producer stack: the refresh (read only) sees the pending
    connection, and the update accepts the auto-accepted accounts."""
    service.refresh()
    service.up(service.inputs)


def test_auto_accept_on_the_producers_next_up_makes_the_endpoint_available(
        producer, producer_network, consumer_network, endpoint, emulator):
    service = make_service(producer, producer_network, consumer_network, autoAcceptAccounts=[CONSUMER])
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    assert endpoint.outputs["state"] == "pendingAcceptance"
    up_with_refresh(service)
    assert endpoint_state(emulator, endpoint.id) in ("pending", "available")
    assert endpoint.refresh()
    assert endpoint.outputs["state"] == "available"


def test_wait_for_acceptance_returns_once_the_producer_accepts(
        producer, producer_network, consumer_network, endpoint, emulator):
    service = make_service(producer, producer_network, consumer_network, autoAcceptAccounts=[CONSUMER])
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], waitForAcceptance="2m")
    create_while_the_producer_refreshes(endpoint, news, service, emulator)
    assert endpoint.outputs["state"] == "available"


def create_while_the_producer_refreshes(endpoint, news, service, emulator):
    """Create `endpoint` (news waiting for acceptance) while the producer stack is updated with
    a refresh once the connection request is there, which auto-accepts it."""
    ec2 = emulator.client("ec2", PRODUCER)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        creating = pool.submit(endpoint.up, news)
        deadline = time.monotonic() + 30
        while not ec2.describe_vpc_endpoint_connections(
                Filters=[{"Name": "service-id", "Values": [service.outputs["serviceId"]]}])["VpcEndpointConnections"]:
            assert time.monotonic() < deadline and not creating.done(), "the endpoint never asked to connect"
            time.sleep(0.1)
        assert not creating.done(), "create returned before the connection was accepted"
        up_with_refresh(service)
        creating.result(timeout=60)


def test_private_dns_is_enabled_once_the_producer_accepts(
        producer, producer_network, consumer_network, endpoint, emulator):
    dns_hostnames(emulator, consumer_network)
    service = private_dns_service(producer, producer_network, consumer_network, emulator)
    news = consumer_inputs(consumer_network, service.outputs["serviceName"], privateDnsEnabled=True,
                           waitForAcceptance="1m")
    create_while_the_producer_refreshes(endpoint, news, service, emulator)
    assert (endpoint.outputs["state"], endpoint.outputs["privateDnsEnabled"]) == ("available", True)
    assert "db.example.com" in [e["dnsName"] for e in endpoint.outputs["dnsEntries"]]
    described = emulator.client("ec2", CONSUMER).describe_vpc_endpoints(VpcEndpointIds=[endpoint.id])["VpcEndpoints"][0]
    assert described["PrivateDnsEnabled"] is True


def test_wait_for_acceptance_that_runs_out_keeps_the_endpoint_for_the_next_up(
        created, inputs, emulator, consumer, baseline):
    waiting = ManagedResource(consumer, CONSUMER_TYPE, "waiting")
    with pytest.raises(InitFailed) as failed:
        waiting.up({**inputs, "waitForAcceptance": "2s"}, timeout=60)
    assert failed.value.id.startswith("vpce-") and waiting.id == failed.value.id
    assert endpoint_state(emulator, waiting.id) == "pendingAcceptance"
    assert "accept" in failed.value.message, failed.value.message
    waiting.destroy()
    created.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_the_acceptance_accepts_and_its_delete_rejects(created, service, provider_session, emulator):
    acceptance = accept(provider_session, service, created)
    assert acceptance.id == f"{service.outputs['serviceId']}/{created.id}"
    assert (acceptance.outputs["state"], acceptance.outputs["ownerAccount"]) == ("available", CONSUMER)
    assert created.refresh() and created.outputs["state"] == "available"
    acceptance.destroy()
    assert created.refresh() and created.outputs["state"] == "rejected"
    assert endpoint_state(emulator, created.id) == "rejected"


def test_waiting_on_a_rejected_endpoint_fails_at_once_naming_it(created, service, provider_session, inputs):
    accept(provider_session, service, created).destroy()  # the producer rejects the connection
    started = time.monotonic()
    with pytest.raises(InitFailed) as failed:
        created.up({**inputs, "waitForAcceptance": "1m"}, timeout=90)
    assert time.monotonic() - started < 30, "waited for a rejected connection"
    assert "rejected" in failed.value.message and created.id in failed.value.message, failed.value.message


def test_acceptance_import_and_refresh_after_the_endpoint_is_gone(created, service, provider_session, producer):
    acceptance = accept(provider_session, service, created)
    new_id, outputs, imported = producer.read(ACCEPTANCE_TYPE, "imported", acceptance.id)
    assert (new_id, imported) == (acceptance.id, acceptance.inputs)
    assert outputs["state"] == "available" and outputs["ownerAccount"] == CONSUMER
    created.destroy()
    assert acceptance.refresh() is False


def test_acceptance_refresh_follows_the_connection(created, service, provider_session, emulator):
    acceptance = accept(provider_session, service, created)
    emulator.client("ec2", PRODUCER).reject_vpc_endpoint_connections(
        ServiceId=service.outputs["serviceId"], VpcEndpointIds=[created.id])
    assert acceptance.refresh() and acceptance.outputs["state"] == "rejected"


# --- Update in place -------------------------------------------------------------------------


def _cidrs(net, _emulator):
    return {"allowedCidrs": ["10.1.0.0/24"]}, lambda rules: rules == {
        ("tcp", PORT, PORT, net["glue_sg_id"]), ("tcp", PORT, PORT, "10.1.0.0/24")}


def _groups(net, emulator):
    etl = emulator.client("ec2", CONSUMER).create_security_group(
        GroupName="etl", Description="etl", VpcId=net["vpc_id"])["GroupId"]
    return {"allowedSecurityGroupIds": [etl]}, lambda rules: rules == {("tcp", PORT, PORT, etl)}


def _port(net, _emulator):
    return {"port": 6432}, lambda rules: rules == {("tcp", 6432, 6432, net["glue_sg_id"])}


IN_PLACE = {"allowedCidrs": _cidrs, "allowedSecurityGroupIds": _groups, "port": _port}


@pytest.mark.parametrize("prop", IN_PLACE)
def test_update_in_place_changes_only_the_security_group_rules(created, inputs, emulator, consumer_network, prop):
    changes, expected = IN_PLACE[prop](consumer_network, emulator)
    before = created.outputs
    seq = emulator.last_seq()
    diff = created.up({**inputs, **changes})
    assert diff.replaces == [] and diff.changes == "DIFF_SOME" and prop in diff.detailed_diff, diff
    assert set(writes_since(emulator, seq)) <= INGRESS, writes_since(emulator, seq)
    assert created.id == before["endpointId"] == created.outputs["endpointId"]
    assert created.outputs["securityGroupId"] == before["securityGroupId"]
    rules = ingress(emulator, created.outputs["securityGroupId"])
    assert expected(rules), rules
    assert security_group_rules(emulator, CONSUMER, created.outputs["securityGroupId"])["egress"] == set()
    assert created.outputs[prop] == changes[prop]
    port = changes.get("port", PORT)
    assert created.outputs["jdbcUrl"] == f"jdbc:postgresql://{created.outputs['dnsName']}:{port}/sales"
    # A refresh right after sees what the update made: no drift.
    created.refresh()
    assert created.diff(created.check({**inputs, **changes})).changes == "DIFF_NONE"


def test_jdbc_change_updates_the_url_without_aws_writes(created, inputs, emulator):
    seq = emulator.last_seq()
    diff = created.up({**inputs, "jdbc": {"engine": "mysql", "database": "orders"}})
    assert diff.replaces == [] and "jdbc" in diff.detailed_diff
    assert writes_since(emulator, seq) == []
    assert created.outputs["jdbcUrl"] == f"jdbc:mysql://{created.outputs['dnsName']}:{PORT}/orders"


def test_preview_of_an_update_writes_nothing(created, inputs, emulator):
    rules = ingress(emulator, created.outputs["securityGroupId"])
    seq = emulator.last_seq()
    diff, planned = created.preview({**inputs, "allowedCidrs": ["10.1.0.0/24"]})
    assert diff.replaces == [] and planned["allowedCidrs"] == ["10.1.0.0/24"]
    assert writes_since(emulator, seq) == []
    assert ingress(emulator, created.outputs["securityGroupId"]) == rules


# --- Diff and replace ------------------------------------------------------------------------

REPLACING = {
    "serviceName": lambda i: {**i, "serviceName": SOME_SERVICE},
    "vpcId": lambda i: {**i, "vpcId": "vpc-0a1b2c3d4e5f67890"},
    "name": lambda i: {**i, "name": "orders-endpoint"},
}


def test_diff_replaces_delete_first_when_an_identity_property_changes(created, inputs):
    for prop, change in REPLACING.items():
        replaces(created, change(inputs), prop, delete_first=True)


def test_subnets_change_in_place_keeping_the_endpoint(created, inputs, emulator):
    """ModifyVpcEndpoint adds and removes subnets; AWS needs no new endpoint (issue 15)."""
    old = created.id
    diff = created.up({**inputs, "subnetIds": inputs["subnetIds"][:1]})
    assert diff.replaces == [] and diff.changes == "DIFF_SOME"
    assert created.id == old
    ec2 = emulator.client("ec2", CONSUMER)
    endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[old])["VpcEndpoints"][0]
    assert endpoint["SubnetIds"] == inputs["subnetIds"][:1]
    created.up(inputs)
    endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[old])["VpcEndpoints"][0]
    assert sorted(endpoint["SubnetIds"]) == sorted(inputs["subnetIds"])
    assert len(endpoint["NetworkInterfaceIds"]) == 2


def test_diff_of_unchanged_inputs_is_empty(created, inputs):
    diff = created.diff(created.check(inputs))
    assert (diff.changes, diff.replaces) == ("DIFF_NONE", [])


def test_replacing_deletes_the_old_endpoint_first(created, inputs, emulator):
    old = created.id
    diff = created.up({**inputs, "name": "orders-endpoint"})
    assert diff.replaces == ["name"]
    assert created.id != old and endpoint_state(emulator, old) is None
    region = emulator.inventory(CONSUMER)[CONSUMER]["us-east-1"]
    assert [e.split()[0] for e in region["vpc_endpoints"]] == [created.id]


# --- Read ------------------------------------------------------------------------------------


def test_refresh_without_drift_keeps_the_state(created, inputs):
    before = created.outputs
    assert created.refresh()
    assert created.outputs == before
    assert created.diff(created.check(inputs)).changes == "DIFF_NONE"


def test_refresh_shows_a_rule_removed_out_of_band(created, inputs, emulator, consumer_network):
    emulator.client("ec2", CONSUMER).revoke_security_group_ingress(
        GroupId=created.outputs["securityGroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
                        "UserIdGroupPairs": [{"GroupId": consumer_network["glue_sg_id"]}]}])
    created.refresh()
    assert created.outputs["allowedSecurityGroupIds"] == []
    diff = created.diff(created.check(inputs))
    assert diff.replaces == [] and "allowedSecurityGroupIds" in str(diff.detailed_diff)
    created.up(inputs)
    assert ingress(emulator, created.outputs["securityGroupId"]) == {("tcp", PORT, PORT, consumer_network["glue_sg_id"])}


def test_refresh_after_the_endpoint_was_deleted_out_of_band_reports_it_gone(created, emulator):
    emulator.client("ec2", CONSUMER).delete_vpc_endpoints(VpcEndpointIds=[created.id])
    assert created.refresh() is False


def test_up_after_the_endpoint_was_deleted_out_of_band_recreates_it_and_destroy_leaves_nothing(
        created, inputs, emulator, baseline):
    old = created.id
    emulator.client("ec2", CONSUMER).delete_vpc_endpoints(VpcEndpointIds=[old])
    assert created.refresh() is False
    created.up(inputs)
    assert created.id != old and endpoint_state(emulator, created.id) == "pendingAcceptance"
    created.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_import_by_endpoint_id_returns_inputs_that_diff_clean(created, consumer, inputs):
    new_id, outputs, imported = consumer.read(CONSUMER_TYPE, "imported", created.id)
    assert new_id == created.id
    assert outputs["securityGroupId"] == created.outputs["securityGroupId"]
    for key in ("serviceName", "vpcId", "subnetIds", "port", "allowedSecurityGroupIds", "name"):
        assert imported[key] == created.inputs[key], key
    checked, failures = consumer.check(CONSUMER_TYPE, "imported", imported, olds=imported)
    assert failures == []
    assert consumer.diff(CONSUMER_TYPE, "imported", new_id, outputs, checked, old_inputs=imported).changes == "DIFF_NONE"


# --- Delete ----------------------------------------------------------------------------------


def test_delete_leaves_only_the_network(created, emulator, baseline):
    created.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_delete_after_the_endpoint_went_out_of_band_removes_the_group(created, emulator, baseline):
    emulator.client("ec2", CONSUMER).delete_vpc_endpoints(VpcEndpointIds=[created.id])
    created.destroy()
    assert emulator.inventory(CONSUMER) == baseline


# --- Faults ----------------------------------------------------------------------------------

KINDS = ("throttle", "http500", "drop")
ACTIONS = ("CreateSecurityGroup", "CreateVpcEndpoint", "DeleteVpcEndpoints")


@pytest.mark.parametrize("turn", range(len(KINDS)), ids=lambda turn: "-".join(
    f"{action}:{KINDS[(turn + i) % len(KINDS)]}" for i, action in enumerate(ACTIONS)))
def test_transient_faults_are_retried(endpoint, inputs, emulator, baseline, turn):
    # Every action fails once in each test, the kinds taking turns: over the tests, every action
    # meets every kind.
    survives_faults(emulator, endpoint, inputs, CONSUMER,
                    {action: KINDS[(turn + i) % len(KINDS)] for i, action in enumerate(ACTIONS)})
    assert emulator.inventory(CONSUMER) == baseline


# --- Partial failure -------------------------------------------------------------------------


@pytest.fixture
def half_made(endpoint, inputs, emulator):
    """The create stopped at CreateVpcEndpoint: the security group exists, the endpoint does not."""
    failed = cut_short(emulator, endpoint, inputs, CONSUMER, "CreateVpcEndpoint")
    assert endpoint.id == endpoint.outputs["securityGroupId"] and not endpoint.outputs.get("endpointId")
    return failed


def test_partial_create_keeps_the_group_and_delete_removes_it(endpoint, half_made, emulator, baseline):
    assert endpoint.id in str(emulator.inventory(CONSUMER))
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_update_after_a_partial_create_finishes_it(endpoint, half_made, inputs, emulator, baseline):
    # The engine updates a resource with init errors on the next `up`, whatever Diff says.
    group = endpoint.id
    endpoint._update(endpoint.check(inputs), timeout=60)
    assert endpoint.outputs["securityGroupId"] == group
    assert endpoint_state(emulator, endpoint.outputs["endpointId"]) == "pendingAcceptance"
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_refresh_after_a_partial_create_keeps_what_was_made(endpoint, half_made, emulator, baseline):
    # `pulumi refresh` before the next `up`: an empty id would make the engine forget the
    # security group the create made, and nothing would ever delete it.
    assert endpoint.refresh(), "Read reported the half-made resource gone; its security group is orphaned"
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline
