"""The tables. Reports (KPI readings, check-ins, case counts, rubric scores,
exceptions) and decisions are append-only: rows are inserted, never updated.

"Latest report for a week wins, history kept" is decided by the primary key: ids
come from the database's own sequence, so the report with the highest id for its
key is the latest one. No code reads the current value before writing a new one,
so there is nothing for two concurrent reports to race on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Named constraints, so later migrations (batch mode on SQLite included) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table, for the queries written against the table itself (Core
    inserts and updates, `table.c.x`). SQLModel sets `__table__` on every `table=True`
    class, but its stubs do not declare it: this is the one place that says so."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel, absent from its stubs
    return table


def _instant(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


def _json() -> Any:
    return Field(sa_column=Column(JSON, nullable=False))


def _text(nullable: bool = False) -> Any:
    return Field(sa_column=Column(Text, nullable=nullable))


COUNTS = text("withdrawn_at IS NULL")  # a report counts until it is withdrawn (undo)
# The decisions the rules look back at. Literal, here and in the queries that read them:
# a planner uses a partial index only where the query's own condition implies the index's.
STEP_CHANGES = text("kind IN ('mode-change', 'proposal-rejected')")
GUARDRAIL_WEEKS = text("kind = 'guardrail'")
# What the decision log (/rollout history) lists: everything but the weekly rows.
LOGGED = text("kind NOT IN ('verdict', 'guardrail')")
# What the digest lists of a week: the mode changes decided in it.
MODE_CHANGES = text("kind = 'mode-change'")


def _counting(table: str, reporter: str, within: tuple[str, ...] = ()) -> tuple[Index, ...]:
    """The indexes of a report table, over the reports that count: the latest of a week
    (or of a step's week) is the last entry of its range, and a withdrawn report leaves
    the index, so neither a busy week nor a run of undos makes a read walk past rows
    that do not count. Partial indexes, on PostgreSQL and SQLite alike."""
    partial: dict[str, Any] = {"sqlite_where": COUNTS, "postgresql_where": COUNTS}  # dialect options: Any to Index
    return (
        Index(f"ix_{table}_week_counting", "playbook_id", "week_start", *within, "id", **partial),
        # undo: a person's latest report of the open weeks
        Index(f"ix_{table}_reporter_counting", "playbook_id", reporter, "week_start", "id", **partial),
    )


def _listed(table: str) -> Index:
    """Every report of a playbook's weeks, withdrawn ones too: the web view lists each
    with who sent it (Reports.report_log) without reading the whole table."""
    return Index(f"ix_{table}_week", "playbook_id", "week_start", "id")


# A channel runs at most one adoption of an origin playbook that is not retired: the
# database holds it (migration 0015), so of concurrent adopts one wins.
RUNS_AN_ADOPTION = text("adopted_origin_id IS NOT NULL AND status <> 'retired'")


class Playbook(SQLModel, table=True):
    __tablename__ = "playbook"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'paused', 'retired')", name="status"),
        CheckConstraint("kpi_direction IN ('up', 'down')", name="kpi_direction"),
        Index(
            "uq_playbook_adoption",
            "channel_id",
            "adopted_origin_id",
            unique=True,
            sqlite_where=RUNS_AN_ADOPTION,
            postgresql_where=RUNS_AN_ADOPTION,
        ),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    slug: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    function: str = Field(max_length=80)
    channel_id: str = Field(max_length=32, index=True)
    owner_id: str = Field(max_length=32)
    timezone: str = Field(max_length=64)
    status: str = Field(default="draft", max_length=16)
    status_since: Optional[datetime] = _instant(nullable=True)  # when it was paused, resumed or retired
    status_reason: Optional[str] = _text(nullable=True)  # why, in the words of who did it (or Slack's error)
    kpi_name: str = Field(max_length=80)
    kpi_unit: str = Field(default="", max_length=20)
    kpi_direction: str = Field(max_length=4)
    kpi_baseline: float
    kpi_target: float
    guardrail_name: Optional[str] = Field(default=None, max_length=80)
    guardrail_min: Optional[float] = None
    guardrail_max: Optional[float] = None
    rubric_threshold: float
    exception_cap: float
    rules: dict[str, Any] = _json()
    inputs: list[Any] = _json()
    outputs: list[Any] = _json()
    definition: dict[str, Any] = _json()  # the definition as last loaded, to tell a changed file from a reload
    # registry_version also points at playbook: the cycle is deliberate, so this side is
    # created by ALTER (use_alter) and table sorting needs no guess.
    adopted_from_id: Optional[int] = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("registry_version.id", use_alter=True, name="fk_playbook_adopted_from_id_registry_version"),
            nullable=True,
        ),
    )
    # The playbook the adopted version was published from (registry_version.playbook_id),
    # for uq_playbook_adoption: an adoption of any of its versions counts.
    adopted_origin_id: Optional[int] = None
    # The start of the last week the clock closed (its verdicts are recorded): a report for
    # it or an earlier week is refused by the report's own statement. Weeks close in order.
    # Set in the close's transaction before it reads the week's figures (storage.governance,
    # Governance.record_closes), and read under a lock on this row (storage.store, _open_week).
    closed_through: Optional[date] = None
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class Step(SQLModel, table=True):
    __tablename__ = "step"
    __table_args__ = (
        UniqueConstraint("playbook_id", "name", name="uq_step_playbook_name"),
        CheckConstraint("mode IN ('human-led', 'collaborative', 'ai-led')", name="mode"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    name: str = Field(max_length=40)
    position: int
    mode: str = Field(max_length=16)
    pinned: bool = False
    frozen: bool = False
    retired_at: Optional[datetime] = _instant(nullable=True)  # removed from the definition; history stays


class Cycle(SQLModel, table=True):
    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("playbook_id", "number", name="uq_cycle_playbook_number"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    number: int
    starts_on: date
    started_by: str = Field(max_length=32)
    created_at: datetime = _instant()
    # A pause or retirement ends this run of cycles after this week (its Monday): the
    # cycle it was in is interrupted, and later weeks belong to no cycle until a resume.
    ends_after: Optional[date] = None


class CheckIn(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (
        *_counting("checkin", "user_id", ("user_id",)),
        CheckConstraint("attestation IN ('followed', 'deviated')", name="attestation"),
        CheckConstraint("attestation = 'followed' OR step_id IS NOT NULL", name="deviation_step"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    week_start: date
    user_id: str = Field(max_length=32)
    attestation: str = Field(max_length=10)
    step_id: Optional[int] = Field(default=None, foreign_key="step.id")
    note: Optional[str] = _text(nullable=True)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class KpiReading(SQLModel, table=True):
    __tablename__ = "kpi_reading"
    __table_args__ = (*_counting("kpi_reading", "reported_by"), _listed("kpi_reading"))

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    week_start: date
    value: float
    reported_by: str = Field(max_length=32)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class GuardrailReading(SQLModel, table=True):
    """The guardrail metric of a week (e.g. CSAT), reported by a member or the owner."""

    __tablename__ = "guardrail_reading"
    __table_args__ = (*_counting("guardrail_reading", "reported_by"), _listed("guardrail_reading"))

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    week_start: date
    value: float
    reported_by: str = Field(max_length=32)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class ExceptionReport(SQLModel, table=True):
    __tablename__ = "exception_report"
    __table_args__ = (*_counting("exception_report", "reported_by", ("step_id",)), _listed("exception_report"))

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date
    reason: str = _text()
    reported_by: str = Field(max_length=32)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class CaseCount(SQLModel, table=True):
    __tablename__ = "case_count"
    __table_args__ = (
        *_counting("case_count", "reported_by", ("step_id",)),
        _listed("case_count"),
        CheckConstraint("cases >= 0", name="nonnegative"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date
    cases: int
    reported_by: str = Field(max_length=32)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class RubricScore(SQLModel, table=True):
    __tablename__ = "rubric_score"
    __table_args__ = (
        *_counting("rubric_score", "reported_by", ("step_id",)),
        _listed("rubric_score"),
        CheckConstraint("score >= 0 AND score <= 1", name="range"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date
    score: float
    reported_by: str = Field(max_length=32)
    reported_at: datetime = _instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class RoleGrant(SQLModel, table=True):
    """Curators. Admins are not stored: they come from ROLLOUT_ADMINS."""

    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "role", name="uq_role_grant_user_role"),
        CheckConstraint("role IN ('curator')", name="role"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    granted_by: str = Field(max_length=32)
    granted_at: datetime = _instant()


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
    updated_by: str = Field(max_length=32)
    updated_at: datetime = _instant()


class Decision(SQLModel, table=True):
    """Append-only audit of everything decided: by a rule or by a person."""

    __tablename__ = "decision"
    __table_args__ = (
        Index("ix_decision_playbook", "playbook_id", "id"),
        # What the rules look back at (storage/governance.py): partial, so they stay small.
        Index(
            "ix_decision_step_changes",
            "step_id",
            "week_start",
            sqlite_where=STEP_CHANGES,
            postgresql_where=STEP_CHANGES,
        ),
        Index(
            "ix_decision_guardrail",
            "playbook_id",
            "week_start",
            sqlite_where=GUARDRAIL_WEEKS,
            postgresql_where=GUARDRAIL_WEEKS,
        ),
        Index("ix_decision_log", "playbook_id", "id", sqlite_where=LOGGED, postgresql_where=LOGGED),
        Index("ix_decision_mode_changes", "decided_at", sqlite_where=MODE_CHANGES, postgresql_where=MODE_CHANGES),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    decided_at: datetime = _instant()
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=64)  # a user id, or "rule:<name>", or "file:<path>"
    rule: Optional[str] = Field(default=None, max_length=64)
    playbook_id: Optional[int] = Field(default=None, foreign_key="playbook.id")
    step_id: Optional[int] = Field(default=None, foreign_key="step.id")
    week_start: Optional[date] = None
    from_mode: Optional[str] = Field(default=None, max_length=16)
    to_mode: Optional[str] = Field(default=None, max_length=16)
    summary: str = _text()
    figures: dict[str, Any] = _json()


class CadenceJob(SQLModel, table=True):
    """One unit of cadence work, done or skipped, under its idempotency key.

    The unique key is what makes the tick idempotent: a second tick (or a second
    clock process) inserting the same key inserts nothing, and so enqueues nothing.
    """

    __tablename__ = "cadence_job"
    __table_args__ = (
        Index("ix_cadence_job_cursor", "playbook_id", "kind", "week_start"),
        CheckConstraint("status IN ('done', 'skipped')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=16)
    playbook_id: Optional[int] = Field(default=None, foreign_key="playbook.id")
    week_start: Optional[date] = None
    user_id: Optional[str] = Field(default=None, max_length=32)
    due_at: datetime = _instant()
    status: str = Field(max_length=8)
    recorded_at: datetime = _instant()
    note: Optional[str] = _text(nullable=True)


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own, written in the same transaction as the state
    change that caused it and delivered later by the dispatcher (slack_api/dispatch.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "available_at", "id"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=220, unique=True)
    method: str = Field(max_length=40)  # chat.postMessage | chat.update | views.publish
    channel: str = Field(max_length=32)  # a channel id, or a user id for a DM
    payload: dict[str, Any] = _json()
    status: str = Field(default="pending", max_length=8)
    attempts: int = 0
    created_at: datetime = _instant()
    available_at: datetime = _instant()
    lease_until: Optional[datetime] = _instant(nullable=True)
    claimed_by: Optional[str] = Field(default=None, max_length=64)
    in_flight_since: Optional[datetime] = _instant(nullable=True)  # a send whose outcome is not known yet
    sent_at: Optional[datetime] = _instant(nullable=True)
    slack_channel: Optional[str] = Field(default=None, max_length=32)
    slack_ts: Optional[str] = Field(default=None, max_length=32)
    error: Optional[str] = _text(nullable=True)


class StepVerdict(SQLModel, table=True):
    """A step's verdict for a closed week, with the numbers it was judged on."""

    __tablename__ = "step_verdict"
    __table_args__ = (
        UniqueConstraint("step_id", "week_start", name="uq_step_verdict_step_week"),
        Index("ix_step_verdict_playbook_week", "playbook_id", "week_start"),
        # The digest's org-wide weeks; and, covering, the web view's exception ratio of
        # the org's last 26 weeks without reading their verdicts' rows.
        Index("ix_step_verdict_week", "week_start", "cases", "exceptions"),
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
    rubric: Optional[float] = None
    recorded_at: datetime = _instant()


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
    figures: dict[str, Any] = _json()
    opened_at: datetime = _instant()
    decided_at: Optional[datetime] = _instant(nullable=True)
    decided_by: Optional[str] = Field(default=None, max_length=64)


class CycleResult(SQLModel, table=True):
    """Whether a closed cycle hit its KPI target (the scale rule)."""

    __tablename__ = "cycle_result"
    __table_args__ = (UniqueConstraint("playbook_id", "cycle", name="uq_cycle_result_playbook_cycle"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    cycle: int
    starts_on: date
    kpi_weeks: int
    mean: Optional[float] = None
    target: float
    direction: str = Field(max_length=4)
    hit: bool
    weeks_met: Optional[int] = None  # weeks meeting the target; None in results recorded before it was counted
    recorded_at: datetime = _instant()
    # When its last week closed (grace included): the digest of that week counts it, once,
    # however late the clock recorded it. None only in rows written before it was kept.
    closed_at: Optional[datetime] = _instant(nullable=True)


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
    definition: dict[str, Any] = _json()  # a playbook definition (docs/playbooks.md) with the modes at publishing
    cycle_results: list[Any] = _json()
    scale_rule_held: bool
    published_by: str = Field(max_length=64)
    published_at: datetime = _instant()
    # The origin's learnings when it was published, newest first ({cycle, text, by, at});
    # empty for versions published before learnings were kept.
    learnings: list[Any] = Field(sa_column=Column(JSON, nullable=False, server_default=text("'[]'")))


class Learning(SQLModel, table=True):
    """What a team learned in a cycle (`/rollout learn`, or the form of the week-4 DM):
    append-only, with who and when. `undo` withdraws one's own: kept, no longer shown."""

    __tablename__ = "learning"
    __table_args__ = (Index("ix_learning_playbook_cycle", "playbook_id", "cycle", "id"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    cycle: int
    text: str = _text()
    added_by: str = Field(max_length=64)
    added_at: datetime = _instant()
    withdrawn_at: Optional[datetime] = _instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class SeenRequest(SQLModel, table=True):
    """Requests already handled, by signature (replays) and by event id (Slack's retries).
    Kept a day: Slack refuses signatures older than five minutes anyway."""

    __tablename__ = "seen_request"

    key: str = Field(primary_key=True, max_length=120)
    seen_at: datetime = _instant()


class Heartbeat(SQLModel, table=True):
    """When each long-running part (the clock) last finished its work: a liveness signal
    that any process can read, so /metrics and /healthz of the web process see the clock."""

    __tablename__ = "heartbeat"

    name: str = Field(primary_key=True, max_length=32)
    at: datetime = _instant()


class MembershipChange(SQLModel, table=True):
    """How often Slack has told any process that a channel's membership changed (someone
    joined or left): each process keeps a team list only while this number stands, so a
    change seen by one process reaches every other at once (slack_api/members.py)."""

    __tablename__ = "membership_change"

    channel_id: str = Field(primary_key=True, max_length=32)
    version: int = Field(default=0)
    changed_at: datetime = _instant()


class Person(SQLModel, table=True):
    """What the bot keeps of a person beyond what Slack says at each request: the days
    they said they are away (`/rollout away`: no check-in DM, reminder or owner DM then),
    and since when Slack calls their account deactivated (nothing is sent to them then)."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint("away_from <= away_until", name="away_in_order"),)

    user_id: str = Field(primary_key=True, max_length=32)
    away_from: Optional[date] = None
    away_until: Optional[date] = None  # the last day away; both or neither are set
    deactivated_at: Optional[datetime] = _instant(nullable=True)
    updated_at: datetime = _instant()


class Holiday(SQLModel, table=True):
    """A day off for the whole org (`/rollout holiday add`): nothing person-facing goes out
    on it; the Monday nudge and the Thursday check-in move to the next working day."""

    __tablename__ = "holiday"

    day: date = Field(primary_key=True)
    name: str = Field(default="", max_length=80)
    added_by: str = Field(max_length=32)
    added_at: datetime = _instant()


TABLES = [
    Playbook,
    Step,
    Cycle,
    CheckIn,
    KpiReading,
    GuardrailReading,
    ExceptionReport,
    CaseCount,
    RubricScore,
    RoleGrant,
    Setting,
    Decision,
    CadenceJob,
    OutboxMessage,
    StepVerdict,
    Proposal,
    CycleResult,
    RegistryVersion,
    SeenRequest,
    Heartbeat,
    MembershipChange,
    Person,
    Holiday,
]


class ApiToken(SQLModel, table=True):
    """A token of the reporting API (`rollout token create`). Only its SHA-256 is kept: the
    token itself is shown once. Scoped to playbooks (None: every one) and report kinds,
    and to reading; revoked at once by `rollout token revoke`."""

    __tablename__ = "api_token"
    __table_args__ = (
        UniqueConstraint("name", name="uq_api_token_name"),
        UniqueConstraint("token_hash", name="uq_api_token_hash"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    name: str = Field(max_length=24)  # reports it makes say "token:<name>" (reported_by holds 32)
    token_hash: str = Field(max_length=64)
    playbooks: Optional[list[Any]] = Field(sa_column=Column(JSON, nullable=True))  # slugs; None: all
    kinds: list[Any] = _json()
    can_read: bool = False
    created_by: str = Field(max_length=64)
    created_at: datetime = _instant()
    last_used_at: Optional[datetime] = _instant(nullable=True)
    revoked_at: Optional[datetime] = _instant(nullable=True)


class ApiReportKey(SQLModel, table=True):
    """The idempotency keys a token sent with its reports: a report whose key the token
    used before is a duplicate, stored once and answered as the first time, if it is the
    same report (`report_hash`, the SHA-256 of the fields it was sent with; None for a key
    stored before it was kept, which any report matches). `key` is the token's id and its
    key (`<id>:<key>`), one unique column for the insert that decides."""

    __tablename__ = "api_report_key"

    key: str = Field(primary_key=True, max_length=220)
    token_id: int = Field(foreign_key="api_token.id")
    week_start: date
    counts_for: str = Field(max_length=200)
    created_at: datetime = _instant()
    report_hash: Optional[str] = Field(default=None, max_length=64)


class WebLogin(SQLModel, table=True):
    """A one-time link to the web view (`/rollout web`): only its SHA-256 is kept, it is
    good for ten minutes, and once."""

    __tablename__ = "web_login"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=32)
    expires_at: datetime = _instant()
    used_at: Optional[datetime] = _instant(nullable=True)


class WebSession(SQLModel, table=True):
    """A session of the web view, from sign-in to sign-out: the cookie carries its id,
    signed; only the id's SHA-256 is kept. Sign-out deletes the row, so the cookie, and
    any copy of it, is refused from then on; a row past `expires_at` (12 hours after
    sign-in) is refused too, and deleted at the next sign-in."""

    __tablename__ = "web_session"

    session_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=32)
    expires_at: datetime = _instant()
