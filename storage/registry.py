"""The registry in the database: the published versions of playbooks, the playbooks that
adopted them and how each replication went. A publication writes its decision rows and
messages with storage/governance.py's apply_change, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from cadence.decisions import DecisionKind
from storage.db import reading, unit_of_work
from storage.governance import DECISION, Change, StaleState, apply_change
from storage.models.governance import AdoptionRequest, Proposal, RegistryVersion
from storage.models.playbooks import Playbook
from storage.outbox import enqueue_in
from storage.types import one_of

_VERSIONS_ORDER = (col(RegistryVersion.slug), col(RegistryVersion.version))
_VERSIONS_OF_PLAYBOOK = (
    select(RegistryVersion).where(col(RegistryVersion.playbook_id) == bindparam("pid")).order_by(*_VERSIONS_ORDER)
)

_ADOPTERS_OF = select(Playbook).where(one_of(col(Playbook.adopted_from_id), "ids")).order_by(col(Playbook.id))
_REPLICATION_OF = (
    select(DECISION.c.playbook_id, DECISION.c.figures)
    .where(one_of(DECISION.c.playbook_id, "pids"), DECISION.c.kind == DecisionKind.REPLICATION.value)
    .order_by(DECISION.c.id)
)


class RequestPending(Exception):
    """The channel has a pending request for the version already (uq_adoption_request_pending)."""


class Registry:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ---- requests to adopt ----

    def add_request(
        self, request: AdoptionRequest, change: Change, card: Callable[[AdoptionRequest], list[Any]], at: datetime
    ) -> AdoptionRequest:
        """A pending request, its decision row and the curators' card (made once the
        request has its id, which its buttons carry), in one unit of work. Raises
        RequestPending, and writes nothing, if the channel has one for the version."""
        try:
            with unit_of_work(self.engine) as s:
                s.add(request)
                s.flush()
                apply_change(s, change, at)
                enqueue_in(s, [*change.messages, *card(request)], at)
            return request
        except IntegrityError as err:
            raise RequestPending(f"{request.channel_id} asked for version {request.version_id} a moment ago") from err

    def pending_request(self, version_id: int, channel_id: str) -> AdoptionRequest | None:
        with reading(self.engine) as s:
            return s.execute(
                select(AdoptionRequest).where(
                    col(AdoptionRequest.version_id) == version_id,
                    col(AdoptionRequest.channel_id) == channel_id,
                    col(AdoptionRequest.status) == "pending",
                )
            ).scalar()

    def request(self, request_id: int) -> AdoptionRequest | None:
        with reading(self.engine) as s:
            return s.get(AdoptionRequest, request_id)

    def requests(self, version_ids: list[int]) -> list[AdoptionRequest]:
        """The requests for these versions, oldest first."""
        if not version_ids:
            return []
        with reading(self.engine) as s:
            return list(
                s.execute(
                    select(AdoptionRequest)
                    .where(one_of(col(AdoptionRequest.version_id), "ids"))
                    .order_by(col(AdoptionRequest.id)),
                    {"ids": version_ids},
                ).scalars()
            )

    def decline(self, request_id: int, by: str, at: datetime, reason: str, change: Change) -> bool:
        """A pending request declined with `reason`, its decision and messages; False, and
        nothing written, if it was decided already (by another curator a moment ago)."""
        with unit_of_work(self.engine) as s:
            declined = s.exec(
                update(AdoptionRequest)
                .where(col(AdoptionRequest.id) == request_id, col(AdoptionRequest.status) == "pending")
                .values(status="declined", decided_by=by, decided_at=at, reason=reason)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not declined:
                return False
            apply_change(s, change, at)
            enqueue_in(s, change.messages, at)
        return True

    def update_card(self, messages: list[Any], at: datetime) -> None:
        """A request's card redrawn (a refusal on approve shown on it)."""
        with unit_of_work(self.engine) as s:
            enqueue_in(s, messages, at)

    def versions(self, playbook_id: int | None = None, function: str | None = None) -> list[RegistryVersion]:
        with reading(self.engine) as s:
            if playbook_id is not None and function is None:  # a playbook's page: status
                return list(s.execute(_VERSIONS_OF_PLAYBOOK, {"pid": playbook_id}).scalars())
            query = select(RegistryVersion).order_by(*_VERSIONS_ORDER)
            if playbook_id is not None:
                query = query.where(col(RegistryVersion.playbook_id) == playbook_id)
            if function is not None:
                query = query.where(func.lower(col(RegistryVersion.function)) == function.lower())
            return list(s.execute(query).scalars())

    def versions_by_id(self, version_ids: list[int]) -> dict[int, RegistryVersion]:
        if not version_ids:
            return {}
        with reading(self.engine) as s:
            rows = s.execute(
                select(RegistryVersion).where(one_of(col(RegistryVersion.id), "ids")), {"ids": version_ids}
            )
            return {v.id: v for v in rows.scalars()}

    def version(self, slug: str, number: int | None) -> RegistryVersion | None:
        """Version `number` of the playbook published as `slug` (the latest if None)."""
        with reading(self.engine) as s:
            query = select(RegistryVersion).where(col(RegistryVersion.slug) == slug)
            if number is not None:
                query = query.where(col(RegistryVersion.version) == number)
            return s.execute(query.order_by(col(RegistryVersion.version).desc())).scalars().first()

    def adopters(self, version_ids: list[int]) -> list[Playbook]:
        if not version_ids:
            return []
        with reading(self.engine) as s:
            return list(s.execute(_ADOPTERS_OF, {"ids": version_ids}).scalars())

    def replication_verdicts(self, playbook_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Each adopting playbook's replication verdicts, oldest first: the figures of its
        decision rows (cycle, verdict and the numbers that decided it)."""
        if not playbook_ids:
            return {}
        with reading(self.engine) as s:
            rows = s.connection().execute(_REPLICATION_OF, {"pids": playbook_ids}).all()
        verdicts: dict[int, list[dict[str, Any]]] = {pid: [] for pid in playbook_ids}
        for pid, figures in rows:
            verdicts[pid].append(figures or {})
        return verdicts

    def next_version(self, playbook_id: int) -> int:
        with unit_of_work(self.engine) as s:
            return (
                s.execute(
                    select(func.max(col(RegistryVersion.version))).where(
                        col(RegistryVersion.playbook_id) == playbook_id
                    )
                ).scalar()
                or 0
            ) + 1

    def publish(
        self,
        playbook_id: int,
        number: int,
        definition: dict[str, Any],
        cycle_results: list[dict[str, Any]],
        scale_rule_held: bool,
        by: str,
        at: datetime,
        change: Change,
        proposal_key: str | None = None,
        learnings: list[dict[str, Any]] | None = None,
    ) -> RegistryVersion:
        """Registry version `number` (from next_version) of a playbook, immutable from here,
        with the origin's `learnings` (newest first). Raises StaleState if another
        publication took the number first."""
        try:
            with unit_of_work(self.engine) as s:
                playbook = s.get_one(Playbook, playbook_id)
                version = RegistryVersion(
                    playbook_id=playbook_id,
                    version=number,
                    slug=playbook.slug,
                    function=playbook.function,
                    definition=definition,
                    cycle_results=cycle_results,
                    scale_rule_held=scale_rule_held,
                    published_by=by,
                    published_at=at,
                    learnings=learnings or [],
                )
                s.add(version)
                s.flush()  # the unique (playbook, version) key settles a race between two publishers
                if proposal_key is not None:
                    s.execute(
                        update(Proposal)
                        .where(col(Proposal.key) == proposal_key, col(Proposal.status) == "open")
                        .values(status="published", decided_at=at, decided_by=by)
                        .execution_options(synchronize_session=False)
                    )
                apply_change(s, change, at)
                enqueue_in(s, change.messages, at)
            return version
        except IntegrityError as err:
            raise StaleState(f"version {number} was published by someone else a moment ago") from err
