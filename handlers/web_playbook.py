"""A playbook's page as its template and its CSVs take it (templates/web/playbook.html,
templates/tables.py): the presenter of usecases/web.py's PlaybookPage, which reads it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from usecases import sections
from usecases.web import REPORTS_SHOWN, TABLE_WEEKS, PlaybookPage


def shown(page: PlaybookPage) -> dict[str, Any]:
    """What the page and its tables show, by name."""
    state, p = page.state, page.state.playbook
    th = page.thresholds
    decisions = [asdict(d) for d in page.decisions]
    current = page.current
    return dict(
        playbook=p,
        cycles=page.cycles,
        cap=th.exception_cap,
        rubric_threshold=th.rubric_threshold,
        steps=state.steps,
        rows=[dict(asdict(r), label=state.week_label(r.week)) for r in page.rows],
        full=page.full,
        notes=page.notes,
        deviations=sum(1 for a in current.attestations if a.attestation == "deviated"),
        decisions=decisions,
        modes=[d for d in decisions if d["kind"] == "mode-change"],
        learnings=page.learnings,
        sources=page.sources,
        reports_shown=REPORTS_SHOWN,
        reports=[dict(asdict(r), week=state.week_label(r.week)) for r in page.reports],
        charted=dict(
            labels=[state.week_label(w) for w in page.charted],
            kpi=[page.kpis.get(w) for w in page.charted],
            guardrail=[page.guardrails.get(w) for w in page.charted],
            **sections.page_charted(state, page.sections),  # the sections' lines (the rest's)
        ),
        window=TABLE_WEEKS,
        this_monday=page.this_week,
        **_paging(page),
        this_week=dict(
            label=state.week_label(page.this_week),
            kpi=current.kpi,
            checkins=len(current.attestations),
            followed=current.followed,
        ),
        guardrail=_guardrail(page),
        people=page.people,
        channels=page.channels,
        **sections.page_words(state, page.sections),
    )


def _paging(page: PlaybookPage) -> dict[str, date | None]:
    """The Mondays of the half years before and after the table's, if there are any."""
    weeks = page.weeks
    return dict(
        earlier=weeks[0] - timedelta(days=7) if weeks[0] > page.first else None,
        later=min(weeks[-1] + timedelta(days=7 * TABLE_WEEKS), page.this_week) if weeks[-1] < page.this_week else None,
    )


def _guardrail(page: PlaybookPage) -> dict[str, Any] | None:
    p = page.state.playbook
    if not p.guardrail_name:
        return None
    return dict(name=p.guardrail_name, unit=page.state.guardrail_unit, minimum=p.guardrail_min, maximum=p.guardrail_max)
