"""Who an allowedPrincipals entry admits (issue 15): a role ARN admits only callers acting as that
role, an account-root ARN the whole account. The emulator enforces it on DescribeVpcEndpointServices
and CreateVpcEndpoint as AWS does (tests/aws-emulator/README.md, "Cross-account visibility")."""

import grpc
import pytest

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER
from provider_session import InitFailed

DEPLOYER = f"arn:aws:iam::{CONSUMER}:role/glue-deployer"


def failure_text(error):
    return error.message if isinstance(error, InitFailed) else error.details()


def test_a_role_principal_admits_the_consumer_acting_as_that_role_and_no_one_else_of_its_account(
        emulator, provider_session, producer, producer_network, consumer_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network, allowedPrincipals=[DEPLOYER]))
    inputs = consumer_inputs(consumer_network, service.outputs["serviceName"])

    as_account = ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")
    with pytest.raises((InitFailed, grpc.RpcError)) as refused:
        as_account.up(inputs, timeout=120)
    assert failure_text(refused.value).startswith("serviceName:"), failure_text(refused.value)
    assert emulator.log(action="CreateVpcEndpoint") == []

    as_other_role = ManagedResource(
        provider_session(CONSUMER, assumeRole={"roleArn": f"arn:aws:iam::{CONSUMER}:role/other"}),
        CONSUMER_TYPE, "endpoint")
    with pytest.raises((InitFailed, grpc.RpcError)):
        as_other_role.up(inputs, timeout=120)

    as_deployer = ManagedResource(provider_session(CONSUMER, assumeRole={"roleArn": DEPLOYER}),
                                  CONSUMER_TYPE, "endpoint")
    as_deployer.up(inputs)
    assert as_deployer.outputs["state"] == "pendingAcceptance"
    as_deployer.destroy()
    service.destroy()
