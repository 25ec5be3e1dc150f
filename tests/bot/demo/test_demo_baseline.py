"""`rollout demo`'s adopting team (issue 81): its first cycle, started with `/rollout cycle
start`, comes after a baseline week that measures its baseline."""

from datetime import timedelta

import pytest

from bot.demo.acts import ORIGIN_WEEKS, START
from bot.demo.story import DemoResult

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    """The run's one story (tests/bot/conftest.py)."""
    return demo_result


@pytest.fixture(scope="module")
def page(demo) -> str:
    return demo.html.read_text(encoding="utf-8")


def test_the_adopters_first_cycle_comes_after_a_baseline_week_that_measures_its_baseline(demo, page):
    """Issue 81: Dan's `/rollout cycle start` on the Monday of adoption makes that week its
    baseline week, in which the team reports its KPI as it works today; its mean is the
    baseline, measured, and cycle 1 starts the Monday after."""
    from storage.db import make_engine
    from storage.store import Store

    transcript = demo.transcript
    monday = START + timedelta(days=7 * ORIGIN_WEEKS)
    after = monday + timedelta(days=7)
    assert f"(support-apac's baseline week) · {monday:%a %d %b}" in transcript
    started = transcript[transcript.index("Dan (owner, support APAC): /rollout cycle start") :][:900]
    assert f"A baseline week from {monday.isoformat()} measures support-replies-support-apac's KPI" in started
    assert f"Cycle 1 of support-replies-support-apac runs from {after.isoformat()} to" in started
    assert (
        "support-replies-support-apac: the baseline week is over. First-response time averaged 45 min over 3 "
        f"reports: that is the baseline now, measured (45 min was declared). Cycle 1 starts on {after.isoformat()}"
    ) in transcript
    assert "(declared until the baseline week measures it)" in transcript  # at adopt
    apac = [line for line in transcript.splitlines() if "support-replies-support-apac" in line]
    assert not [line for line in apac if "declared, not measured" in line and "nothing reported" not in line]
    # the check-in of that week calls it the baseline week, in Dan's and Eve's DMs
    assert page.count("<b>Support reply drafting</b>, the baseline week: recorded that you followed") == 2
    engine = make_engine(f"sqlite:///{demo.database}")
    try:
        state = Store(engine).playbooks.state("support-replies-support-apac")
    finally:
        engine.dispose()
    assert state is not None and (state.playbook.kpi_baseline, state.playbook.baseline_measured) == (45, 45)
    anchor = state.running()
    assert (anchor.baseline, anchor.starts_on) == (monday, after)
