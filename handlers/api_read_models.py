"""The shapes of the reads an assistant asks for besides a playbook's and the registry's
(handlers/api_playbook_models.py has those): a playbook's readiness and decisions, learnings found,
the digest's figures. As the other reads' models, they describe what the use cases
answer (usecases/api_reads.py, usecases/api_digest.py) in the OpenAPI document and the
MCP tools' output schemas (handlers/mcp_tools.py), and forbid any field they do not name.
People's text (a decision's summary, a learning) is a field's value, never a description."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from handlers.api_playbook_models import ReadinessOut, _Read


class PlaybookReadiness(_Read):
    model_config = ConfigDict(title="PlaybookReadiness")

    playbook: str = Field(description="The playbook's slug.")
    status: str = Field(description="active, paused or retired")
    readiness: ReadinessOut | None = Field(
        description='The latest judgement of "ready to scale", the exception queue judged as it stands now '
        "(None before the scale rule first held)."
    )


class DecisionOut(_Read):
    at: datetime = Field(description="When it was decided.")
    kind: str = Field(description="What was decided: promotion, demotion, mode-change, pause, publish, ...")
    summary: str = Field(description="The decision in words, as `/rollout history` shows it.")
    rule: str | None = Field(description="The rule that decided it (None: a person did).")
    figures: dict[str, Any] = Field(description="The numbers it was decided on.")
    actor: str = Field(description='Who or what decided: a Slack user id, "rule:<name>", "token:<name>", ...')
    step: str | None = Field(description="The step it is about, if any.")
    from_mode: str | None
    to_mode: str | None


class Decisions(_Read):
    model_config = ConfigDict(title="Decisions")

    playbook: str = Field(description="The playbook's slug.")
    decisions: list[DecisionOut] = Field(description="Newest first.")
    more: bool = Field(description="Older decisions in the window were left out (at most 100 are given).")


class LearningOut(_Read):
    playbook: str = Field(description="The playbook's slug.")
    cycle: int
    text: str = Field(description="The learning, as its author wrote it.")
    by: str = Field(description="Its author's Slack user id.")
    at: datetime = Field(description="When it was added.")


class Learnings(_Read):
    model_config = ConfigDict(title="Learnings")

    words: list[str] = Field(description="The words searched for, each once.")
    learnings: list[LearningOut] = Field(description="Newest first, at most 50.")
    more: bool = Field(description="More learnings hold the words.")
    bounded: bool = Field(description="Only the newest 20,000 learnings were searched; older ones were left out.")


class DigestKpi(_Read):
    name: str
    unit: str
    direction: Literal["up", "down"]
    baseline: float
    target: float
    latest: float | None = Field(description="The latest closed week's KPI.")
    change: float | None = Field(description="On the week before.")
    progress: float | None = Field(description="The share of the way from baseline to target.")
    weeks: list[float | None] = Field(description="The last 8 closed weeks' KPI, oldest first.")
    cycle_mean: float | None
    met_weeks: list[int] = Field(description="The weeks of the running cycle whose KPI met the target.")
    rest: float | None = Field(description="The rest of the work's KPI that week (a KPI with `compare`).")


class DigestStep(_Read):
    step: str
    mode: str
    cases: int | None
    exceptions: int
    ratio: float | None = Field(description="Exceptions over cases; None without cases.")
    frozen: bool


class DigestRisk(_Read):
    kind: str = Field(
        description="over_cap, near_cap, unobserved, frozen, missing_checkins, kpi_missing, guardrail_breached, "
        "guardrail_missing, owner_deactivated or plateau"
    )
    step: str | None
    value: float | None
    limit: float | None
    exceptions: int | None
    cases: int | None
    unit: str


class DigestGuardrail(_Read):
    name: str
    value: float | None
    unit: str
    state: str | None = Field(description="HOLDS, BREACHED or MISSING")


class DigestModeChange(_Read):
    step: str
    from_mode: str
    to_mode: str


class DigestProposal(_Read):
    kind: str = Field(description="promotion or scale")
    step: str | None
    to_mode: str | None


class DigestOrigin(_Read):
    slug: str
    version: int
    baseline: float
    target: float | None
    latest: float | None
    progress: float | None
    verdict: str | None = Field(description="The adopting team's latest replication verdict.")
    verdict_cycle: int | None


class DigestPlaybook(_Read):
    slug: str
    title: str
    function: str
    status: str
    standing: str = Field(description="on track, at risk, stalled or not judged yet")
    kpi: DigestKpi
    exception_cap: float
    steps: list[DigestStep]
    dms_sent: int
    checked_in: int
    attestation: float | None
    guardrail: DigestGuardrail | None
    risks: list[DigestRisk]
    mode_changes: list[DigestModeChange]
    open_proposals: list[DigestProposal]
    origin: DigestOrigin | None
    stalled: str | None = Field(description="Since when and why it is stalled.")
    plateau: bool
    owner_deactivated: bool
    last_cycle_hit: bool | None


class DigestFunction(_Read):
    function: str
    playbooks: list[DigestPlaybook] = Field(description="Stalled first, then at risk.")


class DigestCarried(_Read):
    playbook: str
    person: str = Field(description="The Slack user id of the one person who carries its numbers.")
    share: float


class LicenseFunction(_Read):
    function: str
    seats: int | None = Field(
        description="The function's seat holders: the people of the teams of its playbooks who hold a seat; "
        "null under the pulse's floor (too few people to show)."
    )
    active: int | None = Field(description="Of them, active on the tool that week; null under the floor.")


class LicenseTool(_Read):
    tool: str = Field(description="The usage source's tool (copilot, claude-code, ...).")
    week: date | None = Field(description="The Monday of the tool's latest week kept; null: never pulled.")
    seats: int | None = Field(
        description="Seats the tool lists at its last pull; null: it lists none (unknown, never 0)."
    )
    active: int | None = Field(description="Of the seats' holders, how many used the tool that week (k of n).")
    idle: int | None = Field(description="seats − active; null while the seats are unknown.")
    playbooks: int = Field(description="Playbooks declaring the tool (tool:) whose teams used it that week.")
    moved: int = Field(description="Of them, how many moved their KPI: stand on track, as the digest and overview say.")
    seat_per_month: float | None = Field(description="The seat's price a month, as the usage file declares it.")
    idle_cost_week: float | None = Field(
        description="idle × seat_per_month × 12 ÷ 52, in the org's currency; null without a price or seats."
    )
    functions: list[LicenseFunction] = Field(description="Each function's seats that week.")
    said: str = Field(
        description='In words: "copilot: 120 seats, 41 active this week; 3 playbooks on it, 2 moved their KPI".'
    )


class DigestOrg(_Read):
    active_playbooks: int
    at_risk: int
    stalled: int
    cycles_completed_week: int
    cycles_completed_total: int
    versions_published_week: int
    versions_published_total: int
    adoptions: int
    exception_ratio: float | None
    exception_ratios: list[float | None] = Field(description="The org's, week by week, oldest first.")
    dms_sent: int
    checked_in: int
    attestation: float | None
    value_measured: int
    hours_saved: float | None
    cost_per_hour: float | None
    no_cost_per_hour: str | None
    cost_left_out: str | None = Field(
        default=None,
        description="Beside cost_per_hour: the playbooks left out of it because their declared spend is not known.",
    )
    currency: str
    net_hours: float | None = Field(
        default=None,
        description="Hours saved − oversight hours over the last 4 closed weeks, of the playbooks whose oversight "
        "(reviewed cases × review_minutes + exception items closed × exception_minutes) is reported; null: none is.",
    )
    oversight_hours: float | None = None
    cost_per_net_hour: float | None = None
    net_value: float | None = Field(
        default=None,
        description="The sum of the playbooks' net values (net hours × ROLLOUT_HOURLY_RATE − spend) that are known: "
        "one whose spend is unknown is left out, and net_said says so; null without the rate or net hours.",
    )
    net_said: str | None = Field(default=None, description="The net figure with its formula, in words.")
    carried_by_one: list[DigestCarried]
    licenses: list[LicenseTool] = Field(
        default_factory=list,
        description="Licenses against results: each tool a usage source covers, its seats and their holders "
        "active, the playbooks on it and how many moved their KPI, and the idle seats' cost where a seat's price "
        "is declared (counted in net_value's spend). Counts only, never whose seat.",
    )


class DigestOut(_Read):
    model_config = ConfigDict(title="Digest")

    week_of: date = Field(description="The week the digest reports on: each playbook's latest closed week.")
    org: DigestOrg | None = Field(description="The org's figures; None for a token scoped to some playbooks.")
    functions: list[DigestFunction]
