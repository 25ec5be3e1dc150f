"""The post-pilot assessment (docs/programme.md; cadence/assessment.py): `/rollout assess
<playbook>` opens its owner's form, once the playbook's first cycle has closed, with seed
001's four questions pre-filled from what the bot measured; a submission keeps it as the
next version of the playbook's assessment, a decision row of its own (`assessed`), its items
marked core or pilot condition. Each submission is a new version; the newest counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cadence import calendar, review
from cadence.assessment import Answers, Measured, assessed, counts, empty, prefill
from cadence.change import Change, Message
from cadence.decisions import DecisionKind
from cadence.state import PlaybookState
from storage.assessments import Carried
from storage.store import CURATORS_CHANNEL, Store
from templates.refusals import Refusal
from usecases import cycle_heroes, value
from usecases.shared import registry, registry_list, roles
from usecases.shared.caller import Caller

USAGE = "assess"
LOGGED = 1000  # decisions read back: revisions, overrides and assessments, newest first
WEEKS = 4  # what the pre-fill measures: the last 4 closed weeks
HERO_KINDS = {"reviews": "reviewed cases", "items": "closed exception items"}


@dataclass(frozen=True)
class AssessForm:
    """The form to show: the playbook, the version it will be and each answer pre-filled
    (the newest version's answers where there is one, else what the bot measured)."""

    state: PlaybookState
    number: int
    answers: Answers


@dataclass(frozen=True)
class Kept:
    slug: str
    number: int
    core: int
    pilot: int


def first_cycle_closed(state: PlaybookState) -> bool:
    """Whether the playbook's first cycle has closed: its 4th week is among the closed."""
    anchor = state.cycle_anchor
    if anchor is None or state.playbook.closed_through is None:
        return False
    while anchor.before is not None:
        anchor = anchor.before
    return state.playbook.closed_through >= anchor.starts_on + timedelta(weeks=calendar.WEEKS_PER_CYCLE - 1)


def _askable(caller: Caller, state: PlaybookState) -> None:
    slug = state.playbook.slug
    if not caller.is_owner(state):
        raise Refusal.of("assess_owner", usage=USAGE, slug=slug, owner=roles.user(state.playbook.owner_id))
    if not first_cycle_closed(state):
        raise Refusal.of("assess_too_early", usage=USAGE, slug=slug)


def latest(store: Store, playbook_id: int) -> dict[str, Any] | None:
    """The newest version of the playbook's assessment: {number, answers, by, at}; None: none yet."""
    return _newest(_logged(store, playbook_id))


def _newest(logged: list[Any]) -> dict[str, Any] | None:
    newest = next((d for d in logged if d.kind == DecisionKind.ASSESSED), None)
    if newest is None:
        return None
    return dict(newest.figures, by=newest.actor, at=newest.decided_at)


def _logged(store: Store, playbook_id: int) -> list[Any]:
    """The playbook's decision log, newest first: everything decided but the weeks'
    verdicts and guardrail readings, its last LOGGED rows (more than a pilot's)."""
    return store.governance.history(playbook_id, None, LOGGED)


def open_form(caller: Caller, playbook: str) -> AssessForm:
    return _form(caller, caller.playbook(playbook, USAGE))


def open_sent(caller: Caller, playbook_id: int) -> AssessForm:
    """The owner's DM's *Assess the pilot*: the form of that playbook."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("week_form_gone")
    return _form(caller, state)


def _form(caller: Caller, state: PlaybookState) -> AssessForm:
    _askable(caller, state)
    logged = _logged(caller.store, state.playbook.id)  # read once: the newest version, else what was measured
    kept = _newest(logged)
    if kept is not None:
        return AssessForm(state, int(kept["number"]) + 1, kept["answers"])
    found = measured(caller.store, state, caller.services.currency, caller.today(state), logged)
    return AssessForm(state, 1, prefill(found))


def measured(store: Store, state: PlaybookState, currency: str, today: Any, decisions: list[Any]) -> Measured:
    """What the bot measured of the pilot: its oversight over the last 4 closed weeks and who
    carried it, the revisions since cycle 1, its learnings and kit, how it was reviewed."""
    pid, spec = state.playbook.id, state.spec
    worth = value.of_states(store, [state], currency).get(pid)
    parts = worth.net_parts if worth is not None else None
    carried = cycle_heroes.heroes(store, [state], {pid: today}).get(pid)
    names = store.people.names({carried.person}) if carried is not None else {}
    runs = store.calibrations.runs(pid)
    return Measured(
        oversight_hours=parts[2] if parts is not None else None,
        carried=[(names.get(carried.person, carried.person), carried.share, HERO_KINDS.get(carried.kind, carried.kind))]
        if carried is not None
        else [],
        overrides=sum(1 for d in decisions if d.kind == DecisionKind.SOURCE_OVERRIDE),
        revisions=[
            d.summary for d in decisions if d.kind == DecisionKind.PLAYBOOK_CHANGED and d.figures.get("revision")
        ],
        learnings=[learning.text for learning in store.learnings.of(pid)],
        training=list(spec.replication.training) if spec.replication else [],
        checks=list(spec.replication.checks) if spec.replication else [],
        review_rates={mode: rate for mode, rate in review.rates(state.playbook.definition).items()},
        calibration_runs=sum(len(r) for r in runs.values()),
        pulse=state.settings.pulse != "off",
    )


def submit(caller: Caller, playbook_id: int, answers: Answers) -> Kept:
    """Keep the owner's answers as the next version. Refused, nothing stored, for anyone but
    the owner, before the first cycle closed, or with every box empty. An open "ready to
    scale" card is redrawn with it beside readiness, where the curators decide to publish."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("week_form_gone")
    _askable(caller, state)
    if empty(answers):
        raise Refusal.of("assess_empty")
    core, pilot = counts(answers)
    with caller.store.unit_of_work() as uow:
        uow.governance.lock_log(playbook_id)  # two submissions at once: one after the other, never one number
        kept = latest(uow, playbook_id)
        number = int(kept["number"]) + 1 if kept is not None else 1
        decision = assessed(playbook_id, state.playbook.slug, number, answers, caller.user_id)
        shown = registry_list.carried(Carried(number, answers, caller.now))
        cards = _cards_redrawn(uow, state, shown, number)
        uow.governance.apply(Change(decisions=[decision], messages=cards), caller.now)
        uow.commit()
    return Kept(state.playbook.slug, number, core, pilot)


def _cards_redrawn(store: Store, state: PlaybookState, shown: dict[str, Any] | None, number: int) -> list[Message]:
    """The playbook's open "ready to scale" cards, redrawn with assessment v`number` beside
    readiness (each its own update, keyed by the version: sent once)."""
    curators = store.org.setting(CURATORS_CHANNEL)
    return [
        message
        for p in store.governance.open_proposals(state.playbook.id)
        if p.kind == "scale"
        for message in registry.scale_messages(
            state, p.figures or {}, p.key, curators, update=True, redrawn=f"assessed-{number}", assessment=shown
        )
    ]
