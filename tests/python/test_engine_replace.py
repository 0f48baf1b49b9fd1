"""Replacements the engine forces without asking the provider's Diff (`pulumi up --replace`,
replaceWith, deletedWith, a provider replaced in place): the engine creates the successor before
it deletes the old resource (pulumi/pkg/resource/deploy/step_generator.go, `diff` and
`generateSteps`). The successor has the same URN, so the same generated name, and takes over
the pieces of the resource it replaces; the old resource's Delete must then leave them alone."""

from article import CONSUMER_TYPE, PRODUCER_TYPE, consumer_inputs, producer_inputs
import grpc
import networks
import pytest
from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER
from provider_session import InitFailed
from test_consumer import baseline, consumer  # noqa: F401 (fixtures)


def service_exists(emulator, service_id):
    ec2 = emulator.client("ec2", PRODUCER)
    found = ec2.describe_vpc_endpoint_service_configurations(
        Filters=[{"Name": "service-id", "Values": [service_id]}])["ServiceConfigurations"]
    return any(s["ServiceState"] not in ("Deleting", "Deleted") for s in found)


def endpoint_exists(emulator, endpoint_id):
    ec2 = emulator.client("ec2", CONSUMER)
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}])["VpcEndpoints"]
    return any(e["State"].lower() not in ("deleting", "deleted") for e in found)


def test_a_forced_replace_of_a_producer_leaves_the_successor_working(
        producer, producer_network, consumer_network, emulator):
    before = emulator.inventory(PRODUCER)
    db = ManagedResource(producer, PRODUCER_TYPE, "db")
    inputs = producer_inputs(producer_network, consumer_network)
    db.up(inputs)
    old_id, old_outputs, _ = db.forced_replace(inputs)
    assert db.outputs["instanceId"] != old_outputs["instanceId"]
    assert service_exists(emulator, db.outputs["serviceId"]), "the old resource's delete removed the successor's service"
    elb = emulator.client("elbv2", PRODUCER)
    assert elb.describe_load_balancers(LoadBalancerArns=[db.outputs["loadBalancerArn"]])["LoadBalancers"]
    producer.wait_for_log(lambda line: "replaced" in line.message and old_outputs["instanceId"] in line.message)
    # A refresh of the successor finds it whole; one of the old state finds nothing of its own.
    predecessor = ManagedResource(producer, PRODUCER_TYPE, "db")
    predecessor.id, predecessor.outputs, predecessor.inputs = old_id, old_outputs, db.inputs
    assert not predecessor.refresh()
    assert db.refresh() and db.outputs["serviceId"] and db.outputs["loadBalancerArn"]
    db.destroy()
    assert emulator.inventory(PRODUCER) == before, "pieces were orphaned"


def test_a_forced_replace_of_a_consumer_leaves_the_successor_working(
        producer, producer_network, consumer_network, emulator, consumer, baseline):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    endpoint = ManagedResource(consumer, CONSUMER_TYPE, "endpoint")
    news = consumer_inputs(consumer_network, service.outputs["serviceName"])
    endpoint.up(news)
    old_id, old_outputs, _ = endpoint.forced_replace(news)
    assert endpoint.outputs["instanceId"] != old_outputs["instanceId"]
    assert endpoint_exists(emulator, endpoint.id), "the old resource's delete removed the successor's endpoint"
    groups = emulator.client("ec2", CONSUMER).describe_security_groups(
        Filters=[{"Name": "group-id", "Values": [endpoint.outputs["securityGroupId"]]}])["SecurityGroups"]
    assert groups, "the old resource's delete removed the successor's security group"
    consumer.wait_for_log(lambda line: "replaced" in line.message and old_outputs["instanceId"] in line.message)
    assert endpoint.refresh() and endpoint.outputs["endpointId"] == endpoint.id
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == baseline, "pieces were orphaned"
    service.destroy()


def test_a_replace_with_delete_before_replace_makes_a_fresh_set(producer, producer_network, consumer_network, emulator):
    before = emulator.inventory(PRODUCER)
    db = ManagedResource(producer, PRODUCER_TYPE, "db")
    inputs = producer_inputs(producer_network, consumer_network)
    db.up(inputs)
    _, old_outputs, _ = db.forced_replace(inputs, delete_before_replace=True)
    assert db.outputs["serviceId"] != old_outputs["serviceId"]
    assert not service_exists(emulator, old_outputs["serviceId"])
    assert service_exists(emulator, db.outputs["serviceId"])
    db.destroy()
    assert emulator.inventory(PRODUCER) == before


def test_a_forced_replace_into_another_vpc_is_refused_without_losing_the_old_endpoint(
        producer, producer_network, consumer_network, emulator, consumer):
    """`--replace` may come with changed inputs, and no Diff asks for delete-before-replace: the
    endpoint found by name cannot move to the new VPC, so the create stops, before it writes
    anything, with an error that says what to do, and the old endpoint stays."""
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    service.up(producer_inputs(producer_network, consumer_network))
    elsewhere = networks.consumer_network(emulator, CONSUMER)
    before = emulator.inventory(CONSUMER)
    endpoint = ManagedResource(consumer, CONSUMER_TYPE, "endpoint")
    endpoint.up(consumer_inputs(consumer_network, service.outputs["serviceName"]))
    old_id = endpoint.id
    seq = emulator.last_seq()
    with pytest.raises(grpc.RpcError) as failed:
        endpoint.forced_replace(consumer_inputs(elsewhere, service.outputs["serviceName"]))
    message = failed.value.details()
    assert "deleteBeforeReplace" in message and elsewhere["vpc_id"] not in message, message
    # Refused before any write, so no partial successor: the engine keeps the old resource only.
    assert not isinstance(failed.value, InitFailed)
    assert [e["action"] for e in emulator.log(since=seq, account=CONSUMER, write="true")] == []
    assert endpoint_exists(emulator, old_id) and endpoint.id == old_id
    endpoint.destroy()
    assert emulator.inventory(CONSUMER) == before, "pieces were orphaned"
    service.destroy()
