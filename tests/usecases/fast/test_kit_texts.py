"""A step's prompt and rubric as text in the kit form (usecases/kit_texts.py, issue 112
item 1) on the fakes: a multi-line field a text, filled in; an edit is a revision with its
why (refused on *Why* without one, nothing stored), kept with the revision's row, and
makes the step's calibration stale; a text longer than a field holds is said to be
edited by file and kept as it is."""

from __future__ import annotations

from cadence.calibration import basis
from cadence.decisions import DecisionKind
from cadence.definition_load import parse_playbook
from tests import fakes
from tests.committed import loaded
from tests.fakes import OWNER
from tests.usecases.fast.form_world import NOW, a_playbook, decisions, kit_view, open_kit, submit_kit, world

PROMPT = "You draft the reply.\nNever promise a refund over 500 EUR.\n<b>&amp; keep it short</b>"


def definition(services):
    return fakes.store_of(services).playbooks.state("support-replies").playbook.definition


def test_a_step_s_texts_are_fields_an_edit_needs_its_why_and_stales_the_calibration():
    services = world(a_playbook())
    form = open_kit(services)
    view = kit_view(form)
    fields = {
        b["block_id"]: b for b in view["blocks"] if b.get("block_id", "").startswith(("prompt_text:", "rubric_text:"))
    }
    assert set(fields) >= {"prompt_text:draft", "rubric_text:draft", "prompt_text:send"}
    element = fields["prompt_text:draft"]["element"]
    assert element["multiline"] is True and element["max_length"] == 3000 and "initial_value" not in element
    assert len(view["blocks"]) <= 100

    before = definition(services)
    given = {**form.values, "prompt_text:draft": PROMPT}
    refused = submit_kit(services, form, given, OWNER)
    assert "Say why the prompt or the rubric changed" in refused["errors"]["why"]
    assert definition(services) == before  # nothing stored

    reply = submit_kit(services, form, {**given, "why": "week 2's exceptions: refunds promised"}, OWNER)
    assert reply["response_action"] == "update", reply
    after = definition(services)
    assert after["steps"][0]["prompt_text"] == PROMPT  # as typed: `<`, `&amp;` its own
    assert "rubric_text" not in after["steps"][0] and "prompt_text" not in after["steps"][1]
    assert basis(before, "draft") != basis(after, "draft")  # stale, as a changed `prompt`
    row = [d for d in decisions(services) if d["kind"] == DecisionKind.PLAYBOOK_CHANGED.value][-1]
    assert row["figures"]["why"] == "week 2's exceptions: refunds promised"
    assert "step draft prompt text added (3 lines)" in row["figures"]["changes"]

    again = open_kit(services)
    shown = {b["block_id"]: b for b in kit_view(again)["blocks"] if "block_id" in b}
    assert shown["prompt_text:draft"]["element"]["initial_value"] == PROMPT
    same = submit_kit(services, again, {**again.values, "prompt_text:draft": PROMPT + "\r\n"}, OWNER)
    assert same["response_action"] == "update", same  # nothing changed: no why asked


def test_a_text_longer_than_a_field_holds_is_edited_by_file_and_kept():
    long = "\n".join(f"line {n}: " + "x" * 60 for n in range(100))  # about 7,000 characters
    services = world(a_playbook())
    store = fakes.store_of(services)
    form = open_kit(services)
    submit_kit(services, form, {**form.values, "rubric_text:send": "Tone, accuracy.", "why": "first"}, OWNER)
    state = store.playbooks.state("support-replies")
    written = dict(state.playbook.definition)
    written["steps"] = [dict(s) for s in written["steps"]]
    written["steps"][0]["prompt_text"] = long
    loaded(store, [parse_playbook(written)], "UTC", actor="file:support.yaml", at=NOW)
    form = open_kit(services)
    block = next(b for b in kit_view(form)["blocks"] if b.get("block_id") == "prompt_text:draft")
    assert block["type"] == "section" and "edit it by file" in block["text"]["text"]
    assert "rollout playbook export" in block["text"]["text"]
    given = {**form.values, "rubric_text:send": "Tone, accuracy, policy.", "why": "policy mattered"}
    reply = submit_kit(services, form, given, OWNER)
    assert reply["response_action"] == "update", reply
    after = definition(services)
    assert after["steps"][0]["prompt_text"] == long and after["steps"][1]["rubric_text"] == "Tone, accuracy, policy."


def test_a_text_with_a_control_character_is_refused_on_its_field():
    services = world(a_playbook())
    form = open_kit(services)
    reply = submit_kit(services, form, {**form.values, "prompt_text:draft": "bad\x00", "why": "x"}, OWNER)
    assert "prompt_text:draft" in reply["errors"]
