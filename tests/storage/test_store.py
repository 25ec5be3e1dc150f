import copy
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from cadence.report_kinds import ReportKind
from storage.models.governance import Decision
from storage.models.org import Setting
from storage.models.playbooks import Playbook, Step
from storage.models.reports import KpiReading
from tests import reported
from tests.committed import committed, loaded
from tests.conftest import OWNER, SUPPORT_REPLIES

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
WEEK = date(2026, 11, 16)


def test_instants_come_back_utc_aware(store, engine, playbook):
    berlin = timezone(timedelta(hours=1))
    reported.add_kpi_reading(
        store, playbook.playbook.id, WEEK, 20.0, OWNER, datetime(2026, 11, 18, 12, 0, tzinfo=berlin)
    )
    with Session(engine) as s:
        reading = s.exec(select(KpiReading)).one()
        created = s.exec(select(Playbook)).one().created_at
    assert reading.reported_at == datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
    assert reading.reported_at.tzinfo == UTC
    assert created.tzinfo == UTC


def test_naive_instants_are_refused(store, playbook):
    with pytest.raises(Exception, match="naive"):
        reported.add_kpi_reading(store, playbook.playbook.id, WEEK, 20.0, OWNER, datetime(2026, 11, 18, 12, 0))


def test_latest_report_wins_and_history_is_kept(store, engine, playbook):
    pid = playbook.playbook.id
    draft = playbook.step("draft")
    reported.add_kpi_reading(store, pid, WEEK, 30.0, OWNER, AT)
    reported.add_kpi_reading(store, pid, WEEK, 25.0, OWNER, AT)
    reported.add_case_count(store, pid, draft.id, WEEK, 12, OWNER, AT)
    reported.add_case_count(store, pid, draft.id, WEEK, 20, OWNER, AT)
    reported.add_rubric_score(store, pid, draft.id, WEEK, 0.8, OWNER, AT)
    reported.add_rubric_score(store, pid, draft.id, WEEK, 0.95, OWNER, AT)
    committed(store).reports.add_checkin(pid, WEEK, "UA", "deviated", draft.id, "model down", AT)
    committed(store).reports.add_checkin(pid, WEEK, "UA", "followed", None, None, AT)
    committed(store).reports.add_checkin(pid, WEEK, "UB", "deviated", draft.id, "edge case", AT)
    reported.add_exception(store, pid, draft.id, WEEK, "refund over limit", OWNER, AT)
    figures = store.reports.week_figures(playbook, WEEK)
    assert (figures.kpi, figures.kpi_reports) == (25.0, 2)
    step = next(s for s in figures.steps if s.name == "draft")
    assert (step.cases, step.rubric, step.exceptions, step.deviations) == (20, 0.95, 1, 1)
    assert step.exception_ratio == pytest.approx(2 / 20)
    assert [(a.user_id, a.attestation) for a in figures.attestations] == [("UA", "followed"), ("UB", "deviated")]
    # other weeks are untouched
    assert store.reports.week_figures(playbook, WEEK + timedelta(days=7)).kpi is None


