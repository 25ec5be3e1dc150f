"""`rollout demo` tells the programme (issue 97): the assessment before the publish, the
near-duplicate caught at `/rollout new`, the ranked next step, the pilot condition the
adopting team replaces, and one boundary: research's accounts outside it, counted in Chloé's
week form, their share in status."""

import pytest

from bot.demo.story import DemoResult

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    """The run's one story (tests/bot/conftest.py)."""
    return demo_result


def test_the_demo_tells_the_programme(demo):
    transcript = demo.transcript
    assert (
        "research: 12% of cases out of scope, 2 of 17 (boundaries: accounts over 10,000 seats, existing customers)"
        in transcript
    )
    assert "Ana assessed support-replies' pilot from her DM; one pilot condition of her own" in transcript
    assert transcript.index("Ana assessed") < transcript.index("Cora (curator) clicked Publish")
    assert "the form showed support-replies v1 (Support), same KPI First-response time (min)" in transcript
    assert "Where it could roll next" in transcript and "to #support-apac, which asked" in transcript
    assert (
        "Pilot conditions to replace" in transcript and "a senior agent reviewed every draft in cycle 1" in transcript
    )
