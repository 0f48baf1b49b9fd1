"""Benchmarks of the provider plugin on the AWS emulator with AWS's real delays scaled down
(the emulator's "aws" delay profile): launch time, peak memory, create time against the AWS critical path, the
article's manual order against ours, AWS calls per operation, preview latency, and growth with
1, 10 and 50 consumers of one producer. Prints a table; --json writes the figures.

Everything is driven through the test harness (tests/python, tests/aws-emulator): the engine
double's sessions and lifecycle, the article's inputs and networks, the emulator's client and
call log. Timings are measured, never asserted."""

import argparse
import concurrent.futures
import contextlib
import json
import pathlib
import statistics
import subprocess
import sys
import time

import botocore.exceptions

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO / "tests" / "python"), str(REPO / "tests" / "aws-emulator")]

from article import (ACCEPTANCE_TYPE, CONSUMER_ROOT, CONSUMER_TYPE, PORT, PRODUCER_TYPE,  # noqa: E402
                     ArticleStacks, acceptance_inputs, consumer_inputs, producer_inputs)
from engine import FakeEngine  # noqa: E402
from lifecycle import ManagedResource  # noqa: E402
from networks import consumer_network, producer_network  # noqa: E402
from privatelink_emulator.client import CONSUMER, PRODUCER, Emulator  # noqa: E402
from provider_session import ProviderSession, account_environment  # noqa: E402

# The fewest AWS writes each operation needs, by the article's steps (a no-op up and a refresh
# write nothing). Producer create: security group, its ingress rule, the default egress rule
# revoked and the egress to the targets authorized (least privilege), load balancer, target
# group, target registration, listener, endpoint service, allowed principals. Producer destroy:
# service, load balancer (deleting it deletes its listeners), target group, security group.
# Consumer create: security group, its ingress rule, the default egress revoked, endpoint;
# destroy: endpoint, security group. Acceptance: accept; its destroy: reject.
MIN_WRITES = {
    "producer": {"create": 10, "noop_up": 0, "refresh": 0, "destroy": 4},
    "consumer": {"create": 4, "noop_up": 0, "refresh": 0, "destroy": 2},
    "acceptance": {"create": 1, "noop_up": 0, "refresh": 0, "destroy": 1},
}


# The emulator's "aws" delay profile (AWS's own orders of magnitude, sources in its state.py)
# scaled down so a run takes minutes: a 180 s load balancer provisioning takes 30 s by default.
# Not less: the emulator's per-call cost (a Python server answering one call at a time) and the
# waits' 100 ms floor do not shrink with the delays, so at 1/60 the ratios measure those fixed
# costs against a 3.5 s path more than they measure the waits. The quick run accepts that.
FACTOR = 1 / 6
QUICK_FACTOR = 1 / 60


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 1)


class Calls:
    """AWS calls and writes the emulator logged while a block ran."""

    def __init__(self, emulator):
        self.emulator = emulator

    @contextlib.contextmanager
    def counting(self, into, key):
        seq = self.emulator.last_seq()
        started = time.monotonic()
        yield
        seconds = time.monotonic() - started
        entries = self.emulator.log(since=seq)
        into[key] = {"calls": len(entries), "writes": sum(1 for e in entries if e["write"]),
                     "write_actions": sorted(e["action"] for e in entries if e["write"]),
                     "seconds": round(seconds, 3)}


class Sessions:
    """Every plugin process a phase starts; their peak resident memory is read (VmHWM) before
    they stop."""

    def __init__(self, binary, emulator, log_dir=None, phase=""):
        self.binary = binary
        self.emulator = emulator
        self.started = []
        self.peak_kb = 0
        self.log_dir = log_dir
        self.phase = phase
        self.saved = 0

    def start(self, account):
        self.started.append(ProviderSession(self.binary, self.emulator, account))
        return self.started[-1]

    def stop_all(self):
        for session in self.started:
            self.peak_kb = max(self.peak_kb, peak_rss_kb(session.plugin.process.pid))
            if self.log_dir:
                # Each AWS call and each poll of a wait, with its duration (-v=9): where the time went.
                self.saved += 1
                path = pathlib.Path(self.log_dir) / f"{self.phase}-{self.saved}-{session.account}.log"
                path.write_text(session.stderr())
            session.stop()
        self.started.clear()


