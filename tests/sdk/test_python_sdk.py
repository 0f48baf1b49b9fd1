"""The generated Python SDK (sdk/python) under the official Pulumi Python SDK's mocks.

Every resource is constructed with every input schema.json lists; the test checks what reaches the
resource monitor (camelCase names, values, secrets) and that every output schema.json lists reads
back through the SDK's properties, nested objects as their output classes. Mistakes a program can
make (unknown or missing arguments) must raise TypeError as Pulumi's generated SDKs do, and mypy
must accept a typical program and reject typical mistakes.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
from typing import Any

import pulumi
import pulumi.runtime
import pytest
from pulumi.runtime import rpc

REPO = pathlib.Path(__file__).resolve().parents[2]
SDK = REPO / "sdk" / "python"
sys.path.insert(0, str(SDK))

import pulumi_privatelink as privatelink  # noqa: E402
from pulumi_privatelink import outputs  # noqa: E402

SCHEMA = json.loads((REPO / "schema.json").read_text())
REF = "#/types/"
SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def type_name(ref: str) -> str:
    return ref[len(REF):].split(":")[2]


# --- sample values, from the schema's types -------------------------------------------------------


def wire_sample(spec: dict[str, Any], label: str) -> Any:
    """A value of the schema type as the engine sees it (camelCase keys)."""
    if "$ref" in spec:
        props = SCHEMA["types"][spec["$ref"][len(REF):]]["properties"]
        return {k: wire_sample(v, f"{label}.{k}") for k, v in props.items()}
    kind = spec["type"]
    if kind == "string":
        return f"{label}-value"
    if kind == "integer":
        return 1000 + len(label)
    if kind == "boolean":
        return True
    if kind == "array":
        return [wire_sample(spec["items"], f"{label}[0]"), wire_sample(spec["items"], f"{label}[1]")]
    if kind == "object":
        return {"alpha": wire_sample(spec["additionalProperties"], f"{label}.alpha")}
    raise AssertionError(f"no sample for {spec}")


def sdk_input(spec: dict[str, Any], label: str) -> Any:
    """The same value as a program passes it: nested objects as the SDK's `XArgs` classes."""
    if "$ref" in spec:
        props = SCHEMA["types"][spec["$ref"][len(REF):]]["properties"]
        cls = getattr(privatelink, f"{type_name(spec['$ref'])}Args")
        return cls(**{snake(k): sdk_input(v, f"{label}.{k}") for k, v in props.items()})
    if spec.get("type") == "array":
        return [sdk_input(spec["items"], f"{label}[0]"), sdk_input(spec["items"], f"{label}[1]")]
    if spec.get("type") == "object":
        return {"alpha": sdk_input(spec["additionalProperties"], f"{label}.alpha")}
    return wire_sample(spec, label)


def sdk_value(value: Any) -> Any:
    """An output as the SDK returns it, as plain data with camelCase keys, to compare with the wire."""
    if isinstance(value, list):
        return [sdk_value(v) for v in value]
    if isinstance(value, dict):
        return {k: sdk_value(v) for k, v in value.items()}
    if type(value).__module__ == outputs.__name__:
        cls = type(value)
        wire = {}
        for attr in dir(cls):
            prop = getattr(cls, attr)
            if isinstance(prop, property):
                wire_name = getattr(prop.fget, "_pulumi_name", attr)
                wire[wire_name] = sdk_value(getattr(value, attr))
        return {k: v for k, v in wire.items() if v is not None}
    return value


