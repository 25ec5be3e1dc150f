"""The click on a request to publish over readiness (usecases/shared/publish_requests.py):
*Publish* by a curator who is neither the playbook's owner nor the asker (where there is
none, an admin who is neither) reads readiness again at the click: a criterion not met now
that the card did not show refuses the click naming it, and the card is redrawn with it;
else the version is published over readiness, saying so wherever it is listed. *Decline*
publishes nothing and tells the asker."""

from __future__ import annotations

from typing import Any

from cadence import keys
from cadence.change import Change, Message
from cadence.decisions import Decision, DecisionKind
from storage.models.governance import PublishRequest
from templates import criterion_phrase, notices_registry
from templates.refusals import Lines, Refusal
from usecases.shared import awaiting, publish_requests, registry
from usecases.shared.caller import Caller
from usecases.shared.publish_requests import PUBLISH


def approve(caller: Caller, value: object) -> dict[str, Any] | None:
    """*Publish*: readiness read again now; more not met than the card showed refuses the
    click naming them (the card redrawn with them, the next click decides on what it shows);
    else published over readiness by the clicker, with the asker's reason: the announcement
    (None: the request was void)."""
    request, state = awaiting.clicked(PUBLISH, caller, value)
    store, now, admins = caller.store, caller.now, caller.services.admins
    if awaiting.voided(PUBLISH, caller, request, state, admins=admins) or state is None:
        return None
    criteria = registry.criteria_now(store, [state], now)[state.playbook.id]
    shown = {c["name"] for c in request.criteria}
    fresh = [c for c in criteria if not c["met"] and c["name"] not in shown]
    if fresh:
        not_met = [c for c in criteria if not c["met"]]
        redrawn = PublishRequest(**{**request.model_dump(), "criteria": not_met})
        words = [criterion_phrase(c) for c in fresh]
        update = publish_requests.card_update(store, redrawn, state, admins, now, found=words)
        awaiting.refound(PUBLISH, store, request.id, not_met, update, now)
        raise Refusal.of("publish_found_since", found=Lines(tuple(words)))
    return registry.publish(store, state, caller.user_id, now, admins=admins, approved=request)


def decline(caller: Caller, value: object) -> None:
    """*Decline*: nothing is published; the card says so and the asker is told by DM."""
    request, state = awaiting.clicked(PUBLISH, caller, value)
    store, now, admins, by = caller.store, caller.now, caller.services.admins, caller.user_id
    if awaiting.voided(PUBLISH, caller, request, state, admins=admins):
        return
    slug = state.playbook.slug if state else str(request.playbook_id)
    declined = PublishRequest(**{**request.model_dump(), "state": "declined", "decided_by": by})
    told = notices_registry.publish_asked(
        slug=slug, criteria=[criterion_phrase(c) for c in request.criteria], channel="", declined_by=by
    )
    record = Decision(
        kind=DecisionKind.PUBLISH_DECLINED,
        actor=by,
        playbook_id=request.playbook_id,
        summary=f"Publishing {slug} over readiness declined",
        figures={"request": request.id, "asked_by": request.asked_by},
    )
    messages = [
        publish_requests.card_update(store, declined, state, admins, now),
        Message(
            keys.to_audience(f"publish-declined:{request.id}", request.asked_by),
            "chat.postMessage",
            request.asked_by,
            told,
        ),
    ]
    if not awaiting.decide(
        PUBLISH, store, request.id, "declined", now, Change(decisions=[record], messages=messages), decided_by=by
    ):
        raise Refusal.of("publish_decided_now")
