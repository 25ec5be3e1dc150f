"""Every query the bot makes. Each public method is one unit of work."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cached_property
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Date,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cadence.calendar import CycleAnchor
from cadence.decisions import Decision as DecisionRecord
from cadence.definition import PlaybookSpec, RuleSettings
from cadence.figures import REPORTS_COUNTED_UP_TO, Attestation, StepWeek, WeekFigures
from storage import counting, replay
from storage.db import unit_of_work
from storage.models import (
    CadenceJob,
    CaseCount,
    CheckIn,
    Cycle,
    Decision,
    ExceptionReport,
    GuardrailReading,
    Heartbeat,
    KpiReading,
    Playbook,
    RegistryVersion,
    RoleGrant,
    RubricScore,
    SeenRequest,
    Setting,
    Step,
)
from storage.outbox import enqueue_in

CURATORS_CHANNEL = "curators_channel"
PLAYBOOK, STEP, CYCLE = Playbook.__table__, Step.__table__, Cycle.__table__


_PLAYBOOK_BY_ID = select(PLAYBOOK).where(PLAYBOOK.c.id == bindparam("id"))
_PLAYBOOK_BY_SLUG = select(PLAYBOOK).where(PLAYBOOK.c.slug == bindparam("slug"))
CLOCK_STATUSES = ("active", "paused", "retired")
_STEPS_OF = (
    select(STEP).where(STEP.c.playbook_id == bindparam("id"), STEP.c.retired_at.is_(None)).order_by(STEP.c.position)
)


def _open_week() -> Any:
    """The playbook `playbook_id` if the week `week_start` is still open: later than the
    last week the clock closed (playbook.closed_through). Every report's write reads it in
    its own statement and writes nothing without it.

    Why that is enough: the clock's close sets closed_through on the playbook row first,
    in the transaction that then reads the week's figures and records its verdicts
    (Governance.record_closes). On PostgreSQL that UPDATE locks the row, and this read
    takes FOR SHARE, which it conflicts with: a report that took its lock first is
    committed before the close reads the figures, so they count it; one that comes after
    waits for the close's commit, and PostgreSQL then reads the row again and checks this
    condition on its new version, so the report finds its week closed and writes nothing.
    On SQLite the close holds the one write lock from that UPDATE to its commit, and a
    report's statement, a write, runs wholly before or wholly after it."""
    closed_through = PLAYBOOK.c.closed_through
    return select(PLAYBOOK.c.id).where(
        PLAYBOOK.c.id == bindparam("playbook_id"),
        closed_through.is_(None) | (closed_through < bindparam("week_start", type_=Date)),
    )


def _add_report_if_open(table: Any, columns: tuple[str, ...]) -> Any:
    """A report, inserted only if its week is open (_open_week, whose lock it takes on
    PostgreSQL): its id back if it was."""
    still_open = exists(_open_week().with_for_update(read=True))
    report = select(*(bindparam(name, type_=table.c[name].type) for name in columns)).where(still_open)
    return insert(table).from_select(list(columns), report).returning(table.c.id)


_REPORTED = ("week_start", "reported_by", "reported_at")
_KPI_READING = _add_report_if_open(KpiReading.__table__, ("playbook_id", "value", *_REPORTED))
_GUARDRAIL_READING = _add_report_if_open(GuardrailReading.__table__, ("playbook_id", "value", *_REPORTED))
_CHECKIN = _add_report_if_open(
    CheckIn.__table__, ("playbook_id", "week_start", "user_id", "attestation", "step_id", "note", "reported_at")
)
_EXCEPTION = _add_report_if_open(ExceptionReport.__table__, ("playbook_id", "step_id", "reason", *_REPORTED))
_CASE_COUNT = _add_report_if_open(CaseCount.__table__, ("playbook_id", "step_id", "cases", *_REPORTED))
_RUBRIC_SCORE = _add_report_if_open(RubricScore.__table__, ("playbook_id", "step_id", "score", *_REPORTED))
_CURATOR = select(RoleGrant.__table__.c.id).where(
    RoleGrant.__table__.c.role == "curator", RoleGrant.__table__.c.user_id == bindparam("user_id")
)
# A playbook's latest cycle row and the one before it (a resume's new run, and the run its
# pause ended, whose last week may still be open).
_ANCHOR_OF = select(CYCLE).where(CYCLE.c.playbook_id == bindparam("id")).order_by(CYCLE.c.number.desc()).limit(2)


# A playbook state's parts, for any number of playbooks, the ids bound as one list
# (storage/lists.py): the digest and the clock read a thousand at once.
_STEPS_OF_MANY = (
    select(Step)
    .where(col(Step.playbook_id).in_(bindparam("ids", expanding=True)), col(Step.retired_at).is_(None))
    .order_by(Step.playbook_id, Step.position)
)
_RANKED_CYCLES = (
    select(
        CYCLE,
        func.row_number().over(partition_by=CYCLE.c.playbook_id, order_by=CYCLE.c.number.desc()).label("rank"),
    )
    .where(CYCLE.c.playbook_id.in_(bindparam("ids", expanding=True)))
    .subquery()
)
# Each playbook's latest two cycle rows, the latest first (_ANCHOR_OF, for many).
_ANCHORS_OF_MANY = (
    select(*(_RANKED_CYCLES.c[c.name] for c in CYCLE.columns))
    .where(_RANKED_CYCLES.c.rank <= 2)
    .order_by(_RANKED_CYCLES.c.playbook_id, _RANKED_CYCLES.c.number.desc())
)
_PLAYBOOKS_OF_MANY = select(Playbook).where(col(Playbook.id).in_(bindparam("ids", expanding=True)))


