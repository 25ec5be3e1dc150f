"""`rollout usage`: the AI tools' own usage records (docs/usage-records.md). The usage
file loaded and listed, a pull tried now (nothing stored, team figures only), and the
mapping file of logins. bot/cli.py adds the group to the command line."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bot import guide
from bot.settings import Settings
from bot.startup import checked_settings, open_store, reading_clock, settings_or_exit
from cadence.pulse import MIN_ANSWERS
from cadence.usage import TeamWeek
from templates import plural
from usecases import operator
from usecases import usage as usage_records

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(help=f"The AI tools' own usage records, counted per team and week ({guide.doc('usage-records.md')}).")
def usage() -> None:
    pass


@usage.command("load")
@click.argument("file", type=FILE)
def usage_load(file: Path) -> None:
    """Keep the usage sources of FILE (YAML) in place of the ones loaded before: all or
    nothing, each problem said."""
    settings = settings_or_exit()
    store = open_store(settings)
    problems = usage_records.load(store, _read(file), os.environ, operator.COMMAND_LINE, reading_clock(store)())
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing of {file} was loaded; the file's format: {guide.doc('usage-records.md')}")
    specs = usage_records.sources_of(store)
    named = ", ".join(f"{name} ({spec.kind})" for name, spec in specs.items())
    click.echo(f"loaded {plural(len(specs), 'usage source')}: {named}")
    if specs:
        hint = _email_scope_hint(settings)
        if hint is not None:
            click.echo(hint, err=True)


def _email_scope_hint(settings: Settings) -> str | None:
    """The line saying to grant `users:read.email`, without which Slack gives no emails and
    only the mapping file's logins match; None when Slack says the bot token holds it."""
    granted = _granted_scopes(settings)
    if granted is not None and guide.EMAIL_SCOPE in granted:
        return None
    said = "the bot token lacks" if granted is not None else "people are matched by their Slack emails: the app needs"
    return (
        f"Note: {said} {guide.EMAIL_SCOPE}; add it (`rollout manifest` now prints the manifest with it) "
        "and reinstall the app, or only the mapping file's logins match."
    )


def _granted_scopes(settings: Settings) -> set[str] | None:
    """The bot token's scopes, as Slack names them in the x-oauth-scopes header of its
    answer to auth.test; None when that cannot be told (no token, Slack unreachable or
    refusing, no header)."""
    from slack_sdk.errors import SlackApiError

    from slack_api.client import clock_client

    if not settings.slack_bot_token:
        return None
    try:
        answer = clock_client(settings.slack_bot_token, settings.slack_api_url, retries=False).auth_test()
    except (SlackApiError, OSError, TimeoutError):
        return None
    header = next((value for name, value in answer.headers.items() if name.lower() == "x-oauth-scopes"), None)
    return None if header is None else {scope.strip() for scope in str(header).split(",")}


