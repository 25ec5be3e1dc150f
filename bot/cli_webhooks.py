"""`rollout webhook add|list|remove|test`: other systems told of what the bot decides
(docs/webhooks.md). bot/cli.py adds the group to the command line."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from bot import guide
from bot.startup import open_store, reading_clock, settings_or_exit
from cadence import webhooks as events
from usecases import operator
from usecases import webhooks as use

if TYPE_CHECKING:
    from outbound.webhooks import WebhookLane
    from storage.models.webhooks import WebhookDelivery
    from storage.store import Store

TEST_WAIT_SECONDS = 15.0  # how long `webhook test` waits for the receiver's answer


@click.group(help=f"Webhooks: decisions POSTed to other systems, signed ({guide.doc('webhooks.md')}).")
def webhook() -> None:
    pass


@webhook.command("add")
@click.argument("name")
@click.option("--url", required=True, help="Where events are POSTed: https:// (http:// only to this machine).")
@click.option(
    "--events",
    "wanted",
    default=None,
    help=f"The events to send, comma-separated (default: all): {', '.join(events.EVENTS)}.",
)
@click.option("--playbook", "playbooks", multiple=True, help="Only this playbook's events (repeat for more).")
def add(name: str, url: str, wanted: str | None, playbooks: tuple[str, ...]) -> None:
    """Add a webhook and print its signing secret, once."""
    store = open_store(settings_or_exit())
    chosen = None if wanted is None else [e.strip() for e in wanted.split(",") if e.strip()]
    try:
        added = use.add(store, name, url, chosen, list(playbooks), operator.COMMAND_LINE, reading_clock(store)())
    except use.WebhookRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(added.secret)
    scope = ", ".join(added.webhook.playbooks) if added.webhook.playbooks else "every playbook"
    click.echo(
        f"Webhook {name}: {', '.join(added.webhook.events)} on {scope}, to {url}. The line above is its signing "
        "secret, shown this once: give it to the receiver, which verifies each event with a Standard Webhooks "
        f"library ({guide.doc('webhooks.md')}).",
        err=True,
    )


@webhook.command("list")
def list_webhooks() -> None:
    """The webhooks: events, playbooks, last delivery, last error, deliveries waiting and failed."""
    rows = use.listing(open_store(settings_or_exit()))
    if not rows:
        click.echo("No webhooks yet: rollout webhook add NAME --url URL")
    for row in rows:
        hook = row.webhook
        scope = ", ".join(hook.playbooks) if hook.playbooks else "every playbook"
        last = row.last_delivery.isoformat(timespec="seconds") if row.last_delivery else "never"
        error = (
            f"{hook.last_error} ({hook.last_error_at.isoformat(timespec='seconds')})"
            if hook.last_error and hook.last_error_at
            else "none"
        )
        click.echo(
            f"{hook.name}  {hook.url}  {', '.join(hook.events)} on {scope}\n"
            f"  last delivery: {last}  last error: {error}  waiting: {row.pending}  failed: {row.failed}"
        )


@webhook.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a webhook; what it had waiting is not sent."""
    try:
        use.remove(open_store(settings_or_exit()), name)
    except use.WebhookRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Webhook {name} is removed.")


def _first_attempt(store: Store, lane: WebhookLane, event_id: str) -> WebhookDelivery | None:
    """The test event's delivery once first tried (run here, or by the clock's lane), or as
    it stands after TEST_WAIT_SECONDS."""
    deadline = time.monotonic() + TEST_WAIT_SECONDS
    delivery = store.webhooks.status_of(event_id)
    while delivery is not None and delivery.status == "pending" and delivery.attempts == 0:
        if time.monotonic() > deadline:
            break
        if not lane.run_once(only=delivery.lane):  # this test alone, behind nothing
            time.sleep(0.2)  # the clock's lane may hold it
        delivery = store.webhooks.status_of(event_id)
    return delivery


@webhook.command("test")
@click.argument("name")
def test(name: str) -> None:
    """Send a `test` event now and say how the receiver answered."""
    from outbound.webhooks import WebhookLane

    store = open_store(settings_or_exit())
    clock = reading_clock(store)  # now; a database the demo made, the demo's
    try:
        event_id = use.send_test(store, name, clock())
    except use.WebhookRefused as err:
        raise click.ClickException(str(err)) from None
    delivery = _first_attempt(store, WebhookLane(store.webhooks, clock), event_id)
    if delivery is not None and delivery.status == "delivered":
        click.echo(f"Test event {event_id} delivered to {name}.")
        return
    error = delivery.error if delivery is not None and delivery.error else "no answer yet"
    raise click.ClickException(
        f"the test event {event_id} was not delivered to {name}: {error}; it is retried on the schedule "
        "(rollout webhook list shows it)"
    )
