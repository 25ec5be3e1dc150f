"""Publishing over readiness needs a second person (docs/usage.md, "Publishing over
readiness"): `/rollout publish <playbook> override <reason>` over missing readiness
criteria is a request, decided by a curator who is neither the playbook's owner nor the
asker (where there is none, an admin who is neither); where nobody may decide yet it waits
and its card says so. A kind of usecases/shared/awaiting.py's request, as a bar change
request is: one open a playbook, a later one replacing it, the card in the curators
channel (the team's without one) with Publish and Decline. The click is
usecases/publish_over.py's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cadence.change import Message
from cadence.decisions import Decision, DecisionKind
from cadence.state import PlaybookState
from storage.models.governance import PublishRequest
from storage.store import CURATORS_CHANNEL, Store
from templates import criterion_phrase, notices_registry
from templates.refusals import Refusal
from usecases.shared import awaiting, registry_list, second_person


def card(
    store: Store,
    request: PublishRequest,
    state: PlaybookState | None,
    admins: frozenset[str],
    found: Sequence[str] = (),
    void: str | None = None,
) -> dict[str, Any]:
    playbook = state.playbook if state is not None else None
    return notices_registry.publish_card(
        id=str(request.id),
        slug=playbook.slug if playbook else str(request.playbook_id),
        title=playbook.title if playbook else "",
        owner=request.owner_id,
        asked_by=request.asked_by,
        criteria=[criterion_phrase(c) for c in request.criteria],
        reason=request.reason,
        state=request.state,
        nobody=not second_person.deciders(store, admins, request.asked_by, request.owner_id),
        decided_by=request.decided_by,
        version=request.version,
        found=found,
        void_reason=void,
        # what a version published now would carry, beside the criteria (issue 108, item 9)
        assessment=registry_list.assessed_now(store, [request.playbook_id])[request.playbook_id],
    )


PUBLISH: awaiting.Kind[PublishRequest] = awaiting.Kind(
    key="publish-request",
    model=PublishRequest,
    table=lambda store: store.publish_requests,
    draw=card,
    unknown=lambda: Refusal.of("publish_request_unknown"),
    decided=lambda state: Refusal.of("publish_request_decided", state=state),
    own=lambda: Refusal.of("publish_own_request"),
    others=lambda: Refusal.of("publish_deciders_only"),
    owner=lambda: Refusal.of("publish_owner_decides"),
    redrawn=("admins",),
)


def card_update(
    store: Store,
    request: PublishRequest,
    state: PlaybookState | None,
    admins: frozenset[str],
    now: datetime,
    **shown: Any,
) -> Message:
    return awaiting.card_update(PUBLISH, store, request, state, now, admins=admins, **shown)


def ask(
    store: Store,
    state: PlaybookState,
    not_met: list[dict[str, Any]],
    reason: str,
    by: str,
    now: datetime,
    admins: frozenset[str],
) -> dict[str, Any]:
    """The request, stored open (replacing the playbook's open one, whose card says so),
    its decision row and its card; the asker's reply."""
    playbook = state.playbook
    channel = store.org.setting(CURATORS_CHANNEL) or playbook.channel_id  # without a curators channel the team's
    request = awaiting.asked(PUBLISH, state, by, reason, channel, now, criteria=not_met)
    names = ", ".join(c["name"] for c in not_met)
    record = Decision(
        kind=DecisionKind.PUBLISH_REQUESTED,
        actor=by,
        playbook_id=playbook.id,
        summary=f"Publishing {playbook.slug} over readiness asked ({len(not_met)} not met: {names}), "
        f"waiting for a curator who is neither the owner nor the asker. Why: {reason}",
        figures={"not_met": [c["name"] for c in not_met], "reason": reason},
    )
    with store.unit_of_work() as uow:
        awaiting.opened(PUBLISH, uow, request, record, state, now, admins=admins)
        uow.commit()
    nobody = not second_person.deciders(store, admins, by, playbook.owner_id)
    return notices_registry.publish_asked(
        slug=playbook.slug, criteria=[criterion_phrase(c) for c in not_met], channel=channel, nobody=nobody
    )
