"""`/rollout status`'s reply: usecases/status.py reads what the caller may see, this
module words it with templates/status.json.j2 and status_list.json.j2."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from cadence.definition_owners import named
from cadence.figures import sparkline
from templates import render
from usecases import sections
from usecases.status import LEARNINGS_SHOWN, PlaybookStatus, StatusList, StepStatus


def status(shown: PlaybookStatus | StatusList) -> dict[str, Any]:
    """One playbook's status, or the list of several."""
    if isinstance(shown, StatusList):
        return render("status_list", playbooks=_listed(shown), in_channel=shown.in_channel, yours=shown.yours)
    return render("status", **_context(shown))


def _listed(shown: StatusList) -> list[dict[str, Any]]:
    return [
        {
            "slug": p.slug,
            "title": p.title,
            "status": p.status,
            "function": p.function,
            "cycle": p.week.cycle if p.week else None,
            "week": p.week.week if p.week else None,
            "steps": p.steps,
        }
        for p in shown.playbooks
    ]


def _context(shown: PlaybookStatus) -> dict[str, Any]:
    state, playbook, week, figures = shown.state, shown.state.playbook, shown.week, shown.figures
    names: dict[int | None, str] = {s.id: s.name for s in state.steps}
    return dict(
        full=shown.full,
        notes=shown.notes,
        mine=shown.mine,
        playbook=playbook,
        anchor=state.anchor,
        week=week,
        stage=week.stage if week else None,
        figures=figures,
        progress=shown.progress,
        step_rows=[_step(row) for row in shown.steps],
        versions=shown.versions,
        trend=sparkline(shown.trend),
        trend_known=sum(1 for v in shown.trend if v is not None),
        met_weeks=shown.met_weeks,
        away=[dict(user=user, until=until.isoformat()) for user, until in shown.away],
        learnings=shown.learnings,
        kpi_by=figures.kpi_by if figures else None,
        learnings_shown=LEARNINGS_SHOWN,
        kpi_moved=shown.kpi_moved,
        owner_deactivated=shown.owner_deactivated,
        named_owners=[
            dict(role=role, user=user)
            for role, user in named(playbook.definition, playbook.owner_id, playbook.adopted_from_id is not None)[1:]
        ],
        scale_min_kpi_weeks=state.settings.scale_min_kpi_weeks,
        guardrail=_guardrail(shown),
        proposals=[
            dict(kind=p.kind, step=names.get(p.step_id), to_mode=p.to_mode, figures=p.figures) for p in shown.proposals
        ],
        **sections.status_words(state, shown.sections),
    )


def _step(row: StepStatus) -> dict[str, Any]:
    """A step's row: its fields as they are (its proposal, its week's numbers), the
    INCONCLUSIVE week as a dict."""
    shown = {f.name: getattr(row, f.name) for f in fields(row)}
    return shown | dict(unsure=None if row.unsure is None else asdict(row.unsure))


def _guardrail(shown: PlaybookStatus) -> dict[str, Any] | None:
    playbook, figures = shown.state.playbook, shown.figures
    if playbook.guardrail_name is None or figures is None:
        return None
    return dict(
        name=playbook.guardrail_name,
        unit=shown.state.guardrail_unit,
        value=figures.guardrail,
        minimum=playbook.guardrail_min,
        maximum=playbook.guardrail_max,
        state=shown.guardrail_state,
    )
