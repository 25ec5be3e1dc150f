"""The tables, one module per area. Reports (KPI readings, check-ins, case counts, rubric
scores, exceptions) and decisions are append-only: rows are inserted, never updated.

"Latest report for a week wins, history kept" is decided by the primary key: ids
come from the database's own sequence, so the report with the highest id for its
key is the latest one. No code reads the current value before writing a new one,
so there is nothing for two concurrent reports to race on.

Importing any of the modules imports them all (below), so SQLModel.metadata always holds
every table: Alembic, the export and the tests read it whole, and playbook.adopted_from_id
refers to registry_version.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

from storage.models import (
    access,
    bookkeeping,
    boundaries,
    calibration,
    governance,
    org,
    playbooks,
    pulse,
    reports,
    usage,
    webhooks,
)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Table, for the queries written against the table itself (Core
    inserts and updates, `table.c.x`). SQLModel sets `__table__` on every `table=True`
    class, but its stubs do not declare it: this is the one place that says so."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel, absent from its stubs
    return table


TABLES: list[type[SQLModel]] = [
    playbooks.Playbook,
    playbooks.Step,
    playbooks.Cycle,
    playbooks.ChecklistMark,
    reports.CheckIn,
    reports.KpiReading,
    reports.KpiRestReading,
    reports.GuardrailReading,
    reports.ExceptionReport,
    reports.CaseCount,
    reports.RubricScore,
    reports.ValueCount,
    reports.Learning,
    reports.SourceFetch,
    reports.InputCheckResult,
    reports.ExceptionItemEvent,
    reports.ExceptionEscalation,
    governance.Decision,
    governance.StepVerdict,
    governance.Proposal,
    governance.CycleResult,
    governance.CycleBar,
    governance.RegistryVersion,
    governance.AdoptionRequest,
    governance.BarRequest,
    governance.PublishRequest,
    governance.WaveReview,
    calibration.CalibrationRun,
    boundaries.OutOfScopeCount,
    pulse.PulseKey,
    pulse.PulseVoter,
    pulse.PulseAnswer,
    usage.UsageWeek,
    usage.UsagePull,
    usage.UsageLogin,
    usage.UsageSeat,
    usage.UsageLostDay,
    org.RoleGrant,
    org.Setting,
    org.Person,
    org.ChannelName,
    org.Holiday,
    bookkeeping.CadenceJob,
    bookkeeping.ReadinessNotice,
    bookkeeping.OutboxMessage,
    bookkeeping.SeenRequest,
    bookkeeping.FormTime,
    bookkeeping.SetupSaid,
    bookkeeping.Heartbeat,
    bookkeeping.MembershipChange,
    access.ApiToken,
    access.ApiReportKey,
    access.ApiRate,
    access.WebLogin,
    access.WebSession,
    webhooks.Webhook,
    webhooks.WebhookDelivery,
]
