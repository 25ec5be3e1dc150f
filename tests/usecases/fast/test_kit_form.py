"""`/rollout kit <playbook>` (usecases/kit_form.py) on the fakes: the form for the inputs,
outputs, exception owner and kit, opened filled in and submitted as the handler reads it;
a change is a revision; every refusal on its field (a line's by its number), nothing
stored. A playbook made with `/rollout new` and packaged here meets readiness's input
contract without a shell."""

from __future__ import annotations

import copy
import json
from datetime import date

from cadence.calibration import basis
from slack_api.members import Person
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, CURATOR, MEMBER, OWNER
from tests.usecases.fast import registry_world
from tests.usecases.fast.form_world import (
    NEW_VALUES,
    a_playbook,
    command,
    decisions,
    history,
    kit_view,
    open_kit,
    open_new,
    submit,
    submit_kit,
    world,
)
from usecases.shared import readiness

KIT = {
    "inputs": "refund request\nledger export",
    "outputs": "approved refund\npayout file",
    "exception_owner": ADMIN,
    "runbook": "https://wiki.example.com/refunds",
    "training": "https://wiki.example.com/refunds/training\nShadow one payout run",
    "checks": "Triage ten past refunds by hand",
    "requires": "Read access to the ledger",
    "may_change": ["baseline", "target"],  # narrower than the default: a tightening, applied at once
    "requires_champion": ["yes"],
}
# The rows for what other sections hold (owners, handoff terms, calibration), empty in KIT.
OTHER_ROWS = (
    "business_rules",
    "model_updates",
    "sla_hours",
    "resolve_hours",
    "escalate_person",
    "escalate_channel",
    "dimensions",
    "calibration_cases",
    "step_models",
)


def definition(services, slug="support-replies"):
    return fakes.store_of(services).playbooks.state(slug).playbook.definition


