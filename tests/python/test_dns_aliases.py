"""PrivateLinkConsumer `hostnameAliases` (issue 10): each name gets a Route 53 private hosted zone
associated with the consumer VPC and an alias A record to the endpoint, so a client verifying the
service's certificate (the RDS Proxy's hostname) connects through the endpoint. Driven as the
engine drives the plugin against the emulator, every effect checked in Route 53 with boto3 and by
resolving the name inside the consumer VPC (the emulator's view of the VPC's Resolver)."""

import pytest

from article import (CONSUMER_TYPE, PORT, consumer_inputs, create_glue_connection, delete_glue_connection,
                     writes_since)
from behaviour import check_refuses, cut_short
from behaviour import with_changes as _with
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER
from test_consumer import (SOME_NETWORK, SOME_SERVICE, accept, baseline, checking,  # noqa: F401 (fixtures)
                           consumer, endpoint, inputs, refused_before_any_write, service)

PROXY = "orders-proxy.proxy-abc123def456.us-east-1.rds.amazonaws.com"
READER = "orders-proxy-ro.endpoint.proxy-abc123def456.us-east-1.rds.amazonaws.com"


def route53(emulator):
    return emulator.client("route53", CONSUMER)


def zones_named(emulator, name):
    listed = route53(emulator).list_hosted_zones_by_name(DNSName=name)["HostedZones"]
    return [z for z in listed if z["Name"].rstrip(".") == name]


def alias_record(emulator, zone_id, name):
    records = route53(emulator).list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return next((r for r in records if r["Name"].rstrip(".") == name and r["Type"] == "A"), None)


BAD_ALIASES = {
    "wildcard": (_with(hostnameAliases=["*.example.com"]), {"hostnameAliases[0]"}),
    "one label": (_with(hostnameAliases=[PROXY, "localhost"]), {"hostnameAliases[1]"}),
    "not a hostname": (_with(hostnameAliases=["db example.com"]), {"hostnameAliases[0]"}),
    "the endpoint's own name": (_with(hostnameAliases=["vpce-0a-1b.vpce-svc-0c.us-east-1.vpce.amazonaws.com"]),
                                {"hostnameAliases[0]"}),
    "twice, differing in case": (_with(hostnameAliases=[PROXY, PROXY.upper() + "."]), {"hostnameAliases[1]"}),
}


@pytest.mark.parametrize("change,properties", BAD_ALIASES.values(), ids=BAD_ALIASES.keys())
def test_check_names_the_bad_alias_and_calls_no_aws(checking, emulator_process, change, properties):
    check_refuses(emulator_process, checking(CONSUMER), CONSUMER_TYPE,
                  change(consumer_inputs(SOME_NETWORK, SOME_SERVICE)), properties)


def test_aliases_resolve_to_the_endpoint_inside_the_vpc_and_the_jdbc_url_verifies(
        endpoint, inputs, emulator, consumer_network, baseline):
    endpoint.up({**inputs, "hostnameAliases": [PROXY, READER]})
    out = endpoint.outputs
    assert out["jdbcUrl"] == f"jdbc:postgresql://{PROXY}:{PORT}/sales?sslmode=verify-full"
    assert [z["hostname"] for z in out["hostnameAliasZones"]] == [PROXY, READER]
    vpc = consumer_network["vpc_id"]
    for zone in out["hostnameAliasZones"]:
        got = route53(emulator).get_hosted_zone(Id=zone["hostedZoneId"])
        assert got["HostedZone"]["Config"]["PrivateZone"] is True
        assert [v["VPCId"] for v in got["VPCs"]] == [vpc]
        record = alias_record(emulator, zone["hostedZoneId"], zone["hostname"])
        assert record["AliasTarget"]["DNSName"].rstrip(".") == out["dnsName"]
        assert record["AliasTarget"]["HostedZoneId"] == out["dnsEntries"][0]["hostedZoneId"]
    # The endpoint answers only once accepted; an alias answers what its target answers.
    assert emulator.resolve_in_vpc(PROXY, vpc) == emulator.resolve_in_vpc(out["dnsName"], vpc)
    assert emulator.resolve(PROXY) is None, "a private zone answered outside its VPC"

    # Dropping one alias removes its zone; the other stays and the URL keeps the first.
    endpoint.up({**inputs, "hostnameAliases": [READER]})
    assert zones_named(emulator, PROXY) == [] and len(zones_named(emulator, READER)) == 1
    assert endpoint.outputs["jdbcUrl"].startswith(f"jdbc:postgresql://{READER}:{PORT}/")

    # An update that changes nothing writes nothing to Route 53.
    seq = emulator.last_seq()
    endpoint.session.update(endpoint.type, endpoint.name, endpoint.id, endpoint.outputs,
                            endpoint.check({**inputs, "hostnameAliases": [READER]}), old_inputs=endpoint.inputs)
    assert writes_since(emulator, seq) == []

    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_refresh_shows_a_deleted_alias_record_and_the_next_up_puts_it_back(endpoint, inputs, emulator):
    endpoint.up({**inputs, "hostnameAliases": [PROXY]})
    zone_id = endpoint.outputs["hostnameAliasZones"][0]["hostedZoneId"]
    record = alias_record(emulator, zone_id, PROXY)
    route53(emulator).change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": record}]})
    assert endpoint.refresh()
    assert endpoint.inputs["hostnameAliases"] == []
    assert [z["hostedZoneId"] for z in endpoint.outputs["hostnameAliasZones"]] == [zone_id], "state lost the zone"
    assert endpoint.outputs["jdbcUrl"] == f"jdbc:postgresql://{endpoint.outputs['dnsName']}:{PORT}/sales"
    diff = endpoint.up({**inputs, "hostnameAliases": [PROXY]})
    assert "hostnameAliases" in diff.diffs, diff
    assert alias_record(emulator, zone_id, PROXY) is not None, "the zone was not reused"
    assert len(zones_named(emulator, PROXY)) == 1
    endpoint.destroy()
    assert zones_named(emulator, PROXY) == []


