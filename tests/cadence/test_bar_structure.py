"""The bar beyond its numbers: each structural or evidence change tightens, loosens (a bar
change request) or is no bar change, and what applies now and once approved."""

import pytest

from cadence import bar_sort
from cadence.bar import bar_changes, with_changes
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES


def waiting(before, after):
    """The changes the sorter (cadence/bar_sort.py) keeps waiting, with no history kept."""
    return bar_sort.sort(before, after).waiting


def apply_now(before, after):
    return bar_sort.apply_now(before, after, bar_sort.sort(before, after))


STEPS = SUPPORT_REPLIES["steps"]  # draft collaborative, send ai-led, refunds human-led pinned
CHECKED = {
    "name": "ticket history",
    "owner": "U0123456789",
    "check": {"source": "wh", "query": "select 1", "min": 0.95},
}
SOURCES = {"wh": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def steps(**changed):
    return [{**s, **changed.get(s["name"], {})} for s in STEPS]


def one(before, after):
    (change,) = bar_changes(before, after)
    return change.field, change.words, change.tightens


@pytest.mark.parametrize(
    ("before", "after", "field", "words", "tightens"),
    [
        (
            {},
            {"steps": steps(refunds={"pinned": False})},
            "steps[refunds].pinned",
            "step refunds pinned → unpinned",
            False,
        ),
        (
            {"steps": steps(refunds={"pinned": False})},
            {},
            "steps[refunds].pinned",
            "step refunds unpinned → pinned",
            True,
        ),
        (
            {},
            {"steps": steps(draft={"rubric": "none"})},
            "steps[draft].rubric",
            "step draft rubric the playbook’s → none",
            False,
        ),
        (
            {"steps": steps(draft={"rubric": "none"})},
            {},
            "steps[draft].rubric",
            "step draft rubric none → the playbook’s",
            True,
        ),
        (
            {},
            {"steps": [*STEPS, {"name": "check", "mode": "ai-led"}]},
            "steps[check].mode",
            "new step check at ai-led (runs collaborative until approved)",
            False,
        ),
        ({}, {"calibration": {"cases": 40}}, "calibration", "calibration set none → 40 cases", True),
        ({"calibration": {"cases": 40}}, {}, "calibration", "calibration set 40 cases → none", False),
        (
            {"calibration": {"cases": 40}},
            {"calibration": {"cases": 20}},
            "calibration",
            "calibration set 40 cases → 20 cases",
            False,
        ),
        (
            {"steps": steps(send={"calibration": {"cases": 30}})},
            {},
            "steps[send].calibration",
            "step send calibration set 30 cases → none",
            False,
        ),
        (
            {"rubric": {"dimensions": ["tone", "accuracy"]}},
            {"rubric": {"dimensions": ["tone"]}},
            "rubric",
            "rubric dimensions tone, accuracy → tone",
            False,
        ),
        (
            {"rubric": {"dimensions": ["tone"]}},
            {"rubric": {"dimensions": ["tone", "accuracy"]}},
            "rubric",
            "rubric dimensions tone → tone, accuracy",
            True,
        ),
        (
            {"inputs": [CHECKED], "sources": SOURCES},
            {"inputs": [{**CHECKED, "check": None}], "sources": SOURCES},
            "inputs[ticket history].check",
            "input ticket history's check (min 0.95) → none",
            False,
        ),
        (
            {"inputs": [CHECKED], "sources": SOURCES},
            {"inputs": [{**CHECKED, "name": "tickets"}], "sources": SOURCES},
            "inputs[ticket history]",
            "input ticket history and its check removed",
            False,
        ),
        (
            {"inputs": [CHECKED], "sources": SOURCES},
            {"inputs": [{**CHECKED, "check": {**CHECKED["check"], "min": 0.9}}], "sources": SOURCES},
            "inputs[ticket history].check.min",
            "input ticket history's check min 0.95 → 0.9",
            False,
        ),
        (
            {"inputs": [{**CHECKED, "check": None}], "sources": SOURCES},
            {"inputs": [CHECKED], "sources": SOURCES},
            "inputs[ticket history].check",
            "input ticket history's check none → min 0.95",
            True,
        ),
        (
            {"replication": {"may_change": ["target"]}},
            {"replication": {"may_change": ["target", "baseline"]}},
            "replication.may_change",
            "may_change target → target, baseline",
            False,
        ),
        (
            {},  # unset: a trained champion required (the default)
            {"replication": {"requires_champion": False}},
            "replication.requires_champion",
            "requires_champion yes → no",
            False,
        ),
        (
            {"replication": {"requires_champion": False}},
            {"replication": {"requires_champion": True}},
            "replication.requires_champion",
            "requires_champion no → yes",
            True,
        ),
        ({"handoff": {"sla_hours": 24}}, {}, "handoff", "handoff SLA 24h → none", False),
        ({}, {"handoff": {"sla_hours": 24}}, "handoff", "handoff none → SLA 24h", True),
        (
            {"handoff": {"sla_hours": 24}},
            {"handoff": {"sla_hours": 48}},
            "handoff.sla_hours",
            "handoff sla_hours 24h → 48h",
            False,
        ),
        (
            {"handoff": {"sla_hours": 24}},
            {"handoff": {"sla_hours": 12}},
            "handoff.sla_hours",
            "handoff sla_hours 24h → 12h",
            True,
        ),
    ],
)
def test_each_structural_change_tightens_or_loosens(before, after, field, words, tightens):
    assert one(canonical(**before), canonical(**after)) == (field, words, tightens)


@pytest.mark.parametrize(
    "after",
    [
        {"steps": [*STEPS, {"name": "check", "mode": "collaborative"}]},
        {"steps": [*STEPS, {"name": "check", "mode": "human-led"}]},
        {"steps": [STEPS[0], STEPS[2]]},  # an unpinned step removed
        {"inputs": ["ticket history"]},  # an input with no check added
        {"outputs": ["a reply"]},
    ],
)
def test_a_new_step_below_ai_led_a_removed_step_or_an_unchecked_input_is_no_bar_change(after):
    assert bar_changes(canonical(), canonical(**after)) == []


def test_a_pinned_step_removed_waits_and_one_added_back_under_any_name_runs_human_led_and_pinned():
    """Issue 93, item 3: the pin goes with a pinned step removed, so its removal is a
    loosening; a step added where it was removed starts human-led and pinned until approved."""
    before = canonical()
    after = canonical(steps=[*STEPS[:2], {"name": "refund-checks", "mode": "collaborative"}])
    changes = waiting(before, after)
    assert [c.words for c in changes] == [
        "pinned step refunds removed (its pin goes with it)",
        "new step refund-checks at collaborative where pinned step refunds was removed "
        "(runs human-led, pinned, until approved)",
    ]
    now = parse_playbook(apply_now(before, after)).canonical()
    assert [(s["name"], s["mode"], s.get("pinned")) for s in now["steps"]] == [
        ("draft", "collaborative", False),
        ("send", "ai-led", False),
        ("refunds", "human-led", True),
        ("refund-checks", "human-led", True),
    ]
    approved = parse_playbook(with_changes(now, changes)).canonical()
    assert [(s["name"], s["mode"], s.get("pinned")) for s in approved["steps"]] == [
        ("draft", "collaborative", False),
        ("send", "ai-led", False),
        ("refund-checks", "collaborative", False),
    ]


def test_a_step_removed_and_added_back_under_another_name_at_ai_led_waits_and_runs_collaborative():
    before = canonical()
    after = canonical(steps=[STEPS[0], {"name": "send-v2", "mode": "ai-led"}, STEPS[2]])
    (change,) = waiting(before, after)
    assert change.field == "steps[send-v2].mode"
    now = apply_now(before, after)
    assert [(s["name"], s["mode"]) for s in now["steps"]] == [
        ("draft", "collaborative"),
        ("send-v2", "collaborative"),
        ("refunds", "human-led"),
    ]
    assert parse_playbook(now) and with_changes(now, [change])["steps"][1]["mode"] == "ai-led"


def test_an_unpinning_with_a_tightening_applies_the_tightening_now_and_the_unpinning_once_approved():
    before = canonical()
    after = canonical(exception_cap=0.05, steps=steps(refunds={"pinned": False}))
    now = apply_now(before, after)
    assert now["exception_cap"] == 0.05 and now["steps"][2]["pinned"] is True
    approved = with_changes(now, waiting(before, after))
    assert "pinned" not in parse_playbook(approved).canonical()["steps"][2] or not approved["steps"][2].get("pinned")


def test_a_removed_checked_input_is_put_back_until_approved_and_then_removed():
    before = canonical(inputs=[CHECKED], sources=SOURCES)
    after = canonical(inputs=[{**CHECKED, "name": "tickets"}], sources=SOURCES)
    now = parse_playbook(apply_now(before, after)).canonical()
    assert [i["name"] for i in now["inputs"]] == ["tickets", "ticket history"]
    approved = parse_playbook(with_changes(now, waiting(before, after))).canonical()
    assert [i["name"] for i in approved["inputs"]] == ["tickets"]


def test_each_evidence_loosening_is_put_back_whole_and_applies_once_approved():
    before = canonical(
        calibration={"cases": 40},
        rubric={"dimensions": ["tone", "accuracy"]},
        replication={"requires_champion": True, "may_change": ["target"]},
        handoff={"sla_hours": 24},
        steps=steps(draft={"rubric": {"dimensions": ["tone"]}}),
    )
    after = canonical(
        rubric={"dimensions": ["tone"]},
        replication={"requires_champion": False, "may_change": ["target", "timezone"]},
        steps=steps(draft={"rubric": "none"}),
    )
    assert len(waiting(before, after)) == 6
    assert parse_playbook(apply_now(before, after)).canonical() == before
    approved = parse_playbook(with_changes(apply_now(before, after), waiting(before, after))).canonical()
    assert approved == after


def test_a_check_dropped_to_none_with_its_reason_waits_with_the_check_and_applies_as_declared():
    """`check: none` with its reason (issue 81) is a dropped check (issue 80): while the
    request waits the input keeps its check, and a valid definition; once approved it
    says `check: none` and why, as typed."""
    before = canonical(inputs=[CHECKED], sources=SOURCES)
    declared = {k: v for k, v in CHECKED.items() if k != "check"} | {"check": "none", "reason": "typed by hand"}
    after = canonical(inputs=[declared], sources=SOURCES)
    now = parse_playbook(apply_now(before, after)).canonical()
    assert now["inputs"] == before["inputs"]
    approved = parse_playbook(with_changes(now, waiting(before, after))).canonical()
    assert approved["inputs"] == after["inputs"]
