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
from cadence.state import PlaybookState
from storage.models.governance import PublishRequest
from templates import criterion_phrase, notices_registry
from templates.refusals import Lines, Refusal
from usecases.shared import publish_requests, registry
from usecases.shared.caller import Caller


def _open(caller: Caller, value: object) -> tuple[PublishRequest, PlaybookState | None]:
    """The open request a click is about, checked on the click: never its asker, never the
    playbook's owner, else a curator (or, where no curator may, an admin)."""
    store = caller.store
    request_id = keys.read_id(value)
    request = store.publish_requests.get(request_id) if request_id is not None else None
    if request is None:
        raise Refusal.of("publish_request_unknown")
    if request.state != "open":
        raise Refusal.of("publish_request_decided", state=request.state)
    state = store.playbooks.state_by_id(request.playbook_id)
    if request.asked_by == caller.user_id:
        raise Refusal.of("publish_own_request")
    if caller.user_id in (request.owner_id, state.playbook.owner_id if state else None):
        raise Refusal.of("publish_owner_decides")
    if caller.user_id not in publish_requests.deciders(
        store, caller.services.admins, request.asked_by, request.owner_id
    ):
        raise Refusal.of("publish_deciders_only")
    return request, state


def _void(caller: Caller, request: PublishRequest, state: PlaybookState | None) -> bool:
    """A request whose playbook is gone, retired or handed over: void, its card says so."""
    why = (
        "the playbook was removed"
        if state is None
        else "the playbook was retired"
        if state.playbook.status == "retired"
        else "the playbook was handed over to another owner"
        if state.playbook.owner_id != request.owner_id
        else None
    )
    if why is None:
        return False
    store, now, admins = caller.store, caller.now, caller.services.admins
    void = PublishRequest(**{**request.model_dump(), "state": "void"})
    with store.unit_of_work() as uow:
        if uow.publish_requests.decide(request.id, "void", now):
            uow.governance.apply(
                Change(messages=[publish_requests.card_update(uow, void, state, admins, now, void=why)]), now
            )
        uow.commit()
    return True


def approve(caller: Caller, value: object) -> dict[str, Any] | None:
    """*Publish*: readiness read again now; more not met than the card showed refuses the
    click naming them (the card redrawn with them, the next click decides on what it shows);
    else published over readiness by the clicker, with the asker's reason: the announcement
    (None: the request was void)."""
    request, state = _open(caller, value)
    if _void(caller, request, state) or state is None:
        return None
    store, now, admins = caller.store, caller.now, caller.services.admins
    criteria = registry.criteria_now(store, [state], now)[state.playbook.id]
    shown = {c["name"] for c in request.criteria}
    fresh = [c for c in criteria if not c["met"] and c["name"] not in shown]
    if fresh:
        not_met = [c for c in criteria if not c["met"]]
        redrawn = PublishRequest(**{**request.model_dump(), "criteria": not_met})
        words = [criterion_phrase(c) for c in fresh]
        with store.unit_of_work() as uow:
            if uow.publish_requests.refound(request.id, not_met):
                update = publish_requests.card_update(uow, redrawn, state, admins, now, found=words)
                uow.governance.apply(Change(messages=[update]), now)
            uow.commit()
        raise Refusal.of("publish_found_since", found=Lines(tuple(words)))
    return registry.publish(store, state, caller.user_id, now, admins=admins, approved=request)


def decline(caller: Caller, value: object) -> None:
    """*Decline*: nothing is published; the card says so and the asker is told by DM."""
    request, state = _open(caller, value)
    if _void(caller, request, state):
        return
    store, now, admins, by = caller.store, caller.now, caller.services.admins, caller.user_id
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
    with store.unit_of_work() as uow:
        if not uow.publish_requests.decide(request.id, "declined", now, decided_by=by):
            raise Refusal.of("publish_decided_now")
        uow.governance.apply(Change(decisions=[record], messages=messages), now)
        uow.commit()
