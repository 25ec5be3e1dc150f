"""Playbooks as storage would hold them, made without a database: `a_playbook` builds the
model objects (Playbook, Step, Cycle: plain Python objects until a session adds them)
from a definition as `rollout playbook load` would (cadence/definition.py, then
storage/playbooks.py's playbook_columns and add_steps), and wraps them in a PlaybookState;
`FakePlaybooks` answers storage/playbooks.py's reads over the states held.

A held state is never changed in place: a write puts a new PlaybookState (with new model
objects where they change, `clone`) in its place, so a unit of work's copy of what is held
(FakeUnitOfWork) and the store's own stay apart."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlmodel import SQLModel

from cadence import mode_decisions, mode_move, setup_decisions
from cadence import state as domain
from cadence.definition import PlaybookSpec
from cadence.definition_load import parse_playbook
from cadence.state import PlaybookState
from storage.made import Made, SetupTime, Stale, fingerprint
from storage.models.playbooks import Cycle, Playbook, Step
from storage.playbook_definitions import LoadOutcome, Rewritten, as_read_now, playbook_columns
from storage.playbooks import Conflict, ends_run
from tests.conftest import CHANNEL as CHANNEL  # re-exported by tests/fakes
from tests.conftest import OWNER, SUPPORT_REPLIES  # the suite's own example playbook

if TYPE_CHECKING:
    from tests.fakes.store import Held

LOADED_AT = datetime(2026, 1, 1, tzinfo=UTC)

_ids = itertools.count(1)
Row = TypeVar("Row")  # a model object, or one seen through its cadence.state Protocol


def next_id() -> int:
    """A new row's id, unique across every fake table (as no two rows are confused)."""
    return next(_ids)


def clone(row: Row, **changes: Any) -> Row:
    """A copy of a model object with `changes`: what a write holds in place of `row`."""
    model = cast(SQLModel, row)
    return cast(Row, type(model)(**{**model.model_dump(), **changes}))


def definition(**changes: Any) -> dict[str, Any]:
    """SUPPORT_REPLIES with `changes` (a key given None is left out)."""
    made = copy.deepcopy(SUPPORT_REPLIES)
    for key, value in changes.items():
        if value is None:
            made.pop(key, None)
        else:
            made[key] = value
    return made


def spec_of(
    slug: str = "support-replies",
    *,
    steps: list[dict[str, Any]] | None = None,
    kpi: dict[str, Any] | None = None,
    guardrail: dict[str, Any] | bool | None = True,
    **more: Any,
) -> PlaybookSpec:
    """SUPPORT_REPLIES changed by the arguments (`guardrail=None`: none; `more`: other keys
    of the definition, as `value_events=[...]`), parsed: `a_playbook`'s, and
    tests/usecases/on_database.py's on the database."""
    raw = definition(playbook=slug, **more)
    if steps is not None:
        raw["steps"] = steps
    if kpi is not None:
        raw["kpi"] = kpi
    if guardrail is None:
        raw.pop("guardrail")
    elif guardrail is not True:
        raw["guardrail"] = guardrail
    return parse_playbook(raw)


def a_playbook(
    slug: str = "support-replies",
    *,
    steps: list[dict[str, Any]] | None = None,
    kpi: dict[str, Any] | None = None,
    guardrail: dict[str, Any] | bool | None = True,
    cycle_started: date | None = date(2026, 3, 2),
    status: str | None = None,
    closed_through: date | None = None,
    org_timezone: str = "Europe/Berlin",
    **more: Any,
) -> PlaybookState:
    """A playbook loaded from SUPPORT_REPLIES changed by the arguments (`spec_of`), with its
    first cycle started on `cycle_started` (None: not yet) and active if it is."""
    state = new_state(spec_of(slug, steps=steps, kpi=kpi, guardrail=guardrail, **more), org_timezone, LOADED_AT)
    playbook = state.playbook
    playbook.status = status or ("active" if cycle_started is not None else "draft")
    playbook.closed_through = closed_through
    anchor = None
    if cycle_started is not None:
        anchor = Cycle(id=next_id(), playbook_id=playbook.id, number=1, starts_on=cycle_started, started_by=OWNER)
        anchor.created_at = LOADED_AT
    return replace(state, anchor=anchor)


