"""The generator itself (sdkgen): names, version source, and clear errors on schemas it cannot render."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sdkgen import model, nodejs_sdk, python_sdk  # noqa: E402


@pytest.mark.parametrize("camel,snake", [
    ("vpcId", "vpc_id"),
    ("availabilityZoneIds", "availability_zone_ids"),
    ("enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
     "enforce_security_group_inbound_rules_on_private_link_traffic"),
    ("port", "port"),
])
def test_python_names_are_snake_case(camel, snake):
    assert python_sdk.snake(camel) == snake


def test_nodejs_file_names_are_camel_case():
    assert nodejs_sdk.module_file("PrivateLinkProducer") == "privateLinkProducer"


def test_version_comes_from_the_workspace_when_the_schema_has_none():
    pkg = model.load(REPO)
    assert "version" not in json.loads((REPO / "schema.json").read_text())
    assert pkg.version == model.workspace_version(REPO)


def test_only_assume_role_is_a_secret_input():
    pkg = model.load(REPO)
    secret = [p.name for r in [pkg.provider, *pkg.resources] for p in r.inputs if pkg.is_secret_input(p)]
    assert secret == ["assumeRole"]


def copy_repo_with_schema(tmp_path: pathlib.Path, edit) -> pathlib.Path:
    (tmp_path / "provider").mkdir(parents=True)
    shutil.copy(REPO / "Cargo.toml", tmp_path / "Cargo.toml")
    shutil.copy(REPO / "provider" / "Cargo.toml", tmp_path / "provider" / "Cargo.toml")
    schema = json.loads((REPO / "schema.json").read_text())
    edit(schema)
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    return tmp_path


def run_generator(repo: pathlib.Path, out: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sdkgen", "--repo", str(repo), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def test_dangling_type_reference_is_refused_naming_the_property(tmp_path):
    def edit(schema):
        prop = schema["resources"]["privatelink:index:PrivateLinkConsumer"]["inputProperties"]["jdbc"]
        prop["$ref"] = "#/types/privatelink:index:Nope"

    result = run_generator(copy_repo_with_schema(tmp_path / "repo", edit), tmp_path / "out")
    assert result.returncode == 1
    assert "privatelink:index:PrivateLinkConsumer.jdbc" in result.stderr
    assert "'Nope'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unsupported_type_is_refused_naming_the_property(tmp_path):
    def edit(schema):
        schema["resources"]["privatelink:index:EndpointAcceptance"]["inputProperties"]["serviceId"] = {"type": "any"}

    result = run_generator(copy_repo_with_schema(tmp_path / "repo", edit), tmp_path / "out")
    assert result.returncode == 1
    assert "privatelink:index:EndpointAcceptance.serviceId" in result.stderr


def test_a_schema_version_wins_and_reaches_both_packages(tmp_path):
    repo = copy_repo_with_schema(tmp_path / "repo", lambda s: s.update(version="2.3.4"))
    result = run_generator(repo, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    plugin = json.loads((tmp_path / "out/python/pulumi_privatelink/pulumi-plugin.json").read_text())
    assert plugin["version"] == "2.3.4"
    manifest = json.loads((tmp_path / "out/nodejs/package.json").read_text())
    assert manifest["version"] == manifest["pulumi"]["version"] == "2.3.4"
