"""A cycle judged against the rest on the fakes (docs/playbooks.md, "Compared with the
rest"; the close through tests/usecases/fast/ticking.py): clearly better than the rest
hits, with the difference-in-differences; weeks with one number of the two leave too few
to compare. A KPI on target but within noise of the rest, end to end, and status saying the
week against the rest and the cycle so far (read on the database) are
tests/usecases/test_compare_cycle.py's."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests import fakes
from tests.fakes import CHANNEL, MEMBER
from tests.usecases.fast.test_close_modes import close_of, wednesday
from tests.usecases.fast.ticking import Ticking
from usecases import commands
from usecases.shared import messages

SLUG = "support-replies"


def world():
    kpi = {**fakes.definition()["kpi"], "compare": "rest", "rest_baseline": 40}
    state = fakes.a_playbook(kpi=kpi, cycle_started=date(2026, 11, 16))
    services = fakes.services(state, now=wednesday(1), org_timezone="UTC")
    return services, Ticking(services)


def kpi(services, clock, week, run, rest=None):
    clock.clock.at = wednesday(week)
    commands.kpi(fakes.caller(services, MEMBER), messages.Kpi(SLUG, run, rest=rest))


def run_cycle(services, clock, runs, rests):
    for week, (run, rest) in enumerate(zip(runs, rests, strict=True), start=1):
        kpi(services, clock, week, run, rest)
        clock.run(close_of(week))


def the_result(services):
    [result] = [d for d in fakes.store_of(services).held.decisions if d["kind"] == "cycle-result"]
    return result


def last_close(clock):
    closed = [m for m in clock.store.held.sent(CHANNEL) if "closed" in m.payload["text"]]
    return json.dumps(closed[-1].payload["blocks"], ensure_ascii=False)


def test_clearly_better_than_the_rest_hits():
    services, clock = world()
    # deltas −6, −5, −7, −6: mean −6, sd 0.8165, se 0.40825, t(3) 3.18245: CI −7.30 to −4.70
    run_cycle(services, clock, [14, 14, 13, 14], [20, 19, 20, 20])
    result = the_result(services)
    assert result["summary"] == "cycle 1 hit the target: better than the rest"
    assert result["figures"]["hit"] is True
    # difference-in-differences: run mean 13.75 − 42 = −28.25; rest 19.75 − 40 = −20.25: −8
    assert result["figures"]["compare"]["did"] == pytest.approx(-8)
    assert "−6 min against the rest, 95% CI −7.3 to −4.7 (difference-in-differences −8 min)" in last_close(clock)


def test_one_armed_weeks_leave_too_few_to_compare():
    services, clock = world()
    for week in range(1, 5):
        kpi(services, clock, week, 14, 20 if week == 2 else None)
        clock.run(close_of(week))
    assert the_result(services)["summary"] == "cycle 1 missed the target: too few weeks to compare"
    assert "too few weeks to compare (1 week with both numbers; 2 are needed)" in last_close(clock)
