"""The control API under /_emulator/ (JSON). See ../README.md for the reference."""
import json

from werkzeug.wrappers import Request, Response

from . import dns, inventory, state
from .faults import FAULTS
from .halt import HALT
from .journal import JOURNAL
from .state import LOCK, SCHEDULER
from .visibility import VISIBILITY


def _json(data, status=200):
    return Response(json.dumps(data, indent=1, default=str), status=status, mimetype="application/json")


def _body(request):
    raw = request.get_data()
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def reset_all():
    from moto.moto_api._internal.models import moto_api_backend
    with LOCK:
        moto_api_backend.reset()
        state.reset()
        VISIBILITY.clear()
        FAULTS.clear()
        HALT.clear()
        JOURNAL.clear()
        dns.RECORDS.clear()
        dns.TXT_RECORDS.clear()


def _health(_request):
    return {"ok": True, "dns": dns.SERVER_ADDRESS}


def _reset(_request):
    reset_all()
    return {"reset": True}


def _log(request):
    args = request.args
    write = args.get("write")
    entries = JOURNAL.entries(
        since=int(args.get("since", 0)), account=args.get("account"), service=args.get("service"),
        action=args.get("action"), write=None if write is None else write.lower() == "true")
    return {"last_seq": JOURNAL.last_seq(), "entries": entries}


def _inventory(request):
    with LOCK:
        SCHEDULER.run_due()
        return inventory.collect(account=request.args.get("account"))


def _faults(request):
    if request.method == "POST":
        return FAULTS.add(_body(request))
    if request.method == "DELETE":
        FAULTS.clear()
    return {"faults": FAULTS.list()}


def _config(request):
    if request.method == "POST":
        body = _body(request)
        if "profile" in body:
            state.CONFIG.apply_profile(body.pop("profile"), body.pop("scale", 1.0))
        state.CONFIG.update(body)
    return {"delays": dict(state.CONFIG.delays), "page_size": state.CONFIG.page_size}


def _dns(request):
    if request.method == "POST":
        data = _body(request)
        if "txt" in data:
            dns.TXT_RECORDS.set(data["hostname"], data["txt"])
        else:
            dns.RECORDS.set(data["hostname"], data["addresses"])
    if request.method == "DELETE":
        dns.RECORDS.clear()
        dns.TXT_RECORDS.clear()
    with LOCK:
        return {"server": dns.SERVER_ADDRESS, "records": dns.all_records(), "txt": dns.TXT_RECORDS.items()}


def _resolve(request):
    """A name as the Resolver of one VPC answers it (private hosted zones first)."""
    from .ext.route53 import resolve_in_vpc
    hostname, vpc = request.args["hostname"], request.args["vpc"]
    with LOCK:
        SCHEDULER.run_due()
        records = dns.all_records()
        addresses = resolve_in_vpc(hostname, vpc, lambda name: records.get(name))
    return {"hostname": hostname, "vpc": vpc, "addresses": addresses}


def _halt(request):
    if request.method == "POST":
        return {"halt": HALT.set(_body(request))}
    if request.method == "DELETE":
        HALT.clear()
    return {"halt": HALT.get()}


ROUTES = {
    "/_emulator/halt": (_halt, {"GET", "POST", "DELETE"}),
    "/_emulator/health": (_health, {"GET"}),
    "/_emulator/reset": (_reset, {"POST"}),
    "/_emulator/log": (_log, {"GET"}),
    "/_emulator/inventory": (_inventory, {"GET"}),
    "/_emulator/faults": (_faults, {"GET", "POST", "DELETE"}),
    "/_emulator/config": (_config, {"GET", "POST"}),
    "/_emulator/dns": (_dns, {"GET", "POST", "DELETE"}),
    "/_emulator/dns/resolve": (_resolve, {"GET"}),
}


def app(environ, start_response):
    request = Request(environ)
    route = ROUTES.get(request.path.rstrip("/"))
    if route is None:
        response = _json({"error": f"unknown path {request.path}", "paths": sorted(ROUTES)}, 404)
    elif request.method not in route[1]:
        response = _json({"error": f"method {request.method} not allowed"}, 405)
    else:
        try:
            response = _json(route[0](request))
        except (ValueError, KeyError, TypeError) as error:
            response = _json({"error": str(error)}, 400)
    return response(environ, start_response)
