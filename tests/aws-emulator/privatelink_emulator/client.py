"""A client of a running emulator, for every test suite and script that needs one: start and stop
it with emulator.sh, drive the control API (see ../README.md), and act as an account.

Standard library only; boto3 (for `client`) and dnslib (for `resolve`) are imported when used."""
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(EMULATOR_DIR, "emulator.sh")

PRODUCER = "111111111111"
CONSUMER = "222222222222"
REGION = "us-east-1"


class ControlError(Exception):
    """The control API refused a call: `status` is the HTTP status, `body` the JSON answer."""

    def __init__(self, status, body):
        super().__init__(f"emulator control API answered {status}: {body}")
        self.status = status
        self.body = body


def account_env(account, region=REGION):
    """Environment variables under which an AWS SDK acts as `account` on the emulator: the
    emulator maps a 12-digit access key id to that account (the secret is not checked)."""
    return {"AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": region}


class Emulator:
    def __init__(self, url, dns_server, state_dir=None):
        self.url = url
        self.dns_server = dns_server  # "127.0.0.1:PORT" (UDP)
        self.state_dir = state_dir

    @classmethod
    def start(cls, state_dir):
        """Starts an emulator with its state (pid, url, dns, log) in `state_dir`."""
        url = subprocess.run([SCRIPT, "start", "--state-dir", str(state_dir)], check=True,
                             capture_output=True, text=True).stdout.strip()
        with open(os.path.join(state_dir, "dns")) as handle:
            return cls(url, handle.read().strip(), state_dir)

    def stop(self):
        if self.state_dir is not None:
            subprocess.run([SCRIPT, "stop", "--state-dir", str(self.state_dir)], check=True)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()

    # Raw access: `call` answers the JSON body, or {"status": code, **body} for an HTTP error.

    def request(self, method, path, body=None, query=None):
        """One control API call; raises ControlError on an HTTP error."""
        if query:
            path += "?" + urllib.parse.urlencode(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise ControlError(error.code, json.loads(error.read())) from None

    def call(self, method, path, body=None):
        try:
            return self.request(method, path, body)
        except ControlError as error:
            return {"status": error.status, **error.body}

    # The control API, one method a call.

    def health(self):
        return self.request("GET", "/_emulator/health")

    def reset(self):
        """Clears AWS state, delays, faults, DNS overrides and the log (sequence numbers go on)."""
        self.request("POST", "/_emulator/reset")

    def log(self, **query):
        """Call log entries; query: since, account, service, action, write (bool)."""
        return self.request("GET", "/_emulator/log", query=query)["entries"]

    def last_seq(self):
        """The sequence number of the last logged call: pass it as `since` to see what follows."""
        return self.request("GET", "/_emulator/log", query={"since": 2**62})["last_seq"]

    def inventory(self, account=None):
        """Live resources: {account: {region: {kind: [ids]}}}, empty parts left out."""
        return self.request("GET", "/_emulator/inventory", query={"account": account} if account else None)

    def fault(self, action, kind, count=1, account=None, service=None, latency_ms=None, code=None,
              answer=None):
        """The next `count` calls of `action` ('*': any) fail with `kind` (throttle, http500,
        http503, drop, refuse with `code`), are carried out with their answer lost (lost_answer;
        `answer` "none": connection closed, "http500": a server error), or are delayed (latency).
        Answers the rule."""
        spec = {"action": action, "kind": kind, "count": count}
        spec.update({k: v for k, v in (("account", account), ("service", service), ("latency_ms", latency_ms),
                                       ("code", code), ("answer", answer)) if v is not None})
        return self.request("POST", "/_emulator/faults", spec)

    def halt(self, account, after_writes, lose_answer=False):
        """After `after_writes` writes of `account`, drop its every call undone (halt.py)."""
        return self.request("POST", "/_emulator/halt", {"account": account, "after_writes": after_writes,
                                                        "lose_answer": lose_answer})["halt"]

    def clear_halt(self):
        self.request("DELETE", "/_emulator/halt")

    def faults(self):
        return self.request("GET", "/_emulator/faults")["faults"]

    def clear_faults(self):
        self.request("DELETE", "/_emulator/faults")

    def config(self, **delays):
        """Sets delays in seconds (nlb_provisioning, endpoint_pending, ...); answers all of them."""
        return self.request("POST", "/_emulator/config", delays)["delays"]

    def dns_pin(self, hostname, addresses):
        """The DNS server answers `addresses` for `hostname` from now on (an RDS failover)."""
        return self.request("POST", "/_emulator/dns", {"hostname": hostname, "addresses": list(addresses)})

    def dns_txt(self, hostname, texts):
        return self.request("POST", "/_emulator/dns", {"hostname": hostname, "txt": list(texts)})

    def dns(self):
        """{"server": "127.0.0.1:PORT", "records": {hostname: [ips]}, "txt": {hostname: [texts]}}"""
        return self.request("GET", "/_emulator/dns")

    def dns_clear(self):
        self.request("DELETE", "/_emulator/dns")

    # Acting as an account.

    def resolve(self, hostname):
        """A records of `hostname` from the emulator's DNS server; None for NXDOMAIN."""
        from .dns import query
        return query(self.dns_server, hostname)

    def resolve_in_vpc(self, hostname, vpc_id):
        """A records of `hostname` as the Resolver inside `vpc_id` answers (private hosted zones
        associated with the VPC first); None for NXDOMAIN."""
        return self.request("GET", "/_emulator/dns/resolve", query={"hostname": hostname, "vpc": vpc_id})["addresses"]

    def client(self, service, account, retries=1, region=REGION, **config):
        """A boto3 client acting as `account` in `region`. One attempt by default, so a test sees
        every response as it is."""
        import boto3
        from botocore.config import Config
        return boto3.client(
            service, endpoint_url=self.url, region_name=region,
            aws_access_key_id=account, aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"}, **config))
