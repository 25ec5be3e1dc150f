"""readiness()'s criteria and their figures, pinned whole for one playbook with a step of
each kind (by design, scored with evidence, scored short and uncounted, never scored):
the criteria are kept as decisions' figures and rendered from them, so keys and order
count."""

import json

from cadence.readiness import StepRatio, StepRubric, readiness

RUBRICS = [
    StepRubric("send", [[None] * 4, [None] * 4], by_design=True, reason="a person reads every reply"),
    StepRubric("triage", [[None] * 4], by_design=True),
    StepRubric("draft", [[0.95, 0.9, 0.92, None], [0.91, 0.93, 0.97, 0.99]], lowest="tone 17/20 = 85%"),
    StepRubric("classify", [[0.5, None, 0.99, None], [None] * 4], uncounted=2),
    StepRubric("refund", [[None] * 4, [None] * 4]),
]


def _criteria():
    return readiness(
        asked=10,
        answered=8,
        min_attestation=0.75,
        steps=[StepRatio("draft", 2, 40, 0.1, 10), StepRatio("send", 1, 3, 0.1, 10), StepRatio("refund", 9, 20, 0.1)],
        inputs=["ticket text"],
        outputs=["a reply"],
        learnings={1: 2, 2: 0},
        cycles=[1, 2],
        owner_active=True,
        cycles_wanted=3,
        rubrics=RUBRICS,
        rubric_threshold=0.9,
    )


def test_each_criterion_and_its_figures():
    assert [(c.name, c.met) for c in _criteria()] == [
        ("attestation", True),
        ("exceptions", False),
        ("contract", False),
        ("learnings", False),
        ("owner", True),
        ("accuracy", False),
        ("reliability", False),
        ("queue", True),
    ]


FIGURES = {
    "attestation": {"rate": 0.8, "answered": 8, "asked": 10, "minimum": 0.75},
    "exceptions": {
        "steps": [
            {"step": "draft", "exceptions": 2, "cases": 40, "ratio": 0.05, "cap": 0.1},
            {"step": "send", "exceptions": 1, "cases": 3, "ratio": 0.3333333333333333, "cap": 0.1},
            {"step": "refund", "exceptions": 9, "cases": 20, "ratio": 0.45, "cap": 0.1},
        ],
        "over": ["refund"],
        "short": ["send"],
        "min_cases": 10,
    },
    "contract": {
        "inputs": 1,
        "outputs": 1,
        "lacking": [{"name": "ticket text", "missing": ["owner", "refresh", "when-missing"]}],
    },
    "learnings": {"per_cycle": {"1": 2, "2": 0}, "missing": [2], "wanted": 3},
    "owner": {"active": True, "others": [], "inactive": [], "unnamed": []},
    "accuracy": {
        "steps": [
            {
                "step": "send",
                "by_design": True,
                "scored": False,
                "weeks_met": [],
                "met": True,
                "reason": "a person reads every reply",
            },
            {
                "step": "triage",
                "by_design": True,
                "scored": False,
                "weeks_met": [],
                "met": True,
                "reason": "no rubric by design",
            },
            {
                "step": "draft",
                "by_design": False,
                "scored": True,
                "weeks_met": [3, 4],
                "met": False,
                "evidence": [3, 4],
                "no_evidence": False,
                "low": 0.9,
                "high": 0.99,
                "unscored": 1,
                "lowest": "tone 17/20 = 85%",
            },
            {
                "step": "classify",
                "by_design": False,
                "scored": True,
                "weeks_met": [1, 0],
                "met": False,
                "evidence": [2, 0],
                "no_evidence": True,
                "uncounted": 2,
                "low": 0.5,
                "high": 0.99,
                "unscored": 6,
            },
            {
                "step": "refund",
                "by_design": False,
                "scored": True,
                "weeks_met": [0, 0],
                "met": False,
                "evidence": [0, 0],
                "no_evidence": True,
            },
        ],
        "below": ["draft", "classify", "refund"],
        "threshold": 0.9,
        "needed": 3,
        "weeks": 4,
        "cycles": 2,
        "wanted": 3,
    },
    "reliability": {
        "checks": True,
        "applies": True,
        "inputs": [],
        "below": [],
        "none_inputs": [],
        "unchecked": ["ticket text"],
        "min_weeks": 4,
        "share": "7 in 8",
        "weeks": 8,
        "delivery": {"applies": False, "minimum": 0.9},
    },
    "queue": {"overdue": 0, "oldest_days": 0, "limit_days": 14},
}


def test_the_figures_keys_in_order():
    assert json.dumps({c.name: c.figures for c in _criteria()}, indent=4) == json.dumps(FIGURES, indent=4)


def test_every_step_without_a_rubric_by_design_is_declared_out():
    accuracy = next(
        c for c in readiness(0, 0, 0.75, [], [], [], {}, [1], False, rubrics=RUBRICS[:2]) if c.name == "accuracy"
    )
    assert (accuracy.met, accuracy.none) == (True, "send: a person reads every reply; triage: no rubric by design")
