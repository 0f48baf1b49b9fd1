"""One resource in a stack, stepped through the engine's lifecycle (up, preview, refresh, destroy)
the way the engine sequences the provider calls, keeping what the engine keeps in its state.
Each modelled behaviour cites the Pulumi source it follows; tests/python/ENGINE.md lists them."""

import os

from provider_session import InitFailed


class CheckFailed(AssertionError):
    def __init__(self, failures):
        super().__init__(f"Check failed: {failures}")
        self.failures = failures


class ManagedResource:
    def __init__(self, session, type_token, name):
        self.session = session
        self.type = type_token
        self.name = name
        self.id = None
        self.inputs = {}
        self.outputs = {}

    @staticmethod
    def registration_seed():
        """A fresh 32-byte seed for one registration in one deployment: the engine draws one with
        crypto/rand for every resource it registers, unless an update plan is in use
        (pulumi/pkg/resource/deploy/step_generator.go, stepGenerator.generateSteps). The same
        seed goes to the registration's first Check and to the re-Check of a replacement."""
        return os.urandom(32)

    def check(self, news, olds=None, seed=None):
        """Check as the engine does: with the old inputs of a resource in state, with none (not
        even empty ones) for a new resource (step_generator.go, generateSteps)."""
        inputs, failures = self.session.check(self.type, self.name, news,
                                              olds=self.inputs if olds is None else olds,
                                              random_seed=seed or self.registration_seed())
        if failures:
            raise CheckFailed(failures)
        return inputs

    def diff(self, inputs):
        return self.session.diff(self.type, self.name, self.id, self.outputs, inputs, old_inputs=self.inputs)

    def up(self, news, timeout=300):
        """Check, then Create, or Diff and then Update or replace. Returns the Diff (None for a
        create). A partial failure (ErrorResourceInitFailed) leaves the resource in state, as the
        engine does; any other failure of Create leaves nothing in state: the engine records a
        pending create that the user clears (pulumi/pkg/backend/snapshot.go keeps pending
        CREATE operations for user intervention), so the next `up` creates afresh."""
        seed = self.registration_seed()
        inputs = self.check(news, seed=seed)
        if self.id is None:
            self._create(inputs, timeout)
            return None
        diff = self.diff(inputs)
        if diff.replaces:
            self._replace(news, diff.delete_before_replace, timeout, seed)
        elif diff.changes != "DIFF_NONE":
            self._update(inputs, timeout)
        else:
            self.inputs = inputs
        return diff

    def preview(self, news):
        """Check, then Create or Diff and Update with preview=True; the state is left alone.
        Returns (diff or None, planned outputs). A preview is its own deployment, so its seed is
        not the one the following `up` sends."""
        seed = self.registration_seed()
        inputs = self.check(news, seed=seed)
        if self.id is None:
            return None, self.session.create(self.type, self.name, inputs, preview=True)[1]
        diff = self.diff(inputs)
        if diff.replaces:
            replacement = self.check(news, olds={}, seed=seed)
            return diff, self.session.create(self.type, self.name, replacement, preview=True)[1]
        return diff, self.session.update(self.type, self.name, self.id, self.outputs, inputs,
                                         old_inputs=self.inputs, preview=True)

    def refresh(self):
        """Read the resource; returns False (and forgets it) when it is gone."""
        new_id, outputs, inputs = self.session.read(self.type, self.name, self.id, self.outputs, self.inputs)
        if not new_id:
            self.id, self.inputs, self.outputs = None, {}, {}
            return False
        self.id, self.outputs = new_id, outputs
        self.inputs = inputs or self.inputs
        return True

    def destroy(self, timeout=300):
        self.session.delete(self.type, self.name, self.id, self.outputs, inputs=self.inputs, timeout=timeout)
        self.id, self.inputs, self.outputs = None, {}, {}

    def forced_replace(self, news, delete_before_replace=None, timeout=300):
        """`pulumi up --replace <urn>`: the engine replaces without asking the provider's Diff,
        whose deleteBeforeReplace is therefore never heard; unless the resource's own
        deleteBeforeReplace option says true, the successor is created before the old resource
        is deleted (pulumi/pkg/resource/deploy/step_generator.go: `diff` answers a targeted
        replace with ReplaceKeys ["id"] and no DeleteBeforeReplace; `generateSteps` takes the
        goal's DeleteBeforeReplace over it). A targeted replace is not checked again (its
        inputs are already right, generateSteps). replaceWith, deletedWith and a provider
        replaced in place take the same create-before-delete path."""
        inputs = self.check(news, seed=self.registration_seed())
        old = (self.id, self.outputs, self.inputs)
        if delete_before_replace:
            self.destroy(timeout)
            self._create(inputs, timeout)
        else:
            self._create(inputs, timeout)
            self.session.delete(self.type, self.name, old[0], old[1], inputs=old[2], timeout=timeout)
        return old

    def _create(self, inputs, timeout):
        try:
            self.id, self.outputs = self.session.create(self.type, self.name, inputs, timeout=timeout)
        except InitFailed as failed:
            self.id, self.outputs, self.inputs = failed.id, failed.outputs, inputs
            raise
        self.inputs = inputs

    def _update(self, inputs, timeout):
        try:
            self.outputs = self.session.update(self.type, self.name, self.id, self.outputs, inputs,
                                               old_inputs=self.inputs, timeout=timeout)
        except InitFailed as failed:
            self.outputs, self.inputs = failed.outputs, inputs
            raise
        self.inputs = inputs

    def _replace(self, news, delete_first, timeout, seed):
        # A replacement is checked again as a new resource, with the registration's seed, so
        # that defaults and generated names are recomputed (step_generator.go, generateSteps).
        inputs = self.check(news, olds={}, seed=seed)
        old = (self.id, self.outputs, self.inputs)
        if delete_first:
            self.destroy(timeout)
            self._create(inputs, timeout)
        else:
            self._create(inputs, timeout)
            self.session.delete(self.type, self.name, old[0], old[1], inputs=old[2], timeout=timeout)
