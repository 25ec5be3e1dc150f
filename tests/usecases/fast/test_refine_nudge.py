"""Week 3's nudge asks what the cycle's exceptions taught about the prompt or the rubric
(docs/playbooks.md, "Prompts and rubrics as text"; usecases/clock/jobs/nudges.py), on the
fakes with the clock: the owner, named, with a button to the kit form, for a playbook whose
steps keep a text or that had exceptions this cycle (their count so far), not for one with
neither, and in no other week."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests import fakes, reported
from tests.fakes import OWNER
from tests.usecases.fast.ticking import Ticking

CYCLE = date(2026, 11, 16)  # cycle 1's Monday
TEXTS, EXCEPTIONS, NEITHER = "C0TEXTS001", "C0EXCEPT01", "C0NEITHER1"
ASKED = "what did this cycle's exceptions"


def monday(week: int, hour: int) -> datetime:
    """`hour` UTC on the Monday of cycle 1's week `week` (09:00 in Berlin: its nudge at 8)."""
    return datetime(2026, 11, 16, hour, tzinfo=UTC) + timedelta(days=7 * (week - 1))


def playbook(slug: str, channel: str, **draft: Any):
    steps = [
        {"name": "draft", "mode": "collaborative", **draft},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ]
    return fakes.a_playbook(slug, channel=channel, steps=steps, cycle_started=CYCLE, org_timezone="UTC")


def nudges(clock: Ticking, channel: str) -> dict[int, dict[str, Any]]:
    """Each week's nudge to `channel`, by its week of cycle 1."""
    found = {}
    for m in clock.store.held.sent(channel):
        for week in range(1, 5):
            if f": week {week} of cycle 1." in m.payload.get("text", ""):
                found[week] = m.payload
    return found


def refine(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in payload["blocks"] if b.get("block_id") == "refine"]


def test_week_3_asks_the_owner_what_the_exceptions_taught_for_a_text_or_exceptions_only():
    texts = playbook("with-texts", TEXTS, prompt_text="You draft the reply.\nQuote the policy.")
    excepted = playbook("with-exceptions", EXCEPTIONS)
    neither = playbook("with-neither", NEITHER)
    services = fakes.services(texts, excepted, neither, now=monday(1, 0), org_timezone="UTC")
    clock = Ticking(services)
    store = clock.store
    draft = excepted.step("draft").id
    for week, hour in ((1, 8), (1, 13)):
        clock.run(monday(week, hour))
    # during the cycle: two exceptions in week 1, one in week 2; the others report cases only
    wednesday = monday(1, 10) + timedelta(days=2)
    reported.add_exception(store, excepted.playbook.id, draft, CYCLE, "a refund promised", OWNER, wednesday)
    reported.add_exception(store, excepted.playbook.id, draft, CYCLE, "a wrong address", OWNER, wednesday)
    for state in (texts, neither):
        reported.add_case_count(store, state.playbook.id, state.step("draft").id, CYCLE, 20, OWNER, wednesday)
    for week, hour in ((2, 8), (2, 13)):
        clock.run(monday(week, hour))
    later = wednesday + timedelta(days=7)
    reported.add_exception(store, excepted.playbook.id, draft, CYCLE + timedelta(days=7), "a refund", OWNER, later)
    for week, hour in ((3, 8), (3, 13), (4, 8), (4, 13)):
        clock.run(monday(week, hour))

    for channel, state, count in ((TEXTS, texts, None), (EXCEPTIONS, excepted, 3)):
        sent = nudges(clock, channel)
        assert sorted(sent) == [1, 2, 3, 4], (channel, sorted(sent))
        [asked] = refine(sent[3])
        words = asked["text"]["text"]
        assert words.startswith(f":memo: <@{OWNER}>, {ASKED}") and "teach about the prompt or the rubric?" in words
        assert (f"({count} so far)" in words) if count else ("so far" not in words), words
        button = asked["accessory"]
        assert (button["action_id"], button["value"]) == ("kit_open", str(state.playbook.id))
        assert button["text"]["text"] == "Refine the texts"
        for week in (1, 2, 4):  # only week 3 asks
            assert not refine(sent[week]) and ASKED not in json.dumps(sent[week]), (channel, week)

    sent = nudges(clock, NEITHER)
    assert sorted(sent) == [1, 2, 3, 4]
    assert any(b.get("accessory", {}).get("action_id") == "kit_open" for b in sent[3]["blocks"])  # *Package it*
    assert all(not refine(p) and ASKED not in json.dumps(p) for p in sent.values())


def test_the_exceptions_counted_are_this_cycle_s_weeks_1_to_3_only():
    """Cycle 1's exceptions are not cycle 2's: its week 3 asks only for one of its own."""
    earlier = playbook("earlier-only", EXCEPTIONS)
    again = playbook("again-in-cycle-2", NEITHER)
    services = fakes.services(earlier, again, now=monday(1, 0), org_timezone="UTC")
    clock = Ticking(services)
    clock.run(monday(1, 8))
    for state in (earlier, again):
        draft = state.step("draft").id
        reported.add_exception(clock.store, state.playbook.id, draft, CYCLE, "in cycle 1", OWNER, monday(1, 10))
    for week in range(2, 7):
        clock.run(monday(week, 8))
        clock.run(monday(week, 13))
    week_2 = CYCLE + timedelta(days=35)  # cycle 2's week 2
    reported.add_exception(
        clock.store, again.playbook.id, again.step("draft").id, week_2, "in cycle 2", OWNER, monday(6, 14)
    )
    clock.run(monday(7, 8))

    def cycle_2_week_3(channel: str) -> dict[str, Any]:
        [found] = [m.payload for m in clock.store.held.sent(channel) if ": week 3 of cycle 2." in m.payload["text"]]
        return found

    assert refine(nudges(clock, EXCEPTIONS)[3]) and refine(nudges(clock, NEITHER)[3])  # cycle 1's week 3 asked
    assert not refine(cycle_2_week_3(EXCEPTIONS))
    [asked] = refine(cycle_2_week_3(NEITHER))
    assert "(1 so far)" in asked["text"]["text"], asked
