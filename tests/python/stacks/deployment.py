"""One `pulumi preview | up | refresh | destroy` of an example program, without the Pulumi CLI.

The program (examples/<name>/__main__.py) runs unchanged under the official Python SDK's mock
monitor (`pulumi.runtime.set_mocks`). Our `Mocks.new_resource` then plays the engine's part for
each registration (pkg/resource/deploy/step_generator.go, `GenerateSteps`: Check, then Diff against
the stack's state, then a Create, Update, Replace or Same step; in a preview the same calls with
preview set and nothing written):

- `privatelink:*` goes to the real plugin over gRPC, through the engine double (lifecycle.py's
  ManagedResource, provider_session.py), one plugin process per provider as the engine starts one
  per provider instance (the stack's default provider from `privatelink:*` config, and each
  explicit `pulumi:providers:privatelink`);
- `aws:*` goes to the pulumi-aws test double (aws_double.py, boto3 against the emulator);
- `pulumi:pulumi:StackReference` reads the outputs of the referenced stack's state file
  (sdk/python/lib/pulumi/stack_reference.py reads `outputs` and `secretOutputNames`).

Resources the program no longer declares are deleted after it finishes, in reverse order, as the
engine's step generator does (`GenerateDeletes`); `destroy` deletes everything in reverse order of
creation, and `refresh` reads every resource (Read for the plugin; "does it still exist" for the
double) and forgets the ones that are gone. The state is a JSON file per stack (state.py)."""

import contextlib
import json
import os
import runpy
import sys
import tempfile
import threading
import time
import uuid

import pulumi
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.stack import massage
from pulumi.runtime.sync_await import _sync_await

from lifecycle import ManagedResource
from provider_session import UNKNOWN, ProviderSession, account_environment
from engine import FakeEngine, Plugin

from . import aws_double
from .state import StackState, display_type

PRIVATELINK = "privatelink:"
DEFAULT_PROVIDER = "default"


def to_wire(value):
    """Values as the engine passes them to providers: unknowns as the sentinel string, and
    integral numbers (a protobuf Value is a double) as ints, as the providers' typed inputs read them."""
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


# A provider may answer an unknown of a known type with its own sentinel; the engine reads each as
# "computed" before the program sees it (pulumi sdk/go/common/resource/plugin/rpc.go,
# UnmarshalPropertyValue, the Unknown*Value constants), so the SDK gets the one string sentinel.
TYPED_UNKNOWNS = {"1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
                  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58",
                  "e48ece36-62e2-4504-bad9-02848725956a", "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"}


def from_plugin(value):
    if isinstance(value, str) and value in TYPED_UNKNOWNS:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: from_plugin(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_plugin(v) for v in value]
    return value


class ProfileSession(ProviderSession):
    """The plugin acting with the credentials of the shared AWS files, as a user's `pulumi up`
    does: the environment has no keys, only AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, so
    the provider's `profile` setting picks the account."""

    def __init__(self, binary, emulator, aws_files, config, stack, project):
        self.stack, self.project = stack, project
        self.account = config.get("profile", "(default profile)")
        self.engine = FakeEngine()
        self._config_dir = tempfile.TemporaryDirectory(prefix="privatelink-aws-config-")
        self._logs = []
        try:
            env = account_environment("unused", config.get("region", "us-east-1"), self._config_dir.name)
            for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
                env.pop(key)
            env.update(AWS_CONFIG_FILE=aws_files["config"], AWS_SHARED_CREDENTIALS_FILE=aws_files["credentials"])
            self.plugin = Plugin(binary, self.engine.address, env=env)
            self.stub = self.plugin.stub
            # The emulator stands in for AWS: every provider is pointed at it, as a user would
            # point one at a local endpoint with these two settings.
            self.configure({**config, "endpoint": emulator.url, "dnsResolvers": [emulator.dns_server]})
        except BaseException:
            self.stop()
            raise

    def urn(self, type_token, name):
        """The URN the engine gives a resource of this stack, parented to the stack resource
        (sdk/go/common/resource/urn.go, NewURN: the parent's type and the resource's joined by $)."""
        return f"urn:pulumi:{self.stack}::{self.project}::pulumi:pulumi:Stack${type_token}::{name}"


