"""One retry layer, counted by the emulator (issue 15). Every call is sent through the provider's own
retry (provider/src/aws/retry.rs: throttling and transient failures are retried with a growing pause
until the call succeeds or the ceiling passes; anything else fails at once), with the SDK's retries
turned off (config/session.rs). The emulator logs each HTTP request with the SDK's
`amz-sdk-invocation-id` and `amz-sdk-request: attempt=N; max=M` headers (tests/aws-emulator/README.md,
"Log"), so the attempts of our layer (a new SDK invocation each, attempt 1 of 1) are told from the
SDK's own (one invocation, attempts 2, 3, ...)."""

import grpc
import pytest

from article import PRODUCER_TYPE, producer_inputs
from lifecycle import ManagedResource
from privatelink_emulator.client import PRODUCER
from provider_session import InitFailed

ACTION = "CreateVpcEndpointServiceConfiguration"
FAULTS = 3


def failure_text(error):
    return error.message if isinstance(error, InitFailed) else error.details()


def attempts(emulator, since):
    return [e for e in emulator.log(since=since, account=PRODUCER) if e["action"] == ACTION]


@pytest.mark.parametrize("kind", ["throttle", "http503", "drop"])
def test_a_retryable_fault_n_times_makes_exactly_n_plus_one_attempts_each_its_own_sdk_call(
        emulator, producer, producer_network, consumer_network, kind):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    seq = emulator.last_seq()
    emulator.fault(ACTION, kind, count=FAULTS, account=PRODUCER)
    service.up(producer_inputs(producer_network, consumer_network))
    made = attempts(emulator, seq)
    assert [e["fault"] for e in made] == [kind] * FAULTS + [None]
    assert made[-1]["outcome"] == "ok"
    # Each attempt is a call of its own, with the SDK making exactly one attempt of it.
    assert len({e["invocation_id"] for e in made}) == len(made) and all(e["invocation_id"] for e in made)
    assert [(e["sdk_attempt"], e["sdk_max_attempts"]) for e in made] == [(1, 1)] * len(made)
    # Our backoff: at least 250 ms less 20 % jitter before the first retry, growing after.
    gaps = [later["time"] - earlier["time"] for earlier, later in zip(made, made[1:])]
    assert min(gaps) >= 0.2 and gaps[-1] > gaps[0], gaps
    # No call of the whole create was retried by the SDK.
    everything = emulator.log(since=seq, account=PRODUCER)
    assert {(e["sdk_attempt"], e["sdk_max_attempts"]) for e in everything} == {(1, 1)}
    service.destroy()


def test_a_fault_that_is_not_retryable_makes_one_attempt_and_names_the_operation(
        emulator, producer, producer_network, consumer_network):
    service = ManagedResource(producer, PRODUCER_TYPE, "db")
    seq = emulator.last_seq()
    emulator.fault(ACTION, "refuse", code="UnauthorizedOperation", account=PRODUCER)
    with pytest.raises((InitFailed, grpc.RpcError)) as failed:
        service.up(producer_inputs(producer_network, consumer_network), timeout=120)
    made = attempts(emulator, seq)
    assert [(e["fault"], e["sdk_attempt"], e["sdk_max_attempts"]) for e in made] == [("refuse", 1, 1)]
    assert ACTION in failure_text(failed.value) and "UnauthorizedOperation" in failure_text(failed.value)
    service.destroy()
