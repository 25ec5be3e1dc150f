"""Depth over months (storage/depth.py, usecases/shared/depth.py) on SQLite and
PostgreSQL: per closed week, the cases judged, the share of steps AI-led or
collaborative, and the people who reported (Slack users, once a week whatever they
reported, not API tokens or sources, not withdrawn reports); of one playbook and of
the org. And the plateau rule's reads: 16 weeks of cases and the ended week's KPI."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, update

from cadence.definition_load import parse_playbook
from storage.depth import MANY, DepthWeek
from storage.models.governance import StepVerdict
from storage.models.playbooks import Playbook
from storage.models.reports import CaseCount, CheckIn, KpiReading
from tests.committed import loaded
from tests.conftest import MEMBER, OWNER, SUPPORT_REPLIES
from usecases.shared import depth

W1, W2, W3 = date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
OTHER = "UOTHER0001"


def verdict(state, step, week, cases, mode=None):
    return dict(
        playbook_id=state.playbook.id,
        step_id=step.id,
        week_start=week,
        mode=mode or step.mode,
        outcome="PASS" if cases is not None else "MISSING",
        cases=cases,
        exceptions=0,
        rubric=None,
        recorded_at=AT,
    )


def report(table, state, week, by, withdrawn=False, **values):
    row = dict(playbook_id=state.playbook.id, week_start=week, reported_at=AT, **values)
    row["user_id" if table is CheckIn else "reported_by"] = by
    if withdrawn:
        row["withdrawn_at"], row["withdrawn_by"] = AT, by
    return row


def insert_rows(engine, table, rows):
    with engine.begin() as c:
        for row in rows:  # one by one: rows of different columns (withdrawn ones)
            c.execute(insert(table.__table__), row)


def second_playbook(store, clock):
    spec = {
        **SUPPORT_REPLIES,
        "playbook": "refund-triage",
        "title": "Refund triage",
        "channel": "CREFUNDS01",
        "guardrail": None,
        "steps": [{"name": "triage", "mode": "human-led"}],
    }
    spec.pop("guardrail")
    loaded(store, [parse_playbook(spec)], "UTC", actor="test", at=clock())
    return store.playbooks.state("refund-triage")


def test_a_playbooks_weeks_and_the_orgs(engine, store, playbook, clock):
    other = second_playbook(store, clock)
    draft, send, refunds = playbook.steps
    (triage,) = other.steps
    insert_rows(
        engine,
        StepVerdict,
        [
            verdict(playbook, draft, W1, 10),
            verdict(playbook, send, W1, 5),
            verdict(playbook, refunds, W1, 3),
            verdict(playbook, draft, W3, None, mode="ai-led"),  # promoted since; no case count that week
            verdict(other, triage, W1, 7),
        ],
    )
    step = {"step_id": draft.id}
    insert_rows(engine, KpiReading, [report(KpiReading, playbook, W1, MEMBER, value=20.0)])
    insert_rows(engine, KpiReading, [report(KpiReading, playbook, W1, "source:helpdesk", value=21.0)])
    insert_rows(
        engine,
        CaseCount,
        [
            report(CaseCount, playbook, W1, OWNER, cases=10, **step),
            report(CaseCount, playbook, W1, OWNER, cases=11, **step),  # the same person twice: once
            report(CaseCount, playbook, W1, "token:helpdesk", cases=5, **step),  # a token is not a person
            report(CaseCount, playbook, W1, OTHER, withdrawn=True, cases=4, **step),  # withdrawn: does not count
            report(CaseCount, other, W1, MEMBER, cases=7, step_id=triage.id),  # MEMBER again, elsewhere
            report(CaseCount, other, W1, OTHER, cases=7, step_id=triage.id),
        ],
    )
    insert_rows(engine, CheckIn, [report(CheckIn, playbook, W2, MEMBER, attestation="followed")])

    own = store.depth.weeks(W1, W3, playbook.playbook.id)
    assert own == {
        W1: DepthWeek(cases=18, steps=3, wider=2, people=2),  # draft and send; MEMBER and OWNER
        W2: DepthWeek(cases=None, steps=0, wider=0, people=1),  # a check-in, no verdict
        W3: DepthWeek(cases=None, steps=1, wider=1, people=0),
    }
    assert own[W1].wider_share == 2 / 3 and own[W2].wider_share is None
    org = store.depth.weeks(W1, W3)
    assert org[W1] == DepthWeek(cases=25, steps=4, wider=2, people=3)  # MEMBER counted once across playbooks
    assert store.depth.weeks(W2, W2) == {W2: DepthWeek(None, 0, 0, 1)}  # only the weeks asked
    assert store.depth.weekly_cases([playbook.playbook.id, other.playbook.id], W1, W3) == {
        (playbook.playbook.id, W1): 18,
        (other.playbook.id, W1): 7,
    }

    many = [playbook.playbook.id, *range(1000, 1000 + MANY)]  # as many as the overview asks: read by week
    assert store.depth.weekly_cases(many, W1, W3) == {(playbook.playbook.id, W1): 18}

    shown = depth.months(store, W3 + timedelta(days=14))  # two weeks with nothing since: shown empty
    assert [r["week"] for r in shown] == [W1, W2, W3, W3 + timedelta(days=7), W3 + timedelta(days=14)]
    assert shown[0] == dict(week=W1, cases=25, steps=4, wider=2, share=0.5, people=3)
    # a week with nothing at all (paused): a gap, its people too, not 0 (issue 108, item 7)
    assert shown[-1] == dict(week=W3 + timedelta(days=14), cases=None, steps=0, wider=0, share=None, people=None)
    assert depth.months(store, W2, playbook.playbook.id, first=W2) == [
        dict(week=W2, cases=None, steps=0, wider=0, share=None, people=1)  # none before `first`
    ]
    assert depth.months(store, W1 - timedelta(days=7)) == []  # nothing yet: no weeks at all


def flat_history(engine, state, cases_by_week, kpi):
    """Verdicts of `cases_by_week` (oldest first, the last ending the week before AT's) and
    the last week's KPI."""
    last = depth.ended_week(state, AT)
    weeks = [last - timedelta(days=7 * i) for i in range(len(cases_by_week) - 1, -1, -1)]
    draft = state.steps[0]
    insert_rows(engine, StepVerdict, [verdict(state, draft, w, n) for w, n in zip(weeks, cases_by_week, strict=True)])
    if kpi is not None:
        insert_rows(engine, KpiReading, [report(KpiReading, state, last, OWNER, value=kpi)])


def test_the_plateau_reads_16_weeks_and_the_ended_weeks_kpi(engine, store, playbook):
    pid = playbook.playbook.id
    with engine.begin() as c:
        c.execute(update(Playbook.__table__).values(status="active"))
    state = store.playbooks.state("support-replies")
    assert depth.plateaus(store, [state], AT) == {pid: False}  # no history
    flat_history(engine, state, [40] * 8 + [38, 40, 35, 40, 39, 40, 36, 40], kpi=30.0)  # target 15, down
    assert depth.plateaus(store, [state], AT) == {pid: True}
    with engine.begin() as c:  # a KPI on target: no plateau
        c.execute(
            insert(KpiReading.__table__), [report(KpiReading, state, depth.ended_week(state, AT), OWNER, value=14.0)]
        )
    assert depth.plateaus(store, [state], AT) == {pid: False}
    with engine.begin() as c:
        c.execute(update(Playbook.__table__).values(status="paused"))
    assert depth.plateaus(store, [store.playbooks.state("support-replies")], AT) == {pid: False}  # paused


def test_cases_that_grew_in_the_last_8_weeks_are_no_plateau(engine, store, playbook):
    with engine.begin() as c:
        c.execute(update(Playbook.__table__).values(status="active"))
    state = store.playbooks.state("support-replies")
    flat_history(engine, state, [40] * 8 + [38, 40, 35, 41, 39, 40, 36, 40], kpi=30.0)
    assert depth.plateaus(store, [state], AT) == {state.playbook.id: False}
