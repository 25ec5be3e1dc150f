"""A team's weeks against its tools' usage records (docs/usage-records.md, "Attested and
used"), read the same way by the week's close and by every surface that shows them: the
usage sources loaded (the tools they cover), the tools a playbook's AI steps declare, and
each week's check (cadence/usage.py, `check_week`) from the team's counts kept.

A playbook's weeks are checked against the tools declared now by its steps that are now
collaborative or ai-led (a human-led step makes no claim a tool's records could test)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from cadence import calendar, usage
from cadence.state import PlaybookState
from cadence.usage import HOLD_WEEKS, WITHOUT_USAGE, TeamWeek, UsageCheck, check_week
from cadence.usage_sources import UsageFile, UsageSourceSpec
from storage.store import Store

SETTING = "usage_sources"  # the org setting the usage file is kept under, as validated JSON
AI_MODES = ("collaborative", "ai-led")


def sources_of(store: Store) -> dict[str, UsageSourceSpec]:
    """The usage sources loaded, by name (the tool); none before a file is. Whether their
    variables are set is each pull's to find out: a variable gone fails that source only."""
    kept = store.org.setting(SETTING)
    if kept is None:
        return {}
    try:
        return dict(UsageFile.model_validate_json(kept).usage)
    except ValidationError:  # kept by a version whose schema took more: load the file again
        return {}


def tools_of(state: PlaybookState, modes: Mapping[int, str] | None = None) -> list[str]:
    """The tools the playbook's collaborative and ai-led steps declare (a step's `tool`,
    else the playbook's): as its steps' modes were in a closed week (`modes`, step id:
    mode, as its close judged them: storage's `week_modes`), else as they are now. A
    week's claim is what its steps were then: a step demoted since still claimed it."""
    spec = state.spec
    now = {step.name: (modes or {}).get(step.id, step.mode) for step in state.steps}
    declared = {step.tool or spec.tool for step in spec.steps if now.get(step.name, step.mode) in AI_MODES}
    return sorted(tool for tool in declared if tool)


def declares(state: PlaybookState) -> bool:
    """Whether the playbook names a tool at all (its own or a step's, whatever its mode):
    where none does, nothing of usage is read."""
    return bool(state.spec.tool or any(step.tool for step in state.spec.steps))


@dataclass(frozen=True)
class UsageWeek:
    """A playbook's week against its tools' records: the check, and the team's counts of
    each tool checked (none for a tool whose week was not pulled)."""

    check: UsageCheck
    counts: dict[str, TeamWeek] = field(default_factory=dict)

    @property
    def people(self) -> int:
        """The team's people counted that week (0: no tool's week pulled)."""
        return max((c.people for c in self.counts.values()), default=0)

    def shown(self, floor: int) -> str:
        """The verdict as the team may be shown it (cadence/usage.py `shown`)."""
        return usage.shown(self.check, self.people, floor)


@dataclass(frozen=True)
class UsageReading:
    """What the checks of some teams' weeks read: the tools the sources cover, the teams'
    counts kept, by (channel, tool, week), and each source's last day pulled whole. `lost`:
    each source's days it can never pull whole (Microsoft 365 Copilot's); `short`: the
    counts of weeks holding such a day, kept apart from `kept` (a count short of the week:
    proof of use, never of no use, nor a cohort: cadence/usage_cohorts.py reads `kept`)."""

    covered: frozenset[str]
    kept: dict[tuple[str, str, date], TeamWeek]
    through: dict[str, date | None] = field(default_factory=dict)
    lost: dict[str, frozenset[date]] = field(default_factory=dict)
    short: dict[tuple[str, str, date], TeamWeek] = field(default_factory=dict)

    def used(
        self, state: PlaybookState, week: date, modes: Mapping[int, str] | None = None
    ) -> tuple[dict[str, TeamWeek], dict[str, int | None]]:
        """The team's counts of each tool the playbook declares in `week` (its Monday), and
        how many used each as far as the records tell: a week's records not all in yet (the
        source not pulled through its Sunday: a vendor's lag, a pull that failed) prove
        that someone used a tool, never that no one did, so its 0 is None, unknown. So is a
        week holding a day its source can never pull whole (`lost`)."""
        tools, channel, sunday = tools_of(state, modes), state.playbook.channel_id, week + timedelta(days=6)
        rows = {**self.kept, **self.short}
        counts = {tool: rows[(channel, tool, week)] for tool in tools if (channel, tool, week) in rows}
        used: dict[str, int | None] = {}
        for tool in tools:
            whole = (self.through.get(tool) or date.min) >= sunday and not _holds_lost(self.lost, tool, week)
            used[tool] = counts[tool].active if tool in counts and (whole or counts[tool].active) else None
        return counts, used

    def week(
        self, state: PlaybookState, week: date, followed: bool, modes: Mapping[int, str] | None = None
    ) -> UsageWeek:
        """The playbook's `week` (its Monday) checked: `followed`, whether a check-in of the
        week attested "followed"; `modes`, its steps' modes then (`tools_of`)."""
        counts, used = self.used(state, week, modes)
        return UsageWeek(check_week(followed, tools_of(state, modes), self.covered, used), counts)

    def holds(self, state: PlaybookState, weeks: Sequence[tuple[date, bool, Mapping[int, str] | None]]) -> bool:
        """Whether these weeks, (Monday, attested "followed", its steps' modes then),
        oldest first, the last the week closing or the last closed, hold the playbook's
        promotions to ai-led: each attested without usage, as the team is shown it
        (cadence/usage.py `holds`)."""
        floor = state.settings.pulse_min_answers
        return usage.holds([self.week(state, m, followed, modes).shown(floor) for m, followed, modes in weeks])


