"""What kind of report a person (or a source, or the API) makes about a week: the
`kind` of storage's report rows, of undo's withdrawn report, of the API's report bodies
and of a token's allowed kinds. A StrEnum: each member is its string, stored and sent
as before."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    """Values are stored (api_token.kinds) and sent (the API): never change one."""

    KPI = "kpi"
    REST = "rest"  # the rest of the work's KPI (a KPI with `compare`)
    GUARDRAIL = "guardrail"
    CHECKIN = "checkin"  # a member's attestation
    EXCEPTION = "exception"
    CASES = "cases"
    RUBRIC = "rubric"
    VALUE = "value"  # a count of the value measure's own event (value_count)
    EVENT = "event"  # the API's value event: written as the kind its event counts
