"""The `rollout` command line (also `python -m bot`; pyproject.toml's entry point is `main`):
the group, the database's and the digest's commands, the manifest and the guides. The
processes that serve are bot/cli_serve.py's, the clock's bot/cli_clock.py's, the demo
bot/cli_demo.py's, the administration's groups bot/cli_admin.py's and its neighbours'."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy.exc import DBAPIError

from bot import guide, logs
from bot.cli_admin import cycle, export, playbook, source, token
from bot.cli_clock import clock, tick
from bot.cli_compare import arm
from bot.cli_demo import demo
from bot.cli_mcp import mcp
from bot.cli_serve import serve, socket, web
from bot.cli_webhooks import webhook
from bot.settings import check_log_level
from bot.startup import (
    checked_settings,
    connected_engine,
    open_store,
    reading_clock,
    settings_or_exit,
)
from storage import migrate
from templates import plural


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help="The Rollout Cadence Bot: runs four-week rollout cycles of AI-assisted workflow playbooks in Slack.\n\n"
    "New here? `rollout demo` plays a whole rollout against a Slack stand-in, with nothing to configure. "
    f"To connect a workspace, follow {guide.doc('setup.md')}.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug output (same as LOG_LEVEL=DEBUG).")
@click.version_option(package_name="rollout-cadence-bot", prog_name="rollout", message="%(prog)s %(version)s")
def cli(verbose: bool) -> None:
    try:  # the environment's level until the settings (a .env file may set it) are read
        level = "DEBUG" if verbose else check_log_level(os.environ.get("LOG_LEVEL") or "INFO")
    except ValueError as err:
        raise click.ClickException(f"LOG_LEVEL {err}") from None
    logs.configure(level, "json" if os.environ.get("LOG_FORMAT", "").lower() == "json" else "text")


@cli.group()
def db() -> None:
    """Database schema."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the schema to the latest migration."""
    engine = connected_engine(settings_or_exit(), creates=True)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    click.echo(f"database at {after}" + (" (unchanged)" if before == after else f" (was {before or 'empty'})"))


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the digest here instead of posting it.")
def digest(dry_run: bool) -> None:
    """Build this week's curators' digest now: print it (--dry-run) or post it."""
    from bot.app import create_clockwork
    from cadence import keys
    from cadence.calendar import local_date, monday_of
    from storage.store import CURATORS_CHANNEL
    from templates.terminal import to_text
    from usecases.digest import Digest

    settings = settings_or_exit()
    store = open_store(settings)
    clock = reading_clock(store)  # now; a database the demo made, the demo's
    now = clock()
    monday = monday_of(local_date(now, settings.rollout_timezone))
    if dry_run:
        dry = Digest(store, charts=False, currency=settings.rollout_currency, hourly_rate=settings.rollout_hourly_rate)
        messages = dry.messages(monday, "dry-run", "curators", now)
    else:
        settings = checked_settings("SLACK_BOT_TOKEN")
        channel = store.org.setting(CURATORS_CHANNEL)
        if channel is None:
            raise click.ClickException("no curators channel is set: an admin sets it with /rollout curators-channel")
        digest = Digest(store, currency=settings.rollout_currency, hourly_rate=settings.rollout_hourly_rate)
        messages = digest.messages(monday, keys.digest_now(now.isoformat()), channel, now)
    if not messages:
        click.echo("No digest: no playbook has closed a week yet, so there is nothing to report.")
        return
    if dry_run:
        for message in messages:
            threaded = "thread_of" in message.payload
            click.echo(
                ("  ↳ in the thread:\n" if threaded else "")
                + to_text(message.payload, indent="    " if threaded else "")
            )
            click.echo()
        click.echo(f"({plural(len(messages), 'message')}; charts are drawn when it is posted)")
        return
    clockwork = create_clockwork(settings, store, clock=clock)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue(messages, now)
        uow.commit()
    pending = clockwork.dispatcher.drain()
    click.echo(
        f"digest posted to {channel}: {plural(len(messages), 'message')}"
        + (f", {pending} still pending" if pending else "")
    )


@cli.command()
@click.option(
    "--socket-mode", is_flag=True, help="For `rollout socket`: Socket Mode on, no request URLs (no public address)."
)
def manifest(socket_mode: bool) -> None:
    """Print the Slack app's manifest: paste it at https://api.slack.com/apps → Create New
    App → From an app manifest, with your public address for rollout.example.com (or,
    with --socket-mode, as it is)."""
    text = guide.text("manifest.yml")
    click.echo(guide.socket_mode_manifest(text) if socket_mode else text, nl=False)


@cli.command()
@click.argument(
    "name", required=False, metavar="[NAME]", type=click.Choice([page.removesuffix(".md") for page in guide.GUIDES])
)
def docs(name: str | None) -> None:
    """Print the guide NAME (Markdown); without NAME, list the guides."""
    if name is None:
        for page, what in guide.GUIDES.items():
            click.echo(f"{page.removesuffix('.md'):<10} the {what}")
        return
    click.echo(guide.text(f"docs/{name}.md"), nl=False)


# Each command's module, registered once: the processes that serve, the clock's, the demo,
# and the groups of the administration's (listed by `rollout --help` in the order of their names).
for command in (serve, web, socket, clock, tick, demo, playbook, cycle, token, source, export, webhook, arm, mcp):
    cli.add_command(command)


def main() -> None:
    """`rollout`: every failure is one sentence and a non-zero exit, never a traceback.
    click says its own (usage, ClickException); a database that does not answer, or
    stops answering mid-command, is said here."""
    try:
        cli(prog_name="rollout")
    except DBAPIError as err:
        cause = str(err.orig).strip().splitlines()[0] if err.orig is not None else type(err).__name__
        click.echo(
            f"Error: the database stopped answering ({cause}); what was not committed was not done. Check "
            "DATABASE_URL and that the database is up, then run the command again: it is safe to repeat.",
            err=True,
        )
        sys.exit(1)
