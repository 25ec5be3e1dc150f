"""Calibration as the close and readiness judge it, on the fakes (docs/playbooks.md,
"Calibration"): a run made stale by a revision holds a promotion; a step without a set
waits, one that says it needs none proposes showing why; readiness's output accuracy needs
each declared set's latest run, current and at the threshold. Weeks typed (tests/usecases/
fast/slash.py) and closed by the clock (tests/usecases/fast/ticking.py); a revision loaded
as the operator loads it (tests/usecases/fast/slash.py's load). A proposal waiting for a run,
then shown with it, is tests/usecases/fast/test_close_modes.py's. (The fake's step history,
as SQL, leaves out a decision without a week: a declared mode's.)"""

from __future__ import annotations

import json

from tests import fakes
from tests.fakes import CHANNEL, OWNER
from tests.usecases.fast import ready_world
from tests.usecases.fast.slash import load, report_week, slash
from tests.usecases.fast.test_close_modes import close_of, wednesday, world

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"
WAITS = "support-replies / draft: the promotion to ai-led waits for its calibration"
CALIBRATED = [
    {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
    {"name": "send", "mode": "ai-led"},
    {"name": "refunds", "mode": "human-led", "pinned": True},
]


def waits(clock):
    return [json.dumps(m.payload["blocks"]) for m in clock.store.held.sent(OWNER) if m.payload["text"] == WAITS]


def proposals(clock):
    return list(clock.store.held.governance.proposals.values())


def test_a_run_made_stale_by_a_revision_holds_the_proposal():
    """The step's declared mode changed and changed back after the run: stale all the same."""
    services, clock = world(steps=CALIBRATED)
    clock.clock.at = wednesday(1)
    assert "*39/40*" in slash(services, "calibrate support-replies draft 39/40", OWNER)
    load(services, steps=[{**CALIBRATED[0], "mode": "human-led"}, *CALIBRATED[1:]])
    load(services, steps=CALIBRATED)
    assert clock.store.playbooks.state("support-replies").step("draft").mode == "collaborative"
    for week in (1, 2, 3):
        report_week(services, week)
        clock.run(close_of(week))
    assert PROPOSAL not in clock.texts(CHANNEL) and proposals(clock) == []
    [told] = waits(clock)
    assert "its calibration is stale (the step changed since the latest run)" in told
    assert "39/40 = 97.5%, stale" in told


def test_a_step_without_a_set_waits_and_one_that_says_none_with_its_reason_proposes_showing_it():
    services, clock = world(steps=fakes.definition()["steps"])
    for week in (1, 2):
        report_week(services, week)
        clock.run(close_of(week))
    assert PROPOSAL not in clock.texts(CHANNEL) and proposals(clock) == []
    [told] = waits(clock)  # no set: calibration is a promotion's evidence
    assert "it has no calibration set, the evidence a promotion to ai-led needs" in told

    # the owner says the step needs none, with a reason (escaped where it is shown)
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": "none", "reason": "a person <reads> each draft"},
        *fakes.definition()["steps"][1:],
    ]
    load(services, steps=steps)
    report_week(services, 3)
    clock.run(close_of(3))
    assert clock.texts(CHANNEL).count(PROPOSAL) == 1
    [message] = [m for m in clock.store.held.sent(CHANNEL) if m.payload["text"] == PROPOSAL]
    assert "no calibration set: a person &lt;reads&gt; each draft." in json.dumps(message.payload["blocks"])


def calibrated():
    """ready_world's playbook, with a calibration set of 40 declared for step draft."""
    steps = fakes.definition()["steps"]
    steps[0]["calibration"] = {"cases": 40}
    return ready_world.ready(steps=steps)


def test_no_run_keeps_a_playbook_from_ready_naming_the_step():
    services, clock = calibrated()
    ready_world.run_weeks(services, clock, range(1, 9))
    assert ready_world.said(clock, ready_world.CURATORS, "support-replies is ready to scale") == []
    [row] = ready_world.decided(clock, "not-ready")
    assert row["figures"]["missing"] == ["accuracy"]
    [accuracy] = [c for c in row["figures"]["criteria"] if c["name"] == "accuracy"]
    assert accuracy["calibration"] == {"draft": "no run of its 40 cases yet"}
    [told] = ready_world.said(clock, OWNER, "not yet ready")
    assert "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: calibration set no run of its 40" in told


def test_a_current_run_at_the_threshold_is_ready():
    services, clock = calibrated()
    clock.clock.at = wednesday(1)
    assert "*36/40*" in slash(services, "calibrate support-replies draft 36/40", OWNER)
    ready_world.run_weeks(services, clock, range(1, 9))
    [proposal] = ready_world.said(clock, ready_world.CURATORS, "support-replies is ready to scale")
    assert "✅ Output accuracy" in proposal and "calibration set" not in proposal
    assert ready_world.decided(clock, "not-ready") == []