def peak_rss_kb(pid):
    """The process's high-water mark of resident memory (Linux /proc VmHWM)."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def fresh_accounts(emulator, factor):
    """A reset emulator with the scaled AWS delays and the article's networks. -> (producer
    network, consumer network, {delay: seconds})"""
    emulator.reset()
    delays = emulator.config(profile="aws", scale=factor)
    # moto builds its list of AWS's own endpoint services on the first DescribeVpcEndpointServices
    # of an account (seconds); build it here so the plugin is not charged for it.
    emulator.client("ec2", CONSUMER).describe_vpc_endpoint_services()
    # Likewise moto sets up an account's load balancing backend on its first elbv2 call (~0.2 s).
    emulator.client("elbv2", PRODUCER).describe_load_balancers()
    return producer_network(emulator, PRODUCER), consumer_network(emulator, CONSUMER), delays


# launch_ms

def launch_ms(binary, launches, config_dir):
    """Plugin start to its port on stdout, as the engine waits for it; median."""
    engine = FakeEngine()
    env = account_environment(PRODUCER, "us-east-1", config_dir)
    samples = []
    try:
        for _ in range(launches):
            started = time.monotonic()
            process = subprocess.Popen([binary, engine.address], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=env)
            port = process.stdout.readline()
            samples.append(time.monotonic() - started)
            process.kill()
            process.wait()
            if not port.strip().isdigit():
                raise RuntimeError(f"the plugin printed {port!r}, not a port")
    finally:
        engine.stop()
    return median_ms(samples)


# The article's flow: critical paths, calls per operation, previews, memory.

def article(emulator, binary, factor, repeats, log_dir=None):
    producer_net, consumer_net, delays = fresh_accounts(emulator, factor)
    sessions = Sessions(binary, emulator, log_dir, "article")
    calls = Calls(emulator)
    figures = {"delays_s": delays, "aws_calls": {"producer": {}, "consumer": {}, "acceptance": {}},
               "preview_ms": {}}
    try:
        producer, endpoint, acceptance = ArticleStacks(sessions.start).resources()
        names = {producer: "producer", endpoint: "consumer", acceptance: "acceptance"}
        producer_news = producer_inputs(producer_net, consumer_net)
        with calls.counting(figures["aws_calls"]["producer"], "create"):
            producer.up(producer_news)
        endpoint_news = consumer_inputs(consumer_net, producer.outputs["serviceName"])
        with calls.counting(figures["aws_calls"]["consumer"], "create"):
            endpoint.up(endpoint_news)
        acceptance_news = acceptance_inputs(producer.outputs["serviceId"], endpoint.id)
        with calls.counting(figures["aws_calls"]["acceptance"], "create"):
            acceptance.up(acceptance_news)
        news = {producer: producer_news, endpoint: endpoint_news, acceptance: acceptance_news}

        producer_path = delays["nlb_provisioning"] + delays["service_pending"]
        # The emulator puts an endpoint of a service that requires acceptance in
        # pendingAcceptance at once; what cannot overlap is the accepted connection's pending.
        consumer_path = delays["endpoint_acceptance"]
        producer_wall = figures["aws_calls"]["producer"]["create"]["seconds"]
        consumer_wall = (figures["aws_calls"]["consumer"]["create"]["seconds"]
                         + figures["aws_calls"]["acceptance"]["create"]["seconds"])
        # Not in the consumer's path but paid within it: the rules of the endpoint's new security
        # group can be written only once EC2 shows the group (eventual consistency), and the
        # acceptance starts only once the consumer, rules included, is made.
        figures["critical_path"] = {"producer_create_s": producer_wall, "producer_aws_path_s": producer_path,
                                    "consumer_create_and_accept_s": round(consumer_wall, 3),
                                    "consumer_aws_path_s": consumer_path,
                                    "consumer_group_visibility_lag_s": round(delays["visibility_lag"], 3)}
        figures["critical_path_ratio"] = round(producer_wall / producer_path, 3)
        figures["consumer_critical_path_ratio"] = round(consumer_wall / consumer_path, 3)
        figures["ours_article_create_s"] = round(producer_wall + consumer_wall, 3)

        for resource, name in names.items():
            with calls.counting(figures["aws_calls"][name], "noop_up"):
                diff = resource.up(news[resource])
            if diff.changes != "DIFF_NONE":
                raise RuntimeError(f"a second up of the {name} is not a no-op: {diff}")
        for resource, name in names.items():
            with calls.counting(figures["aws_calls"][name], "refresh"):
                resource.refresh()
        for resource, name in names.items():
            figures["preview_ms"][name] = preview_ms(resource, news[resource], repeats)

        for resource, name in ((acceptance, "acceptance"), (endpoint, "consumer"), (producer, "producer")):
            with calls.counting(figures["aws_calls"][name], "destroy"):
                resource.destroy()
        for name, operations in figures["aws_calls"].items():
            for operation, counted in operations.items():
                counted["min_writes"] = MIN_WRITES[name][operation]
    finally:
        sessions.stop_all()
    figures["peak_rss_mb"] = round(sessions.peak_kb / 1024, 1)
    return figures


def preview_ms(resource, news, repeats):
    """Check, Diff (against the created state) and preview Create of one resource: medians."""
    check, diff, create = [], [], []
    for _ in range(repeats):
        started = time.monotonic()
        inputs = resource.check(news)
        check.append(time.monotonic() - started)
        started = time.monotonic()
        resource.diff(inputs)
        diff.append(time.monotonic() - started)
        fresh = resource.check(news, olds={})
        started = time.monotonic()
        resource.session.create(resource.type, resource.name, fresh, preview=True)
        create.append(time.monotonic() - started)
    return {"check": median_ms(check), "diff": median_ms(diff), "preview_create": median_ms(create)}


# naive_ratio: the article's console order, each step finished before the next starts.

def wait_until(describe, ready, poll=0.05, timeout=600):
    """Polls faster than anyone at a console would: the naive time is the AWS delays' sum."""
    deadline = time.monotonic() + timeout
    while not ready_now(describe, ready):
        if time.monotonic() > deadline:
            raise TimeoutError("the naive flow waited too long")
        time.sleep(poll)


