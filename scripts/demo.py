"""The article end to end on the embedded AWS emulator, driving the provider plugin the way
`pulumi up` and `pulumi destroy` drive it for examples/producer and examples/consumer: build the
two accounts' networks, preview and create PrivateLinkProducer, PrivateLinkConsumer and
EndpointAcceptance, connect Glue through the endpoint, then destroy everything in reverse and show
that only the networks are left. Each step prints the plugin's progress lines (its Engine.Log
messages, as the fake engine receives them) and its timing.

Everything comes from the test harness (tests/python, tests/aws-emulator): the same emulator
client, network builders, provider sessions and resource lifecycle the tests use."""

import argparse
import contextlib
import pathlib
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "python"), str(REPO / "tests" / "aws-emulator")]

import grpc  # noqa: E402

from article import (ArticleStacks, acceptance_inputs, consumer_inputs, create_glue_connection,  # noqa: E402
                     delete_glue_connection, endpoint_state, producer_inputs, writes_since)
from networks import consumer_network, producer_network  # noqa: E402
from privatelink_emulator.client import CONSUMER, PRODUCER, Emulator  # noqa: E402
from provider_session import UNKNOWN, ProviderSession  # noqa: E402

# Seconds the emulator takes for AWS's slow transitions: enough to see the plugin wait and report
# progress, little enough for a demo that runs in well under a minute.
DELAYS = {"nlb_provisioning": 2, "service_pending": 1, "endpoint_pending": 1, "endpoint_acceptance": 1,
          "endpoint_deleting": 1, "eni_release": 1}


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


@contextlib.contextmanager
def streamed(session, started):
    """Prints the plugin's log lines while the block runs, as they arrive."""
    seen = len(session.logs())
    stop = threading.Event()

    def show():
        nonlocal seen
        lines = session.logs()
        for line in lines[seen:]:
            kind = {"WARNING": "warning: ", "ERROR": "error: "}.get(line.severity, "")
            marker = "…" if line.ephemeral else "•"
            print(f"      {time.monotonic() - started:5.2f} s {marker} {kind}{line.message}", flush=True)
        seen = len(lines)

    def run():
        while not stop.wait(0.05):
            show()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        show()


class Steps:
    def __init__(self):
        self.count = 0
        self.started = time.monotonic()

    @contextlib.contextmanager
    def __call__(self, title, session=None):
        """One step: its title, the plugin's progress lines while it runs (when it drives a
        plugin), then its time and the notes the block added."""
        self.count += 1
        print(f"\n==> {self.count}. {title}", flush=True)
        started = time.monotonic()
        notes = []
        with streamed(session, started) if session else contextlib.nullcontext():
            yield notes
        print(f"    done in {time.monotonic() - started:.2f} s", flush=True)
        for note in notes:
            print(f"    {note}", flush=True)

    def total(self):
        return time.monotonic() - self.started


def preview(emulator, resource, news, notes):
    """The preview half of `pulumi up`: Check, then Create with preview=True, and no AWS write."""
    seq = emulator.last_seq()
    _diff, planned = resource.preview(news)
    writes = writes_since(emulator, seq)
    expect(writes == [], f"the preview of {resource.type} wrote to AWS: {writes}")
    unknown = sorted(k for k, v in planned.items() if v == UNKNOWN)
    notes.append(f"{resource.type} {resource.name}: no AWS writes; known after create: {', '.join(unknown)}")


def run(emulator, binary):
    step = Steps()
    with step("the article's networks (boto3, as the article's own Pulumi program makes them)") as notes:
        emulator.config(**DELAYS)
        producer_net = producer_network(emulator, PRODUCER)
        consumer_net = consumer_network(emulator, CONSUMER)
        baseline = emulator.inventory()
        notes.append(f"producer {PRODUCER}: {producer_net['vpc_id']} {producer_net['vpc_cidr']}, Postgres behind "
                     f"RDS Proxy {producer_net['proxy_endpoint']} ({', '.join(producer_net['proxy_ips'])})")
        notes.append(f"consumer {CONSUMER}: {consumer_net['vpc_id']} {consumer_net['vpc_cidr']}, "
                     f"Glue security group {consumer_net['glue_sg_id']}")
        notes.append(f"emulator delays: {', '.join(f'{k} {v} s' for k, v in DELAYS.items())}")

    sessions = []

    def start_session(account):
        sessions.append(ProviderSession(binary, emulator, account))
        return sessions[-1]

    try:
        with step("launch the plugin as the engine does: producer stack, consumer stack, and its "
                  "producer-account provider") as notes:
            stacks = ArticleStacks(start_session)
            for session in sessions:
                notes.append(f"account {session.account}: plugin on port {session.plugin.port}, "
                             "configured and credentials checked with STS")
        flow(emulator, step, stacks, producer_net, consumer_net)
        teardown(emulator, step, stacks, baseline)
    finally:
        for session in sessions:
            session.stop()
    print(f"\nThe article's flow, up and down, in {step.total():.1f} s.")


