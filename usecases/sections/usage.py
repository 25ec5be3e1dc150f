"""Usage's section (docs/usage-records.md, "Attested and used" and "Where it shows"): a
team's weeks against its tools' usage records, on status, the web page and its CSV, the
API's playbook read and the digest's playbook line.

Team figures only, as the pulse's are: a week's counts, and its verdict, are shown only
where the team counted at least the playbook's `pulse_min_answers` people; under it only
"too few people to show", since a verdict of a team of two says what each of them did.
A playbook whose AI steps declare no tool a usage source covers shows nothing here
(NOT_CHECKED): its surfaces stay as they were, the API's `usage` null."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from cadence import calendar
from cadence.calendar import WeekRef
from cadence.figures import WeekFigures
from cadence.state import PlaybookState
from cadence.usage import TOO_FEW, UNKNOWN, WITHOUT_USAGE
from storage.store import Store
from templates.tables import Table
from usecases.sections.base import ApiPart, DigestPart, PagePart, Reading, StatusPart
from usecases.shared import usage_weeks
from usecases.shared.caller import Caller
from usecases.shared.usage_weeks import UsageWeek

PAGE_WEEKS = 8  # the web page's usage block: the last weeks of its table, newest first


class ToolWeek(TypedDict):
    """A team's week of one tool: counts only (cadence.usage.TeamWeek without its keys)."""

    people: int  # the team's people counted
    active: int  # of them, active on the tool on one day of the week at least
    active_days: int  # their days active, summed
    seats: int  # of them, holding a seat of the tool


class ShownWeek(TypedDict):
    """A week as every surface may show it: its verdict, and its counts unless the team
    counted fewer people than the floor (`too_few_people`)."""

    week: date  # the Monday
    verdict: str  # cadence.usage's: USED, WITHOUT_USAGE, NOT_ATTESTED, UNKNOWN
    unused: list[str]  # the declared tools no one in the team used, when WITHOUT_USAGE
    too_few_people: bool  # the team counted fewer than pulse_min_answers people: no count shown
    tools: dict[str, ToolWeek]  # each checked tool's counts kept (none: not pulled, or too few people)


@dataclass(frozen=True)
class Checked:
    """A playbook's weeks checked against its tools' records: the tools checked (declared
    by its AI steps and covered by a usage source), the floor, and the weeks shown."""

    tools: list[str]
    floor: int  # pulse_min_answers
    weeks: list[ShownWeek]  # in the order asked


def _shown(week: date, usage: UsageWeek, floor: int) -> ShownWeek:
    """A week's words, the floor applied to its counts: the team's size is the counts'
    (one channel, counted once a pull); with no counts (not pulled) there is none to hide.
    Under it, the verdict is not shown either ("no one used it" of two people is each
    one's use): TOO_FEW in its place, as the week's close says it."""
    people = max((c.people for c in usage.counts.values()), default=None)
    too_few = people is not None and people < floor
    tools = {
        tool: ToolWeek(people=c.people, active=c.active, active_days=c.active_days, seats=c.seats)
        for tool, c in usage.counts.items()
        if not too_few
    }
    check = usage.check
    if too_few and check.verdict != UNKNOWN:
        return ShownWeek(week=week, verdict=TOO_FEW, unused=[], too_few_people=True, tools={})
    return ShownWeek(week=week, verdict=check.verdict, unused=list(check.unused), too_few_people=too_few, tools=tools)


def checked(
    store: Store,
    figures: Mapping[tuple[int, date], WeekFigures],
    wanted: Mapping[int, tuple[PlaybookState, list[date]]],
) -> dict[int, Checked]:
    """Each playbook's `wanted` weeks checked, for those whose AI steps declare a tool a
    usage source covers (in a closed week, as its steps' modes were then): nothing read for
    a playbook naming none; the usage read once for all; the weeks' attestations from the
    surface's `figures` where it read them, else in one read (WeekFigures: followed > 0 is
    "attested followed")."""
    declared = {pid: (s, weeks) for pid, (s, weeks) in wanted.items() if usage_weeks.declares(s) and weeks}
    if not declared:
        return {}
    since = min(w for _, weeks in declared.values() for w in weeks)
    reading = usage_weeks.read(store, [s for s, _ in declared.values()], since)
    if not reading.covered:
        return {}
    # a closed week is checked against its steps' modes as its close judged them, the week
    # running against today's (usage_weeks.tools_of): a step demoted since still claimed it
    modes = store.usage.week_modes([(pid, w) for pid, (_, weeks) in declared.items() for w in weeks])
    tools = {pid: _tools(s, weeks, modes, reading.covered) for pid, (s, weeks) in declared.items()}
    shown = {pid: declared[pid] for pid, found in tools.items() if found}
    missing = [(s, w) for pid, (s, weeks) in shown.items() for w in weeks if (pid, w) not in figures]
    read = {**figures, **store.reports.week_figures_many(missing)}
    return {pid: _checked(state, weeks, tools[pid], read, reading, modes) for pid, (state, weeks) in shown.items()}


def _checked(
    state: PlaybookState,
    weeks: list[date],
    tools: list[str],
    figures: Mapping[tuple[int, date], WeekFigures],
    reading: usage_weeks.UsageReading,
    modes: Mapping[tuple[int, date], Mapping[int, str]],
) -> Checked:
    """One playbook's weeks checked (WeekFigures: followed > 0 is "attested followed")."""
    pid, floor = state.playbook.id, state.settings.pulse_min_answers
    followed = {w: (f := figures.get((pid, w))) is not None and f.followed > 0 for w in weeks}
    return Checked(
        tools, floor, [_shown(w, reading.week(state, w, followed[w], modes.get((pid, w))), floor) for w in weeks]
    )


