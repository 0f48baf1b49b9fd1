"""`pulumi` for the example programs, on the AWS emulator, without the Pulumi CLI:

    python -m stacks config set [--secret] KEY VALUE --cwd examples/producer --stack dev --backend DIR
    python -m stacks {preview,up,refresh,destroy} --cwd examples/producer --stack dev --backend DIR \\
        --provider target/debug/pulumi-resource-privatelink --emulator URL --emulator-dns HOST:PORT \\
        --aws-files DIR

(run with tests/python on sys.path). Each command is one process, as each `pulumi` command is one
program run; `up` is `pulumi up --yes --skip-preview` (run `preview` for the preview). See deployment.py for what stands in for the engine and for the providers. `--aws-files`
holds the shared AWS `config` and `credentials` files (profiles), as ~/.aws does for a user; the
stack's config, secrets included, is kept in plain JSON in the backend directory (the stand-in
for a stack's secrets provider: this is a test backend)."""

import argparse
import json
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
for path in (HERE.parent, REPO / "tests" / "aws-emulator", REPO / "sdk" / "python"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from stacks.environment import Environment, StackConfig, load_project  # noqa: E402
from stacks.aws_double import UNKNOWN  # noqa: E402


def config_set(args):
    project = load_project(args.cwd)
    config = StackConfig(args.backend, project["name"], args.stack)
    config.set(args.key, args.value, secret=args.secret)
    print(f"set {config.qualify(args.key)}{' (secret)' if args.secret else ''}")


def operate(args):
    from stacks.deployment import Deployment, Printer, run_program
    from stacks.state import StackState

    project = load_project(args.cwd)
    name = project["name"]
    values, secret_keys = StackConfig(args.backend, name, args.stack).resolved(project)
    environment = Environment(args.backend, args.provider, args.emulator, args.emulator_dns, args.aws_files,
                              secret_keys)
    state = StackState(os.path.join(args.backend, name, f"{args.stack}.json"))
    printer = Printer()
    verb = {"preview": "Previewing update", "up": "Updating", "refresh": "Refreshing", "destroy": "Destroying"}
    printer.line(f"{verb[args.command]} ({args.stack}) {name}:")
    started = time.monotonic()
    deployment = Deployment(name, args.stack, state, values, environment, preview=args.command == "preview",
                            printer=printer)
    failure = None
    try:
        if args.command in ("preview", "up"):
            outputs, secret_names = run_program(deployment, os.path.abspath(args.cwd))
            deployment.delete_unseen()
            if args.command == "up":
                state.set_outputs(outputs, secret_names)
            show_outputs(printer, outputs, secret_names)
        elif args.command == "refresh":
            deployment.refresh()
        else:
            deployment.destroy()
    except Exception as error:  # noqa: BLE001 - reported as the CLI reports a failed update
        failure = error
    finally:
        deployment.stop()
    printer.line("Resources:")
    for outcome, count in sorted(printer.counts.items()):
        printer.line(f"    {count} {outcome}")
    printer.line(f"Duration: {time.monotonic() - started:.1f}s")
    if failure is not None:
        printer.line(f"error: {failure}")
        return 1
    return 0


def show_outputs(printer, outputs, secret_names):
    if not outputs:
        return
    printer.line("Outputs:")
    for key, value in sorted(outputs.items()):
        shown = "[secret]" if key in secret_names else "[unknown]" if UNKNOWN in json.dumps(value) \
            else json.dumps(value)
        printer.line(f"    {key}: {shown}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="stacks", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--cwd", required=True, help="the program's directory (with Pulumi.yaml)")
    common.add_argument("--stack", required=True)
    common.add_argument("--backend", required=True, help="where stack states and configs are kept")
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config").add_subparsers(dest="config_command", required=True)
    setter = config.add_parser("set", parents=[common])
    setter.add_argument("--secret", action="store_true")
    setter.add_argument("key")
    setter.add_argument("value")
    for command in ("preview", "up", "refresh", "destroy"):
        sub = commands.add_parser(command, parents=[common])
        sub.add_argument("--provider", required=True, help="the built pulumi-resource-privatelink")
        sub.add_argument("--emulator", required=True, help="the AWS emulator's URL")
        sub.add_argument("--emulator-dns", required=True, help="the emulator's DNS server, HOST:PORT")
        sub.add_argument("--aws-files", required=True, help="directory with the shared AWS config and credentials")
    args = parser.parse_args(argv)
    if args.command == "config":
        config_set(args)
        return 0
    return operate(args)


if __name__ == "__main__":
    sys.exit(main())
