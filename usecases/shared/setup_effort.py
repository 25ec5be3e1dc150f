"""Setup in under an hour (cadence/setup_effort.py measures it): each adopter's active setup
time, its owner's, champion's and first check-in's answerer's minutes in the bot's forms
from the adopt to its first check-in answered, summed up per version (the one each team
adopted first) for the registry; and the forms' times kept as they open and are submitted
(bot/middleware.py calls `opened` after views.open and `submitted` at a view's submission)."""

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
    with store.unit_of_work() as uow:
        uow.form_times.opened(view_id, user_id, str(view.get("callback_id") or ""), at)
        uow.commit()


def submitted(store: Store, view_id: str, at: datetime) -> None:
    """A view submitted at `at` (the last submission counts)."""
    with store.unit_of_work() as uow:
        uow.form_times.submitted(view_id, at)
        uow.commit()


def by_version(store: Store, versions: list[RegistryVersion]) -> dict[int, dict[str, Any]]:
    """Each version's teams' setup (Setup.figures), for the versions whose teams have
    answered a check-in; in four reads however many versions."""
    adopting = store.registry.adopters([v.id for v in versions])
    ran = store.registry.versions_run([p.id for p in adopting])
    first = store.form_times.first_checkins([p.id for p in adopting])
    measured = [p for p in adopting if p.id in first]
    people = {p.id: {p.owner_id, p.champion_id or p.owner_id, first[p.id][1]} for p in measured}
    since = min((p.created_at for p in measured), default=None)
    forms = store.form_times.of_people(sorted({u for us in people.values() for u in us}), since) if since else {}
    minutes: dict[int, list[float]] = {}
    for p in measured:
        spans = [span for user in people[p.id] for span in forms.get(user, [])]
        run = ran.get(p.id) or []
        version = run[0] if run else p.adopted_from_id
        if version is not None:
            minutes.setdefault(version, []).append(setup_effort.active_minutes(spans, p.created_at, first[p.id][0]))
    return {v: s.figures() for v, each in minutes.items() if (s := setup_effort.summed_up(each)) is not None}
