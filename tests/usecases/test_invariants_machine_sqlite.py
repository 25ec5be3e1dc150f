"""The five invariants (docs/judgement.md) as a machine (issue 109, item 6) on SQLite, a longer run
than the fast suite's (tests/usecases/fast/test_invariants_machine.py): the same world and
rules (tests/usecases/invariants/), each example on a fresh copy of the migrated
SQLite template, read back through the database's own rows. `bash tests/run` (and so
`.ci/run`) runs it with the rest of tests/usecases/; the quick loop (`-m "not slow"`) leaves
it out."""

from __future__ import annotations

import itertools
import shutil

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.conftest import examples
from tests.usecases.invariants.machine import Invariants
from tests.usecases.invariants.world import in_database


@pytest.mark.slow  # about 90 s: the quick loop runs the fakes' variant
def test_the_five_invariants_hold_on_sqlite(sqlite_template, tmp_path):
    files = itertools.count()

    class OnSqlite(Invariants):
        def make_world(self, calibration):
            path = tmp_path / f"machine-{next(files)}.db"
            shutil.copy(sqlite_template, path)
            return in_database(f"sqlite:///{path}", calibration)

    run_state_machine_as_test(
        OnSqlite,
        settings=settings(
            max_examples=examples(80),  # 40 under the `ci` profile, 800 under `deep`
            stateful_step_count=60,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            print_blob=True,
            database=None,
        ),
    )
