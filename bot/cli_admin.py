"""The `rollout` commands an operator keeps the installation's records with: playbooks
as code, cycles, the reporting API's tokens, and the export. bot/cli.py adds them to the
command line beside the processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from bot import guide
from bot.playbook_files import read_playbook_file
from bot.startup import open_store, reading_clock, settings_or_exit
from templates import notices_inputs, plural
from usecases import input_checks, operator, sources, tokens

T = TypeVar("T")


@click.group()
def playbook() -> None:
    """Playbooks as code."""


@playbook.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--why", default=None, help="Why the bar moves: needed by a file that loosens a playbook's bar.")
def load(files: tuple[Path, ...], why: str | None) -> None:
    """Create or update playbooks from YAML FILES (each one or more documents). Each file
    all or nothing: the good ones load, a refused one is named with its problems, and the
    exit is non-zero if any was refused. A file that loosens a bar needs --why."""
    settings = settings_or_exit()
    read = [read_playbook_file(file) for file in files]
    problems = {str(r.path): r.problems for r in read if r.problems}
    loadable = [(str(r.path), r.specs) for r in read if not r.problems]
    if loadable:
        _load_files(settings, loadable, why, problems)
    if not problems:
        return
    _refused_files(files, problems)


def _load_files(settings: Any, loadable: list[tuple[str, Any]], why: str | None, problems: dict[str, Any]) -> None:
    """Load the files read whole, saying what each playbook became and which loosenings
    wait; a file the store refused goes into `problems`, by its name."""
    from templates.refusals import plain

    store = open_store(settings)
    for done in operator.load(store, loadable, settings.rollout_timezone, reading_clock(store)(), why):
        if done.refused is not None:
            problems[done.name] = [f"{done.name}: {plain(done.refused)}"]
        for outcome in done.outcomes:
            detail = f" ({', '.join(outcome.changes)})" if outcome.changes else ""
            click.echo(f"{outcome.slug}: {outcome.action}{detail}")
        for waits in done.waiting:
            click.echo(
                f"{waits.slug}: the bar's loosening waits for a curator (its card is in the curators channel); "
                f"approved, it applies from {waits.effective}: {'; '.join(waits.changes)}"
            )


def _refused_files(files: tuple[Path, ...], problems: dict[str, Any]) -> None:
    """Each refused file's problems, in the files' order, and the exit that names them."""
    for file in files:
        for problem in problems.get(str(file), []):
            click.echo(problem, err=True)
    reference = f"what a playbook takes: {guide.doc('playbooks.md')}"
    if len(files) == 1:
        raise click.ClickException(f"nothing of {files[0]} was loaded; {reference}")
    refused = [str(file) for file in files if str(file) in problems]
    raise click.ClickException(
        f"{plural(len(files) - len(refused), 'file')} loaded; {len(refused)} refused, and nothing of "
        f"{'it' if len(refused) == 1 else 'them'} loaded: "
        f"{', '.join(refused)}; {reference}"
    )


@playbook.command("list")
def list_playbooks() -> None:
    """Every playbook: its state, where its cycles stand, its owner."""

    settings = settings_or_exit()
    store = open_store(settings)
    overviews = operator.playbooks(store, reading_clock(store)())
    if not overviews:
        click.echo("No playbooks yet: load one with `rollout playbook load FILE`.")
        return
    rows = [("PLAYBOOK", "STATUS", "FUNCTION", "CYCLE", "OWNER", "TITLE")]
    rows += [
        (
            o.state.playbook.slug,
            o.state.playbook.status,
            o.state.playbook.function,
            _where(o),
            o.owner,
            o.state.playbook.title,
        )
        for o in overviews
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join([cell.ljust(width) for cell, width in zip(row, widths, strict=False)] + [row[-1]]))


@playbook.command("export")
@click.argument("slugs", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every playbook.")
def export_playbooks(slugs: tuple[str, ...], every: bool) -> None:
    """Print playbooks SLUG... (or --all) as YAML that `rollout playbook load` takes back
    without a new revision."""
    if bool(slugs) == every:
        raise click.UsageError("give one or more SLUGs or --all")
    store = open_store(settings_or_exit())
    click.echo(_or_refused(lambda: operator.export_yaml(store, None if every else list(slugs))), nl=False)


@playbook.command("show")
@click.argument("slug")
def show(slug: str) -> None:
    """One playbook: its state, current cycle and week, owner, team and definition."""
    settings = settings_or_exit()
    store = open_store(settings)
    now = reading_clock(store)()
    overview = _or_refused(lambda: operator.playbook(store, slug, now))
    playbook, steps = overview.state.playbook, overview.state.steps
    reliable = sources.reliability(store, overview.state, now)
    team = _team_words(settings, overview)
    since = f" since {playbook.status_since.date().isoformat()}" if playbook.status_since else ""
    reason = f": {playbook.status_reason}" if playbook.status_reason else ""
    lines = [
        f"{playbook.slug}: {playbook.title}",
        f"  function  {playbook.function}",
        f"  status    {playbook.status}{since}{reason}",
        f"  cycle     {_where(overview)}",
        f"  channel   {overview.channel}",
        f"  owner     {overview.owner}",
        *([f"  owners    {', '.join(overview.owners)}"] if overview.owners else []),
        f"  team      {team}",
        f"  kpi       {playbook.kpi_name}"
        + (f" ({playbook.kpi_unit})" if playbook.kpi_unit else "")
        + f": baseline {playbook.kpi_baseline:g}, target {playbook.kpi_target:g}, {playbook.kpi_direction}",
        f"  metric delivery  {'n/a (no sources)' if reliable is None else reliable.words()}",
        *[
            f"  input check  {c.name}: {notices_inputs.check_words(c)}"
            for c in input_checks.latest(store, overview.state, now)
        ],
        "  steps",
        *[_step_line(s) for s in steps],
        "  definition",
        *[
            f"    {line}"
            for line in yaml.safe_dump(_as_read(playbook.definition), sort_keys=False, allow_unicode=True).splitlines()
        ],
    ]
    click.echo("\n".join(lines))


def _team_words(settings: Any, overview: operator.Overview) -> str:
    """How many people the playbook's team has, as Slack says now; unknown without a token or an answer."""
    from slack_api.client import clock_client
    from slack_api.members import TeamDirectory

    if not settings.slack_bot_token:
        return "unknown (no SLACK_BOT_TOKEN to ask Slack)"
    client = clock_client(settings.slack_bot_token, settings.slack_api_url, retries=False)
    size = operator.team_size(TeamDirectory(), client, overview.state)
    return "unknown (Slack did not answer)" if size is None else ("1 person" if size == 1 else f"{size} people")


