"""Setup as the seed means it (cadence/setup_said.py, templates/setup_said_words.py): pure."""

import pytest

from cadence import setup_said
from templates.setup_said_words import line


def test_the_minutes_are_a_whole_number_from_1_to_a_working_week():
    assert setup_said.minutes_of(" 45 ") == 45
    assert setup_said.minutes_of("2400") == 2400
    for typed in ("0", "2401", "an hour", "4.5", "-3", "", None, "٣"):
        with pytest.raises(setup_said.BadMinutes):
            setup_said.minutes_of(typed)


def test_a_versions_answering_teams_summed_up():
    said = setup_said.summed_up([(45, False), (30, True), (60, False), (50, False)])
    assert said == setup_said.Said(47.5, 1, 4)
    assert not said.over_the_hour
    assert said.figures() == {"median": 47.5, "meetings": 1, "teams": 4, "over_the_hour": False}
    assert setup_said.summed_up([]) is None


def test_over_the_hour_a_median_past_60_or_meetings_for_half_the_teams():
    assert not setup_said.summed_up([(60, False)]).over_the_hour  # an hour is not over one
    assert setup_said.summed_up([(61, False)]).over_the_hour
    assert setup_said.summed_up([(20, True), (20, False)]).over_the_hour  # half
    assert not setup_said.summed_up([(20, True), (20, False), (20, False)]).over_the_hour


def test_the_registrys_words():
    said = dict(median=45, meetings=1, teams=4)
    assert (
        line(said, dict(median=30.4, teams=4))
        == "setup: 45 min said, 30 min in forms; a meeting needed by 1 of 4 teams"
    )
    assert line(dict(median=90, meetings=0, teams=1), None) == "setup: 90 min said; a meeting needed by 0 of 1 team"
    assert line(None, dict(median=30, teams=4)) is None