def test_a_playbook_made_in_slack_and_packaged_meets_the_input_contract():
    services = world()
    store = fakes.store_of(services)
    made = submit(services, open_new(services), NEW_VALUES, MEMBER)
    assert made["response_action"] == "update", made
    state = store.playbooks.state("refund-triage")
    cycles = [(1, date(2026, 11, 23))]
    contract = next(c for c in readiness.criteria(store, state, cycles) if c.name == "contract")
    assert not contract.met  # made with /rollout new: no inputs, no outputs

    form = open_kit(services, "refund-triage", user=MEMBER)
    intro = kit_view(form)["blocks"][0]["text"]["text"]
    assert "(3) an input contract: no inputs and no outputs declared" in intro
    # the self-check's answers as starting values: the contract, to be made one; the rubric
    # its trust answer names ("a rubric of accuracy and a calibration set": no size given)
    assert form.values["inputs"] == NEW_VALUES["contract"]
    assert form.values["dimensions"] == "accuracy" and form.values["calibration_cases"] == ""
    assert "Filled in from your answers to `/rollout new`: inputs, rubric dimensions. Check them" in intro
    assert form.values["may_change"] == ["baseline", "target", "timezone"]  # the kit's default, shown
    recorded = len(decisions(services))
    reply = submit_kit(services, form, {**KIT, "dimensions": "accuracy"}, MEMBER)  # the rubric kept
    assert reply["response_action"] == "update", reply
    assert "revised" in json.dumps(reply["view"])
    assert len(decisions(services)) == recorded + 1

    state = store.playbooks.state("refund-triage")
    written = state.playbook.definition
    assert written["inputs"] == ["refund request", "ledger export"]
    assert written["outputs"] == ["approved refund", "payout file"]
    assert written["exception_owner"] == ADMIN and written["rubric"] == {"dimensions": ["accuracy"]}
    kit = written["replication"]
    assert (
        kit["runbook"] == "https://wiki.example.com/refunds" and "requires_champion" not in kit
    )  # the default, left out
    assert kit["training"] == ["https://wiki.example.com/refunds/training", "Shadow one payout run"]
    assert kit["may_change"] == ["baseline", "target"]
    contract = next(c for c in readiness.criteria(store, state, cycles) if c.name == "contract")
    assert not contract.met  # bare names: silence is never a pass
    assert contract.figures["lacking"] == [
        {"name": "refund request", "missing": ["owner", "refresh", "when-missing"]},
        {"name": "ledger export", "missing": ["owner", "refresh", "when-missing"]},
    ]
    row = decisions(services)[-1]
    assert row["kind"] == "playbook-changed" and row["actor"] == MEMBER
    assert "outputs none → “approved refund”, “payout file”" in row["summary"]
    assert f"exception owner the owner → {ADMIN}" in row["summary"]
    assert "kit runbook none → https://wiki.example.com/refunds" in row["summary"]
    assert "kit champion required" not in row["summary"]  # required already: the default
    assert "kit training 0 lines → 2 lines" in row["summary"]
    assert "revised" in history(services, "refund-triage", MEMBER)

    # opened again: filled in as saved; saved unchanged, nothing recorded
    form = open_kit(services, "refund-triage", user=MEMBER)
    # the handoff's fallback shows its default, written or not
    expected = {**KIT, **dict.fromkeys(OTHER_ROWS, ""), "fallback": "collaborative", "requires_champion": True}
    assert form.values == {**expected, "dimensions": "accuracy"} and not form.started
    assert "(3) an input contract: refund request: no owner, refresh" in kit_view(form)["blocks"][0]["text"]["text"]
    again = submit_kit(services, form, form.values, MEMBER)
    assert "nothing changed" in json.dumps(again["view"])
    assert len(decisions(services)) == recorded + 1

    # emptied: the kit's fields go back to none, as a revision (a champion no longer
    # required loosens the bar: a curator's decision, kept out here)
    form = open_kit(services, "refund-triage", user=MEMBER)
    # the rubric kept: dropping it would loosen the bar
    kept = {"may_change": [], "requires_champion": ["yes"], "dimensions": "accuracy"}
    emptied = submit_kit(services, form, kept, MEMBER)
    assert emptied["response_action"] == "update", emptied
    written = definition(services, "refund-triage")
    assert written["inputs"] == [] and "exception_owner" not in written
    assert written["replication"]["may_change"] == [] and "requires_champion" not in written["replication"]

    # each input's whole contract, one declared unchecked with its reason: (3) met
    form = open_kit(services, "refund-triage", user=MEMBER)
    whole = f"refund request | <@{MEMBER}> | hourly | triage by hand | no check: typed in by the customer"
    given = {"inputs": f"{whole}\nledger export | <@{MEMBER}> | daily | hold", "outputs": "approved refund"}
    reply = submit_kit(services, form, {**form.values, **given}, MEMBER)
    assert reply["response_action"] == "update", reply
    state = store.playbooks.state("refund-triage")
    assert state.playbook.definition["inputs"][0] == {
        "name": "refund request",
        "owner": MEMBER,
        "refresh": "hourly",
        "when_missing": "triage by hand",
        "check": "none",
        "reason": "typed in by the customer",
    }
    assert open_kit(services, "refund-triage", user=MEMBER).values["inputs"].startswith(whole)
    contract = next(c for c in readiness.criteria(store, state, cycles) if c.name == "contract")
    assert contract.met and contract.figures == {"inputs": 2, "outputs": 1, "lacking": []}


