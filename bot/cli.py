"""The `rollout` command line (also `python -m bot`)."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket as sockets
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError

from bot import guide, logs
from bot.cli_admin import cycle, export, playbook, source, token
from bot.cli_compare import arm
from bot.cli_mcp import mcp
from bot.cli_webhooks import webhook
from bot.settings import Settings, check_log_level
from bot.startup import (
    CREDENTIAL_HELP,
    checked_settings,
    connected_engine,
    name_database,
    open_store,
    settings_or_exit,
    verify_slack,
)
from slack_api.workspace import Unverified, Workspace
from storage import migrate
from templates import plural
from templates.terminal import wrap

if TYPE_CHECKING:
    from bot.demo.story import DemoResult

log = logging.getLogger("rollout")
T = TypeVar("T")
DEMO_PACKAGES = ("websockets",)  # pyproject.toml's `demo` extra
FUTURE_TOLERANCE = timedelta(minutes=1)  # clocks of two machines may differ a little


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


@cli.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="HTTP processes (uvicorn starts another for any that dies). One: the clock runs in it. More than "
    "one: the clock runs as a process of its own beside them.",
)
@click.option("--no-scheduler", is_flag=True, help="Do not run the cadence clock and dispatcher here.")
def serve(port: int | None, host: str, workers: int, no_scheduler: bool) -> None:
    """Serve Slack's HTTP requests at POST /slack/events (health: GET /healthz, GET /metrics)."""
    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    sock = _listening(host, settings.port if port is None else port)
    name_database(settings)  # before Slack is asked: which database, or that it is not there
    known = verify_slack(settings)
    open_store(settings).engine.dispose()  # schema checked; each process opens its own connections
    warn_without_admins(settings)
    _serve_uvicorn(sock, workers, with_clock=not no_scheduler, known=known)


@cli.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers", type=int, default=2, show_default=True, help="HTTP processes (the Procfile's WEB_CONCURRENCY)."
)
def web(port: int | None, host: str, workers: int) -> None:
    """The Procfile's `web`: HTTP processes only, for a platform that restarts what exits.

    The settings are checked here, once, before any process starts: a bad one ends it in
    one sentence. Then each process serves whatever else is wrong rather than exit: a
    database that does not answer, or a bot token Slack refuses, is said by /healthz
    (503), and each process recovers by itself once the cause is gone. The clock runs
    as the Procfile's `clock`."""
    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="--workers")
    sock = _listening(host, settings.port if port is None else port)
    name_database(settings)  # its workers open it, each waiting until it answers
    warn_without_admins(settings)
    from bot import http_server
    from bot.web import create

    host, port = sock.getsockname()[:2]
    log.info(
        "serving Slack requests on http://%s:%d/slack/events (%s)",
        host,
        port,
        "1 process" if workers == 1 else f"{workers} processes",
    )
    try:
        if workers == 1:
            http_server.serve(create(), host, port, sock)
        else:
            http_server.serve_workers("bot.web:create", sock, workers)
    finally:
        sock.close()


def warn_without_admins(settings: Settings) -> None:
    """One warning at the start of a serving process when ROLLOUT_ADMINS names nobody."""
    if not settings.admins:
        log.warning(
            "ROLLOUT_ADMINS is empty: nobody can appoint a curator or run the other admin commands; set it "
            "to the Slack member ids of the bot's admins, comma-separated (a profile's ⋯ menu → Copy member "
            "ID), e.g. ROLLOUT_ADMINS=U0123456789, then restart"
        )


def _serve_uvicorn(
    sock: sockets.socket,
    workers: int,
    with_clock: bool,
    socket_mode: bool = False,
    known: Workspace | Unverified | None = None,
) -> None:
    """The ASGI app (bot/web.py) under uvicorn (bot/http_server.py), on `sock`. One process (the
    default): the app is served here, the clock and the dispatcher run beside the requests
    sharing their caches, and stop once the server has. Several: uvicorn's supervisor
    starts them (each builds its app, `bot.web:create`, and asks Slack about the token
    itself) and starts another for one that dies; the clock is not among them, it runs as
    `rollout clock`, a child of this command. `socket_mode` (`rollout socket`): Slack's
    requests come over the Socket Mode connection, which this process opens beside its
    clock; its HTTP serves everything else. `known`: what this command learned of the
    token, used rather than asked again."""
    from bot import http_server
    from bot.web import serving

    # From here a SIGTERM stops the server once it has started (building the app and opening
    # Slack's connection take seconds), rather than killing the process.
    stopping = http_server.Stopping.installed()
    host, port = sock.getsockname()[:2]
    clock_process = None
    if with_clock and workers > 1:
        clock_process = subprocess.Popen([sys.executable, "-m", "bot", "clock"])
        log.info("cadence clock and dispatcher running as process %d", clock_process.pid)
    if socket_mode:
        log.info("serving the web view, the reporting API, /healthz and /metrics on http://%s:%d/", host, port)
    elif workers == 1:
        log.info("serving Slack requests on http://%s:%d/slack/events", host, port)
    else:
        log.info("serving Slack requests on http://%s:%d/slack/events (%d processes)", host, port, workers)
    try:
        if workers > 1:
            http_server.serve_workers("bot.web:create", sock, workers)
            return
        app, running = serving(with_clock=with_clock, socket_mode=socket_mode, known=known)
        try:
            http_server.serve(app, host, port, sock, stopping)
        finally:
            running.stop()
    finally:
        sock.close()
        if clock_process is not None:
            clock_process.terminate()
            clock_process.wait(timeout=30)