def new_state(spec: PlaybookSpec, org_timezone: str, at: datetime, **columns: Any) -> PlaybookState:
    """A playbook stored from `spec` with its steps (storage/playbook_definitions.py's load_one, or
    storage/registry.py's adopt with `columns`), a draft without a cycle."""
    playbook = Playbook(
        **playbook_columns(spec, org_timezone),
        **columns,
        id=next_id(),
        definition=spec.canonical(),
        created_at=at,
        updated_at=at,
    )
    steps: list[domain.Step] = [
        Step(id=next_id(), playbook_id=playbook.id, name=s.name, position=i, mode=s.mode, pinned=s.pinned)
        for i, s in enumerate(spec.steps)
    ]
    return PlaybookState(playbook, steps, None, None, channel_changes=0, owner_deactivated=False)


def rewritten(
    state: PlaybookState, spec: PlaybookSpec, org_timezone: str, actor: str, at: datetime, **columns: Any
) -> tuple[PlaybookState, LoadOutcome]:
    """`state` given `spec`'s definition as storage/playbook_definitions.py's load_one and rewrite
    store it: its columns, its steps (a step's mode only where the declared mode changes),
    the steps it no longer has retired; with the outcome carrying the decisions for the
    caller to record. Unchanged (and no decision) when the definition is the one held."""
    playbook = state.playbook
    new_definition = spec.canonical()
    if as_read_now(playbook.definition) == new_definition:
        return replace(state, playbook=clone(playbook, **columns)), LoadOutcome(spec.playbook, "unchanged", [])
    previous = as_read_now(playbook.definition)
    handoff: dict[str, Any] = {}
    if new_definition.get("handoff") and not previous.get("handoff"):  # its handoff terms begin now
        handoff = dict(handoff_since=at, handoff_backlog_at=None)
    elif not new_definition.get("handoff"):
        handoff = dict(handoff_since=None, handoff_backlog_at=None)
    made = clone(
        playbook, **playbook_columns(spec, org_timezone), **columns, **handoff, definition=new_definition, updated_at=at
    )
    existing = {step.name: step for step in state.steps}
    live = {step.name: (step.mode, step.pinned) for step in state.steps}
    moves = {m.step: m for m in mode_move.declared(previous, new_definition, live)}
    steps: list[domain.Step] = []
    declared = []
    ups: list[mode_move.Move] = []
    for position, step_spec in enumerate(spec.steps):
        step = existing.pop(step_spec.name, None)
        was = step_spec.was
        if step is None and was is not None and was in existing:
            step = clone(existing.pop(was), name=step_spec.name)  # renamed: its id and mode go with it
        if step is None:
            steps.append(
                Step(
                    id=next_id(),
                    playbook_id=playbook.id,
                    name=step_spec.name,
                    position=position,
                    mode=step_spec.mode,
                    pinned=step_spec.pinned,
                )
            )
            continue
        mode, pinned = step.mode, step.pinned
        move = moves.get(step_spec.name)
        if move is not None and move.up:  # not written: the caller's to clear (storage/step_modes.py)
            ups.append(replace(move, step_id=step.id))
        elif move is not None and move.moves:
            if move.from_mode != move.to_mode:
                declared.append(
                    mode_decisions.of_declared_mode(
                        playbook.id, step.id, step.name, move.from_mode, move.to_mode, actor
                    )
                )
            mode, pinned = move.to_mode, move.to_pinned
        steps.append(clone(step, position=position, pinned=pinned, mode=mode))
    changes = sorted(k for k in set(previous) | set(new_definition) if previous.get(k) != new_definition.get(k))
    changed = setup_decisions.of_definition_changed(
        playbook.id, spec.playbook, changes, previous, new_definition, actor
    )
    outcome = LoadOutcome(spec.playbook, "updated", changes, previous, new_definition, declared, changed, ups)
    return replace(state, playbook=made, steps=steps), outcome


