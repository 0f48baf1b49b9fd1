"""Check during a preview, with values other resources have not computed yet. The engine previews
and diffs with the inputs Check returns (pulumi/pkg/resource/deploy/step_generator.go,
generateSteps), so unknowns must come back exactly where they were, with the name and every
default filled in, and Check must still refuse what it can already tell is wrong."""

import pytest

from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER
from provider_session import UNKNOWN

PRODUCER_TOKEN = "privatelink:index:PrivateLinkProducer"
CONSUMER_TOKEN = "privatelink:index:PrivateLinkConsumer"
DEFAULTS = {"targetPort": 5432, "acceptanceRequired": True, "allowAnyPrincipal": False,
            "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": True, "crossZoneLoadBalancing": True,
            "forceDestroy": False}


@pytest.fixture
def inputs(producer_inputs):
    inputs = {**producer_inputs, "targetIps": ["10.0.1.10"]}
    del inputs["targetHostname"]
    return inputs


def assert_filled(checked):
    assert checked["name"].startswith("db-"), checked
    assert {k: checked[k] for k in DEFAULTS} == DEFAULTS
    health = {k: v for k, v in checked["healthCheck"].items() if v is not None}
    assert health == {"intervalSeconds": 10, "healthyThreshold": 3, "unhealthyThreshold": 3}


def test_an_unknown_optional_input_stays_unknown(producer, inputs):
    checked, failures = producer.check(PRODUCER_TOKEN, "db", {**inputs, "allowedCidrs": UNKNOWN,
                                                              "autoAcceptAccounts": UNKNOWN})
    assert failures == []
    assert checked["allowedCidrs"] == UNKNOWN and checked["autoAcceptAccounts"] == UNKNOWN
    assert_filled(checked)


def test_an_unknown_list_element_stays_where_it_was(producer, inputs):
    subnets = [inputs["subnetIds"][0], UNKNOWN]
    checked, failures = producer.check(PRODUCER_TOKEN, "db", {**inputs, "subnetIds": subnets,
                                                              "targetIps": ["10.0.1.10", UNKNOWN]})
    assert failures == []
    assert checked["subnetIds"] == subnets and checked["targetIps"] == ["10.0.1.10", UNKNOWN]
    assert_filled(checked)


def test_an_unknown_nested_value_and_an_unknown_default_stay_unknown(producer, inputs):
    checked, failures = producer.check(PRODUCER_TOKEN, "db", {**inputs, "healthCheck": {"port": UNKNOWN},
                                                              "acceptanceRequired": UNKNOWN})
    assert failures == []
    assert checked["healthCheck"] == {"port": UNKNOWN, "intervalSeconds": 10, "healthyThreshold": 3,
                                      "unhealthyThreshold": 3}
    assert checked["acceptanceRequired"] == UNKNOWN


def test_check_still_refuses_what_is_known_to_be_wrong(producer, inputs):
    _checked, failures = producer.check(PRODUCER_TOKEN, "db", {**inputs, "allowedCidrs": UNKNOWN,
                                                               "subnetIds": [UNKNOWN, "subnet-nope"],
                                                               "port": 70000})
    assert {p for p, _ in failures} == {"port", "subnetIds[1]"}, failures


def test_consumer_unknowns_stay_with_the_name_filled(provider_session, emulator):
    consumer = provider_session(CONSUMER)
    news = {"serviceName": UNKNOWN, "vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"],
            "port": 5432, "allowedSecurityGroupIds": UNKNOWN, "allowedCidrs": ["10.1.0.0/16", UNKNOWN]}
    checked, failures = consumer.check(CONSUMER_TOKEN, "db", news)
    assert failures == []
    assert checked["serviceName"] == UNKNOWN and checked["allowedSecurityGroupIds"] == UNKNOWN
    assert checked["allowedCidrs"] == ["10.1.0.0/16", UNKNOWN]
    assert checked["name"].startswith("db-") and "privateDnsEnabled" not in checked


def test_preview_with_an_unknown_input_shows_an_update_not_a_delete(producer, inputs):
    db = ManagedResource(producer, PRODUCER_TOKEN, "db")
    db.up(inputs)
    try:
        diff, _planned = db.preview({**inputs, "allowedCidrs": UNKNOWN})
        assert diff.detailed_diff == {"allowedCidrs": "UPDATE"}, diff
        # subnetIds change in place (SetSubnets, issue 15); targetPort still replaces.
        diff, _planned = db.preview({**inputs, "subnetIds": [inputs["subnetIds"][0], UNKNOWN]})
        assert diff.replaces == [] and diff.detailed_diff == {"subnetIds": "UPDATE"}, diff
        diff, _planned = db.preview({**inputs, "targetPort": UNKNOWN})
        assert diff.replaces == ["targetPort"] and set(diff.detailed_diff) == {"targetPort"}, diff
    finally:
        db.destroy()
