"""Shared fixtures: where the built binaries are, and a running plugin launched as the engine does."""

import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def built_binary(name: str) -> pathlib.Path:
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build first (bash scripts/test.sh does)")
    return path


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def provider_binary() -> pathlib.Path:
    return built_binary("pulumi-resource-privatelink")


@pytest.fixture(scope="session")
def descriptors_binary() -> pathlib.Path:
    return built_binary("wire-descriptors")