def _step_line(s: Any) -> str:
    """A step in `playbook show`: its name and mode, pinned or frozen."""
    return f"    {s.name}  {s.mode}" + (" (pinned)" if s.pinned else "") + (" (frozen)" if s.frozen else "")


def _as_read(value: Any) -> Any:
    """A definition as `playbook show` prints it, for a person to read: what is set, and
    whole numbers whole (`baseline: 42`, not `42.0`; no `unit: ''` nor `max: null`).
    `playbook export` prints the definition as it is, for `playbook load` to take back."""
    if isinstance(value, dict):
        kept = {key: _as_read(v) for key, v in value.items() if _is_set(v)}
        return {key: v for key, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_set(value: Any) -> bool:
    """A value `playbook show` prints: not None, nor empty text, list or mapping."""
    return value is not None and value != "" and value != [] and value != {}


def _where(overview: operator.Overview) -> str:
    """Where a playbook's cycles stand, in a few words."""
    if overview.week is not None:
        week = overview.week
        return f"cycle {week.cycle}, week {week.week} ({week.stage}), since {week.week_start.isoformat()}"
    if overview.starts_on is not None and overview.state.playbook.status != "retired":
        return f"starts on {overview.starts_on.isoformat()}"
    return "no cycle started" if overview.starts_on is None else "ended"


@click.group(help=f"The systems numbers are pulled from ({guide.doc('sources.md')}).")
def source() -> None:
    pass


@source.command("test")
@click.argument("slug")
@click.option("--week", "week_text", help="The week's Monday, YYYY-MM-DD (default: the last week that ended).")
def source_test(slug: str, week_text: str | None) -> None:
    """Ask every source of a playbook now, for a week, and print each value or error.
    Stores nothing; works before a cycle starts."""
    settings = settings_or_exit()
    store = open_store(settings)
    now = reading_clock(store)()
    state = store.playbooks.state(slug)
    if state is None:
        raise click.ClickException(f"no playbook {slug}")
    week = sources.last_ended_week(state, now) if week_text is None else _monday(week_text)
    tried = sources.test(state, week, os.environ)
    checked = input_checks.test(state, week, os.environ, sources.WORKERS, 10.0)  # the inputs' checks too
    if not tried and not checked:
        click.echo(f"{slug} has no sources.")
        return
    click.echo(f"{slug}, week of {week.isoformat()} (asked now, nothing stored):")
    _echo_asked(tried, checked)
    if any(t.error for t in tried) or any(c.error for c in checked):
        raise SystemExit(1)


def _monday(week_text: str) -> date:
    """`--week`'s Monday, or the exit that says what it takes."""
    try:
        week = date.fromisoformat(week_text)
    except ValueError:
        raise click.ClickException(f"--week {week_text}: give the week's Monday as YYYY-MM-DD") from None
    if week.weekday() != 0:
        raise click.ClickException(f"--week {week_text} is a {week:%A}: give the week's Monday")
    return week


def _echo_asked(tried: list[sources.Tried], checked: list[input_checks.Tried]) -> None:
    """Each number asked, its value or its error; then each input's check."""
    for t in tried:
        what = f"{t.value:g}" if t.value is not None else f"failed: {t.error}"
        click.echo(f"  {t.entry.key:<24} from {t.entry.source:<16} {what}")
    for c in checked:
        click.echo(f"  input {c.check.name[:40]:<18} from {c.check.source:<16} {_check_words(c)}")


def _check_words(c: input_checks.Tried) -> str:
    """An input's check asked now: its value against its min, or why it failed."""
    met = c.value is not None and c.value >= c.check.min
    what = f"{c.value:g} ({'met' if met else 'below'} its min {c.check.min:g})" if c.value is not None else ""
    return what or f"failed: {c.error}"


@source.command("list")
def source_list() -> None:
    """Every source of every playbook, the numbers it feeds, and its last fetch."""
    settings = settings_or_exit()
    listed = sources.listing(open_store(settings))
    if not listed:
        click.echo("No playbook has sources.")
        return
    rows = [("PLAYBOOK", "SOURCE", "KIND", "FEEDS", "LAST FETCH")]
    for item in listed:
        if item.last_at is None:
            last = "never"
        else:
            got = f"{item.last_value:g}" if item.last_value is not None else f"failed: {item.last_error}"
            last = f"{item.last_at:%Y-%m-%d %H:%M} UTC, week of {item.last_week}: {got}"
        rows.append((item.slug, item.source, item.kind, ", ".join(item.feeds) or "nothing", last))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]]))