def test_every_check_of_playbook_load_shows_on_its_field_and_nothing_is_stored():
    directory = fakes.FakeDirectory({CHANNEL: (MEMBER, OWNER)}, {"UBOTUSER01": Person("UBOTUSER01", None, is_bot=True)})
    services = world(a_playbook(), directory=directory)
    form = open_kit(services)
    inputs = {b["block_id"] for b in kit_view(form)["blocks"] if b["type"] == "input"}
    before = copy.deepcopy(definition(services))
    cases = [
        ({"runbook": "ftp://wiki.example.com/x"}, "runbook", "http:// or https://"),
        ({"runbook": "wiki page"}, "runbook", "http:// or https://"),
        ({"training": "read this\n\nftp://files.example.com/t"}, "training", "Line 3: "),
        ({"outputs": "payout\u200bfile"}, "outputs", "U+200B"),
        ({"inputs": "ok\n" + "x" * 201}, "inputs", "Line 2: "),
        ({"outputs": "\n".join(f"out {i}" for i in range(31))}, "outputs", "30"),
        ({"checks": "\n".join(f"check {i}" for i in range(21))}, "checks", "20"),
        ({"exception_owner": "UBOTUSER01"}, "exception_owner", "Pick a person"),
    ]
    for change, field, words in cases:
        reply = submit_kit(services, form, {**KIT, **change}, OWNER)
        assert reply.get("response_action") == "errors", (change, reply)
        assert words in reply["errors"][field], (change, reply["errors"])
        assert set(reply["errors"]) <= inputs
    assert definition(services) == before
    assert decisions(services) == []


def test_kit_is_for_the_owner_or_a_curator_and_names_its_playbook():
    services = world(a_playbook())
    assert "Only the owner" in json.dumps(command(services, "kit support-replies", user=MEMBER))
    assert "kit &lt;playbook&gt;" in json.dumps(command(services, "kit"))
    assert "support-replies" in json.dumps(command(services, "kit support-replie"))  # a near name suggested


def test_a_kit_too_large_for_the_form_points_to_yaml():
    training = [f"{i:02d} " + "t" * 290 for i in range(20)]  # 5,879 characters: more than a field holds
    services = world(a_playbook(replication={"training": training}))
    reply = json.dumps(command(services, "kit support-replies"))
    assert "too long for Slack's form" in reply and "rollout playbook export support-replies" in reply
    assert "training" in reply


def test_a_second_save_after_a_change_is_refused_naming_who():
    services = world(a_playbook())
    first, second = open_kit(services), open_kit(services)
    assert submit_kit(services, first, {**first.values, "outputs": "a reply"}, OWNER)["response_action"] == "update"
    recorded = list(decisions(services))
    reply = submit_kit(services, second, {**second.values, "outputs": "another"}, OWNER)
    assert "open the form again" in reply["errors"]["inputs"], reply
    assert decisions(services) == recorded
    assert definition(services)["outputs"] == ["a reply"]


def test_input_contracts_resolve_their_owner_and_keep_their_check():
    """An input line `name | owner | refresh | when missing`: the owner `@name` is the team
    channel's one person of that name, else refused naming the line; a check stays."""
    people = {
        MEMBER: Person(MEMBER, "Europe/Berlin", display_name="Dana"),
        OWNER: Person(OWNER, "Europe/Berlin", real_name="Sam Owner"),
    }
    check = {"source": "metrics", "query": "sum(refund_requests)", "min": 10}
    state = a_playbook(
        sources={"metrics": {"kind": "prometheus", "url": "https://prometheus.example.com"}},
        inputs=[{"name": "refund request", "check": check}],
    )
    services = world(state, directory=fakes.FakeDirectory({CHANNEL: (MEMBER, OWNER)}, people))
    form = open_kit(services)
    assert form.values["inputs"] == "refund request"  # the check is not shown
    refused = submit_kit(services, form, {**form.values, "inputs": "refund request\nledger | @nobody"}, OWNER)
    assert "Line 2: no one in the team channel is called @nobody" in refused["errors"]["inputs"]
    assert decisions(services) == []
    lines = "refund request | @dana | daily | triage by hand\nledger | <@UOWNER0001> | weekly"
    reply = submit_kit(services, form, {**form.values, "inputs": lines}, OWNER)
    assert reply["response_action"] == "update", reply
    inputs = definition(services)["inputs"]
    assert inputs[0] == {
        "name": "refund request",
        "owner": MEMBER,
        "refresh": "daily",
        "when_missing": "triage by hand",
        "check": check,
    }
    assert inputs[1] == {"name": "ledger", "owner": OWNER, "refresh": "weekly"}
    again = open_kit(services)
    assert (
        again.values["inputs"] == f"refund request | <@{MEMBER}> | daily | triage by hand\nledger | <@{OWNER}> | weekly"
    )


