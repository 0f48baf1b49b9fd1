"""Drives the provider plugin against the local AWS emulator the way `pulumi up` would, printing
each step and its timing."""

import argparse
import json
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "python"))

from google.protobuf import empty_pb2  # noqa: E402
from pulumi.runtime.proto import provider_pb2  # noqa: E402

from engine import FakeEngine, Plugin, struct  # noqa: E402

PRODUCER_ACCOUNT = "111111111111"


def step(title):
    print(f"\n==> {title}", flush=True)
    return time.monotonic()


def done(started, detail=""):
    print(f"    ok ({time.monotonic() - started:.2f} s){': ' + detail if detail else ''}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--dns", required=True)
    parser.add_argument("--provider", required=True)
    args = parser.parse_args()

    # The emulator maps a 12-digit access key id to that account.
    os.environ.update(
        AWS_ACCESS_KEY_ID=PRODUCER_ACCOUNT,
        AWS_SECRET_ACCESS_KEY="emulator",
        AWS_REGION="us-east-1",
    )
    engine = FakeEngine()
    t = step("launch the plugin as the Pulumi engine does")
    plugin = Plugin(args.provider, engine.address)
    info = plugin.stub.GetPluginInfo(empty_pb2.Empty())
    done(t, f"pulumi-resource-privatelink {info.version} on port {plugin.port}")
    try:
        t = step(f"configure it for account {PRODUCER_ACCOUNT} on the local emulator {args.emulator}")
        config = {"region": "us-east-1", "endpoint": args.emulator, "dnsResolvers": [args.dns]}
        failures = plugin.stub.CheckConfig(provider_pb2.CheckRequest(news=struct(config))).failures
        if failures:
            raise SystemExit(f"configuration rejected: {failures}")
        plugin.stub.Configure(provider_pb2.ConfigureRequest(args=struct(config), acceptSecrets=True))
        done(t, "credentials validated with STS GetCallerIdentity")

        t = step("package schema")
        schema = json.loads(plugin.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema)
        resources = sorted(schema["resources"]) or ["(none published yet)"]
        print(f"    package {schema['name']}: config {', '.join(sorted(schema['config']['variables']))}")
        print(f"    resources: {', '.join(resources)}")
        done(t)
    finally:
        t = step("shut the plugin down (Cancel, SIGINT)")
        plugin.stop()
        engine.stop()
        done(t, f"exit code {plugin.process.returncode}")


if __name__ == "__main__":
    main()
