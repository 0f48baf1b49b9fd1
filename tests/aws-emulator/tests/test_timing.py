"""Configurable delays of AWS's asynchronous state changes (0 s by default).
AWS: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerState.html
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html"""
import time

from conftest import CONSUMER
from helpers import endpoint, endpoint_state, error_code, network, nlb, security_group, service

DELAY = 0.4


def _lb_state(elbv2, arn):
    return elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["State"]["Code"]


def test_nlb_provisioning_then_active(emulator, ec2_a, elbv2_a):
    emulator.call("POST", "/_emulator/config", {"nlb_provisioning": DELAY})
    vpc, subnets = network(ec2_a)
    arn = nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")])
    assert _lb_state(elbv2_a, arn) == "provisioning"
    time.sleep(DELAY + 0.1)
    assert _lb_state(elbv2_a, arn) == "active"


def test_endpoint_pending_acceptance_and_deleting_delays(emulator, ec2_a, ec2_b, elbv2_a):
    emulator.call("POST", "/_emulator/config",
                  {"endpoint_acceptance": DELAY, "endpoint_deleting": DELAY, "endpoint_pending": DELAY})
    vpc, subnets = network(ec2_a)
    svc = service(ec2_a, nlb(elbv2_a, subnets, [security_group(ec2_a, vpc, "nlb")]),
                  principals=(f"arn:aws:iam::{CONSUMER}:root",))
    vpc_b, subnets_b = network(ec2_b, "10.1.0.0/16")
    ep = endpoint(ec2_b, vpc_b, subnets_b, [security_group(ec2_b, vpc_b, "ep")], svc["ServiceName"])["VpcEndpointId"]
    ec2_a.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[ep])
    assert endpoint_state(ec2_b, ep) == "pending"
    time.sleep(DELAY + 0.1)
    assert endpoint_state(ec2_b, ep) == "available"

    ec2_b.delete_vpc_endpoints(VpcEndpointIds=[ep])
    assert endpoint_state(ec2_b, ep) == "deleting"
    time.sleep(DELAY + 0.1)
    assert error_code(ec2_b.describe_vpc_endpoints, VpcEndpointIds=[ep]) == "InvalidVpcEndpointId.NotFound"


def test_config_rejects_unknown_delays(emulator):
    assert emulator.call("POST", "/_emulator/config", {"nlb_provisionning": 1})["status"] == 400
    delays = emulator.call("GET", "/_emulator/config")["delays"]
    assert set(delays) == {"nlb_provisioning", "endpoint_pending", "endpoint_acceptance",
                           "endpoint_deleting", "eni_release", "service_pending",
                           "target_registration", "target_deregistration", "visibility_lag"}
