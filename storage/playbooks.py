"""Playbooks and their life: definitions loaded from files, cycles started, moved,
paused, resumed, retired and handed over, and the state every request and tick reads (a
playbook with its steps and latest cycles). Adoptions from the registry are
storage/registry.py's; champions and their checklists storage/champions.py's; what a
definition writes (its columns, its steps) storage/playbook_definitions.py's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, update
from sqlalchemy import select as sa_select  # for what sqlmodel's select is not typed for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, col, select

from cadence import state as domain
from cadence.definition import PlaybookSpec
from cadence.state import PlaybookState
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.bookkeeping import CadenceJob, MembershipChange
from storage.models.governance import Decision
from storage.models.org import Person
from storage.models.playbooks import Cycle, Playbook, Step
from storage.models.reports import CheckIn
from storage.playbook_definitions import LoadOutcome, load_one
from storage.types import one_of

CURATORS_CHANNEL = "curators_channel"


PLAYBOOK, STEP, CYCLE = table_of(Playbook), table_of(Step), table_of(Cycle)


# One playbook's state in one statement: the playbook, its channel's count of membership
# changes (a request checking the caller's membership needs it, slack_api/members.py),
# when its owner's account was deactivated (status says so), its steps and its latest two cycle rows (a resume's new run, and the run its pause
# ended, whose last week may still be open): a row per step and cycle. Loaded by the ORM:
# building the rows through SQLModel's validation cost a request a third of its CPU, and
# a statement each for the parts, on PostgreSQL, 1.5 ms in round trips (bench/profile.py).
_LATEST_TWO_CYCLES = (
    select(col(Cycle.id))
    .where(col(Cycle.playbook_id) == col(Playbook.id))
    .order_by(col(Cycle.number).desc())
    .limit(2)
    .correlate(Playbook)
    .scalar_subquery()
)
_STATE = (  # SQLAlchemy's select: sqlmodel's is typed for at most four entities
    sa_select(Playbook, col(MembershipChange.version), col(Person.deactivated_at), Step, Cycle)
    .outerjoin(MembershipChange, col(MembershipChange.channel_id) == col(Playbook.channel_id))
    .outerjoin(Person, col(Person.user_id) == col(Playbook.owner_id))
    .outerjoin(Step, and_(col(Step.playbook_id) == col(Playbook.id), col(Step.retired_at).is_(None)))
    .outerjoin(Cycle, and_(col(Cycle.playbook_id) == col(Playbook.id), col(Cycle.id).in_(_LATEST_TWO_CYCLES)))
    .order_by(col(Step.position), col(Cycle.number).desc())
)
_STATE_BY_ID = _STATE.where(col(Playbook.id) == bindparam("id"))
_STATE_BY_SLUG = _STATE.where(col(Playbook.slug) == bindparam("slug"))


CLOCK_STATUSES = ("active", "paused", "retired")


# A playbook state's parts, for any number of playbooks: the digest and the clock read a
# thousand at once.
_PLAYBOOK_JSON = (Playbook.rules, Playbook.inputs, Playbook.outputs, Playbook.definition)
_STEPS_OF_MANY = (
    select(Step)
    .where(one_of(col(Step.playbook_id), "ids"), col(Step.retired_at).is_(None))
    .order_by(col(Step.playbook_id), col(Step.position))
)


def _anchors_of_many() -> Any:
    """Each playbook's latest two cycle rows, the latest first (as _STATE's, for many), loaded
    by the ORM as Cycle objects (a Cycle built by hand is validated field by field, which
    cost the clock's tick 0.2 s for a thousand playbooks).

    Built at each call, never once for the module: the ORM maps an alias's attributes onto
    its subquery's columns through an index SQLAlchemy fills at the first lookup, and two
    threads looking up at once in a new process (a server's clock and its first request)
    could see it half filled; the alias then read the cycle table's last columns straight
    from the table, and kept doing so for the process's life (a tick failed on each cycle's
    `ends_after`). An alias of one's own has nothing to share."""
    ranked = (
        sa_select(  # SQLAlchemy's select: sqlmodel's is not typed for a Table
            CYCLE,
            func.row_number().over(partition_by=CYCLE.c.playbook_id, order_by=CYCLE.c.number.desc()).label("rank"),
        )
        .where(one_of(CYCLE.c.playbook_id, "ids"))
        .subquery()
    )
    return (
        select(aliased(Cycle, ranked)).where(ranked.c.rank <= 2).order_by(ranked.c.playbook_id, ranked.c.number.desc())
    )


_PLAYBOOKS_OF_MANY = select(Playbook).where(one_of(col(Playbook.id), "ids"))


class Conflict(Exception):
    """A write lost to a concurrent one (a unique key was taken first)."""


class Playbooks:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def state(self, slug: str) -> PlaybookState | None:
        """One playbook with its steps and its latest cycles, as the database holds them now."""
        return self._state_of(_STATE_BY_SLUG, {"slug": slug})

    def state_by_id(self, playbook_id: int) -> PlaybookState | None:
        return self._state_of(_STATE_BY_ID, {"id": playbook_id})

    def _state_of(self, statement: Any, parameters: dict[str, Any]) -> PlaybookState | None:
        with reading(self.bind) as s:
            rows = s.execute(statement, parameters).all()
        if not rows:
            return None
        # The ORM gives each row's step and cycle as one object however often it repeats.
        steps = list({id(step): step for *_r, step, _c in rows if step is not None}.values())
        cycles = sorted({id(c): c for *_r, c in rows if c is not None}.values(), key=lambda c: -c.number)
        playbook, changes, deactivated_at = rows[0][:3]
        anchor, previous = [*cycles, None, None][:2]
        return PlaybookState(
            playbook,
            steps,
            anchor,
            previous,
            channel_changes=changes or 0,
            owner_deactivated=deactivated_at is not None,
        )

    def states_by_ids(self, playbook_ids: list[int]) -> dict[int, PlaybookState]:
        with reading(self.bind) as s:
            playbooks = list(s.execute(_PLAYBOOKS_OF_MANY, {"ids": playbook_ids}).scalars())
            return {state.playbook.id: state for state in self._states(s, playbooks)}

    def states(self, channel_id: str | None = None) -> list[PlaybookState]:
        """All playbooks (or those of one channel), each with steps and anchor: three queries."""
        with reading(self.bind) as s:
            query = select(Playbook).order_by(col(Playbook.slug))
            if channel_id is not None:
                query = query.where(col(Playbook.channel_id) == channel_id)
            return self._states(s, list(s.exec(query)))

    def listed_states(self) -> list[PlaybookState]:
        """Every playbook with its anchor, for a page that lists them all (the web view's
        overview): without steps, and without the JSON columns (definition, rules, inputs,
        outputs), which a listing never reads and which cost a thousand playbooks' page
        most of its time to decode. Reading one of them afterwards raises."""
        with reading(self.bind) as s:
            # SQLModel types Playbook.rules as its value, and col() gives a Mapped: neither is the
            # QueryableAttribute that defer() is typed for (at run time each is that attribute).
            query = (
                select(Playbook)
                .options(*(defer(c) for c in _PLAYBOOK_JSON))  # type: ignore[arg-type]
                .order_by(col(Playbook.slug))
            )
            return self._states(s, list(s.exec(query)), steps=False)

    def active_states(self) -> list[PlaybookState]:
        """Playbooks the cadence runs for: active, with a started cycle. Three queries."""
        with reading(self.bind) as s:
            playbooks = list(
                s.exec(select(Playbook).where(col(Playbook.status) == "active").order_by(col(Playbook.id)))
            )
            return [state for state in self._states(s, playbooks) if state.anchor is not None]

    def clock_states(self) -> list[PlaybookState]:
        """What the clock looks at: active playbooks, and paused or retired ones whose last
        run of cycles was ended (their last week still closes). Three queries."""
        with reading(self.bind) as s:
            query = select(Playbook).where(col(Playbook.status).in_(CLOCK_STATUSES)).order_by(col(Playbook.id))
            states = self._states(s, list(s.exec(query)))
        return [
            state
            for state in states
            if state.anchor is not None and (state.playbook.status == "active" or state.anchor.ends_after)
        ]

    def of_person(self, user_id: str) -> list[PlaybookState]:
        """The playbooks a person takes part in: owns, champions, owns the exception queue
        of, was asked to check in for, or checked in for."""
        with reading(self.bind) as s:
            asked = select(col(CadenceJob.playbook_id)).where(
                col(CadenceJob.user_id) == user_id, col(CadenceJob.kind) == "checkin"
            )
            answered = select(col(CheckIn.playbook_id)).where(col(CheckIn.user_id) == user_id)
            # the exception owner of a playbook's queue (its YAML's `exception_owner`), read
            # from the definition's JSON (json_extract on SQLite, ->> on PostgreSQL)
            named = and_(
                col(Playbook.adopted_from_id).is_(None),  # an adopted playbook's is its owner
                PLAYBOOK.c.definition["exception_owner"].as_string() == user_id,
            )
            playbooks = list(
                s.exec(
                    select(Playbook)
                    .where(
                        or_(
                            col(Playbook.owner_id) == user_id,
                            col(Playbook.champion_id) == user_id,
                            col(Playbook.id).in_(asked),
                            col(Playbook.id).in_(answered),
                            named,
                        )
                    )
                    .order_by(col(Playbook.slug))
                )
            )
            return self._states(s, playbooks)

    def removed_steps(self, playbook_id: int) -> list[Step]:
        """The steps taken out of a playbook's definition (`retired_at` set), whose history
        stays: the latest removed first."""
        with reading(self.bind) as s:
            removed = col(Step.retired_at).is_not(None)
            query = select(Step).where(col(Step.playbook_id) == playbook_id, removed)
            return list(s.exec(query.order_by(col(Step.retired_at).desc(), col(Step.id))))

    def definition(self, slug: str) -> dict[str, Any] | None:
        """One playbook's definition as stored (None: no playbook `slug`), by its unique slug:
        what the holdout's assignment reads for each case (usecases/arms.py)."""
        with reading(self.bind) as s:
            return s.exec(select(col(Playbook.definition)).where(col(Playbook.slug) == slug)).first()

    def slugs(self) -> list[str]:
        with reading(self.bind) as s:
            return list(s.exec(select(col(Playbook.slug)).order_by(col(Playbook.slug))))

    @staticmethod
    def _states(s: Session, playbooks: list[Playbook], steps: bool = True) -> list[PlaybookState]:
        ids = [p.id for p in playbooks]
        if not ids:
            return []
        steps_of: dict[int, list[domain.Step]] = {i: [] for i in ids}
        for step in s.execute(_STEPS_OF_MANY, {"ids": ids}).scalars() if steps else []:
            steps_of[step.playbook_id].append(step)
        cycles: dict[int, list[Cycle]] = {i: [] for i in ids}
        for cycle in s.execute(_anchors_of_many(), {"ids": ids}).scalars():  # the latest first
            cycles[cycle.playbook_id].append(cycle)
        states = []
        for p in playbooks:
            anchor, previous = [*cycles[p.id], None, None][:2]
            states.append(PlaybookState(p, steps_of[p.id], anchor, previous))
        return states

    def load(self, specs: Iterable[PlaybookSpec], org_timezone: str, actor: str, at: datetime) -> list[LoadOutcome]:
        """Create or update playbooks from their definitions, all in one transaction (the
        caller's, in a unit of work).

        A definition equal to the one last loaded changes nothing. A changed one updates
        the playbook and records a decision; a step's mode is only set when the file's
        declared mode for it changed, so reloading never undoes a mode the rules or a
        curator set since. What to tell of a change is the caller's: each updated
        outcome carries the definitions before and after, and its decision row's id.
        """
        with joined(self.bind) as s:
            return [load_one(s, spec, org_timezone, actor, at) for spec in specs]

    def end_run(self, playbook_id: int, status: str, reason: str, ends_after: date | None, at: datetime) -> bool:
        """Pause or retire: the playbook takes `status` (paused | retired) since `at`, and its
        current run of cycles ends after the week starting `ends_after` (kept if already
        ended); a draft, never started, may be retired. False, and nothing written, if its
        status changed meanwhile. Its decision row is the caller's, in the same unit of work."""
        with joined(self.bind) as s:
            playbook = s.get(Playbook, playbook_id, populate_existing=True)  # as the database holds it now
            if playbook is None or not ends_run(playbook.status, status):
                return False
            playbook.status, playbook.status_since, playbook.status_reason, playbook.updated_at = status, at, reason, at
            s.add(playbook)
            if ends_after is not None:
                latest = (
                    select(func.max(col(Cycle.number))).where(col(Cycle.playbook_id) == playbook_id).scalar_subquery()
                )
                s.execute(
                    update(Cycle)
                    .where(
                        col(Cycle.playbook_id) == playbook_id,
                        col(Cycle.number) == latest,
                        col(Cycle.ends_after).is_(None),
                    )
                    .values(ends_after=ends_after)
                    .execution_options(synchronize_session=False)
                )
            s.flush()
        return True

    def resume(self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime) -> Cycle:
        """A paused playbook runs again: cycle `number` starts on `starts_on`. Raises
        Conflict if someone resumed it (or started that cycle) at the same moment; in a
        unit of work, which then is spoiled, the caller leaves it. Its decision row is the
        caller's, in the same unit of work."""
        try:
            with joined(self.bind) as s:
                playbook = s.get(Playbook, playbook_id, populate_existing=True)
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
                s.flush()  # the cycle's unique key decides here, in the caller's unit of work too
            return cycle
        except IntegrityError as err:
            raise Conflict(str(err)) from err

    def hand_over(self, playbook_id: int, owner_id: str, at: datetime) -> bool:
        """A new owner; False, and nothing written, if they already own it. Its decision
        row and the new owner's message are the caller's, in the same unit of work."""
        with joined(self.bind) as s:
            playbook = s.get(Playbook, playbook_id, populate_existing=True)
            if playbook is None or playbook.owner_id == owner_id:
                return False
            playbook.owner_id, playbook.updated_at = owner_id, at
            s.add(playbook)
            s.flush()
        return True

    def add_cycle(
        self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime, baseline_week: date | None = None
    ) -> Cycle:
        """Cycle `number` starts on `starts_on` (an adopter's first after its `baseline_week`),
        and the playbook is active. Raises Conflict
        if that cycle was started at the same moment; in a unit of work, which then is
        spoiled, the caller leaves it. Its decision row is the caller's, in the same unit
        of work (usecases/shared/life.py, begin_cycle)."""
        try:
            with joined(self.bind) as s:
                cycle = Cycle(
                    playbook_id=playbook_id,
                    number=number,
                    starts_on=starts_on,
                    started_by=by,
                    created_at=at,
                    baseline_week=baseline_week,
                )
                s.add(cycle)
                playbook = s.get_one(Playbook, playbook_id)
                playbook.status = "active"
                playbook.updated_at = at
                s.add(playbook)
                s.flush()  # the cycle's unique key decides here, in the caller's unit of work too
            return cycle
        except IntegrityError as err:
            raise Conflict(f"cycle {number} was started at the same moment by someone else") from err

    def move_cycle_start(
        self, playbook_id: int, number: int, before: date, starts_on: date, baseline_week: date | None = None
    ) -> bool:
        """Cycle `number`, not begun, starts on `starts_on` instead of `before` (an adopter's
        first after its `baseline_week`, moved with it). False, and nothing written, if its
        start changed meanwhile (a compare-and-set). Its decision row is the caller's, in the
        same unit of work."""
        moved_to: dict[str, date] = {"starts_on": starts_on}
        if baseline_week is not None:
            moved_to["baseline_week"] = baseline_week
        with joined(self.bind) as s:
            moved = s.exec(
                update(Cycle)
                .where(
                    col(Cycle.playbook_id) == playbook_id, col(Cycle.number) == number, col(Cycle.starts_on) == before
                )
                .values(**moved_to)
                .execution_options(synchronize_session=False)
            )
            return moved.rowcount == 1

    def decisions(self, playbook_id: int | None = None) -> list[Decision]:
        with joined(self.bind) as s:
            query = select(Decision).order_by(col(Decision.id))
            if playbook_id is not None:
                query = query.where(col(Decision.playbook_id) == playbook_id)
            return list(s.exec(query))


def ends_run(now: str, status: str) -> bool:
    """Whether a playbook whose status is `now` may take `status` (paused | retired) by
    pause or retire: an active one either, a paused one retired, a draft retired."""
    return now != status and (now in ("active", "paused") or (now == "draft" and status == "retired"))
