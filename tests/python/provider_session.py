"""A configured provider plugin acting as one emulator account, driven as the engine drives a
resource (Check, Diff, Create, Read, Update, Delete), with plain Python dicts in and out.

Values keep Pulumi's wire forms: the unknown sentinel string `UNKNOWN` and secrets as
`{SIG: SECRET_SIG, "value": ...}` (see `secret`). Numbers come back as int when integral."""

import json
import os
import queue
import tempfile
import time
from dataclasses import dataclass, field

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import engine_pb2, provider_pb2

from engine import DEBUG_FLAGS, FakeEngine, Plugin

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Slack on top of an operation's own timeout before the client gives up on the RPC.
RPC_MARGIN = 30


def secret(value):
    return {SIG: SECRET_SIG, "value": value}


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_dict(message):
    """google.protobuf.Struct -> dict (an unset Struct is {})."""
    return _plain(json_format.MessageToDict(message))


def to_struct(values):
    message = struct_pb2.Struct()
    message.update(values or {})
    return message


class InitFailed(Exception):
    """An operation failed part-way; the engine would keep `id` with `outputs` in its state."""

    def __init__(self, id, outputs, reasons, message):
        super().__init__(message)
        self.id = id
        self.outputs = outputs
        self.reasons = list(reasons)
        self.message = message


def init_failure(error):
    """The InitFailed carried by a gRPC error's google.rpc.Status details, or None."""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        for detail in status_pb2.Status.FromString(value).details:
            if detail.Is(provider_pb2.ErrorResourceInitFailed.DESCRIPTOR):
                failed = provider_pb2.ErrorResourceInitFailed()
                detail.Unpack(failed)
                return InitFailed(failed.id, to_dict(failed.properties), failed.reasons, error.details())
    return None


@dataclass
class Diff:
    changes: str  # DIFF_UNKNOWN, DIFF_NONE or DIFF_SOME
    replaces: list
    detailed_diff: dict  # property path -> ADD, UPDATE, DELETE, ADD_REPLACE, UPDATE_REPLACE, ...
    delete_before_replace: bool
    diffs: list = field(default_factory=list)
    stables: list = field(default_factory=list)
    has_detailed_diff: bool = False

    @classmethod
    def of(cls, response):
        kind = provider_pb2.PropertyDiff.Kind.Name
        return cls(
            changes=provider_pb2.DiffResponse.DiffChanges.Name(response.changes),
            replaces=sorted(response.replaces),
            detailed_diff={k: kind(v.kind) for k, v in response.detailedDiff.items()},
            delete_before_replace=response.deleteBeforeReplace,
            diffs=sorted(response.diffs),
            stables=sorted(response.stables),
            has_detailed_diff=response.hasDetailedDiff,
        )


@dataclass
class LogLine:
    severity: str  # DEBUG, INFO, WARNING, ERROR
    message: str
    urn: str
    ephemeral: bool