def rewrite(
    held: Held, state: PlaybookState, spec: PlaybookSpec, org_timezone: str, actor: str, at: datetime
) -> LoadOutcome:
    """`rewritten` held, a renamed step's calibration runs (kept by name) renamed with it."""
    moved, outcome = rewritten(state, spec, org_timezone, actor, at)
    if outcome.action == "unchanged":
        return outcome
    names = {s.id: s.name.lower() for s in state.steps}
    renames = {names[s.id]: s.name for s in moved.steps if s.id in names and names[s.id] != s.name.lower()}
    held.calibrations = [
        clone(r, step=renames[r.step.lower()])
        if r.playbook_id == state.playbook.id and r.step.lower() in renames
        else r
        for r in held.calibrations
    ]
    held.put(moved)
    return outcome


class FakePlaybooks:
    def __init__(self, held: Held):
        self.held = held

    # ---- reads ----

    def state(self, slug: str) -> PlaybookState | None:
        return self._as_read(self.held.states.get(slug))

    def state_by_id(self, playbook_id: int) -> PlaybookState | None:
        return self._as_read(next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None))

    def _as_read(self, state: PlaybookState | None) -> PlaybookState | None:
        """`state` as state and state_by_id read it: whether Slack calls its owner deactivated."""
        gone = state is not None and state.playbook.owner_id in self.held.deactivated
        return state if state is None or state.owner_deactivated == gone else replace(state, owner_deactivated=gone)

    def states_by_ids(self, playbook_ids: list[int]) -> dict[int, PlaybookState]:
        wanted = set(playbook_ids)
        return {s.playbook.id: s for s in self.held.states.values() if s.playbook.id in wanted}

    def states(self, channel_id: str | None = None) -> list[PlaybookState]:
        """By slug, as the real one orders them."""
        return [
            s for _, s in sorted(self.held.states.items()) if channel_id is None or s.playbook.channel_id == channel_id
        ]

    def listed_states(self) -> list[PlaybookState]:
        """Every playbook by slug (the real one leaves out steps and the JSON columns)."""
        return self.states()

    def active_states(self) -> list[PlaybookState]:
        return [s for s in self._by_id() if s.playbook.status == "active" and s.anchor is not None]

    def clock_states(self) -> list[PlaybookState]:
        return [
            s
            for s in self._by_id()
            if s.anchor is not None
            and (s.playbook.status == "active" or (s.playbook.status in ("paused", "retired") and s.anchor.ends_after))
        ]

    def _by_id(self) -> list[PlaybookState]:
        return sorted(self.held.states.values(), key=lambda s: s.playbook.id)

    def of_person(self, user_id: str) -> list[PlaybookState]:
        """The playbooks `user_id` owns, champions, checked in for, or (not adopted) owns the
        exception queue of (not: was asked to check in for: the fake keeps no cadence jobs)."""
        answered = {r.values["playbook_id"] for r in self.held.reports.rows if r.kind == "checkin" and r.by == user_id}
        return [
            s
            for s in self.states()
            if user_id in (s.playbook.owner_id, s.playbook.champion_id)
            or s.playbook.id in answered
            or (s.playbook.adopted_from_id is None and s.playbook.definition.get("exception_owner") == user_id)
        ]

    def removed_steps(self, playbook_id: int) -> list[domain.Step]:
        """The steps taken out of its definition (Held.put retires them): the latest removed first."""
        found = [s for s in self.held.removed_steps if s.playbook_id == playbook_id]
        return sorted(found, key=lambda s: (-s.retired_at.timestamp() if s.retired_at else 0, s.id))

    def slugs(self) -> list[str]:
        return sorted(self.held.states)

    # ---- writes ----

    def add_cycle(
        self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime, baseline_week: date | None = None
    ) -> Cycle:
        """Cycle `number` started: the playbook active (its decision row is the caller's).
        Conflict if the playbook has that cycle already."""
        state = self.state_by_id(playbook_id)
        if state is None:
            raise LookupError(f"no playbook {playbook_id}")
        if state.anchor is not None and state.anchor.number >= number:
            raise Conflict(f"cycle {number} was started at the same moment by someone else")
        cycle = Cycle(
            id=next_id(),
            playbook_id=playbook_id,
            number=number,
            starts_on=starts_on,
            started_by=by,
            baseline_week=baseline_week,
        )
        cycle.created_at = at
        playbook = clone(state.playbook, status="active", updated_at=at)
        self.held.put(replace(state, playbook=playbook, anchor=cycle, previous=state.anchor))
        return cycle

    def end_run(self, playbook_id: int, status: str, reason: str, ends_after: date | None, at: datetime) -> bool:
        """Pause or retire: `status` since `at`, the latest cycle ending after `ends_after`
        (kept if it had ended). False, and nothing written, if the playbook is neither active
        nor paused (a draft may be retired), or has `status` already."""
        state = self.state_by_id(playbook_id)
        if state is None or not ends_run(state.playbook.status, status):
            return False
        playbook = clone(state.playbook, status=status, status_since=at, status_reason=reason, updated_at=at)
        anchor = state.anchor
        if ends_after is not None and anchor is not None and anchor.ends_after is None:
            anchor = clone(anchor, ends_after=ends_after)
        self.held.put(replace(state, playbook=playbook, anchor=anchor))
        return True

    def resume(self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime) -> Cycle:
        """A paused playbook active again with cycle `number` from `starts_on`. Conflict if it
        is not paused, or has that cycle already."""
        state = self.state_by_id(playbook_id)
        if state is None or state.playbook.status != "paused":
            raise Conflict(f"playbook {playbook_id} is not paused")
        if state.anchor is not None and state.anchor.number >= number:
            raise Conflict(f"cycle {number} was started at the same moment by someone else")
        cycle = Cycle(id=next_id(), playbook_id=playbook_id, number=number, starts_on=starts_on, started_by=by)
        cycle.created_at = at
        playbook = clone(state.playbook, status="active", status_since=at, status_reason=None, updated_at=at)
        self.held.put(replace(state, playbook=playbook, anchor=cycle, previous=state.anchor))
        return cycle

    def hand_over(self, playbook_id: int, owner_id: str, at: datetime) -> bool:
        """A new owner; False, and nothing written, if they own it already."""
        state = self.state_by_id(playbook_id)
        if state is None or state.playbook.owner_id == owner_id:
            return False
        self.held.put(replace(state, playbook=clone(state.playbook, owner_id=owner_id, updated_at=at)))
        return True

    def move_cycle_start(
        self, playbook_id: int, number: int, before: date, starts_on: date, baseline_week: date | None = None
    ) -> bool:
        """Cycle `number` starts on `starts_on` instead of `before`: a compare-and-set, False
        if it does not start on `before` (or is not the latest cycle: the fake keeps only the
        latest two, and a start not begun is always the latest's)."""
        state = self.state_by_id(playbook_id)
        anchor = state.anchor if state is not None else None
        if state is None or anchor is None or anchor.number != number or anchor.starts_on != before:
            return False
        moved = {"starts_on": starts_on} | ({"baseline_week": baseline_week} if baseline_week else {})
        self.held.put(replace(state, anchor=clone(anchor, **moved)))
        return True

    def load(self, specs: Iterable[PlaybookSpec], org_timezone: str, actor: str, at: datetime) -> list[LoadOutcome]:
        """Each definition created, updated (`rewrite`) or, equal to the one held, unchanged;
        the outcomes carry the decisions for the caller's Change."""
        outcomes = []
        for spec in specs:
            state = self.held.states.get(spec.playbook)
            if state is not None:
                outcomes.append(rewrite(self.held, state, spec, org_timezone, actor, at))
                continue
            state = new_state(spec, org_timezone, at)
            self.held.put(state)
            created = setup_decisions.of_playbook_created(state.playbook.id, spec.playbook, spec.canonical(), actor)
            outcomes.append(LoadOutcome(spec.playbook, "created", [], decision=created))
        return outcomes