def test_an_adopters_kit_form_starts_from_nothing_of_its_origins_self_check():
    """What /rollout new was told is its origin team's answers: an adopting team's kit form
    shows its own playbook as it is (the adopted version's kit), nothing started."""
    intake = {
        **{"cases_per_week": 120, "minutes_per_case": 9, "structured": True},
        "contract": "the ticket, the plan and the policy",
        "trust": "a rubric of tone, and a calibration set of 40 tickets",
        "template": "new",
    }
    made = registry_world.published(intake=intake)
    origin = open_kit(made.services, "support-replies", user=OWNER)
    assert origin.started == ["inputs", "dimensions", "calibration_cases"] and origin.values["dimensions"] == "tone"
    registry_world.adopt(made)
    [slug] = [s for s in made.store.playbooks.slugs() if s != "support-replies"]
    form = open_kit(made.services, slug, user=registry_world.SALES_OWNER)
    assert not form.started and form.values["inputs"] == form.values["dimensions"] == ""


def test_an_adopted_playbooks_kit_changes_only_by_a_curators_override():
    made = registry_world.published()
    registry_world.adopt(made)
    [slug] = [s for s in made.store.playbooks.slugs() if s != "support-replies"]
    services = made.services

    form = open_kit(services, slug, user=registry_world.SALES_OWNER)
    view = kit_view(form)
    assert any(b.get("block_id") == "override" for b in view["blocks"])
    assert "adopted from *support-replies*" in view["blocks"][0]["text"]["text"]
    recorded = list(decisions(services))
    reply = submit_kit(services, form, {**form.values, "outputs": "a sales reply"}, registry_world.SALES_OWNER)
    assert "adopted from support-replies" in reply["errors"]["override"], reply
    ours = {**form.values, "outputs": "a sales reply", "override": "ours"}
    assert "Only a curator" in submit_kit(services, form, ours, registry_world.SALES_OWNER)["errors"]["override"]
    assert decisions(services) == recorded
    form = open_kit(services, slug, user=CURATOR)
    given = {**form.values, "outputs": "a sales reply", "override": "sales replies differ"}
    reply = submit_kit(services, form, given, CURATOR)
    assert reply["response_action"] == "update", reply
    row = decisions(services)[-1]
    assert "outputs none → “a sales reply”" in row["summary"] and "sales replies differ" in row["summary"]


