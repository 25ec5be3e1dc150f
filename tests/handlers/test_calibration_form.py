"""The edit form has no *Prompt or model changed* box (docs/playbooks.md, "Calibration"): a
step's declared `model` and `prompt` (YAML, the kit form) make its calibration stale by
themselves when they change (tests/handlers/test_kit_form.py), with no box to tick. The
form submitted as Slack sends it."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.calibration import CalibrationRun
from storage.models.governance import Decision
from tests.committed import loaded
from tests.conftest import OWNER
from tests.handlers.test_calibrate import CALIBRATED
from tests.handlers.test_playbook_form import count, open_edit, shown, submit
from usecases.shared.calibration import standings
from usecases.shared.life import begin_cycle


@pytest.fixture
def calibrated(store, clock):
    loaded(store, [parse_playbook(CALIBRATED)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def draft(store):
    return standings(store, store.playbooks.state("support-replies"))["draft"]


def test_no_box_even_where_a_set_is_declared_and_an_edit_leaves_a_current_run_current(
    bot, slack, store, engine, calibrated
):
    assert "*38/40*" in bot.command("calibrate support-replies draft 38/40", user=OWNER).text
    view = open_edit(bot, slack)
    assert "prompt_changed" not in [b.get("block_id") for b in view["blocks"]]
    assert "Prompt or model changed" not in json.dumps(view, ensure_ascii=False)
    decisions = count(engine, Decision)
    reply = submit(bot, view, shown(view), OWNER)  # nothing changed: nothing recorded
    assert reply.status == 200 and count(engine, Decision) == decisions
    reply = submit(bot, open_edit(bot, slack), {**shown(view), "cap": "5%"}, OWNER)  # neither mode, rubric nor model
    assert "exception cap 10% → 5%" in json.dumps(reply.body["view"], ensure_ascii=False)
    with Session(engine) as s:
        assert [r.kind for r in s.exec(select(CalibrationRun))] == ["run"]
    assert draft(store).current
