"""The exception owner's Monday DM (usecases/exception_queue.py, sent by the clock:
tests/usecases/fast/ticking.py), on the fakes: the ten oldest items with their buttons and
a pointer to the rest; the App Home lists the items the viewer may move, with their buttons.
The DM through its restarts, its buttons and the note form as Slack
sends them are tests/usecases/test_exception_queue.py's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from slack_api.members import Person
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.listeners import Listeners
from tests.usecases.fast.test_rollout_replies import said
from tests.usecases.fast.ticking import Ticking

TRIAGE = "UTRIAGE001"  # the exception owner, in New York
CURATOR = "UCURATOR1"
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1
MONDAY_9_NEW_YORK = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # after week 1


def test_the_monday_dm_shows_the_ten_oldest_and_points_to_the_rest():
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC", exception_owner=TRIAGE)
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, {TRIAGE: Person(TRIAGE, "America/New_York")})
    services = fakes.services(state, now=WEDNESDAY, directory=directory)
    for i in range(12):
        services.clock.advance(minutes=1)
        said(services, f"exception support-replies send refund {i:02d} over the limit", OWNER)
    Ticking(services).run(MONDAY_9_NEW_YORK)
    [dm] = [
        m.payload
        for m in fakes.store_of(services).held.outbox
        if m.channel == TRIAGE and "exception item" in m.payload["text"]
    ]
    body = json.dumps(dm["blocks"], ensure_ascii=False)
    assert dm["text"] == "support-replies: 12 exception items open"
    resolve = [
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "item_resolve"
    ]
    assert len(resolve) == 10
    assert "refund 00" in body and "refund 09" in body and "refund 10" not in body  # the oldest ten
    assert "…and 2 more: `/rollout status support-replies` lists every open item by step." in body
    items = fakes.store_of(services).exception_items
    heads, counts = items.open_heads([state.playbook.id], 10)
    assert heads[state.playbook.id] == items.open_of([state.playbook.id])[:10]
    assert counts == {state.playbook.id: 12}


def test_the_monday_dm_waits_for_nine_in_the_exception_owners_morning():
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC", exception_owner=TRIAGE)
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, {TRIAGE: Person(TRIAGE, "America/New_York")})
    services = fakes.services(state, now=WEDNESDAY, directory=directory)
    said(services, "exception support-replies draft customer wanted a call", OWNER)
    clock = Ticking(services)
    clock.run(MONDAY_9_NEW_YORK - timedelta(minutes=1))  # 08:59 in New York: not yet
    assert clock.texts(TRIAGE) == []
    clock.run(MONDAY_9_NEW_YORK)
    clock.run(MONDAY_9_NEW_YORK + timedelta(hours=3))
    assert clock.texts(TRIAGE) == ["support-replies: 1 exception item open"]


def test_the_app_home_lists_the_exception_owners_items_with_their_buttons():
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC", exception_owner=TRIAGE)
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, {TRIAGE: Person(TRIAGE, "America/New_York")})
    slack = Listeners(fakes.services(state, now=WEDNESDAY, curators=(CURATOR,), directory=directory))
    said(slack.services, "exception support-replies draft customer wanted a call", OWNER)
    slack.services.clock.advance(minutes=5)
    said(slack.services, "attest support-replies no draft the template was missing", MEMBER)
    home = opened_home(slack, TRIAGE)
    shown = json.dumps(home, ensure_ascii=False)
    assert "Exception items open" in shown and "customer wanted a call" in shown
    acknowledge = next(
        e["value"]
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "item_acknowledge"
    )
    slack.click(TRIAGE, "item_acknowledge", acknowledge)  # a click in the Home tab: told by DM
    assert any("acknowledged" in c["text"] for c in slack.client.made("chat_postMessage") if c["channel"] == TRIAGE)
    status = json.dumps(slack.rollout("status support-replies", OWNER).body, ensure_ascii=False)
    assert "*draft*: 2 open, the oldest 0 days (1 acknowledged)" in status, status  # still open, said acknowledged
    assert "Exception items open" not in json.dumps(opened_home(slack, MEMBER))  # not theirs to move
    # a curator may move any playbook's items: their Home lists them, with the buttons
    curators = json.dumps(opened_home(slack, CURATOR), ensure_ascii=False)
    assert "Exception items open" in curators and "the template was missing" in curators
    assert "item_resolve" in curators


def opened_home(slack, user):
    """The Home tab `user` opened, as the app_home_opened listener publishes it."""
    slack.happened({"type": "app_home_opened", "user": user, "tab": "home"})
    return [c for c in slack.client.made("views_publish") if c["user_id"] == user][-1]["view"]