class FakeMade:
    """storage/made.py's: a playbook made or revised from a form, and the reads."""

    def __init__(self, held: Held):
        self.held = held

    def setup_times(self) -> dict[int, SetupTime]:
        """Each playbook's setup time: asked for by the approved request it answers, else
        made in Slack by a person (not `file:` or the command line) or adopted, when it was
        created; its first nudge and first close, as the cadence log records them done."""
        made_in_slack = {
            d["playbook_id"] for d in self.held.decisions if d["kind"] == "playbook-created" and ":" not in d["actor"]
        }
        requested = {
            r.adopted_slug: r.created_at
            for r in sorted(self.held.registry.requests.values(), key=lambda r: r.id)
            if r.status == "approved"
        }
        firsts: dict[tuple[int | None, str], datetime] = {}
        for job in self.held.jobs:
            if job.playbook_id is not None and job.kind in ("nudge", "close") and job.status == "done":
                key = (job.playbook_id, job.kind)
                firsts[key] = min(firsts.get(key, job.recorded_at), job.recorded_at)
        times = {}
        for state in self.held.states.values():
            p = state.playbook
            asked = requested.get(p.slug) or (
                p.created_at if p.adopted_from_id is not None or p.id in made_in_slack else None
            )
            times[p.id] = SetupTime(p.id, asked, firsts.get((p.id, "nudge")), firsts.get((p.id, "close")))
        return times

    def setup_time(self, playbook: Playbook) -> SetupTime:
        """One playbook's setup time, as `setup_times` reads it."""
        found = self.setup_times().get(playbook.id)
        return found if found is not None else SetupTime(playbook.id, None, None, None)

    def last_change(self, playbook_id: int) -> Stale:
        """Who changed the playbook last (its creation or a revision's decision row), and when."""
        changes = [
            d
            for d in self.held.decisions
            if d.get("playbook_id") == playbook_id and d["kind"] in ("playbook-changed", "playbook-created")
        ]
        last = max(changes, key=lambda d: d.get("id", 0), default=None)
        return Stale(last["actor"] if last else "someone", last["decided_at"] if last else None)

    def create(self, spec: PlaybookSpec, org_timezone: str, by: str, at: datetime, starts_on: date) -> Made:
        """The playbook, active, with its steps and its first cycle. Conflict: its slug is taken."""
        if spec.playbook in self.held.states:
            raise Conflict(f"{spec.playbook}: taken a moment ago")
        state = new_state(spec, org_timezone, at, status="active")
        cycle = Cycle(id=next_id(), playbook_id=state.playbook.id, number=1, starts_on=starts_on, started_by=by)
        cycle.created_at = at
        self.held.put(replace(state, anchor=cycle))
        return Made(state.playbook.id, spec.playbook)

    def revise(
        self, playbook_id: int, opened_on: str, spec: PlaybookSpec, org_timezone: str, by: str, at: datetime
    ) -> Rewritten | None:
        """The new definition if the playbook's is still the one the form opened on (its
        fingerprint), else Stale; None, nothing written, when nothing changed."""
        state = next(s for s in self.held.states.values() if s.playbook.id == playbook_id)
        if fingerprint(state.playbook.definition) != opened_on:
            raise self.last_change(playbook_id)
        if as_read_now(state.playbook.definition) == spec.canonical():
            return None
        outcome = rewrite(self.held, state, spec, org_timezone, by, at)
        return Rewritten(outcome.before or {}, outcome.declared, outcome.ups)