def test_concurrent_reports_keep_every_row_and_agree_on_the_latest(store, engine, playbook):
    pid = playbook.playbook.id
    barrier = threading.Barrier(8)
    errors = []

    def report(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                reported.add_kpi_reading(store, pid, WEEK, float(worker * 100 + i), f"U{worker}", AT)
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=report, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        rows = s.exec(select(KpiReading).order_by(KpiReading.id)).all()
    assert len(rows) == 80
    figures = store.reports.week_figures(playbook, WEEK)
    assert figures.kpi_reports == 80
    assert figures.kpi == rows[-1].value  # the highest id is the latest, by construction


def test_many_weeks_figures_keep_each_playbook_to_its_own_week(store, engine, playbook):
    """Asked for playbook A's week 1 and B's week 2, a report of A's week 2 or B's week 1
    must not show (the reads take playbooks x weeks and keep what was asked); a withdrawn
    latest report gives way to the one before it."""
    from storage.readouts import Readouts

    other = copy.deepcopy(SUPPORT_REPLIES) | {"playbook": "other-team", "channel": "COTHER0001"}
    _load(store, other)
    b = store.playbooks.state("other-team")
    a, next_week = playbook, WEEK + timedelta(days=7)
    reported.add_kpi_reading(store, a.playbook.id, WEEK, 10.0, OWNER, AT)
    reported.add_kpi_reading(store, a.playbook.id, next_week, 11.0, OWNER, AT)
    reported.add_kpi_reading(store, b.playbook.id, WEEK, 20.0, OWNER, AT)
    reported.add_kpi_reading(store, b.playbook.id, next_week, 21.0, OWNER, AT)
    reported.add_kpi_reading(store, b.playbook.id, next_week, 22.0, "USOMEONE1", AT)
    committed(store).reports.withdraw_latest(b.playbook.id, "USOMEONE1", [next_week], [ReportKind.KPI], "USOMEONE1", AT)
    figures = store.reports.week_figures_many([(a, WEEK), (b, next_week)])
    assert set(figures) == {(a.playbook.id, WEEK), (b.playbook.id, next_week)}
    assert (figures[(a.playbook.id, WEEK)].kpi, figures[(a.playbook.id, WEEK)].kpi_reports) == (10.0, 1)
    assert (figures[(b.playbook.id, next_week)].kpi, figures[(b.playbook.id, next_week)].kpi_reports) == (21.0, 1)
    series = Readouts(engine).kpi_series([a.playbook.id, b.playbook.id], [WEEK, next_week, next_week + timedelta(7)])
    assert series == {
        (a.playbook.id, WEEK): 10.0,
        (a.playbook.id, next_week): 11.0,
        (b.playbook.id, WEEK): 20.0,
        (b.playbook.id, next_week): 21.0,
    }


def test_each_members_latest_checkin_counts_however_many_they_made(store, playbook):
    """Member by member (SQLite walks the counting index from one member to the next):
    the latest check-in that counts, a withdrawn one giving way to the one before it, a
    member whose only check-in was withdrawn not counted, another playbook's and another
    week's check-ins not shown, and the attestations oldest first."""
    other = copy.deepcopy(SUPPORT_REPLIES) | {"playbook": "other-team", "channel": "COTHER0001"}
    _load(store, other)
    b = store.playbooks.state("other-team")
    pid, draft = playbook.playbook.id, playbook.step("draft")
    minute = timedelta(minutes=1)
    for n in range(5):
        committed(store).reports.add_checkin(pid, WEEK, "UC", "followed", None, None, AT + n * minute)
    committed(store).reports.add_checkin(pid, WEEK, "UA", "deviated", draft.id, "edge case", AT + 6 * minute)
    committed(store).reports.add_checkin(pid, WEEK, "UA", "followed", None, None, AT + 7 * minute)
    committed(store).reports.withdraw_latest(pid, "UA", [WEEK], [ReportKind.CHECKIN], "UA", AT + 8 * minute)
    committed(store).reports.add_checkin(pid, WEEK, "UB", "followed", None, None, AT + 9 * minute)
    committed(store).reports.withdraw_latest(pid, "UB", [WEEK], ["checkin"], "UB", AT + 10 * minute)
    committed(store).reports.add_checkin(pid, WEEK, "UD", "followed", None, None, AT + 11 * minute)
    committed(store).reports.add_checkin(pid, WEEK + timedelta(days=7), "UE", "followed", None, None, AT)
    committed(store).reports.add_checkin(b.playbook.id, WEEK, "UF", "followed", None, None, AT)
    figures = store.reports.week_figures(playbook, WEEK)
    assert [(a.user_id, a.attestation) for a in figures.attestations] == [
        ("UC", "followed"),
        ("UA", "deviated"),
        ("UD", "followed"),
    ]
    assert next(s for s in figures.steps if s.name == "draft").deviations == 1
    both = store.reports.week_figures_many([(playbook, WEEK), (b, WEEK)])
    assert [a.user_id for a in both[(b.playbook.id, WEEK)].attestations] == ["UF"]


def _load(store, raw, actor="file:test.yaml"):
    return loaded(store, [parse_playbook(raw)], "UTC", actor=actor, at=AT)


def test_loading_twice_changes_nothing(store, engine):
    assert [o.action for o in _load(store, SUPPORT_REPLIES)] == ["created"]
    with Session(engine) as s:
        before = (s.exec(select(Playbook)).one().updated_at, len(s.exec(select(Decision)).all()))
    assert [o.action for o in _load(store, copy.deepcopy(SUPPORT_REPLIES))] == ["unchanged"]
    with Session(engine) as s:
        after = (s.exec(select(Playbook)).one().updated_at, len(s.exec(select(Decision)).all()))
    assert before == after


def test_a_changed_definition_is_applied_and_recorded(store, engine):
    _load(store, SUPPORT_REPLIES)
    changed = copy.deepcopy(SUPPORT_REPLIES)
    changed["title"] = "Support replies v2"
    changed["steps"] = [
        {"name": "draft", "mode": "ai-led"},
        {"name": "send", "mode": "ai-led"},
        {"name": "review", "mode": "human-led"},
    ]
    outcome = _load(store, changed)[0]
    assert outcome.action == "updated" and outcome.changes == ["steps", "title"]
    state = store.playbooks.state("support-replies")
    assert state.playbook.title == "Support replies v2"
    assert [(s.name, s.mode) for s in state.steps] == [("draft", "ai-led"), ("send", "ai-led"), ("review", "human-led")]
    with Session(engine) as s:
        kinds = [(d.kind, d.from_mode, d.to_mode) for d in s.exec(select(Decision).order_by(Decision.id))]
        refunds = s.exec(select(Step).where(Step.name == "refunds")).one()
    assert kinds == [
        ("playbook-created", None, None),
        ("mode-change", "collaborative", "ai-led"),
        ("playbook-changed", None, None),
    ]
    assert refunds.retired_at is not None  # removed from the file, history kept


def test_reloading_does_not_undo_a_mode_set_since(store, engine):
    _load(store, SUPPORT_REPLIES)
    with Session(engine) as s:
        send = s.exec(select(Step).where(Step.name == "send")).one()
        send.mode = "collaborative"  # as a demotion would
        s.add(send)
        s.commit()
    changed = copy.deepcopy(SUPPORT_REPLIES)
    changed["title"] = "New title"
    _load(store, changed)
    assert store.playbooks.state("support-replies").step("send").mode == "collaborative"


def test_a_persons_playbooks_include_those_whose_exception_queue_they_own(store):
    """Read from the definition itself: the owner named exactly, not a text that contains it."""
    _load(store, {**copy.deepcopy(SUPPORT_REPLIES), "exception_owner": "UQUEUE12"})
    _load(store, {**copy.deepcopy(SUPPORT_REPLIES), "playbook": "other-one", "exception_owner": "UQUEUE1"})
    _load(store, {**copy.deepcopy(SUPPORT_REPLIES), "playbook": "third-one"})
    assert [s.playbook.slug for s in store.playbooks.of_person("UQUEUE1")] == ["other-one"]
    assert [s.playbook.slug for s in store.playbooks.of_person("UQUEUE12")] == ["support-replies"]
    assert [s.playbook.slug for s in store.playbooks.of_person("UNOBODY1")] == []
    assert len(store.playbooks.of_person(OWNER)) == 3


def test_curators_are_added_once(store):
    assert committed(store).org.add_curator("UCUR", "UADMIN", AT) is True
    assert committed(store).org.add_curator("UCUR", "UADMIN", AT) is False
    assert store.org.curators() == {"UCUR"}
    assert committed(store).org.remove_curator("UCUR") is True
    assert committed(store).org.remove_curator("UCUR") is False
    # their decision rows are the use case's, in its unit of work (tests/usecases/fast/test_people_and_org.py)
    assert committed(store).playbooks.decisions() == []


# ---- playbook states, as the database holds them ----------------------------------------


def test_a_change_made_by_another_process_is_seen_at_once(store, engine, database_url, playbook):
    """Another process (the clock, another worker, a hand-written UPDATE) changes a step,
    a cycle or the playbook row: the next lookup here sees it."""
    from storage.db import make_engine
    from storage.store import Store

    cached = store.playbooks.state("support-replies")
    other = make_engine(database_url)
    try:
        with other.begin() as connection:
            connection.exec_driver_sql("UPDATE step SET mode = 'ai-led' WHERE name = 'draft'")
        assert store.playbooks.state("support-replies").step("draft").mode == "ai-led"
        assert committed(Store(other)).playbooks.end_run(playbook.playbook.id, "paused", "holiday", WEEK, AT)
        state = store.playbooks.state("support-replies")
        assert state.playbook.status == "paused" and state.anchor.ends_after == WEEK
        with other.begin() as connection:
            connection.exec_driver_sql("DELETE FROM step WHERE name = 'refunds'")
        assert [s.name for s in store.playbooks.state("support-replies").steps] == ["draft", "send"]
        assert cached.playbook.status == "active"  # a state handed out earlier is left as it was
    finally:
        other.dispose()


def test_the_clock_sees_a_change_made_by_another_process_at_once(store, engine, database_url, playbook):
    from storage.db import make_engine

    assert store.playbooks.clock_states()[0].step("draft").mode == "collaborative"
    other = make_engine(database_url)
    try:
        with other.begin() as connection:
            connection.exec_driver_sql("UPDATE step SET mode = 'ai-led' WHERE name = 'draft'")
        assert store.playbooks.clock_states()[0].step("draft").mode == "ai-led"
        with other.begin() as connection:
            connection.exec_driver_sql("UPDATE playbook SET status = 'draft'")
        assert store.playbooks.clock_states() == []
    finally:
        other.dispose()


def test_an_unknown_playbook_reads_as_none(store, playbook):
    assert store.playbooks.state("nobody") is None
    assert store.playbooks.state_by_id(999_999) is None


def test_a_busy_week_is_counted_up_to_a_point(store, playbook, bot):
    """Status says how many KPI reports a week has, and past 100 "more than 100": reading
    a week of thousands costs what a week of a hundred does."""
    from cadence.figures import REPORTS_COUNTED_UP_TO

    pid = playbook.playbook.id
    for i in range(REPORTS_COUNTED_UP_TO + 5):
        reported.add_kpi_reading(store, pid, WEEK, float(i), OWNER, AT)
    figures = store.reports.week_figures(playbook, WEEK)
    assert (figures.kpi, figures.kpi_reports) == (REPORTS_COUNTED_UP_TO + 4.0, REPORTS_COUNTED_UP_TO + 1)
    reply = bot.command("status support-replies", user=OWNER)
    assert "(latest of more than 100 reports)" in reply.text
    reported.add_kpi_reading(store, pid, WEEK + timedelta(days=7), 1.0, OWNER, AT)
    reported.add_kpi_reading(store, pid, WEEK + timedelta(days=7), 2.0, OWNER, AT)
    assert store.reports.week_figures(playbook, WEEK + timedelta(days=7)).kpi_reports == 2


def test_a_pooled_connection_cut_while_idle_is_replaced_before_use(engine, database_url):
    """A server restart or a proxy's timeout cuts connections sitting in the pool: each is
    pinged before use (pool_pre_ping) and replaced, so no request sees the cut."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    from sqlalchemy import text

    from storage import db

    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = db.make_engine(database_url)
    try:
        with killer.connect() as k:
            k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid


def test_a_refused_tokens_hold_is_that_tokens_only(engine):
    """Issue 66, item 3: a hold left by Slack refusing one token held every process after
    the token was changed. It is kept with the refused token's fingerprint (not the token):
    a process with another token reads no hold, and its own refusal replaces the old one."""
    from storage.store import Store

    old, new = Store(engine, slack_token="xoxb-old"), Store(engine, slack_token="xoxb-new")
    at = datetime(2026, 11, 26, 11, 35, tzinfo=UTC)
    assert old.health.lose_slack_access("invalid_auth", at)
    assert old.health.slack_access_lost() == ("invalid_auth", at)
    assert not old.health.lose_slack_access("invalid_auth", at)  # said once
    assert new.health.slack_access_lost() is None
    assert new.health.lose_slack_access("token_revoked", at + timedelta(hours=1))  # news: this token's
    assert new.health.slack_access_lost() == ("token_revoked", at + timedelta(hours=1))
    assert old.health.slack_access_lost() is None
    with Session(engine) as session:
        kept = " ".join(f"{row}" for row in session.exec(select(Setting)).all())
    assert "xoxb-new" not in kept and "xoxb-old" not in kept
    assert new.health.regain_slack_access() and new.health.slack_access_lost() is None
