"""The catalogue of the clock's messages about a team's week (usecases/tick.py) and its
close (usecases/shared/weeks.py): one typed function per message, which renders its
template (templates/<name>.json.j2) with exactly the names it passed before. The use case
decides who hears what and when; these say it. Other catalogues: templates/notices*.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cadence.calendar import WeekRef
from cadence.closing import Guardrail
from cadence.cycle_decisions import MISSED, stall_why
from cadence.cycle_rules import CycleResult
from cadence.judgement import Evidence
from cadence.pulse import Pulse
from cadence.verdicts import Thresholds
from templates import render

Payload = dict[str, Any]


def week_closed(
    *,
    playbook: Any,
    week: WeekRef,
    figures: Any,
    outcomes: Mapping[str, str],
    reasons: Mapping[str, str],
    evidence: Mapping[str, Evidence | None],
    thresholds: Thresholds,
    result: CycleResult | None,
    scale_min_kpi_weeks: int,
    guardrail: Guardrail | None,
    source_failed: Mapping[str, Mapping[str, str]],
    kpi_moved: Any,
    judged_target: float | None = None,
    compared: Any = None,
    pools: Mapping[str, Mapping[str, Any]] | None = None,
    pulse: Pulse | None = None,
    previous_pulse: Pulse | None = None,
    pulse_hold: Mapping[str, Any] | None = None,
    usage: Any = None,
) -> Payload:
    """The week's summary for the team: each step's verdict and why (`pools`: the small weeks
    a step's week was judged with, cadence.closing.pool_figures), the KPI, the guardrail,
    and the cycle's result when the week ends one (`judged_target`: the target the cycle
    was judged by, the one it started with, when it is not today's); with it, the cycle's
    pulse beside the previous cycle's (aggregates only) and why it holds promotions.
    `usage`: the week's attestations against its tools' usage, as the team is shown them
    (usecases/shared/close/usage.py, `Said`; None: nothing said)."""
    return render("week_closed", **locals())


def pulse_hold(*, slug: str, title: str, cycle: int, why: Mapping[str, Any]) -> Payload:
    """To the owner, once: the pulse of `cycle` holds promotions to ai-led through the next."""
    return render("pulse_hold", **locals())


def guardrail_alert(*, slug: str, week: WeekRef, g: Guardrail, owner: str, demotes: bool) -> Payload:
    """A BREACHED week: the value, the bound, the week (to the team and the owner)."""
    return render("guardrail_alert", **locals())


def stalled(
    *,
    slug: str,
    title: str,
    kpi_name: str,
    kpi_unit: str | None,
    direction: str,
    owner: str,
    figures: Mapping[str, Any],
    key: str,
) -> Payload:
    """A stalled playbook, with *Refine*, *Re-scope* and *Retire* (to the owner and the
    curators); where a cycle met its target and still counted as missing it, each cycle
    with its reason, as the web view says it (`why`)."""
    reasons = [said for _, said in figures.get("why") or []]
    why = stall_why(dict(figures)) if any(said != MISSED for said in reasons) else None
    return render(
        "stalled",
        slug=slug,
        title=title,
        kpi_name=kpi_name,
        kpi_unit=kpi_unit,
        direction=direction,
        owner=owner,
        figures=figures,
        key=key,
        why=why,
    )


def stage_nudge(
    *,
    slug: str,
    title: str,
    week: WeekRef | None,
    steps: Sequence[Any],
    kpi_name: str,
    baseline: float | None,
    target: float | None,
    unit: str | None,
    checkin_at: str,
    inputs: Sequence[Any],
    outputs: Sequence[Any],
    champion: str | None,
    playbook_id: int | None = None,
    missing: Sequence[Mapping[str, Any]] = (),
    owner: str | None = None,
    refine: int | None = None,
) -> Payload:
    """Monday's nudge to the team channel: the week's stage, its steps and the KPI; week 3's
    *Package it* (`playbook_id`) opens the kit form, naming each criterion of readiness
    still missing (`missing`: their figures, usecases/shared/readiness.py), ❌ with why;
    and, where `refine` is given (the cycle's exceptions so far, for a playbook whose steps
    keep a prompt or rubric as text or that had exceptions), asks its `owner` what they
    taught about the prompt or the rubric, with the kit form's button."""
    return render("stage_nudge", **locals())


def owner_missing(
    *,
    slug: str,
    title: str,
    week: WeekRef,
    kpi_name: str,
    missing_cases: Sequence[str],
    missing_rubric: Sequence[str],
    to_review: Sequence[str],
    form_value: str,
    missing_kpi: bool,
    missing_guardrail: str | None,
    closes: str,
) -> Payload:
    """Friday's DM to the owner: what is missing for the week, with *Report this week*."""
    return render("owner_missing", **locals())


def checkin_dm(
    *,
    slug: str,
    title: str,
    week: WeekRef,
    steps: Sequence[Any],
    kpi_name: str,
    value: str,
    reminder: bool,
    pulse: bool = False,
) -> Payload:
    """A member's check-in DM (or its reminder) for the week; with `pulse` (week 4, the
    pulse on), its *Pulse* button too."""
    return render("checkin_dm", **locals())


def digest_waiting(*, week_of: str) -> Payload:
    """To the admins: a digest is waiting for a curators channel."""
    return render("digest_waiting", **locals())
