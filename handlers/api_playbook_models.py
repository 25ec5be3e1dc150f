"""The shapes of the reporting API's playbook reads (handlers/api.py routes them): the list of
playbooks, one playbook's detail (its steps' weeks, readiness, comparison, pulse) and the
registry. The OpenAPI document's schemas and the MCP tools' output schemas are derived from
them; extra="forbid": a field the reads send that is not described here makes an answer the
document does not describe. What a client sends, and the answers to it, are
handlers/api_models.py's; the other reads' shapes handlers/api_read_models.py's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Read(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bounds(_Read):
    """A 95% Wilson score interval, as shares from 0 to 1."""

    lower: float = Field(ge=0, le=1)
    upper: float = Field(ge=0, le=1)


class KpiOut(_Read):
    name: str
    unit: str
    direction: Literal["up", "down"]
    baseline: float
    baseline_declared: bool = Field(
        default=False,
        description="An adopter's own baseline, other than its version's, that no baseline week measured: "
        "declared, not measured (a cycle against it can be on track, never replicated).",
    )
    target: float


class FallbackOut(_Read):
    """An ai-led step running in its handoff's fallback mode while escalated items wait
    (docs/judgement.md, "Handoffs with a fallback"): its stored mode in `modes` stays ai-led."""

    model_config = ConfigDict(title="Fallback")

    fallback_mode: str = Field(description="The mode it runs in meanwhile: human-led or collaborative.")
    fallback_since: datetime | None = Field(description="Since when (UTC).")
    shown: str = Field(description='As the pages say it: "collaborative (falling back from ai-led)".')


class PlaybookOut(_Read):
    model_config = ConfigDict(title="Playbook")

    slug: str
    title: str
    function: str
    status: str = Field(description="active, paused or retired")
    owner: str = Field(description="The owner's Slack user id.")
    owner_name: str = Field(
        description="The owner as the web view shows them: Slack's display name, else their real name (as the "
        "clock keeps them), else the id."
    )
    timezone: str
    kpi: KpiOut
    cycle: int | None = Field(description="The running cycle (None before the first starts; 0: a baseline week).")
    week: int | None = Field(description="The running week of the cycle, 1 to 4 (0: an adopter's baseline week).")
    modes: dict[str, str] = Field(description="Each step's mode.")
    fallbacks: dict[str, FallbackOut] = Field(
        default_factory=dict,
        description="Each step that runs in its fallback mode now, by name (none: {}); its mode in `modes` is unchanged.",
    )
    standing: Literal["on track", "at risk", "stalled", "not judged yet"] = Field(
        description="Where it stands now, as the web overview and the digest say it: on track (the running "
        "cycle's closed weeks met the target in at least half of them, or the last cycle hit it), at risk, "
        "stalled (by the stall rule), or not judged yet (paused, retired, or no week closed)."
    )
    stalled: str | None = Field(
        description="Since when and why it is stalled, as its page says it (each cycle with its reason: "
        '"cycle 3 met its target but was no better than the rest, within noise"); None: not stalled.'
    )
    plateau: bool = Field(description="Its cases have not grown in 8 weeks while its KPI is off target.")


class ArmOut(_Read):
    """A case's arm in a playbook whose KPI holds cases out (docs/api.md)."""

    model_config = ConfigDict(title="Arm")

    playbook: str = Field(description="The playbook's slug.")
    case: str = Field(description="The case id, as sent.")
    arm: Literal["run", "holdout"] = Field(
        description="`run`: through the playbook; `holdout`: the rest, whose KPI is reported with arm `rest`."
    )
    share: float = Field(gt=0, lt=1, description="The share of cases held out.")


class Playbooks(_Read):
    model_config = ConfigDict(title="Playbooks")

    playbooks: list[PlaybookOut]


