"""The pulse as Slack sends it (issue 82; handlers/pulse_form.py's listeners on the fakes:
tests/usecases/fast/listeners.py, the clock: ticking.py): an answer outside the scale
refused on its question; the week-4 close seals the pulse and tells its totals; week 4's
check-in DM carries the pulse's button, which opens the form. The form through signed
requests (one answer a person, a re-sent submission stored once) is
tests/handlers/test_pulse_form.py's; the pulse's rules, tests/usecases/fast/test_pulse.py's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.listeners import Listeners
from tests.usecases.fast.ticking import Ticking

THURSDAY_OF_WEEK_4 = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # the cycle begun on 2026-11-16
CLOSE_OF_WEEK_4 = datetime(2026, 12, 14, 11, 0, tzinfo=UTC)  # Monday noon in Berlin


def world(team=(OWNER, MEMBER), now=THURSDAY_OF_WEEK_4):
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC")
    return Listeners(fakes.services(state, now=now, directory=FakeDirectory({CHANNEL: team})))


def open_form(slack, user=MEMBER):
    assert slack.rollout("pulse support-replies", user).body == {}  # a form opened: no reply
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "pulse_form"
    return view


def answer(slack, view, user=MEMBER, **picked):
    values = {
        block: {"type": "radio_buttons", "selected_option": {"value": value} if value else None}
        for block, value in picked.items()
    }
    return slack.submit(view, values, user)


def stored(slack):
    return list(fakes.store_of(slack.services).held.pulse_answers.values())


def test_an_answer_outside_the_scale_is_refused_on_its_question():
    slack = world()
    reply = answer(slack, open_form(slack), trust="9")
    assert reply.body["response_action"] == "errors" and "trust" in reply.body["errors"]
    assert stored(slack) == []


def test_the_week_4_close_seals_the_pulse_and_shows_only_its_totals():
    """Six of the team answer; the close deletes the cycle's key, tells the team the
    totals and why promotions to ai-led wait, and a late answer is refused."""
    team = [MEMBER, OWNER, *(f"UTEAM0000{n}" for n in range(4))]
    slack = world(team)
    for n, person in enumerate(team):
        picked = {"trust": str(2 + n % 3), "around": "often" if n < 2 else "never", "freed": "new"}
        answer(slack, open_form(slack, person), person, **picked)
    assert len(stored(slack)) == 6
    Ticking(slack.services).run(CLOSE_OF_WEEK_4)
    held = fakes.store_of(slack.services).held
    summary = next(
        m.payload for m in held.outbox if m.channel == CHANNEL and "*Pulse* of cycle 1" in str(m.payload.get("blocks"))
    )
    said = str(summary["blocks"])
    assert "6 answered · trust 3 of 5 (95% CI" in said and "worked around a step sometimes or often 33%" in said
    assert "Promotions to ai-led wait through cycle 2" in said
    assert held.pulse_keys == {}
    late = slack.rollout("pulse support-replies", MEMBER).body
    assert late["response_type"] == "ephemeral" and "has closed" in str(late)
    assert len(stored(slack)) == 6


def test_the_week_4_check_in_dm_carries_pulse_and_its_button_opens_the_form():
    slack = world(now=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    clock = Ticking(slack.services)
    held = fakes.store_of(slack.services).held
    clock.run(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # week 3's Thursday check-in: no pulse yet
    dms = [m.payload for m in held.outbox if m.channel == MEMBER]
    assert dms and not any("pulse_open" in str(p.get("blocks")) for p in dms)
    clock.run(THURSDAY_OF_WEEK_4.replace(hour=15))  # week 4's: 16:00 in Berlin
    dm = next(m.payload for m in held.outbox if m.channel == MEMBER and "pulse_open" in str(m.payload.get("blocks")))
    button = next(
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "pulse_open"
    )
    slack.click(MEMBER, "pulse_open", button["value"], MEMBER, "1700000000.000200")
    assert slack.client.opened_views[-1]["callback_id"] == "pulse_form"
