"""Setup in under an hour, measured (cadence/setup_effort.py): pure."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from cadence import keys, setup_effort

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


WEEK = date(2026, 11, 23)


def view(callback_id, metadata, picked=None):
    """A form as the bot opens it (callback id, private_metadata) and, with `picked`, as a
    check-in form that asked which playbook comes back with one picked."""
    shown = {"type": "modal", "private_metadata": metadata if isinstance(metadata, str) else json.dumps(metadata)}
    shown.update({"callback_id": callback_id} if callback_id else {})
    if picked is not None:
        chosen = {"type": "static_select", "selected_option": {"value": picked}}
        shown["state"] = {"values": {"playbook": {"value": chosen}}}
    return shown


@pytest.mark.parametrize(
    ("form", "playbook"),
    [
        (view("checkin_kpi", {"playbook": 7, "week": "2026-11-23", "dm": {"channel": "D1", "ts": "1.2"}}), 7),
        (view("checkin_attest", {"playbook": 7, "week": "2026-11-23"}), 7),
        (view("checkin_deviation", {"playbook": 7, "week": "2026-11-23"}), 7),
        (view("checkin_kpi", {"choose": True}), None),  # opened: which playbook is not said yet
        (view("checkin_kpi", {"choose": True}, picked="7"), 7),  # submitted with one picked
        (view("checkin_kpi", {"choose": True}, picked="x"), None),
        (view("learning_add", keys.checkin_button(7, WEEK)), 7),
        (view("pulse_form", keys.checkin_button(7, WEEK)), 7),
        (view("playbook_edit", {"playbook": 7, "opened": "ab12"}), 7),
        (view("playbook_edit", {"playbook": 7, "opened": "ab12", "stall": [7, 2, "steps"]}), 7),
        (view("playbook_kit", {"playbook": 7, "opened": "ab12"}), 7),
        (view("week_form", {"p": 7, "w": "2026-11-23", "f": {}}), 7),
        (view("assess_form", "7"), 7),
        (view("stall_refine", keys.stall(7, 2)), 7),
        (view("stall_retire", keys.stall(7, 2)), 7),
        # about no one team's playbook: a new one, a request to adopt, a curator's or an
        # origin owner's decision, an exception item, a notice
        (view("playbook_new", {}), None),
        (view("request_form", {"channel": "C1", "channel_name": "sales"}), None),
        (view("request_decline", "7"), None),
        (view("bar_decline", "7"), None),
        (view("wave_reviewed", keys.wave_button(7, 1)), None),
        (view("item_note", "done|e:7"), None),
        (view(None, ""), None),
        # what the bot never wrote
        (view("checkin_kpi", "not json"), None),
        (view("checkin_kpi", {"playbook": 1e400, "week": "2026-11-23"}), None),
        (view("week_form", {"playbook": 7}), None),
        (view("stall_refine", "stall:x:2"), None),
    ],
)
def test_the_playbook_a_form_is_for_is_the_one_its_view_names(form, playbook):
    assert setup_effort.playbook_of(form) == playbook
