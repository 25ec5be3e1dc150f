"""The `rollout` command line (also `python -m bot`; pyproject.toml's entry point is `main`):
the group, the database's and the digest's commands, the manifest and the guides. The
processes that serve are bot/cli_serve.py's, the clock's bot/cli_clock.py's, the demo
bot/cli_demo.py's, the administration's groups bot/cli_admin.py's and its neighbours'.

Each of those modules is imported when its command runs, not before: `rollout --version`
and `rollout --help` import none of the bot (the settings, the database, Slack's SDK),
which took a second and a half of CPU before either said anything. `--help` lists each
command by its summary in COMMANDS (tests/bot/test_cli_help.py holds each to the
command's own help)."""

from __future__ import annotations

import importlib
import os
import sys

import click

from bot import guide, logs

# The commands of the other modules, registered once (listed by `rollout --help` in the order
# of their names): the module and name each is defined by, and the first paragraph of its help.
COMMANDS = {
    "serve": (
        "bot.cli_serve",
        "serve",
        "Serve Slack's HTTP requests at POST /slack/events (health: GET /healthz, GET /metrics).",
    ),
    "web": (
        "bot.cli_serve",
        "web",
        "The Procfile's `web`: HTTP processes only, for a platform that restarts what exits.",
    ),
    "socket": (
        "bot.cli_serve",
        "socket",
        "Run in Socket Mode (no public URL needed), with the clock and dispatcher in-process, and the web view, "
        "reporting API, /healthz and /metrics on HTTP as `serve` has them.",
    ),
    "clock": (
        "bot.cli_clock",
        "clock",
        "Run the cadence clock (a tick every minute) and the outbox dispatcher, without HTTP.",
    ),
    "tick": ("bot.cli_clock", "tick", "Run every piece of cadence work due at an instant, deliver it, and exit."),
    "demo": (
        "bot.cli_demo",
        "demo",
        "A whole simulated rollout with a local Slack stand-in: no workspace, nothing to configure.",
    ),
    "playbook": ("bot.cli_admin", "playbook", "Playbooks as code."),
    "cycle": ("bot.cli_admin", "cycle", "Four-week cycles."),
    "token": ("bot.cli_admin", "token", f"Tokens of the reporting API ({guide.doc('api.md')})."),
    "source": ("bot.cli_admin", "source", f"The systems numbers are pulled from ({guide.doc('sources.md')})."),
    "export": ("bot.cli_admin", "export", "Exports for analysts."),
    "usage": (
        "bot.cli_usage",
        "usage",
        f"The AI tools' own usage records, counted per team and week ({guide.doc('usage-records.md')}).",
    ),
    "webhook": (
        "bot.cli_webhooks",
        "webhook",
        f"Webhooks: decisions POSTed to other systems, signed ({guide.doc('webhooks.md')}).",
    ),
    "arm": ("bot.cli_compare", "arm", "Print `run` or `holdout`: the arm of case CASE-ID in playbook SLUG, forever."),
    "mcp": (
        "bot.cli_mcp",
        "mcp",
        "Answer an assistant over stdio (the Model Context Protocol): read-only tools over DATABASE_URL.",
    ),
}


class Rollout(click.Group):
    """`rollout`: the commands of COMMANDS imported when first named, and listed by their
    summaries until then."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, name, _ = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, with those not imported yet by their summaries."""
        listed = [
            (name, self.commands.get(name) or click.Command(name, help=COMMANDS[name][2]))
            for name in self.list_commands(ctx)
        ]
        listed = [(name, command) for name, command in listed if not command.hidden]
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in listed])


@click.group(
    cls=Rollout,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="The Rollout Cadence Bot: runs four-week rollout cycles of AI-assisted workflow playbooks in Slack.\n\n"
    "New here? `rollout demo` plays a whole rollout against a Slack stand-in, with nothing to configure. "
    f"To connect a workspace, follow {guide.doc('setup.md')}.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug output (same as LOG_LEVEL=DEBUG).")
@click.version_option(package_name="rollout-cadence-bot", prog_name="rollout", message="%(prog)s %(version)s")
def cli(verbose: bool) -> None:
    from bot.settings import check_log_level

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
    from bot.startup import connected_engine, settings_or_exit
    from storage import migrate

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
    from bot.startup import checked_settings, open_store, reading_clock, settings_or_exit
    from cadence import keys
    from cadence.calendar import local_date, monday_of
    from storage.store import CURATORS_CHANNEL
    from templates import plural
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
    with --socket-mode, as it is). With usage sources loaded in the database (DATABASE_URL),
    it asks also for users:read.email, to match the AI tools' users to Slack people by email."""
    from bot.cli_usage import usage_sources_loaded

    text = guide.text("manifest.yml")
    if usage_sources_loaded():
        text = guide.with_email_scope(text)
        click.echo(
            f"This manifest asks for {guide.EMAIL_SCOPE} too: usage sources are loaded ({guide.doc('usage-records.md')}).",
            err=True,
        )
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


def main() -> None:
    """`rollout`: every failure is one sentence and a non-zero exit, never a traceback.
    click says its own (usage, ClickException); a database that does not answer, or
    stops answering mid-command, is said here."""
    try:
        cli(prog_name="rollout")
    except Exception as err:
        from sqlalchemy.exc import DBAPIError  # imported here: --version and --help import no database

        if not isinstance(err, DBAPIError):
            raise
        cause = str(err.orig).strip().splitlines()[0] if err.orig is not None else type(err).__name__
        click.echo(
            f"Error: the database stopped answering ({cause}); what was not committed was not done. Check "
            "DATABASE_URL and that the database is up, then run the command again: it is safe to repeat.",
            err=True,
        )
        sys.exit(1)