def _tools(
    state: PlaybookState,
    weeks: list[date],
    modes: Mapping[tuple[int, date], Mapping[int, str]],
    covered: frozenset[str],
) -> list[str]:
    """The tools a source covers that the playbook's AI steps declared in any of `weeks`
    (a closed week's as its steps' modes were then)."""
    pid = state.playbook.id
    return sorted({t for w in weeks for t in usage_weeks.tools_of(state, modes.get((pid, w))) if t in covered})


def _counts(week: ShownWeek) -> str:
    """Each tool's counts, as the team's k of n: never who."""
    return "; ".join(
        f"{tool} {c['active']} of {c['people']} people, {c['active_days']} active day{'s' if c['active_days'] != 1 else ''}"
        + (f", {c['seats']} with a seat" if c["seats"] else "")
        for tool, c in week["tools"].items()
    )


def said(week: ShownWeek, tools: list[str], when: str) -> str:
    """A week in words, as status says it (`when`: "this week"); `tools`, those checked,
    of which an unknown week names the ones not pulled."""
    verdict = week["verdict"]
    if verdict == TOO_FEW:
        return f"Usage {when}: too few people to show"
    if verdict == WITHOUT_USAGE:
        return f":mag: *Attested without usage*: followed {when}, but no one in the team used {' or '.join(week['unused'])}"
    if verdict == UNKNOWN:
        unknown = [t for t in tools if t not in week["tools"]] or tools
        return f"Usage of {', '.join(unknown)} {when}: unknown (its records of the week are not all in yet)"
    return f"Usage {when}: {_counts(week)}"


class UsageStatus(TypedDict):
    usage: str | None  # this week's usage in words (None: not checked)


class UsagePage(TypedDict):
    usage_tools: list[str]  # the tools checked
    usage_weeks: list[ShownWeek]  # the table's last weeks, newest first
    usage_needed: int  # pulse_min_answers: the people a team needs for its figures to show


class UsageDigest(TypedDict):
    without_usage: list[str]  # the reported week attested without usage: the tools no one used


class UsageApiWeek(TypedDict):
    week: str  # YYYY-MM-DD, the Monday
    verdict: str
    unused: list[str]
    too_few_people: bool
    tools: dict[str, ToolWeek]


class UsageApiRead(TypedDict):
    tools: list[str]
    needed: int  # pulse_min_answers: the people a team needs for its figures to show
    weeks: list[UsageApiWeek]


class UsageApi(TypedDict):
    usage: UsageApiRead | None


class UsageSection(
    StatusPart[Checked, UsageStatus],
    PagePart[Checked, UsagePage],
    ApiPart[Checked | None, UsageApi],
    DigestPart[list[str], UsageDigest],
):
    """Status shows this week's (status's week: its figures and attestations are this
    week's too), counted through yesterday; the close, the digest and the page's older
    weeks show closed weeks."""

    name = "usage"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Checked]:
        wanted = {s.playbook.id: (s, [calendar.monday_of(caller.today(s))]) for s in states}
        return checked(caller.store, reading.figures, wanted)

    def status_words(self, state: PlaybookState, model: Checked) -> UsageStatus:
        return UsageStatus(usage=said(model.weeks[0], model.tools, "this week"))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Checked]:
        weeks = reading.table_weeks[-PAGE_WEEKS:][::-1]
        return checked(reading.store, reading.figures, {s.playbook.id: (s, weeks) for s in states})

    def page_words(self, state: PlaybookState, model: Checked) -> UsagePage:
        return UsagePage(usage_tools=model.tools, usage_weeks=model.weeks, usage_needed=model.floor)

    def page_tables(self, words: UsagePage, people: Mapping[str, str]) -> dict[str, Table]:
        """usage.csv: the block's weeks, a row a week and tool, as the page shows them
        (counts blank where too few people, or not pulled)."""
        header = ["week", "verdict", "too few people", "tool", "people", "active", "active days", "seats"]
        rows: list[list[object]] = []
        for week in words.get("usage_weeks", []):
            for tool in words.get("usage_tools", []):
                c = week["tools"].get(tool)
                counts = [c["people"], c["active"], c["active_days"], c["seats"]] if c else [None] * 4
                rows.append([week["week"].isoformat(), week["verdict"], week["too_few_people"], tool, *counts])
        return {"usage": (header, rows)} if rows else {}

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Checked | None]:
        """Every playbook's, None included: the read says `usage: null` where not checked."""
        found = checked(reading.store, reading.figures, {s.playbook.id: (s, reading.weeks) for s in states})
        return {s.playbook.id: found.get(s.playbook.id) for s in states}

    def api_fields(self, state: PlaybookState, model: Checked | None) -> UsageApi:
        if model is None:
            return UsageApi(usage=None)
        weeks = [
            UsageApiWeek(
                week=w["week"].isoformat(),
                verdict=w["verdict"],
                unused=w["unused"],
                too_few_people=w["too_few_people"],
                tools=w["tools"],
            )
            for w in model.weeks
        ]
        return UsageApi(usage=UsageApiRead(tools=model.tools, needed=model.floor, weeks=weeks))

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, list[str]]:
        """The reported weeks attested without usage (a team under the floor is never flagged: its verdict is not shown)."""
        wanted = {pid: (s, [week.week_start]) for pid, (s, week) in reported.items()}
        found = checked(reading.store, {}, wanted)
        return {pid: c.weeks[0]["unused"] for pid, c in found.items() if c.weeks[0]["verdict"] == WITHOUT_USAGE}

    def digest_week(self, model: list[str]) -> UsageDigest:
        return UsageDigest(without_usage=model)


SECTION = UsageSection()
