"""Fault rules set over the control API: the next N matching calls fail or slow down."""
import itertools
import threading

# `lost_answer`: the call is carried out and its answer never reaches the caller, who cannot tell
# whether it happened (what idempotency tokens are for). `answer` says how the loss shows:
# "none" (default) closes the connection without a response, as a client timeout or a dropped
# connection does; "http500" answers a server error instead. `refuse`: a 400 with `code` (default
# AccessDenied / UnauthorizedOperation), an error no client may retry.
KINDS = {"throttle", "http500", "http503", "drop", "latency", "lost_answer", "refuse"}
LOST_ANSWERS = ("none", "http500")


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
        if kind == "lost_answer":
            rule["answer"] = spec.get("answer", "none")
            if rule["answer"] not in LOST_ANSWERS:
                raise ValueError(f"answer must be one of {list(LOST_ANSWERS)}")
        elif "answer" in spec:
            raise ValueError("answer applies only to kind lost_answer")
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
