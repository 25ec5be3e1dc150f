"""A step renamed through `/rollout edit` (`new-name (was old-name): mode`), or in YAML
(`was: old-name`) through `rollout playbook load`, on the fakes: the same step under its new
name, its mode, reports and calibration runs kept, no bar change request; a rename of a step
the playbook does not have is refused on the field with nothing stored."""

from __future__ import annotations

from datetime import date

from storage.models.calibration import CalibrationRun
from tests import fakes, reported
from tests.committed import committed
from tests.fakes import CURATOR, OWNER
from tests.usecases.fast.form_world import open_edit, submit
from tests.usecases.fast.test_bar_loaded import SUPPORT_REPLIES, load
from tests.usecases.fast.test_bar_requests import bar_world, requests_of

WEEK = date(2026, 11, 16)


def steps_of(services):
    return {s.name: (s.id, s.mode) for s in fakes.store_of(services).playbooks.state("support-replies").steps}


def test_a_step_renamed_in_the_edit_form_keeps_its_row_mode_reports_and_runs():
    services = bar_world()
    store = fakes.store_of(services)
    before = steps_of(services)
    pid = store.playbooks.state("support-replies").playbook.id
    reported.add_case_count(store, pid, before["draft"][0], WEEK, 20, OWNER, services.clock())
    run = CalibrationRun(
        playbook_id=pid, step="draft", passed=38, total=40, basis="b", recorded_by=OWNER, recorded_at=services.clock()
    )
    committed(store).calibrations.add([run])
    form = open_edit(services, user=CURATOR)
    steps = "reply-draft (was draft): collaborative\nsend: ai-led\nrefunds: human-led pinned"
    reply = submit(services, form, {**form.values, "steps": steps}, CURATOR)
    assert reply["response_action"] == "update", reply
    after = steps_of(services)
    assert after["reply-draft"] == before["draft"]  # the same step: its id, its mode
    assert "draft" not in after and requests_of(services) == []  # no bar change: nothing to approve
    assert sorted(r.step for r in store.held.calibrations) == ["reply-draft"]
    first = store.playbooks.state("support-replies").playbook.definition["steps"][0]
    assert (first["name"], first["was"]) == ("reply-draft", "draft")  # the rename's record
    cases = [r.values["cases"] for r in store.reports.stored("cases") if r.values["step_id"] == after["reply-draft"][0]]
    assert cases == [20]  # its reports, by its id
    assert open_edit(services, user=CURATOR).values["steps"].startswith("reply-draft: collaborative\n")


def test_a_rename_of_a_step_the_playbook_has_not_is_refused_on_the_field():
    services = bar_world()
    before = steps_of(services)
    form = open_edit(services, user=CURATOR)
    steps = "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned\nverify (was checker): collaborative"
    reply = submit(services, form, {**form.values, "steps": steps}, CURATOR)
    assert reply["response_action"] == "errors"
    assert "Step verify says it was checker, but support-replies has no step checker" in reply["errors"]["steps"]
    assert steps_of(services) == before


def test_a_rename_cannot_change_the_mode_in_the_form():
    services = bar_world()
    form = open_edit(services, user=CURATOR)
    steps = "reply-draft (was draft): ai-led\nsend: ai-led\nrefunds: human-led pinned"
    reply = submit(services, form, {**form.values, "steps": steps}, CURATOR)
    assert reply["response_action"] == "errors"
    assert "Step draft is collaborative now" in reply["errors"]["steps"]
    assert "draft" in steps_of(services)


def test_a_step_renamed_in_yaml_keeps_its_row_and_applies_at_once():
    services = bar_world()
    before = steps_of(services)
    renamed = [
        {**s, "name": "auto-send", "was": "send"} if s["name"] == "send" else s for s in SUPPORT_REPLIES["steps"]
    ]
    done = load(services, {**SUPPORT_REPLIES, "steps": renamed}, why="")
    assert done.refused is None and not done.waiting
    after = steps_of(services)
    assert after["auto-send"] == before["send"] and "send" not in after
