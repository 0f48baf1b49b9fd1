"""Emulator-wide state that is not moto's: delays, timers, late ENI releases.

One re-entrant lock serialises every request that touches moto's backends, the timers and
the DNS server, because moto's in-memory models are not thread-safe."""
import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field

LOCK = threading.RLock()

# Delays in seconds; 0 keeps tests fast (the transition then happens on the next request).
DEFAULT_DELAYS = {
    "nlb_provisioning": 0.0,     # NLB provisioning -> active
    "endpoint_pending": 0.0,     # endpoint pending -> available (no acceptance needed)
    "endpoint_acceptance": 0.0,  # accepted endpoint pending -> available
    "endpoint_deleting": 0.0,    # endpoint deleting -> gone
    "eni_release": 0.0,          # ENIs of a deleted endpoint/NLB still hold their SGs
    "service_pending": 0.0,      # endpoint service Pending -> Available
    "target_registration": 0.0,  # registered target initial -> healthy
    "target_deregistration": 0.0,  # deregistered target draining -> gone
    "visibility_lag": 0.0,       # a new resource is missing from Describe-by-id (visibility.py)
}


# AWS's own orders of magnitude, in seconds, for `{"profile": "aws", "scale": f}` (each delay is
# multiplied by f, so a test can keep AWS's proportions at a fraction of the time):
# - NLB provisioning takes minutes ("it can take a few minutes for the load balancer to become
#   active": https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-network-load-balancer.html);
# - an interface endpoint is pending a minute or two, as is the acceptance
#   (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html);
# - deregistration delay defaults to 300 s
#   (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-attributes.html);
# - a new target is healthy after the healthy-threshold count of 30 s intervals
#   (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html);
# - requester-managed ENIs of a deleted endpoint or NLB are released minutes later (the reason
#   DeleteSecurityGroup answers DependencyViolation for a while:
#   https://docs.aws.amazon.com/vpc/latest/privatelink/delete-interface-endpoint.html);
# - a resource just created may be missing from reads for a short while; the page gives no
#   figure, 2 s is the emulator's choice (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
PROFILES = {
    "aws": {
        "nlb_provisioning": 180.0,
        "endpoint_pending": 90.0,
        "endpoint_acceptance": 60.0,
        "endpoint_deleting": 60.0,
        "eni_release": 300.0,
        "service_pending": 30.0,
        "target_registration": 90.0,
        "target_deregistration": 300.0,
        "visibility_lag": 2.0,
    },
}


class Config:
    def __init__(self):
        self.delays = dict(DEFAULT_DELAYS)
        # Items per page of the paginated Describe calls the emulator answers itself; 0: all.
        self.page_size = 0

    def apply_profile(self, name, scale=1.0):
        if name not in PROFILES:
            raise ValueError(f"unknown profile {name!r}; known: {sorted(PROFILES)}")
        scale = float(scale)
        if scale < 0:
            raise ValueError("scale must be >= 0")
        self.delays = {key: value * scale for key, value in PROFILES[name].items()}

    def update(self, values):
        values = dict(values)
        if "page_size" in values:
            size = int(values.pop("page_size"))
            if size < 0:
                raise ValueError("page_size must be >= 0")
            self.page_size = size
        unknown = set(values) - set(self.delays)
        if unknown:
            raise ValueError(f"unknown delay(s): {sorted(unknown)}; known: {sorted(self.delays)}")
        for key, value in values.items():
            value = float(value)
            if value < 0:
                raise ValueError(f"{key} must be >= 0")
            self.delays[key] = value

    def delay(self, key):
        return self.delays[key]


@dataclass(order=True)
class _Timer:
    due: float
    seq: int
    action: object = field(compare=False)


class Scheduler:
    """Lazy state transitions: callbacks run at the start of the first request after they
    are due, so a describe after the delay sees the new state (as AWS's eventual states)."""

    def __init__(self):
        self._heap = []
        self._seq = itertools.count()

    def after(self, seconds, action):
        heapq.heappush(self._heap, _Timer(time.monotonic() + seconds, next(self._seq), action))

    def run_due(self):
        # Callbacks may schedule more work; zero-delay follow-ups run in the same pass.
        while self._heap and self._heap[0].due <= time.monotonic():
            timer = heapq.heappop(self._heap)
            timer.action()

    def clear(self):
        self._heap.clear()


@dataclass
class EniHold:
    """Security groups and subnets still used by ENIs whose owner is gone. AWS releases the
    requester-managed ENIs of endpoints and load balancers some time after the owner's
    deletion; until then DeleteSecurityGroup and DeleteSubnet answer DependencyViolation."""
    account: str
    region: str
    resource_ids: list
    until: float
    owner: str


class Holds:
    def __init__(self):
        self._holds = []

    def add(self, account, region, resource_ids, seconds, owner):
        if resource_ids and seconds > 0:
            self._holds.append(EniHold(account, region, list(resource_ids), time.monotonic() + seconds, owner))

    def holder_of(self, account, region, resource_id):
        now = time.monotonic()
        self._holds = [h for h in self._holds if h.until > now]
        for hold in self._holds:
            if hold.account == account and hold.region == region and resource_id in hold.resource_ids:
                return hold.owner
        return None

    def clear(self):
        self._holds.clear()


class ClientTokens:
    """The ClientTokens of EC2 create calls, with what each made. EC2 keeps a token for at least
    24 hours after the call, whether or not the resource still exists: the same token with the
    same parameters answers the first call's resource (deleted or not), with other parameters
    IdempotentParameterMismatch ("Ensuring idempotency in Amazon EC2 API requests",
    https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html). The emulator
    keeps them until reset."""

    def __init__(self):
        self._made = {}

    def recall(self, account, region, action, token, fingerprint):
        """The resource the token made, None for a new token; raises ValueError on a mismatch."""
        if not token:
            return None
        entry = self._made.get((account, region, action, token))
        if entry is None:
            return None
        if entry[0] != fingerprint:
            raise ValueError(f"The client token {token} was used with different parameters.")
        return entry[1]

    def remember(self, account, region, action, token, fingerprint, resource):
        if token:
            self._made[(account, region, action, token)] = (fingerprint, resource)

    def clear(self):
        self._made.clear()


class Caller:
    """The principal of the AWS call being served (set under LOCK before moto runs it), for the
    rules that depend on who calls, not only on the account (endpoint service permissions)."""

    def __init__(self):
        self.arn = None


CALLER = Caller()
CONFIG = Config()
CLIENT_TOKENS = ClientTokens()
SCHEDULER = Scheduler()
HOLDS = Holds()


def reset():
    CONFIG.delays = dict(DEFAULT_DELAYS)
    CONFIG.page_size = 0
    SCHEDULER.clear()
    HOLDS.clear()
    CLIENT_TOKENS.clear()