def unsecret(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return value["value"], True
    return value, False


# --- the mocks, recording what reaches the monitor ------------------------------------------------


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        spec = resource_spec(args.typ)
        state = dict(args.inputs)
        for name, prop in spec.get("properties", {}).items():
            state.setdefault(name, wire_sample(prop, f"out.{name}"))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        raise AssertionError(f"unexpected call {args.token}")


def resource_spec(token: str) -> dict[str, Any]:
    if token == f"pulumi:providers:{SCHEMA['name']}":
        return SCHEMA["provider"]
    return SCHEMA["resources"][token]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Mocks, plus the raw RegisterResource requests (secrets and additionalSecretOutputs are only
    visible there: MockResourceArgs carries the inputs with secrets already unwrapped)."""
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="sdk", stack="test", preview=False)
    monitor = pulumi.runtime.settings.SETTINGS.monitor
    register = monitor.RegisterResource

    def recording(request: Any) -> Any:
        raw = rpc.deserialize_properties(request.object, keep_unknowns=True, keep_internal=True)
        mocks.registered[request.type] = {
            "object": json.loads(json.dumps(raw, default=str)),
            "additionalSecretOutputs": list(request.additionalSecretOutputs),
            "version": request.version,
        }
        return register(request)

    monkeypatch.setattr(monitor, "RegisterResource", recording)
    return mocks


RESOURCES = [
    (getattr(privatelink, token.split(":")[2]), token) for token in sorted(SCHEMA["resources"])
]


def construct_with_every_input(cls: type, token: str, name: str) -> tuple[Any, dict[str, Any]]:
    inputs = resource_spec(token)["inputProperties"]
    kwargs = {snake(k): sdk_input(v, f"in.{k}") for k, v in inputs.items()}
    return cls(name, **kwargs), {k: wire_sample(v, f"in.{k}") for k, v in inputs.items()}


@pytest.mark.parametrize("cls,token", RESOURCES, ids=[t for _, t in RESOURCES])
@pulumi.runtime.test
def test_every_input_reaches_the_engine_in_camel_case_and_every_output_reads_back(recorder, cls, token):
    resource, expected_inputs = construct_with_every_input(cls, token, "every")
    spec = resource_spec(token)

    def check(values: list[Any]) -> None:
        sent = recorder.registered[token]
        assert sent["version"] == privatelink._utilities.get_version()
        assert sent["additionalSecretOutputs"] == []
        wire = {k: unsecret(v)[0] for k, v in sent["object"].items()}
        assert wire == expected_inputs
        expected_outputs = {
            name: expected_inputs.get(name, wire_sample(prop, f"out.{name}"))
            for name, prop in spec["properties"].items()
        }
        got = dict(zip(spec["properties"], values))
        assert {k: sdk_value(v) for k, v in got.items()} == expected_outputs
        for name, prop in spec["properties"].items():
            item = prop.get("items", prop)
            if "$ref" in item:
                one = got[name][0] if "items" in prop else got[name]
                assert isinstance(one, getattr(outputs, type_name(item["$ref"]))), name

    outs = [getattr(resource, snake(name)) for name in spec["properties"]]
    assert all(isinstance(o, pulumi.Output) for o in outs)
    return pulumi.Output.all(*outs).apply(check)


@pulumi.runtime.test
def test_provider_sends_every_config_key_as_a_string_and_assume_role_as_a_secret(recorder):
    config = SCHEMA["provider"]["inputProperties"]
    assert set(config) == set(SCHEMA["config"]["variables"])
    provider = privatelink.Provider(
        "explicit", **{snake(k): sdk_input(v, f"in.{k}") for k, v in config.items()}
    )

    def check(_: Any) -> None:
        sent = recorder.registered[f"pulumi:providers:{SCHEMA['name']}"]
        for name, prop in config.items():
            value, secret = unsecret(sent["object"][name])
            expected = wire_sample(prop, f"in.{name}")
            if prop.get("type") == "string":
                assert value == expected, name
            else:
                # A provider's inputs reach the plugin as strings; non-strings as JSON.
                assert isinstance(value, str), name
                assert json.loads(value) == expected, name
            # assumeRole holds externalId, a secret: the whole JSON string must be secret.
            assert secret == (name == "assumeRole"), name
        assert sent["additionalSecretOutputs"] == ["assumeRole"]

    return provider.urn.apply(check)


@pulumi.runtime.test
def test_provider_resolves_outputs_inside_assume_role_before_sending_it(recorder):
    role = privatelink.AssumeRoleArgs(
        role_arn=pulumi.Output.from_input("arn:aws:iam::111111111111:role/deploy"),
        external_id=pulumi.Output.secret("shh"),
    )
    provider = privatelink.Provider("nested", assume_role=role, region="eu-west-1")

    def check(_: Any) -> None:
        sent = recorder.registered[f"pulumi:providers:{SCHEMA['name']}"]["object"]
        value, secret = unsecret(sent["assumeRole"])
        assert secret
        assert json.loads(value) == {"roleArn": "arn:aws:iam::111111111111:role/deploy", "externalId": "shh"}
        assert sent["region"] == "eu-west-1"

    return provider.urn.apply(check)


@pulumi.runtime.test
def test_args_object_form_equals_keyword_form(recorder):
    args = privatelink.EndpointAcceptanceArgs(service_id="vpce-svc-1", endpoint_id="vpce-1")
    acceptance = privatelink.EndpointAcceptance("by-args", args, pulumi.ResourceOptions(protect=False))

    def check(values: list[Any]) -> None:
        sent = recorder.registered["privatelink:index:EndpointAcceptance"]["object"]
        assert sent == {"serviceId": "vpce-svc-1", "endpointId": "vpce-1"}
        assert values == ["vpce-svc-1", "vpce-1"]

    return pulumi.Output.all(acceptance.service_id, acceptance.endpoint_id).apply(check)


@pulumi.runtime.test
def test_get_reads_a_resource_by_id(recorder):
    class ReadMocks(Recorder):
        def new_resource(self, args):
            assert args.resource_id == "vpce-0123", args.resource_id
            assert args.inputs == {}
            return args.resource_id, {"endpointId": "vpce-0123", "state": "available"}

    pulumi.runtime.set_mocks(ReadMocks(), project="sdk", stack="test", preview=False)
    found = privatelink.PrivateLinkConsumer.get("existing", "vpce-0123")
    assert isinstance(found, privatelink.PrivateLinkConsumer)
    return pulumi.Output.all(found.id, found.endpoint_id, found.state, found.jdbc_url).apply(
        lambda v: v == ["vpce-0123", "vpce-0123", "available", None] or pytest.fail(f"read {v}")
    )


def required_kwargs(token: str) -> dict[str, Any]:
    spec = resource_spec(token)
    return {snake(k): sdk_input(spec["inputProperties"][k], k) for k in spec["requiredInputs"]}


@pytest.mark.parametrize("cls,token", RESOURCES, ids=[t for _, t in RESOURCES])
def test_missing_required_input_is_a_type_error_naming_it(recorder, cls, token):
    for missing in resource_spec(token)["requiredInputs"]:
        kwargs = required_kwargs(token)
        del kwargs[snake(missing)]
        with pytest.raises(TypeError, match=f"Missing required property '{snake(missing)}'"):
            cls("r", **kwargs)
        # The args class refuses it too, as a Python keyword-only argument.
        with pytest.raises(TypeError, match=snake(missing)):
            getattr(privatelink, f"{cls.__name__}Args")(**kwargs)


@pytest.mark.parametrize("cls,token", RESOURCES, ids=[t for _, t in RESOURCES])
def test_unknown_or_camel_case_keyword_is_a_type_error(recorder, cls, token):
    camel = next(k for k in resource_spec(token)["requiredInputs"] if snake(k) != k)
    for bad in ("bogus", camel):
        kwargs = dict(required_kwargs(token), **{bad: "x"})
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{bad}'"):
            cls("r", **kwargs)
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{bad}'"):
            getattr(privatelink, f"{cls.__name__}Args")(**kwargs)


def test_nested_type_refuses_unknown_and_missing_fields():
    with pytest.raises(TypeError, match="role_arn"):
        privatelink.AssumeRoleArgs(external_id="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'roleArn'"):
        privatelink.AssumeRoleArgs(role_arn="a", roleArn="b")  # type: ignore[call-arg]


def test_config_module_reads_every_key_typed():
    from pulumi.runtime.config import set_all_config

    variables = SCHEMA["config"]["variables"]
    # Stack configuration holds strings; arrays, maps, objects and booleans as JSON.
    set_all_config({
        f"{SCHEMA['name']}:{name}": (v if isinstance(v := wire_sample(prop, name), str) else json.dumps(v))
        for name, prop in variables.items()
    })
    try:
        for name, prop in variables.items():
            assert getattr(privatelink.config, snake(name)) == wire_sample(prop, name), name
    finally:
        set_all_config({})


def test_plugin_json_and_pyproject_carry_the_plugin_version():
    import tomllib

    cargo = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    plugin = json.loads((SDK / "pulumi_privatelink" / "pulumi-plugin.json").read_text())
    assert plugin == {"resource": True, "name": SCHEMA["name"], "version": cargo}
    project = tomllib.loads((SDK / "pyproject.toml").read_text())["project"]
    assert project["name"] == SCHEMA["language"]["python"]["packageName"]
    assert project["version"] == cargo


def test_docstrings_come_from_the_schema():
    spec = SCHEMA["resources"]["privatelink:index:PrivateLinkConsumer"]
    source = (SDK / "pulumi_privatelink" / "private_link_consumer.py").read_text()
    assert spec["description"] in source  # in the constructor overloads' docstrings
    for name, prop in spec["properties"].items():
        doc = getattr(privatelink.PrivateLinkConsumer, snake(name)).__doc__
        assert prop["description"] in doc, name


def mypy(*paths: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir=/dev/null", "--show-error-codes",
         "--no-error-summary", "--hide-error-context", *map(str, paths)],
        cwd=SDK, capture_output=True, text=True, timeout=300,
    )


def test_package_and_a_typical_program_type_check():
    result = mypy(SDK / "pulumi_privatelink", REPO / "tests" / "sdk" / "typed_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_checker_rejects_typical_mistakes():
    misuse = REPO / "tests" / "sdk" / "typed_misuse.py"
    expected = {
        (number, m.group(1))
        for number, line in enumerate(misuse.read_text().splitlines(), start=1)
        if (m := re.search(r"# error: ([\w-]+)$", line))
    }
    assert len(expected) == 6
    result = mypy(misuse)
    reported = {
        (int(m.group(1)), m.group(2))
        for m in re.finditer(r"typed_misuse\.py:(\d+): error: .*\[([\w-]+)\]$", result.stdout, re.M)
    }
    assert expected <= reported, result.stdout
    assert {line for line, _ in reported} == {line for line, _ in expected}, result.stdout