@click.group()
def cycle() -> None:
    """Four-week cycles."""


@cycle.command("start")
@click.argument("slug")
@click.argument("starts_on", metavar="[YYYY-MM-DD]", required=False)
def cycle_start(slug: str, starts_on: str | None) -> None:
    """Start a playbook's first cycle on a Monday (default: next Monday), or move a start
    that has not begun; the same rules as `/rollout cycle start`."""

    day = None
    if starts_on is not None:
        try:
            day = date.fromisoformat(starts_on)
        except ValueError:
            raise click.BadParameter(f"{starts_on!r} is not a date (YYYY-MM-DD)", param_hint="YYYY-MM-DD") from None
    settings = settings_or_exit()
    store = open_store(settings)
    now = reading_clock(store)()
    state, started = _or_refused(lambda: operator.start_cycle(store, slug, day, now))
    moved = f" (moved from {started.moved_from.isoformat()})" if started.moved_from else ""
    baseline = started.baseline_week
    measures = f"a baseline week from {baseline.isoformat()} measures its KPI; " if baseline else ""
    click.echo(
        f"{state.playbook.slug}: {measures}cycle {started.cycle} starts on {started.starts_on.isoformat()}{moved}."
    )


@click.group(help=f"Tokens of the reporting API ({guide.doc('api.md')}).")
def token() -> None:
    pass


