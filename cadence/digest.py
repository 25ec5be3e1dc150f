"""The curators' weekly digest as figures: every number a delta against a baseline or a
target, risks first. Plain data in, plain data out; templates/ renders it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cadence import pulse as pulses
from cadence import sponsor
from cadence.figures import meets_target, progress_to_target, sparkline
from cadence.pulse import Pulse

NEAR_CAP = 0.8  # a step at 80% of its cap or more is at risk
LOW_ATTESTATION = 0.5  # fewer than half of the DMed members checked in


@dataclass(frozen=True)
class StepLastWeek:
    name: str
    mode: str
    cases: int | None
    exceptions: int
    frozen: bool = False

    @property
    def ratio(self) -> float | None:
        return self.exceptions / self.cases if self.cases else None


@dataclass(frozen=True)
class Risk:
    """Something at risk, as data; templates/digest_function.json.j2 words it.
    kind: over_cap | near_cap | unobserved | frozen | missing_checkins | kpi_missing |
    guardrail_breached | guardrail_missing (step: the guardrail's name) | owner_deactivated |
    plateau."""

    kind: str
    step: str | None = None
    value: float | None = None  # the ratio, or the members who checked in
    limit: float | None = None  # the cap, or the members asked
    exceptions: int | None = None  # over_cap, near_cap: the ratio's counts, for its interval
    cases: int | None = None
    unit: str = ""  # guardrail_breached: the guardrail's unit, written with its value


@dataclass(frozen=True)
class ModeChange:
    step: str
    from_mode: str
    to_mode: str


@dataclass(frozen=True)
class OpenProposal:
    kind: str  # promotion | scale
    step: str | None = None
    to_mode: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where an adopted playbook came from, for its progress beside the adopting team's."""

    slug: str
    version: int
    baseline: float
    latest: float | None
    verdict: str | None = None  # the adopting team's latest replication verdict
    verdict_cycle: int | None = None
    target: float | None = None  # the version's target
    match: dict[str, Any] | None = None  # the latest verdict's relative change against the origin's

    @property
    def progress(self) -> float | None:
        """The origin's latest KPI as its share of the way from its baseline to its target."""
        if self.latest is None or self.target is None or self.target == self.baseline:
            return None
        return progress_to_target(self.latest, self.baseline, self.target)


@dataclass(frozen=True)
class PlaybookWeek:
    slug: str
    title: str
    function: str
    kpi_name: str
    unit: str
    direction: str
    baseline: float
    target: float
    exception_cap: float
    kpi_series: list[float | None]  # the last weeks, oldest first; the last is the week just ended
    cycle_values: list[float | None]  # the current cycle's weeks so far
    weeks_left: int  # weeks of the current cycle still to come
    steps: list[StepLastWeek]
    dms_sent: int
    checked_in: int
    mode_changes: list[ModeChange] = field(default_factory=list)
    open_proposals: list[OpenProposal] = field(default_factory=list)
    origin: Origin | None = None
    guardrail: str | None = None  # its name, when the playbook has one
    guardrail_value: float | None = None
    guardrail_unit: str = ""
    guardrail_state: str | None = None  # HOLDS | BREACHED | MISSING
    owner_deactivated: bool = False  # Slack calls the owner's account deactivated
    stalled: str | None = None  # stalled: since when and why ("since the end of cycle 2 (...): ...")
    plateau: bool = False  # cases flat for 8 weeks while the KPI is off target (usecases/shared/depth.py)
    last_cycle_hit: bool | None = None  # whether its last completed cycle hit the target; None: none completed
    status: str = "active"  # paused | retired: not judged
    cut: bool = False  # the week ended a run a pause cut (the playbook resumed since): the next run judges it
    rest: float | None = None  # the rest of the work's KPI that week, for a KPI with `compare`
    # the pulse of the cycle its reported week completed (cadence/pulse.py), as the pulse's
    # gate gave it: aggregates only, which rollups pool (pulse_rollup); none: no pulse then
    pulse: Pulse | None = None
    # the reported week attested "followed" while no one in the team used these declared
    # tools (docs/usage-records.md): a verdict, no count, so at any team size
    without_usage: list[str] = field(default_factory=list)
    demo: str | None = None  # its first cycle's "funding a demo? …" (cadence/definition_intake.py)


@dataclass(frozen=True)
class PlaybookDigest:
    week: PlaybookWeek
    latest: float | None
    change: float | None  # on the week before
    progress: float | None  # the latest KPI's share of the way from baseline to target (figures.progress_to_target)
    sparkline: str
    standing: str  # cadence.sponsor.standing: on track | at risk | stalled | not judged yet, as the web overview
    cycle_mean: float | None
    met_weeks: list[int]  # weeks of the current cycle whose KPI met the target
    attestation: float | None
    worst_step: StepLastWeek | None
    risks: list[Risk]

    @property
    def slug(self) -> str:
        return self.week.slug


def summarize(w: PlaybookWeek) -> PlaybookDigest:
    latest, change = _latest_and_change(w.kpi_series)
    closed = sponsor.running_closed(w.cycle_values, w.weeks_left == 0 or w.cut)
    attestation = w.checked_in / w.dms_sent if w.dms_sent else None
    judged = [s for s in w.steps if s.ratio is not None]
    return PlaybookDigest(
        week=w,
        latest=latest,
        change=change,
        progress=progress_to_target(latest, w.baseline, w.target) if latest is not None else None,
        sparkline=sparkline(w.kpi_series),
        standing=sponsor.standing(closed, w.target, w.direction, w.last_cycle_hit, w.stalled is not None, w.status),
        cycle_mean=_cycle_mean(w.cycle_values),
        met_weeks=_met_weeks(w),
        attestation=attestation,
        worst_step=max(judged, key=lambda s: s.ratio or 0.0, default=None),  # judged: every ratio is set
        risks=[risk for step in w.steps for risk in _step_risks(step, w.exception_cap)]
        + _playbook_risks(w, attestation, latest),
    )


def _latest_and_change(kpi_series: list[float | None]) -> tuple[float | None, float | None]:
    """The latest KPI and its change on the week before, None where either is missing."""
    latest = kpi_series[-1] if kpi_series else None
    previous = kpi_series[-2] if len(kpi_series) > 1 else None
    return latest, latest - previous if latest is not None and previous is not None else None


def _cycle_mean(cycle_values: list[float | None]) -> float | None:
    """The mean of the current cycle's KPI over the weeks that have one."""
    values = [v for v in cycle_values if v is not None]
    return sum(values) / len(values) if values else None


def _met_weeks(w: PlaybookWeek) -> list[int]:
    """The weeks of the current cycle, from 1, whose KPI met the target."""
    return [i + 1 for i, v in enumerate(w.cycle_values) if v is not None and meets_target(v, w.target, w.direction)]


def _step_risks(step: StepLastWeek, cap: float) -> list[Risk]:
    """A step's risks: its exception ratio over its cap or near it, an AI-led step whose
    cases nobody counted, a frozen step."""
    risks = []
    if step.ratio is not None and step.ratio > cap:
        risks.append(Risk("over_cap", step.name, step.ratio, cap, step.exceptions, step.cases))
    elif step.ratio is not None and step.ratio >= NEAR_CAP * cap and step.ratio > 0:
        risks.append(Risk("near_cap", step.name, step.ratio, cap, step.exceptions, step.cases))
    if step.mode == "ai-led" and step.cases is None:
        risks.append(Risk("unobserved", step.name))
    if step.frozen:
        risks.append(Risk("frozen", step.name))
    return risks


def _playbook_risks(w: PlaybookWeek, attestation: float | None, latest: float | None) -> list[Risk]:
    """The playbook's own risks, after its steps'. A week a pause cut (`w.cut`) asked the
    team for nothing, so nothing it lacks is missing."""
    risks = []
    if attestation is not None and attestation < LOW_ATTESTATION:
        risks.append(Risk("missing_checkins", value=w.checked_in, limit=w.dms_sent))
    if latest is None and any(v is not None for v in w.kpi_series) and not w.cut:
        risks.append(Risk("kpi_missing"))
    risks.extend(_guardrail_risks(w))
    if w.owner_deactivated:
        risks.append(Risk("owner_deactivated"))
    if w.plateau:
        risks.append(Risk("plateau"))
    return risks


def _guardrail_risks(w: PlaybookWeek) -> list[Risk]:
    """The guardrail's risk: breached, or missing in a week a pause did not cut."""
    if w.guardrail_state == "BREACHED":
        return [Risk("guardrail_breached", w.guardrail, w.guardrail_value, unit=w.guardrail_unit)]
    if w.guardrail_state == "MISSING" and not w.cut:
        return [Risk("guardrail_missing", w.guardrail)]
    return []


def order(digests: list[PlaybookDigest]) -> list[PlaybookDigest]:
    """Stalled playbooks first, then those at risk, as the web overview (cadence.sponsor);
    within each, the most signals to watch first, then by name."""
    return sorted(digests, key=lambda d: (sponsor.SHOWN_FIRST[d.standing], -len(d.risks), d.slug))


@dataclass(frozen=True)
class OrgWeek:
    active_playbooks: int
    cycles_completed_week: int
    cycles_completed_total: int
    versions_published_week: int
    versions_published_total: int
    adoptions: int
    exception_ratios: list[float | None]  # org-wide, per week, oldest first
    dms_sent: int
    checked_in: int
    # Value the sponsor can weigh (cadence/value.py): the playbooks measuring it, their
    # hours saved over the last 4 closed weeks (an estimate), the cost per hour saved
    # where costs are given; and each playbook whose numbers one person carries.
    value_measured: int = 0
    hours_saved: float | None = None
    cost_per_hour: float | None = None
    no_cost_per_hour: str | None = None  # why none is given though a cost is (cadence.value.no_cost_per_hour)
    cost_left_out: str | None = None  # beside it: the playbooks left out, their spend not known
    currency: str = "USD"
    # net value (cadence/value.py): hours saved − oversight, over the playbooks whose oversight is reported
    net_hours: float | None = None
    oversight_hours: float | None = None
    cost_per_net_hour: float | None = None
    net_value: float | None = None
    net_said: str = "oversight not reported"  # the net with its formula (usecases/value.py OrgValue.net_words)
    heroes: tuple[tuple[str, str, float, str, str], ...] = ()  # slug, person, share, lead, tail (cadence/heroics.py)
    # where it rolls next, the top three (cadence/next_steps.py): slug, version, kind, target, reason
    next_steps: tuple[tuple[str, int, str, str, str], ...] = ()
    # the header's lines a section carries as its own model (usecases/sections/base.py,
    # DigestHeaderPart), by the section's name: each rendered by its section's own fragment,
    # and its fields of the API's digest drawn from it; nothing here reads them
    parts: Mapping[str, object] = field(default_factory=dict)

    @property
    def exception_trend(self) -> str:
        return sparkline(self.exception_ratios)

    @property
    def exception_ratio(self) -> float | None:
        return self.exception_ratios[-1] if self.exception_ratios else None

    @property
    def attestation(self) -> float | None:
        return self.checked_in / self.dms_sent if self.dms_sent else None


def by_function(digests: list[PlaybookDigest]) -> dict[str, list[PlaybookDigest]]:
    """Functions in name order, each with its playbooks stalled first, then risks-first."""
    groups: dict[str, list[PlaybookDigest]] = {}
    for d in digests:
        groups.setdefault(d.week.function, []).append(d)
    return {name: order(groups[name]) for name in sorted(groups, key=str.lower)}


def pulse_rollup(digests: Sequence[PlaybookDigest]) -> Pulse | None:
    """The pulse pooled over these playbooks (a function's, the organization's), figure by
    figure from their shown figures only (cadence.pulse.rollup: no hidden figure enters it,
    and a figure that would give a small group away is withheld); None: no figure shown,
    or fewer than two playbooks with a pulse (one playbook's is its own line already)."""
    groups = [d.week.pulse for d in digests if d.week.pulse is not None]
    if len(groups) < 2:
        return None
    pooled = pulses.rollup(groups)
    return pooled if pooled.shown else None
