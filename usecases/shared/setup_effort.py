"""Setup in under an hour (cadence/setup_effort.py measures it): each adopter's active setup
time, the minutes anyone spent in the bot's forms for that playbook (as each form's view
names it) from the adopt to its first check-in answered, summed up per version (the one
each team adopted first) for the registry; and the forms' times kept as they open and are
submitted (bot/middleware.py calls `opened` after views.open and `submitted` at a view's
submission)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cadence import setup_effort
from storage.models.governance import RegistryVersion
from storage.store import Store


def opened(store: Store, view: dict[str, Any], user_id: str, at: datetime) -> None:
    """views.open answered with `view` for `user_id`: kept, in a unit of work of its own."""
    view_id = str(view.get("id") or "")
    if not view_id or not user_id:
        return
    playbook = setup_effort.playbook_of(view)
    with store.unit_of_work() as uow:
        uow.form_times.opened(view_id, user_id, str(view.get("callback_id") or ""), playbook, at)
        uow.commit()


def submitted(store: Store, view: dict[str, Any], at: datetime) -> None:
    """A view submitted at `at` (the last submission counts), with the playbook it names,
    which a form that asked which playbook says only now."""
    with store.unit_of_work() as uow:
        uow.form_times.submitted(str(view.get("id") or ""), at, setup_effort.playbook_of(view))
        uow.commit()


def by_version(store: Store, versions: list[RegistryVersion]) -> dict[int, dict[str, Any]]:
    """Each version's teams' setup (Setup.figures), for the versions whose teams have
    answered a check-in; in four reads however many versions."""
    adopting = store.registry.adopters([v.id for v in versions])
    ran = store.registry.versions_run([p.id for p in adopting])
    first = store.form_times.first_checkins([p.id for p in adopting])
    measured = [p for p in adopting if p.id in first]
    forms = store.form_times.setup_forms([p.id for p in measured])
    minutes: dict[int, list[float]] = {}
    for p in measured:
        run = ran.get(p.id) or []
        version = run[0] if run else p.adopted_from_id
        if version is not None:
            spans = forms.get(p.id, [])
            minutes.setdefault(version, []).append(setup_effort.active_minutes(spans, p.created_at, first[p.id]))
    return {v: s.figures() for v, each in minutes.items() if (s := setup_effort.summed_up(each)) is not None}
