"""The article end to end on the local AWS emulator, as a user runs it: `pulumi up` in
examples/producer (a VPC, Postgres 16 behind an RDS Proxy, and the PrivateLinkProducer), `pulumi up`
in examples/consumer (Glue's VPC, the PrivateLinkConsumer, the producer's acceptance, private DNS,
the Glue JDBC connection), a check that the Glue connection's host and the producer's private DNS
name resolve to the endpoint's addresses, then
`pulumi destroy` in consumer and producer, and a check that nothing is left.

There is no Pulumi CLI here: each `pulumi` command is `python -m stacks` (tests/python/stacks), which
runs the program unchanged under the Pulumi SDK's mock monitor, with the privatelink resources
sent to the real plugin as the engine sends them and the aws resources to a pulumi-aws test
double that makes them in the emulator."""

import argparse
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "python"), str(REPO / "tests" / "aws-emulator")]

from privatelink_emulator.client import CONSUMER, PRODUCER, Emulator  # noqa: E402
from stacks.examples import ExampleStacks, endpoint_addresses, glue_connection_host  # noqa: E402

# Seconds the emulator takes for AWS's slow transitions: enough to see the plugin wait and report
# progress, little enough for a demo that runs in about a minute.
DELAYS = {"nlb_provisioning": 2, "service_pending": 1, "endpoint_pending": 1, "endpoint_acceptance": 1,
          "endpoint_deleting": 1, "eni_release": 1}


class Failed(Exception):
    pass


def step(title):
    print(f"\n==> {title}", flush=True)


def pulumi(stacks, summary, command, example):
    step(f"pulumi {command}   (examples/{example})")
    run = stacks.run(command, example)
    summary.append((f"pulumi {command} {example}", run.seconds, run.returncode == 0))
    if run.returncode != 0:
        raise Failed(f"pulumi {command} in examples/{example} failed")
    return run


def glue_reaches_the_endpoint(emulator, stacks):
    step("inside the consumer VPC, the Glue connection's host resolves to the endpoint (emulator DNS)")
    consumer = stacks.outputs("consumer")
    host, connection = glue_connection_host(emulator, consumer["glueConnectionName"])
    resolved = sorted(emulator.resolve_in_vpc(host, consumer["vpcId"]) or [])
    expected = endpoint_addresses(emulator, consumer["endpointId"])
    print(f"    Glue connection {connection['Name']}: {connection['ConnectionProperties']['JDBC_CONNECTION_URL']}")
    print(f"    {host} -> {', '.join(resolved) or 'NXDOMAIN'}")
    print(f"    endpoint {consumer['endpointId']} network interfaces: {', '.join(expected)}")
    if not resolved or resolved != expected:
        raise Failed("the Glue connection's host does not resolve to the endpoint's addresses")


def verify_private_dns_name(stacks):
    step("the producer's owner publishes the TXT record of privateDnsVerification and asks AWS to verify it")
    out = stacks.outputs("producer")
    record = out["privateDnsVerification"]
    print(f"    TXT {record['name']}.{out['privateDnsName']} = {record['value']}")
    state = stacks.verify_private_dns_name()
    print(f"    {out['privateDnsName']}: {state}")
    if state != "verified":
        raise Failed("the private DNS name was not verified")


def private_dns_is_on(emulator, stacks):
    step("private DNS is on: inside the consumer VPC the producer's private DNS name resolves to the endpoint")
    consumer = stacks.outputs("consumer")
    endpoint = emulator.client("ec2", CONSUMER).describe_vpc_endpoints(
        VpcEndpointIds=[consumer["endpointId"]])["VpcEndpoints"][0]
    resolved = sorted(emulator.resolve_in_vpc(consumer["privateDnsName"], consumer["vpcId"]) or [])
    print(f"    endpoint {endpoint['VpcEndpointId']}: PrivateDnsEnabled {endpoint['PrivateDnsEnabled']}")
    print(f"    {consumer['privateDnsName']} -> {', '.join(resolved) or 'NXDOMAIN'}")
    if not endpoint["PrivateDnsEnabled"] or resolved != endpoint_addresses(emulator, consumer["endpointId"]):
        raise Failed("private DNS is not on after one `pulumi up`")


def nothing_left(emulator, baseline):
    step("what is left in both accounts")
    left = emulator.inventory()
    for account in (PRODUCER, CONSUMER):
        kinds = {k: v for regions in left.get(account, {}).values() for k, v in regions.items()}
        print(f"    {account}: " + (", ".join(f"{len(ids)} {kind}" for kind, ids in kinds.items()) or "nothing"))
    if left != baseline:
        raise Failed(f"left behind: {left} (the emulator started with {baseline})")


def run(emulator, provider, workdir):
    emulator.config(**DELAYS)
    baseline = emulator.inventory()
    stacks = ExampleStacks(emulator, workdir, provider, echo=True)
    step("pulumi config set (and --secret) for both stacks, with a profile per account "
         f"(producer {PRODUCER}, consumer {CONSUMER})")
    stacks.configure()
    summary = []
    started = time.monotonic()
    try:
        pulumi(stacks, summary, "up", "producer")
        verify_private_dns_name(stacks)
        pulumi(stacks, summary, "up", "consumer")
        checked = time.monotonic()
        glue_reaches_the_endpoint(emulator, stacks)
        summary.append(("Glue host is the endpoint", time.monotonic() - checked, True))
        checked = time.monotonic()
        private_dns_is_on(emulator, stacks)
        summary.append(("private DNS on, one up", time.monotonic() - checked, True))
    finally:
        # Tear down even after a failure, consumer first (the producer refuses while connected).
        for example in ("consumer", "producer"):
            try:
                pulumi(stacks, summary, "destroy", example)
            except Failed as failure:
                print(f"    {failure}", flush=True)
    nothing_left(emulator, baseline)
    step("summary")
    for label, seconds, ok in summary:
        print(f"    {label:28} {'ok' if ok else 'FAILED':6} {seconds:6.1f} s")
    print(f"\nThe article's two stacks, up and down, in {time.monotonic() - started:.1f} s; nothing left.")
    if not all(ok for _label, _seconds, ok in summary):
        raise Failed("a step failed (see above)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True, help="the built pulumi-resource-privatelink")
    parser.add_argument("--state-dir", required=True, help="where the emulator keeps its pid, url and log")
    args = parser.parse_args()

    print("Starting the AWS emulator (two accounts: producer 111111111111, consumer 222222222222)", flush=True)
    with Emulator.start(args.state_dir) as emulator, tempfile.TemporaryDirectory(prefix="privatelink-demo-") as work:
        print(f"    {emulator.url}, DNS {emulator.dns_server}", flush=True)
        try:
            run(emulator, args.provider, work)
        except Failed as failure:
            raise SystemExit(f"\ndemo failed: {failure}") from None
    print("Emulator stopped.")


if __name__ == "__main__":
    main()
