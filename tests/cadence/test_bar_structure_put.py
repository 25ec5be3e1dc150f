"""bar_structure.put on a step's field, case by case: what a bar change (or its putting
back while it waits) writes into the canonical definition's step, pinned."""

import copy

import pytest

from cadence.bar_structure import put

DRAFT = {
    "name": "Draft",
    "mode": "collaborative",
    "pinned": True,
    "rubric": "none",
    "reason": "r",
    "calibration": {"cases": 5},
    "handoff": {"sla_hours": 4},
}
SEND = {"name": "Send", "mode": "human-led"}


def _without(step, *keys):
    return {k: v for k, v in step.items() if k not in keys}


@pytest.mark.parametrize(
    ("field", "value", "putting_back", "steps"),
    [
        # the whole step: a pinned step removed, back where it was, or gone
        ("steps[Gone]", None, False, [DRAFT, SEND]),
        ("steps[draft]", None, False, [SEND]),
        ("steps[Draft]", {"at": 0, "step": {"name": "x"}}, False, [DRAFT, SEND]),
        ("steps[New]", {"at": 5, "step": {"name": "New"}}, False, [DRAFT, SEND, {"name": "New"}]),
        ("steps[New]", {"at": 1, "step": {"name": "New"}}, False, [DRAFT, {"name": "New"}, SEND]),
        # a step gone since is left as it is
        ("steps[Gone].mode", "ai-led", False, [DRAFT, SEND]),
        ("steps[Send].added", {"mode": "human-led", "pinned": True}, False, [DRAFT, {**SEND, "pinned": True}]),
        (
            "steps[Draft].added",
            {"mode": "ai-led", "pinned": False},
            False,
            [
                {**_without(DRAFT, "pinned"), "mode": "ai-led"},
                SEND,
            ],
        ),
        ("steps[Send].mode", None, True, [DRAFT, {**SEND, "mode": "collaborative"}]),
        ("steps[Send].mode", None, False, [DRAFT, {**SEND, "mode": None}]),
        ("steps[Send].mode", "ai-led", True, [DRAFT, {**SEND, "mode": "ai-led"}]),
        ("steps[Draft].calibration", None, False, [_without(DRAFT, "calibration"), SEND]),
        ("steps[Send].calibration", "none", False, [DRAFT, {**SEND, "calibration": "none"}]),
        ("steps[Draft].rubric", None, False, [_without(DRAFT, "rubric", "reason"), SEND]),
        (
            "steps[Draft].rubric",
            {"dimensions": ["a"]},
            False,
            [
                {**_without(DRAFT, "reason"), "rubric": {"dimensions": ["a"]}},
                SEND,
            ],
        ),
        ("steps[Draft].rubric", "none", False, [DRAFT, SEND]),
        ("steps[Draft].handoff.sla_hours", None, False, [{**DRAFT, "handoff": {}}, SEND]),
        (
            "steps[Draft].handoff.resolve_hours",
            8,
            False,
            [
                {**DRAFT, "handoff": {"sla_hours": 4, "resolve_hours": 8}},
                SEND,
            ],
        ),
        ("steps[Send].handoff.sla_hours", None, False, [DRAFT, SEND]),
        ("steps[Send].handoff.sla_hours", 2, False, [DRAFT, {**SEND, "handoff": {"sla_hours": 2}}]),
        ("steps[Draft].pinned", False, False, [_without(DRAFT, "pinned"), SEND]),
        ("steps[Draft].pinned", None, False, [_without(DRAFT, "pinned"), SEND]),
        ("steps[Send].pinned", True, False, [DRAFT, {**SEND, "pinned": True}]),
    ],
)
def test_put_on_a_step(field, value, putting_back, steps):
    definition = {"steps": copy.deepcopy([DRAFT, SEND])}
    put(definition, field, value, putting_back)
    assert definition["steps"] == steps
