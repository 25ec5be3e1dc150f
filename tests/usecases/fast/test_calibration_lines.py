"""Every calibration run kept and listed (usecases/shared/calibration.py `lines`, as status
and the web view show them) on the fakes: a failed run stays after a later pass; an ai-led
step without a set says "no calibration set"; a step without one by design, its reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests import fakes
from tests.committed import committed
from tests.fakes import OWNER
from usecases.shared import calibration

STEPS = [
    {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
    {"name": "send", "mode": "ai-led"},
    {"name": "refunds", "mode": "human-led", "calibration": "none", "reason": "a person <decides> each"},
]


def test_each_run_is_listed_a_failed_one_too_and_steps_without_a_set_say_why():
    state = fakes.a_playbook(steps=STEPS)
    services = fakes.services(state)
    store = services.store
    first = datetime(2026, 3, 2, 10)
    for passed, at in ((35, first), (38, first + timedelta(days=7))):
        committed(store).calibrations.add([calibration.run_row(store, state, "draft", passed, 40, None, OWNER, at)])
    lines = calibration.lines(store, state)
    assert lines["draft"] == "38/40 = 95%, current (run 2026-03-09); runs 35/40 on 2 Mar, 38/40 on 9 Mar"
    assert lines["send"] == "no calibration set"  # ai-led before the rule: kept, and said
    assert lines["refunds"] == "none: a person <decides> each"


def test_a_playbook_without_runs_says_so_only_for_its_ai_led_steps():
    state = fakes.a_playbook()
    assert calibration.lines(fakes.services(state).store, state) == {"send": "no calibration set"}
