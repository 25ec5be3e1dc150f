"""A test's givens written the one way the product writes: each call is a unit of work of
its own, committed. `committed(store).champions.add(...)` is
`with store.unit_of_work() as uow: uow.champions.add(...); uow.commit()`, and returns
what the write returned; `loaded(store, specs, ...)` loads playbooks with their decisions. Repositories open no transaction of their own (storage/db.py,
joined), so a test sets its scene through the unit of work as a use case would."""

from __future__ import annotations

from typing import Any


class committed:  # noqa: N801 (read as a phrase: committed(store).champions.add(...))
    def __init__(self, store: Any):
        self._store = store

    def __getattr__(self, area: str) -> _Area:
        return _Area(self._store, area)


class _Area:
    def __init__(self, store: Any, area: str):
        self._store, self._area = store, area

    def __getattr__(self, method: str) -> Any:
        def write(*args: Any, **kwargs: Any) -> Any:
            with self._store.unit_of_work() as uow:
                result = getattr(getattr(uow, self._area), method)(*args, **kwargs)
                uow.commit()
            return result

        return write


def loaded(store: Any, *args: Any, **kwargs: Any) -> Any:
    """Playbooks written from their definitions with their decisions (creation, change,
    declared modes), in one unit of work: the outcomes. A fixture, not the file's path: the
    moves up a definition declares are written as if cleared (the world as a test sets it
    up); what `rollout playbook load` does to a running playbook is usecases/operator.py's."""
    from cadence import mode_move
    from usecases.shared.told import record_loaded

    with store.unit_of_work() as uow:
        outcomes = uow.playbooks.load(*args, **kwargs)
        at = kwargs["at"] if "at" in kwargs else args[3]
        for outcome in outcomes:
            record_loaded(uow, outcome, at, ups=[mode_move.unjudged(m) for m in outcome.ups])
        uow.commit()
    return outcomes


def enqueue(bind: Any, messages: list[Any], at: Any) -> set[str]:
    """Messages into the outbox as a use case puts them there, in a unit of work: the keys new."""
    from storage.store import Store

    return committed(Store(bind)).outbox.enqueue(messages, at)


def passed(store: Any, slug: str, step: str, at: Any, weeks: int = 2) -> None:
    """`weeks` PASS weeks of `step` closed before the week of `at`, as a close records them
    (step_verdict rows): the rules' streak that a move up needs (cadence/mode_move.py)."""
    from datetime import timedelta

    from cadence import calendar
    from cadence.change import Change, NewVerdict
    from cadence.verdicts import PASS

    state = store.playbooks.state(slug)
    found = state.step(step)
    monday = calendar.monday_of(at.date())
    verdicts = [
        NewVerdict(state.playbook.id, found.id, monday - timedelta(weeks=weeks - i), found.mode, PASS, 40, 0, 0.95)
        for i in range(weeks)
    ]
    committed(store).governance.apply(Change(verdicts=verdicts), at)
