"""Small weeks are pooled (issue 81) on the fakes: a step's week under min_cases is pooled
with the next week of its cycle; the pool, over twice the cap, FAILs and demotes at once,
and the close says so with the pool's numbers; a pool that spans a tightened cap is judged
by its last week and says so. Weeks typed (tests/usecases/fast/slash.py) and closed by the
clock (tests/usecases/fast/ticking.py)."""

from __future__ import annotations

from tests.fakes import CHANNEL, OWNER
from tests.usecases.fast.slash import load, slash
from tests.usecases.fast.test_close_modes import close_of, wednesday, world


def report(services, draft_cases, draft_exceptions):
    slash(services, f"cases support-replies draft {draft_cases}", OWNER)
    for i in range(draft_exceptions):
        slash(services, f"exception support-replies draft case {i} went wrong", OWNER)
    slash(services, "cases support-replies send 20", OWNER)
    slash(services, "cases support-replies refunds 12", OWNER)


def said(clock):
    """The team channel's texts and its blocks' texts."""
    sent = clock.store.held.sent(CHANNEL)
    return [m.payload["text"] for m in sent] + [
        b["text"]["text"] for m in sent for b in m.payload.get("blocks", []) if b.get("text")
    ]


def test_two_small_weeks_pooled_fail_and_demote_the_step():
    services, clock = world()
    clock.clock.at = wednesday(1)
    report(services, 6, 2)  # 6 cases: fewer than min_cases (10)
    clock.run(close_of(1))
    clock.clock.at = wednesday(2)
    report(services, 6, 2)  # the pool: 12 cases, 4 exceptions = 33%, over twice the 10% cap
    clock.run(close_of(2))
    verdicts = sorted((v for v, _ in clock.store.held.governance.verdicts), key=lambda v: v.week_start)
    assert [(v.outcome, v.rule) for v in verdicts if v.cases == 6] == [
        ("INCONCLUSIVE", "2-too-few-cases"),
        ("FAIL", "3-exceptions-over-cap"),
    ]
    assert any(
        "*draft* (collaborative) FAIL: weeks 1–2 pooled: 4 of 12 = 33% (95% CI 14–61%)" in t for t in said(clock)
    )
    assert "support-replies / draft: collaborative → human-led" in "\n".join(said(clock))


def test_a_pool_that_spans_a_tightened_cap_is_judged_by_its_last_week_and_says_so():
    """Issue 81: week 1 (10% cap) is too small to judge; the cap is tightened to 5% (loaded
    at the server: a tightening applies at once); week 2 closes the pool, 1 of 12 = 8%:
    within the old cap, over the new one, and the close says which bar judged it."""
    services, clock = world()
    clock.clock.at = wednesday(1)
    report(services, 6, 1)
    clock.run(close_of(1))
    clock.clock.at = wednesday(2)
    load(services, exception_cap=0.05)  # loaded at the server: a tightening applies at once
    assert clock.store.playbooks.state("support-replies").playbook.exception_cap == 0.05
    report(services, 6, 0)
    clock.run(close_of(2))
    assert (
        "*draft* (collaborative) FAIL: weeks 1–2 pooled: 1 of 12 = 8% (95% CI 1–35%), judged by week 2's bar (cap 5%; 10% before)"
        in "\n".join(said(clock))
    )
