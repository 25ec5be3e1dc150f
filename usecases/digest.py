"""The curators' weekly digest: reads (storage), figures (cadence.digest), messages
(templates), charts (templates.charts). One top-level message, then one thread reply per
function (split into parts, never cut), each function with its chart."""

from __future__ import annotations

import base64
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar, cycle_rules, keys, sponsor
from cadence.change import Message
from cadence.digest import (
    ModeChange,
    OpenProposal,
    OrgWeek,
    PlaybookDigest,
    PlaybookWeek,
    StepLastWeek,
    by_function,
    summarize,
)
from cadence.figures import WeekFigures
from cadence.state import PlaybookState
from storage.store import Store
from templates import notices_digest
from usecases import sections
from usecases.shared.collector import collector_paused

log = logging.getLogger(__name__)

WEEKS = 8
PER_REPLY = 15  # playbooks per thread reply: stays well inside 50 blocks and 3,000 characters a section


class Digest:
    def __init__(self, store: Store, charts: bool = True, currency: str = "USD", hourly_rate: float | None = None):
        self.store = store
        self.currency = currency  # ROLLOUT_CURRENCY: the value measure's costs
        self.hourly_rate = hourly_rate  # ROLLOUT_HOURLY_RATE: net value in money
        # The charts' drawer: (function, its digests, the weeks) to (PNG, alt text); the
        # demo wraps it to draw each chart for a phone too (bot/demo/page.py, PhoneCharts).
        self.draw = _chart_drawer() if charts else None
        self.charts = self.draw is not None

    def figures(self, monday: date, at: datetime) -> tuple[OrgWeek, list[PlaybookDigest], list[date]]:
        """The org's and each active playbook's numbers as of `at`, the digest's slot.

        Closed weeks only: each playbook is reported on its most recent week closed by
        `at` (in the playbook's own zone, grace included), and the header's figures are
        computed from those same weeks. Cycles and versions count in the window since
        the previous Monday's slot, so each is counted in one digest."""
        active = self.store.playbooks.active_states()
        weeks = _weeks_to(monday - timedelta(days=7))
        reported = {s.playbook.id: w for s in active if (w := closed_week(s, at)) is not None}
        states = [s for s in active if s.playbook.id in reported]
        read = self._read(states, reported, weeks, at)
        digests = [summarize(_playbook_week(state, reported[state.playbook.id], read)) for state in states]
        # The trend's last point is the threads' own weeks, so header and threads agree.
        last = [read.last[(s.playbook.id, reported[s.playbook.id].week_start)] for s in states]
        trend = [read.ratios.get(w) for w in weeks[:-1]] + [_exception_ratio(last)]
        return self._org(active, read, trend, at), digests, weeks

    def _read(
        self, states: list[PlaybookState], reported: dict[int, calendar.WeekRef], weeks: list[date], at: datetime
    ) -> _Reads:
        """What the digest reads of the playbooks it reports on, a statement for each kind
        of thing, however many playbooks there are."""
        store = self.store
        pids = [s.playbook.id for s in states]
        series_weeks = {pid: _weeks_to(w.week_start) for pid, w in reported.items()}
        every_week = sorted({w for ws in series_weeks.values() for w in ws} | set(weeks))
        kpi = store.readouts.kpi_series(sorted(pids), every_week)
        last = store.reports.week_figures_many([(s, reported[s.playbook.id].week_start) for s in states])
        checkins = store.readouts.checkin_counts([(pid, w.week_start) for pid, w in reported.items()])
        since = at - timedelta(days=7)
        names: dict[int | None, str] = {step.id: step.name for s in states for step in s.steps}
        return _Reads(
            series_weeks=series_weeks,
            kpi=kpi,
            last=last,
            checkins=checkins,
            changes=_mode_changes(store.readouts.mode_changes_between(pids, since, at), names),
            proposals=_proposals(store.governance.open_proposals_of(pids), names),
            counts=store.readouts.org_counts(since, at),
            gone=set(store.people.deactivated(sorted({s.playbook.owner_id for s in states}))),
            ratios=store.readouts.exception_ratios(weeks),
            last_hits=store.governance.last_hits(pids),  # the standing's, as the web overview's
            sections=sections.digest(
                sections.Reading(store, at, self.currency, self.hourly_rate),
                {s.playbook.id: (s, reported[s.playbook.id]) for s in states},
            ),
        )

    def _org(self, active: list[PlaybookState], read: _Reads, trend: list[float | None], at: datetime) -> OrgWeek:
        """The header's figures: every active playbook's (its sections': value, heroes, and the
        models of the parts that carry their own), the week's counts."""
        counts, checkins = read.counts, read.checkins
        reading = sections.Reading(self.store, at, self.currency, self.hourly_rate)
        return OrgWeek(
            active_playbooks=len(active),
            cycles_completed_week=counts["cycles_week"],
            cycles_completed_total=counts["cycles_total"],
            versions_published_week=counts["versions_week"],
            versions_published_total=counts["versions_total"],
            adoptions=counts["adoptions"],
            exception_ratios=trend,
            dms_sent=sum(c[0] for c in checkins.values()),
            checked_in=sum(c[1] for c in checkins.values()),
            **sections.digest_org(reading, active),
            parts=sections.digest_header(reading, active),
        )

    def messages(self, monday: date, key: str, channel: str, at: datetime) -> list[Message]:
        """The digest's messages, or none before any playbook's first week has closed: a
        digest of nothing but zeros, a week before anything started, tells no one anything.
        Once a week has closed it goes out every Monday, paused and retired playbooks' cycles
        counted in its header."""
        with collector_paused():  # usecases/shared/collector.py
            org, digests, weeks = self.figures(monday, at)
            reports = bool(digests) or self.reports_anything(monday)
            if not reports:
                return []
            composed = self.compose(org, digests, weeks, monday, key, channel)
            reading = sections.Reading(self.store, at, self.currency, self.hourly_rate)
            return composed + sections.digest_messages(reading, key, keys.digest_summary(key), channel)

    def reports_anything(self, monday: date) -> bool:
        """Whether the digest of `monday` would report a week: some playbook's week before it has closed."""
        return self.store.cadence_log.any_close_through(monday - timedelta(days=7))

    def compose(
        self, org: OrgWeek, digests: list[PlaybookDigest], weeks: list[date], monday: date, key: str, channel: str
    ) -> list[Message]:
        """The digest's messages from its figures: no database, so any org can be rendered in a test."""
        groups = by_function(digests)
        summary_key = keys.digest_summary(key)
        messages = [
            Message(
                summary_key,
                "chat.postMessage",
                channel,
                notices_digest.digest_summary(
                    week_of=monday - timedelta(days=7),
                    org=org,
                    at_risk=sum(1 for d in digests if d.standing == sponsor.AT_RISK),
                    stalled=sum(1 for d in digests if d.standing == sponsor.STALLED),  # counted once
                    charts=self.charts and bool(groups),
                    parts=sections.digest_fragments(org.parts),
                    **sections.digest_rollup(digests),
                ),
            )
        ]
        for function, members in groups.items():
            slug = _slug(function)
            parts = [members[i : i + PER_REPLY] for i in range(0, len(members), PER_REPLY)]
            rollup = sections.digest_rollup(members)  # the function's, shown with its first part
            for index, part in enumerate(parts, start=1):
                message = notices_digest.digest_function(
                    function=function,
                    digests=part,
                    total=len(members),
                    part=index,
                    parts=len(parts),
                    **(rollup if index == 1 else dict.fromkeys(rollup)),
                )
                messages.append(
                    Message(
                        keys.digest_function(key, slug, index),
                        "chat.postMessage",
                        channel,
                        {"thread_of": summary_key, **message},
                    )
                )
            if self.charts:
                chart = self._chart(function, members, weeks)
                if chart is not None:
                    png, alt = chart
                    messages.append(
                        Message(
                            keys.digest_chart(key, slug),
                            "files.uploadV2",
                            channel,
                            {
                                "thread_of": summary_key,
                                "filename": f"{slug}-kpi.png",
                                "title": f"{function}: KPI trends",
                                "alt_txt": alt,
                                "content_b64": base64.b64encode(png).decode("ascii"),
                            },
                        )
                    )
        return messages

    def _chart(self, function: str, members: list[PlaybookDigest], weeks: list[date]) -> tuple[bytes, str] | None:
        if self.draw is None:
            return None
        try:
            return self.draw(function, members, weeks)
        except Exception:
            log.exception("chart for %s failed; the digest goes out without it", function)
            return None


