"""The fast tests' scene on the database (issue 110, item 6: a read that only renders is
tested on the database, not faked): a playbook as tests/fakes' `a_playbook` makes it,
written by the product's own writes (tests/committed.py's `loaded`, then its first cycle
begun), and the use cases' Services over the `store` fixture's Store (SQLite and
PostgreSQL) with tests/fakes' FixedClock and FakeDirectory: Slack stays a fake, the reads
are the database's. The scene's other givens are written with `committed(store)`, as
on the fakes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from cadence.state import PlaybookState
from storage.store import Store
from tests.committed import committed, loaded
from tests.fakes import ADMIN, CURATOR, MEMBER, NOW, OWNER, FakeDirectory, FixedClock
from tests.fakes.playbooks import LOADED_AT, spec_of
from usecases.shared.life import begin_cycle
from usecases.shared.services import Services


def a_playbook(
    store: Store,
    slug: str = "support-replies",
    *,
    cycle_started: date | None = date(2026, 3, 2),
    org_timezone: str = "Europe/Berlin",
    **changes: Any,
) -> PlaybookState:
    """tests/fakes' `a_playbook(slug, ...)` stored: loaded at its LOADED_AT, its first
    cycle begun on `cycle_started` (None: a draft); the playbook as the store reads it."""
    loaded(store, [spec_of(slug, **changes)], org_timezone, actor="test", at=LOADED_AT)
    state = store.playbooks.state(slug)
    assert state is not None
    if cycle_started is not None:
        begin_cycle(store, state.playbook.id, 1, cycle_started, OWNER, LOADED_AT)
        state = store.playbooks.state(slug)
        assert state is not None
    return state


def services(
    store: Store,
    *states: PlaybookState,
    now: datetime = NOW,
    members: Iterable[str] = (MEMBER, OWNER),
    curators: Iterable[str] = (CURATOR,),
    admins: Iterable[str] = (ADMIN,),
    org_timezone: str = "Europe/Berlin",
    **more: Any,
) -> Services:
    """tests/fakes' `services(...)` over `store`: `curators` written as curators, each of
    `states`' channels has `members`."""
    for curator in curators:
        committed(store).org.add_curator(curator, "test", LOADED_AT)
    directory = FakeDirectory({s.playbook.channel_id: members for s in states})
    return Services(
        store=store,
        clock=FixedClock(now),
        admins=frozenset(admins),
        org_timezone=org_timezone,
        directory=cast(Any, directory),
        **more,
    )
