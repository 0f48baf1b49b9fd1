"""What is retried and what is not (issue 15): a user's typo or a dependency no wait can end fails
at once, naming what to fix; only what we just made gets eventual-consistency retries."""

import time

import grpc
import pytest

from article import PRODUCER_TYPE, producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import PRODUCER
from provider_session import InitFailed


def failure_text(error):
    return error.message if isinstance(error, InitFailed) else error.details()


def test_a_subnet_that_does_not_exist_fails_at_once_naming_subnet_ids(emulator, producer, producer_network,
                                                                     consumer_network):
    news = producer_inputs(producer_network, consumer_network)
    news["subnetIds"] = [news["subnetIds"][0], "subnet-0123456789abcdef0"]
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    started = time.monotonic()
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.up(news, timeout=120)
    assert time.monotonic() - started < 20
    assert failure_text(failed.value).startswith("subnetIds:"), failure_text(failed.value)
    # The unknown subnet's DescribeSubnets is not retried (the VPC's subnet map, read at the
    # same time for the target zones, is another DescribeSubnets, answered ok).
    assert len([e for e in emulator.log(action="DescribeSubnets") if e["outcome"] != "ok"]) == 1


def test_a_group_still_named_in_another_groups_rule_fails_the_delete_at_once_naming_it(
        emulator, producer, producer_network, consumer_network):
    """The RDS Proxy setup: the proxy's group admits the load balancer's group."""
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    ec2 = emulator.client("ec2", PRODUCER)
    proxy_group = producer_network["db_security_group_id"]
    ec2.authorize_security_group_ingress(GroupId=proxy_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "UserIdGroupPairs": [{"GroupId": service.outputs["securityGroupId"]}]}])
    started = time.monotonic()
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.destroy(timeout=120)
    assert time.monotonic() - started < 30
    assert proxy_group in failure_text(failed.value), failure_text(failed.value)
    ec2.revoke_security_group_ingress(GroupId=proxy_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "UserIdGroupPairs": [{"GroupId": service.outputs["securityGroupId"]}]}])
    service.destroy()


def test_resources_just_made_are_waited_for_while_describe_does_not_show_them_yet(
        emulator, provider_session, producer, producer_network, consumer_network):
    """EC2 and ELBv2 reads are eventually consistent: for `visibility_lag` seconds the emulator
    answers NotFound for a Describe naming what was just created; producer and consumer still come up."""
    from article import CONSUMER_TYPE, consumer_inputs
    from privatelink_emulator.client import CONSUMER
    emulator.config(visibility_lag=1.0)
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    endpoint = ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    not_found = [e for e in emulator.log() if (e["error_code"] or "").endswith(("NotFound", "NotFoundException"))
                 or e["error_code"] in ("LoadBalancerNotFound", "TargetGroupNotFound")]
    assert not_found, "no read met a resource that was not visible yet: the lag did not apply"
    emulator.config(visibility_lag=0)
    endpoint.destroy()
    service.destroy()