def flow(emulator, step, stacks, producer_net, consumer_net):
    producer, endpoint, acceptance = stacks.resources()
    producer_news = producer_inputs(producer_net, consumer_net)
    with step("pulumi preview, examples/producer") as notes:
        preview(emulator, producer, producer_news, notes)
    with step("pulumi up, examples/producer: PrivateLinkProducer", producer.session) as notes:
        producer.up(producer_news)
        out = producer.outputs
        notes.append(f"service {out['serviceName']} ({out['serviceState']}), load balancer {out['name']}, "
                     f"targets {', '.join(out['registeredTargetIps'])}")

    endpoint_news = consumer_inputs(consumer_net, producer.outputs["serviceName"])
    with step("pulumi preview, examples/consumer") as notes:
        preview(emulator, endpoint, endpoint_news, notes)
        preview(emulator, acceptance, acceptance_inputs(producer.outputs["serviceId"], UNKNOWN), notes)
    with step("pulumi up, examples/consumer: PrivateLinkConsumer", endpoint.session) as notes:
        endpoint.up(endpoint_news)
        notes.append(f"endpoint {endpoint.id}: {endpoint.outputs['state']}")
    with step("pulumi up, examples/consumer: EndpointAcceptance (producer credentials)",
              acceptance.session) as notes:
        acceptance.up(acceptance_inputs(producer.outputs["serviceId"], endpoint.id))
        notes.append(f"connection {acceptance.id}: {acceptance.outputs['state']}, "
                     f"owner {acceptance.outputs['ownerAccount']}")
        expect(acceptance.outputs["state"] == "available", "the connection was not accepted")

    with step("pulumi refresh of both stacks") as notes:
        endpoint.refresh()
        producer.refresh()
        notes.append(f"endpoint {endpoint.id}: {endpoint.outputs['state']}")
        for connection in producer.outputs["connections"]:
            notes.append(f"producer sees {connection['endpointId']} of {connection['ownerAccount']}: "
                         f"{connection['state']}")
        expect(endpoint.outputs["state"] == "available", "the endpoint is not available")

    with step("Glue JDBC connection through the endpoint (boto3, consumer account)") as notes:
        glue = create_glue_connection(emulator, consumer_net, endpoint.outputs["jdbcUrl"])
        notes.append(f"{glue['Name']}: {glue['ConnectionProperties']['JDBC_CONNECTION_URL']} ({glue['Status']})")

    print("\n    Outputs")
    for label, value in (("service name", producer.outputs["serviceName"]),
                         ("endpoint DNS name", endpoint.outputs["dnsName"]),
                         ("endpoint resolves to", ", ".join(emulator.resolve(endpoint.outputs["dnsName"]) or [])),
                         ("JDBC URL", endpoint.outputs["jdbcUrl"]),
                         ("connection state", acceptance.outputs["state"]),
                         ("Glue connection", glue["Name"])):
        print(f"      {label:21} {value}")


def teardown(emulator, step, stacks, baseline):
    producer, endpoint, acceptance = stacks.resources()
    with step("pulumi destroy, examples/producer first (the wrong order)", producer.session) as notes:
        before = emulator.inventory()
        try:
            producer.destroy(timeout=30)
            raise Failed("the producer was deleted with a consumer still connected")
        except grpc.RpcError as error:
            notes.append(f"refused: {error.details()}")
        expect(emulator.inventory() == before, "the refused destroy deleted something")
        notes.append("nothing was deleted")

    with step("delete the Glue connection") as notes:
        delete_glue_connection(emulator)
    for resource, title in ((acceptance, "pulumi destroy, examples/consumer: EndpointAcceptance (rejects)"),
                            (endpoint, "pulumi destroy, examples/consumer: PrivateLinkConsumer"),
                            (producer, "pulumi destroy, examples/producer: PrivateLinkProducer")):
        with step(title, resource.session) as notes:
            endpoint_id = endpoint.id
            resource.destroy()
            if resource is acceptance:
                notes.append(f"endpoint {endpoint_id}: {endpoint_state(emulator, endpoint_id)}")

    with step("what is left in both accounts") as notes:
        left = emulator.inventory()
        for account, regions in sorted(left.items()):
            for region, kinds in regions.items():
                notes.append(f"{account} {region}: " + ", ".join(f"{len(ids)} {kind}" for kind, ids in kinds.items()))
        expect(left == baseline, f"left behind: {left} (the networks alone were {baseline})")
        notes.append("only the article's networks: nothing orphaned")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True, help="the built pulumi-resource-privatelink")
    parser.add_argument("--state-dir", required=True, help="where the emulator keeps its pid, url and log")
    args = parser.parse_args()

    print("Starting the AWS emulator (two accounts: producer 111111111111, consumer 222222222222)", flush=True)
    with Emulator.start(args.state_dir) as emulator:
        print(f"    {emulator.url}, DNS {emulator.dns_server}", flush=True)
        try:
            run(emulator, args.provider)
        except Failed as failure:
            raise SystemExit(f"\ndemo failed: {failure}") from None
    print("Emulator stopped.")


if __name__ == "__main__":
    main()