def ready_now(describe, ready):
    """A thing just made may be missing from reads for a moment (the emulator's visibility lag,
    as AWS's eventual consistency): not ready yet."""
    try:
        return ready(describe())
    except botocore.exceptions.ClientError as e:
        if "NotFound" in e.response["Error"]["Code"]:
            return False
        raise


def naive_flow(emulator, factor):
    """The article's manual steps with boto3, one after another. -> seconds"""
    producer_net, consumer_net, _delays = fresh_accounts(emulator, factor)
    ec2, elb = emulator.client("ec2", PRODUCER), emulator.client("elbv2", PRODUCER)
    consumer_ec2 = emulator.client("ec2", CONSUMER)
    started = time.monotonic()
    group = ec2.create_security_group(GroupName="naive-nlb", Description="naive NLB",
                                      VpcId=producer_net["vpc_id"])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
        "IpRanges": [{"CidrIp": consumer_net["vpc_cidr"]}]}])
    balancer = elb.create_load_balancer(Name="naive-nlb", Type="network", Scheme="internal",
                                        Subnets=producer_net["subnet_ids"],
                                        SecurityGroups=[group])["LoadBalancers"][0]["LoadBalancerArn"]
    wait_until(lambda: elb.describe_load_balancers(LoadBalancerArns=[balancer])["LoadBalancers"][0],
               lambda lb: lb["State"]["Code"] == "active")
    target_group = elb.create_target_group(Name="naive-tg", Protocol="TCP", Port=PORT, TargetType="ip",
                                           VpcId=producer_net["vpc_id"])["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=target_group,
                         Targets=[{"Id": ip, "Port": PORT} for ip in producer_net["proxy_ips"]])
    elb.create_listener(LoadBalancerArn=balancer, Protocol="TCP", Port=PORT,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}])
    wait_until(lambda: elb.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"],
               lambda targets: all(t["TargetHealth"]["State"] == "healthy" for t in targets))
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[balancer], AcceptanceRequired=True)["ServiceConfiguration"]
    wait_until(lambda: ec2.describe_vpc_endpoint_service_configurations(
        ServiceIds=[service["ServiceId"]])["ServiceConfigurations"][0],
        lambda found: found["ServiceState"] == "Available")
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"],
                                                AddAllowedPrincipals=[CONSUMER_ROOT])
    consumer_group = consumer_ec2.create_security_group(GroupName="naive-endpoint", Description="naive endpoint",
                                                        VpcId=consumer_net["vpc_id"])["GroupId"]
    consumer_ec2.authorize_security_group_ingress(GroupId=consumer_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
        "UserIdGroupPairs": [{"GroupId": consumer_net["glue_sg_id"]}]}])
    endpoint = consumer_ec2.create_vpc_endpoint(
        VpcEndpointType="Interface", VpcId=consumer_net["vpc_id"], ServiceName=service["ServiceName"],
        SubnetIds=consumer_net["subnet_ids"], SecurityGroupIds=[consumer_group])["VpcEndpoint"]["VpcEndpointId"]

    def endpoint_state():
        return consumer_ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"]
    wait_until(endpoint_state, lambda state: state == "pendingAcceptance")
    ec2.accept_vpc_endpoint_connections(ServiceId=service["ServiceId"], VpcEndpointIds=[endpoint])
    wait_until(endpoint_state, lambda state: state == "available")
    return time.monotonic() - started


