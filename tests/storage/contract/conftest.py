"""The contract suite's two sides (issue 94, item 6): each test runs on the database (SQLite,
and PostgreSQL when the run has it) and on tests/fakes' FakeStore, given the same scene,
and asks both the same. `side.store` is a Store or a FakeStore; `side.playbook` is
support-replies (tests/conftest.py), loaded and with cycle 1 begun on Monday 16 November,
through the same writes on both sides."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cadence.definition_load import parse_playbook
from cadence.state import PlaybookState
from storage.store import Store
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES, _databases, empty_database, engine_view
from tests.fakes import FakeStore
from usecases.shared.life import begin_cycle

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
WEEK = date(2026, 11, 16)  # the cycle's first


@dataclass
class Side:
    name: str
    store: Any  # Store | FakeStore: what the contract asks is asked of both alike

    @property
    def playbook(self) -> PlaybookState:
        return self.store.playbooks.state("support-replies")

    @property
    def fake(self) -> bool:
        return self.name == "fake"


SIDES = [d for d in _databases() if d in ("sqlite", "postgresql")] + ["fake"]


@pytest.fixture(params=SIDES)
def side(request):
    with ExitStack() as stack:
        if request.param == "fake":
            store: Any = FakeStore()
        else:
            store = Store(stack.enter_context(engine_view(empty_database(request, request.param))))
        loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=AT)
        begin_cycle(store, store.playbooks.state("support-replies").playbook.id, 1, WEEK, OWNER, AT)
        yield Side(request.param, store)
