"""Stand-in for a client killed right after its k-th write (issue 14's crash tests): once
`after_writes` writes of `account` have been carried out, every later call of that account is
dropped without being carried out, as if its caller had died; with `lose_answer`, the k-th
write's own answer is dropped too (the write happened, its caller never heard). A test then kills
the plugin at leisure: AWS saw exactly k writes. Cleared by DELETE or reset."""
import threading


class Halt:
    def __init__(self):
        self._lock = threading.Lock()
        self._rule = None

    def set(self, spec):
        writes = int(spec["after_writes"])
        if writes < 0:
            raise ValueError("after_writes must be >= 0")
        rule = {"account": str(spec["account"]), "after_writes": writes, "seen": 0, "admitted": 0,
                "lose_answer": bool(spec.get("lose_answer", False))}
        with self._lock:
            self._rule = rule
        return dict(rule)

    def get(self):
        with self._lock:
            return dict(self._rule) if self._rule else None

    def clear(self):
        with self._lock:
            self._rule = None

    def halted(self, request):
        """True if `request` must be dropped without being carried out. A write let through
        takes its place among the k at once: a caller's concurrent writes must not all pass
        before the first is counted (k+1 writes would be carried out)."""
        with self._lock:
            rule = self._rule
            if not (rule and rule["account"] == request.account):
                return False
            if rule["admitted"] >= rule["after_writes"]:
                return True
            if request.write:
                rule["admitted"] += 1
            return False

    def carried_out(self, request):
        """Counts a write done; True if its answer must be dropped."""
        with self._lock:
            rule = self._rule
            if not (rule and request.write and rule["account"] == request.account):
                return False
            rule["seen"] += 1
            return rule["lose_answer"] and rule["seen"] == rule["after_writes"]


HALT = Halt()
