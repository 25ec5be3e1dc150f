"""A team's weeks against its tools' usage records (docs/usage-records.md, "Attested and
used"), read the same way by the week's close and by every surface that shows them: the
usage sources loaded (the tools they cover), the tools a playbook's AI steps declare, and
each week's check (cadence/usage.py, `check_week`) from the team's counts kept.

A playbook's weeks are checked against the tools declared now by its steps that are now
collaborative or ai-led (a human-led step makes no claim a tool's records could test)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import ValidationError

from cadence.state import PlaybookState
from cadence.usage import TeamWeek, UsageCheck, check_week
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


def tools_of(state: PlaybookState) -> list[str]:
    """The tools the playbook's collaborative and ai-led steps declare (a step's `tool`,
    else the playbook's), as its steps' modes are now."""
    spec, modes = state.spec, {step.name: step.mode for step in state.steps}
    declared = {step.tool or spec.tool for step in spec.steps if modes.get(step.name, step.mode) in AI_MODES}
    return sorted(tool for tool in declared if tool)


@dataclass(frozen=True)
class UsageWeek:
    """A playbook's week against its tools' records: the check, and the team's counts of
    each tool checked (none for a tool whose week was not pulled)."""

    check: UsageCheck
    counts: dict[str, TeamWeek] = field(default_factory=dict)


@dataclass(frozen=True)
class UsageReading:
    """What the checks of some teams' weeks read: the tools the sources cover, the teams'
    counts kept, by (channel, tool, week), and each source's last day pulled whole."""

    covered: frozenset[str]
    kept: dict[tuple[str, str, date], TeamWeek]
    through: dict[str, date | None] = field(default_factory=dict)

    def used(self, state: PlaybookState, week: date) -> tuple[dict[str, TeamWeek], dict[str, int | None]]:
        """The team's counts of each tool the playbook declares in `week` (its Monday), and
        how many used each as far as the records tell: a week's records not all in yet (the
        source not pulled through its Sunday: a vendor's lag, a pull that failed) prove
        that someone used a tool, never that no one did, so its 0 is None, unknown."""
        tools, channel, sunday = tools_of(state), state.playbook.channel_id, week + timedelta(days=6)
        counts = {tool: self.kept[(channel, tool, week)] for tool in tools if (channel, tool, week) in self.kept}
        used: dict[str, int | None] = {}
        for tool in tools:
            whole = (self.through.get(tool) or date.min) >= sunday
            used[tool] = counts[tool].active if tool in counts and (whole or counts[tool].active) else None
        return counts, used

    def week(self, state: PlaybookState, week: date, followed: bool) -> UsageWeek:
        """The playbook's `week` (its Monday) checked: `followed`, whether a check-in of the
        week attested "followed"."""
        counts, used = self.used(state, week)
        return UsageWeek(check_week(followed, tools_of(state), self.covered, used), counts)


def read(store: Store, states: Iterable[PlaybookState], since: date) -> UsageReading:
    """The reading for these playbooks' weeks from `since` on: three reads, none of the
    counts where no source is loaded."""
    covered = frozenset(sources_of(store))
    channels = sorted({state.playbook.channel_id for state in states})
    if not covered or not channels:
        return UsageReading(covered, {})
    rows = store.usage.weeks(channels, since)
    through = {name: pull.last_day for name, pull in store.usage.pulls().items()}
    return UsageReading(covered, {(row.channel_id, row.tool, row.week): row for row in rows}, through)
