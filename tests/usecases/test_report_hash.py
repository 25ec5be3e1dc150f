"""An idempotency key's first report is remembered by its hash (api_report_key.report_hash),
and a retry is the same report only if it hashes the same. Hashes already stored must go
on matching: whatever shape a report takes on its way in (issue 40: one report command
from the edge to storage), these stay the hashes of these reports."""

from datetime import date, datetime, timedelta, timezone

from usecases.api_reports import ReportIn, report_hash


def test_a_reports_hash_is_the_one_already_stored_for_it():
    kpi = ReportIn("support-replies", "kpi", value=14, week=2, key="k1")
    assert report_hash(kpi) == "4fe82eb2f4ad088442362b0e0629968a0cce20c74323d1f6106ee4e3868b897b"
    event = ReportIn(
        "support-replies",
        "event",
        week=date(2026, 11, 16),
        at=datetime(2026, 11, 17, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        event="refund",
        count=3,
        reason="late",
        key="k2",
    )
    assert report_hash(event) == "511a00b515c7c39527a3dcdfa7b5e43db58ee77f62afae2c6cfb487305938b9a"


def test_the_key_and_the_numbers_type_are_no_part_of_it():
    first = ReportIn("support-replies", "kpi", value=14, week=2, key="k1")
    assert report_hash(first) == report_hash(ReportIn("support-replies", "kpi", value=14.0, week=2, key="other"))
