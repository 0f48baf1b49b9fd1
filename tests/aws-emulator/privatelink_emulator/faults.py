"""Fault rules set over the control API: the next N matching calls fail or slow down."""
import itertools
import threading

# lost_answer: the call is carried out, then answered with HTTP 500 (the write happened but its
# answer was lost, as after a timeout). refuse: a 400 with `code` (default AccessDenied /
# UnauthorizedOperation), an error no client may retry.
KINDS = {"throttle", "http500", "http503", "drop", "latency", "lost_answer", "refuse"}


class FaultRules:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, spec):
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        if not spec.get("action"):
            raise ValueError("action is required ('*' matches every action)")
        count = int(spec.get("count", 1))
        if count < 1:
            raise ValueError("count must be >= 1")
        rule = {
            "id": next(self._ids),
            "action": spec["action"],
            "service": spec.get("service"),
            "account": spec.get("account"),
            "count": count,
            "kind": kind,
            "latency_ms": int(spec.get("latency_ms", 1000 if kind == "latency" else 0)),
        }
        if spec.get("code"):
            rule["code"] = str(spec["code"])
        with self._lock:
            self._rules.append(rule)
        return dict(rule)

    def take(self, request):
        """Returns the first rule matching the request and uses one of its counts."""
        with self._lock:
            for rule in self._rules:
                if self._matches(rule, request):
                    rule["count"] -= 1
                    if rule["count"] == 0:
                        self._rules.remove(rule)
                    return dict(rule)
        return None

    @staticmethod
    def _matches(rule, request):
        return (rule["action"] in ("*", request.action)
                and rule["service"] in (None, request.service)
                and rule["account"] in (None, request.account))

    def list(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def clear(self):
        with self._lock:
            self._rules.clear()


FAULTS = FaultRules()
