"""Requests to adopt (docs/playbooks.md, "Requests"): a team asks the curators for a registry
version in its channel, with its champion and its answers; the curators channel gets one
card, with Approve (the same adopt as `/rollout adopt`, the requester its owner) and
Decline (a reason the requester and the champion get by DM). One pending request per
channel and version; each request and its outcome is a decision row on the origin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cadence import decisions, keys, registry_decisions
from cadence.change import Change, Message
from storage.models.governance import AdoptionRequest, RegistryVersion
from storage.store import CURATORS_CHANNEL, RequestPending, Store
from templates import notices_registry
from templates.refusals import Refusal, slack
from usecases.shared import adoption, awaiting, second_person, waves
from usecases.shared.messages import Adopt, RequestAdoption
from usecases.shared.roles import channel, require_curator, user

_ANSWERS = ("why", "similar", "context", "capacity")
# The refusals of an approval that a curator's reason passes (adoption.adopt's `override`):
# the phase (usecases/shared/phases.py), the wave, the team's load, a close match in a function new to
# the team (usecases/shared/adopt_offer.py).
OVERRIDABLE = ("adopt_phase_piloting", "adopt_phase_assessed", "adopt_wave", "adopt_load", "request_similar")
_NUMBERS = ("baseline", "target", "timezone", "exception_cap", "rubric_threshold")


def answers_of(cmd: RequestAdoption) -> dict[str, Any]:
    """What the request keeps of the team's answers and numbers (those given)."""
    given = {k: v for k, v in asdict(cmd).items() if k in (*_ANSWERS, *_NUMBERS) and v not in (None, "")}
    if cmd.starts_on is not None:
        given["starts_on"] = cmd.starts_on.isoformat()
    return given


def _where(request: AdoptionRequest) -> str:
    return f"#{request.channel_name}" if request.channel_name else request.channel_id


def card(
    store: Store,
    request: AdoptionRequest,
    version: RegistryVersion,
    refusal: str | None = None,
    overridable: bool = False,
) -> dict[str, Any]:
    """The curators' card: the version's results and its wave, the team's answers, and
    the buttons while it is pending (with a refusal on approve shown on it, and when an
    override passes that refusal, `overridable`, the button that asks its reason)."""
    return notices_registry.request_card(
        id=str(request.id),
        slug=version.slug,
        version=version.version,
        channel=request.channel_id,
        requester=request.requester_id,
        champion=request.champion_id,
        answers=request.answers,
        results=version.cycle_results,
        wave=waves.shown(waves.state(store, version)),
        status=request.status,
        decided_by=request.decided_by,
        reason=request.reason,
        adopted=request.adopted_slug,
        refusal=refusal,
        overridable=overridable,
        ask=adoption.target_ask(version, request.answers.get("baseline"), request.answers.get("target")),
    )


def check(store: Store, cmd: RequestAdoption) -> tuple[RegistryVersion, str]:
    """Whether the request may go, storing nothing: the version, what its kit lets the team
    set, no pending request for the channel and version, no adoption running there, a
    curators channel to send the card to. The version and that channel; else Refusal."""
    version = adoption.find_version(store, cmd.playbook, cmd.version, "request")
    adoption.check_overrides(version, cmd, "request")
    waiting = store.registry.pending_request(version.id, cmd.channel_id)
    if waiting is not None:
        raise _pending(waiting, version)
    running = store.registry.adoption_in(cmd.channel_id, version.playbook_id)
    if running is not None:
        raise Refusal.of(
            "adopt_twice", usage="request", channel=channel(cmd.channel_id), slug=running, origin=version.slug
        )
    curators = store.org.setting(CURATORS_CHANNEL)
    if not curators:
        raise Refusal.of("request_no_curators", usage="request")
    return version, curators


def submit(store: Store, cmd: RequestAdoption, by: str, now: datetime) -> AdoptionRequest:
    """A request by anyone, checked (`check`); then the card."""
    version, curators = check(store, cmd)
    return _asked(store, version, curators, cmd.channel_id, cmd.channel_name, cmd.champion_id, answers_of(cmd), by, now)


@dataclass(frozen=True)
class AskedPast:
    """An adoption asked of another curator: the version, the team's channel and what the
    asker's reason would pass (its wave, the team's load, close matches)."""

    slug: str
    version: int
    channel: str
    past: list[str]


