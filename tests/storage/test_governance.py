"""Governance's reads for the scale rule: cycle results, and what earlier proposals and
publications already covered."""

from datetime import date

from sqlmodel import Session, select

from cadence import cycle_decisions, mode_decisions
from cadence.change import Change
from cadence.rules import Kind, Transition, TransitionRule
from storage.governance import Governance
from storage.models.governance import CycleResult, Decision, Proposal, RegistryVersion
from storage.store import Store
from tests.committed import committed


def test_scale_history_reads_results_oldest_first_and_the_last_cycle_covered(engine, playbook, clock):
    pid = playbook.playbook.id
    governance = Governance(engine)
    assert governance.scale_history([pid]) == {pid: ([], 0)}
    assert governance.open_scale_proposals([pid]) == set()
    with Session(engine) as s:
        for cycle in (3, 1, 2):
            s.add(
                CycleResult(
                    playbook_id=pid,
                    cycle=cycle,
                    starts_on=date(2026, 11, 16),
                    kpi_weeks=4,
                    mean=14.0,
                    target=15.0,
                    direction="down",
                    hit=cycle != 1,
                    weeks_met=cycle,
                    recorded_at=clock(),
                )
            )
        s.add(
            Proposal(
                key=f"scale:{pid}:2",
                kind="scale",
                playbook_id=pid,
                week_start=date(2026, 12, 7),
                status="open",
                figures={"cycle": 2},
                opened_at=clock(),
            )
        )
        s.commit()
    results, covered = governance.scale_history([pid])[pid]
    assert [(r.cycle, r.hit, r.weeks_met) for r in results] == [(1, False, 1), (2, True, 2), (3, True, 3)]
    assert covered == 2  # the open proposal covers cycle 2
    assert governance.open_scale_proposals([pid, pid + 1000]) == {pid}
    with Session(engine) as s:
        s.add(
            RegistryVersion(
                playbook_id=pid,
                version=1,
                slug="support-replies",
                function="Support",
                definition={},
                cycle_results=[{"cycle": 2}, {"cycle": 3}],
                scale_rule_held=True,
                published_by="UCURATOR",
                published_at=clock(),
            )
        )
        s.commit()
    assert governance.scale_history([pid])[pid][1] == 3  # the publication covers cycle 3


def test_a_cycle_result_keeps_whether_it_was_interrupted_and_stalls_read_back(engine, playbook, clock):
    """Cycle 2 was paused in its third week: its result says so. Only the completed
    cycles count for stalls, read with each stall's figures and week."""
    from datetime import UTC, datetime

    pid = playbook.playbook.id
    governance = Governance(engine)
    assert governance.stalls([pid]) == {}
    ends = {1: datetime(2026, 12, 14, 11, tzinfo=UTC), 2: datetime(2027, 1, 4, 11, tzinfo=UTC)}
    starts = {1: date(2026, 11, 16), 2: date(2026, 12, 14)}
    ends[3], starts[3] = datetime(2027, 1, 25, 11, tzinfo=UTC), date(2026, 12, 28)
    with Session(engine) as s:
        for cycle in (1, 2, 3):
            s.add(
                CycleResult(
                    playbook_id=pid,
                    cycle=cycle,
                    starts_on=starts[cycle],
                    kpi_weeks=3,
                    mean=30.0,
                    target=15.0,
                    direction="down",
                    hit=False,
                    weeks_met=0,
                    interrupted=cycle == 2,
                    recorded_at=clock(),
                    closed_at=ends[cycle],
                )
            )
        s.commit()
    results, _ = governance.scale_history([pid])[pid]
    assert [(r.cycle, r.interrupted) for r in results] == [(1, False), (2, True), (3, False)]
    figures = {"cycle": 3, "reason": "missed", "cycles": [1, 3]}
    committed(Store(engine)).governance.apply(
        Change(decisions=[cycle_decisions.of_stall(pid, date(2027, 1, 18), figures)]), clock()
    )
    stalls = governance.stalls([pid, pid + 1000])
    assert list(stalls) == [pid]
    assert stalls[pid].completed == [1, 3]
    assert stalls[pid].by_cycle == {3: {**figures, "week_start": date(2027, 1, 18)}}


def test_a_transitions_rule_is_kept_as_the_same_text_it_always_was(engine, playbook, clock):
    """Rules are enum members (cadence.rules.TransitionRule); a decision row keeps their
    text, in its rule, its actor and its figures, as it did when they were bare strings,
    so rows written before and after read alike (COPY on PostgreSQL, INSERT on SQLite)."""
    step = playbook.steps[1]
    demotion = Transition(
        Kind.DEMOTION,
        TransitionRule.CRITICAL,
        date(2026, 11, 16),
        "ai-led",
        "collaborative",
        counter="exceptions over 2 × cap in one week",
        figures={"rule": TransitionRule.CRITICAL},
    )
    change = Change(decisions=[mode_decisions.of_transition(demotion, playbook.playbook.id, step.id, step.name, None)])
    assert committed(Store(engine)).governance.apply(change, clock())
    with Session(engine) as s:
        row = s.exec(select(Decision).where(Decision.step_id == step.id, Decision.kind == "mode-change")).one()
    assert (row.rule, row.actor, row.figures["rule"]) == ("critical", "rule:critical", "critical")
    assert type(row.rule) is str and row.summary == (
        f"{step.name}: demotion (ai-led → collaborative); rule critical; exceptions over 2 × cap in one week"
    )