def _chart_drawer() -> Callable[[str, list[PlaybookDigest], list[date]], tuple[bytes, str]] | None:
    """Loaded when the clock starts, not at the first digest: the plotting library takes
    about a second to import, which the Monday digest would otherwise pay after every
    deploy. A failure here costs the charts, never the digest."""
    try:
        from templates.charts import function_chart
    except Exception:
        log.exception("charts are unavailable; digests go out without them")
        return None
    return function_chart


@dataclass(frozen=True)
class _Reads:
    """What the digest read of the playbooks it reports on (Digest._read)."""

    series_weeks: dict[int, list[date]]  # each playbook's last WEEKS weeks, to its reported one
    kpi: dict[tuple[int, date], float]
    last: dict[tuple[int, date], WeekFigures]  # each playbook's reported week
    checkins: dict[int, tuple[int, int]]  # DMs sent, answered
    changes: dict[int | None, list[ModeChange]]
    proposals: dict[int, list[OpenProposal]]
    counts: dict[str, int]
    gone: set[str]  # the owners whose accounts are deactivated
    ratios: dict[date, float]
    last_hits: dict[int, bool]
    sections: dict[int, dict[str, Any]] = field(default_factory=dict)  # each playbook's (usecases/sections)


def _weeks_to(last: date) -> list[date]:
    """The WEEKS weeks to `last`, oldest first."""
    return [last - timedelta(days=7 * i) for i in range(WEEKS - 1, -1, -1)]


