"""A step renamed through `/rollout edit` as Slack sends it (`new-name (was old-name): mode`),
or in YAML (`was: old-name`) through `rollout playbook load`: the same step row under its new
name, its mode, reports and calibration runs kept, no bar change request; a rename of a step
the playbook does not have is refused on the field with nothing stored. SQLite and PostgreSQL."""

from datetime import date

from sqlmodel import Session, select

from storage.models.calibration import CalibrationRun
from storage.models.playbooks import Step
from storage.models.reports import CaseCount
from tests import reported
from tests.committed import committed
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.handlers import test_bar_loaded
from tests.handlers.test_bar_loaded import load
from tests.handlers.test_bar_requests import requests_of
from tests.handlers.test_playbook_form import open_edit, shown, submit
from tests.usecases.test_governance import CURATOR

world = test_bar_loaded.world  # support-replies in cycle 1 (from Monday 16 Nov), two curators
WEEK = date(2026, 11, 16)


def steps_of(engine):
    with Session(engine) as s:
        rows = s.exec(select(Step).order_by(Step.position)).all()
        return {r.name: (r.id, r.mode, r.retired_at is None) for r in rows}


def runs_of(engine):
    with Session(engine) as s:
        return sorted(r.step for r in s.exec(select(CalibrationRun)))


def test_a_step_renamed_in_the_edit_form_keeps_its_row_mode_reports_and_runs(bot, slack, store, engine, world):
    before = steps_of(engine)
    pid = store.playbooks.state("support-replies").playbook.id
    reported.add_case_count(store, pid, before["draft"][0], WEEK, 20, OWNER, world.clock())
    committed(store).calibrations.add(
        [
            CalibrationRun(
                playbook_id=pid,
                step="draft",
                passed=38,
                total=40,
                basis="b",
                recorded_by=OWNER,
                recorded_at=world.clock(),
            )
        ]
    )
    view = open_edit(bot, slack, user=CURATOR)
    steps = "reply-draft (was draft): collaborative\nsend: ai-led\nrefunds: human-led pinned"
    reply = submit(bot, view, {**shown(view), "steps": steps}, CURATOR)
    assert reply.body["response_action"] == "update", reply.body
    after = steps_of(engine)
    assert after["reply-draft"] == before["draft"]  # the same row: its id, its mode, current
    assert "draft" not in after and requests_of(engine) == []  # no bar change: nothing to approve
    assert runs_of(engine) == ["reply-draft"]
    state = store.playbooks.state("support-replies")
    first = state.playbook.definition["steps"][0]
    assert (first["name"], first["was"]) == ("reply-draft", "draft")  # the rename's record
    with Session(engine) as s:  # its reports, by its id
        assert [c.cases for c in s.exec(select(CaseCount).where(CaseCount.step_id == after["reply-draft"][0]))] == [20]
    assert shown(open_edit(bot, slack, user=CURATOR))["steps"].startswith("reply-draft: collaborative\n")


def test_a_rename_of_a_step_the_playbook_has_not_is_refused_on_the_field(bot, slack, store, engine, world):
    before = steps_of(engine)
    view = open_edit(bot, slack, user=CURATOR)
    steps = "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned\nverify (was checker): collaborative"
    reply = submit(bot, view, {**shown(view), "steps": steps}, CURATOR)
    assert reply.body["response_action"] == "errors"
    assert "Step verify says it was checker, but support-replies has no step checker" in reply.body["errors"]["steps"]
    assert steps_of(engine) == before


def test_a_rename_cannot_change_the_mode_in_the_form(bot, slack, store, engine, world):
    view = open_edit(bot, slack, user=CURATOR)
    steps = "reply-draft (was draft): ai-led\nsend: ai-led\nrefunds: human-led pinned"
    reply = submit(bot, view, {**shown(view), "steps": steps}, CURATOR)
    assert reply.body["response_action"] == "errors"
    assert "Step draft is collaborative now" in reply.body["errors"]["steps"]
    assert "draft" in steps_of(engine)


def test_a_step_renamed_in_yaml_keeps_its_row_and_applies_at_once(store, engine, world):
    before = steps_of(engine)
    renamed = [
        {**s, "name": "auto-send", "was": "send"} if s["name"] == "send" else s for s in SUPPORT_REPLIES["steps"]
    ]
    done = load(store, world.clock, {**SUPPORT_REPLIES, "steps": renamed}, why="")
    assert done.refused is None and not done.waiting
    after = steps_of(engine)
    assert after["auto-send"] == before["send"] and "send" not in after


def test_removed_and_added_back_at_ai_led_in_yaml_is_a_request_and_a_new_row(store, engine, world):
    before = steps_of(engine)
    swapped = [
        {"name": "reply-draft", "mode": "ai-led"} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]
    ]
    done = load(store, world.clock, {**SUPPORT_REPLIES, "steps": swapped})
    assert done.waiting  # a bar change request, with the file's why
    after = steps_of(engine)
    assert after["reply-draft"][0] != before["draft"][0] and after["reply-draft"][1] == "collaborative"
    assert after["draft"][2] is False  # the step removed is retired, its history kept under its id