def _step_report(
    playbook_id: int, step_id: int, week_start: date, by: str, at: datetime, **value: Any
) -> dict[str, Any]:
    """The values of a report on a step (an exception, a case count, a rubric score): the
    columns they share, and the one that is each kind's own."""
    return dict(
        playbook_id=playbook_id, step_id=step_id, week_start=week_start, **value, reported_by=by, reported_at=at
    )


class Conflict(Exception):
    """A write lost to a concurrent one (a unique key was taken first)."""


class WeekClosed(Exception):
    """A report for a week the clock has closed (its verdicts are recorded): nothing was
    written. The request judged the week open by its own start time; the close came first."""


@dataclass(frozen=True)
class PlaybookState:
    playbook: Playbook
    steps: list[Step]  # the steps in the current definition, in order
    anchor: Cycle | None  # the latest started cycle; later cycles follow from it
    previous: Cycle | None = None  # the cycle row before it: the run a pause ended before a resume

    @cached_property
    def cycle_anchor(self) -> CycleAnchor | None:
        """Where the playbook's cycles start, or None before its first cycle is started;
        with the run before it when it was resumed (that run's last week may still be open)."""
        if self.anchor is None:
            return None
        before = None
        if self.previous is not None and self.previous.ends_after is not None:
            p = self.previous
            before = CycleAnchor(p.number, p.starts_on, p.ends_after, p.created_at)
        a = self.anchor
        return CycleAnchor(a.number, a.starts_on, a.ends_after, a.created_at, before)

    def running(self) -> CycleAnchor:
        """The cycle anchor of a playbook whose cycles run (an active playbook always has one)."""
        anchor = self.cycle_anchor
        if anchor is None:
            raise ValueError(f"playbook {self.playbook.slug} has no cycle")
        return anchor

    @property
    def guardrail_unit(self) -> str:
        """The guardrail's unit, as its definition gives it ("" without one)."""
        return str((self.playbook.definition.get("guardrail") or {}).get("unit") or "")

    @cached_property
    def settings(self) -> RuleSettings:
        """The playbook's rule and cadence settings, defaults filled in by the schema.
        A stored setting the schema does not know is an error, never silently dropped."""
        return RuleSettings.model_validate(self.playbook.rules)

    def step(self, name: str) -> Step | None:
        wanted = name.lower()
        return next((s for s in self.steps if s.name.lower() == wanted), None)


def decision_columns(decision: DecisionRecord, at: datetime) -> dict[str, Any]:
    """A typed decision (cadence.decisions) as the columns of its `decision` row."""
    return {**shallow_columns(decision), "kind": str(decision.kind), "decided_at": at}


def shallow_columns(row: Any) -> dict[str, Any]:
    """A flat dataclass as a row's columns. Not asdict(): a week's close writes thousands,
    and asdict deep-copies every nested dict only for it to be serialised at once."""
    names, values = _columns_of(type(row))
    return dict(zip(names, values(row), strict=True))


@functools.cache
def _columns_of(kind: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """A dataclass's field names, and a getter of all their values at once (read once a type)."""
    names = tuple(f.name for f in fields(kind))
    getter = attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda row: (getter(row),))


@dataclass(frozen=True)
class Report:
    """One person's report, as undo names it: what kind, for which week (and step), and
    what it said (a KPI value, a count, a score, an exception's reason, an attestation)."""

    kind: str  # kpi | guardrail | checkin | exception | cases | rubric
    id: int
    week_start: date
    step_id: int | None
    reported_at: datetime
    value: Any
    note: str | None = None
    reported_by: str = ""


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    action: str  # created | updated | unchanged
    changes: list[str]


