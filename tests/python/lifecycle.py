"""One resource in a stack, stepped through the engine's lifecycle (up, preview, refresh, destroy)
the way the engine sequences the provider calls, keeping what the engine keeps in its state."""

import hashlib

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
        # The engine's randomSeed is per resource and stable across runs of the same stack.
        self.seed = hashlib.sha256(name.encode()).digest()
        self.id = None
        self.inputs = {}
        self.outputs = {}

    def check(self, news, olds=None):
        inputs, failures = self.session.check(self.type, self.name, news,
                                              olds=self.inputs if olds is None else olds, random_seed=self.seed)
        if failures:
            raise CheckFailed(failures)
        return inputs

    def diff(self, inputs):
        return self.session.diff(self.type, self.name, self.id, self.outputs, inputs, old_inputs=self.inputs)

    def up(self, news, timeout=300):
        """Check, then Create, or Diff and then Update or replace. Returns the Diff (None for a
        create). A partial failure leaves the resource in state, as the engine does."""
        inputs = self.check(news)
        if self.id is None:
            self._create(inputs, timeout)
            return None
        diff = self.diff(inputs)
        if diff.replaces:
            self._replace(news, diff.delete_before_replace, timeout)
        elif diff.changes != "DIFF_NONE":
            self._update(inputs, timeout)
        else:
            self.inputs = inputs
        return diff

    def preview(self, news):
        """Check, then Create or Diff and Update with preview=True; the state is left alone.
        Returns (diff or None, planned outputs)."""
        inputs = self.check(news)
        if self.id is None:
            return None, self.session.create(self.type, self.name, inputs, preview=True)[1]
        diff = self.diff(inputs)
        if diff.replaces:
            return diff, self.session.create(self.type, self.name, self.check(news, olds={}), preview=True)[1]
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

    def _replace(self, news, delete_first, timeout):
        inputs = self.check(news, olds={})  # a replacement is checked as a new resource
        old = (self.id, self.outputs, self.inputs)
        if delete_first:
            self.destroy(timeout)
            self._create(inputs, timeout)
        else:
            self._create(inputs, timeout)
            self.session.delete(self.type, self.name, old[0], old[1], inputs=old[2], timeout=timeout)
