"""What the reporting API takes and answers, as pydantic models (handlers/api.py routes
them): the report a client sends, strictly typed over its JSON, and the shapes of every
answer to it. The OpenAPI document's schemas are derived from these same models (by
FastAPI, handlers/api.py), so the document says what the server checks. The reads' shapes
are handlers/api_playbook_models.py's and handlers/api_read_models.py's."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date
from typing import Annotated, Any, Literal

import pydantic
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from cadence.limits import MAX_COUNT, MAX_TEXT_CHARS, MAX_VALUE
from cadence.report_kinds import ReportKind
from cadence.text import as_line_breaks
from usecases import api_reports
from usecases.shared import messages

MAX_BATCH = 1000
MAX_EVENT_COUNT = 10_000  # in one event report (exceptions: at most 10,000 in one request, api_reports)

WEEK = "a day of the week (YYYY-MM-DD) or its number in the cycle, 1 to 4"


def _week(value: Any) -> Any:
    """`week` as JSON gives it: a day as YYYY-MM-DD, or a whole number from 1 to 4 (not
    `true`, not 1.0)."""
    if value is None or (type(value) is int and 1 <= value <= 4):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"week is {WEEK}, not {given(value)}")


class Report(BaseModel):
    """One report: what `/rollout kpi|guardrail|cases|rubric|exception` says, as JSON.
    Strict: validated from the body's JSON (model_validate_json), each field takes its
    own JSON type only."""

    model_config = ConfigDict(extra="forbid", title="Report", strict=True)

    playbook: str = Field(min_length=1, max_length=64, description="The playbook's slug.")
    kind: Literal["kpi", "guardrail", "cases", "rubric", "exception", "event"]
    value: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="The number: the KPI or guardrail value, a case count, a rubric score from 0 to 1. "
        "Not for event (refused): an event's number is its count.",
    )
    step: str | None = Field(default=None, min_length=1, max_length=40, description="For cases, rubric, exception.")
    passed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_COUNT,
        description="For rubric, in place of value: how many of the reviewed cases passed (18 of 20: passed 18, "
        "reviewed 20). The score is passed / reviewed, its interval over the reviewed cases.",
    )
    reviewed: int | None = Field(
        default=None, ge=1, le=MAX_COUNT, description="For rubric, with passed: how many cases were reviewed."
    )
    dimensions: dict[str, Annotated[int, Field(ge=0, le=MAX_COUNT)]] | None = Field(
        default=None,
        max_length=8,
        description="For rubric, with reviewed, for a rubric with dimensions: how many of the reviewed cases "
        'passed on each ({"tone": 19, "accuracy": 18}). The score is the lowest one\'s.',
    )
    reason: str | None = Field(default=None, max_length=MAX_TEXT_CHARS, description="For an exception: what happened.")
    week: Annotated[date | Annotated[int, Field(ge=1, le=4)] | None, BeforeValidator(_week)] = Field(
        default=None,
        description="A day of the week it is for (YYYY-MM-DD, e.g. its Monday), or 1-4 as `week:N` in Slack. "
        "Default: the week of `at`.",
    )
    at: AwareDatetime | None = Field(
        default=None, description="When it was measured (ISO 8601 with its offset). Default: now."
    )
    event: str | None = Field(default=None, max_length=40, description="For kind event: a value event of the playbook.")
    count: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EVENT_COUNT,
        description='For kind event: how many (default 1), a JSON integer: 3, not 3.0 or "3".',
    )
    arm: Literal["run", "rest"] | None = Field(
        default=None,
        description="For kpi, on a playbook whose KPI has `compare`: `rest` for the rest of the same work (or "
        "the holdout) in the same week and unit; `run` (the default) for the work run through the playbook.",
    )
    key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Idempotency key: sent again by this token with the same report, a duplicate answered as "
        "the first time; with a different report, refused (422).",
    )

    @field_validator("playbook", "step", "reason", "event", "key")
    @classmethod
    def _storable(cls, text: str | None, info: pydantic.ValidationInfo) -> str | None:
        """What the bot stores or looks up holds no character it never stores (cadence/text.py)."""
        problem = api_reports.unstorable_text(info.field_name or "", text)
        if problem is not None:
            raise ValueError(problem)
        # a reason takes lines: Unicode's line separators are stored as line breaks
        return as_line_breaks(text) if info.field_name == "reason" and text is not None else text

    def fingerprint(self) -> str:
        """The report as it was sent, hashed (SHA-256), to tell a retry under its idempotency
        key from another report: its fields but the key, with the values the types gave
        them (14 and 14.0 are one number, an instant is one whatever its offset), and None
        for those left out, not the defaults filled in later. Stored with the key
        (api_report_key.report_hash): a change here refuses every retry across a deploy."""
        fields = self.model_dump(exclude={"key"})
        for sample in (
            "passed",
            "reviewed",
            "arm",
            "dimensions",
        ):  # newer fields: a report without them hashes as it always has
            if fields[sample] is None:
                del fields[sample]
        if fields["value"] is not None:
            fields["value"] = float(fields["value"])
        if isinstance(fields["week"], date):
            fields["week"] = fields["week"].isoformat()
        if fields["at"] is not None:
            fields["at"] = fields["at"].astimezone(UTC).isoformat()
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def command(self) -> messages.ReportCommand | api_reports.Unfit:
        """The report as the command `/rollout` makes for it (usecases/shared/messages.py),
        or what its fields lack for one: a step, a value, a reason; a value within its
        limits (cadence/limits.py)."""
        sent = messages.Sent(self.key, self.fingerprint()) if self.key is not None else None
        when: dict[str, Any] = dict(week=self.week, at=self.at, sent=sent)
        if self.kind in (ReportKind.CASES, ReportKind.RUBRIC, ReportKind.EXCEPTION) and not self.step:
            return self._unfit("step", f"a {self.kind} report names its step")
        if self.arm is not None and self.kind != ReportKind.KPI:
            return self._unfit("arm", f"only a kpi report has an arm (run or rest), not a {self.kind} report")
        return _COMMAND_OF_KIND[ReportKind(self.kind)](self, when)

    def _unfit(self, field: str, message: str) -> api_reports.Unfit:
        return api_reports.Unfit(self.playbook, ReportKind(self.kind), field, message)

    def _no_value(self) -> api_reports.Unfit:
        return self._unfit("value", f"a {self.kind} report gives its value")

    def _event(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        """An event counts `count` times where the playbook's value_events say: a number or a
        step of the report's own would be dropped, so it is refused, naming the field."""
        for name in ("value", "passed", "reviewed", "dimensions", "step"):
            if getattr(self, name) is not None:
                return self._unfit(
                    name,
                    f"an event report gives how many with count, not {name}: its playbook "
                    "says what the event counts for",
                )
        return messages.ValueEvent(self.playbook, self.event or "", self.count or 1, self.reason, **when)

    def _exception(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        reason = (self.reason or "").strip()
        if not reason:
            return self._unfit("reason", "an exception says what happened: give a reason")
        return messages.LogException(self.playbook, self.step or "", reason, **when)

    def _cases(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        value = self.value
        if value is None:
            return self._no_value()
        if value != int(value) or not 0 <= value <= MAX_COUNT:
            return self._unfit("value", f"a case count is a whole number from 0 to {MAX_COUNT:,}, not {value:g}")
        return messages.Cases(self.playbook, self.step or "", int(value), **when)

    def _rubric(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        """A score as its value, or as the passed and reviewed counts of a sample."""
        if self.dimensions is not None:
            return self._rubric_by_dimension(when)
        if self.passed is not None or self.reviewed is not None:
            return self._sampled_rubric(when)
        value = self.value
        if value is None:
            return self._no_value()
        if not 0 <= value <= 1:
            return self._unfit("value", f"a rubric score is from 0 to 1 (0.93 for 93%), not {value:g}")
        return messages.Rubric(self.playbook, self.step or "", value, **when)

    def _sampled_rubric(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        if self.value is not None:
            return self._unfit("value", "a rubric report gives its value or its passed and reviewed counts, not both")
        if self.passed is None or self.reviewed is None:
            missing = "passed" if self.passed is None else "reviewed"
            return self._unfit(missing, "a review of a sample gives both passed and reviewed")
        if self.passed > self.reviewed:
            return self._unfit("passed", f"{self.passed} passed is more than the {self.reviewed} reviewed")
        score = round(self.passed / self.reviewed, 6)
        return messages.Rubric(self.playbook, self.step or "", score, reviewed=self.reviewed, **when)

    def _rubric_by_dimension(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        """A review by rubric dimension: the reviewed count, and what passed on each."""
        given = self.dimensions or {}
        if self.value is not None or self.passed is not None:
            field = "value" if self.value is not None else "passed"
            return self._unfit(field, "a review by dimension gives reviewed and dimensions, not a value or passed")
        if self.reviewed is None or not given:
            return self._unfit(
                "reviewed" if given else "dimensions", "a review by dimension gives both reviewed and dimensions"
            )
        over = next((name for name, passed in given.items() if passed > self.reviewed), None)
        if over is not None:
            return self._unfit("dimensions", f"{over}: {given[over]} passed is more than the {self.reviewed} reviewed")
        counts = tuple(given.items())
        score = round(min(given.values()) / self.reviewed, 6)
        return messages.Rubric(self.playbook, self.step or "", score, reviewed=self.reviewed, dimensions=counts, **when)

    def _measure(self, when: dict[str, Any]) -> messages.ReportCommand | api_reports.Unfit:
        """The KPI or the guardrail: any number within MAX_VALUE either way."""
        value = self.value
        if value is None:
            return self._no_value()
        if abs(value) > MAX_VALUE:
            return self._unfit("value", f"{value:g} is out of range: at most {MAX_VALUE:g} either way")
        if self.kind == ReportKind.GUARDRAIL:
            return messages.GuardrailReport(self.playbook, value, **when)
        if self.arm == "rest":  # the rest of the work's KPI (a KPI with `compare`)
            return messages.Kpi(self.playbook, None, rest=value, **when)
        return messages.Kpi(self.playbook, value, **when)


_COMMAND_OF_KIND = {
    ReportKind.EVENT: Report._event,
    ReportKind.EXCEPTION: Report._exception,
    ReportKind.CASES: Report._cases,
    ReportKind.RUBRIC: Report._rubric,
    ReportKind.KPI: Report._measure,
    ReportKind.GUARDRAIL: Report._measure,
}


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Batch", strict=True)

    reports: list[Report] = Field(min_length=1, max_length=MAX_BATCH)


class Accepted(BaseModel):
    index: int
    week: date
    counts_for: str


class Duplicate(BaseModel):
    index: int
    key: str
    week: date
    counts_for: str


class Stored(BaseModel):
    model_config = ConfigDict(title="Stored")

    accepted: list[Accepted]
    duplicates: list[Duplicate]


class ProblemOut(BaseModel):
    index: int | None = Field(description="Which report of the request (None: the request itself).")
    field: str
    message: str


class Problems(BaseModel):
    model_config = ConfigDict(title="Problems")

    errors: list[ProblemOut]


class Error(BaseModel):
    model_config = ConfigDict(title="Error")

    error: str


def given(value: Any) -> str:
    """A JSON value as a message names it: true, 1.0, the string "3"."""
    if isinstance(value, str):
        return "the string " + json.dumps(value[:40], ensure_ascii=False) + ("…" if len(value) > 40 else "")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return json.dumps(value)
