"""Behaviour checks that hold for every resource of the provider, for the resources' test
modules: Check refusing bad inputs without calling AWS, transient AWS failures during create or
delete, Diff asking for a replacement, and a create cut short part-way (resources driven by lifecycle.ManagedResource)."""

import pytest

from provider_session import InitFailed


def with_changes(**changes):
    """A change of inputs for parametrized tests: `changes` set over the inputs."""
    return lambda inputs: {**inputs, **changes}


def check_refuses(emulator, session, type_token, news, properties):
    """Check fails for `news`, each failure with a reason and at one of `properties`, and no AWS
    call is made. Answers the failures."""
    seq = emulator.last_seq()
    _checked, failures = session.check(type_token, "checked", news)
    assert failures, "Check accepted bad inputs"
    assert {p for p, _ in failures} <= set(properties), failures
    assert all(reason for _, reason in failures), failures
    assert emulator.log(since=seq) == [], "Check called AWS"
    return failures


def replaces(resource, news, prop, delete_first):
    """Diff of the created `resource` against `news` replaces it because `prop` changed, deleting
    first or not as `delete_first` says."""
    diff = resource.diff(resource.check(news))
    assert diff.changes == "DIFF_SOME"
    assert prop in diff.replaces, diff
    assert diff.delete_before_replace is delete_first, diff
    assert diff.detailed_diff[prop].endswith("_REPLACE"), diff


def survives_faults(emulator, resource, news, account, faults):
    """Each action of `faults` ({action: kind}, kind one of throttle, http500, http503, drop)
    fails once, wherever the create or the delete calls it; the resource is created and destroyed
    all the same, and each fault was met exactly once."""
    for action, kind in faults.items():
        emulator.fault(action, kind, account=account)
    resource.up(news)
    resource.destroy()
    assert emulator.faults() == [], f"never called: {[f['action'] for f in emulator.faults()]}"
    for action, kind in faults.items():
        assert [e["fault"] for e in emulator.log(action=action) if e["fault"]] == [kind], action


def cut_short(emulator, resource, news, account, action, timeout=6):
    """A create whose `action` is throttled until the create's timeout passes: what came before
    exists, what `action` makes does not. (A deterministic non-retryable failure after the
    first writes is not available in the emulator.) Answers the InitFailed, the resource kept in
    state as the engine keeps it."""
    emulator.fault(action, "throttle", count=10_000, account=account)
    try:
        with pytest.raises(InitFailed) as failed:
            resource.up(news, timeout=timeout)
    finally:
        emulator.clear_faults()
    assert resource.id and resource.id == failed.value.id
    assert action in " ".join(failed.value.reasons + [failed.value.message])
    return failed.value
