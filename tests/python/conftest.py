"""Shared fixtures: where the built binaries are, the AWS emulator (one per session, reset for
every test that uses it), provider sessions acting as an emulator account, and the networks the
behaviour tests build on."""

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "aws-emulator"))  # privatelink_emulator.client

from privatelink_emulator.client import CONSUMER, PRODUCER, Emulator  # noqa: E402

from engine import FakeEngine, Plugin  # noqa: E402
from networks import consumer_network as build_consumer_network  # noqa: E402
from networks import producer_network as build_producer_network  # noqa: E402
from provider_session import ProviderSession  # noqa: E402


def built_binary(name: str) -> pathlib.Path:
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build first (bash scripts/test.sh does)")
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see in their teardown whether the test failed (`item.failed_phases`).
    report = yield
    if report.failed:
        item.failed_phases = getattr(item, "failed_phases", set()) | {report.when}
    return report


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def provider_binary() -> pathlib.Path:
    return built_binary("pulumi-resource-privatelink")


@pytest.fixture(scope="session")
def descriptors_binary() -> pathlib.Path:
    return built_binary("wire-descriptors")


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory):
    with Emulator.start(tmp_path_factory.mktemp("emulator-state")) as running:
        yield running


@pytest.fixture
def emulator(emulator_process):
    """The session's emulator, reset: no resources, faults, delays, DNS pins or log entries."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def provider_session(request, provider_binary, emulator):
    """provider_session(account, **config) -> a configured ProviderSession, stopped after the
    test; when the test failed, the plugin's stderr is printed with the report."""
    sessions = []

    def start(account, **config):
        sessions.append(ProviderSession(provider_binary, emulator, account, config=config))
        return sessions[-1]

    yield start
    for session in sessions:
        if getattr(request.node, "failed_phases", None):
            print(f"--- plugin stderr (account {session.account}), last 100 lines ---")
            print("\n".join(session.stderr().splitlines()[-100:]))
        session.stop()


@pytest.fixture
def producer(provider_session):
    """The provider configured as the producer account on the emulator."""
    return provider_session(PRODUCER)


@pytest.fixture
def producer_network(emulator):
    return build_producer_network(emulator, PRODUCER)


@pytest.fixture
def consumer_network(emulator):
    return build_consumer_network(emulator, CONSUMER)


@pytest.fixture
def producer_inputs(producer_network):
    """The article's producer: Postgres behind the RDS Proxy, for the consumer account's VPC."""
    return {"vpcId": producer_network["vpc_id"], "subnetIds": producer_network["subnet_ids"], "port": 5432,
            "targetHostname": producer_network["proxy_endpoint"], "allowedCidrs": ["10.1.0.0/16"],
            "allowedPrincipals": [f"arn:aws:iam::{CONSUMER}:root"]}


@pytest.fixture
def engine():
    """A bare engine double, for tests that drive the plugin's RPCs one by one."""
    fake = FakeEngine()
    yield fake
    fake.stop()


@pytest.fixture
def plugin(provider_binary, engine):
    """The plugin launched against `engine`, as the engine launches it."""
    p = Plugin(provider_binary, engine.address)
    yield p
    p.stop()
