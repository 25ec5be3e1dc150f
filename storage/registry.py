"""The registry in the database: the published versions of playbooks, the requests to
adopt them, the adoptions (a playbook started from a version) and how each replication
went. Its writes are the registry's own rows, in the use case's unit of work: the
decisions and messages of an action are the use case's Change (storage/governance.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from cadence.decisions import DecisionKind
from cadence.definition import PlaybookSpec
from storage.db import Bind, engine_of, joined, reading
from storage.governance import DECISION
from storage.governance_rows import StaleState
from storage.models.governance import AdoptionRequest, Proposal, RegistryVersion, WaveReview
from storage.models.playbooks import Playbook
from storage.playbook_definitions import LoadOutcome, add_steps, load_one, playbook_columns
from storage.playbooks import Conflict
from storage.types import one_of

_VERSIONS_ORDER = (col(RegistryVersion.slug), col(RegistryVersion.version))
_VERSIONS_OF_PLAYBOOK = (
    select(RegistryVersion).where(col(RegistryVersion.playbook_id) == bindparam("pid")).order_by(*_VERSIONS_ORDER)
)

_ADOPTERS_OF = select(Playbook).where(one_of(col(Playbook.adopted_from_id), "ids")).order_by(col(Playbook.id))
_EVERY_ADOPTER = select(Playbook).where(col(Playbook.adopted_from_id).is_not(None)).order_by(col(Playbook.id))
_VERSIONS_RUN = (
    select(DECISION.c.playbook_id, DECISION.c.figures)
    .where(
        one_of(DECISION.c.playbook_id, "pids"),
        DECISION.c.kind.in_([DecisionKind.ADOPTED.value, DecisionKind.UPGRADED.value]),
    )
    .order_by(DECISION.c.id)
)
_REPLICATION_OF = (
    select(DECISION.c.playbook_id, DECISION.c.figures)
    .where(one_of(DECISION.c.playbook_id, "pids"), DECISION.c.kind == DecisionKind.REPLICATION.value)
    .order_by(DECISION.c.id)
)


class RequestPending(Exception):
    """The channel has a pending request for the version already (uq_adoption_request_pending)."""


class WaveFull(Exception):
    """An adoption found its version's wave full in its own transaction."""


class WaveMarked(Exception):
    """A wave's learnings were marked reviewed already (uq on version and wave)."""


class RequestDecided(Exception):
    """An approval found its request no longer pending in its own transaction."""


def _running_adopters(s: Session, origin_id: int) -> int:
    """The origin's adopters, of any of its versions, that are not retired (a draft has
    adopted too, and runs from its first cycle): the waves are the playbook's. Its versions'
    rows are locked until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL, in id
    order; SQLite has one writer)."""
    versions = select(col(RegistryVersion.id)).where(col(RegistryVersion.playbook_id) == origin_id)
    s.execute(versions.order_by(col(RegistryVersion.id)).with_for_update())
    running = col(Playbook.status) != "retired"
    count = select(func.count()).select_from(Playbook).where(col(Playbook.adopted_origin_id) == origin_id, running)
    return int(s.execute(count).scalar() or 0)