@token.command("create")
@click.option("--name", required=True, help="How reports made with it are signed: token:<name>.")
@click.option("--playbook", "playbooks", multiple=True, help="A playbook it may report on (repeat for more).")
@click.option("--all", "all_playbooks", is_flag=True, help="Every playbook, including those added later.")
@click.option(
    "--kinds",
    default=",".join(tokens.REPORT_KINDS),
    help=f"What it may report, comma-separated (default: all): {', '.join(tokens.REPORT_KINDS)}.",
)
@click.option("--read", is_flag=True, help="It may also read playbooks and the registry.")
def token_create(name: str, playbooks: tuple[str, ...], all_playbooks: bool, kinds: str, read: bool) -> None:
    """Create a token and print it, once: only its hash is kept."""
    if bool(playbooks) == all_playbooks:
        raise click.UsageError("give --playbook SLUG (one or more) or --all")
    store = open_store(settings_or_exit())
    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    scope = None if all_playbooks else list(playbooks)
    try:
        created = tokens.create(store, name, scope, wanted, read, operator.COMMAND_LINE, reading_clock(store)())
    except tokens.TokenRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(created.token)
    click.echo(
        f"Token {name}: {', '.join(created.row.kinds) or 'no reports'} on "
        f"{'every playbook' if scope is None else ', '.join(sorted(set(scope)))}{', and reads' if read else ''}. "
        "It is shown this once; keep it in your secret store.",
        err=True,
    )


@token.command("list")
def token_list() -> None:
    """The tokens: name, scope, creation, last use, revocation (never the tokens)."""
    rows = open_store(settings_or_exit()).tokens.all()
    if not rows:
        click.echo("No tokens yet: rollout token create --name NAME --playbook SLUG")
    for row in rows:
        scope = "all playbooks" if row.playbooks is None else ", ".join(row.playbooks)
        used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
        state = f"revoked {row.revoked_at.isoformat(timespec='minutes')}" if row.revoked_at else "in use"
        kinds = ", ".join(row.kinds) or "no reports"
        click.echo(
            f"{row.name}  {state}  {kinds} on {scope}{' + read' if row.can_read else ''}  "
            f"created {row.created_at.isoformat(timespec='minutes')}  last used: {used}"
        )


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """End a token at once, in every process."""
    store = open_store(settings_or_exit())
    try:
        tokens.revoke(store, name, operator.COMMAND_LINE, reading_clock(store)())
    except tokens.TokenRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Token {name} is revoked.")


def _or_refused(work: Callable[[], T]) -> T:
    """What `work` returns, or its refusal as one sentence and exit code 1."""
    from templates.refusals import Refusal, plain

    try:
        return work()
    except Refusal as refusal:
        raise click.ClickException(plain(refusal)) from None


@click.group()
def export() -> None:
    """Exports for analysts."""


@export.command("csv")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_csv(directory: Path) -> None:
    """Write every table as DIRECTORY/<table>.csv, with a header row."""
    settings = settings_or_exit()
    try:
        written = operator.export_csv(open_store(settings), directory)
    except OSError as err:
        # The file of the export in the way, if it was one (not one of the scratch folder's).
        where = err.filename if err.filename and Path(err.filename).parent == directory.absolute() else directory
        raise click.ClickException(
            f"cannot write the export to {where}: {err.strerror or err}; nothing was exported"
        ) from None
    for name, rows in written:
        click.echo(f"{directory / name}: {plural(rows, 'row')}")
