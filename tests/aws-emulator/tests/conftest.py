"""Starts one emulator per test session with the same script CI and the demo use, and resets
it before every test."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the privatelink_emulator package

from privatelink_emulator.client import CONSUMER, PRODUCER, REGION, Emulator  # noqa: E402,F401


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    with Emulator.start(tmp_path_factory.mktemp("emulator-state")) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    emulator.reset()
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