class StepWeekOut(_Read):
    step: str
    cases: int | None
    exceptions: int
    rubric: float | None
    reviewed: int | None = Field(
        default=None, description="How many cases the rubric score reviewed (18/20: 20); None: every case reviewed."
    )
    review_asked: int | None = Field(
        default=None,
        description="The cases the step's review rate asks to review (ceil(rate x cases)); None for human-led "
        "steps or without cases. A review of fewer counts as no rubric score.",
    )
    verdict: str | None = Field(description="The step's verdict for the week, once it closed.")
    exception_ratio: float | None = Field(description="Exceptions over cases; None without cases.")
    exception_ratio_ci: Bounds | None = Field(
        description="The exception ratio's 95% Wilson interval on the week's cases; None without cases."
    )
    rubric_ci: Bounds | None = Field(
        description="The rubric score's 95% Wilson interval over the cases reviewed (the week's cases for a "
        "score without its sample); None without a score or cases."
    )


class SourcedNumber(_Read):
    """Provenance of one sourced number of a week (docs/sources.md)."""

    number: str = Field(description='What it feeds: "kpi", "guardrail", "cases:<step>", "exceptions:<step>", ...')
    source: str = Field(description="The source's name in the playbook's `sources:`.")
    value: float | None = Field(description="The value that counts (None: not fetched, or failed).")
    fetched_at: datetime | None = Field(description="When it was fetched, or last asked for.")
    typed: bool = Field(description="Typed in the source's place with `override <reason>`.")
    error: str | None = Field(description="Why the source gave no number (the value is then None).")


class WeekOut(_Read):
    week: date
    kpi: float | None
    rest: float | None = Field(
        default=None, description="The rest of the same work's KPI that week (`compare: rest`); None: not compared."
    )
    guardrail: float | None
    steps: list[StepWeekOut]
    sources: list[SourcedNumber] = Field(description="The week's sourced numbers and where they came from.")


class CriterionOut(BaseModel):
    """One criterion of "ready to scale", with the numbers it was judged on (they differ
    by criterion, so they are not listed here)."""

    model_config = ConfigDict(extra="allow")

    name: Literal["attestation", "exceptions", "contract", "learnings", "owner", "accuracy", "reliability", "queue"]
    met: bool
    none: str | None = Field(
        default=None, description="Declared out on purpose by the playbook, with its reason (counts as met)."
    )


class ReadinessOut(_Read):
    at: datetime = Field(description="When readiness was judged.")
    decision: Literal["scale-proposal", "not-ready", "publish"] = Field(description="The decision that judged it.")
    ready: bool
    missing: list[str] = Field(description="The names of the criteria not met.")
    override: str | None = Field(description="A publish's override reason.")
    criteria: list[CriterionOut]


class ComparisonOut(_Read):
    """This cycle so far against the rest of the same work (docs/judgement.md)."""

    deltas: list[float | None] = Field(description="Each week's delta (run - rest) from the cycle's first week.")
    mean_delta: float | None = Field(description="The mean of the weeks' deltas.")
    delta_weeks: int = Field(description="The weeks with both numbers.")
    low: float | None = Field(description="The mean delta's 95% t-interval, lower end (None: under 2 deltas).")
    high: float | None = Field(description="... and upper end.")
    did: float | None = Field(description="The difference-in-differences, where both baselines are given.")
    verdict: Literal["better", "within-noise", "worse", "too-few"]
    said: str = Field(description='As status says it: "-5.6 min against the rest, 95% CI -8.1 to -3.1: ...".')


class PulseMeanOut(_Read):
    """A 1-5 question's mean over those who answered it, with its 95% t-interval."""

    mean: float = Field(ge=1, le=5)
    answers: int = Field(ge=1, description="How many answered the question.")
    low: float | None = Field(description="The interval's lower bound (None below 2 answers).")
    high: float | None = Field(description="The interval's upper bound (None below 2 answers).")


