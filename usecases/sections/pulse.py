"""The pulse's section (docs/usage.md, "The pulse"; the form and its answers:
usecases/pulse.py): the last closed cycles' pulse, aggregates only, on status, the
digest, the web page and its CSV, the API and `rollout export csv`; and before a cycle's
close, to the owner and curators, how many answered it.

This module is the surfaces' one gate to the pulse: only here do they ask
store.pulses.shown (storage/pulse.py) for a cycle's figures, each with the playbook's
`pulse_min_answers`, the floor under which no figure is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict

from slack_sdk.errors import SlackApiError

from cadence import calendar
from cadence.calendar import WeekRef
from cadence.digest import PlaybookDigest, pulse_rollup
from cadence.pulse import Pulse
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable
from storage.store import Store
from templates import tables
from templates.pulse_words import pulse_phrase
from templates.tables import Table, pulse_export
from templates.web_charts import pulse_chart
from usecases.pulse import is_open, last_week
from usecases.sections.base import ApiPart, Chart, DigestOrgPart, DigestPart, ExportPart, PagePart, Reading, StatusPart
from usecases.shared.caller import Caller

Cycle = tuple[int, int]  # a playbook's id and a cycle's number

CHART_CYCLES = 104 // calendar.WEEKS_PER_CYCLE  # the web page's charts' two years (usecases/web.py, CHART_WEEKS)


def _gate(store: Store, wanted: list[tuple[PlaybookState, int]]) -> dict[Cycle, Pulse]:
    """The floor's one place: each (playbook, cycle)'s pulse as it may be shown, from its
    `pulse_min_answers` answers to a question, in one read however many are asked."""
    return store.pulses.shown({(s.playbook.id, cycle): s.settings.pulse_min_answers for s, cycle in wanted})


def closed_cycles(state: PlaybookState, count: int | None = 2) -> list[tuple[int, date]]:
    """The last `count` cycles whose pulse closed (their week 4 closed; None: all of them),
    newest first: each cycle's number and its week 4's Monday."""
    closed = state.playbook.closed_through
    if state.anchor is None or closed is None or state.settings.pulse == "off":
        return []
    week = calendar.week_containing(state.running(), closed)
    if week is None:
        return []
    last = calendar.week_of_cycle(week, calendar.WEEKS_PER_CYCLE)
    if week.week != calendar.WEEKS_PER_CYCLE:  # the cycle closing now has not closed its pulse
        last = calendar.WeekRef(week.cycle - 1, last.week, last.week_start - timedelta(days=calendar.DAYS_PER_CYCLE))
    found = [
        (last.cycle - n, last.week_start - timedelta(days=calendar.DAYS_PER_CYCLE * n))
        for n in range(last.cycle if count is None else count)
        if last.cycle - n >= 1
    ]
    return found


def shown(store: Store, states: list[PlaybookState], count: int | None = 2) -> dict[int, list[Pulse]]:
    """Each playbook's pulse of its last `count` closed cycles (None: every one), newest
    first, as it may be shown: aggregates only, each figure from `pulse_min_answers`
    answers to its question, else only how many answered."""
    wanted = {s.playbook.id: [(s, cycle) for cycle, _ in closed_cycles(s, count)] for s in states}
    found = _gate(store, [c for cycles in wanted.values() for c in cycles])
    return {pid: [found[(pid, cycle)] for _, cycle in cycles] for pid, cycles in wanted.items()}


def answered(caller: Caller, state: PlaybookState) -> tuple[int, int] | None:
    """Before the close, to the owner and curators only: how many of the team answered the
    open cycle's pulse, of how many people (None: no pulse open, or not theirs to see).
    The team is the channel's people as the check-ins count them (slack_api/members.py,
    TeamDirectory.teams): no bot, app (the bot's own user included) or deactivated
    account; and the owner, if a person."""
    week = last_week(state, caller.today(state))
    if state.settings.pulse == "off" or week is None or not is_open(state, week, caller):
        return None
    if not caller.is_owner_or_curator(state):
        return None
    count = _gate(caller.store, [(state, week.cycle)])[(state.playbook.id, week.cycle)].answers
    channel, owner = state.playbook.channel_id, state.playbook.owner_id
    directory = caller.services.directory
    try:
        known = None if state.channel_changes is None else {channel: state.channel_changes}
        team = {p.user_id for p in directory.teams(caller.client, [channel], known).get(channel) or []}
        if owner not in team and (person := directory.people(caller.client, [owner]).get(owner)) and person.is_human:
            team.add(owner)
    except (DirectoryUnavailable, SlackApiError, OSError, TimeoutError):  # Slack does not say who is on the team now
        return count, 0
    return count, max(len(team), count)


@dataclass(frozen=True)
class InStatus:
    shown: list[Pulse]  # the last closed cycle's, if anyone answered it
    answered: tuple[int, int] | None  # the open pulse: how many answered, of how many (owner, curators)


class PulseStatus(TypedDict):
    pulse: list[Pulse]  # the last closed cycle's, if anyone answered it
    pulse_answered: tuple[int, int] | None  # the open pulse: how many answered, of how many


class PulseWeek(TypedDict):
    pulse: Pulse  # the cycle the reported week completed


class PulseRollup(TypedDict):
    pulse: Pulse | None  # pooled over the playbooks (cadence.digest.pulse_rollup)


class PulseSaid(TypedDict):
    cycle: int
    said: str


class PulsePage(TypedDict):
    pulse: list[dict[str, Any]]  # the last two closed cycles' figures (Pulse.figures), for the pulse's CSV
    pulse_said: list[PulseSaid]
    pulse_charted: list[dict[str, Any]]  # the chart's cycles' figures, oldest first


class PulseApi(TypedDict):
    pulse: list[dict[str, Any]]  # the last closed cycles' figures (Pulse.figures), aggregates only


class PulseSection(
    StatusPart[InStatus, PulseStatus],
    DigestPart[Pulse, PulseWeek],
    DigestOrgPart,
    PagePart[list[Pulse], PulsePage],
    ApiPart[list[Pulse], PulseApi],
    ExportPart,
):
    name = "pulse"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, InStatus]:
        found = shown(caller.store, states, 1)
        return {
            s.playbook.id: InStatus(
                [p for p in found[s.playbook.id] if p.answers],  # a cycle nobody answered: nothing
                answered(caller, s),
            )
            for s in states
        }

    def status_words(self, state: PlaybookState, model: InStatus) -> PulseStatus:
        return PulseStatus(pulse=model.shown, pulse_answered=model.answered)

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Pulse]:
        """The pulse of the cycles the reported weeks completed (sealed at their close), if
        anyone answered it."""
        completing = [
            (s, week.cycle)
            for s, week in reported.values()
            if s.settings.pulse == "on" and week.week == calendar.WEEKS_PER_CYCLE
        ]
        found = _gate(reading.store, completing)
        return {s.playbook.id: p for s, cycle in completing if (p := found[(s.playbook.id, cycle)]).answers}

    def digest_week(self, model: Pulse) -> PulseWeek:
        return PulseWeek(pulse=model)

    def digest_rollup(self, digests: list[PlaybookDigest]) -> PulseRollup:
        return PulseRollup(pulse=pulse_rollup(digests))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[Pulse]]:
        return shown(reading.store, states, CHART_CYCLES)  # newest first

    def page_words(self, state: PlaybookState, model: list[Pulse]) -> PulsePage:
        last = model[:2]
        return PulsePage(
            pulse=[p.figures() for p in last],  # aggregates only, for the pulse's CSV
            pulse_said=[PulseSaid(cycle=p.cycle, said=pulse_phrase(p)) for p in last],
            pulse_charted=[p.figures() for p in model[::-1] if p.shown],  # the chart's cycles, oldest first
        )

    def page_charts(self, words: PulsePage, title: str) -> dict[str, Chart]:
        pulses = words["pulse_charted"]
        means = [[(c[q] or {}).get("mean") for c in pulses] for q in ("trust", "safety")]
        chart = pulse_chart([c["cycle"] for c in pulses], *means) if pulses else None
        return dict(pulse_chart=chart)

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[Pulse]]:
        return shown(reading.store, states)

    def api_fields(self, state: PlaybookState, model: list[Pulse]) -> PulseApi:
        return PulseApi(pulse=[p.figures() for p in model])  # the last closed cycles', aggregates only

    def export(self, store: Store, states: list[PlaybookState]) -> dict[str, Table]:
        """pulse.csv: each closed cycle's figures as the playbook's web page shows them
        (no answer-level file)."""
        found = shown(store, states, None)
        cycles = [
            (s.playbook.slug, p.figures())
            for s in sorted(states, key=lambda s: s.playbook.slug)
            for p in reversed(found[s.playbook.id])
            if p.answers
        ]
        return {"pulse.csv": pulse_export(cycles)}

    def page_tables(self, words: PulsePage, people: Mapping[str, str]) -> dict[str, Table]:
        return dict(pulse=tables.pulse_table(words.get("pulse", [])))


SECTION = PulseSection()
