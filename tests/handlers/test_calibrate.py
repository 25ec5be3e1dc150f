"""`/rollout calibrate`: a run of a step's calibration set, recorded through signed
requests (docs/playbooks.md, "Calibration"). Its refusals are tests/usecases/fast/test_calibrate.py's
and tests/handlers/test_grammar.py's."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.calibration import CalibrationRun
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases.shared.life import begin_cycle

CALIBRATED = {
    **SUPPORT_REPLIES,
    "steps": [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ],
}


@pytest.fixture
def calibrated(store, clock):
    """support-replies with a calibration set of 40 on step draft, cycle 1 from 2026-11-16."""
    loaded(store, [parse_playbook(CALIBRATED)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def runs(engine) -> list[CalibrationRun]:
    with Session(engine) as s:
        return list(s.exec(select(CalibrationRun).order_by(CalibrationRun.id)))


def test_the_owner_records_a_run_against_the_revision(bot, calibrated, engine):
    reply = bot.command("calibrate support-replies draft 37/40 after the new prompt", user=OWNER)
    assert reply.body["response_type"] == "ephemeral"
    assert "Calibration run *37/40* (92.5%) recorded on step *draft* of *support-replies*" in reply.text
    assert "after the new prompt" in reply.text
    assert "Threshold 90%: met" in reply.text
    [run] = runs(engine)
    assert (run.step, run.kind, run.passed, run.total, run.recorded_by) == ("draft", "run", 37, 40, OWNER)
    assert run.note == "after the new prompt"
    assert run.revision is not None  # the playbook's latest revision: its creation by load
    below = bot.command("calibrate support-replies DRAFT 30/40", user=OWNER)
    assert "below it, a promotion to ai-led waits" in below.text
    assert [r.passed for r in runs(engine)] == [37, 30]


def _count(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(CalibrationRun)).one()
