"""The five invariants (docs/judgement.md, "The invariants") as a machine (issue 109, item 6): a Hypothesis RuleBasedStateMachine
whose rules are the product's entry points, by random actors, in random orders, and
whose invariant reads what the store holds after every step and checks the five, from
what is observable (the steps' modes and pins, the append-only decision log, bar change
requests, proposals, registry versions), not from the code paths that wrote them.

The world and the rules are tests/usecases/invariants/'s; this module runs them
on the in-memory fakes with a fixed example budget. The longer run on SQLite is
tests/usecases/test_invariants_machine_sqlite.py."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.conftest import examples
from tests.usecases.invariants.machine import Invariants
from tests.usecases.invariants.world import on_fakes


class OnFakes(Invariants):
    def make_world(self, calibration):
        return on_fakes(calibration)


OnFakes.TestCase.settings = settings(
    max_examples=examples(40),  # 20 under the `ci` profile, 400 under `deep`
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
TestInvariants = OnFakes.TestCase
