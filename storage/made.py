"""Playbooks made and changed in Slack (`/rollout new`, `/rollout edit`): a new playbook
with its first cycle, in the use case's unit of work that records its decisions and
announcements (its Change), and a revision that is refused if the playbook changed since
its form opened."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cadence import state as domain
from cadence.definition import PlaybookSpec
from storage.db import Bind, engine_of, in_unit_of_work, reading
from storage.models.bookkeeping import CadenceJob
from storage.models.governance import AdoptionRequest, Decision
from storage.models.playbooks import Cycle, Playbook
from storage.playbook_definitions import Rewritten, add_steps, as_read_now, playbook_columns, rewrite
from storage.playbooks import Conflict


def fingerprint(definition: dict[str, Any]) -> str:
    """A definition's short fingerprint: what an edit form remembers of the playbook it
    opened on, so that a submission after someone else's finds out (`Stale`)."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Stale(Exception):
    """The playbook changed since the form opened: who changed it last, and when."""

    def __init__(self, by: str, at: datetime | None):
        super().__init__(f"changed by {by} at {at}")
        self.by, self.at = by, at


@dataclass(frozen=True)
class Made:
    playbook_id: int
    slug: str


class MadePlaybooks:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def create(
        self,
        spec: PlaybookSpec,
        org_timezone: str,
        by: str,
        at: datetime,
        starts_on: date,
    ) -> Made:
        """The playbook, its steps and its first cycle, in the use case's unit of work only
        (no transaction of its own): their decisions and the messages announcing the
        playbook go in the same one, as the use case's Change. Conflict: its slug was taken
        a moment ago, which spoils the unit of work: the use case catches it outside it."""
        s = in_unit_of_work(
            self.bind, "a playbook made goes with its decisions: make it in the use case's unit of work"
        )
        try:
            playbook = Playbook(
                **playbook_columns(spec, org_timezone),
                definition=spec.canonical(),
                created_at=at,
                updated_at=at,
                status="active",
            )
            s.add(playbook)
            s.flush()
            add_steps(s, playbook.id, spec)
            s.add(Cycle(playbook_id=playbook.id, number=1, starts_on=starts_on, started_by=by, created_at=at))
            s.flush()
        except IntegrityError as err:
            raise Conflict(f"{spec.playbook}: taken a moment ago") from err
        return Made(playbook.id, playbook.slug)

    def setup_times(self) -> dict[int, SetupTime]:
        """Each playbook's setup time: `SetupTime`."""
        return _setup_times(self.engine)

    def setup_time(self, playbook: domain.Playbook) -> SetupTime:
        """One playbook's setup time, as `setup_times` reads it for all, in one statement:
        the playbook's row is at hand (status reads it anyway)."""
        with reading(self.bind) as s:
            slack, asked, nudge, close = (
                s.connection().execute(_SETUP_TIME_OF_ONE, {"pid": playbook.id, "slug": playbook.slug}).one()
            )
        if asked is None and (playbook.adopted_from_id is not None or slack):
            asked = playbook.created_at
        return SetupTime(playbook.id, asked, nudge, close)

    def revise(
        self,
        playbook_id: int,
        opened_on: str,
        spec: PlaybookSpec,
        org_timezone: str,
        by: str,
        at: datetime,
    ) -> Rewritten | None:
        """The playbook's new definition, if it is still the one the form opened on
        (`opened_on`, its fingerprint); else Stale, nothing written. Returns the definition
        before (as read now) and the declared modes' decisions, which the use case records
        with the revision's in the same unit of work (its Change): in that unit of work
        only, no transaction of its own, as the playbook's row stays locked until the use
        case commits. None: nothing changed, nothing written."""
        s = in_unit_of_work(self.bind, "a revision goes with its decision: revise in the use case's unit of work")
        playbook = s.exec(select(Playbook).where(col(Playbook.id) == playbook_id).with_for_update()).one()
        if fingerprint(playbook.definition) != opened_on:
            raise _last_change(s, playbook_id)
        if as_read_now(playbook.definition) == spec.canonical():
            return None
        return rewrite(s, playbook, spec, org_timezone, by, at)

    def last_change(self, playbook_id: int) -> Stale:
        """Who changed the playbook last, and when: what a form opened before is told
        (`Stale`, to raise)."""
        with reading(self.bind) as s:
            return _last_change(s, playbook_id)


