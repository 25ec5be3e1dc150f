"""Ready to scale means more than a KPI (docs/usage.md, "Replication"): the readings
each criterion needs, gathered for the rule in cadence/readiness.py. Asked when the
scale rule holds at a cycle's close (weeks.py) and when a curator publishes (registry.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar, definition_owners, dimensions, readiness
from cadence.calibration import Standing
from cadence.decisions import DecisionKind
from cadence.state import PlaybookState
from storage.store import Store
from usecases.shared import calibration, queue, usage_weeks
from usecases.shared.governance import thresholds
from usecases.shared.reliability import input_weeks, reliability


def criteria(
    store: Store,
    state: PlaybookState,
    cycles: list[tuple[int, date]],
    cycles_wanted: int | None = None,
    at: datetime | None = None,
) -> list[readiness.Criterion]:
    """The criteria over `cycles`, the (number, first Monday) of the cycles the KPI held
    in, oldest first: the attestation rate over all their weeks, each step's exception
    ratio over the last one's, the input contract, a learning in each, an active owner,
    each step's weekly rubric scores in each, the sources' reliability. The exception
    queue is judged at `at` (a publish: now), else at the last week's close (the close
    that asks)."""
    [found] = inputs_many(store, [(state, cycles)], at).values()
    return readiness.readiness(**found, cycles_wanted=cycles_wanted)


def inputs_many(
    store: Store,
    wanted: list[tuple[PlaybookState, list[tuple[int, date]]]],
    at: datetime | None = None,
    standings: dict[int, dict[str, Standing]] | None = None,
) -> dict[int, dict[str, Any]]:
    """What readiness is judged on (the arguments of cadence.readiness.readiness), for
    each of these playbooks over its cycles, by playbook id: the weeks' figures, the
    owners, the exception queues, the attestation, the learnings and the calibration sets
    in a read or two each however many (`standings`: the calibration as the caller read it,
    for every one of them); the sources' fetches and input checks a read a playbook that
    has them. In a unit of work, on its session, as the close reads."""
    if not wanted:
        return {}
    if standings is None:
        standings = calibration.standings_of(store, [state for state, _ in wanted])
    weeks_of = {
        state.playbook.id: [
            start + timedelta(days=7 * i) for _, start in cycles for i in range(calendar.WEEKS_PER_CYCLE)
        ]
        for state, cycles in wanted
    }
    figures = store.reports.week_figures_many(
        [(state, week) for state, _ in wanted for week in weeks_of[state.playbook.id]]
    )
    named = {state.playbook.id: _named(state) for state, _ in wanted}
    away = store.people.deactivated(sorted({user for people in named.values() for _, user in people}))
    ids = [state.playbook.id for state, _ in wanted]
    items = store.exception_items.open_of(ids)
    attested = store.readouts.attestation_counts_of(weeks_of)
    used = _used(store, wanted, weeks_of, figures)
    learned = store.learnings.counts_of(ids)
    items_of: dict[int, list[Any]] = {}
    for item in items:
        items_of.setdefault(item.playbook_id, []).append(item)
    found = {}
    for state, cycles in wanted:
        weeks = weeks_of[state.playbook.id]
        asked, answered = attested[state.playbook.id]
        checked, unused = used[state.playbook.id]
        found[state.playbook.id] = dict(
            asked=asked,
            answered=answered - unused[1],
            usage=(checked, len(unused[0])),
            learnings=learned[state.playbook.id],
            owner_active=state.playbook.owner_id not in away,
            owners=[(role, user, user not in away) for role, user in named[state.playbook.id]],
            unnamed=_unnamed(state),
            reliability=_reliable(store, state, weeks),
            input_checks=input_weeks(store, state, weeks),
            overdue_items=_overdue_of(state, weeks, items_of.get(state.playbook.id, []), at),
            calibration={step: one.words() for step, one in standings.get(state.playbook.id, {}).items() if one.holds},
            **_figures_inputs(state, cycles, weeks, figures),
        )
    return found


def _used(
    store: Store,
    wanted: list[tuple[PlaybookState, list[tuple[int, date]]]],
    weeks_of: dict[int, list[date]],
    figures: dict[tuple[int, date], Any],
) -> dict[int, tuple[bool, tuple[list[date], int]]]:
    """(1) against usage: for each playbook, whether a usage source checks its attestation,
    and its weeks attested without usage with how many answers they hold (which do not
    count). Reads the usage counts only where a playbook declares a tool, the answers of
    those weeks only where there are some (usecases/shared/usage_weeks.py `attested`)."""
    followed = {key: f.followed > 0 for key, f in figures.items()}
    checks = usage_weeks.attested(store, [(state, weeks_of[state.playbook.id]) for state, _ in wanted], followed)
    unused = {pid: check.unused for pid, check in checks.items() if check.unused}
    answered = store.readouts.attestation_counts_of(unused) if unused else {}
    return {pid: (check.checked, (check.unused, answered.get(pid, (0, 0))[1])) for pid, check in checks.items()}


def _named(state: PlaybookState) -> list[tuple[str, str]]:
    """(5) who the playbook names to own it: owner, exception owner, operational owners."""
    playbook = state.playbook
    return definition_owners.named(playbook.definition, playbook.owner_id, playbook.adopted_from_id is not None)


def _unnamed(state: PlaybookState) -> list[str]:
    """(5) the operational owners the playbook does not name (an adopted playbook's
    definition names the origin's people: it is not asked for them)."""
    playbook = state.playbook
    if playbook.adopted_from_id is not None:
        return []
    return definition_owners.unnamed(playbook.definition)


def _figures_inputs(
    state: PlaybookState, cycles: list[tuple[int, date]], weeks: list[date], figures: dict[tuple[int, date], Any]
) -> dict[str, Any]:
    """Readiness's inputs from the cycles' weekly figures and the playbook's definition."""
    playbook = state.playbook
    th = thresholds(state)
    last_weeks = weeks[-calendar.WEEKS_PER_CYCLE :]
    ratios = []
    for index, step in enumerate(state.steps):
        week_steps = [figures[(playbook.id, week)].steps[index] for week in last_weeks]
        ratios.append(
            readiness.StepRatio(
                step.name,
                exceptions=sum(s.total_exceptions for s in week_steps),
                cases=sum(s.cases or 0 for s in week_steps),
                cap=th.exception_cap,
                min_cases=th.min_cases,
            )
        )
    by_design = state.no_rubric_steps
    reasons = {s.name: s.reason for s in state.spec.steps}
    rubrics = []
    for index, step in enumerate(state.steps):
        weeks_of = [[figures[(playbook.id, w)].steps[index] for w in _weeks_of(start)] for _, start in cycles]
        rubrics.append(
            readiness.StepRubric(
                step.name,
                [[_evidence(w, th.min_cases) for w in cycle] for cycle in weeks_of],
                by_design=step.name in by_design,
                lowest=_lowest_week([w for cycle in weeks_of for w in cycle]),
                reason=reasons.get(step.name) if step.name in by_design else None,
                uncounted=sum(
                    1
                    for c in weeks_of
                    for w in c
                    if w.counted_rubric is not None and _evidence(w, th.min_cases) is None
                ),
            )
        )
    return dict(
        min_attestation=th.ready_min_attestation,
        steps=ratios,
        inputs=list(state.spec.inputs),
        outputs=list(state.spec.outputs),
        cycles=[number for number, _ in cycles],
        min_reliability=th.ready_min_reliability,
        rubrics=rubrics,
        rubric_threshold=th.rubric_threshold,
    )


def _evidence(week: Any, min_cases: int) -> float | None:
    """A week's counted rubric score as output accuracy's evidence: none without the
    week's case count (the sample's share is unknown) or under `min_cases` cases."""
    if week.cases is None or week.cases < min_cases:
        return None
    return week.counted_rubric


def _weeks_of(start: date) -> list[date]:
    return [start + timedelta(days=7 * i) for i in range(calendar.WEEKS_PER_CYCLE)]


def _lowest_week(weeks: list[Any]) -> str | None:
    """A step reviewed by rubric dimension: its lowest week's lowest dimension, in words."""
    scored = [w for w in weeks if w.counted_rubric is not None and w.dimensions]
    worst = min(scored, key=lambda w: w.counted_rubric, default=None)
    return dimensions.words(worst.dimensions, worst.reviewed) or None if worst is not None else None


def _reliable(store: Store, state: PlaybookState, weeks: list[date]) -> tuple[int, int] | None:
    reliable = reliability(store, state, None, weeks)  # the cycles' weeks: closed when asked
    return None if reliable is None else (reliable.arrived, reliable.pairs)


def _overdue_of(state: PlaybookState, weeks: list[date], items: list[Any], at: datetime | None) -> tuple[int, int]:
    """(8) the items open now that were logged more than 14 days before `at`, or before
    the last week closed."""
    playbook = state.playbook
    closed_at = calendar.week_closes_at(weeks[-1], playbook.timezone, state.settings.grace_hours) if weeks else None
    judged_at = at or closed_at
    return queue.overdue(items, judged_at) if judged_at else (0, 0)


def _overdue(store: Store, state: PlaybookState, at: datetime) -> tuple[int, int]:
    return queue.overdue(store.exception_items.open_of([state.playbook.id]), at)


def queue_now(store: Store, state: PlaybookState, figures: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """`figures` (criteria as kept, e.g. by a proposal or a decision) with the exception
    queue judged as it stands at `now`: the other criteria look back at closed cycles,
    the queue is the one that can change any day (a publish, the web view)."""
    return with_queue(figures, _overdue(store, state, now))


def people_now(store: Store, kept: dict[int, list[dict[str, Any]]], states: list[PlaybookState]) -> None:
    """`kept` (criteria as proposals kept them, by playbook id) with the ownership judged
    again, in place, for a playbook one of whose named people Slack has called deactivated
    since: a person who left is never shown active (the curators were told, people.py)."""
    named = {state.playbook.id: _named(state) for state in states if state.playbook.id in kept}
    gone = store.people.deactivated(sorted({user for people in named.values() for _, user in people}))
    for state in states:
        people = named.get(state.playbook.id, [])
        if not any(user in gone for _, user in people):
            continue
        owners = [(role, user, user not in gone) for role, user in people]
        [judged] = as_figures([readiness.ownership(state.playbook.owner_id not in gone, owners, _unnamed(state))])
        figures = kept[state.playbook.id]
        has = any(c["name"] == "owner" for c in figures)
        kept[state.playbook.id] = (
            [judged if c["name"] == "owner" else c for c in figures] if has else [*figures, judged]
        )


def with_queue(figures: list[dict[str, Any]], overdue: tuple[int, int]) -> list[dict[str, Any]]:
    """`figures` with the exception queue judged as `overdue` says (`queue_now`)."""
    [judged] = as_figures([readiness.queue_criterion(overdue)])
    if not any(c["name"] == "queue" for c in figures):  # judged before the queue was a criterion
        return [*figures, judged]
    return [judged if c["name"] == "queue" else c for c in figures]


def as_figures(criteria: list[readiness.Criterion]) -> list[dict[str, Any]]:
    """The criteria as a proposal's, a message's and a decision row's figures."""
    return [c.kept() for c in criteria]


# The decisions that judged readiness, with the criteria in their figures.
JUDGED_IN = (DecisionKind.SCALE_PROPOSAL, DecisionKind.NOT_READY, DecisionKind.PUBLISH)


def latest(decisions: list[Any]) -> dict[str, Any] | None:
    """The newest judgement of readiness among `decisions` (newest first, as the decision
    log reads them): when, by which decision, and its criteria; for the web view and the
    API. None if readiness was never asked (or a publish before criteria were kept)."""
    for d in decisions:
        criteria = (d.figures or {}).get("criteria") if d.kind in JUDGED_IN else None
        if criteria:
            return dict(
                at=d.decided_at,
                decision=d.kind,
                ready=all(c["met"] for c in criteria),
                missing=[c["name"] for c in criteria if not c["met"]],
                override=(d.figures or {}).get("override"),
                criteria=criteria,
            )
    return None


def judged_now(store: Store, state: PlaybookState, decisions: list[Any], now: datetime) -> dict[str, Any] | None:
    """The latest judgement of readiness among `decisions` (`latest`), with the exception
    queue as it stands `now` (a publish would judge it so): the web view's and the
    API's readiness read. None if readiness was never asked."""
    judged = latest(decisions)
    if judged is None:
        return None
    criteria = queue_now(store, state, judged["criteria"], now)
    return dict(
        judged,
        criteria=criteria,
        ready=all(c["met"] for c in criteria),
        missing=[c["name"] for c in criteria if not c["met"]],
    )
