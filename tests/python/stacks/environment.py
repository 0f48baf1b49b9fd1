"""What a `pulumi` run needs around the program: the project file, the stack's config (with the
project's declared defaults, as the CLI applies them), the AWS profiles, the emulator, and the
other stacks' outputs for stack references."""

import json
import os
import re
from dataclasses import dataclass

import yaml

from privatelink_emulator.client import Emulator

from . import aws_double


def load_project(program_dir):
    with open(os.path.join(program_dir, "Pulumi.yaml")) as handle:
        return yaml.safe_load(handle)


def write_profiles(directory, accounts, region):
    """Shared AWS files with one profile per account ({profile: account id}); on the emulator the
    12-digit access key id picks the account. Answers {"config": path, "credentials": path}."""
    os.makedirs(directory, exist_ok=True)
    paths = {"config": os.path.join(directory, "config"), "credentials": os.path.join(directory, "credentials")}
    with open(paths["credentials"], "w") as handle:
        for profile, account in accounts.items():
            handle.write(f"[{profile}]\naws_access_key_id = {account}\naws_secret_access_key = x\n\n")
    with open(paths["config"], "w") as handle:
        for profile in accounts:
            handle.write(f"[profile {profile}]\nregion = {region}\n\n")
    return paths


class StackConfig:
    """`pulumi config` of one stack, kept beside its state."""

    def __init__(self, backend, project, stack):
        self.project = project
        self.path = os.path.join(backend, project, f"{stack}.config.json")
        self.values, self.secret_keys = {}, []
        if os.path.exists(self.path):
            with open(self.path) as handle:
                saved = json.load(handle)
            self.values, self.secret_keys = saved["values"], saved["secretKeys"]

    def qualify(self, key):
        return key if ":" in key else f"{self.project}:{key}"

    def set(self, key, value, secret=False):
        key = self.qualify(key)
        self.values[key] = value
        self.secret_keys = sorted(set(self.secret_keys) - {key} | ({key} if secret else set()))
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as handle:
            json.dump({"values": self.values, "secretKeys": self.secret_keys}, handle, indent=1)

    @staticmethod
    def has_type(value, declared):
        """Whether a value set with `config set` (a string) or a default reads as `declared`; the
        CLI checks each declared key so before the program runs
        (sdk/go/common/workspace/config.go, ValidateStackConfigAndApplyProjectConfig)."""
        if declared == "string":
            return isinstance(value, str)
        if declared == "integer":
            return isinstance(value, int) and not isinstance(value, bool) or \
                isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value) is not None
        if declared == "boolean":
            return isinstance(value, bool) or value in ("true", "false")
        if declared == "array":
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    return False
            return isinstance(value, list)
        return False

    def resolved(self, project):
        """The values the program sees: the stack's, then the project's declared defaults. A
        declared key with neither is an error before the program runs, as in the CLI
        (config.go, ValidateStackConfigAndApplyProjectConfig: missingStackConfigurationKeysError);
        so is a value not of its declared type, and a key declared `secret: true` set in plain."""
        values = dict(self.values)
        missing = []
        for key, spec in (project.get("config") or {}).items():
            name = self.qualify(key)
            spec = spec if isinstance(spec, dict) else {"default": spec}
            if name not in values:
                if "default" in spec:
                    values[name] = spec["default"]
                elif "value" not in spec:
                    missing.append(name)
            elif spec.get("secret") and name not in self.secret_keys:
                raise ValueError(f"{name} is declared secret: set it with `config set --secret`")
            if name in values and not self.has_type(values[name], spec.get("type", "string")):
                raise ValueError(f"{name}: {values[name]!r} is not of the declared type {spec.get('type')}")
        if missing:
            raise ValueError(f"the stack has no value for {', '.join(missing)} (pulumi config set KEY VALUE)")
        return {k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else
                str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()}, self.secret_keys


@dataclass
class Environment:
    backend: str
    provider_binary: str
    emulator_url: str
    emulator_dns: str
    aws_files_dir: str
    secret_keys: list

    def __post_init__(self):
        self.emulator = Emulator(self.emulator_url, self.emulator_dns)
        self.aws_files = {"config": os.path.join(self.aws_files_dir, "config"),
                          "credentials": os.path.join(self.aws_files_dir, "credentials")}
        # boto3 in this process (the pulumi-aws double) reads the same files as the plugins.
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update(AWS_CONFIG_FILE=self.aws_files["config"],
                          AWS_SHARED_CREDENTIALS_FILE=self.aws_files["credentials"],
                          AWS_EC2_METADATA_DISABLED="true")
        self._contexts = {}

    def aws_context(self, profile, region):
        key = (profile, region)
        if key not in self._contexts:
            import boto3
            from botocore.config import Config
            session = boto3.Session(profile_name=profile, region_name=region)
            config = Config(retries={"total_max_attempts": 3, "mode": "standard"})

            def client(service):
                return session.client(service, endpoint_url=self.emulator_url, config=config)
            account = client("sts").get_caller_identity()["Account"]
            self._contexts[key] = aws_double.Context(client, account, session.region_name)
        return self._contexts[key]

    def stack_outputs(self, reference, project):
        """The outputs of `organization/project/stack` (or `project/stack`, or `stack` of this
        project): ({name: wire value}, [secret names]); an unknown stack fails as in the CLI."""
        parts = reference.split("/")
        other_project, stack = (parts[-2], parts[-1]) if len(parts) >= 2 else (project, parts[0])
        path = os.path.join(self.backend, other_project, f"{stack}.json")
        if not os.path.exists(path):
            raise ValueError(f"unknown stack {reference!r}: no state at {path}")
        with open(path) as handle:
            state = json.load(handle)
        return state["outputs"], state["secretOutputNames"]