def test_a_zone_for_the_name_made_by_someone_else_is_never_adopted(
        endpoint, inputs, emulator, consumer_network, baseline):
    theirs = route53(emulator).create_hosted_zone(
        Name=PROXY, CallerReference="made-by-hand", HostedZoneConfig={"PrivateZone": True, "Comment": "ours"},
        VPC={"VPCRegion": "us-east-1", "VPCId": consumer_network["vpc_id"]})["HostedZone"]
    baseline = emulator.inventory(CONSUMER)
    message = refused_before_any_write(emulator, endpoint, {**inputs, "hostnameAliases": [PROXY]}, baseline)
    assert "hostnameAliases" in message and PROXY in message and theirs["Id"].split("/")[-1] in message, message
    assert alias_record(emulator, theirs["Id"], PROXY) is None, "the user's zone was changed"


def test_a_create_cut_short_at_the_alias_record_keeps_its_zone_and_destroy_removes_it(
        endpoint, inputs, emulator, baseline):
    failed = cut_short(emulator, endpoint, {**inputs, "hostnameAliases": [PROXY]}, CONSUMER,
                       "ChangeResourceRecordSets")
    zones = zones_named(emulator, PROXY)
    assert len(zones) == 1
    assert [z["hostedZoneId"] for z in failed.outputs["hostnameAliasZones"]] == [zones[0]["Id"].split("/")[-1]]
    endpoint.up({**inputs, "hostnameAliases": [PROXY]})
    assert len(zones_named(emulator, PROXY)) == 1, "the next up made a second zone"
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_a_dropped_zone_create_is_retried_and_makes_one_zone(endpoint, inputs, emulator, baseline):
    emulator.fault("CreateHostedZone", "drop", account=CONSUMER)
    endpoint.up({**inputs, "hostnameAliases": [PROXY]})
    assert emulator.faults() == [], "CreateHostedZone was never called"
    assert len(zones_named(emulator, PROXY)) == 1
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_the_consumer_example_in_one_run_verifies_tls_through_the_proxy_hostname(
        producer_network, consumer_network, service, endpoint, inputs, emulator, provider_session, baseline):
    """examples/consumer: hostnameAliases is the producer's proxyEndpoint; the acceptance comes
    after the endpoint in the same run. Inside the consumer VPC the proxy's hostname resolves to
    the endpoint; outside it (the producer resolving its targets) it still resolves to the proxy."""
    proxy = producer_network["proxy_endpoint"]
    endpoint.up({**inputs, "hostnameAliases": [proxy]}, timeout=120)
    acceptance = accept(provider_session, service, endpoint)
    assert endpoint.refresh() and endpoint.outputs["state"] == "available"
    vpc = consumer_network["vpc_id"]
    endpoint_ips = emulator.resolve(endpoint.outputs["dnsName"])
    assert endpoint_ips and emulator.resolve_in_vpc(proxy, vpc) == endpoint_ips
    assert sorted(emulator.resolve(proxy)) == producer_network["proxy_ips"]
    jdbc_url = endpoint.outputs["jdbcUrl"]
    assert jdbc_url == f"jdbc:postgresql://{proxy}:{PORT}/sales?sslmode=verify-full"
    connection = create_glue_connection(emulator, consumer_network, jdbc_url)
    assert connection["ConnectionProperties"]["JDBC_CONNECTION_URL"] == jdbc_url
    # The producer's next refresh still registers the proxy's own addresses.
    assert service.refresh() and sorted(service.outputs["registeredTargetIps"]) == producer_network["proxy_ips"]
    delete_glue_connection(emulator)
    acceptance.destroy()
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline


def test_a_zone_create_whose_answer_is_lost_makes_one_zone(endpoint, inputs, emulator, baseline):
    """CreateHostedZone is carried out but its answer never arrives; the retry carries the same
    CallerReference, Route 53 answers HostedZoneAlreadyExists, and the zone made is the one used."""
    emulator.fault("CreateHostedZone", "lost_answer", account=CONSUMER)
    endpoint.up({**inputs, "hostnameAliases": [PROXY]})
    assert [e["error_code"] for e in emulator.log(action="CreateHostedZone")][-1] == "HostedZoneAlreadyExists"
    zones = zones_named(emulator, PROXY)
    assert [z["Id"].split("/")[-1] for z in zones] == [endpoint.outputs["hostnameAliasZones"][0]["hostedZoneId"]]
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline
