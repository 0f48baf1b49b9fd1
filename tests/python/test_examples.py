"""The examples users run with `pulumi up` (examples/producer, examples/consumer) must only use
what schema.json publishes: the Pulumi CLI is not available here, so this is the check that
their resource types, properties and output references are right."""

import json
import re

import pytest
import yaml

REFERENCE = re.compile(r"\$\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)")


@pytest.fixture(scope="module")
def schema(repo_root):
    return json.loads((repo_root / "schema.json").read_text())


def programs(repo_root):
    return sorted((repo_root / "examples").glob("*/Pulumi.yaml"))


def test_both_examples_exist(repo_root):
    assert [p.parent.name for p in programs(repo_root)] == ["consumer", "producer"]


@pytest.mark.parametrize("example", ["producer", "consumer"])
def test_example_uses_only_published_types_and_properties(repo_root, schema, example):
    program = yaml.safe_load((repo_root / "examples" / example / "Pulumi.yaml").read_text())
    assert program["runtime"] == "yaml"
    assert program["plugins"]["providers"][0]["name"] == "privatelink"
    resources = program["resources"]
    for name, resource in resources.items():
        kind = resource["type"]
        properties = resource.get("properties", {})
        if kind == "pulumi:providers:privatelink":
            allowed = set(schema["config"]["variables"])
            assert set(properties) <= allowed, f"{name}: unknown provider settings"
            continue
        if not kind.startswith("privatelink:"):
            continue
        spec = schema["resources"].get(kind)
        assert spec, f"{name}: {kind} is not in schema.json"
        unknown = set(properties) - set(spec["inputProperties"])
        assert not unknown, f"{name}: {sorted(unknown)} are not inputs of {kind}"
        missing = set(spec.get("requiredInputs", [])) - set(properties)
        assert not missing, f"{name}: required inputs {sorted(missing)} are missing"
    text = (repo_root / "examples" / example / "Pulumi.yaml").read_text()
    for resource_name, prop in REFERENCE.findall(text):
        if resource_name not in resources:
            continue  # a config value, not a resource
        kind = resources[resource_name]["type"]
        if kind.startswith("privatelink:index:"):
            assert prop in schema["resources"][kind]["properties"], f"${{{resource_name}.{prop}}} is not an output of {kind}"