@cli.command()
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


@cli.command()
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
    from bot.app import create_clockwork, utc_now

    settings = checked_settings() if dry_run else checked_settings("SLACK_BOT_TOKEN")
    now = at = utc_now()
    if at_text:
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise click.BadParameter(
                f"{at_text!r} is not an ISO-8601 instant (e.g. 2026-11-19T15:00:00+01:00)", param_hint="--at"
            ) from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
    if at > now + FUTURE_TOLERANCE and not dry_run:
        # A future tick would do next week's work now and mark it done: the real one never comes.
        raise click.ClickException(
            f"{at.isoformat()} is in the future (it is {now.isoformat(timespec='seconds')}): "
            "a tick only runs work that is due. Add --dry-run to see what it would do."
        )
    clockwork = create_clockwork(settings, open_store(settings, dry_run=dry_run))
    report = clockwork.cadence.tick(at)
    if dry_run:
        click.echo(f"dry run at {at.isoformat()}: {report.summary()} (nothing was recorded or sent)")
        for work in report.work:
            click.echo(f"  {_work_line(work)}")
            for message in work.messages:
                click.echo(f"      → {message.channel}: {_first_line(message.payload)}")
        return
    if clockwork.heartbeat is not None:  # a tick from cron is the clock of such an installation
        clockwork.heartbeat(utc_now())
    click.echo(f"tick at {at.isoformat()}: {report.summary()}")
    for channel in report.unreachable:
        click.echo(f"  could not list the members of {channel}; the next tick retries", err=True)
    # Then the sourced numbers due (after the tick, as the clock's own pass runs beside it):
    # one pass, with its deadline; what it did not reach is the next tick's.
    fetched = clockwork.cadence.sources.run_due(at)
    if fetched.summary():
        click.echo(f"  {fetched.summary()}")
    pending = clockwork.dispatcher.drain(max_wait=max_wait)
    # Then the webhooks that are due (after Slack's: a slow receiver delays no message);
    # a delivery waiting for its retry is the next tick's or the clock's.
    waiting = clockwork.webhooks.drain() if clockwork.webhooks is not None else 0
    if waiting:
        click.echo(f"webhook deliveries waiting for a retry: {waiting}", err=True)
    if pending:
        click.echo(
            f"{plural(pending, 'message')} still waiting for Slack; the clock or the next tick delivers them", err=True
        )
        sys.exit(1)
    click.echo("all messages delivered")


def _work_line(work) -> str:
    who = f" {work.user_id}" if work.user_id else ""
    week = f" week of {work.week_start.isoformat()}" if work.week_start else ""
    note = f": {work.note}" if work.note else ""
    return f"{work.kind} {work.status}{week}{who} (due {work.due_at.isoformat(timespec='minutes')}){note}"


def _first_line(payload: dict[str, Any]) -> str:
    text = str(payload.get("text") or "").strip().splitlines() or ["(blocks only)"]
    return text[0][:120]