def _mode_changes(decisions: list[Any], names: dict[int | None, str]) -> dict[int | None, list[ModeChange]]:
    """The week's mode changes by playbook. Grouped once: a week's close can change
    hundreds of modes, and scanning them all for every playbook made the digest quadratic
    in the org's size."""
    changes: dict[int | None, list[ModeChange]] = defaultdict(list)
    for d in decisions:
        changes[d.playbook_id].append(ModeChange(names.get(d.step_id, "?"), d.from_mode or "", d.to_mode or ""))
    return changes


def _proposals(open_ones: list[Any], names: dict[int | None, str]) -> dict[int, list[OpenProposal]]:
    proposals: dict[int, list[OpenProposal]] = defaultdict(list)
    for x in open_ones:
        proposals[x.playbook_id].append(OpenProposal(x.kind, names.get(x.step_id), x.to_mode))
    return proposals


def _playbook_week(state: PlaybookState, current: calendar.WeekRef, read: _Reads) -> PlaybookWeek:
    """A playbook's reported week, as cadence.digest.summarize judges it."""
    p = state.playbook
    figures = read.last[(p.id, current.week_start)]
    cycle_weeks = [current.cycle_start + timedelta(days=7 * i) for i in range(current.week)]
    frozen = {s.name for s in state.steps if s.frozen}
    sent, answered = read.checkins.get(p.id, (0, 0))
    return PlaybookWeek(
        slug=p.slug,
        title=p.title,
        function=p.function,
        kpi_name=p.kpi_name,
        unit=p.kpi_unit,
        direction=p.kpi_direction,
        baseline=p.kpi_baseline,
        target=p.kpi_target,
        exception_cap=p.exception_cap,
        kpi_series=[read.kpi.get((p.id, w)) for w in read.series_weeks[p.id]],
        cycle_values=[read.kpi.get((p.id, w)) for w in cycle_weeks],
        weeks_left=calendar.WEEKS_PER_CYCLE - current.week,
        steps=[StepLastWeek(s.name, s.mode, s.cases, s.total_exceptions, s.name in frozen) for s in figures.steps],
        dms_sent=sent,
        checked_in=answered,
        mode_changes=read.changes.get(p.id, []),
        open_proposals=read.proposals.get(p.id, []),
        guardrail=p.guardrail_name,
        owner_deactivated=p.owner_id in read.gone,
        last_cycle_hit=read.last_hits.get(p.id),
        status=p.status,
        cut=_cut(state, current),
        guardrail_value=figures.guardrail,
        rest=figures.rest,  # with `compare` only: no other playbook has one
        guardrail_unit=state.guardrail_unit,
        guardrail_state=cycle_rules.guardrail_state(figures.guardrail, p.guardrail_min, p.guardrail_max)
        if p.guardrail_name
        else None,
        **sections.digest_week(read.sections.get(p.id, {})),
    )


def _exception_ratio(weeks: list[WeekFigures]) -> float | None:
    """The exceptions per case of the steps that had cases in the reported weeks."""
    cases = sum(step.cases for figures in weeks for step in figures.steps if step.cases)
    exceptions = sum(step.total_exceptions for figures in weeks for step in figures.steps if step.cases)
    return exceptions / cases if cases else None


def closed_week(state: PlaybookState, at: datetime) -> calendar.WeekRef | None:
    """The playbook's most recent week that has closed by `at`, or None before its first."""
    anchor = state.cycle_anchor
    if anchor is None:
        return None
    today = calendar.local_date(at, state.playbook.timezone)
    for back in (7, 14):
        week = calendar.week_containing(anchor, today - timedelta(days=back))
        if week is not None and calendar.is_closed(
            week.week_start, state.playbook.timezone, state.settings.grace_hours, at
        ):
            return week
    return None


def _cut(state: PlaybookState, week: calendar.WeekRef) -> bool:
    """Whether `week` belongs to the run before the playbook's last resume: a pause cut it,
    and the running cycle (the resumed one) has closed nothing of its own yet."""
    anchor = state.cycle_anchor
    return anchor is not None and anchor.before is not None and week.week_start < anchor.starts_on


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "function"
