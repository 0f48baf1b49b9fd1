"""Idempotency tokens and pagination as EC2 has them (issue 15): a token is remembered after the resource it
made is deleted, so a new create under the same name needs a new token, while a retried create
must reuse its own. Driven through the plugin against the emulator, which remembers tokens as AWS
does (tests/aws-emulator/README.md, "Idempotency")."""

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs, writes_since
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER


def test_producer_created_again_after_destroy_gets_a_new_service(emulator, producer, producer_network,
                                                                 consumer_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    first = service.outputs["serviceId"]
    service.destroy()
    service.up(producer_inputs(producer_network, consumer_network))
    second = service.outputs["serviceId"]
    assert second != first
    ec2 = emulator.client("ec2", PRODUCER)
    live = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[second])["ServiceConfigurations"]
    assert [c["ServiceState"] for c in live] == ["Available"]
    service.destroy()


def test_consumer_created_again_after_destroy_gets_a_new_endpoint(emulator, provider_session, producer,
                                                                  producer_network, consumer_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    endpoint = ManagedResource(provider_session(CONSUMER), CONSUMER_TYPE, "endpoint")
    inputs = consumer_inputs(consumer_network, service.outputs["serviceName"])
    endpoint.up(inputs)
    first = endpoint.id
    endpoint.destroy()
    endpoint.up(inputs)
    assert endpoint.id != first
    assert endpoint.outputs["state"] == "pendingAcceptance"
    endpoint.destroy()
    service.destroy()


def test_a_retried_create_reuses_its_token(emulator, producer, producer_network, consumer_network):
    """The answer of the first CreateVpcEndpointServiceConfiguration is lost (HTTP 500 after the
    write); the retry sends the same token and gets the same service: exactly one is made."""
    since = emulator.last_seq()
    emulator.fault("CreateVpcEndpointServiceConfiguration", "lost_answer", answer="http500")
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    calls = [a for a in writes_since(emulator, since) if a == "CreateVpcEndpointServiceConfiguration"]
    assert len(calls) == 2, calls
    ec2 = emulator.client("ec2", PRODUCER)
    assert [c["ServiceId"] for c in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]] \
        == [service.outputs["serviceId"]]
    service.destroy()


def test_every_page_of_connections_is_read(emulator, provider_session, producer, producer_network, consumer_network):
    """AWS answers DescribeVpcEndpointConnections in pages; the producer's `connections` output
    lists the endpoints of every page (the emulator pages one connection at a time here)."""
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    consumer = provider_session(CONSUMER)
    endpoints = [ManagedResource(consumer, CONSUMER_TYPE, name) for name in ("first", "second")]
    for endpoint in endpoints:
        endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    emulator.config(page_size=1)
    assert service.refresh()
    assert sorted(c["endpointId"] for c in service.outputs["connections"]) == sorted(e.id for e in endpoints)
    emulator.config(page_size=0)
    for endpoint in endpoints:
        endpoint.destroy()
    service.destroy()