class PulseShareOut(_Read):
    """The share who worked around a step sometimes or often, with its 95% Wilson interval."""

    share: float = Field(ge=0, le=1)
    answers: int = Field(ge=1, description="How many answered the question.")
    low: float = Field(ge=0, le=1, description="The interval's lower bound.")
    high: float = Field(ge=0, le=1, description="The interval's upper bound.")


class PulseOut(_Read):
    """A closed cycle's pulse (docs/usage.md, "The pulse"): aggregates only, each figure only
    from `needed` answers to its own question; below, only how many answered it (`hidden`)."""

    model_config = ConfigDict(title="Pulse")

    cycle: int
    answers: int = Field(ge=0, description="How many answered the cycle's pulse.")
    needed: int = Field(ge=5, description="pulse_min_answers: the answers needed to show it.")
    shown: bool = Field(description="Whether any figure below is shown (a figure not shown is null).")
    trust: PulseMeanOut | None = Field(default=None, description="How far people could rely on the AI's output.")
    safety: PulseMeanOut | None = Field(
        default=None, description="Whether people could escalate an unclear case without feeling they had failed."
    )
    worked_around: PulseShareOut | None = Field(default=None, description="Who worked around a step.")
    freed: dict[str, float] | None = Field(
        default=None, description="Where the saved time went, as shares: same, new, quality, meetings, none."
    )
    freed_answers: int | None = Field(default=None, description="How many answered where the saved time went.")
    hidden: dict[str, int] = Field(
        default_factory=dict,
        description="The questions (trust, safety, around, freed) answered by too few to show: how many answered each.",
    )
    withheld: list[str] = Field(default_factory=list, description="A rollup's questions not shown.")


class UsageToolWeekOut(_Read):
    """A team's week of one tool (docs/usage-records.md): counts only, never a person's."""

    people: int = Field(ge=0, description="The team's people counted.")
    active: int = Field(ge=0, description="Of them, active on the tool on one day of the week at least.")
    active_days: int = Field(ge=0, description="Their days active on it, summed (at most 7 a person).")
    seats: int = Field(ge=0, description="Of them, holding a seat of the tool.")


class UsageWeekOut(_Read):
    """A week's attestations against the declared tools' usage records."""

    week: date = Field(description="The week's Monday.")
    verdict: Literal[
        "attested and used",
        "attested without usage",
        "not attested",
        "usage unknown",
        "not checked",
        "too few people to show",
    ] = Field(
        description="The week's attestations against the tools' records, as the week's close says it; "
        "'not checked' for a closed week none of whose collaborative or ai-led steps then named a "
        "tool a source covers; for a team under `needed` people, 'too few people to show' in place of the rest."
    )
    unused: list[str] = Field(description="The declared tools no one in the team used, when attested without usage.")
    too_few_people: bool = Field(description="The team counted fewer than `needed` people: no count or verdict shown.")
    tools: dict[str, UsageToolWeekOut] = Field(
        description="Each checked tool's counts, where its week was pulled and the team has enough people."
    )


class UsageOut(_Read):
    """Attested and used (docs/usage-records.md, "Where it shows"): the weeks' attestations
    against the usage records of the tools the playbook's AI steps declare."""

    model_config = ConfigDict(title="Usage")

    tools: list[str] = Field(description="The tools checked: declared by an AI step and covered by a usage source.")
    needed: int = Field(ge=5, description="pulse_min_answers: the people a team needs for its figures to show.")
    weeks: list[UsageWeekOut] = Field(description="The read's weeks, newest last.")


