"""A request awaiting a second person, the one machine of the use cases: asked and opened
(stored open, replacing the playbook's open one, whose card is redrawn; its decision row
and card), a click checked (never the asker; the rest usecases/shared/second_person.py's
rule), void once its playbook is gone, retired or handed over, decided by one conditional
write (of two clicks one decides), its card redrawn. A `Kind` brings its table, card and
refusals: the bar change requests (usecases/bar_requests.py; `/rollout mode` up and a
file's among them) and the requests to publish over readiness (shared/publish_requests.py).
The adoptions asked past a wave, a team's load or close matches (shared/requests.py) take
its redraw and conditional write: their table refuses a second pending request instead of
replacing it. Stored by storage/awaiting.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from cadence import keys
from cadence.change import Change, Message
from cadence.state import PlaybookState
from storage.models.governance import BarRequest, PublishRequest
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared import second_person
from usecases.shared.caller import Caller

R = TypeVar("R", BarRequest, PublishRequest)


@dataclass(frozen=True)
class Kind(Generic[R]):
    """A kind of request: its card's key (`<key>:<id>`), its row (`model`), its table in a
    store (get, ask, decide, refound: storage/awaiting.py), its card (`draw(store, request,
    state, **shown)`), the refusals of a click, each a Refusal made with its key written out
    so tests/templates/test_refusals.py sees it (`unknown`; `decided`; `own`: the asker's;
    `others`: not among those who decide; `owner`: set where the playbook's owner may not
    decide either; `outsiders`: set where anyone neither curator nor admin is refused
    before the request is read), and what of its first drawing's `shown` the redraw of a
    card it replaced keeps (a bar change request's redraws name no admins)."""

    key: str
    model: type[R]
    table: Callable[[Store], Any]
    draw: Callable[..., dict[str, Any]]
    unknown: Callable[[], Refusal]
    decided: Callable[[str], Refusal]  # given the request's state
    own: Callable[[], Refusal]
    others: Callable[[], Refusal]
    owner: Callable[[], Refusal] | None = None
    outsiders: Callable[[], Refusal] | None = None
    redrawn: tuple[str, ...] = ()


def redrawn(card_key: str, tag: str, channel: str, card: dict[str, Any]) -> Message:
    """A card drawn again over the one posted as `card_key` (`tag`: this drawing, once)."""
    return Message(keys.updated(card_key, tag), "chat.update", channel, {"ts_of": card_key, **card})


def card_update(
    kind: Kind[R], store: Store, request: R, state: PlaybookState | None, now: datetime, **shown: Any
) -> Message:
    """`request`'s card as it stands (`state`: its playbook now, None: gone)."""
    card = kind.draw(store, request, state, **shown)
    return redrawn(request.card_key, f"{request.state}:{now.isoformat()}", request.card_channel, card)


def asked(kind: Kind[R], state: PlaybookState, by: str, reason: str, channel: str, now: datetime, **values: Any) -> R:
    """A new request of `state`'s playbook by `by`, its card to `channel` (its key its id's,
    once stored: `opened`), with what its kind keeps (`values`)."""
    playbook = state.playbook
    return kind.model(
        playbook_id=playbook.id,
        owner_id=playbook.owner_id,
        asked_by=by,
        asked_at=now,
        reason=reason,
        card_channel=channel,
        card_key=f"{kind.key}:new",
        **values,
    )


def opened(
    kind: Kind[R],
    uow: Store,
    request: R,
    record: Any,
    state: PlaybookState,
    now: datetime,
    replaced: list[R] | None = None,
    **shown: Any,
) -> None:
    """`request` stored open in the caller's unit of work, replacing the playbook's open one
    (`replaced`: what the caller's own write replaced instead), with its decision row
    (`record`), its card to `request.card_channel` and each replaced card redrawn."""
    if replaced is None:
        old = kind.table(uow).ask(request, now)
        replaced = [] if old is None else [old]
    request.card_key = keys.to_audience(f"{kind.key}:{request.id}", "curators")  # written with the commit
    card = kind.draw(uow, request, state, **shown)
    messages = [Message(request.card_key, "chat.postMessage", request.card_channel, card)]
    kept = {name: value for name, value in shown.items() if name in kind.redrawn}
    messages += [card_update(kind, uow, old, state, now, **kept) for old in replaced]
    uow.governance.apply(Change(decisions=[record], messages=messages), now)


def clicked(
    kind: Kind[R], caller: Caller, value: object, states: tuple[str, ...] = ("open",)
) -> tuple[R, PlaybookState | None]:
    """The request a click is about (`states`: those it may be in), checked on the click:
    never its asker (nor, for a kind that says so, the playbook's owner), else whom the rule
    of the second person lets decide. With its playbook now (None: gone)."""
    store = caller.store
    if kind.outsiders is not None and not (store.org.is_curator(caller.user_id) or caller.is_admin()):
        raise kind.outsiders()
    request_id = keys.read_id(value)
    request: R | None = kind.table(store).get(request_id) if request_id is not None else None
    if request is None:
        raise kind.unknown()
    if request.state not in states:
        raise kind.decided(request.state)
    state = store.playbooks.state_by_id(request.playbook_id)
    if request.asked_by == caller.user_id:
        raise kind.own()
    owner = request.owner_id if kind.owner is not None else None
    if kind.owner is not None and caller.user_id in (owner, state.playbook.owner_id if state else None):
        raise kind.owner()
    if caller.user_id not in second_person.deciders(store, caller.services.admins, request.asked_by, owner):
        raise kind.others()
    return request, state


def void_reason(request: R, state: PlaybookState | None) -> str | None:
    """Why a request is void now (its playbook removed, retired or handed over), or None."""
    if state is None:
        return "the playbook was removed"
    if state.playbook.status == "retired":
        return "the playbook was retired"
    if state.playbook.owner_id != request.owner_id:
        return "the playbook was handed over to another owner"
    return None


def voided(
    kind: Kind[R],
    caller: Caller,
    request: R,
    state: PlaybookState | None,
    was: str = "open",
    why: str | None = None,
    **shown: Any,
) -> bool:
    """`request` moved from `was` to void, its card saying why (`why`, else `void_reason`:
    None, it is not void): whether it was void."""
    why = why or void_reason(request, state)
    if why is None:
        return False
    void(kind, caller.store, caller.now, request, state, why, was, **shown)
    return True


def void(
    kind: Kind[R],
    store: Store,
    now: datetime,
    request: R,
    state: PlaybookState | None,
    why: str | None,
    was: str,
    **shown: Any,
) -> None:
    """`request` moved from `was` to void, its card saying `why` (the clock's, for an
    approved request that can no longer apply, as a click's)."""
    gone = type(request)(**{**request.model_dump(), "state": "void"})
    update = card_update(kind, store, gone, state, now, void=why, **shown)
    decide(kind, store, request.id, "void", now, Change(messages=[update]), was)


def decide(
    kind: Kind[R],
    store: Store,
    request_id: int,
    state: str,
    now: datetime,
    change: Change,
    was: str = "open",
    **values: Any,
) -> bool:
    """The request moved from `was` to `state` with `values`, and `change`'s decisions and
    messages, in one unit of work; False, nothing written, if a click moved it a moment ago."""
    return written(store, lambda uow: bool(kind.table(uow).decide(request_id, state, now, was, **values)), change, now)


def refound(kind: Kind[R], store: Store, request_id: int, found: list[Any], card: Message, now: datetime) -> None:
    """What a click found since kept on the open request (`found`: its kind's column), its
    card redrawn with it; nothing, if it is no longer open."""
    written(store, lambda uow: bool(kind.table(uow).refound(request_id, found)), Change(messages=[card]), now)


def written(store: Store, write: Callable[[Store], bool], change: Change, now: datetime) -> bool:
    """`write` (a conditional one: False, it found the request moved) and, if it wrote,
    `change`, in one unit of work: whether it wrote."""
    with store.unit_of_work() as uow:
        if not write(uow):
            return False
        uow.governance.apply(change, now)
        uow.commit()
    return True
