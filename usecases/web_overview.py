"""The web view's org overview (handlers/web_view.py, "/"): every playbook by function with
its KPI, cycle and week, the sponsor's first screen (standings, the funnel, each active
playbook's way to target), value, depth and setup time. One read of each kind for all
playbooks, in one `Reading` (storage/uow.py), however many there are (bench/week.py times 1,000)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from cadence import calendar, sponsor
from cadence.figures import progress_to_target
from cadence.replication import REPLICATED
from storage.store import PlaybookState
from storage.uow import Reading
from usecases import setup_time
from usecases import value as worth
from usecases.shared import depth, stalling
from usecases.shared.services import Services
from usecases.web import Viewer, week_label, with_names

TREND_WEEKS = 26  # the overview's org trends: half a year of closed weeks (from the first with data)
PROGRESS_WEEKS = 8  # the overview's small charts: each active playbook's last 8 weeks, this one included


def overview(services: Services, viewer: Viewer) -> dict[str, Any]:
    """Every playbook by function, stalled first, then risks: its KPI against baseline and target, its
    cycle and week; and the registry's size."""
    now = services.clock()
    monday = calendar.monday_of(calendar.local_date(now, services.org_timezone))
    trend_weeks = [monday - timedelta(days=7 * i) for i in range(TREND_WEEKS, 0, -1)]  # closed weeks
    with Reading(services.store) as store:
        ratios = store.readouts.exception_ratios(trend_weeks)
        rates = store.readouts.attestation_rates(trend_weeks)
        counts = store.readouts.org_counts(now - timedelta(days=7), now)
        states = store.playbooks.listed_states()
        proposals = store.governance.open_proposals_of([s.playbook.id for s in states])
        latest = {}
        for state in states:
            if state.anchor is not None:
                week = calendar.week_containing(state.running(), calendar.local_date(now, state.playbook.timezone))
                latest[state.playbook.id] = week
        # The KPI of each playbook's last PROGRESS_WEEKS weeks, this one included: the
        # latest KPI, the running cycle's closed weeks and the small charts, in one read.
        # The plateau rule's (each active playbook's ended week and the one before) with them.
        ended = [depth.ended_week(s, now) for s in states if s.playbook.status == "active"]
        active = [s.playbook.id for s in states if s.playbook.status == "active"]
        kpis = store.reports.week_kpis(
            sorted(
                {
                    *(
                        (pid, w.week_start - timedelta(days=7 * back))
                        for pid, w in latest.items()
                        if w
                        for back in range(PROGRESS_WEEKS)
                    ),
                    *(
                        (pid, end - timedelta(days=7 * back))
                        for pid, end in zip(active, ended, strict=True)
                        for back in (0, 1)
                    ),
                }
            )
        )
        step_names = store.governance.step_names([p.step_id for p in proposals if p.step_id])
        stalls = stalling.stalled(store, states)
        versions = store.registry.versions()
        last_hits, proposed = store.governance.last_hits([s.playbook.id for s in states])
        adopted_from = {v.id: v.playbook_id for v in versions}
        adopters = [s.playbook.id for s in states if s.playbook.adopted_from_id in adopted_from]
        replications = store.registry.replication_verdicts(adopters)
        flagged = depth.plateaus(store, states, now, kpis)
        org_depth = depth.months(store, monday - timedelta(days=7))
        measures = worth.of_playbooks(store, states, services.currency)  # value the sponsor can weigh
        carried = worth.heroes(
            store, states, {s.playbook.id: calendar.local_date(now, s.playbook.timezone) for s in states}
        )
    by_function: dict[str, list[dict[str, Any]]] = {}
    for state in states:
        p = state.playbook
        week = latest.get(p.id)
        # The latest KPI: this week's, or last week's while this one has none yet.
        kpi = None
        if week is not None:
            kpi = kpis.get((p.id, week.week_start), kpis.get((p.id, week.week_start - timedelta(days=7))))
        progress = progress_to_target(kpi, p.kpi_baseline, p.kpi_target) if kpi is not None else None
        by_function.setdefault(p.function, []).append(
            dict(
                slug=p.slug,
                title=p.title,
                status=p.status,
                kpi_name=p.kpi_name,
                unit=p.kpi_unit,
                kpi=kpi,
                baseline=p.kpi_baseline,
                target=p.kpi_target,
                progress=progress,
                cycle=week.cycle if week else None,
                week=week.week if week else None,
                stalled=stalls[p.id].phrase if p.id in stalls else None,
                plateau=flagged.get(p.id, False),
                value=worth.words(measures[p.id]),
                hours=getattr(measures[p.id], "last_hours", None),
                hero_id=carried[p.id].person if p.id in carried else None,
                hero_share=carried[p.id].share if p.id in carried else None,
            )
        )
    for rows in by_function.values():  # stalled first, then risks: the furthest from target, then the rest
        rows.sort(
            key=lambda r: (
                r["stalled"] is None,
                r["status"] != "active",
                r["progress"] if r["progress"] is not None else -1e9,
            )
        )
    slugs = {s.playbook.id: s.playbook.slug for s in states}
    first_screen = _first_screen(states, latest, kpis, stalls, last_hits, proposed, versions, replications)
    measured = [i for i, w in enumerate(trend_weeks) if ratios.get(w) is not None or rates.get(w) is not None]
    trend_from = measured[0] if measured else len(trend_weeks)  # from the first week with data
    shown = dict(
        first_screen,
        functions=sorted(by_function.items()),
        versions=len(versions),
        viewer=viewer.user_id,
        trend=[dict(week=w, exceptions=ratios.get(w), attestation=rates.get(w)) for w in trend_weeks[trend_from:]],
        depth=org_depth,
        value=worth.of_org(measures, services.currency),
        plateaus=sum(1 for f in flagged.values() if f),
        cycles_completed=counts["cycles_total"],
        adoptions=counts["adoptions"],
        setup=setup_time.overview(services.store, now),
        proposals=[
            dict(
                slug=slugs.get(p.playbook_id, "?"), kind=p.kind, step=step_names.get(p.step_id or 0), to_mode=p.to_mode
            )
            for p in proposals
        ],
    )
    return with_names(services.store, shown)