def ask_if_past(store: Store, cmd: Adopt, by: str, now: datetime) -> AskedPast | None:
    """`/rollout adopt … override <reason>` (or an offer's *Adopt … anyway* with its reason)
    past its wave, the team's load or close matches: never the asker alone. A request on the
    curators' card like a team's own, asked by the curator with their reason, the adoption's
    numbers and owner kept; a curator other than the asker approves it (`approve`), the
    same adopt then. None: no reason given, or it would pass nothing (the adopt goes on)."""
    reason = cmd.override or (cmd.offered.anyway if cmd.offered is not None else None)
    past = adoption.overrides_needed(store, cmd, now) if reason is not None else []
    if not past:
        return None
    version = adoption.find_version(store, cmd.playbook, cmd.version, "adopt")
    curators = store.org.setting(CURATORS_CHANNEL)
    if not curators:
        raise Refusal.of("request_no_curators", usage="adopt")
    given = {k: getattr(cmd, k) for k in _NUMBERS if getattr(cmd, k, None) not in (None, "")}
    if cmd.starts_on is not None:
        given["starts_on"] = cmd.starts_on.isoformat()
    owner = cmd.owner_id or by
    answers = {**given, "why": reason, "override": reason, "past": past, "owner": owner}
    if cmd.champion_id is None:
        answers["champion_default"] = True  # none named: the new owner, as adopt says it
    champion = cmd.champion_id or owner
    _asked(store, version, curators, cmd.channel_id, cmd.channel_name, champion, answers, by, now)
    return AskedPast(version.slug, version.version, cmd.channel_id, past)


def _asked(
    store: Store,
    version: RegistryVersion,
    curators: str,
    channel_id: str,
    channel_name: str | None,
    champion_id: str,
    answers: dict[str, Any],
    by: str,
    now: datetime,
) -> AdoptionRequest:
    """The request stored pending with its decision row and its card to the curators, in
    one unit of work; another pending for the channel and version refuses it, naming it."""
    request = AdoptionRequest(
        version_id=version.id,
        channel_id=channel_id,
        channel_name=channel_name,
        requester_id=by,
        champion_id=champion_id,
        answers=answers,
        card_key=keys.to_audience(f"request:{version.id}:{channel_id}:{now.isoformat()}", "curators"),
        created_at=now,
    )
    record = registry_decisions.of_request(
        version.playbook_id,
        version.slug,
        version.version,
        _where(request),
        by,
        {"version_id": version.id, "channel": channel_id, "champion": champion_id, **answers},
    )
    try:
        with store.unit_of_work() as uow:
            stored = uow.registry.add_request(request)
            posted = Message(stored.card_key, "chat.postMessage", curators, card(uow, stored, version))
            uow.governance.apply(Change(decisions=[record], messages=[posted]), now)
            uow.commit()
        return stored
    except RequestPending:  # another request for the channel and version a moment ago
        waiting = store.registry.pending_request(version.id, channel_id)
        if waiting is None:
            raise Refusal.of("request_decided_now") from None
        raise _pending(waiting, version) from None


def _pending(pending: AdoptionRequest, version: RegistryVersion) -> Refusal:
    return Refusal.of(
        "request_pending",
        usage="request",
        channel=channel(pending.channel_id),
        slug=version.slug,
        version=version.version,
        requester=user(pending.requester_id),
        day=pending.created_at.date().isoformat(),
    )


def pending(
    store: Store, request_id: int, by: str, admins: frozenset[str] = frozenset()
) -> tuple[AdoptionRequest, RegistryVersion]:
    """The pending request a curator decides; one a curator asked past a wave, a load or
    close matches (`override` in its answers) also by an admin where the rule of the second
    person lets one (a single curator: usecases/shared/second_person.py)."""
    request = store.registry.request(request_id)
    past = request is not None and bool(request.answers.get("override"))
    if not (past and request is not None and second_person.may_decide(store, admins, request.requester_id, by)):
        require_curator(store, by, Refusal.of("curators_decide_requests"))
    if request is None:
        raise Refusal.of("request_unknown")
    if request.status != "pending":
        raise Refusal.of("request_decided", status=request.status, by=user(request.decided_by or "?"))
    version = store.registry.versions_by_id([request.version_id]).get(request.version_id)
    if version is None:
        raise Refusal.of("request_unknown")
    return request, version


