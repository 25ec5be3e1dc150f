"""Issue 112, item 4, on the fakes: a step that declares `demote_to: human-led` is demoted
straight to human-led, recorded and told like any demotion; `recover_after` PASS weeks in
a row under human-led review return it to collaborative at a close (a FAIL starts the count
again), and status shows the recovery's progress meanwhile."""

from __future__ import annotations

import json

from handlers import present_status
from tests import fakes
from tests.fakes import CHANNEL, MEMBER
from tests.usecases.fast.test_close_modes import CURATORS, SLUG, close_of, decisions, mode, report_week, said, world
from usecases import status
from usecases.shared import messages

TO_REVIEW = "support-replies / send: ai-led → human-led"
RECOVERED = "support-replies / send: human-led → collaborative"


def _steps(**send):
    steps = [dict(s) for s in fakes.definition()["steps"]]
    for s in steps:
        if s["name"] == "draft":
            s.update(calibration="none", reason="a person reads every draft before it is sent")
        if s["name"] == "send":
            s.update(demote_to="human-led", **send)
    return steps


def _status(services) -> str:
    shown = status.status(fakes.caller(services, MEMBER), messages.Status(SLUG))
    return json.dumps(present_status.status(shown), ensure_ascii=False)


def _week(services, clock, week, send=(20, 0)):
    report_week(services, clock, week, send=send)
    clock.run(close_of(week))


def test_a_failing_ai_led_step_goes_straight_to_human_led_review_and_recovers_after_its_pass_weeks():
    services, clock = world(steps=_steps())
    _week(services, clock, 1, send=(20, 5))  # 25%: over twice the cap
    assert mode(services) == "human-led"
    [demotion] = [d for d in decisions(services, "mode-change")]
    assert (demotion["rule"], demotion["from_mode"], demotion["to_mode"]) == ("critical", "ai-led", "human-led")
    assert demotion["figures"]["demote_to"] == "human-led" and demotion["figures"]["recover_after"] == 2
    alert = said(clock, CHANNEL, TO_REVIEW)
    assert "*send*: ai-led → human-led. Exceptions 5/20 = 25%" in alert
    assert "human-led review (demote_to) until 2 PASS weeks in a row return it to collaborative" in alert
    assert TO_REVIEW in clock.texts(CURATORS)
    assert "send: human-led review, recovering: 0 of 2 PASS weeks" in _status(services)

    _week(services, clock, 2)
    assert mode(services) == "human-led"
    assert "send: human-led review, recovering: 1 of 2 PASS weeks" in _status(services)

    _week(services, clock, 3, send=(20, 3))  # 15%: a FAIL, within noise; the count starts again
    assert mode(services) == "human-led"
    assert "send: human-led review, recovering: 0 of 2 PASS weeks" in _status(services)

    _week(services, clock, 4)
    assert mode(services) == "human-led"
    _week(services, clock, 5)
    assert mode(services) == "collaborative"
    back = decisions(services, "mode-change")[-1]
    assert (back["rule"], back["actor"], back["from_mode"], back["to_mode"]) == (
        "recovery",
        "rule:recovery",
        "human-led",
        "collaborative",
    )
    assert back["figures"]["streak"] == 2 and back["figures"]["recover_after"] == 2
    text = said(clock, CHANNEL, RECOVERED)
    assert "recovered: PASS 2 weeks in a row under human-led review (2 asked)" in text
    assert "recovering" not in _status(services)


def test_recover_after_one_returns_it_after_one_pass_week_and_a_step_without_demote_to_goes_one_level():
    services, clock = world(steps=_steps(recover_after=1))
    _week(services, clock, 1, send=(20, 5))
    assert mode(services) == "human-led"
    _week(services, clock, 2)
    assert mode(services) == "collaborative"

    services, clock = world()  # no demote_to: today's one level
    _week(services, clock, 1, send=(20, 5))
    assert mode(services) == "collaborative"
