"""The call log: one entry per AWS request, so tests can count calls and assert that a
preview made no writes."""
import re
import threading
import time

_ERROR_CODE = re.compile(rb"<Code>([^<]+)</Code>|\"__type\"\s*:\s*\"([^\"]+)\"")


def error_code_of(status, body):
    if status < 400:
        return None
    match = _ERROR_CODE.search(body or b"")
    if not match:
        return None
    code = (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return code.split("#")[-1]


class Journal:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def record(self, request, status, body=b"", fault=None):
        entry = {
            "time": time.time(),
            "account": request.account,
            "region": request.region,
            "service": request.service,
            "action": request.action,
            "write": request.write,
            "status": status,
            "outcome": "fault" if fault else ("ok" if status < 400 else "error"),
            "error_code": error_code_of(status, body),
            "fault": fault,
            "invocation_id": request.invocation_id,
            "sdk_attempt": request.sdk_attempt,
            "sdk_max_attempts": request.sdk_max_attempts,
        }
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
        return entry

    def entries(self, since=0, account=None, service=None, action=None, write=None):
        with self._lock:
            selected = [e for e in self._entries if e["seq"] > since]
        if account:
            selected = [e for e in selected if e["account"] == account]
        if service:
            selected = [e for e in selected if e["service"] == service]
        if action:
            selected = [e for e in selected if e["action"] == action]
        if write is not None:
            selected = [e for e in selected if e["write"] == write]
        return selected

    def last_seq(self):
        with self._lock:
            return self._seq

    def clear(self):
        # Sequence numbers keep growing across resets so `since` cursors stay valid.
        with self._lock:
            self._entries.clear()


JOURNAL = Journal()
