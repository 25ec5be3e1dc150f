"""The registry in memory: what storage/registry.py's Registry answers and keeps, and
refuses as the database does: a second pending request for a channel and version
(RequestPending), an adoption past its wave (WaveFull), of a request decided meanwhile
(RequestDecided), of an origin the channel runs already or under a slug taken (Conflict),
a version number taken or an upgrade from a version no longer run (StaleState), a wave
marked twice (WaveMarked). Whatever it raises, it has written nothing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from cadence import state as domain
from cadence.decisions import DecisionKind
from cadence.definition import PlaybookSpec
from storage.governance_rows import StaleState
from storage.models.governance import AdoptionRequest, RegistryVersion, WaveReview
from storage.models.playbooks import Playbook
from storage.playbook_definitions import LoadOutcome
from storage.store import Conflict, RequestDecided, RequestPending, WaveFull, WaveMarked
from tests.fakes.playbooks import clone, new_state, next_id, rewritten

if TYPE_CHECKING:
    from tests.fakes.store import Held


@dataclass
class RegistryData:
    """What the fake database holds of the registry (adopting playbooks are Held.states')."""

    versions: dict[int, RegistryVersion] = field(default_factory=dict)  # by id
    requests: dict[int, AdoptionRequest] = field(default_factory=dict)  # by id
    reviews: list[WaveReview] = field(default_factory=list)

    def copy(self) -> RegistryData:
        return RegistryData(dict(self.versions), dict(self.requests), list(self.reviews))


class FakeRegistry:
    def __init__(self, held: Held):
        self.held = held
        self.data = held.registry

    # ---- requests to adopt ----

    def add_request(self, request: AdoptionRequest) -> AdoptionRequest:
        if self.pending_request(request.version_id, request.channel_id) is not None:
            raise RequestPending(f"{request.channel_id} asked for version {request.version_id} a moment ago")
        request.id = next_id()
        self.data.requests[request.id] = request
        return request

    def pending_request(self, version_id: int, channel_id: str) -> AdoptionRequest | None:
        return next(
            (
                r
                for r in self.data.requests.values()
                if r.version_id == version_id and r.channel_id == channel_id and r.status == "pending"
            ),
            None,
        )

    def request(self, request_id: int) -> AdoptionRequest | None:
        return self.data.requests.get(request_id)

    def requests(self, version_ids: list[int]) -> list[AdoptionRequest]:
        wanted = set(version_ids)
        return sorted((r for r in self.data.requests.values() if r.version_id in wanted), key=lambda r: r.id)

    def decline(self, request_id: int, by: str, at: datetime, reason: str) -> bool:
        if not self.still_pending(request_id):
            return False
        self._decide(request_id, status="declined", decided_by=by, decided_at=at, reason=reason)
        return True

    def still_pending(self, request_id: int) -> bool:
        request = self.data.requests.get(request_id)
        return request is not None and request.status == "pending"

    def _decide(self, request_id: int, **values: Any) -> None:
        self.data.requests[request_id] = clone(self.data.requests[request_id], **values)

    # ---- adoptions ----

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
        if request_id is not None and not self.still_pending(request_id):
            raise RequestDecided(f"request {request_id} was decided a moment ago")
        lineage = [v.id for v in self.versions(playbook_id=version.playbook_id)]
        running = [p for p in self.adopters(lineage) if p.status != "retired"]
        if wave_limit is not None and len(running) >= wave_limit:
            raise WaveFull(f"{wave_limit} adopters of {version.slug} v{version.version} run already")
        taken = spec.playbook in self.held.states or any(
            s.playbook.channel_id == spec.channel
            and s.playbook.adopted_origin_id == version.playbook_id
            and s.playbook.status != "retired"
            for s in self.held.states.values()
        )
        if taken:
            raise Conflict(f"{spec.playbook} in {spec.channel}: adopted a moment ago")
        state = new_state(
            spec,
            org_timezone,
            at,
            adopted_from_id=version.id,
            adopted_origin_id=version.playbook_id,
            champion_id=champion_id,
        )
        if request_id is not None:
            self._decide(request_id, status="approved", decided_by=by, decided_at=at, adopted_slug=spec.playbook)
        self.held.put(state)
        return cast(Playbook, state.playbook)  # the fake holds model rows

    def adoption_in(self, channel_id: str, origin_playbook_id: int) -> str | None:
        for state in self.held.states.values():
            playbook = state.playbook
            version = self.data.versions.get(playbook.adopted_from_id or 0)
            if (
                version is not None
                and playbook.channel_id == channel_id
                and version.playbook_id == origin_playbook_id
                and playbook.status != "retired"
            ):
                return playbook.slug
        return None

    # ---- versions, their adopters and how they replicate ----

    def versions(self, playbook_id: int | None = None, function: str | None = None) -> list[RegistryVersion]:
        return sorted(
            (
                v
                for v in self.data.versions.values()
                if (playbook_id is None or v.playbook_id == playbook_id)
                and (function is None or v.function.lower() == function.lower())
            ),
            key=lambda v: (v.slug, v.version),
        )

    def versions_by_id(self, version_ids: list[int]) -> dict[int, RegistryVersion]:
        return {i: self.data.versions[i] for i in version_ids if i in self.data.versions}

    def version(self, slug: str, number: int | None) -> RegistryVersion | None:
        found = [v for v in self.data.versions.values() if v.slug == slug and number in (None, v.version)]
        return max(found, key=lambda v: v.version, default=None)

    def every_adopter(self) -> list[domain.Playbook]:
        return sorted(
            (s.playbook for s in self.held.states.values() if s.playbook.adopted_from_id is not None),
            key=lambda p: p.id,
        )

    def adopters(self, version_ids: list[int]) -> list[domain.Playbook]:
        wanted = set(version_ids)
        return [p for p in self.every_adopter() if p.adopted_from_id in wanted]

    def _figures(self, playbook_ids: list[int], *kinds: str) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in playbook_ids}
        for row in sorted(self.held.decisions, key=lambda d: d.get("id", 0)):
            if row.get("playbook_id") in found and row["kind"] in kinds:
                found[row["playbook_id"]].append(row.get("figures") or {})
        return found

    def versions_run(self, playbook_ids: list[int]) -> dict[int, list[int]]:
        run: dict[int, list[int]] = {}
        for pid, figures in self._figures(playbook_ids, DecisionKind.ADOPTED, DecisionKind.UPGRADED).items():
            run[pid] = []
            for f in figures:
                if isinstance(f.get("version_id"), int) and f["version_id"] not in run[pid]:
                    run[pid].append(f["version_id"])
        return run

    def replication_verdicts(self, playbook_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        return self._figures(playbook_ids, DecisionKind.REPLICATION)

    def wave_reviews(self, version_ids: list[int]) -> dict[int, dict[int, WaveReview]]:
        marks: dict[int, dict[int, WaveReview]] = {vid: {} for vid in version_ids}
        for review in self.data.reviews:
            if review.version_id in marks:
                marks[review.version_id][review.wave] = review
        return marks

    def mark_wave(self, review: WaveReview) -> None:
        if any(r.playbook_id == review.playbook_id and r.wave == review.wave for r in self.data.reviews):
            raise WaveMarked(f"wave {review.wave} of version {review.version_id} was marked a moment ago")
        review.id = next_id()
        self.data.reviews.append(review)

    def next_version(self, playbook_id: int) -> int:
        return max((v.version for v in self.versions(playbook_id=playbook_id)), default=0) + 1

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
        if any(v.version == number for v in self.versions(playbook_id=playbook_id)):
            raise StaleState(f"version {number} was published by someone else a moment ago")
        state = next(s for s in self.held.states.values() if s.playbook.id == playbook_id)
        version = RegistryVersion(
            id=next_id(),
            playbook_id=playbook_id,
            version=number,
            slug=state.playbook.slug,
            function=state.playbook.function,
            definition=definition,
            cycle_results=cycle_results,
            scale_rule_held=scale_rule_held,
            published_by=by,
            published_at=at,
            learnings=learnings or [],
            override_reason=override_reason,
            over_readiness=over_readiness,
        )
        self.data.versions[version.id] = version
        proposals = self.held.governance.proposals
        if proposal_key is not None and proposal_key in proposals and proposals[proposal_key].status == "open":
            proposals[proposal_key] = clone(proposals[proposal_key], status="published", decided_at=at, decided_by=by)
        return version

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
        state = next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)
        if state is None or state.playbook.adopted_from_id != from_version_id:
            raise StaleState(f"playbook {playbook_id} no longer runs version {from_version_id}")
        moved, outcome = rewritten(state, spec, org_timezone, by, at, adopted_from_id=to.id)
        self.held.put(replace(moved))
        return outcome
