"""Reviews that sample (issue 58; docs/judgement.md): `review_rate` as a definition loads
it. A sample's score and its interval over the reviewed cases, as typed, are tests/usecases/
fast/test_reviews.py's; a bad sample is refused by the grammar (tests/handlers/
test_grammar.py), a sample over the week's cases by the use case (tests/usecases/fast/
test_report_refusals.py); a sample below the review rate judged by the close, and the
Friday DM's sample, are tests/usecases/fast/test_close_modes.py's."""

import pytest
from sqlmodel import Session, select

from cadence.definition_load import DefinitionError, parse_playbook
from storage.models.reports import RubricScore
from tests.conftest import SUPPORT_REPLIES


def scores(engine):
    """Each rubric score kept and its sample, oldest first (tests/bot/test_api_samples.py's)."""
    with Session(engine) as s:
        return [(r.score, r.reviewed) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, "often"])
def test_a_review_rate_outside_zero_to_one_is_refused_at_load(rate):
    with pytest.raises(DefinitionError, match="review_rate"):
        parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": rate}})


def test_review_rates_load_and_round_trip():
    spec = parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": 0.5, "ai-led": 0.25}})
    assert spec.canonical()["review_rate"] == {"collaborative": 0.5, "ai-led": 0.25}
    assert "review_rate" not in parse_playbook(SUPPORT_REPLIES).canonical()