class PlaybookDetail(PlaybookOut):
    model_config = ConfigDict(title="PlaybookDetail")

    definition: dict[str, Any] = Field(description="The playbook's YAML, as JSON.")
    input_reliability: float | None = Field(
        ge=0,
        le=1,
        description="The share of sourced numbers that arrived from their source before the close, over the "
        "last 8 closed weeks (None: no sources, or no closed week yet).",
    )
    weeks: list[WeekOut] = Field(description="The last 12 weeks, newest last.")
    value: dict[str, Any] | None = Field(
        default=None,
        description="The value measure (`value:`): each closed week's events, hours saved (an estimate: events x "
        "minutes_saved / 60; null hours: no events that week, not zero), the last 4 closed weeks' hours, the cost per "
        "hour saved (with `cost:`) in its currency. Net value (fields added): each week's reviewed, exceptions_closed, "
        "oversight_hours (reviewed x review_minutes + exceptions closed x exception_minutes / 60; null: oversight not "
        "reported, never 0), net_hours and net_said; net_hours over the last 4 closed weeks whose oversight is known, "
        "cost_per_net_hour, net_value (net hours x ROLLOUT_HOURLY_RATE - spend; null while the spend is unknown), "
        "net_value_said, spend_declared, cost_weeks (the weeks cost per hour saved charges) and net_said, the formula in words. "
        "Null: no value measure.",
    )
    readiness: ReadinessOut | None = Field(
        description='The latest judgement of "ready to scale" (None before the scale rule first held).'
    )
    comparison: ComparisonOut | None = Field(
        default=None, description="This cycle so far against the rest (`compare:`); None: not compared, or no cycle."
    )
    pulse: list[PulseOut] = Field(
        default_factory=list, description="The last two closed cycles' pulse, newest first (aggregates only)."
    )
    usage: UsageOut | None = Field(
        default=None,
        description="The weeks against the declared tools' usage records; null: no AI step declares a tool a "
        "usage source covers.",
    )


class SetupOut(_Read):
    """A version's teams' active setup time in the bot's forms, from the adopt to the first check-in answered."""

    median: float = Field(ge=0, description="The median minutes.")
    teams: int = Field(ge=1, description="The teams measured.")
    under_an_hour: int = Field(ge=0, description="Of them, those under an hour.")


class SetupSaidOut(_Read):
    """What a version's teams' champions (else owners) said of their setup at their first check-in answered."""

    median: float = Field(ge=0, description="The median minutes said, all in (reading, training, the kit's requires).")
    meetings: int = Field(ge=0, description="Of the teams that answered, those that needed a meeting to understand it.")
    teams: int = Field(ge=1, description="The teams that answered.")
    over_the_hour: bool = Field(
        description='"over the hour: the kit needs work": the median said over 60 minutes, or meetings for half the teams.'
    )
    line: str = Field(
        description='As the registry says it: "setup: 45 min said, 30 min in forms; a meeting needed by 1 of 4 teams".'
    )


class PhaseOut(_Read):
    """A version's phase of the programme, with its gate (docs/programme.md, "The programme's phases")."""

    number: int = Field(ge=0, le=4, description="0 piloting, 1 assessed, 2 verified, 3 in waves, 4 at scale.")
    of: int = Field(description="The last phase's number: 4.")
    name: Literal["piloting", "assessed", "verified", "in waves", "at scale"]
    gate: str = Field(description='What passed its gate, in words: "replicated by billing-replies".')
    next: str | None = Field(description="What the next phase waits for, in words; null at scale.")
    words: str = Field(description='"phase 2 of 4, verified: replicated by billing-replies; next: open a wave".')


class RegistryVersionOut(BaseModel):
    """A published version, its results and its adopters (fields not listed here as the registry lists them)."""

    model_config = ConfigDict(extra="allow")

    setup: SetupOut | None = Field(
        default=None, description="Its teams' measured setup; null: none measured, or a team out of the token's scope."
    )
    setup_said: SetupSaidOut | None = Field(
        default=None, description="What its teams said of setup; null: none said, or a team out of the token's scope."
    )
    phase: PhaseOut | None = Field(
        default=None, description="Its phase of the programme (cadence/phases.py), with its gate and what comes next."
    )


class Registry(_Read):
    model_config = ConfigDict(title="Registry")

    versions: list[RegistryVersionOut] = Field(description="Each published version, its results and its adopters.")