# scale: one producer, n consumers, each its own endpoint and acceptance.

def scale(emulator, binary, factor, consumers, log_dir=None):
    producer_net, consumer_net, _delays = fresh_accounts(emulator, factor)
    sessions = Sessions(binary, emulator, log_dir, f"scale{consumers}")
    calls = Calls(emulator)
    counted = {}
    try:
        producer = ManagedResource(sessions.start(PRODUCER), PRODUCER_TYPE, "db")
        consumer_session, acceptance_session = sessions.start(CONSUMER), sessions.start(PRODUCER)
        producer.up(producer_inputs(producer_net, consumer_net))
        pairs = [(ManagedResource(consumer_session, CONSUMER_TYPE, f"endpoint-{i}"),
                  ManagedResource(acceptance_session, ACCEPTANCE_TYPE, f"acceptance-{i}"))
                 for i in range(consumers)]

        def connect(pair):
            endpoint, acceptance = pair
            endpoint.up(consumer_inputs(consumer_net, producer.outputs["serviceName"]))
            acceptance.up(acceptance_inputs(producer.outputs["serviceId"], endpoint.id))

        def disconnect(pair):
            endpoint, acceptance = pair
            acceptance.destroy()
            endpoint.destroy()

        # The engine runs independent resources concurrently; every consumer here is independent.
        with concurrent.futures.ThreadPoolExecutor(max_workers=consumers) as pool:
            with calls.counting(counted, "create_and_accept"):
                list(pool.map(connect, pairs))
            with calls.counting(counted, "producer_refresh"):
                producer.refresh()
            if len(producer.outputs.get("connections", [])) != consumers:
                raise RuntimeError(f"the producer sees {producer.outputs.get('connections')}, "
                                   f"not {consumers} connections")
            with calls.counting(counted, "destroy"):
                list(pool.map(disconnect, pairs))
                producer.destroy()
    finally:
        sessions.stop_all()
    return {operation: {"seconds": c["seconds"], "calls": c["calls"], "writes": c["writes"]}
            for operation, c in counted.items()}


