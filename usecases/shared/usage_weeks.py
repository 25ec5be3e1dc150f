"""A team's weeks against its tools' usage records (docs/usage-records.md, "Attested and
used"), read the same way by the week's close and by every surface that shows them: the
usage sources loaded (the tools they cover), the tools a playbook's AI steps declare, and
each week's check (cadence/usage.py, `check_week`) from the team's counts kept.

A playbook's weeks are checked against the tools declared now by its steps that are now
collaborative or ai-led (a human-led step makes no claim a tool's records could test)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

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
    """What the checks of some teams' weeks read: the tools the sources cover, and the
    teams' counts kept, by (channel, tool, week)."""

    covered: frozenset[str]
    kept: dict[tuple[str, str, date], TeamWeek]

    def week(self, state: PlaybookState, week: date, followed: bool) -> UsageWeek:
        """The playbook's `week` (its Monday) checked: `followed`, whether a check-in of the
        week attested "followed"."""
        tools = tools_of(state)
        counts = {
            tool: self.kept[(state.playbook.channel_id, tool, week)]
            for tool in tools
            if (state.playbook.channel_id, tool, week) in self.kept
        }
        used = {tool: counts[tool].active if tool in counts else None for tool in tools}
        return UsageWeek(check_week(followed, tools, self.covered, used), counts)


def read(store: Store, states: Iterable[PlaybookState], since: date) -> UsageReading:
    """The reading for these playbooks' weeks from `since` on: two reads, none of the
    counts where no source is loaded."""
    covered = frozenset(sources_of(store))
    channels = sorted({state.playbook.channel_id for state in states})
    rows = store.usage.weeks(channels, since) if covered and channels else []
    return UsageReading(covered, {(row.channel_id, row.tool, row.week): row for row in rows})
