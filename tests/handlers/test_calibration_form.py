"""The edit form's *Prompt or model changed* box (docs/playbooks.md, "Calibration"): the
form submitted as Slack sends it; ticked, every step's calibration set goes stale."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from cadence.definition import parse_playbook
from storage.models.calibration import CalibrationRun
from storage.models.governance import Decision
from tests.committed import committed
from tests.conftest import OWNER
from tests.handlers.test_calibrate import CALIBRATED
from tests.handlers.test_playbook_form import count, open_edit, shown, state_of
from usecases.shared.calibration import standings
from usecases.shared.life import begin_cycle


@pytest.fixture
def calibrated(store, clock):
    committed(store).playbooks.load([parse_playbook(CALIBRATED)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def submit(bot, view, values, user, ticked):
    """The view's state as Slack sends it, the box as a checkboxes element."""
    state = state_of(view, values)
    box = next(b for b in view["blocks"] if b.get("block_id") == "prompt_changed")["element"]
    state["prompt_changed"] = {"value": {"type": "checkboxes", "selected_options": box["options"] if ticked else []}}
    return bot.interaction(
        {
            "type": "view_submission",
            "user": {"id": user},
            "view": {**view, "state": {"values": state}, **view_identity()},
        }
    )


def draft(store):
    return standings(store, store.playbooks.state("support-replies"))["draft"]


def test_the_box_shows_only_where_a_set_is_declared(bot, slack, playbook):
    view = open_edit(bot, slack)
    assert "prompt_changed" not in [b.get("block_id") for b in view["blocks"]]


def test_ticked_the_run_goes_stale_until_run_again(bot, slack, store, engine, calibrated):
    assert "*38/40*" in bot.command("calibrate support-replies draft 38/40", user=OWNER).text
    assert draft(store).current
    view = open_edit(bot, slack)
    [box] = [b for b in view["blocks"] if b.get("block_id") == "prompt_changed"]
    assert box["element"]["type"] == "checkboxes" and box["optional"] is True
    assert box["element"]["options"][0]["text"]["text"] == "Prompt or model changed"
    decisions = count(engine, Decision)

    reply = submit(bot, view, shown(view), OWNER, ticked=True)  # nothing else changed
    assert reply.body["response_action"] == "update", reply.body
    assert "each step's calibration set is stale until it is run again" in json.dumps(
        reply.body["view"], ensure_ascii=False
    )
    assert count(engine, Decision) == decisions  # no revision of the definition
    with Session(engine) as s:
        marks = [(r.step, r.kind, r.recorded_by) for r in s.exec(select(CalibrationRun).order_by(CalibrationRun.id))]
    assert marks == [("draft", "run", OWNER), ("draft", "prompt-changed", OWNER)]
    assert not draft(store).current and draft(store).holds == "stale"

    bot.command("calibrate support-replies draft 39/40", user=OWNER)
    assert draft(store).current


def test_unticked_a_change_elsewhere_leaves_the_run_current(bot, slack, store, engine, calibrated):
    bot.command("calibrate support-replies draft 38/40", user=OWNER)
    view = open_edit(bot, slack)
    reply = submit(bot, view, {**shown(view), "cap": "5%"}, OWNER, ticked=False)
    assert "exception cap 10% → 5%" in json.dumps(reply.body["view"], ensure_ascii=False)
    assert "calibration" not in json.dumps(reply.body["view"], ensure_ascii=False)
    assert draft(store).current
    with Session(engine) as s:
        assert [r.kind for r in s.exec(select(CalibrationRun))] == ["run"]


def test_ticked_with_a_change_both_are_recorded(bot, slack, store, engine, calibrated):
    bot.command("calibrate support-replies draft 38/40", user=OWNER)
    view = open_edit(bot, slack)
    decisions = count(engine, Decision)
    reply = submit(bot, view, {**shown(view), "cap": "5%"}, OWNER, ticked=True)
    body = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "exception cap 10% → 5%" in body and "calibration set is stale" in body
    assert count(engine, Decision) == decisions + 1
    assert draft(store).holds == "stale"