# Report.

def table(figures):
    lines = [f"delays: the emulator's AWS profile x {figures['delay_factor']:.4f}: "
             + ", ".join(f"{k} {v} s" for k, v in figures["delays_s"].items()), ""]
    row = "{:<34} {:>12}  {}".format
    lines.append(row("figure", "value", "note"))
    lines.append(row("launch_ms", figures["launch_ms"], f"median of {figures['launches']} launches"))
    lines.append(row("peak_rss_mb", figures["peak_rss_mb"], "largest plugin process, article flow"))
    path = figures["critical_path"]
    lines.append(row("critical_path_ratio", figures["critical_path_ratio"],
                     f"producer create {path['producer_create_s']} s / AWS path {path['producer_aws_path_s']} s"))
    lines.append(row("consumer_critical_path_ratio", figures["consumer_critical_path_ratio"],
                     f"endpoint + acceptance {path['consumer_create_and_accept_s']} s / "
                     f"AWS path {path['consumer_aws_path_s']} s (a new group's visibility lag, "
                     f"{path['consumer_group_visibility_lag_s']} s, is paid within)"))
    lines.append(row("naive_ratio", figures["naive_ratio"],
                     f"console order {figures['naive_s']} s / ours {figures['ours_article_create_s']} s"))
    lines += ["", "aws_calls      operation   calls  writes  min_writes"]
    for name, operations in figures["aws_calls"].items():
        for operation, c in operations.items():
            lines.append(f"  {name:<12} {operation:<10} {c['calls']:>6} {c['writes']:>7} {c['min_writes']:>11}")
    lines += ["", "preview_ms     check    diff  preview_create"]
    for name, p in figures["preview_ms"].items():
        lines.append(f"  {name:<12} {p['check']:>6} {p['diff']:>7} {p['preview_create']:>15}")
    lines += ["", "scale (consumers)  create+accept s  calls  refresh s  calls  destroy s  calls"]
    for consumers, s in figures["scale"].items():
        c, r, d = s["create_and_accept"], s["producer_refresh"], s["destroy"]
        lines.append(f"  {consumers:>16} {c['seconds']:>16} {c['calls']:>6} {r['seconds']:>10} {r['calls']:>6}"
                     f" {d['seconds']:>10} {d['calls']:>6}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True, help="the built pulumi-resource-privatelink (release)")
    parser.add_argument("--state-dir", required=True, help="the emulator's pid, url and log")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 1 and 3 consumers, faster delays")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--logs", help="write each plugin's stderr (-v=9: one line per AWS call) to this directory")
    parser.add_argument("--factor", type=float, help=f"scale of AWS's delays (default {FACTOR:.4f}, quick {QUICK_FACTOR:.4f})")
    args = parser.parse_args()

    factor = args.factor or (QUICK_FACTOR if args.quick else FACTOR)
    launches, repeats = (5, 3) if args.quick else (20, 10)
    consumer_counts = (1, 3) if args.quick else (1, 10, 50)
    figures = {"quick": args.quick, "delay_factor": round(factor, 5), "launches": launches}
    launch_dir = pathlib.Path(args.state_dir) / "launch"
    launch_dir.mkdir(parents=True, exist_ok=True)
    if args.logs:
        pathlib.Path(args.logs).mkdir(parents=True, exist_ok=True)
    figures["launch_ms"] = launch_ms(args.provider, launches, str(launch_dir))
    with Emulator.start(args.state_dir) as emulator:
        figures.update(article(emulator, args.provider, factor, repeats, args.logs))
        figures["naive_s"] = round(naive_flow(emulator, factor), 3)
        figures["naive_ratio"] = round(figures["naive_s"] / figures["ours_article_create_s"], 3)
        figures["scale"] = {str(n): scale(emulator, args.provider, factor, n, args.logs) for n in consumer_counts}
    print(table(figures))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
        print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
