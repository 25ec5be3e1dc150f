"""The pulse on a playbook's web page (issue 82): its chart of trust and safety per closed
cycle, with a table of each mean's 95% interval as the chart's text alternative."""

import re
from datetime import UTC, date, datetime, timedelta

from cadence.pulse import Answer
from tests.bot.test_web_view import fetch, signed_in, view
from tests.conftest import MEMBER

__all__ = ["view"]  # a fixture


def test_the_pulse_is_charted_cycle_by_cycle_with_its_intervals_in_a_table(view, store, playbook, clock):
    """The pulse's chart (issue 82): trust and safety per closed cycle, only the cycles shown
    (5 answers or more), each mean's 95% interval in the table beside it."""
    pid = playbook.playbook.id
    cycles = {
        1: [(5, 4), (4, 5), (5, 5), (4, 4), (4, 5), (5, 4)],
        2: [(2, 4), (1, 3), (2, 4), (3, 3), (2, 4)],
        3: [(5, 5)] * 3,
    }
    last_weeks = {c: date(2026, 12, 7) + timedelta(weeks=4 * (c - 1)) for c in cycles}  # each cycle's week 4
    with store.unit_of_work() as uow:
        for cycle, answers in cycles.items():
            for n, (trust, safety) in enumerate(answers):
                assert uow.pulses.answer(pid, cycle, last_weeks[cycle], f"U{n:02d}", Answer(trust=trust, safety=safety))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, last_weeks[3])])
        uow.pulses.seal([(pid, c) for c in cycles])
        uow.commit()
    clock.set(datetime(2027, 2, 10, 12, 0, tzinfo=UTC))
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, MEMBER))
    section = page[page.index("<h2>Pulse</h2>") : page.index("<h2>Learnings</h2>")]
    assert section.count("<svg") == 1
    assert 'aria-label="The pulse: trust and safety (of 5), cycle by cycle: the table below has the numbers"' in section
    assert (
        ">cycle 1<" in section and ">cycle 2<" in section and "cycle 3" not in section.split('<table class="stack">')[0]
    )
    assert "<title>cycle 2: 2 of 5</title>" in section and "<title>cycle 1: 4.5 of 5</title>" in section
    # a card a cycle on a phone (class stack), each number named by its column
    rows = re.findall(
        r"<tr><td data-label=\"Cycle\">(\d+)</td><td class=\"num\" data-label=\"Answers\">(\d+)</td>(.*?)</tr>", section
    )
    assert [(c, n) for c, n, _ in rows] == [("2", "5"), ("1", "6")]  # newest first; cycle 3's 3 answers are not shown
    assert '2 <span class="muted">(95% CI 1.1 to 2.9)</span>' in rows[0][2]
    assert "too few answers to show (3; 5 needed)" in section  # the list of the last two cycles says why