def account_environment(account, region, config_dir):
    """The host environment without any AWS_* variable, plus credentials acting as `account` on
    the emulator and empty shared config files, so nothing of the host's AWS setup leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    empty = os.path.join(config_dir, "empty")
    open(empty, "w").close()
    env.update(
        AWS_ACCESS_KEY_ID=account,
        AWS_SECRET_ACCESS_KEY="x",
        AWS_REGION=region,
        AWS_CONFIG_FILE=empty,
        AWS_SHARED_CREDENTIALS_FILE=empty,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


class ProviderSession:
    """The plugin launched as the engine launches it, configured for one emulator account."""

    def __init__(self, binary, emulator, account, region="us-east-1", config=None, flags=DEBUG_FLAGS):
        self.account = account
        self.engine = FakeEngine()
        self._config_dir = tempfile.TemporaryDirectory(prefix="privatelink-aws-config-")
        self._logs = []
        try:
            env = account_environment(account, region, self._config_dir.name)
            self.plugin = Plugin(binary, self.engine.address, env=env, flags=flags)
            self.stub = self.plugin.stub
            self.configure({"region": region, "endpoint": emulator.url,
                            "dnsResolvers": [emulator.dns_server], **(config or {})})
        except BaseException:
            self.stop()
            raise

    def configure(self, config):
        """CheckConfig then Configure, as for a provider the program declares. Non-string values
        reach Configure JSON-encoded in `variables`, as stack configuration does."""
        checked = self.stub.CheckConfig(provider_pb2.CheckRequest(
            urn="urn:pulumi:test::privatelink::pulumi:providers:privatelink::default", news=to_struct(config)))
        if checked.failures:
            raise ValueError(f"provider configuration rejected: {[(f.property, f.reason) for f in checked.failures]}")
        variables = {f"privatelink:config:{k}": v if isinstance(v, str) else json.dumps(v)
                     for k, v in config.items()}
        return self.stub.Configure(provider_pb2.ConfigureRequest(
            variables=variables, args=checked.inputs, acceptSecrets=True, acceptResources=True,
            sends_old_inputs=True, sends_old_inputs_to_delete=True), timeout=60)

    @staticmethod
    def urn(type_token, name):
        return f"urn:pulumi:test::privatelink::{type_token}::{name}"

    def _names(self, type_token, name):
        return dict(urn=self.urn(type_token, name), name=name, type=type_token)

    def check(self, type_token, name, news, olds=None, random_seed=None):
        """-> (inputs, [(property, reason)]). Without `random_seed`, a fresh one, as the engine
        draws for every registration (step_generator.go, generateSteps)."""
        response = self.stub.Check(provider_pb2.CheckRequest(
            olds=to_struct(olds), news=to_struct(news), randomSeed=random_seed or os.urandom(32),
            **self._names(type_token, name)), timeout=60)
        return to_dict(response.inputs), [(f.property, f.reason) for f in response.failures]

    def diff(self, type_token, name, id, olds, news, old_inputs=None):
        """olds: the old outputs; news: the new checked inputs. -> Diff"""
        response = self.stub.Diff(provider_pb2.DiffRequest(
            id=id, olds=to_struct(olds), news=to_struct(news), old_inputs=to_struct(old_inputs),
            **self._names(type_token, name)), timeout=60)
        return Diff.of(response)

    def _mutate(self, rpc, request, timeout):
        try:
            return rpc(request, timeout=timeout + RPC_MARGIN)
        except grpc.RpcError as error:
            failed = init_failure(error)
            if failed is not None:
                raise failed from error
            raise

    def create(self, type_token, name, inputs, preview=False, timeout=300):
        """-> (id, outputs); raises InitFailed on a partial create."""
        response = self._mutate(self.stub.Create, provider_pb2.CreateRequest(
            properties=to_struct(inputs), preview=preview, timeout=timeout,
            **self._names(type_token, name)), timeout)
        return response.id, to_dict(response.properties)

    def read(self, type_token, name, id, state=None, inputs=None, timeout=0):
        """-> (id, outputs, inputs); id "" when the resource is gone. No state: an import.
        `timeout`: seconds the engine allows (0: none)."""
        response = self.stub.Read(provider_pb2.ReadRequest(
            id=id, properties=to_struct(state), inputs=to_struct(inputs), timeout=timeout,
            **self._names(type_token, name)), timeout=(timeout or 90) + RPC_MARGIN)
        return response.id, to_dict(response.properties), to_dict(response.inputs)

    def update(self, type_token, name, id, olds, news, old_inputs=None, preview=False, timeout=300):
        """olds: the old outputs. -> outputs; raises InitFailed on a partial update."""
        response = self._mutate(self.stub.Update, provider_pb2.UpdateRequest(
            id=id, olds=to_struct(olds), news=to_struct(news), old_inputs=to_struct(old_inputs),
            preview=preview, timeout=timeout, **self._names(type_token, name)), timeout)
        return to_dict(response.properties)

    def delete(self, type_token, name, id, outputs, inputs=None, timeout=300):
        self.stub.Delete(provider_pb2.DeleteRequest(
            id=id, properties=to_struct(outputs), old_inputs=to_struct(inputs), timeout=timeout,
            **self._names(type_token, name)), timeout=timeout + RPC_MARGIN)

    def cancel(self):
        self.stub.Cancel(empty_pb2.Empty(), timeout=10)

    def wait_for_log(self, predicate, timeout=5.0):
        """The Log calls so far, once one satisfies `predicate` (the plugin sends them in the
        background, so the last may land just after the RPC that caused it); raises after
        `timeout` seconds."""
        deadline = time.time() + timeout
        while True:
            lines = self.logs()
            if any(predicate(line) for line in lines) or time.time() > deadline:
                assert any(predicate(line) for line in lines), lines
                return lines
            time.sleep(0.05)

    def logs(self):
        """Every Log call the plugin made to the engine so far."""
        while True:
            try:
                request = self.engine.logs.get_nowait()
            except queue.Empty:
                return list(self._logs)
            self._logs.append(LogLine(engine_pb2.LogSeverity.Name(request.severity), request.message,
                                      request.urn, request.ephemeral))

    def stderr(self):
        return self.plugin.stderr_text() if hasattr(self, "plugin") else ""

    def stop(self):
        if hasattr(self, "plugin"):
            self.plugin.stop()
        self.engine.stop()
        self._config_dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()
