"""`rollout clock` and `rollout tick`: the cadence clock as a process of its own (a tick every
minute, and the outbox's dispatcher), and one tick at a time, at a given moment or as a dry
run. Registered on the `rollout` group by bot/cli.py."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from bot.startup import (
    CREDENTIAL_HELP,
    checked_settings,
    open_store,
    reading_clock,
    verify_slack,
)
from slack_api.workspace import Workspace
from templates import plural

if TYPE_CHECKING:
    from bot.processes import Clockwork
    from usecases.tick_reads import TickReport

log = logging.getLogger("rollout")


FUTURE_TOLERANCE = timedelta(minutes=1)  # clocks of two machines may differ a little


@click.command()
def clock() -> None:
    """Run the cadence clock (a tick every minute) and the outbox dispatcher, without HTTP."""
    # Platforms stop processes with SIGTERM, even one still starting (loading the
    # statistics and the templates takes seconds): from here on it means "do not begin".
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    from bot.app import create_clockwork
    from usecases.events import slack_access_verified

    settings = checked_settings("SLACK_BOT_TOKEN")
    store = open_store(settings)
    # A platform starts again a process that exits: a token Slack refuses keeps the clock
    # up instead, holding delivery while its dispatcher asks Slack again on a backoff.
    known = verify_slack(settings, refusal_exits=False)
    if isinstance(known, Workspace):  # Slack accepts this token: a hold an earlier one left ends here
        slack_access_verified(store)
    elif known.refused is not None:
        store.health.lose_slack_access(known.refused, known.since)
        log.error(
            "Slack refused SLACK_BOT_TOKEN (%s): the clock stays up and ticks, holding every message until Slack "
            "accepts the token, which it asks again after 5 s, then twice as long each time up to 5 minutes; "
            "check SLACK_BOT_TOKEN (%s) and restart, or reinstall the app",
            known.refused,
            CREDENTIAL_HELP["SLACK_BOT_TOKEN"],
        )
    clockwork = create_clockwork(settings, store)
    log.info("clock running: a tick every minute; Ctrl-C to stop")
    clockwork.run(stopping)


@click.command()
@click.option(
    "--at",
    "at_text",
    metavar="ISO-8601",
    help="The instant to run for (default: now). A time without an offset is UTC. Not in the future, unless --dry-run.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be done and sent; record and send nothing.")
@click.option(
    "--max-wait",
    type=float,
    default=600,
    show_default=True,
    help="Seconds to keep retrying deliveries that Slack refused for now.",
)
def tick(at_text: str | None, dry_run: bool, max_wait: float) -> None:
    """Run every piece of cadence work due at an instant, deliver it, and exit.

    Idempotent: running it twice for the same instant sends nothing twice."""
    from bot.app import create_clockwork

    settings = checked_settings() if dry_run else checked_settings("SLACK_BOT_TOKEN")
    given = _instant(at_text) if at_text else None
    store = open_store(settings, dry_run=dry_run)
    clock = reading_clock(store)  # now; a database the demo made, the demo's
    now = clock()
    at = now if given is None else given
    if at > now + FUTURE_TOLERANCE and not dry_run:
        # A future tick would do next week's work now and mark it done: the real one never comes.
        raise click.ClickException(
            f"{at.isoformat()} is in the future (it is {now.isoformat(timespec='seconds')}): "
            "a tick only runs work that is due. Add --dry-run to see what it would do."
        )
    clockwork = create_clockwork(settings, store, clock=clock)
    report = clockwork.cadence.tick(at)
    if dry_run:
        _echo_dry_run(report, at)
        return
    if clockwork.heartbeat is not None:  # a tick from cron is the clock of such an installation
        clockwork.heartbeat(clock())
    click.echo(f"tick at {at.isoformat()}: {report.summary()}")
    for channel in report.unreachable:
        click.echo(f"  could not list the members of {channel}; the next tick retries", err=True)
    pending = _fetch_and_deliver(clockwork, at, max_wait)
    if pending:
        click.echo(
            f"{plural(pending, 'message')} still waiting for Slack; the clock or the next tick delivers them", err=True
        )
        sys.exit(1)
    click.echo("all messages delivered")


def _instant(at_text: str) -> datetime:
    """`--at` as an instant (UTC where it names no offset)."""
    try:
        given = datetime.fromisoformat(at_text)
    except ValueError:
        raise click.BadParameter(
            f"{at_text!r} is not an ISO-8601 instant (e.g. 2026-11-19T15:00:00+01:00)", param_hint="--at"
        ) from None
    if given.tzinfo is None:
        given = given.replace(tzinfo=UTC)
    return given


def _echo_dry_run(report: TickReport, at: datetime) -> None:
    """What a tick would do at `at`: each piece of work, each message it would send."""
    click.echo(f"dry run at {at.isoformat()}: {report.summary()} (nothing was recorded or sent)")
    for work in report.work:
        click.echo(f"  {_work_line(work)}")
        for message in work.messages:
            click.echo(f"      → {message.channel}: {_first_line(message.payload)}")


def _fetch_and_deliver(clockwork: Clockwork, at: datetime, max_wait: float) -> int:
    """After the tick: the sourced numbers due, Slack's deliveries, then the webhooks due;
    how many messages still wait for Slack."""
    # Then the sourced numbers due (after the tick, as the clock's own pass runs beside it):
    # one pass, with its deadline; what it did not reach is the next tick's.
    fetched = clockwork.cadence.sources.run_due(at)
    if fetched.summary():
        click.echo(f"  {fetched.summary()}")
    for passed in clockwork.cadence.usage.run_due(at):  # the AI tools' usage records due, likewise
        click.echo(f"  usage {passed.source}: {passed.error or f'{len(passed.days)} days pulled'}")
    pending = clockwork.dispatcher.drain(max_wait=max_wait)
    # Then the webhooks that are due (after Slack's: a slow receiver delays no message);
    # a delivery waiting for its retry is the next tick's or the clock's.
    waiting = clockwork.webhooks.drain() if clockwork.webhooks is not None else 0
    if waiting:
        click.echo(f"webhook deliveries waiting for a retry: {waiting}", err=True)
    return pending


def _work_line(work) -> str:
    who = f" {work.user_id}" if work.user_id else ""
    week = f" week of {work.week_start.isoformat()}" if work.week_start else ""
    note = f": {work.note}" if work.note else ""
    return f"{work.kind} {work.status}{week}{who} (due {work.due_at.isoformat(timespec='minutes')}){note}"


def _first_line(payload: dict[str, Any]) -> str:
    text = str(payload.get("text") or "").strip().splitlines() or ["(blocks only)"]
    return text[0][:120]
