"""Setup in under an hour, measured (cadence/setup_effort.py): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadence import setup_effort

ADOPT = datetime(2026, 11, 23, 9, tzinfo=UTC)


def at(minutes):
    return ADOPT + timedelta(minutes=minutes)


def test_a_form_counts_its_time_open_capped_and_an_abandoned_one_its_cap():
    assert setup_effort.form_minutes(at(0), at(4)) == 4
    assert setup_effort.form_minutes(at(0), at(300)) == 20  # left open over lunch
    assert setup_effort.form_minutes(at(0), None) == 20  # never submitted
    assert setup_effort.form_minutes(at(5), at(0)) == 0  # clocks that disagree count nothing


def test_only_the_forms_from_the_adopt_to_the_first_check_in_count():
    forms = [(at(-60), at(-50)), (at(10), at(16)), (at(30), None), (at(24 * 60), at(24 * 60 + 3)), (at(5000), None)]
    assert setup_effort.active_minutes(forms, ADOPT, at(24 * 60 + 10)) == 6 + 20 + 3


def test_a_versions_teams_summed_up():
    summed = setup_effort.summed_up([35, 20, 80, 41])
    assert summed == setup_effort.Setup(38, 4, 3)
    assert summed.figures() == {"median": 38, "teams": 4, "under_an_hour": 3}
    assert setup_effort.summed_up([]) is None
    assert setup_effort.summed_up([60]).under_an_hour == 0  # an hour is not under one