class Printer:
    """Progress lines as the CLI shows them: one per resource step, the plugin's log lines under it."""

    SYMBOLS = {"create": "+", "created": "+", "same": " ", "update": "~", "updated": "~", "replace": "+-",
               "replaced": "+-", "delete": "-", "deleted": "-", "refresh": "~", "refreshed": "~", "read": ">",
               "failed": "**"}

    def __init__(self, out=sys.stdout):
        self.out = out
        self.counts = {}

    def line(self, text):
        print(text, file=self.out, flush=True)

    def step(self, outcome, type_token, name, seconds=None, note=""):
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        timing = f" ({seconds:.2f}s)" if seconds is not None else ""
        symbol = self.SYMBOLS.get(outcome, " ")
        self.line(f" {symbol:2} {display_type(type_token):48} {name:28} {outcome}{timing}{note}")

    @contextlib.contextmanager
    def streamed(self, session, name):
        """Prints the plugin's Log calls while the block runs, as they arrive."""
        if session is None:
            yield
            return
        seen = len(session.logs())
        stop = threading.Event()
        last_status = None

        def show():
            nonlocal seen, last_status
            lines = session.logs()
            for log in lines[seen:]:
                # An ephemeral line is a status the CLI redraws in place: one line per status,
                # not one per tick of its timer.
                status = log.message.rsplit(" (", 1)[0] if log.ephemeral else None
                if status is not None and status == last_status:
                    continue
                last_status = status
                kind = {"WARNING": "warning: ", "ERROR": "error: "}.get(log.severity, "")
                self.line(f"      {name}: {kind}{log.message}")
            seen = len(lines)

        def poll():
            while not stop.wait(0.1):
                show()

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            show()