def usage_sources_loaded() -> bool:
    """Whether the database the settings name (DATABASE_URL, as every command's) has usage
    sources loaded, for `rollout manifest`: asked quietly, and False whenever it cannot be
    told (settings that do not validate, a SQLite file that does not exist, a database
    that does not answer or has no schema yet). Nothing is created, migrated or said."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.startup import sqlite_file
    from storage.db import normalise_database_url
    from storage.store import Store

    try:
        url = normalise_database_url(Settings().database_url)
        sqlite = make_url(url).get_backend_name() == "sqlite"
    except ValueError:  # pydantic's ValidationError is one; so is a URL that does not parse
        return False
    path = sqlite_file(url) if sqlite else None
    if sqlite and (path is None or not path.is_file()):
        return False
    engine = create_engine(url, connect_args={} if sqlite else {"connect_timeout": 5})
    try:
        return bool(usage_records.sources_of(Store(engine)))
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@usage.command("list")
def usage_list() -> None:
    """Each usage source: its kind, the last day pulled whole, and its failure if failing."""
    store = open_store(settings_or_exit())
    specs = usage_records.sources_of(store)
    if not specs:
        click.echo("No usage sources: load them with `rollout usage load FILE`.")
        return
    pulls = store.usage.pulls()
    rows = [("TOOL", "KIND", "PULLED THROUGH", "STATE")]
    for name, spec in specs.items():
        pull = pulls.get(name)
        last = pull.last_day.isoformat() if pull is not None and pull.last_day is not None else "never"
        state = "ok" if pull is not None and pull.last_day is not None else "not pulled yet"
        if pull is not None and pull.failing_since is not None:
            state = f"failing since {pull.failing_since:%Y-%m-%d %H:%M} UTC: {pull.last_error}"
        rows.append((name, spec.kind, last, state))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]]))


@usage.command("test")
@click.option("--only", metavar="TOOL", help="Only this source.")
def usage_test(only: str | None) -> None:
    """Pull every source (or --only TOOL) now, for its latest days, and print each team's
    weeks: people active of the team's, their active days, seats. Team figures only, for a
    team of at least its playbooks' floor of people (pulse_min_answers); stores nothing. Exits 1 if a pull failed."""
    from slack_api.client import clock_client
    from slack_api.members import DirectoryUnavailable, TeamDirectory

    settings = checked_settings("SLACK_BOT_TOKEN")
    store = open_store(settings)
    specs = usage_records.sources_of(store)
    if not specs:
        raise click.ClickException("no usage sources: load them with `rollout usage load FILE`")
    if only is not None and only not in specs:
        raise click.ClickException(f"no usage source {only}; the sources: {', '.join(specs)}")
    slack = clock_client(settings.slack_bot_token, settings.slack_api_url)
    try:
        teams = usage_records.teams_of(store, TeamDirectory(), slack)
    except DirectoryUnavailable as err:
        raise click.ClickException(f"Slack did not list the teams ({err.reason}); nothing was pulled") from None
    passed = usage_records.run(store, os.environ, teams, reading_clock(store)(), dry_run=True, only=only)
    # each team's floor: the highest pulse_min_answers of the playbooks it runs, as its
    # playbooks' pages would hide its figures (the pulse's floor at the least)
    floors: dict[str, int] = {}
    for state in store.playbooks.clock_states():
        channel = state.playbook.channel_id
        floors[channel] = max(floors.get(channel, MIN_ANSWERS), state.settings.pulse_min_answers)
    click.echo("Asked now, nothing stored:")
    for each in passed:
        _echo_passed(each, floors)
    if any(p.error for p in passed):
        raise SystemExit(1)


def _echo_passed(passed: usage_records.Passed, floors: dict[str, int]) -> None:
    """A source's dry run: its days, each team's weeks (or that it is too small to show),
    how many of its users no team's person matched. Never a login or an email."""
    if passed.error is not None:
        click.echo(f"{passed.source}: failed: {passed.error}")
        return
    if not passed.days:
        click.echo(f"{passed.source}: no day's records out yet")
        return
    click.echo(f"{passed.source}: {passed.days[0].isoformat()} to {passed.days[-1].isoformat()}")
    small = set()
    for week in passed.weeks:
        floor = floors.get(week.channel_id, MIN_ANSWERS)
        if week.people < floor:
            if week.channel_id not in small:
                click.echo(f"  {week.channel_id}  too few people to show (fewer than {floor})")
            small.add(week.channel_id)
            continue
        click.echo(f"  {week.channel_id}  {_week_words(week)}")
    if not passed.teams:
        click.echo("  no team: no playbook the clock watches, or Slack listed none of their channels")
    click.echo(f"  unmatched: {plural(passed.unmatched, 'user')} of the tool no team's person matched")


def _week_words(week: TeamWeek) -> str:
    return (
        f"week of {week.week.isoformat()}: {week.active} of {week.people} people active, "
        f"{plural(week.active_days, 'active day')}, {plural(week.seats, 'seat')}"
    )


@usage.command("map")
@click.argument("file", type=FILE)
def usage_map(file: Path) -> None:
    """Keep the logins of FILE (CSV: tool,login,slack_user) in place of the logins of the
    tools it names: all or nothing, each problem said by its line."""
    store = open_store(settings_or_exit())
    kept, problems = usage_records.map_logins(store, _read(file))
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing of {file} was kept")
    click.echo(f"mapped {plural(kept, 'login')}")


def _read(file: Path) -> str:
    """The file's text, or the exit that says why it cannot be read."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise click.ClickException(f"cannot read {file}: {getattr(err, 'strerror', None) or err}") from None
