"""The WSGI front: control API, fault injection, call log and lazy state transitions around
moto's own WSGI application (which serves every AWS service on one port)."""
import socket
import sys
import time
import traceback

from . import awsrequest, errors
from .faults import FAULTS
from .halt import HALT
from .journal import JOURNAL
from .state import CALLER, LOCK, SCHEDULER
from .visibility import VISIBILITY

_STATUS_TEXT = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error",
                503: "Service Unavailable"}


def status_line(code):
    return f"{code} {_STATUS_TEXT.get(code, 'Status')}"


def call_wsgi(app, environ):
    """Runs a WSGI app to completion and returns (status, headers, body)."""
    captured = {}
    chunks = []

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(captured["status"].split()[0]), list(captured["headers"]), b"".join(chunks)


def _looks_like_aws_body(body):
    head = body.lstrip()[:64]
    return head.startswith((b"<?xml", b"<Response", b"<ErrorResponse", b"{"))


class EmulatorApp:
    def __init__(self, moto_app, control_app):
        self.moto_app = moto_app
        self.control_app = control_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator"):
            return self.control_app(environ, start_response)
        if path.startswith("/moto-api"):
            with LOCK:
                status, headers, body = call_wsgi(self.moto_app, environ)
            start_response(status_line(status), headers)
            return [body]
        return self._aws_call(environ, start_response)

    def _aws_call(self, environ, start_response):
        body = awsrequest.read_body(environ)
        with LOCK:
            request = awsrequest.parse(environ, body)
        if HALT.halted(request):  # halt.py: its caller counts as dead
            JOURNAL.record(request, 0, b"", fault="halt")
            _drop(environ)
        fault = FAULTS.take(request)
        if fault and fault["kind"] == "latency":
            time.sleep(fault["latency_ms"] / 1000.0)
        elif fault and fault["kind"] != "lost_answer":
            return self._fail(request, fault, environ, start_response)
        with LOCK:
            SCHEDULER.run_due()
            hidden = VISIBILITY.hidden_answer(request)
            if hidden is not None:
                JOURNAL.record(request, hidden[0], hidden[2])
                start_response(status_line(hidden[0]), hidden[1])
                return [hidden[2]]
            CALLER.arn = request.caller
            try:
                status, headers, out = call_wsgi(self.moto_app, environ)
            except Exception:  # moto raises NotImplementedError for actions it lacks
                traceback.print_exc()
                status, out = 500, b""
            finally:
                CALLER.arn = None
            VISIBILITY.created(request, status, out)
        if status >= 500 and not _looks_like_aws_body(out):
            status, headers, out = self._emulator_gap(request)
        lost = fault["answer"] if fault and fault["kind"] == "lost_answer" else None
        if lost == "http500":  # done, but the caller hears a server error
            status, headers, out = errors.server_error(request.service, 500)
        halted_answer = status < 400 and HALT.carried_out(request)  # the crash tests' lost answer
        JOURNAL.record(request, status, out,
                       fault=fault["kind"] if fault else ("lost_answer" if halted_answer else None))
        if lost == "none" or halted_answer:  # done, but the caller hears nothing
            _drop(environ)
        start_response(status_line(status), headers)
        return [out]

    @staticmethod
    def _emulator_gap(request):
        """moto answers unimplemented calls with an HTML 500 that SDKs retry for minutes;
        answer AWS's non-retryable InvalidAction instead
        (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)."""
        print(f"emulator: {request.service}:{request.action} failed inside moto", file=sys.stderr)
        return errors.render(request.service, 400, "InvalidAction",
                             f"The emulator does not implement {request.service}:{request.action}")

    def _fail(self, request, fault, environ, start_response):
        kind = fault["kind"]
        if kind == "drop":
            JOURNAL.record(request, 0, b"", fault=kind)
            _drop(environ)
        if kind == "throttle":
            status, headers, body = errors.throttle(request.service)
        elif kind == "refuse":
            status, headers, body = errors.refused(request.service, fault.get("code"))
        else:
            status, headers, body = errors.server_error(request.service, 500 if kind == "http500" else 503)
        JOURNAL.record(request, status, body, fault=kind)
        start_response(status_line(status), headers)
        return [body]


def _drop(environ):
    """Closes the TCP connection without any response; werkzeug treats the raised
    ConnectionError as a client disconnect and writes nothing."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
    raise ConnectionAbortedError("emulator fault: dropped connection")
