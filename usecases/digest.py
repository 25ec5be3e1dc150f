"""The curators' weekly digest: reads (storage), figures (cadence.digest), messages
(templates), charts (templates.charts). One top-level message, then one thread reply per
function (split into parts, never cut), each function with its chart."""

from __future__ import annotations

import base64
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta

from cadence import calendar, keys, rules, sponsor
from cadence.digest import (
    ModeChange,
    OpenProposal,
    OrgWeek,
    Origin,
    PlaybookDigest,
    PlaybookWeek,
    StepLastWeek,
    by_function,
    summarize,
)
from storage.outbox import Message
from storage.store import PlaybookState, Store
from templates import render
from usecases import digest_learned
from usecases import value as worth
from usecases.shared import stalling
from usecases.shared.collector import collector_paused
from usecases.shared.depth import plateaus

log = logging.getLogger(__name__)

WEEKS = 8
PER_REPLY = 15  # playbooks per thread reply: stays well inside 50 blocks and 3,000 characters a section


class Digest:
    def __init__(self, store: Store, charts: bool = True, currency: str = "USD"):
        self.store = store
        self.currency = currency  # ROLLOUT_CURRENCY: the value measure's costs
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
        states = active = self.store.playbooks.active_states()
        last_week = monday - timedelta(days=7)
        weeks = [last_week - timedelta(days=7 * i) for i in range(WEEKS - 1, -1, -1)]
        reported = {s.playbook.id: w for s in states if (w := closed_week(s, at)) is not None}
        states = [s for s in states if s.playbook.id in reported]
        pids = [s.playbook.id for s in states]
        series_weeks = {
            pid: [w.week_start - timedelta(days=7 * i) for i in range(WEEKS - 1, -1, -1)] for pid, w in reported.items()
        }
        origin_versions = self.store.registry.versions_by_id(
            [s.playbook.adopted_from_id for s in states if s.playbook.adopted_from_id]
        )
        origin_pids = sorted({v.playbook_id for v in origin_versions.values()})
        verdicts = self.store.registry.replication_verdicts(
            [s.playbook.id for s in states if s.playbook.adopted_from_id]
        )
        every_week = sorted({w for ws in series_weeks.values() for w in ws} | set(weeks))
        kpi = self.store.readouts.kpi_series(sorted(set(pids) | set(origin_pids)), every_week)
        last = self.store.reports.week_figures_many([(s, reported[s.playbook.id].week_start) for s in states])
        checkins = self.store.readouts.checkin_counts([(pid, w.week_start) for pid, w in reported.items()])
        since = at - timedelta(days=7)
        names: dict[int | None, str] = {step.id: step.name for s in states for step in s.steps}
        # Grouped once: a week's close can change hundreds of modes, and scanning them
        # all for every playbook made the digest quadratic in the org's size.
        changes: dict[int | None, list[ModeChange]] = defaultdict(list)
        for d in self.store.readouts.mode_changes_between(pids, since, at):
            changes[d.playbook_id].append(ModeChange(names.get(d.step_id, "?"), d.from_mode or "", d.to_mode or ""))
        proposals: dict[int, list[OpenProposal]] = defaultdict(list)
        for x in self.store.governance.open_proposals_of(pids):
            proposals[x.playbook_id].append(OpenProposal(x.kind, names.get(x.step_id), x.to_mode))
        counts = self.store.readouts.org_counts(since, at)
        gone = self.store.people.deactivated(sorted({s.playbook.owner_id for s in states}))
        ratios = self.store.readouts.exception_ratios(weeks)
        stalls = stalling.stalled(self.store, states)
        last_hits = self.store.governance.last_hits(pids)[0]  # the standing's, as the web overview's
        flagged = plateaus(self.store, states, at)

        digests = []
        all_cases = all_exceptions = 0
        for state in states:
            p = state.playbook
            current = reported[p.id]
            figures = last[(p.id, current.week_start)]
            cycle_weeks = [current.cycle_start + timedelta(days=7 * i) for i in range(current.week)]
            frozen = {s.name for s in state.steps if s.frozen}
            origin = None
            if p.adopted_from_id in origin_versions:
                v = origin_versions[p.adopted_from_id]
                latest = (verdicts.get(p.id) or [{}])[-1]
                origin = Origin(
                    v.slug,
                    v.version,
                    v.definition.get("kpi", {}).get("baseline", 0.0),
                    kpi.get((v.playbook_id, current.week_start)),
                    latest.get("verdict"),
                    latest.get("cycle"),
                    v.definition.get("kpi", {}).get("target"),
                )
            sent, answered = checkins.get(p.id, (0, 0))
            for step in figures.steps:
                if step.cases:
                    all_cases += step.cases
                    all_exceptions += step.total_exceptions
            week = PlaybookWeek(
                slug=p.slug,
                title=p.title,
                function=p.function,
                kpi_name=p.kpi_name,
                unit=p.kpi_unit,
                direction=p.kpi_direction,
                baseline=p.kpi_baseline,
                target=p.kpi_target,
                exception_cap=p.exception_cap,
                kpi_series=[kpi.get((p.id, w)) for w in series_weeks[p.id]],
                cycle_values=[kpi.get((p.id, w)) for w in cycle_weeks],
                weeks_left=calendar.WEEKS_PER_CYCLE - current.week,
                steps=[
                    StepLastWeek(s.name, s.mode, s.cases, s.total_exceptions, s.name in frozen) for s in figures.steps
                ],
                dms_sent=sent,
                checked_in=answered,
                mode_changes=changes.get(p.id, []),
                open_proposals=proposals.get(p.id, []),
                origin=origin,
                guardrail=p.guardrail_name,
                owner_deactivated=p.owner_id in gone,
                stalled=stalls[p.id].phrase if p.id in stalls else None,
                plateau=flagged.get(p.id, False),
                last_cycle_hit=last_hits.get(p.id),
                status=p.status,
                cut=_cut(state, current),
                guardrail_value=figures.guardrail,
                guardrail_unit=state.guardrail_unit,
                guardrail_state=rules.guardrail_state(figures.guardrail, p.guardrail_min, p.guardrail_max)
                if p.guardrail_name
                else None,
            )
            digests.append(summarize(week))
        # The trend's last point is the threads' own weeks, so header and threads agree.
        trend = [ratios.get(w) for w in weeks[:-1]] + [all_exceptions / all_cases if all_cases else None]
        measures = worth.of_playbooks(self.store, active, self.currency)
        saved = worth.of_org(measures, self.currency)
        carried = worth.heroes(
            self.store, active, {s.playbook.id: calendar.local_date(at, s.playbook.timezone) for s in active}
        )
        slugs = {s.playbook.id: s.playbook.slug for s in active}
        org = OrgWeek(
            active_playbooks=len(active),
            cycles_completed_week=counts["cycles_week"],
            cycles_completed_total=counts["cycles_total"],
            versions_published_week=counts["versions_week"],
            versions_published_total=counts["versions_total"],
            adoptions=counts["adoptions"],
            exception_ratios=trend,
            dms_sent=sum(c[0] for c in checkins.values()),
            checked_in=sum(c[1] for c in checkins.values()),
            value_measured=saved.measured,
            hours_saved=saved.last_hours,
            cost_per_hour=saved.cost_per_hour,
            no_cost_per_hour=saved.no_cost_per_hour,
            currency=self.currency,
            heroes=tuple(sorted((slugs[pid], h.person, h.share) for pid, h in carried.items())),
        )
        return org, digests, weeks

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
            return composed + digest_learned.thread(self.store, key, keys.digest_summary(key), channel, at)

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
                render(
                    "digest_summary",
                    week_of=(monday - timedelta(days=7)).isoformat(),
                    org=org,
                    at_risk=sum(1 for d in digests if d.standing == sponsor.AT_RISK),
                    stalled=sum(1 for d in digests if d.standing == sponsor.STALLED),  # counted once
                    charts=self.charts and bool(groups),
                ),
            )
        ]
        for function, members in groups.items():
            slug = _slug(function)
            parts = [members[i : i + PER_REPLY] for i in range(0, len(members), PER_REPLY)]
            for index, part in enumerate(parts, start=1):
                message = render(
                    "digest_function", function=function, digests=part, total=len(members), part=index, parts=len(parts)
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