def _holds_lost(lost: Mapping[str, frozenset[date]], tool: str, week: date) -> bool:
    """Whether `week` (its Monday) holds a day the tool's source can never pull whole."""
    return any(week <= day <= week + timedelta(days=6) for day in lost.get(tool, ()))


NOTHING = UsageReading(frozenset(), {})  # no source loaded, or no playbook naming a tool


def read(store: Store, states: Iterable[PlaybookState], since: date) -> UsageReading:
    """The reading for these playbooks' weeks from `since` on: three reads, none of the
    counts where no source is loaded."""
    covered = frozenset(sources_of(store))
    channels = sorted({state.playbook.channel_id for state in states})
    if not covered or not channels:
        return UsageReading(covered, {})
    rows = store.usage.weeks(channels, since)
    pulls = store.usage.pulls()
    through = {name: pull.last_day for name, pull in pulls.items()}
    lost = {name: pull.lost for name, pull in pulls.items() if pull.lost}
    if not lost:
        return UsageReading(covered, {(row.channel_id, row.tool, row.week): row for row in rows}, through)
    kept: dict[tuple[str, str, date], TeamWeek] = {}
    short: dict[tuple[str, str, date], TeamWeek] = {}
    for row in rows:
        (short if _holds_lost(lost, row.tool, row.week) else kept)[(row.channel_id, row.tool, row.week)] = row
    return UsageReading(covered, kept, through, lost, short)


def hold_now(store: Store, state: PlaybookState, now: datetime) -> bool:
    """Whether the playbook's last HOLD_WEEKS weeks before this one hold its promotions to
    ai-led now, read as the close read them (`UsageReading.holds`): at a click approving a
    move up and when a move takes effect (usecases/shared/promotion_gates.py). A week
    whose records are not all in is unknown and holds nothing. Reads nothing where the
    playbook's AI steps declare no tool."""
    if not declares(state):
        return False
    this = calendar.monday_of(calendar.local_date(now, state.playbook.timezone))
    mondays = [this - timedelta(days=7 * back) for back in range(HOLD_WEEKS, 0, -1)]
    reading = read(store, [state], mondays[0])
    if not reading.covered:
        return False
    pid = state.playbook.id
    figures = store.reports.week_figures_many([(state, monday) for monday in mondays])
    modes = store.usage.week_modes([(pid, monday) for monday in mondays])
    weeks = [(m, (f := figures.get((pid, m))) is not None and f.followed > 0, modes.get((pid, m))) for m in mondays]
    return reading.holds(state, weeks)


@dataclass(frozen=True)
class Attested:
    """Readiness's attestation against usage for one playbook over its weeks: whether a
    usage source checks it, and the weeks attested without usage (their answers do not
    count)."""

    checked: bool
    unused: list[date] = field(default_factory=list)


def attested(
    store: Store, wanted: Sequence[tuple[PlaybookState, list[date]]], followed: dict[tuple[int, date], bool]
) -> dict[int, Attested]:
    """Each playbook's weeks checked against its tools' records, by id (`followed`: by
    (playbook id, Monday), whether the week was attested "followed"): readiness's
    attestation criterion counts only weeks attested and used where a source checks the
    playbook. Three reads at most, none of the counts where no source is loaded."""
    declaring = [(state, weeks) for state, weeks in wanted if weeks and declares(state)]
    since = min((min(weeks) for _, weeks in declaring), default=None)
    reading = read(store, [state for state, _ in declaring], since) if since is not None else NOTHING
    keys = [(state.playbook.id, m) for state, weeks in declaring for m in weeks]
    modes = store.usage.week_modes(keys) if reading.covered and keys else {}
    found = {}
    for state, weeks in wanted:
        pid, floor = state.playbook.id, state.settings.pulse_min_answers
        checks = {m: reading.week(state, m, followed.get((pid, m), False), modes.get((pid, m))) for m in weeks}
        checked = any(bool(set(tools_of(state, modes.get((pid, m)))) & reading.covered) for m in weeks)
        unused = [m for m, week in checks.items() if week.shown(floor) == WITHOUT_USAGE]
        found[pid] = Attested(checked, unused)
    return found
