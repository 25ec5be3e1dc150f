"""Webhooks from the command line (`rollout webhook add|list|remove|test`): other systems
told of what the bot decides (docs/webhooks.md). The signing secret is made here, shown
once by the caller, and kept only in storage's sealed form."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

from cadence import webhooks
from storage.models.webhooks import Webhook
from storage.store import Store
from storage.webhooks import Listed, NameTaken
from templates.refusals import close_matches

SECRET_BYTES = 32  # Standard Webhooks: between 24 and 64 bytes


class WebhookRefused(ValueError):
    """What the command line refuses, in one sentence."""


@dataclass(frozen=True)
class Added:
    webhook: Webhook
    secret: str  # shown once, by the caller


def new_secret() -> str:
    """`whsec_` and base64, as Standard Webhooks libraries take it."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def add(
    store: Store, name: str, url: str, events: list[str] | None, playbooks: list[str], by: str, now: datetime
) -> Added:
    """A webhook told of `events` (None: all of them) on `playbooks` (empty: every one)."""
    if not webhooks.NAME.match(name):
        raise WebhookRefused(f"{name!r}: name a webhook with lowercase letters, digits and '-', at most 40 characters")
    try:
        webhooks.check_url(url)
        wanted = webhooks.check_events(events) if events is not None else list(webhooks.EVENTS)
    except ValueError as err:
        raise WebhookRefused(str(err)) from None
    if not wanted:
        raise WebhookRefused("--events names no event: leave it out for all of them")
    if playbooks:
        slugs = store.playbooks.slugs()
        for slug in playbooks:
            if slug not in slugs:
                near = close_matches(slug, slugs)
                raise WebhookRefused(
                    f"there is no playbook {slug!r}" + (f" (did you mean {', '.join(near)}?)" if near else "")
                )
    secret = new_secret()
    try:
        with store.unit_of_work() as uow:
            row = uow.webhooks.add(name, url, wanted, sorted(set(playbooks)) or None, secret, by, now)
            uow.commit()
    except NameTaken:
        raise WebhookRefused(f"a webhook named {name!r} exists: remove it first, or choose another name") from None
    return Added(row, secret)


def listing(store: Store) -> list[Listed]:
    return store.webhooks.listed()


def remove(store: Store, name: str) -> None:
    with store.unit_of_work() as uow:
        if not uow.webhooks.remove(name):
            raise WebhookRefused(_unknown(uow, name))
        uow.commit()


def send_test(store: Store, name: str, now: datetime) -> str:
    """A `test` event to the webhook, waiting with its other deliveries; its event id."""
    row = store.webhooks.find(name)
    if row is None:
        raise WebhookRefused(_unknown(store, name))
    with store.unit_of_work() as uow:
        event_id = uow.webhooks.enqueue_test(row, now)
        uow.commit()
    return event_id


def _unknown(store: Store, name: str) -> str:
    near = close_matches(name, store.webhooks.names())
    hint = f" (did you mean {', '.join(near)}?)" if near else " (`rollout webhook list` shows them)"
    return f"there is no webhook {name!r}{hint}"
