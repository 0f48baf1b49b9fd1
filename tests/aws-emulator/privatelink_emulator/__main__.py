"""python -m privatelink_emulator [--port 0] [--dns-port 0] [--state-dir DIR]

Serves moto plus the emulator's extensions on 127.0.0.1 only; with --state-dir, writes
`url` and `dns` files there once both servers listen (the start script waits for them)."""
import argparse
import os
import sys

from werkzeug.serving import make_server


def _write(state_dir, name, text):
    path = os.path.join(state_dir, name)
    with open(path + ".tmp", "w") as handle:
        handle.write(text + "\n")
    os.replace(path + ".tmp", path)


def build_app():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from . import control, ext, server
    ext.install()
    return server.EmulatorApp(DomainDispatcherApplication(create_backend_app), control.app)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="privatelink_emulator")
    parser.add_argument("--port", type=int, default=0, help="HTTP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--dns-port", type=int, default=0, help="DNS (UDP) port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--state-dir", help="directory for the url and dns files")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from . import dns
    dns.start(args.dns_port)
    http = make_server("127.0.0.1", args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    url = f"http://127.0.0.1:{http.server_port}"
    os.environ.setdefault("MOTO_PORT", str(http.server_port))
    if args.state_dir:
        _write(args.state_dir, "dns", dns.SERVER_ADDRESS)
        _write(args.state_dir, "url", url)
    print(f"emulator listening on {url}, DNS on {dns.SERVER_ADDRESS}", file=sys.stderr, flush=True)
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