def _card_update(
    store: Store, request: AdoptionRequest, version: RegistryVersion, now: datetime, **shown: Any
) -> Message:
    curators = store.org.setting(CURATORS_CHANNEL) or request.channel_id
    tag = f"{request.status}:{now.isoformat()}"
    return awaiting.redrawn(request.card_key, tag, curators, card(store, request, version, **shown))


def approve(
    store: Store,
    request_id: int,
    by: str,
    now: datetime,
    org_timezone: str,
    web_url: str | None,
    override: str | None = None,
    bot_in_channel: Callable[[str], None] | None = None,
    admins: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Approve: the same adopt as `/rollout adopt` (the kit's may_change, the wave, the
    team's load, a close match in a function new to the team; with `override` a curator's
    reason past them, kept), the requester its owner and the champion
    recorded, once `bot_in_channel` (Slack's answer) finds the bot in the team's channel. A
    refusal is shown on the card as well as to the curator. Of two approvals
    at once one adopts (Playbooks.adopt takes the request in its transaction)."""
    request, version = pending(store, request_id, by, admins)
    answers = request.answers
    asked = answers.get("override")  # `/rollout adopt … override` past its wave, load or matches
    if (asked or override) and not second_person.may_decide(store, admins, request.requester_id, by):
        raise Refusal.of("request_own_override")  # never the asker alone
    override = override or asked
    starts = answers.get("starts_on")
    cmd = Adopt(
        version.slug,
        version.version,
        request.channel_id,
        request.channel_name,
        answers.get("owner") or request.requester_id,
        baseline=answers.get("baseline"),
        target=answers.get("target"),
        timezone=answers.get("timezone"),
        starts_on=datetime.fromisoformat(starts).date() if starts else None,
        exception_cap=answers.get("exception_cap"),
        rubric_threshold=answers.get("rubric_threshold"),
        override=override,
        champion_id=None if answers.get("champion_default") else request.champion_id,
    )

    def outcome(slug: str) -> tuple[decisions.Decision, list[Message]]:
        approved = AdoptionRequest(
            **{**request.model_dump(), "status": "approved", "decided_by": by, "adopted_slug": slug}
        )
        record = registry_decisions.of_request_outcome(
            version.playbook_id,
            version.slug,
            version.version,
            _where(request),
            True,
            by,
            {"request": request.id, "adopted": slug, "override": override},
        )
        return record, [_card_update(store, approved, version, now)]

    try:
        if bot_in_channel is not None:
            bot_in_channel(request.channel_id)
        return adoption.adopt(store, cmd, by, now, org_timezone, web_url, adoption.Approval(request.id, outcome))
    except Refusal as refusal:
        if refusal.key != "request_decided_now":  # drawn only while still pending: decided, its card says so
            shown = _card_update(
                store, request, version, now, refusal=slack(refusal), overridable=refusal.key in OVERRIDABLE
            )
            redraw_card(store, request.id, shown, now)
        raise


def decline(store: Store, request_id: int, by: str, reason: str, now: datetime) -> None:
    """Decline with a reason: the requester and the champion get it by DM, the card says so."""
    request, version = pending(store, request_id, by)
    declined = AdoptionRequest(**{**request.model_dump(), "status": "declined", "decided_by": by, "reason": reason})
    record = registry_decisions.of_request_outcome(
        version.playbook_id,
        version.slug,
        version.version,
        _where(request),
        False,
        by,
        {"request": request.id, "reason": reason},
    )
    told = notices_registry.request_declined(
        slug=version.slug, version=version.version, channel=request.channel_id, by=by, reason=reason
    )
    messages = [_card_update(store, declined, version, now)] + [
        Message(keys.to_audience(f"request-declined:{request.id}", person), "chat.postMessage", person, told)
        for person in dict.fromkeys((request.requester_id, request.champion_id))
    ]
    change = Change(decisions=[record], messages=messages)
    if not awaiting.written(store, lambda uow: uow.registry.decline(request.id, by, now, reason), change, now):
        raise Refusal.of("request_decided_now")


def redraw_card(store: Store, request_id: int, card: Message, now: datetime) -> bool:
    """A pending request's card redrawn (a refusal on approve shown on it), while its row is
    locked: an approval committed meanwhile keeps the card it drew, which a refusal read
    before that commit would otherwise draw over. Whether it was redrawn."""
    with store.unit_of_work() as uow:
        if not uow.registry.still_pending(request_id):
            return False
        uow.outbox.enqueue([card], now)
        uow.commit()
    return True
