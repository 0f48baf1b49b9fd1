"""The examples users run with `pulumi up` (examples/producer, examples/consumer): Python programs
whose Pulumi.yaml the CLI accepts, with a settings example that lists every setting.

There is no Pulumi CLI here, so the CLI's project rules are written out below from its JSON schema
for Pulumi.yaml, pulumi/pulumi sdk/go/common/workspace/project.json (read at commits 0498be11 and
5351d868), which the CLI validates every project file against before it runs anything
(sdk/go/common/workspace/project.go, `ValidateProject`). The end-to-end test runs the programs."""

import re

import pytest
import yaml

EXAMPLES = ("consumer", "producer")

# project.json, $defs/simpleConfigType: the only `type` a config declaration may have.
CONFIG_TYPES = {"string", "integer", "boolean", "array"}
# $defs/configTypeDeclaration: additionalProperties false over these (`value` only in 5351d868).
DECLARATION_KEYS = {"type", "items", "description", "secret", "default", "value"}
# properties/runtime, the object form: additionalProperties false.
RUNTIME_KEYS = {"name", "options"}
# $defs/pluginOptions.
PLUGIN_KEYS = {"name", "path", "version"}
PLUGIN_KINDS = {"providers", "analyzers", "languages"}
# properties/name: "alphanumeric characters, hyphens, underscores, and periods".
PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def project_errors(project):
    """The ways `project` (a parsed Pulumi.yaml) breaks the CLI's project schema; [] if none."""
    errors = []
    if not isinstance(project.get("name"), str) or not PROJECT_NAME.match(project["name"]):
        errors.append("name: a non-empty string of letters, digits, -, _ and .")
    runtime = project.get("runtime")
    if isinstance(runtime, dict):
        if set(runtime) - RUNTIME_KEYS:
            errors.append(f"runtime: unknown keys {sorted(set(runtime) - RUNTIME_KEYS)}")
        if not isinstance(runtime.get("name"), str) or not runtime["name"]:
            errors.append("runtime.name: a non-empty string")
        if not isinstance(runtime.get("options", {}), dict):
            errors.append("runtime.options: an object")
    elif not (isinstance(runtime, str) and runtime):
        errors.append("runtime: a non-empty string or {name, options}")
    for key, declaration in (project.get("config") or {}).items():
        if isinstance(declaration, (str, int, bool)):
            continue  # the short form: a plain default value
        if not isinstance(declaration, dict):
            errors.append(f"config.{key}: a string, integer, boolean or declaration")
            continue
        if set(declaration) - DECLARATION_KEYS:
            errors.append(f"config.{key}: unknown keys {sorted(set(declaration) - DECLARATION_KEYS)}")
        if declaration.get("type") not in CONFIG_TYPES:
            errors.append(f"config.{key}.type: {declaration.get('type')!r} is not one of {sorted(CONFIG_TYPES)}")
        if declaration.get("type") == "array" and "items" not in declaration:
            errors.append(f"config.{key}: an array needs `items`")
        if "secret" in declaration and not isinstance(declaration["secret"], bool):
            errors.append(f"config.{key}.secret: a boolean")
    plugins = project.get("plugins") or {}
    for kind, entries in plugins.items():
        if kind not in PLUGIN_KINDS or not isinstance(entries, list):
            errors.append(f"plugins.{kind}: not a list of plugins")
            continue
        for entry in entries:
            if not isinstance(entry, dict) or set(entry) - PLUGIN_KEYS or \
                    not all(isinstance(v, str) for v in entry.values()):
                errors.append(f"plugins.{kind}: {entry!r} is not {{name, path, version}} of strings")
    return errors


def load(repo_root, example, name="Pulumi.yaml"):
    return yaml.safe_load((repo_root / "examples" / example / name).read_text())


def test_both_examples_are_python_programs_and_the_yaml_ones_are_gone(repo_root):
    assert sorted(p.name for p in (repo_root / "examples").iterdir() if p.is_dir()) == list(EXAMPLES)
    for example in EXAMPLES:
        folder = repo_root / "examples" / example
        assert {"Pulumi.yaml", "__main__.py", "requirements.txt", "Pulumi.dev.yaml.example"} <= \
            {p.name for p in folder.iterdir()}
        assert "resources" not in load(repo_root, example), "a Pulumi YAML program is left"


@pytest.mark.parametrize("example", EXAMPLES)
def test_pulumi_yaml_follows_the_cli_project_schema(repo_root, example):
    project = load(repo_root, example)
    assert project_errors(project) == []
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert project["plugins"]["providers"] == [{"name": "privatelink", "path": "../../target/release"}]


@pytest.mark.parametrize("change, error", [
    ({"config": {"subnetIds": {"type": "List<String>"}}}, "config.subnetIds.type"),
    ({"config": {"tags": {"type": "object"}}}, "config.tags.type"),
    ({"config": {"zones": {"type": "array"}}}, "an array needs `items`"),
    ({"config": {"port": {"type": "integer", "min": 1}}}, "unknown keys ['min']"),
    ({"runtime": {"name": "python", "virtualenv": "venv"}}, "runtime: unknown keys"),
    ({"plugins": {"providers": [{"name": "privatelink", "path": 1}]}}, "plugins.providers"),
])
def test_the_schema_rules_refuse_what_the_cli_refuses(change, error):
    project = {"name": "privatelink-producer", "runtime": "python", **change}
    assert any(error in e for e in project_errors(project)), project_errors(project)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_settings_example_lists_every_setting_and_no_plain_secret(repo_root, example):
    project = load(repo_root, example)
    settings = load(repo_root, example, "Pulumi.dev.yaml.example")["config"]
    name = project["name"]
    declared = {f"{name}:{key}" for key in project["config"]}
    providers = {"aws:region", "aws:profile", "privatelink:region", "privatelink:profile"}
    assert declared | providers | {f"{name}:tags"} == set(settings)
    for key, declaration in project["config"].items():
        value = settings[f"{name}:{key}"]
        if declaration.get("secret"):
            assert isinstance(value, dict) and set(value) == {"secure"}, f"{key} must be set with --secret"
        else:
            assert not isinstance(value, dict) or key == "tags"


@pytest.mark.parametrize("example", EXAMPLES)
def test_requirements_name_the_sdks_the_program_imports(repo_root, example):
    requirements = (repo_root / "examples" / example / "requirements.txt").read_text()
    program = (repo_root / "examples" / example / "__main__.py").read_text()
    for module, requirement in (("pulumi_aws", "pulumi-aws"), ("pulumi_privatelink", "../../sdk/python")):
        assert f"import {module}" in program
        assert requirement in requirements
