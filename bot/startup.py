"""Starting a process: the settings with a clear exit when one is missing, Slack asked
whether the tokens work, the database's schema checked. Shared by the command line
(bot/cli.py) and the ASGI entry point (bot/web.py, `create`)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from bot import guide, logs
from bot.settings import Settings
from cadence.problems import plain
from slack_api.workspace import Unverified, Workspace
from storage import migrate
from storage.db import make_engine, normalise_database_url
from storage.store import Store

log = logging.getLogger("rollout")

CREDENTIAL_HELP = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token (xoxb-…), after installing the app",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "Basic Information → App-Level Tokens → generate one with the connections:write scope (xapp-…)",
}
SETUP_GUIDE = guide.doc("setup.md")
# Slack's answers to a token that will never work: say so instead of retrying or crashing.
REFUSED_TOKEN = (
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "not_allowed_token_type",
    "missing_scope",
    "invalid_token",
)


def settings_or_exit() -> Settings:
    try:
        settings = Settings()
    except ValidationError as err:
        raise click.ClickException("; ".join(_problem(e) for e in err.errors())) from None
    if not click.get_current_context().find_root().params.get("verbose"):
        logs.configure(settings.log_level, settings.log_format)  # a .env file may set them
    return settings


def _problem(error: Any) -> str:
    """One variable's problem as a sentence: `DATABASE_URL is empty: ...`, `PORT must be a
    whole number, got 'abc'` (our own validators' words, or pydantic's put plainly)."""
    return f"{'.'.join(map(str, error['loc'])).upper()} {plain(error)}"


def checked_settings(*required: str) -> Settings:
    """The settings, with every variable in `required` present, or a clear exit. Socket
    Mode's (`SLACK_APP_TOKEN` required) are pointed to its own manifest, and an app token
    that is not one by its prefix is refused here, before Slack is asked."""
    try:
        settings = settings_or_exit()
    except RuntimeError:  # no click context: called by uvicorn's worker (bot.web.create)
        settings = Settings()
        logs.configure(settings.log_level, settings.log_format)
    socket_mode = "SLACK_APP_TOKEN" in required
    missing = settings.missing(*required)
    if missing:
        lines = [
            f"Missing {', '.join(missing)}.",
            "",
            "Create the Slack app from its manifest (https://api.slack.com/apps → Create New App → From an "
            f"app manifest → paste {guide.manifest(socket_mode)}), install it to your workspace, then copy:",
        ]
        lines += [f"  {name}: {CREDENTIAL_HELP[name]}" for name in missing]
        lines += [
            "",
            f"{guide.env_file()} Step by step: {SETUP_GUIDE}.",
        ]
        click.echo("\n".join(lines), err=True)
        sys.exit(2)
    if socket_mode and not (settings.slack_app_token or "").startswith(APP_TOKEN_PREFIX):
        _not_an_app_token(settings.slack_app_token or "")
    return settings


APP_TOKEN_PREFIX = "xapp-"  # Slack's app-level tokens; a bot token is xoxb-, a user's xoxp-
_TOKEN_KINDS = {"xoxb-": "a bot token", "xoxp-": "a user token"}


def _not_an_app_token(token: str) -> NoReturn:
    """One sentence for a SLACK_APP_TOKEN that its prefix shows is no app-level token (the
    bot token pasted twice, most often): said before Slack is asked, the token never repeated."""
    kind = next((said for prefix, said in _TOKEN_KINDS.items() if token.startswith(prefix)), None)
    what = f"holds {kind} ({token[:5]}…), not" if kind else "does not start as"
    click.echo(
        f"SLACK_APP_TOKEN {what} an app-level token ({APP_TOKEN_PREFIX}…), which Socket Mode connects "
        "with: Basic Information → App-Level Tokens → generate one with the connections:write scope. "
        f"See {SETUP_GUIDE}.",
        err=True,
    )
    sys.exit(2)


def _refused(variable: str, error: str) -> NoReturn:
    click.echo(
        f"Slack refused {variable} ({error}): check {variable}, it may be mistyped, revoked or from "
        f"another app. Find it at {CREDENTIAL_HELP[variable]}. See {SETUP_GUIDE}.",
        err=True,
    )
    sys.exit(2)


def verify_slack(settings: Settings, app_token: bool = False, refusal_exits: bool = True) -> Workspace | Unverified:
    """Ask Slack whether the tokens work before serving anything, so a wrong or revoked
    token ends in one sentence and exit code 2, not in a traceback at the first request.
    Returns the workspace and app the token belongs to, the only ones the bot serves.
    Slack being unreachable is only a warning (Unverified: the first request asks again),
    but for Socket Mode, whose requests come over Slack's own connection.
    `refusal_exits=False` (a process a server starts, which would only be started again):
    a refused bot token is an Unverified naming the refusal, for the caller to hold on."""
    from slack_api.client import clock_client
    from slack_api.workspace import identify

    client = clock_client(settings.slack_bot_token, settings.slack_api_url, retries=False)
    try:
        workspace = identify(client)
        if workspace.app_id is None:  # bots.info would not say (identify warned): the workspace alone is checked
            log.info("connected to Slack in workspace %s; its app unknown", workspace.team_id)
        else:
            log.info("connected to Slack in workspace %s, as app %s", workspace.team_id, workspace.app_id)
        if app_token:
            client.apps_connections_open(app_token=settings.slack_app_token or "")
        return workspace
    except SlackApiError as err:
        return _slack_answered(err, app_token, refusal_exits)
    except (OSError, TimeoutError) as err:
        if app_token:  # Socket Mode's connection is Slack's: without Slack there is nothing to serve
            raise socket_mode_refused(settings, str(err)) from None
        log.warning(
            "could not reach Slack at %s (%s); going on, and retrying as work comes", settings.slack_api_url, err
        )
    return Unverified("unreachable", datetime.now(UTC))


def _slack_answered(err: SlackApiError, app_token: bool, refusal_exits: bool) -> Unverified:
    """`verify_slack` where Slack (or what answers at SLACK_API_URL) said no: an answer not
    Slack's goes on but for Socket Mode; a refused token exits (or is an Unverified naming
    the refusal); any other error goes on."""
    from slack_api.client import not_slacks_answer

    said = not_slacks_answer(err)
    if said is not None:  # not Slack's answer at all: no token is to blame
        if app_token:
            raise click.ClickException(f"{said}, then start it again") from None
        log.warning("%s; going on, and asking again as work comes", said)
        return Unverified("not Slack's answer at SLACK_API_URL", datetime.now(UTC))
    error = str(err.response.get("error") or err.response.status_code)
    if error in REFUSED_TOKEN or err.response.status_code in (401, 403):
        opening = app_token and err.response.api_url.endswith("apps.connections.open")
        if refusal_exits or opening:
            _refused("SLACK_APP_TOKEN" if opening else "SLACK_BOT_TOKEN", error)
        return Unverified(f"Slack answered {error}", datetime.now(UTC), refused=error)
    log.warning("Slack answered %s while checking the credentials; going on", error)
    return Unverified(f"Slack answered {error}", datetime.now(UTC))


def socket_mode_refused(settings: Settings, reason: str) -> click.ClickException:
    """The one sentence for a Socket Mode connection that could not be opened."""
    return click.ClickException(
        f"could not open the Socket Mode connection ({reason}): check SLACK_APP_TOKEN and that "
        f"{settings.slack_api_url} can be reached from here, then start it again"
    )


class SchemaBehind(click.ClickException):
    """The server database's schema is not the code's: the release process's migrations
    (`rollout db upgrade`) have not run."""


def open_store(settings: Settings, dry_run: bool = False) -> Store:
    """The store, with its schema checked. The embedded SQLite database is brought up to
    date on the spot; a server database is migrated by `rollout db upgrade` (the release
    process), never behind the operator's back. `dry_run`: a tick on it keeps nothing."""
    engine = connected_engine(settings)
    if not migrate.is_current(engine):
        if engine.dialect.name == "sqlite":
            migrate.upgrade(engine)
        else:
            current = migrate.current_revision(engine)
            state = "the database is empty" if current is None else f"the database schema is at {current}"
            raise SchemaBehind(f"{state}, the code needs {migrate.head_revision()}: run `rollout db upgrade` first")
    return Store(engine, dry_run=dry_run, secret_key=settings.rollout_secret_key, slack_token=settings.slack_bot_token)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite DATABASE_URL names, absolute; None for a server's database or
    SQLite's in-memory one."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().absolute()


def database_named(url: str) -> str:
    """Which database DATABASE_URL opens, for whoever runs a command: a SQLite file's
    absolute path, or the server's URL with its password masked (and no query string,
    where a secret may be too)."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        return "SQLite in memory" if path is None else f"{path} (SQLite)"
    shown = parsed.set(drivername=parsed.get_backend_name(), query={})
    return f"{shown.render_as_string(hide_password=True)} (PostgreSQL)"


_LOGGED: set[str] = set()  # the databases this server's worker has logged it opens (each retry opens it again)


def name_database(settings: Settings, creates: bool = False) -> None:
    """Say which database this command opens, once a command, on stderr (in the log, once a
    process, when the log is JSON or no command runs: a server's worker); and refuse, in one sentence, a
    SQLite file that does not exist unless `creates` (`rollout db upgrade`): a mistyped
    path or another folder would otherwise open an empty database there and answer from it."""
    named = database_named(settings.database_url)
    command = click.get_current_context(silent=True)
    said = _LOGGED if command is None else command.find_root().meta.setdefault("rollout.databases_named", set())
    if named not in said:
        said.add(named)
        if command is None or settings.log_format == "json":
            log.info("database: %s", named)
        else:
            click.echo(f"Database: {named}", err=True)
    path = sqlite_file(settings.database_url)
    if path is not None and not creates and not path.exists():
        raise click.ClickException(
            f"there is no database at {path}: set DATABASE_URL to the bot's database "
            f"(sqlite:////absolute/path/rollout.db or postgresql://…), or create one there with `rollout db upgrade`"
        )


def running_from(at: datetime, monotonic: Callable[[], float] = time.monotonic) -> Callable[[], datetime]:
    """A clock that reads `at` when first asked, then runs on by the seconds that pass."""
    began = monotonic()
    return lambda: at + timedelta(seconds=monotonic() - began)


def _now() -> datetime:
    return datetime.now(UTC)


def reading_clock(store: Store) -> Callable[[], datetime]:
    """The clock a command reads and writes `store` at: now, but for a database `rollout
    demo` made (storage/roles.py, DEMO_CLOCK), the demo's: from its story's last hour on,
    as `demo --serve` and `mcp --demo` read it. Said once a command, on stderr (stdout is
    the command's answer, and `rollout mcp`'s protocol), or in the log without a command."""
    ended_at = store.org.demo_clock()
    if ended_at is None:
        return _now
    said = (
        f"This database was made by `rollout demo`: reading it as of {ended_at:%a %Y-%m-%d %H:%M} UTC, "
        "the demo's last day, not today."
    )
    command = click.get_current_context(silent=True)
    if command is None:
        log.info("%s", said)
    elif not command.find_root().meta.get("rollout.demo_clock_said"):
        command.find_root().meta["rollout.demo_clock_said"] = True
        click.echo(said, err=True)
    return running_from(ended_at)


def connected_engine(settings: Settings, creates: bool = False) -> Engine:
    """The engine for DATABASE_URL, once the database has answered, its name said on
    stderr; one sentence and exit 1 if it never does, or if it is a SQLite file that does
    not exist and the command does not create databases (`creates`)."""
    name_database(settings, creates)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect():
            pass
    except DBAPIError as err:
        cause = str(err.orig).strip().splitlines()[0] if err.orig is not None else type(err).__name__
        raise click.ClickException(
            f"could not connect to the database ({cause}): check DATABASE_URL and that the database is up"
        ) from None
    return engine
