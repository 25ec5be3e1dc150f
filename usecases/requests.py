"""The buttons and forms of a request's card (usecases/shared/requests.py): Approve, which
adopts once the bot is in the team's channel, and Decline with its reason. After either,
the curator's Home tab is redrawn."""

from __future__ import annotations

from dataclasses import dataclass

from cadence import keys
from templates.refusals import Refusal
from usecases import home
from usecases.shared import requests
from usecases.shared.caller import Caller
from usecases.shared.messages import RequestAdoption


def request_id(value: object) -> int:
    found = keys.read_id(value)
    if found is None:
        raise Refusal.of("request_unknown")
    return found


def may_go(caller: Caller, cmd: RequestAdoption) -> None:
    """`/rollout request` typed: every refusal now, storing nothing, before its form asks
    the expansion criteria (the form's answers then go to `commands.request`)."""
    caller.require_person(cmd.champion_id, "its champion", "request")
    requests.check(caller.store, cmd)


def approve(caller: Caller, value: str, override: str | None = None) -> None:
    services = caller.services
    requests.approve(
        caller.store,
        request_id(value),
        caller.user_id,
        caller.now,
        services.org_timezone,
        services.web_url,
        override,
        lambda channel_id: caller.require_bot_in(channel_id, "adopt"),
        services.admins,
    )
    _refresh(caller)


def decline(caller: Caller, value: str, reason: str) -> None:
    requests.decline(caller.store, request_id(value), caller.user_id, reason, caller.now)
    _refresh(caller)


def _refresh(caller: Caller) -> None:
    refresh = home.refresh(caller.store, caller.user_id, caller.now)
    if refresh is not None:
        with caller.store.unit_of_work() as uow:
            uow.outbox.enqueue([refresh], caller.now)
            uow.commit()


@dataclass(frozen=True)
class Asked:
    """What the reason form of a request says: which request, where, of what."""

    id: int
    channel_id: str
    slug: str


def reason_form(caller: Caller, value: str) -> Asked:
    """Decline or approve past a refusal a reason passes: curators only, and only while it is pending."""
    request, version = requests.pending(caller.store, request_id(value), caller.user_id)
    return Asked(request.id, request.channel_id, version.slug)
