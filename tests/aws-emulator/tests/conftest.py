"""Starts one emulator per test session with the same script CI and the demo use, and resets
it before every test."""
import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
sys.path.insert(0, EMULATOR_DIR)  # for privatelink_emulator.dns.query

PRODUCER = "111111111111"
CONSUMER = "222222222222"
REGION = "us-east-1"


class Emulator:
    def __init__(self, url, dns):
        self.url = url
        self.dns = dns

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            return {"status": error.code, **json.loads(error.read())}

    def log(self, **query):
        suffix = "&".join(f"{k}={v}" for k, v in query.items())
        return self.call("GET", "/_emulator/log" + (f"?{suffix}" if suffix else ""))["entries"]

    def inventory(self, account=None):
        return self.call("GET", "/_emulator/inventory" + (f"?account={account}" if account else ""))

    def client(self, service, account, retries=1, **config):
        """A boto3 client acting as `account`: the emulator maps a 12-digit access key id to
        that account. One attempt by default so tests see every response as it is."""
        return boto3.client(
            service, endpoint_url=self.url, region_name=REGION,
            aws_access_key_id=account, aws_secret_access_key="emulator",
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"}, **config))


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("emulator-state"))
    script = os.path.join(EMULATOR_DIR, "emulator.sh")
    url = subprocess.run([script, "start", "--state-dir", state_dir], check=True,
                         capture_output=True, text=True).stdout.strip()
    with open(os.path.join(state_dir, "dns")) as handle:
        dns = handle.read().strip()
    try:
        yield Emulator(url, dns)
    finally:
        subprocess.run([script, "stop", "--state-dir", state_dir], check=True)


@pytest.fixture(autouse=True)
def fresh(emulator):
    emulator.call("POST", "/_emulator/reset")
    yield


@pytest.fixture
def ec2_a(emulator):
    return emulator.client("ec2", PRODUCER)


@pytest.fixture
def ec2_b(emulator):
    return emulator.client("ec2", CONSUMER)


@pytest.fixture
def elbv2_a(emulator):
    return emulator.client("elbv2", PRODUCER)
