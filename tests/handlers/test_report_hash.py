"""An idempotency key's first report is remembered by its fingerprint (api_report_key.report_hash),
and a retry is the same report only if it hashes the same. Hashes already stored must go
on matching: whatever shape a report takes on its way in (issue 40: one report command
from the edge to storage), these stay the hashes of these reports as sent."""

from handlers.api_models import Report


def sent(json: str) -> Report:
    return Report.model_validate_json(json)


def test_a_reports_hash_is_the_one_already_stored_for_it():
    kpi = sent('{"playbook": "support-replies", "kind": "kpi", "value": 14, "week": 2, "key": "k1"}')
    assert kpi.fingerprint() == "4fe82eb2f4ad088442362b0e0629968a0cce20c74323d1f6106ee4e3868b897b"
    event = sent(
        '{"playbook": "support-replies", "kind": "event", "week": "2026-11-16", "at": "2026-11-17T09:30:00+01:00",'
        ' "event": "refund", "count": 3, "reason": "late", "key": "k2"}'
    )
    assert event.fingerprint() == "511a00b515c7c39527a3dcdfa7b5e43db58ee77f62afae2c6cfb487305938b9a"


def test_the_key_and_the_numbers_type_are_no_part_of_it():
    first = sent('{"playbook": "support-replies", "kind": "kpi", "value": 14, "week": 2, "key": "k1"}')
    again = sent('{"playbook": "support-replies", "kind": "kpi", "value": 14.0, "week": 2, "key": "other"}')
    assert first.fingerprint() == again.fingerprint()


def test_the_command_carries_the_key_and_the_fingerprint():
    report = sent('{"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 40, "key": "k3"}')
    command = report.command()
    assert command.sent is not None and command.sent.key == "k3"
    assert command.sent.fingerprint == report.fingerprint()
