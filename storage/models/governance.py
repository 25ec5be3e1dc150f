"""What the rules and people decide: decisions, verdicts, proposals, cycle results, and
the registry's published versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import instant, json_value, long_text, partial

# The decisions the rules look back at. Literal, here and in the queries that read them:
# a planner uses a partial index only where the query's own condition implies the index's.
STEP_CHANGES = text("kind IN ('mode-change', 'proposal-rejected')")
GUARDRAIL_WEEKS = text("kind = 'guardrail'")
# What the decision log (/rollout history) lists: everything but the weekly rows.
LOGGED = text("kind NOT IN ('verdict', 'guardrail')")
# What the digest lists of a week: the mode changes decided in it.
MODE_CHANGES = text("kind = 'mode-change'")
# Which playbooks are stalled, and since when (status, the digest, the web overview).
STALLED = text("kind = 'stalled'")


class Decision(SQLModel, table=True):
    """Append-only audit of everything decided: by a rule or by a person."""

    __tablename__ = "decision"
    __table_args__ = (
        Index("ix_decision_playbook", "playbook_id", "id"),
        # What the rules look back at (storage/step_histories.py): partial, so they stay small.
        partial("ix_decision_step_changes", "step_id", "week_start", where=STEP_CHANGES),
        partial("ix_decision_guardrail", "playbook_id", "week_start", where=GUARDRAIL_WEEKS),
        partial("ix_decision_log", "playbook_id", "id", where=LOGGED),
        partial("ix_decision_mode_changes", "decided_at", where=MODE_CHANGES),
        partial("ix_decision_stalled", "playbook_id", "week_start", where=STALLED),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    decided_at: datetime = instant()
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=64)  # a user id, or "rule:<name>", or "file:<path>"
    rule: Optional[str] = Field(default=None, max_length=64)
    playbook_id: Optional[int] = Field(default=None, foreign_key="playbook.id")
    step_id: Optional[int] = Field(default=None, foreign_key="step.id")
    week_start: Optional[date] = None
    from_mode: Optional[str] = Field(default=None, max_length=16)
    to_mode: Optional[str] = Field(default=None, max_length=16)
    summary: str = long_text()
    figures: dict[str, Any] = json_value()


class StepVerdict(SQLModel, table=True):
    """A step's verdict for a closed week, with the numbers it was judged on."""

    __tablename__ = "step_verdict"
    __table_args__ = (
        UniqueConstraint("step_id", "week_start", name="uq_step_verdict_step_week"),
        Index("ix_step_verdict_playbook_week", "playbook_id", "week_start"),
        # The digest's org-wide weeks; and, covering, the web view's exception ratio of
        # the org's last 26 weeks without reading their verdicts' rows.
        Index("ix_step_verdict_week", "week_start", "cases", "exceptions"),
        # Depth over months and the plateau rule (storage/depth.py): the org's weeks, and
        # many playbooks' recent weeks, with each verdict's mode and cases, from the index.
        Index("ix_step_verdict_depth", "week_start", "playbook_id", "mode", "cases"),
        CheckConstraint("outcome IN ('PASS', 'FAIL', 'INCONCLUSIVE', 'MISSING')", name="outcome"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date
    mode: str = Field(max_length=16)  # the step's mode during the week
    outcome: str = Field(max_length=12)
    cases: Optional[int] = None
    exceptions: int = 0
    rubric: Optional[float] = None  # None too for a review whose sample was too small (cadence/review.py)
    reviewed: Optional[int] = None  # the rubric's sample, if its report said one
    dimensions: Optional[str] = long_text(nullable=True)  # its counts per rubric dimension, if it had any
    # The rule that gave the verdict (cadence.verdicts.VerdictRule); None before 0039 kept it.
    rule: Optional[str] = Field(default=None, max_length=48)
    recorded_at: datetime = instant()


class Proposal(SQLModel, table=True):
    """A promotion proposal for a step, or a "ready to scale" proposal for a playbook.
    Its status moves once from open; every move also leaves a decision row."""

    __tablename__ = "proposal"
    __table_args__ = (
        Index("ix_proposal_open", "playbook_id", "status"),
        CheckConstraint("kind IN ('promotion', 'scale')", name="kind"),
        CheckConstraint("status IN ('open', 'approved', 'rejected', 'withdrawn', 'published')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=12)
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: Optional[int] = Field(default=None, foreign_key="step.id")
    week_start: date
    from_mode: Optional[str] = Field(default=None, max_length=16)
    to_mode: Optional[str] = Field(default=None, max_length=16)
    status: str = Field(default="open", max_length=12)
    figures: dict[str, Any] = json_value()
    opened_at: datetime = instant()
    decided_at: Optional[datetime] = instant(nullable=True)
    decided_by: Optional[str] = Field(default=None, max_length=64)


class _OfACycle(SQLModel):
    """The columns a row of a playbook's cycle starts with (its result, its bar): a mixin,
    no table of its own."""

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    cycle: int
    starts_on: date


class CycleResult(_OfACycle, table=True):
    """Whether a closed cycle hit its KPI target (the scale rule)."""

    __tablename__ = "cycle_result"
    __table_args__ = (UniqueConstraint("playbook_id", "cycle", name="uq_cycle_result_playbook_cycle"),)

    kpi_weeks: int
    mean: Optional[float] = None
    target: float
    direction: str = Field(max_length=4)
    hit: bool
    weeks_met: Optional[int] = None  # weeks meeting the target; None in results recorded before it was counted
    interrupted: bool = False  # paused or retired before its fourth week (migration 0031)
    recorded_at: datetime = instant()
    # When its last week closed (grace included): the digest of that week counts it, once,
    # however late the clock recorded it. None only in rows written before it was kept.
    closed_at: Optional[datetime] = instant(nullable=True)


class CycleBar(_OfACycle, table=True):
    """The KPI bar a cycle is judged by: the baseline and target in force in its first week,
    recorded by the first close of one of its weeks (issue 69: a cycle is judged by the bar
    it started with)."""

    __tablename__ = "cycle_bar"
    __table_args__ = (UniqueConstraint("playbook_id", "cycle", name="uq_cycle_bar_playbook_cycle"),)

    kpi_baseline: float
    kpi_target: float
    recorded_at: datetime = instant()


class RegistryVersion(SQLModel, table=True):
    """An immutable published snapshot of a playbook: definition, modes, thresholds and
    the cycle results that justified it."""

    __tablename__ = "registry_version"
    __table_args__ = (UniqueConstraint("playbook_id", "version", name="uq_registry_version_playbook_version"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    version: int
    slug: str = Field(max_length=64)
    function: str = Field(max_length=80)
    definition: dict[str, Any] = json_value()  # a playbook definition (docs/playbooks.md) with the modes at publishing
    cycle_results: list[Any] = json_value()
    scale_rule_held: bool
    published_by: str = Field(max_length=64)
    published_at: datetime = instant()
    # The origin's learnings when it was published, newest first ({cycle, text, by, at});
    # empty for versions published before learnings were kept.
    learnings: list[Any] = Field(sa_column=Column(JSON, nullable=False, server_default=text("'[]'")))
    # A curator's reason for publishing though the scale rule never held: no origin change
    override_reason: Optional[str] = long_text(nullable=True)
    # Published over missing readiness criteria (docs/usage.md, "Publishing over readiness"):
    # {"not_met": [criterion names], "reason", "asked_by", "approved_by"}; None: it was ready
    over_readiness: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))


PENDING_REQUEST = text("status = 'pending'")


class AdoptionRequest(SQLModel, table=True):
    """A team asking the curators to adopt a registry version (`/rollout request`): its
    answers, the card the curators decide on, and the outcome. A channel has at most one
    pending request per version: the database holds it, so of two at once one is stored."""

    __tablename__ = "adoption_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        partial("uq_adoption_request_pending", "version_id", "channel_id", where=PENDING_REQUEST, unique=True),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    version_id: int = Field(foreign_key="registry_version.id", index=True)
    channel_id: str = Field(max_length=32)
    channel_name: Optional[str] = Field(default=None, max_length=80)
    requester_id: str = Field(max_length=32)  # becomes the owner
    champion_id: str = Field(max_length=32)
    answers: dict[str, Any] = json_value()  # why, the criteria, the team's own numbers
    card_key: str = Field(max_length=120)  # the outbox key of the curators' card
    status: str = Field(default="pending", max_length=10)
    decided_by: Optional[str] = Field(default=None, max_length=32)
    decided_at: Optional[datetime] = instant(nullable=True)
    reason: Optional[str] = long_text(nullable=True)  # a decline's reason, or an approval's override
    adopted_slug: Optional[str] = Field(default=None, max_length=64)
    created_at: datetime = instant()


class _Asked(SQLModel):
    """The columns a request to the curators over a playbook starts with (a bar's change,
    a publication over readiness): a mixin, no table of its own. `owner_id`: the
    playbook's owner when asked (a bar's request is void once handed over; a publication's
    decider is never its owner)."""

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    owner_id: str = Field(max_length=32)
    asked_by: str = Field(max_length=32)
    asked_at: datetime = instant()
    reason: str = long_text()


OPEN_BAR_REQUEST = text("state = 'open'")


class BarRequest(_Asked, table=True):
    """A change to a playbook's bar that does not tighten it (docs/playbooks.md, "The bar
    moves by decision"), waiting for a curator: who asked and why, the changes (cadence.bar.BarChange's
    JSON), the curators' card, and the outcome. One open request per playbook: the
    database holds it, so a later one replaces the open one in its transaction."""

    __tablename__ = "bar_request"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'approved', 'declined', 'replaced', 'applied', 'void')", name="state"),
        partial("uq_bar_request_open", "playbook_id", where=OPEN_BAR_REQUEST, unique=True),
    )

    changes: list[Any] = json_value()
    state: str = Field(default="open", max_length=10)
    effective_from: Optional[date] = None  # approved: the first week of the next cycle
    decided_by: Optional[str] = Field(default=None, max_length=32)
    decided_at: Optional[datetime] = instant(nullable=True)
    decline_reason: Optional[str] = long_text(nullable=True)
    card_channel: str = Field(max_length=32)
    card_key: str = Field(max_length=120)  # the outbox key of the card (the outbox keeps its ts)


class PublishRequest(_Asked, table=True):
    """`/rollout publish <playbook> override <reason>` over missing readiness criteria
    (docs/usage.md, "Publishing over readiness"), waiting for a curator who is neither the
    playbook's owner nor the asker: the criteria not met when asked (their names), the
    curators' card, and the outcome (the version it published). One open per playbook."""

    __tablename__ = "publish_request"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'published', 'declined', 'replaced', 'void')", name="state"),
        partial("uq_publish_request_open", "playbook_id", where=OPEN_BAR_REQUEST, unique=True),
    )

    criteria: list[Any] = json_value()  # the criteria not met (readiness figures), as the card shows them
    state: str = Field(default="open", max_length=10)
    version: Optional[int] = None  # published: the version's number
    decided_by: Optional[str] = Field(default=None, max_length=32)
    decided_at: Optional[datetime] = instant(nullable=True)
    card_channel: str = Field(max_length=32)
    card_key: str = Field(max_length=120)  # the outbox key of the card (the outbox keeps its ts)


class WaveReview(SQLModel, table=True):
    """A wave of a playbook's adopters (of any of its versions) whose learnings the origin's
    owner or a curator marked reviewed, with a note the next wave's teams get (the
    *Learnings reviewed* button's form, `/rollout wave ... reviewed <note>`): with a team of
    it replicated, the next wave opens. Once per playbook and wave: of two marks at once
    the database keeps one. Marks made before notes were asked for have none."""

    __tablename__ = "wave_review"
    __table_args__ = (UniqueConstraint("playbook_id", "wave", name="uq_wave_review_playbook_wave"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")  # the origin
    version_id: int = Field(foreign_key="registry_version.id")  # the version it was marked through
    version: int  # its number, as shown
    wave: int
    reviewed_by: str = Field(max_length=32)
    note: Optional[str] = long_text(nullable=True)
    reviewed_at: datetime = instant()