def _last_change(s: Session, playbook_id: int) -> Stale:
    last = s.exec(
        select(Decision)
        .where(
            col(Decision.playbook_id) == playbook_id,
            col(Decision.kind).in_(["playbook-changed", "playbook-created"]),
        )
        .order_by(col(Decision.id).desc())
        .limit(1)
    ).first()
    return Stale(last.actor if last else "someone", last.decided_at if last else None)


@dataclass(frozen=True)
class SetupTime:
    """When a playbook was asked for (`/rollout new`, an adopt, or the request it answers;
    None for one loaded from a file), its first nudge and its first closed week."""

    playbook_id: int
    asked_at: datetime | None
    first_nudge_at: datetime | None
    first_closed_at: datetime | None


def _first_done(kind: str) -> Any:
    return (
        sa_select(func.min(col(CadenceJob.recorded_at)))
        .where(col(CadenceJob.playbook_id) == bindparam("pid"), col(CadenceJob.kind) == kind)
        .where(col(CadenceJob.status) == "done")
        .scalar_subquery()
    )


# One playbook's setup time (`pid`, `slug`): whether a person made it in Slack, the approved
# request it answers, and its first nudge and first closed week; built once, as a request's
# time goes into building a statement more than into running it.
_SETUP_TIME_OF_ONE = sa_select(
    exists().where(
        col(Decision.kind) == "playbook-created",
        col(Decision.playbook_id) == bindparam("pid"),
        ~col(Decision.actor).contains(":"),  # a person, not a file (`file:...`) or the command line
    ),
    sa_select(col(AdoptionRequest.created_at))
    .where(col(AdoptionRequest.status) == "approved", col(AdoptionRequest.adopted_slug) == bindparam("slug"))
    .order_by(col(AdoptionRequest.id).desc())
    .limit(1)
    .scalar_subquery(),
    _first_done("nudge"),
    _first_done("close"),
)


def _setup_times(engine: Engine) -> dict[int, SetupTime]:
    """Each playbook's setup time, in four reads. The three after the first read every
    playbook's rows, unfiltered by the 1,000 ids or slugs the first gave: they are all
    of them (a list that long cost the overview's statements their parsing on each run)."""
    with reading(engine) as s:
        query = select(col(Playbook.id), col(Playbook.slug), col(Playbook.created_at), col(Playbook.adopted_from_id))
        playbooks = list(s.exec(query))
        made_in_slack = {
            pid
            for pid, actor in s.exec(
                select(col(Decision.playbook_id), col(Decision.actor)).where(
                    col(Decision.kind) == "playbook-created", col(Decision.playbook_id).is_not(None)
                )
            )
            if ":" not in actor  # a person, not a file (`file:...`) or the command line
        }
        requested = dict(
            s.exec(
                select(col(AdoptionRequest.adopted_slug), col(AdoptionRequest.created_at)).where(
                    col(AdoptionRequest.status) == "approved"
                )
            ).all()
        )
        firsts: dict[tuple[int | None, str], datetime] = {
            (pid, kind): at
            for pid, kind, at in s.exec(
                select(col(CadenceJob.playbook_id), col(CadenceJob.kind), func.min(col(CadenceJob.recorded_at)))
                .where(
                    col(CadenceJob.playbook_id).is_not(None),
                    col(CadenceJob.kind).in_(["nudge", "close"]),
                    col(CadenceJob.status) == "done",
                )
                .group_by(col(CadenceJob.playbook_id), col(CadenceJob.kind))
            )
        }
    times = {}
    for pid, slug, created_at, adopted_from in playbooks:
        asked = requested.get(slug) or (created_at if adopted_from is not None or pid in made_in_slack else None)
        times[pid] = SetupTime(pid, asked, firsts.get((pid, "nudge")), firsts.get((pid, "close")))
    return times
