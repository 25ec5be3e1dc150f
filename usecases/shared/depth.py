"""Depth over months and the plateau flag (docs/judgement.md), one place for every
surface: depth's section (usecases/sections/depth.py) shows them on status, in the digest,
on a playbook's page, in the API's summary of a playbook and on the web view's overview
over every playbook. `plateaus` asks cadence.judgement.plateau.

- `months`: per closed week, the cases, the share of steps AI-led or collaborative and the
  people who reported, of a playbook or of the org, over up to two years; the weeks
  before the first with data are left out.
- `plateaus`: which playbooks' cases have not grown in 8 weeks while their KPI is off
  target. The rule reads each playbook's last 16 weeks up to the week that ended (the 8
  weeks, and the 8 before them as what they should have grown past) and the KPI of the
  week that ended (the week before's while it has none). Active playbooks only: a paused
  or retired playbook's cases are flat by choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar
from cadence.judgement import PLATEAU_WEEKS, plateau
from cadence.state import PlaybookState
from storage.store import Store

MONTHS_WEEKS = 104  # two years of weeks at most
PLATEAU_SPAN = 2 * PLATEAU_WEEKS  # the weeks the rule reads: the 8, and the 8 before them


def months(store: Store, last: date, playbook_id: int | None = None, first: date | None = None) -> list[dict[str, Any]]:
    """The weeks up to `last` (a Monday), at most two years and none before `first`, from
    the first that has data: each with its cases (None: no verdict), the share of its
    judged steps that were AI-led or collaborative (None: none judged) and its people
    (None: a week with no data at all, such as a paused one, shown as a gap, not 0)."""
    since = last - timedelta(days=7 * (MONTHS_WEEKS - 1))
    if first is not None:
        since = max(since, first)
    found = store.depth.weeks(since, last, playbook_id)
    if not found:
        return []
    start = min(found)
    weeks = [start + timedelta(days=7 * i) for i in range((last - start).days // 7 + 1)]
    shown = []
    for w in weeks:
        d = found.get(w)
        shown.append(
            dict(
                week=w,
                cases=d.cases if d else None,
                steps=d.steps if d else 0,
                wider=d.wider if d else 0,
                share=d.wider_share if d else None,
                people=d.people if d else None,  # a week with nothing (paused): a gap, as its cases and share
            )
        )
    return shown


def ended_week(state: PlaybookState, now: datetime) -> date:
    """The Monday of the playbook's week that ended last (in its own zone)."""
    return calendar.monday_of(calendar.local_date(now, state.playbook.timezone)) - timedelta(days=7)


def plateaus(
    store: Store,
    states: Sequence[PlaybookState],
    now: datetime,
    kpis: Mapping[tuple[int, date], float] | None = None,
) -> dict[int, bool]:
    """Per playbook id: flagged "plateau" (cadence.judgement.plateau). Two statements,
    however many playbooks; one when the caller has read the KPIs of each playbook's
    ended week and the one before (`kpis`, keyed by playbook id and week, as status's
    trend holds them)."""
    active = [s for s in states if s.playbook.status == "active"]
    if not active:
        return {s.playbook.id: False for s in states}
    ends = {s.playbook.id: ended_week(s, now) for s in active}
    spans = {pid: [end - timedelta(days=7 * i) for i in range(PLATEAU_SPAN - 1, -1, -1)] for pid, end in ends.items()}
    cases = store.depth.weekly_cases(sorted(ends), min(w[0] for w in spans.values()), max(ends.values()))
    if kpis is None:
        kpis = store.reports.week_kpis(
            [(pid, end - timedelta(days=7 * back)) for pid, end in ends.items() for back in (0, 1)]
        )
    flagged = {s.playbook.id: False for s in states}
    for s in active:
        p, end = s.playbook, ends[s.playbook.id]
        latest = kpis.get((p.id, end), kpis.get((p.id, end - timedelta(days=7))))
        weekly = [cases.get((p.id, w)) for w in spans[p.id]]
        flagged[p.id] = plateau(weekly, latest, p.kpi_target, p.kpi_direction)
    return flagged
