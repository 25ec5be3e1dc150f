"""The `rollout` command line (also `python -m bot`)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
import yaml
from pydantic import ValidationError

from bot.settings import Settings
from cadence.definition import DefinitionError, PlaybookSpec, parse_playbook
from storage import migrate
from storage.db import make_engine
from storage.store import Store

log = logging.getLogger("rollout")

CREDENTIAL_HELP = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token (xoxb-…), after installing the app",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "Basic Information → App-Level Tokens → generate one with the connections:write scope (xapp-…)",
}


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors())
        raise click.ClickException(f"configuration: {problems}") from None


def _require(settings: Settings, *names: str) -> None:
    missing = settings.missing(*names)
    if not missing:
        return
    lines = [f"Missing {', '.join(missing)}.", "",
             "Create the Slack app from manifest.yml (https://api.slack.com/apps → Create New App → From an app "
             "manifest → paste manifest.yml), install it to your workspace, then copy:"]
    lines += [f"  {name}: {CREDENTIAL_HELP[name]}" for name in missing]
    lines += ["", "Put them in a .env file in this folder (see .env.example) or export them."]
    click.echo("\n".join(lines), err=True)
    sys.exit(2)


def _open_store(settings: Settings) -> Store:
    """The store, with its schema checked. The embedded SQLite database is brought up to
    date on the spot; a server database is migrated by `rollout db upgrade` (the release
    process), never behind the operator's back."""
    engine = make_engine(settings.database_url)
    if not migrate.is_current(engine):
        if engine.dialect.name == "sqlite":
            migrate.upgrade(engine)
        else:
            raise click.ClickException(
                f"the database schema is at {migrate.current_revision(engine) or 'nothing'}, the code needs "
                f"{migrate.head_revision()}: run `rollout db upgrade` first"
            )
    return Store(engine)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug output.")
def cli(verbose: bool) -> None:
    """The Rollout Cadence Bot."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: $PORT, else 3000).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--threads", type=int, default=8, show_default=True, help="Worker threads of each HTTP process.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="HTTP processes sharing the port (one per core uses them all; the clock runs in the first).")
@click.option("--no-scheduler", is_flag=True, help="Do not run the cadence clock in this process.")
def serve(port: int | None, host: str, threads: int, workers: int, no_scheduler: bool) -> None:
    """Serve Slack's HTTP requests at POST /slack/events (health: GET /healthz)."""
    import socket

    settings = _settings()
    _require(settings, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _open_store(settings).engine.dispose()  # schema checked; each process opens its own connections
    port = port or settings.port
    listener = socket.create_server((host, port), backlog=1024)
    children = []
    for _ in range(max(workers, 1) - 1):
        pid = os.fork()
        if pid == 0:  # a pre-forked worker: the same socket, its own app, engine and threads
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _serve_http(settings, listener, threads, with_clock=False)
            os._exit(0)
        children.append(pid)

    def stop_children(*_):
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_children)
    log.info("serving Slack requests on http://%s:%d/slack/events (%d process%s)", host, port, max(workers, 1),
             "es" if workers > 1 else "")
    try:
        _serve_http(settings, listener, threads, with_clock=not no_scheduler)
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)


def _serve_http(settings: Settings, listener, threads: int, with_clock: bool) -> None:
    import waitress

    from bot.app import create_app, create_clockwork
    from bot.web import make_wsgi
    from handlers.members import TeamDirectory

    store = Store(make_engine(settings.database_url))
    directory = TeamDirectory()  # one cache for the listeners and the clock
    app = create_app(settings, store, directory=directory)
    clockwork = None
    if with_clock:
        clockwork = create_clockwork(settings, store, directory=directory)
        clockwork.start_in_background()
        log.info("cadence clock and dispatcher running in this process")
    try:
        waitress.serve(make_wsgi(app, store.ping), sockets=[listener], threads=threads, ident="rollout")
    finally:
        if clockwork is not None:
            clockwork.stop()


@cli.command()
def clock() -> None:
    """Run the cadence clock (a tick every minute) and the outbox dispatcher, without HTTP."""
    from bot.app import create_clockwork

    settings = _settings()
    _require(settings, "SLACK_BOT_TOKEN")
    clockwork = create_clockwork(settings, _open_store(settings))
    log.info("clock running: a tick every minute; Ctrl-C to stop")
    clockwork.run()


@cli.command()
@click.option("--at", "at_text", metavar="ISO-8601", help="The instant to run for (default: now). "
              "A time without an offset is UTC.")
@click.option("--max-wait", type=float, default=600, show_default=True,
              help="Seconds to keep retrying deliveries that Slack refused for now.")
def tick(at_text: str | None, max_wait: float) -> None:
    """Run every piece of cadence work due at an instant, deliver it, and exit.

    Idempotent: running it twice for the same instant sends nothing twice."""
    from bot.app import create_clockwork, utc_now

    settings = _settings()
    _require(settings, "SLACK_BOT_TOKEN")
    at = utc_now()
    if at_text:
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise click.BadParameter(f"{at_text!r} is not an ISO-8601 instant (e.g. 2026-11-19T15:00:00+01:00)",
                                     param_hint="--at") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
    clockwork = create_clockwork(settings, _open_store(settings))
    report = clockwork.cadence.tick(at)
    click.echo(f"tick at {at.isoformat()}: {report.summary()}")
    for channel in report.unreachable:
        click.echo(f"  could not list the members of {channel}; the next tick retries", err=True)
    pending = clockwork.dispatcher.drain(max_wait=max_wait)
    if pending:
        click.echo(f"{pending} message(s) still waiting for Slack; the clock or the next tick delivers them", err=True)
        sys.exit(1)
    click.echo("all messages delivered")