def _first_screen(
    states: list[PlaybookState],
    latest: dict[int, calendar.WeekRef | None],
    kpis: dict[tuple[int, date], float],
    stalls: dict[int, stalling.Stalled],
    last_hits: dict[int, bool],
    proposed: set[int],
    versions: list[Any],
    replications: dict[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    """What a sponsor asks first: the active playbooks on track, at risk and stalled
    (usecases/shared/stalling.py, `standing`, as a playbook's page), the funnel from pilot to replicated (every playbook at
    its furthest stage) and each active playbook's way from baseline to target over its
    last weeks, as a share of the way (cadence.figures.progress_to_target)."""
    origin_of = {v.id: v.playbook_id for v in versions}
    published = set(origin_of.values())
    adopted, replicated = set(), set()
    for state in states:
        origin = origin_of.get(state.playbook.adopted_from_id or 0)
        if origin is not None:
            adopted.add(origin)
            if any(v.get("verdict") == REPLICATED for v in replications.get(state.playbook.id, [])):
                replicated.add(origin)
    standings: list[str] = []
    progress: list[dict[str, Any]] = []
    by_playbook: dict[int, dict[date, float]] = {}
    for (pid, monday), value in kpis.items():
        by_playbook.setdefault(pid, {})[monday] = value
    for state in states:
        p, week = state.playbook, latest.get(state.playbook.id)
        if p.status != "active":
            continue
        standing = stalling.standing(state, week, by_playbook.get(p.id, {}), p.id in stalls, last_hits.get(p.id))
        standings.append(standing)
        weeks = (
            [week.week_start - timedelta(days=7 * back) for back in range(PROGRESS_WEEKS - 1, -1, -1)] if week else []
        )
        values = [kpis.get((p.id, w)) for w in weeks]
        first = next((i for i, v in enumerate(values) if v is not None), len(values))  # from the first with data
        shares = [None if v is None else progress_to_target(v, p.kpi_baseline, p.kpi_target) for v in values[first:]]
        known = [v for v in shares if v is not None]  # the small chart's words, worked out once here
        progress.append(
            dict(
                slug=p.slug,
                title=p.title,
                standing=standing,
                weeks=[week_label(state, w) for w in weeks[first:]],
                shares=shares,
                latest=known[-1] if known else None,
                known=len(known),
                lowest=min(known, default=None),
                highest=max(known, default=None),
            )
        )
    stages = [
        sponsor.stage(
            s.playbook.id in proposed, s.playbook.id in published, s.playbook.id in adopted, s.playbook.id in replicated
        )
        for s in states
    ]
    repeated = {t for t, n in Counter(row["title"] for row in progress).items() if n > 1}
    for row in progress:
        if row["title"] in repeated:  # an adopter keeps its origin's title: the slug tells them apart
            row["title"] = f"{row['title']} ({row['slug']})"
    progress.sort(
        key=lambda p: (sponsor.SHOWN_FIRST[p["standing"]], p["title"].lower(), p["slug"])
    )  # risks first, as the tables
    return dict(
        standings=sponsor.counts(standings),
        funnel=[dict(stage=name, at=at, reached=reached) for name, at, reached in sponsor.funnel(stages)],
        progress=progress,
        progress_weeks=PROGRESS_WEEKS,
    )