class Registry:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    # ---- requests to adopt ----

    def add_request(self, request: AdoptionRequest) -> AdoptionRequest:
        """A pending request, with its id (which the curators' card's buttons carry). Raises
        RequestPending if the channel has one for the version: the unit of work is spoilt
        and writes nothing."""
        try:
            with joined(self.bind) as s:
                s.add(request)
                s.flush()
            return request
        except IntegrityError as err:
            raise RequestPending(f"{request.channel_id} asked for version {request.version_id} a moment ago") from err

    def pending_request(self, version_id: int, channel_id: str) -> AdoptionRequest | None:
        with reading(self.bind) as s:
            return s.execute(
                select(AdoptionRequest).where(
                    col(AdoptionRequest.version_id) == version_id,
                    col(AdoptionRequest.channel_id) == channel_id,
                    col(AdoptionRequest.status) == "pending",
                )
            ).scalar()

    def request(self, request_id: int) -> AdoptionRequest | None:
        with reading(self.bind) as s:
            return s.get(AdoptionRequest, request_id)

    def requests(self, version_ids: list[int]) -> list[AdoptionRequest]:
        """The requests for these versions, oldest first."""
        if not version_ids:
            return []
        with reading(self.bind) as s:
            return list(
                s.execute(
                    select(AdoptionRequest)
                    .where(one_of(col(AdoptionRequest.version_id), "ids"))
                    .order_by(col(AdoptionRequest.id)),
                    {"ids": version_ids},
                ).scalars()
            )

    def decline(self, request_id: int, by: str, at: datetime, reason: str) -> bool:
        """A pending request declined with `reason`; False, and nothing written, if it was
        decided already (by another curator a moment ago)."""
        with joined(self.bind) as s:
            declined = s.exec(
                update(AdoptionRequest)
                .where(col(AdoptionRequest.id) == request_id, col(AdoptionRequest.status) == "pending")
                .values(status="declined", decided_by=by, decided_at=at, reason=reason)
                .execution_options(synchronize_session=False)
            ).rowcount
        return bool(declined)

    def still_pending(self, request_id: int) -> bool:
        """Whether the request is pending, its row locked until the unit of work ends
        (SQLite: its one writer): a card redrawn in that unit of work (a refusal on approve
        shown on it) does not draw over the card of an approval committed meanwhile."""
        with joined(self.bind) as s:
            status = s.execute(
                select(col(AdoptionRequest.status)).where(col(AdoptionRequest.id) == request_id).with_for_update()
            ).scalar()
            return status == "pending"

    # ---- adoptions: a curator's, or a request approved ----

    def adopt(
        self,
        spec: PlaybookSpec,
        version: RegistryVersion,
        org_timezone: str,
        by: str,
        at: datetime,
        wave_limit: int | None = None,
        champion_id: str | None = None,
        request_id: int | None = None,
    ) -> Playbook:
        """A new playbook started from a registry `version`, remembering where it came from.
        With `wave_limit`, raises WaveFull if that many adopters of the origin (of any of its
        versions) run already: counted under a lock on its versions' rows (PostgreSQL) or SQLite's one writer, so
        of two adoptions at once only one takes the last place.
        Raises Conflict if the channel runs an adoption of the origin already
        (uq_playbook_adoption: of concurrent adopts one wins) or the slug was taken.
        With `request_id`, the adoption approves that pending request, or raises
        RequestDecided: of two approvals at once, one adopts. Whatever it raises, the unit
        of work it is part of writes nothing."""
        version_id, origin_id = version.id, version.playbook_id
        try:
            with joined(self.bind) as s:
                if request_id is not None:
                    claimed = s.exec(
                        update(AdoptionRequest)
                        .where(col(AdoptionRequest.id) == request_id, col(AdoptionRequest.status) == "pending")
                        .values(status="approved", decided_by=by, decided_at=at, adopted_slug=spec.playbook)
                        .execution_options(synchronize_session=False)
                    ).rowcount
                    if not claimed:
                        raise RequestDecided(f"request {request_id} was decided a moment ago")
                if wave_limit is not None and _running_adopters(s, origin_id) >= wave_limit:
                    raise WaveFull(f"{wave_limit} adopters of {version.slug} v{version.version} run already")
                playbook = Playbook(
                    **playbook_columns(spec, org_timezone),
                    definition=spec.canonical(),
                    adopted_from_id=version_id,
                    adopted_origin_id=origin_id,
                    champion_id=champion_id,
                    created_at=at,
                    updated_at=at,
                )
                s.add(playbook)
                s.flush()
                add_steps(s, playbook.id, spec)
            return playbook
        except IntegrityError as err:
            raise Conflict(f"{spec.playbook} in {spec.channel}: adopted a moment ago") from err

    def adoption_in(self, channel_id: str, origin_playbook_id: int) -> str | None:
        """The slug of a playbook that `channel_id` runs, adopted from any version of the
        origin playbook and not retired; None if there is none."""
        with reading(self.bind) as s:
            return s.execute(
                select(col(Playbook.slug))
                .join(RegistryVersion, col(RegistryVersion.id) == col(Playbook.adopted_from_id))
                .where(
                    col(Playbook.channel_id) == channel_id,
                    col(RegistryVersion.playbook_id) == origin_playbook_id,
                    col(Playbook.status) != "retired",
                )
                .limit(1)
            ).scalar()

    # ---- versions, their adopters and how they replicate ----

    def versions(self, playbook_id: int | None = None, function: str | None = None) -> list[RegistryVersion]:
        with reading(self.bind) as s:
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
        with reading(self.bind) as s:
            rows = s.execute(
                select(RegistryVersion).where(one_of(col(RegistryVersion.id), "ids")), {"ids": version_ids}
            )
            return {v.id: v for v in rows.scalars()}

    def version(self, slug: str, number: int | None) -> RegistryVersion | None:
        """Version `number` of the playbook published as `slug` (the latest if None)."""
        with reading(self.bind) as s:
            query = select(RegistryVersion).where(col(RegistryVersion.slug) == slug)
            if number is not None:
                query = query.where(col(RegistryVersion.version) == number)
            return s.execute(query.order_by(col(RegistryVersion.version).desc())).scalars().first()

    def every_adopter(self) -> list[Playbook]:
        """Every playbook adopted from a version, in the order of `adopters`: one query."""
        with reading(self.bind) as s:
            return list(s.execute(_EVERY_ADOPTER).scalars())

    def adopters(self, version_ids: list[int]) -> list[Playbook]:
        if not version_ids:
            return []
        with reading(self.bind) as s:
            return list(s.execute(_ADOPTERS_OF, {"ids": version_ids}).scalars())

    def versions_run(self, playbook_ids: list[int]) -> dict[int, list[int]]:
        """The registry versions (their ids) each adopting playbook has run, the one it
        adopted first, then each it upgraded to: from its adoption and upgrade decisions."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(_VERSIONS_RUN, {"pids": playbook_ids}).all()
        run: dict[int, list[int]] = {pid: [] for pid in playbook_ids}
        for pid, figures in rows:
            version_id = (figures or {}).get("version_id")
            if isinstance(version_id, int) and version_id not in run[pid]:
                run[pid].append(version_id)
        return run

    def replication_verdicts(self, playbook_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Each adopting playbook's replication verdicts, oldest first: the figures of its
        decision rows (cycle, verdict and the numbers that decided it)."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(_REPLICATION_OF, {"pids": playbook_ids}).all()
        verdicts: dict[int, list[dict[str, Any]]] = {pid: [] for pid in playbook_ids}
        for pid, figures in rows:
            verdicts[pid].append(figures or {})
        return verdicts

    def wave_reviews(self, version_ids: list[int]) -> dict[int, dict[int, WaveReview]]:
        """The waves marked reviewed, by version then wave."""
        if not version_ids:
            return {}
        marks: dict[int, dict[int, WaveReview]] = {vid: {} for vid in version_ids}
        with reading(self.bind) as s:
            rows = s.execute(select(WaveReview).where(one_of(col(WaveReview.version_id), "ids")), {"ids": version_ids})
            for row in rows.scalars():
                marks[row.version_id][row.wave] = row
        return marks

    def mark_wave(self, review: WaveReview) -> None:
        """A playbook's wave's learnings marked reviewed. Raises WaveMarked if the wave was
        marked already, through any version (by a mark at the same moment too: one per
        playbook and wave, uq_wave_review_playbook_wave): the unit of work writes nothing."""
        try:
            with joined(self.bind) as s:
                s.add(review)
                s.flush()
        except IntegrityError as err:
            raise WaveMarked(f"wave {review.wave} of version {review.version_id} was marked a moment ago") from err

    def next_version(self, playbook_id: int) -> int:
        with reading(self.bind) as s:
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
        proposal_key: str | None = None,
        learnings: list[dict[str, Any]] | None = None,
        override_reason: str | None = None,
        over_readiness: dict[str, Any] | None = None,
    ) -> RegistryVersion:
        """Registry version `number` (from next_version) of a playbook, immutable from here,
        with the origin's `learnings` (newest first), settling the scale proposal
        `proposal_key` if open. Raises StaleState if another publication took the number
        first: the unit of work writes nothing."""
        try:
            with joined(self.bind) as s:
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
                    override_reason=override_reason,
                    over_readiness=over_readiness,
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
            return version
        except IntegrityError as err:
            raise StaleState(f"version {number} was published by someone else a moment ago") from err

    # ---- an adopter moving to a newer version ----

    def upgrade(
        self,
        spec: PlaybookSpec,
        playbook_id: int,
        from_version_id: int,
        to: RegistryVersion,
        org_timezone: str,
        by: str,
        at: datetime,
    ) -> LoadOutcome:
        """An adopting playbook moved from version `from_version_id` to `to`: its
        definition, columns and steps as `playbook load` updates them (a step's mode only
        where the version declares another) and its origin version; the outcome's decisions
        are the caller's. Raises StaleState if it no longer runs `from_version_id` (moved by
        someone else a moment ago): the unit of work writes nothing."""
        with joined(self.bind) as s:
            moved = s.exec(
                update(Playbook)
                .where(col(Playbook.id) == playbook_id, col(Playbook.adopted_from_id) == from_version_id)
                .values(adopted_from_id=to.id)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not moved:
                raise StaleState(f"playbook {playbook_id} no longer runs version {from_version_id}")
            return load_one(s, spec, org_timezone, by, at)