def test_operational_owners_handoff_terms_and_a_calibration_set_are_fields_of_the_kit():
    """Issue 70's owners and calibration size and issue 71's handoff terms: a field each,
    escalate_to a person or a channel (not both), emptied sections removed."""
    services = world(a_playbook())
    form = open_kit(services)
    given = {
        **KIT,
        "business_rules": ADMIN,
        "model_updates": MEMBER,
        "sla_hours": "24",
        "escalate_channel": "CESCALATE1",
        "dimensions": "tone, accuracy,policy",
        "calibration_cases": "40",
    }
    both = submit_kit(services, form, {**given, "escalate_person": MEMBER}, OWNER)
    assert "not both" in both["errors"]["escalate_channel"], both
    twice = submit_kit(services, form, {**given, "dimensions": "tone, tone"}, OWNER)
    assert "listed twice" in twice["errors"]["dimensions"], twice
    no_sla = submit_kit(services, form, {**given, "sla_hours": ""}, OWNER)
    assert set(no_sla["errors"]) == {"sla_hours"}, no_sla
    assert decisions(services) == []  # refused: nothing stored

    reply = submit_kit(services, form, given, OWNER)
    assert reply["response_action"] == "update", reply
    written = definition(services)
    assert written["owners"] == {"business_rules": ADMIN, "model_updates": MEMBER}
    assert written["handoff"] == {"sla_hours": 24, "escalate_to": "CESCALATE1"}
    assert written["calibration"] == {"cases": 40}
    assert written["rubric"] == {"dimensions": ["tone", "accuracy", "policy"]}
    summary = json.dumps(reply["view"], ensure_ascii=False)  # the revision's words, whole
    assert "handoff none → sla hours 24, escalate to <#CESCALATE1>" in summary
    assert f"operational owners none → business rules <@{ADMIN}>, model updates <@{MEMBER}>" in summary
    assert "calibration set none → 40 cases" in summary
    assert "rubric dimensions none → tone, accuracy, policy" in summary
    again = open_kit(services).values
    assert (again["escalate_channel"], again["escalate_person"], again["sla_hours"]) == ("CESCALATE1", "", "24")
    assert again["dimensions"] == "tone, accuracy, policy"

    form = open_kit(services)
    to_person = submit_kit(services, form, {**form.values, "escalate_channel": "", "escalate_person": MEMBER}, OWNER)
    assert to_person["response_action"] == "update", to_person
    assert definition(services)["handoff"]["escalate_to"] == MEMBER

    # emptied: the handoff, the rubric's dimensions and the calibration set loosen the bar,
    # so a curator decides (refused on *Why* without one); the owners go at once
    form = open_kit(services)
    emptied = submit_kit(services, form, {**form.values, **dict.fromkeys(OTHER_ROWS, "")}, OWNER)
    assert emptied["response_action"] == "errors", emptied
    why = emptied["errors"]["why"]
    assert "handoff SLA 24h → none" in why and "calibration set 40 cases → none" in why, why
    assert "rubric dimensions tone, accuracy, policy → none" in why
    owners_only = submit_kit(services, form, {**form.values, "business_rules": "", "model_updates": ""}, OWNER)
    assert owners_only["response_action"] == "update", owners_only
    written = definition(services)
    assert "owners" not in written and {"handoff", "rubric", "calibration"} <= set(written)


def test_each_steps_model_and_prompt_are_a_field_of_the_kit_and_a_change_makes_its_calibration_stale():
    """Issue 80, item 3: `step | model | prompt` lines; a change of either makes the step's
    calibration stale by itself (its basis changes: cadence/calibration.py), no box to tick."""
    services = world(a_playbook())
    form = open_kit(services)
    unknown = submit_kit(services, form, {**form.values, "step_models": "draft | gpt-5.1\nreview | x"}, OWNER)
    assert "Line 2: write `step | model | prompt` for a step of this playbook" in unknown["errors"]["step_models"]
    before = definition(services)
    given = {**form.values, "step_models": "draft | gpt-5.1 2026-09 | v7\nsend | | <v2>"}
    reply = submit_kit(services, form, given, OWNER)
    assert reply["response_action"] == "update", reply
    after = definition(services)
    draft, send = after["steps"][0], after["steps"][1]
    assert (draft["model"], draft["prompt"], send["prompt"]) == ("gpt-5.1 2026-09", "v7", "<v2>")
    assert "model" not in send
    assert basis(before, "draft") != basis(after, "draft")
    assert open_kit(services).values["step_models"] == "draft | gpt-5.1 2026-09 | v7\nsend |  | <v2>"


def test_the_champion_box_shows_the_default_and_unticking_it_waits_for_a_curator():
    """`requires_champion` left out is required (issue 112): the box opens ticked, saved as
    it is changes nothing, and unticked it loosens the bar: the form asks why, nothing stored."""
    services = world(a_playbook(replication={"training": ["Shadow one payout run"]}))
    form = open_kit(services)
    assert form.values["requires_champion"] is True and "requires_champion" not in definition(services)["replication"]
    before = copy.deepcopy(definition(services))
    reply = submit_kit(services, form, {**form.values, "requires_champion": []}, OWNER)
    assert reply.get("response_action") == "errors", reply
    assert definition(services) == before and decisions(services) == []