@cli.command()
@click.option("--no-scheduler", is_flag=True, help="Do not run the cadence clock and dispatcher here.")
@click.option("--no-http", is_flag=True, help="Serve no HTTP: no web view, reporting API, /healthz or /metrics.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
def socket(no_scheduler: bool, no_http: bool, port: int | None, host: str) -> None:
    """Run in Socket Mode (no public URL needed), with the clock and dispatcher in-process,
    and the web view, reporting API, /healthz and /metrics on HTTP as `serve` has them."""
    from bot.web import Running

    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    sock = None if no_http else _listening(host, settings.port if port is None else port)
    name_database(settings)  # before Slack is asked: which database, or that it is not there
    workspace = verify_slack(settings, app_token=True)
    warn_without_admins(settings)
    if sock is not None:
        # The same server as `serve`: its one process holds the Slack connection and the clock.
        open_store(settings).engine.dispose()  # schema checked; the server opens its own connections
        _serve_uvicorn(sock, workers=1, with_clock=not no_scheduler, socket_mode=True, known=workspace)
        return
    running = Running.socket_mode(settings, workspace, open_store(settings), with_clock=not no_scheduler)
    stopped = threading.Event()
    # Platforms stop processes with SIGTERM: close the connection and the clock, exit 0.
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    log.info("connected to Slack in Socket Mode; Ctrl-C to stop")
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def _listening(host: str, port: int) -> sockets.socket:
    """The server's socket, bound (port 0: a free one); one sentence and exit 1 when
    something else already listens on `port`."""
    from bot import http_server

    try:
        return http_server.listening(host, port)
    except OSError as err:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({err.strerror or err}): stop what uses that port, "
            "or choose another with --port"
        ) from None


def _port_free_or_exit(host: str, port: int) -> None:
    """One sentence and exit 1 when something else already listens on `port`."""
    _listening(host, port).close()


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
    from bot.app import create_clockwork, utc_now
    from cadence import keys
    from cadence.calendar import local_date, monday_of
    from storage.store import CURATORS_CHANNEL
    from templates.terminal import to_text
    from usecases.digest import Digest

    settings = settings_or_exit()
    store = open_store(settings)
    now = utc_now()
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
    clockwork = create_clockwork(settings, store)
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
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Where to write the HTML page and the demo's own database.",
)
@click.option("--quiet", is_flag=True, help="Only say where the page is.")
@click.option(
    "--serve",
    is_flag=True,
    help="Then serve it on 127.0.0.1: the web view (sign-in skipped), the reporting API and /mcp, with a read token.",
)
@click.option(
    "--from",
    "served",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --serve: serve the run already in this folder instead of running the demo again.",
)
@click.option("--port", "view_port", type=int, default=8000, show_default=True, help="The web view's port.")
def demo(directory: Path, quiet: bool, serve: bool, served: Path | None, view_port: int) -> None:
    """A whole simulated rollout with a local Slack stand-in: no workspace, nothing to configure.

    \b
    13 simulated weeks: 4 playbooks in 3 functions run 2 four-week cycles; then the one
    ready to scale is published, a fifth team adopts it for a baseline week and its first
    cycle, and the others run cycle 3 and begin cycle 4 (lead-research, paused in cycle 2,
    a week ahead)."""
    import importlib.util

    from bot.demo import view
    from bot.demo.cast import CURATOR

    if served is not None:
        if not serve:
            raise click.UsageError("--from names a run to serve: give --serve too")
        try:
            view.run_in(served)
        except view.NoRun as err:
            raise click.ClickException(str(err)) from None
        _port_free_or_exit(view.LOOPBACK, view_port)
        view.serve(served, CURATOR, view_port, click.echo)
        return
    missing = [name for name in DEMO_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise click.ClickException(
            f"the demo needs {' and '.join(missing)}, which a production install leaves out: {guide.demo_install()}"
        )
    from bot.demo.story import SUMMARY, run

    if serve:
        _port_free_or_exit(view.LOOPBACK, view_port)  # before the story, not after a minute of it
    logging.getLogger().setLevel(logging.WARNING)  # the story, not the logs
    # Its own database, made anew (DATABASE_URL is not read): named as every command names its own.
    click.echo(f"Database: {(directory / 'rollout-demo.db').absolute()} (SQLite, made by the demo)", err=True)
    width = shutil.get_terminal_size().columns
    if not quiet:
        click.echo(wrap(f"Running the demo ({SUMMARY})…", width))
    result = run(directory, say=(lambda _: None) if quiet else click.echo)
    click.echo(demo_output(result, quiet, width))
    if serve:
        view.serve(directory, CURATOR, view_port, click.echo)


def demo_output(result: DemoResult, quiet: bool, width: int) -> str:
    """What `rollout demo` prints once the story has run, for a terminal `width` columns
    wide: where the page and the transcript are, and the closing note (the transcript
    itself, some 4,000 lines, goes to its file); with --quiet, only where the page is."""
    where = f"Open {result.html} in a browser to see the demo's messages as Slack shows them."
    if quiet:
        return wrap(where, width)
    closing = (
        f"{result.messages} messages in {result.seconds:.0f} s. {where} The transcript, week by week: "
        f"{result.transcript_file}. (Demo database: {result.database}.)\n{result.owners.said()}"
    )
    return wrap(closing, width)


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


for group in (playbook, cycle, token, source, export, webhook, arm, mcp):
    cli.add_command(group)


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