class Store:
    def __init__(self, engine: Engine):
        self.engine = engine

    def first_time(self, keys: list[str], at: datetime) -> bool:
        """Record these request keys; False if any was seen before (a replay or a retry).
        For a request that wrote nothing (its keys were not recorded with a write)."""
        with self.engine.connect() as connection:
            if replay.insert_keys(connection, keys, at):
                connection.commit()
                return True
            connection.rollback()  # a repeat: remember nothing new from it either
            return False

    def record_request(self) -> None:
        """Record the keys of the request being handled now, if its first write has not
        (storage/replay.py): before it has an effect outside the database. Raises
        replay.Repeated for a repeat."""
        with unit_of_work(self.engine):
            pass  # a unit of work records the request's keys as it commits

    def forget_requests(self, before: datetime) -> int:
        with unit_of_work(self.engine) as s:
            return s.execute(delete(SeenRequest).where(SeenRequest.seen_at < before)).rowcount

    def beat(self, name: str, at: datetime) -> None:
        """Record that `name` (the clock) is alive and finished its work at `at`."""
        try:
            with unit_of_work(self.engine) as s:
                if s.execute(update(Heartbeat).where(Heartbeat.name == name).values(at=at)).rowcount == 0:
                    s.add(Heartbeat(name=name, at=at))
        except IntegrityError:
            pass  # another clock wrote the first beat at the same moment: alive either way

    def heartbeat(self, name: str) -> datetime | None:
        with unit_of_work(self.engine) as s:
            return s.execute(select(Heartbeat.at).where(Heartbeat.name == name)).scalar()

    def ping(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1

    # ---- playbooks -------------------------------------------------------------

    def playbook_state(self, slug: str) -> PlaybookState | None:
        """One playbook with its steps and its latest cycles, as the database holds them now."""
        return self._state_of(_PLAYBOOK_BY_SLUG, {"slug": slug})

    def playbook_state_by_id(self, playbook_id: int) -> PlaybookState | None:
        return self._state_of(_PLAYBOOK_BY_ID, {"id": playbook_id})

    def _state_of(self, playbook: Any, parameters: dict[str, Any]) -> PlaybookState | None:
        with unit_of_work(self.engine, commit=False) as s:
            row = s.execute(playbook, parameters).first()
            if row is None:
                return None
            steps = s.execute(_STEPS_OF, {"id": row.id}).all()
            cycles = [Cycle(**c._mapping) for c in s.execute(_ANCHOR_OF, {"id": row.id}).all()]
        return PlaybookState(
            Playbook(**row._mapping),
            [Step(**r._mapping) for r in steps],
            cycles[0] if cycles else None,
            cycles[1] if len(cycles) > 1 else None,
        )

    def states_by_ids(self, playbook_ids: list[int]) -> dict[int, PlaybookState]:
        with unit_of_work(self.engine) as s:
            playbooks = list(s.execute(_PLAYBOOKS_OF_MANY, {"ids": playbook_ids}).scalars())
            return {state.playbook.id: state for state in self._states(s, playbooks)}

    def playbook_states(self, channel_id: str | None = None) -> list[PlaybookState]:
        """All playbooks (or those of one channel), each with steps and anchor: three queries."""
        with unit_of_work(self.engine, commit=False) as s:
            query = select(Playbook).order_by(Playbook.slug)
            if channel_id is not None:
                query = query.where(Playbook.channel_id == channel_id)
            return self._states(s, list(s.exec(query)))

    def active_states(self) -> list[PlaybookState]:
        """Playbooks the cadence runs for: active, with a started cycle. Three queries."""
        with unit_of_work(self.engine) as s:
            playbooks = list(s.exec(select(Playbook).where(Playbook.status == "active").order_by(Playbook.id)))
            return [state for state in self._states(s, playbooks) if state.anchor is not None]

    def clock_states(self) -> list[PlaybookState]:
        """What the clock looks at: active playbooks, and paused or retired ones whose last
        run of cycles was ended (their last week still closes). Three queries."""
        with unit_of_work(self.engine, commit=False) as s:
            query = select(Playbook).where(col(Playbook.status).in_(CLOCK_STATUSES)).order_by(Playbook.id)
            states = self._states(s, list(s.exec(query)))
        return [
            state
            for state in states
            if state.anchor is not None and (state.playbook.status == "active" or state.anchor.ends_after)
        ]

    def playbooks_of(self, user_id: str) -> list[PlaybookState]:
        """The playbooks a person takes part in: owns, was asked to check in for, or checked in for."""
        with unit_of_work(self.engine, commit=False) as s:
            asked = select(CadenceJob.playbook_id).where(CadenceJob.user_id == user_id, CadenceJob.kind == "checkin")
            answered = select(CheckIn.playbook_id).where(CheckIn.user_id == user_id)
            playbooks = list(
                s.exec(
                    select(Playbook)
                    .where(
                        or_(Playbook.owner_id == user_id, col(Playbook.id).in_(asked), col(Playbook.id).in_(answered))
                    )
                    .order_by(Playbook.slug)
                )
            )
            return self._states(s, playbooks)

    def checkins_by_week(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], CheckIn]:
        """Someone's check-in that counts, per (playbook, week) asked for: one query."""
        if not weeks:
            return {}
        with unit_of_work(self.engine) as s:
            latest = (
                select(func.max(CheckIn.id))
                .where(
                    CheckIn.user_id == user_id,
                    tuple_(CheckIn.playbook_id, CheckIn.week_start).in_(weeks),
                    col(CheckIn.withdrawn_at).is_(None),
                )
                .group_by(CheckIn.playbook_id, CheckIn.week_start)
            )
            return {
                (c.playbook_id, c.week_start): c for c in s.exec(select(CheckIn).where(col(CheckIn.id).in_(latest)))
            }

    def latest_checkins(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[int, CheckIn]:
        """A person's check-in that counts per playbook, for one (playbook, week) each."""
        return {pid: c for (pid, _), c in self.checkins_by_week(user_id, weeks).items()}

    def playbook_slugs(self) -> list[str]:
        with unit_of_work(self.engine) as s:
            return list(s.exec(select(Playbook.slug).order_by(Playbook.slug)))

    @staticmethod
    def _states(s: Session, playbooks: list[Playbook]) -> list[PlaybookState]:
        ids = [p.id for p in playbooks]
        if not ids:
            return []
        steps: dict[int, list[Step]] = {i: [] for i in ids}
        for step in s.execute(_STEPS_OF_MANY, {"ids": ids}).scalars():
            steps[step.playbook_id].append(step)
        cycles: dict[int, list[Cycle]] = {i: [] for i in ids}
        for c in s.execute(_ANCHORS_OF_MANY, {"ids": ids}):  # the latest first
            cycles[c.playbook_id].append(Cycle(**c._mapping))
        return [PlaybookState(p, steps[p.id], *(cycles[p.id] + [None, None])[:2]) for p in playbooks]

    def load_playbooks(
        self, specs: Iterable[PlaybookSpec], org_timezone: str, actor: str, at: datetime
    ) -> list[LoadOutcome]:
        """Create or update playbooks from their definitions, all in one transaction.

        A definition equal to the one last loaded changes nothing. A changed one updates
        the playbook and records a decision; a step's mode is only set when the file's
        declared mode for it changed, so reloading never undoes a mode the rules or a
        curator set since.
        """
        outcomes = []
        with unit_of_work(self.engine) as s:
            for spec in specs:
                outcomes.append(self._load_one(s, spec, org_timezone, actor, at))
        return outcomes

    def _load_one(self, s: Session, spec: PlaybookSpec, org_timezone: str, actor: str, at: datetime) -> LoadOutcome:
        definition = spec.canonical()
        playbook = s.exec(select(Playbook).where(Playbook.slug == spec.playbook)).first()
        if playbook is not None and playbook.definition == definition:
            return LoadOutcome(spec.playbook, "unchanged", [])

        columns = _playbook_columns(spec, org_timezone)
        if playbook is None:
            playbook = Playbook(**columns, definition=definition, created_at=at, updated_at=at)
            s.add(playbook)
            s.flush()
            for position, step_spec in enumerate(spec.steps):
                s.add(
                    Step(
                        playbook_id=playbook.id,
                        name=step_spec.name,
                        position=position,
                        mode=step_spec.mode,
                        pinned=step_spec.pinned,
                    )
                )
            s.add(
                Decision(
                    decided_at=at,
                    kind="playbook-created",
                    actor=actor,
                    playbook_id=playbook.id,
                    summary=f"Playbook {spec.playbook} created from its definition.",
                    figures={"definition": definition},
                )
            )
            return LoadOutcome(spec.playbook, "created", [])

        previous = playbook.definition
        changes = sorted(k for k in set(previous) | set(definition) if previous.get(k) != definition.get(k))
        for name, value in columns.items():
            setattr(playbook, name, value)
        playbook.definition = definition
        playbook.updated_at = at
        s.add(playbook)

        declared_before = {step["name"]: step["mode"] for step in previous.get("steps", [])}
        existing = {step.name: step for step in s.exec(select(Step).where(Step.playbook_id == playbook.id))}
        for position, step_spec in enumerate(spec.steps):
            step = existing.pop(step_spec.name, None)
            if step is None:
                s.add(
                    Step(
                        playbook_id=playbook.id,
                        name=step_spec.name,
                        position=position,
                        mode=step_spec.mode,
                        pinned=step_spec.pinned,
                    )
                )
                continue
            step.position, step.pinned, step.retired_at = position, step_spec.pinned, None
            if declared_before.get(step_spec.name) != step_spec.mode and step.mode != step_spec.mode:
                s.add(
                    Decision(
                        decided_at=at,
                        kind="mode-change",
                        rule="definition",
                        actor=actor,
                        playbook_id=playbook.id,
                        step_id=step.id,
                        from_mode=step.mode,
                        to_mode=step_spec.mode,
                        summary=f"{step.name}: {step.mode} → {step_spec.mode} (declared in the definition).",
                        figures={},
                    )
                )
                step.mode = step_spec.mode
            s.add(step)
        for step in existing.values():
            if step.retired_at is None:
                step.retired_at = at
                s.add(step)
        s.add(
            Decision(
                decided_at=at,
                kind="playbook-changed",
                actor=actor,
                playbook_id=playbook.id,
                summary=f"Playbook {spec.playbook} definition changed: {', '.join(changes)}.",
                figures={"changed": changes, "before": previous, "after": definition},
            )
        )
        return LoadOutcome(spec.playbook, "updated", changes)

    def adopt(
        self,
        spec: PlaybookSpec,
        version_id: int,
        origin_id: int,
        org_timezone: str,
        by: str,
        at: datetime,
        messages: list[Any],
    ) -> Playbook:
        """A new playbook started from a registry version, remembering where it came from.
        Raises Conflict, and writes nothing, if the channel runs an adoption of the origin
        already (uq_playbook_adoption: of concurrent adopts one wins) or the slug was taken."""
        try:
            return self._adopt(spec, version_id, origin_id, org_timezone, by, at, messages)
        except IntegrityError as err:
            raise Conflict(f"{spec.playbook} in {spec.channel}: adopted a moment ago") from err

    def _adopt(
        self,
        spec: PlaybookSpec,
        version_id: int,
        origin_id: int,
        org_timezone: str,
        by: str,
        at: datetime,
        messages: list[Any],
    ) -> Playbook:
        with unit_of_work(self.engine) as s:
            definition = spec.canonical()
            playbook = Playbook(
                **_playbook_columns(spec, org_timezone),
                definition=definition,
                adopted_from_id=version_id,
                adopted_origin_id=origin_id,
                created_at=at,
                updated_at=at,
            )
            s.add(playbook)
            s.flush()
            for position, step_spec in enumerate(spec.steps):
                s.add(
                    Step(
                        playbook_id=playbook.id,
                        name=step_spec.name,
                        position=position,
                        mode=step_spec.mode,
                        pinned=step_spec.pinned,
                    )
                )
            s.add(
                Decision(
                    decided_at=at,
                    kind="adopted",
                    actor=by,
                    playbook_id=playbook.id,
                    summary=f"{spec.playbook} adopted from registry version {version_id}.",
                    figures={"version_id": version_id, "definition": definition},
                )
            )
            s.add(
                Decision(
                    decided_at=at,
                    kind="adopted-by",
                    actor=by,
                    playbook_id=origin_id,
                    summary=f"Adopted by {spec.playbook} in {spec.channel}.",
                    figures={"version_id": version_id, "adopter": spec.playbook},
                )
            )
            enqueue_in(s, messages, at)
        return playbook

    def adoption_in(self, channel_id: str, origin_playbook_id: int) -> str | None:
        """The slug of a playbook that `channel_id` runs, adopted from any version of the
        origin playbook and not retired; None if there is none."""
        with unit_of_work(self.engine) as s:
            return s.execute(
                select(Playbook.slug)
                .join(RegistryVersion, RegistryVersion.id == Playbook.adopted_from_id)
                .where(
                    Playbook.channel_id == channel_id,
                    RegistryVersion.playbook_id == origin_playbook_id,
                    Playbook.status != "retired",
                )
                .limit(1)
            ).scalar()

    # ---- a playbook's life -----------------------------------------------------

    def end_run(
        self,
        playbook_id: int,
        status: str,
        reason: str,
        ends_after: date | None,
        at: datetime,
        decision: DecisionRecord,
        messages: list[Any] | None = None,
    ) -> bool:
        """Pause or retire: the playbook takes `status` (paused | retired) since `at`, and its
        current run of cycles ends after the week starting `ends_after` (kept if already
        ended). False, and nothing written, if its status changed meanwhile."""
        with unit_of_work(self.engine) as s:
            playbook = s.get(Playbook, playbook_id)
            if playbook is None or playbook.status not in ("active", "paused") or playbook.status == status:
                return False
            playbook.status, playbook.status_since, playbook.status_reason, playbook.updated_at = status, at, reason, at
            s.add(playbook)
            if ends_after is not None:
                latest = select(func.max(Cycle.number)).where(Cycle.playbook_id == playbook_id).scalar_subquery()
                s.execute(
                    update(Cycle)
                    .where(Cycle.playbook_id == playbook_id, Cycle.number == latest, col(Cycle.ends_after).is_(None))
                    .values(ends_after=ends_after)
                    .execution_options(synchronize_session=False)
                )
            s.execute(insert(Decision.__table__), [decision_columns(decision, at)])
            enqueue_in(s, messages or [], at)
        return True

    def resume(
        self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime, decision: DecisionRecord
    ) -> Cycle:
        """A paused playbook runs again: cycle `number` starts on `starts_on`. Raises
        Conflict if someone resumed it (or started that cycle) at the same moment."""
        try:
            with unit_of_work(self.engine) as s:
                playbook = s.get(Playbook, playbook_id)
                if playbook is None or playbook.status != "paused":
                    raise Conflict(f"playbook {playbook_id} is not paused")
                cycle = Cycle(playbook_id=playbook_id, number=number, starts_on=starts_on, started_by=by, created_at=at)
                s.add(cycle)
                playbook.status, playbook.status_since, playbook.status_reason, playbook.updated_at = (
                    "active",
                    at,
                    None,
                    at,
                )
                s.add(playbook)
                s.execute(insert(Decision.__table__), [decision_columns(decision, at)])
            return cycle
        except IntegrityError as err:
            raise Conflict(str(err)) from err

    def hand_over(
        self, playbook_id: int, owner_id: str, at: datetime, decision: DecisionRecord, messages: list[Any]
    ) -> bool:
        """A new owner; False, and nothing written, if they already own it."""
        with unit_of_work(self.engine) as s:
            playbook = s.get(Playbook, playbook_id)
            if playbook is None or playbook.owner_id == owner_id:
                return False
            playbook.owner_id, playbook.updated_at = owner_id, at
            s.add(playbook)
            s.execute(insert(Decision.__table__), [decision_columns(decision, at)])
            enqueue_in(s, messages, at)
        return True

    # ---- cycles ----------------------------------------------------------------

    def start_cycle(self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime) -> Cycle:
        try:
            with unit_of_work(self.engine) as s:
                cycle = Cycle(playbook_id=playbook_id, number=number, starts_on=starts_on, started_by=by, created_at=at)
                s.add(cycle)
                playbook = s.get(Playbook, playbook_id)
                playbook.status = "active"
                playbook.updated_at = at
                s.add(playbook)
                s.add(
                    Decision(
                        decided_at=at,
                        kind="cycle-started",
                        actor=by,
                        playbook_id=playbook_id,
                        week_start=starts_on,
                        summary=f"Cycle {number} starts on {starts_on.isoformat()}.",
                        figures={"cycle": number},
                    )
                )
            return cycle
        except IntegrityError as err:
            raise Conflict(f"cycle {number} was started at the same moment by someone else") from err

    def move_cycle_start(
        self, playbook_id: int, number: int, before: date, starts_on: date, at: datetime, decision: DecisionRecord
    ) -> bool:
        """Cycle `number`, not begun, starts on `starts_on` instead of `before`. False, and
        nothing written, if its start changed meanwhile."""
        with unit_of_work(self.engine) as s:
            moved = s.execute(
                update(Cycle)
                .where(Cycle.playbook_id == playbook_id, Cycle.number == number, Cycle.starts_on == before)
                .values(starts_on=starts_on)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:
                return False
            s.execute(insert(Decision.__table__), [decision_columns(decision, at)])
        return True

    # ---- weekly reports (append-only; the highest id per key is the current one) ----

    def add_kpi_reading(self, playbook_id: int, week_start: date, value: float, by: str, at: datetime) -> None:
        """Raises replay.Repeated (and writes nothing) if it is the first write of a request
        seen before, and WeekClosed (and writes nothing) if the clock closed its week."""
        values = dict(playbook_id=playbook_id, week_start=week_start, value=value, reported_by=by, reported_at=at)
        self._add(_KPI_READING, values)

    def add_guardrail_reading(self, playbook_id: int, week_start: date, value: float, by: str, at: datetime) -> None:
        values = dict(playbook_id=playbook_id, week_start=week_start, value=value, reported_by=by, reported_at=at)
        self._add(_GUARDRAIL_READING, values)

    def add_checkin(
        self,
        playbook_id: int,
        week_start: date,
        user_id: str,
        attestation: str,
        step_id: int | None,
        note: str | None,
        at: datetime,
    ) -> None:
        self._add(
            _CHECKIN,
            dict(
                playbook_id=playbook_id,
                week_start=week_start,
                user_id=user_id,
                attestation=attestation,
                step_id=step_id,
                note=note,
                reported_at=at,
            ),
        )

    def add_exception(
        self, playbook_id: int, step_id: int, week_start: date, reason: str, by: str, at: datetime
    ) -> None:
        self._add(_EXCEPTION, _step_report(playbook_id, step_id, week_start, by, at, reason=reason))

    def add_case_count(
        self, playbook_id: int, step_id: int, week_start: date, cases: int, by: str, at: datetime
    ) -> None:
        self._add(_CASE_COUNT, _step_report(playbook_id, step_id, week_start, by, at, cases=cases))

    def add_rubric_score(
        self, playbook_id: int, step_id: int, week_start: date, score: float, by: str, at: datetime
    ) -> None:
        self._add(_RUBRIC_SCORE, _step_report(playbook_id, step_id, week_start, by, at, score=score))

    def _add(self, statement: Any, values: dict[str, Any]) -> None:
        """One report, written only if its week is still open (_open_week); the request's
        keys go in with it (a unit of work records them as it commits). Raises
        replay.Repeated for a request seen before, and WeekClosed if the clock closed the
        week; nothing is written then."""
        with unit_of_work(self.engine) as s:
            if s.execute(statement, values).first() is None:
                raise WeekClosed(f"the week of {values['week_start']} has closed")  # rolled back

    def exceptions_of(self, playbook_id: int, week_start: date) -> list[ExceptionReport]:
        """The exceptions logged for a week that still count, oldest first: who and why."""
        with unit_of_work(self.engine, commit=False) as s:
            return list(
                s.exec(
                    select(ExceptionReport)
                    .where(
                        ExceptionReport.playbook_id == playbook_id,
                        ExceptionReport.week_start == week_start,
                        col(ExceptionReport.withdrawn_at).is_(None),
                    )
                    .order_by(ExceptionReport.id)
                )
            )

    # ---- corrections -------------------------------------------------------------

    def withdraw_latest(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[str], by: str, at: datetime
    ) -> tuple[Report, Report | int | None] | None:
        """Withdraw `user_id`'s most recent report on the playbook, of these kinds, in these
        weeks: it is kept, marked withdrawn, and no longer counts. Returns it with what
        counts in its place now (the report that counts, or for an exception the number
        left), or None when there is nothing to withdraw. The withdrawal is one transaction;
        what counts in its place is read just after it."""
        week_starts, kind_names = sorted(set(weeks)), tuple(kinds)
        if not week_starts or not kind_names:
            return None
        parameters: dict[str, Any] = {"playbook_id": playbook_id, "user_id": user_id}
        parameters.update({f"week_{i}": week_start for i, week_start in enumerate(week_starts)})
        newest_of = _newest_report(kind_names, len(week_starts))
        withdrawal = {"undone_at": at, "undone_by": by}
        row: Any = None
        # The newest report is read, then withdrawn by a conditional UPDATE (it must still
        # count, in a week still open): of concurrent undos only one wins a report, and a
        # loser reads the next newest and tries again, until it wins one or none is left
        # (a week the clock closed meanwhile is no longer read). Each try commits on its
        # own; the losers wrote nothing.
        while row is None:
            with unit_of_work(self.engine) as s:  # records the request's key, if not yet
                newest = s.execute(newest_of, parameters).first()
                if newest is None:
                    return None
                # Withdrawn and read back in one statement (RETURNING).
                row = s.execute(_WITHDRAW[newest.kind], {**withdrawal, "report_id": newest.id}).first()
        report = _as_report(newest.kind, row)
        # Read after the commit: on SQLite a write holds the database's one write lock
        # until it commits, so the withdrawal's transaction stays as short as it can be.
        with unit_of_work(self.engine, commit=False) as s:
            return report, self._counting(s, playbook_id, report, user_id)

    @staticmethod
    def _counting(s: Session, playbook_id: int, report: Report, user_id: str) -> Report | int | None:
        """What counts for the withdrawn report's week (and step) now."""
        table = REPORTS[report.kind]
        where = [
            table.playbook_id == playbook_id,
            table.week_start == report.week_start,
            col(table.withdrawn_at).is_(None),
        ]
        if report.step_id is not None and report.kind != "checkin":
            where.append(table.step_id == report.step_id)
        if report.kind == "checkin":
            where.append(table.user_id == user_id)  # a member's own answer counts for them
        if report.kind == "exception":
            return int(s.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)
        row = s.exec(select(table).where(*where).order_by(col(table.id).desc()).limit(1)).first()
        return _as_report(report.kind, row) if row is not None else None

    def week_kpis(
        self, weeks: list[tuple[int, date]], connection: Connection | None = None
    ) -> dict[tuple[int, date], float]:
        """The KPI that counts for each (playbook id, week start) that has one: one query.
        On `connection` if given (a week's close reads in its own transaction)."""
        if not weeks:
            return {}
        if connection is not None:
            return counting.latest(connection, KpiReading, KpiReading.value, sorted(set(weeks)))
        with unit_of_work(self.engine) as s:
            return counting.latest(s, KpiReading, KpiReading.value, sorted(set(weeks)))

    def week_figures(self, state: PlaybookState, week_start: date) -> WeekFigures:
        return self.week_figures_many([(state, week_start)])[(state.playbook.id, week_start)]

    def week_figures_many(
        self, weeks: list[tuple[PlaybookState, date]], connection: Connection | None = None
    ) -> dict[tuple[int, date], WeekFigures]:
        """The current numbers of many playbook-weeks: three queries (the week's totals, the
        steps' figures, the check-ins), however many playbooks, steps or members. Keyed by
        (playbook id, week start). On `connection` if given (a week's close reads them in
        its own transaction, after it has closed the weeks: Governance.record_closes)."""
        keys = sorted({(state.playbook.id, week_start) for state, week_start in weeks})
        if not keys:
            return {}
        with contextlib.nullcontext(connection) if connection else self.engine.connect() as reads:
            totals = counting.week_totals(reads, keys, up_to=REPORTS_COUNTED_UP_TO)
            per_step = counting.step_figures(reads, keys)
            checkins = counting.latest_checkins(reads, keys)
        by_week: dict[tuple[int, date], list[Any]] = {}
        for checkin in checkins:
            by_week.setdefault((checkin.playbook_id, checkin.week_start), []).append(checkin)
        figures = {}
        for state, week_start in weeks:
            pid = state.playbook.id
            week_checkins = by_week.get((pid, week_start), [])
            names = {step.id: step.name for step in state.steps}
            deviations: dict[int, int] = {}
            for checkin in week_checkins:
                if checkin.attestation == "deviated" and checkin.step_id is not None:
                    deviations[checkin.step_id] = deviations.get(checkin.step_id, 0) + 1
            total = totals.get((pid, week_start))
            steps = []
            for step in state.steps:
                numbers = per_step.get((pid, week_start, step.id))
                steps.append(
                    StepWeek(
                        name=step.name,
                        mode=step.mode,
                        pinned=step.pinned,
                        cases=numbers.cases if numbers else None,
                        exceptions=numbers.exceptions if numbers else 0,
                        deviations=deviations.get(step.id, 0),
                        rubric=numbers.rubric if numbers else None,
                    )
                )
            figures[(pid, week_start)] = WeekFigures(
                week_start=week_start,
                kpi=total.kpi if total else None,
                kpi_reports=(total.kpi_reports or 0) if total else 0,
                guardrail=total.guardrail if total else None,
                steps=steps,
                attestations=[
                    Attestation(
                        user_id=c.user_id,
                        attestation=c.attestation,
                        step=names.get(c.step_id) if c.step_id else None,
                        note=c.note,
                    )
                    for c in week_checkins
                ],
            )
        return figures

    # ---- roles and settings ----------------------------------------------------

    def curators(self) -> set[str]:
        with unit_of_work(self.engine, commit=False) as s:
            return set(s.exec(select(RoleGrant.user_id).where(RoleGrant.role == "curator")))

    def is_curator(self, user_id: str) -> bool:
        with unit_of_work(self.engine, commit=False) as s:
            return s.execute(_CURATOR, {"user_id": user_id}).first() is not None

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool:
        """False when the user already was a curator (then nothing is written)."""
        try:
            with unit_of_work(self.engine) as s:
                s.add(RoleGrant(user_id=user_id, role="curator", granted_by=by, granted_at=at))
                s.flush()  # the unique key decides, before the decision row is added
                s.add(
                    Decision(
                        decided_at=at,
                        kind="curator-added",
                        actor=by,
                        summary=f"{user_id} became a curator.",
                        figures={"user": user_id},
                    )
                )
            return True
        except IntegrityError:
            return False

    def remove_curator(self, user_id: str, by: str, at: datetime) -> bool:
        """False when the user was not a curator (then nothing is written)."""
        with unit_of_work(self.engine) as s:
            grant = s.exec(
                select(RoleGrant).where(RoleGrant.role == "curator", RoleGrant.user_id == user_id).with_for_update()
            ).first()
            if grant is None:
                return False
            s.delete(grant)
            s.add(
                Decision(
                    decided_at=at,
                    kind="curator-removed",
                    actor=by,
                    summary=f"{user_id} is no longer a curator.",
                    figures={"user": user_id},
                )
            )
            return True

    def setting(self, key: str) -> str | None:
        with unit_of_work(self.engine, commit=False) as s:
            row = s.get(Setting, key)
            return row.value if row else None

    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None:
        with unit_of_work(self.engine) as s:
            row = s.get(Setting, key, with_for_update=True)
            if row is None:
                row = Setting(key=key, value=value, updated_by=by, updated_at=at)
            else:
                row.value, row.updated_by, row.updated_at = value, by, at
            s.add(row)
            s.add(
                Decision(
                    decided_at=at,
                    kind="setting-changed",
                    actor=by,
                    summary=f"{key} set to {value}.",
                    figures={"key": key, "value": value},
                )
            )

    def decisions(self, playbook_id: int | None = None) -> list[Decision]:
        with unit_of_work(self.engine) as s:
            query = select(Decision).order_by(Decision.id)
            if playbook_id is not None:
                query = query.where(Decision.playbook_id == playbook_id)
            return list(s.exec(query))


REPORTS: dict[str, Any] = {
    "kpi": KpiReading,
    "guardrail": GuardrailReading,
    "checkin": CheckIn,
    "exception": ExceptionReport,
    "cases": CaseCount,
    "rubric": RubricScore,
}
_VALUE = {
    "kpi": "value",
    "guardrail": "value",
    "checkin": "attestation",
    "exception": "reason",
    "cases": "cases",
    "rubric": "score",
}


def _reporter(table: Any) -> Any:
    return table.user_id if table is CheckIn else table.reported_by


def _in_an_open_week(table: Any, lock: bool = False) -> Any:
    """A report row of `table` whose week the clock has not closed (_open_week's test,
    on the row's own playbook and week); `lock`: taking _open_week's lock, so that an
    undo and the close, like a report and the close, run one wholly before the other."""
    closed_through = PLAYBOOK.c.closed_through
    still_open = select(PLAYBOOK.c.id).where(
        PLAYBOOK.c.id == table.c.playbook_id,
        closed_through.is_(None) | (closed_through < table.c.week_start),
    )
    return exists(still_open.with_for_update(read=True) if lock else still_open)


def _withdraw(table: Any) -> Any:
    """Withdraw the report `report_id` if it still counts and its week is still open (a
    withdrawal the close has already judged would change nothing it decided), and read
    it back."""
    return (
        update(table)
        .where(table.c.id == bindparam("report_id"), table.c.withdrawn_at.is_(None), _in_an_open_week(table, lock=True))
        .values(withdrawn_at=bindparam("undone_at"), withdrawn_by=bindparam("undone_by"))
        .returning(*table.c)
    )


_WITHDRAW = {kind: _withdraw(model.__table__) for kind, model in REPORTS.items()}


def _as_report(kind: str, row: Any) -> Report:
    return Report(
        kind=kind,
        id=row.id,
        week_start=row.week_start,
        step_id=getattr(row, "step_id", None),
        reported_at=row.reported_at,
        value=getattr(row, _VALUE[kind]),
        note=getattr(row, "note", None),
        reported_by=row.user_id if kind == "checkin" else row.reported_by,
    )


def _playbook_columns(spec: PlaybookSpec, org_timezone: str) -> dict[str, Any]:
    return dict(
        slug=spec.playbook,
        title=spec.title,
        function=spec.function,
        channel_id=spec.channel,
        owner_id=spec.owner,
        timezone=spec.timezone or org_timezone,
        kpi_name=spec.kpi.name,
        kpi_unit=spec.kpi.unit,
        kpi_direction=spec.kpi.direction,
        kpi_baseline=spec.kpi.baseline,
        kpi_target=spec.kpi.target,
        guardrail_name=spec.guardrail.name if spec.guardrail else None,
        guardrail_min=spec.guardrail.min if spec.guardrail else None,
        guardrail_max=spec.guardrail.max if spec.guardrail else None,
        rubric_threshold=spec.rubric_threshold,
        exception_cap=spec.exception_cap,
        rules={**spec.rules.model_dump(mode="json"), "rubric_floor": spec.rubric_floor()},
        inputs=list(spec.inputs),
        outputs=list(spec.outputs),
    )


@functools.cache
def _newest_report(kinds: tuple[str, ...], weeks: int) -> Any:
    """Someone's newest report among these kinds in weeks week_0..week_n (parameters:
    playbook_id, user_id and the weeks): each kind and week is the end of a range in the
    reporter index, in one statement, built once (undo reads it on every request)."""
    newest_of_kind = [
        select(literal(kind).label("kind"), table.id.label("id"), table.reported_at.label("reported_at"))
        .where(
            table.playbook_id == bindparam("playbook_id"),
            _reporter(table) == bindparam("user_id"),
            table.week_start == bindparam(f"week_{i}", type_=Date),
            col(table.withdrawn_at).is_(None),
            _in_an_open_week(table.__table__),
        )
        .order_by(col(table.id).desc())
        .limit(1)
        .subquery()
        for kind in kinds
        for table in [REPORTS[kind]]
        for i in range(weeks)
    ]
    candidates = union_all(*(select(*newest.c) for newest in newest_of_kind)).subquery()
    return select(candidates).order_by(candidates.c.reported_at.desc(), candidates.c.id.desc()).limit(1)