class Deployment(mocks.Mocks):
    def __init__(self, project, stack, state, config, environment, preview=False, printer=None):
        self.project = project
        self.stack = stack
        self.state = state
        self.config = config  # {"ns:key": value}
        self.environment = environment
        self.preview = preview
        self.printer = printer or Printer()
        self.seen = set()
        self.sessions = {}
        self.providers = {}  # provider id -> its configuration, for the resources that name it
        self.lock = threading.Lock()

    # --- providers ---

    def provider_config(self, namespace):
        prefix = f"{namespace}:"
        return {k[len(prefix):]: v for k, v in self.config.items() if k.startswith(prefix)}

    def session(self, provider_ref):
        """The plugin for a privatelink resource: its explicit provider's, or the stack's default."""
        key = provider_ref.split("::")[-1] if provider_ref else DEFAULT_PROVIDER
        if key not in self.sessions:
            if key == DEFAULT_PROVIDER:
                config = {k: aws_double.decode_json(v) if k not in ("region", "profile", "endpoint") else v
                          for k, v in self.provider_config("privatelink").items()}
            else:
                record = self.state.provider_by_id(key)
                config = self.providers.get(key) or (record or {}).get("inputs")
                if config is None:
                    raise RuntimeError(f"provider {provider_ref} is not in the stack's state")
            self.sessions[key] = ProfileSession(self.environment.provider_binary, self.environment.emulator,
                                                self.environment.aws_files, config, self.stack, self.project)
        return self.sessions[key]

    def aws_context(self, provider_ref=""):
        """boto3 clients for an aws resource: its explicit provider's profile and region, or the
        stack's `aws:*` config."""
        if provider_ref:
            key = provider_ref.split("::")[-1]
            config = self.providers.get(key) or (self.state.provider_by_id(key) or {}).get("inputs")
            if config is None:
                raise RuntimeError(f"provider {provider_ref} is not in the stack's state")
        else:
            config = self.provider_config("aws")
        return self.environment.aws_context(config.get("profile"), config.get("region"))

    # --- the mock monitor's calls ---

    def call(self, args):
        if args.token.startswith("aws:"):
            return aws_double.invoke(self.aws_context(), args.token, args.args), []
        raise RuntimeError(f"{args.token}: no function of that name is modelled")

    def new_resource(self, args):
        with self.lock:
            if args.typ == "pulumi:pulumi:StackReference":
                return self.stack_reference(args)
            key = f"{args.typ}::{args.name}"
            self.seen.add(key)
            if args.typ.startswith("pulumi:providers:"):
                return self.provider(key, args)
            inputs = to_wire(args.inputs)
            if args.typ.startswith(PRIVATELINK):
                return self.privatelink(key, args, inputs)
            if args.typ.startswith("aws:"):
                return self.aws(key, args, inputs)
            raise RuntimeError(f"{args.typ}: no provider of that package is modelled")

    def stack_reference(self, args):
        name = args.resource_id or args.inputs.get("name")
        outputs, secret_names = self.environment.stack_outputs(name, self.project)
        self.printer.step("read", args.typ, args.name)
        return name, {"name": name, "outputs": outputs, "secretOutputNames": secret_names}

    def provider(self, key, args):
        """A provider resource: its inputs are its configuration (non-strings JSON-encoded, as
        the SDKs send them)."""
        inputs = {k: aws_double.decode_json(v) if k not in ("region", "profile", "endpoint", "version") else v
                  for k, v in to_wire(args.inputs).items() if k != "version"}
        old = self.state.get(key)
        # A new provider's id is unknown in a preview (the engine's providers.UnknownID); here it
        # must still tell providers apart, so it is a placeholder of our own.
        provider_id = old["id"] if old and old["inputs"] == inputs else (
            f"preview-{uuid.uuid4()}" if self.preview else str(uuid.uuid4()))
        self.providers[provider_id] = inputs
        if not self.preview:
            self.state.put(key, args.typ, args.name, provider_id, inputs, inputs, provider="")
        return provider_id, inputs

    def privatelink(self, key, args, inputs):
        session = self.session(args.provider)
        resource = ManagedResource(session, args.typ, args.name)
        old = self.state.get(key)
        if old:
            resource.id, resource.inputs, resource.outputs = old["id"], old["inputs"], old["outputs"]
        started = time.monotonic()
        if self.preview:
            diff, planned = resource.preview(inputs)
            outcome = "create" if diff is None else "replace" if diff.replaces else \
                "same" if diff.changes == "DIFF_NONE" else "update"
            self.printer.step(outcome, args.typ, args.name)
            return (resource.id or "") if outcome != "replace" else "", from_plugin(planned)
        try:
            with self.printer.streamed(session, args.name):
                diff = resource.up(inputs)
        except Exception as error:
            if resource.id:  # a partial create or update: the engine keeps what exists
                self.state.put(key, args.typ, args.name, resource.id, resource.inputs, resource.outputs,
                               provider=args.provider or "")
            self.printer.step("failed", args.typ, args.name, time.monotonic() - started, f": {error}")
            raise
        outcome = "created" if diff is None else "replaced" if diff.replaces else \
            "same" if diff.changes == "DIFF_NONE" else "updated"
        self.state.put(key, args.typ, args.name, resource.id, resource.inputs, resource.outputs,
                       provider=args.provider or "")
        self.printer.step(outcome, args.typ, args.name, None if outcome == "same" else time.monotonic() - started)
        return resource.id, resource.outputs

    def aws(self, key, args, inputs):
        ctx = self.aws_context(args.provider)
        old = self.state.get(key)
        if old and old["inputs"] == inputs:
            self.printer.step("same", args.typ, args.name)
            return old["id"], old["outputs"]
        if self.preview:
            self.printer.step("replace" if old else "create", args.typ, args.name)
            return "", aws_double.planned(inputs)
        started = time.monotonic()
        try:
            if old:
                aws_double.delete(ctx, args.typ, old["id"], old["outputs"])
                self.state.remove(key)
            resource_id, outputs = aws_double.create(ctx, args.typ, args.name, inputs)
        except Exception as error:
            self.printer.step("failed", args.typ, args.name, time.monotonic() - started, f": {error}")
            raise
        self.state.put(key, args.typ, args.name, resource_id, inputs, outputs, provider=args.provider or "")
        self.printer.step("replaced" if old else "created", args.typ, args.name, time.monotonic() - started)
        return resource_id, outputs

    # --- steps outside the program ---

    def delete(self, record):
        """Deletes one resource of the state (the engine's Delete step) and forgets it."""
        started = time.monotonic()
        if record["type"].startswith(PRIVATELINK):
            session = self.session(record["provider"])
            resource = ManagedResource(session, record["type"], record["name"])
            resource.id, resource.inputs, resource.outputs = record["id"], record["inputs"], record["outputs"]
            with self.printer.streamed(session, record["name"]):
                resource.destroy()
        elif record["type"].startswith("aws:"):
            aws_double.delete(self.aws_context(record["provider"]), record["type"], record["id"], record["outputs"])
        self.state.remove(record["key"])
        self.printer.step("deleted", record["type"], record["name"], time.monotonic() - started)

    def delete_unseen(self):
        """After the program: what the state has and the program no longer declares goes, last first.
        Providers go after the resources they manage."""
        for record in reversed(self.state.records()):
            if record["key"] not in self.seen and not record["type"].startswith("pulumi:providers:"):
                if self.preview:
                    self.printer.step("delete", record["type"], record["name"])
                else:
                    self.delete(record)
        for record in reversed(self.state.records()):
            if record["key"] not in self.seen and not self.preview:
                self.state.remove(record["key"])

    def destroy(self):
        for record in reversed(self.state.records()):
            if not record["type"].startswith("pulumi:providers:"):
                self.delete(record)
        for record in reversed(self.state.records()):
            self.state.remove(record["key"])
        self.state.set_outputs({}, [])

    def refresh(self):
        for record in self.state.records():
            if record["type"].startswith(PRIVATELINK):
                resource = ManagedResource(self.session(record["provider"]), record["type"], record["name"])
                resource.id, resource.inputs, resource.outputs = record["id"], record["inputs"], record["outputs"]
                found = resource.refresh()
                if found:
                    self.state.put(record["key"], record["type"], record["name"], resource.id, resource.inputs,
                                   resource.outputs, provider=record["provider"])
            elif record["type"].startswith("aws:"):
                found = aws_double.exists(self.aws_context(record["provider"]), record["type"], record["id"],
                                          record["outputs"])
            else:
                continue
            if not found:
                self.state.remove(record["key"])
            self.printer.step("refreshed" if found else "deleted", record["type"], record["name"])

    def stop(self):
        """Stops the plugins, keeping what each wrote to stderr (at -v=9, what `pulumi up
        --logtostderr --logflow -v=9` would show) in the backend's logs/<project>.<stack>.plugins.log."""
        logs = os.path.join(self.environment.backend, "logs")
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, f"{self.project}.{self.stack}.plugins.log"), "a") as log:
            for session in self.sessions.values():
                log.write(session.stderr())
                session.stop()
        self.sessions.clear()


def run_program(deployment, program_dir):
    """Runs the program under the mock monitor; answers its stack outputs in wire form and the
    names of the secret ones."""
    mocks.set_mocks(deployment, project=deployment.project, stack=deployment.stack, preview=deployment.preview)
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v)
                                   for k, v in deployment.config.items()},
                                  deployment.environment.secret_keys)
    program = os.path.join(program_dir, "__main__.py")
    sys.path.insert(0, program_dir)
    try:
        _sync_await(mocks.run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))
    finally:
        sys.path.remove(program_dir)
    outputs, secret_names = {}, []
    for name, value in settings.get_root_resource().outputs.items():
        # As the SDK's Stack._finish registers them: `massage` first makes output types plain.
        output = pulumi.Output.from_input(massage(value, []))
        is_secret = _sync_await(output.is_secret())
        resolved = _sync_await(rpc.serialize_property(output, [], name))
        if isinstance(resolved, dict) and resolved.get(aws_double.SIG) == aws_double.SECRET_SIG:
            is_secret = True
        if is_secret:
            secret_names.append(name)
        outputs[name] = resolved
    return outputs, sorted(secret_names)