@cli.command()
def socket() -> None:
    """Run in Socket Mode (no public URL needed)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings = _settings()
    _require(settings, "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    # Socket Mode has no signing secret: the connection itself is authenticated.
    settings = settings.model_copy(update={"slack_signing_secret": settings.slack_signing_secret or "unused"})
    app = create_app(settings, _open_store(settings))
    SocketModeHandler(app, settings.slack_app_token).start()


@cli.group()
def db() -> None:
    """Database schema."""


@db.command()
def upgrade() -> None:
    """Create or upgrade the schema to the latest migration."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    click.echo(f"database at {after}" + (" (unchanged)" if before == after else f" (was {before or 'empty'})"))


@cli.group()
def playbook() -> None:
    """Playbooks as code."""


@playbook.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(file: Path) -> None:
    """Create or update playbooks from a YAML FILE (one or more documents)."""
    settings = _settings()
    specs = read_playbook_file(file)
    store = _open_store(settings)
    outcomes = store.load_playbooks(specs, settings.rollout_timezone, actor=f"file:{file.name}",
                                    at=datetime.now(timezone.utc))
    for outcome in outcomes:
        detail = f" ({', '.join(outcome.changes)})" if outcome.changes else ""
        click.echo(f"{outcome.slug}: {outcome.action}{detail}")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the digest here instead of posting it.")
def digest(dry_run: bool) -> None:
    """Build this week's curators' digest now: print it (--dry-run) or post it."""
    from bot.app import create_clockwork, utc_now
    from bot.digest import Digest
    from bot.terminal import to_text
    from cadence.calendar import local_date, monday_of
    from storage.store import CURATORS_CHANNEL

    settings = _settings()
    store = _open_store(settings)
    now = utc_now()
    monday = monday_of(local_date(now, settings.rollout_timezone))
    if dry_run:
        messages = Digest(store, charts=False).messages(monday, "dry-run", "curators")
        for message in messages:
            threaded = "thread_of" in message.payload
            click.echo(("  ↳ in the thread:\n" if threaded else "") + to_text(message.payload,
                                                                              indent="    " if threaded else ""))
            click.echo()
        click.echo(f"({len(messages)} messages; charts are drawn when it is posted)")
        return
    _require(settings, "SLACK_BOT_TOKEN")
    channel = store.setting(CURATORS_CHANNEL)
    if channel is None:
        raise click.ClickException("no curators channel is set: an admin sets it with /rollout curators-channel")
    clockwork = create_clockwork(settings, store)
    messages = Digest(store).messages(monday, f"digest-now:{now.isoformat()}", channel)
    clockwork.dispatcher.outbox.enqueue(messages, now)
    pending = clockwork.dispatcher.drain()
    click.echo(f"digest posted to {channel}: {len(messages)} messages" + (f", {pending} still pending" if pending else ""))


@cli.group()
def export() -> None:
    """Exports for analysts."""


@export.command("csv")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_csv(directory: Path) -> None:
    """Write every table as DIRECTORY/<table>.csv, with a header row."""
    from storage.reports import Reports

    settings = _settings()
    for name, rows in Reports(_open_store(settings).engine).export_csv(directory):
        click.echo(f"{directory / name}: {rows} rows")


@cli.command()
@click.option("--out", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Where to write the HTML page and the demo's own database.")
@click.option("--quiet", is_flag=True, help="Only say where the page is.")
def demo(directory: Path, quiet: bool) -> None:
    """A whole simulated rollout with a local Slack stand-in: no workspace, nothing to configure."""
    from bot.demo import run

    logging.getLogger().setLevel(logging.WARNING)  # the story, not the logs
    click.echo("Running a simulated rollout: 3 playbooks, 2 functions, two four-week cycles…")
    result = run(directory, say=(lambda _: None) if quiet else click.echo)
    if not quiet:
        click.echo(result.transcript)
    click.echo(f"\n{result.messages} messages in {result.seconds:.0f} s. Open {result.html} in a browser to see them "
               f"as Slack shows them (demo database: {result.database}).")


def read_playbook_file(file: Path) -> list[PlaybookSpec]:
    """Every playbook in the file, all validated before anything is written."""
    try:
        documents = [d for d in yaml.safe_load_all(file.read_text(encoding="utf-8")) if d is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise click.ClickException(f"{file}: {where}not valid YAML ({getattr(err, 'problem', None) or err})") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not a UTF-8 text file") from None
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    if not documents:
        raise click.ClickException(f"{file}: no playbook in the file")
    specs, problems = [], []
    for index, document in enumerate(documents):
        where = f"document {index + 1}" if len(documents) > 1 else ""
        try:
            specs.append(parse_playbook(document, where))
        except DefinitionError as err:
            problems += err.problems
    seen: set[str] = set()
    for spec in specs:
        if spec.playbook in seen:
            problems.append(f"playbook: '{spec.playbook}' is defined twice in the file")
        seen.add(spec.playbook)
    if problems:
        raise click.ClickException(f"{file}: nothing was loaded.\n" + "\n".join(f"  {p}" for p in problems))
    return specs


def main() -> None:
    cli(prog_name="rollout")
