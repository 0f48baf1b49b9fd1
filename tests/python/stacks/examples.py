"""The two example stacks (examples/producer, examples/consumer) on a running emulator, run the way
a user runs them with the CLI: `config set` for each stack, then `preview`, `up`, `refresh` and
`destroy`, one process a command (python -m stacks). Shared by scripts/demo.py and the
end-to-end test, so both take the same path."""

import json
import os
import pathlib
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from privatelink_emulator.client import CONSUMER, PRODUCER, REGION

from .environment import write_profiles

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
STACK = "dev"
PROFILES = {"producer": PRODUCER, "consumer": CONSUMER}
CONSUMER_CIDR = "10.1.0.0/16"
# The producer's private DNS name, in a domain the emulator's public DNS stands for.
PRIVATE_DNS_NAME = "sales-db.example.com"

# What the user puts in each stack's config (every key of Pulumi.dev.yaml.example that has no
# default), for the emulator's two accounts.
SETTINGS = {
    "producer": {"aws:region": REGION, "aws:profile": "producer", "privatelink:region": REGION,
                 "privatelink:profile": "producer", "consumerAccountId": CONSUMER, "consumerCidr": CONSUMER_CIDR,
                 "privateDnsName": PRIVATE_DNS_NAME},
    "consumer": {"aws:region": REGION, "aws:profile": "consumer", "privatelink:region": REGION,
                 "privatelink:profile": "consumer", "producerStack": f"organization/privatelink-producer/{STACK}",
                 "producerProfile": "producer", "databaseUser": "glue_etl", "privateDns": "true"},
}
SECRET_SETTINGS = {"consumer": ("databasePassword",)}
PROJECTS = {"producer": "privatelink-producer", "consumer": "privatelink-consumer"}


@dataclass
class Run:
    command: str
    example: str
    returncode: int
    output: str
    seconds: float


class ExampleStacks:
    def __init__(self, emulator, workdir, provider_binary, echo=False):
        self.emulator = emulator
        self.workdir = pathlib.Path(workdir)
        self.backend = self.workdir / "backend"
        self.aws_files = self.workdir / "aws"
        self.provider_binary = str(provider_binary)
        self.echo = echo
        self.secrets = {}
        write_profiles(str(self.aws_files), PROFILES, REGION)

    def _stacks(self, *args):
        env = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "python")}
        return [sys.executable, "-m", "stacks", *args], env

    def configure(self):
        """`pulumi config set` (and `--secret`) of every setting, for both stacks."""
        for example, settings in SETTINGS.items():
            for key, value in settings.items():
                self.config_set(example, key, value)
            for key in SECRET_SETTINGS.get(example, ()):
                self.secrets[key] = secrets.token_urlsafe(18)
                self.config_set(example, key, self.secrets[key], secret=True)

    def config_set(self, example, key, value, secret=False):
        command, env = self._stacks("config", "set", *(["--secret"] if secret else []), key, value,
                                    "--cwd", str(EXAMPLES / example), "--stack", STACK, "--backend", str(self.backend))
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)

    def run(self, command, example):
        """One `pulumi <command>` in examples/<example>; its lines are echoed as they come when
        `echo` is set. Answers the Run (a failure is a non-zero returncode, not an exception)."""
        args, env = self._stacks(
            command, "--cwd", str(EXAMPLES / example), "--stack", STACK, "--backend", str(self.backend),
            "--provider", self.provider_binary, "--emulator", self.emulator.url,
            "--emulator-dns", self.emulator.dns_server, "--aws-files", str(self.aws_files))
        started = time.monotonic()
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in process.stdout:
            lines.append(line)
            if self.echo:
                print(f"    {line}", end="", flush=True)
        process.wait()
        return Run(command, example, process.returncode, "".join(lines), time.monotonic() - started)

    def verify_private_dns_name(self):
        """What the producer's owner does once, after the first `up` with privateDnsName: publish
        the TXT record of the output privateDnsVerification in the domain's public DNS (the
        emulator's DNS stands for it) and ask AWS to check it
        (`aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id ...`).
        Answers the verification state."""
        out = self.outputs("producer")
        record = out["privateDnsVerification"]
        self.emulator.dns_txt(f"{record['name']}.{out['privateDnsName']}", [record["value"]])
        ec2 = self.emulator.client("ec2", PRODUCER)
        ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=out["serviceId"])
        [config] = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[out["serviceId"]])["ServiceConfigurations"]
        return config["PrivateDnsNameConfiguration"]["State"]

    def state(self, example):
        path = self.backend / PROJECTS[example] / f"{STACK}.json"
        with open(path) as handle:
            return json.load(handle)

    def outputs(self, example):
        return self.state(example)["outputs"]

    def resources(self, example):
        return {r["key"]: r for r in self.state(example)["resources"]}

    def plugin_logs(self):
        """Everything the privatelink plugins of every run wrote to stderr (at -v=9)."""
        return "".join(path.read_text() for path in sorted((self.backend / "logs").glob("*.plugins.log")))


def glue_connection_host(emulator, name):
    """The host of the Glue connection's JDBC URL, as Glue keeps it (consumer account)."""
    connection = emulator.client("glue", CONSUMER).get_connection(Name=name)["Connection"]
    url = connection["ConnectionProperties"]["JDBC_CONNECTION_URL"]
    return urlparse(url[len("jdbc:"):]).hostname, connection


def endpoint_addresses(emulator, endpoint_id):
    """The private IPs of the interface endpoint's network interfaces (consumer account)."""
    ec2 = emulator.client("ec2", CONSUMER)
    endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    interfaces = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])
    return sorted(i["PrivateIpAddress"] for i in interfaces["NetworkInterfaces"])
