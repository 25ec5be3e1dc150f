"""The org overview as its page and its CSVs take it (templates/web/overview.html,
templates/tables.py's overview_tables): the presenter of usecases/web_overview.py's
Overview, which reads and decides it."""

from __future__ import annotations

from typing import Any

from usecases.web_overview import PROGRESS_WEEKS, Overview, PlaybookLine


def shown(overview: Overview) -> dict[str, Any]:
    """What the page and its tables show, by name."""
    return dict(
        standings=overview.standings,
        funnel=[_as_dict(stage) for stage in overview.funnel],
        progress=[_as_dict(way) for way in overview.progress],
        progress_weeks=PROGRESS_WEEKS,
        functions=[(function, [line(r) for r in rows]) for function, rows in overview.functions],
        versions=overview.versions,
        viewer=overview.viewer,
        trend=[_as_dict(week) for week in overview.trend],
        cycles_completed=overview.cycles_completed,
        adoptions=overview.adoptions,
        proposals=[_as_dict(p) for p in overview.proposals],
        channels={},
        **overview.org,  # the sections' (usecases/sections/): value, depth, plateaus, setup, people
    )


def _as_dict(row: object) -> dict[str, Any]:
    """A row of plain values as the templates take it: its fields by name. (Not asdict,
    which copies every list deeply: a thousand playbooks' small charts are read once.)"""
    return dict(vars(row))


def line(row: PlaybookLine) -> dict[str, Any]:
    """A playbook's line as the tables take it."""
    week = row.week
    return dict(
        slug=row.slug,
        title=row.title,
        status=row.status,
        kpi_name=row.kpi_name,
        unit=row.unit,
        kpi=row.kpi,
        baseline=row.baseline,
        target=row.target,
        progress=row.progress,
        cycle=week.cycle if week else None,
        week=week.week if week else None,
        **row.shown,  # the sections' (usecases/sections/): stalled, standing, value, hours, plateau, hero
    )
