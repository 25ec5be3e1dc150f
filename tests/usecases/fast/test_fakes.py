"""The fakes behave as what they stand for on the points the use cases rely on: a unit of
work keeps only what it commits, a raise leaves nothing, a closed week and a reused key
are refused by add_reports as the database refuses them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from storage.report_batches import new_report
from storage.store import KeyReused, WeekClosed
from tests import fakes
from tests.committed import committed
from tests.fakes import NOW, FakeStore

WEEK = date(2026, 3, 9)


def row(state, value=1.0, key=None, report_hash=None, counts_for=""):
    made = new_report("kpi", state.playbook.id, WEEK, "U1", NOW, key=key, counts_for=counts_for, value=value)
    return replace(made, report_hash=report_hash)


def test_a_unit_of_work_keeps_what_it_commits():
    state = fakes.a_playbook()
    store = FakeStore(state)
    with store.unit_of_work() as uow:
        uow.reports.add_reports([row(state)])
        uow.commit()
    assert len(store.reports.stored()) == 1 and store.units[0].committed


def test_leaving_without_commit_keeps_nothing():
    state = fakes.a_playbook()
    store = FakeStore(state)
    with store.unit_of_work() as uow:
        uow.reports.add_reports([row(state)])
        uow.sources.record([{"x": 1}])
        uow.governance.add_decisions([{"y": 2}])
    assert store.reports.stored() == [] and store.held.fetches == [] and store.held.decisions == []
    assert not store.units[0].committed


def test_a_raise_keeps_nothing_written_in_the_block():
    state = fakes.a_playbook()
    store = FakeStore(state)
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.reports.add_reports([row(state)])
        raise RuntimeError
    assert store.reports.stored() == []


def test_what_follows_a_commit_in_the_block_is_rolled_back():
    state = fakes.a_playbook()
    store = FakeStore(state)
    with store.unit_of_work() as uow:
        uow.reports.add_reports([row(state, 1)])
        uow.commit()
        uow.reports.add_reports([row(state, 2)])
    assert [r.values["value"] for r in store.reports.stored()] == [1]


def test_the_store_does_not_see_the_blocks_writes_before_commit():
    state = fakes.a_playbook()
    store = FakeStore(state)
    with store.unit_of_work() as uow:
        uow.reports.add_reports([row(state)])
        assert store.reports.stored() == [] and len(uow.reports.stored()) == 1
        uow.commit()


def test_a_closed_week_writes_nothing_of_the_batch():
    state = fakes.a_playbook(closed_through=WEEK)
    other = fakes.a_playbook("other")
    store = FakeStore(state, other)
    with pytest.raises(WeekClosed) as raised:
        committed(store).reports.add_reports([row(other), row(state)])
    assert raised.value.index == 1 and store.reports.stored() == []


def test_a_key_reused_for_another_report():
    state = fakes.a_playbook()
    store = FakeStore(state)
    committed(store).reports.add_reports([row(state, key="7:a", report_hash="h1")])
    with pytest.raises(KeyReused) as raised:
        committed(store).reports.add_reports(
            [row(state, 2, key="7:b", report_hash="h"), row(state, 3, key="7:a", report_hash="h2")]
        )
    assert raised.value.indexes == [1] and len(store.reports.stored()) == 1


def test_a_key_sent_again_is_answered_not_written():
    state = fakes.a_playbook()
    store = FakeStore(state)
    committed(store).reports.add_reports([row(state, key="7:a", report_hash="h", counts_for="w2")])
    answers = committed(store).reports.add_reports([row(state, key="7:a", report_hash="h")])
    assert answers == {"7:a": dict(week_start=WEEK, counts_for="w2", report_hash="h")}
    assert len(store.reports.stored()) == 1


def test_a_reading_sees_what_is_committed():
    state = fakes.a_playbook()
    store = FakeStore(state)
    committed(store).reports.add_reports([row(state)])
    with store.reading() as reading:
        assert reading.playbooks.state(state.playbook.slug) is state
        assert len(reading.reports.stored()) == 1


def test_a_playbook_built_as_storage_loads_one():
    state = fakes.a_playbook(
        steps=[{"name": "a", "mode": "ai-led"}, {"name": "b", "mode": "human-led", "pinned": True}]
    )
    assert [(s.name, s.position, s.mode, s.pinned) for s in state.steps] == [
        ("a", 0, "ai-led", False),
        ("b", 1, "human-led", True),
    ]
    assert {s.playbook_id for s in state.steps} == {state.playbook.id}
    assert state.playbook.definition["steps"][1]["pinned"] is True
    assert state.settings.grace_hours == 12
    assert state.cycle_anchor is not None and state.cycle_anchor.starts_on == date(2026, 3, 2)


def test_each_playbook_has_its_own_ids():
    one, two = fakes.a_playbook("one"), fakes.a_playbook("two")
    ids = [one.playbook.id, two.playbook.id, *(s.id for s in one.steps + two.steps)]
    assert len(set(ids)) == len(ids)


# ---- the fakes keep to the real interfaces ----

REAL = [
    ("tests.fakes.store:FakeAssessments", "storage.assessments:Assessments"),
    ("tests.fakes.playbooks:FakePlaybooks", "storage.playbooks:Playbooks"),
    ("tests.fakes.playbooks:FakeMade", "storage.made:MadePlaybooks"),
    ("tests.fakes.reports:FakeReports", "storage.weekly_reports:WeeklyReports"),
    ("tests.fakes.org:FakeOrg", "storage.roles:RolesAndSettings"),
    ("tests.fakes.org:FakePeople", "storage.people:People"),
    ("tests.fakes.store:FakeSources", "storage.source_fetches:SourceFetches"),
    ("tests.fakes.governance:FakeGovernance", "storage.governance:Governance"),
    ("tests.fakes.registry:FakeRegistry", "storage.registry:Registry"),
    ("tests.fakes.learnings:FakeLearnings", "storage.learnings:Learnings"),
    ("tests.fakes.store:FakeOutbox", "storage.outbox:Outbox"),
    ("tests.fakes.store:FakeTokens", "storage.api_tokens:ApiTokens"),
    ("tests.fakes.queue:FakeExceptionItems", "storage.exception_items:ExceptionItems"),
    ("tests.fakes.queue:FakeEscalations", "storage.escalations:Escalations"),
    ("tests.fakes.teams:FakeChampions", "storage.champions:Champions"),
    ("tests.fakes.teams:FakeCalibrations", "storage.calibration:Calibrations"),
    ("tests.fakes.teams:FakePulses", "storage.pulse:Pulses"),
    ("tests.fakes.teams:FakeTeamLoads", "storage.team_load:TeamLoads"),
    ("tests.fakes.teams:FakeFormTimes", "storage.form_times:FormTimes"),
    ("tests.fakes.teams:FakeInputChecks", "storage.input_checks:InputChecks"),
    ("tests.fakes.teams:FakeOutOfScope", "storage.boundaries:OutOfScope"),
    ("tests.fakes.teams:FakeReadouts", "storage.readouts:Readouts"),
    ("tests.fakes.clock:FakeCadenceLog", "storage.cadence_log:CadenceLog"),
    ("tests.fakes.clock:FakeHealth", "storage.health:Health"),
    ("tests.fakes.clock:FakeRequestKeys", "storage.request_keys:RequestKeys"),
    ("tests.fakes.clock:FakeWebLogins", "storage.web_logins:WebLogins"),
    ("tests.fakes.bars:FakeBarRequests", "storage.bar_requests:BarRequests"),
    ("tests.fakes.bars:FakePublishRequests", "storage.publish_requests:PublishRequests"),
    ("tests.fakes.bars:FakeDepth", "storage.depth:Depth"),
    ("tests.fakes.clock:FakeWebhooks", "storage.webhooks:Webhooks"),
    ("tests.fakes.value:FakeValueCounts", "storage.value_counts:ValueCounts"),
    ("tests.fakes.usage:FakeUsage", "storage.usage:Usage"),
    ("tests.fakes.slack:FakeDirectory", "slack_api.members:TeamDirectory"),
]
TEST_ONLY = {"stored"}  # the fakes' own reads, for tests


def _class(name):
    import importlib

    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _parameters(function):
    import inspect

    return [p for p in inspect.signature(function).parameters if p != "self"]


def _defaults(function, names=None):
    """Each parameter's default (of `names` only, if given): a fake defaulting otherwise
    would answer a call that leaves it out differently."""
    import inspect

    parameters = inspect.signature(function).parameters
    return {n: p.default for n, p in parameters.items() if n != "self" and (names is None or n in names)}


@pytest.mark.parametrize(("fake", "real"), REAL, ids=[r.split(":")[1] for _, r in REAL])
def test_each_fake_method_is_the_real_ones_with_its_parameters(fake, real):
    fake_class, real_class = _class(fake), _class(real)
    own = {n: v for c in reversed(fake_class.__mro__[:-1]) for n, v in vars(c).items()}  # a shared fake's too
    methods = [n for n, v in own.items() if callable(v) and not n.startswith("_") and n not in TEST_ONLY]
    assert methods
    for name in methods:
        assert hasattr(real_class, name), f"{real}.{name} does not exist"
        real_names = _parameters(getattr(real_class, name))
        assert _parameters(getattr(fake_class, name)) == real_names[: len(_parameters(getattr(fake_class, name)))]
        assert _defaults(getattr(fake_class, name)) == _defaults(
            getattr(real_class, name), _parameters(getattr(fake_class, name))
        ), f"{fake}.{name}'s defaults are not the real one's"


def test_each_area_of_the_fake_store_is_the_stores_and_checked_above():
    """Every repository the fake store has stands in for the Store's area of that name
    (storage/store.py), and is in REAL, so its methods are held to the real ones'."""
    from tests.fakes.reach import areas

    store = FakeStore()
    faked = {
        name: type(value).__name__ for name, value in vars(store).items() if type(value).__name__.startswith("Fake")
    }
    assert set(faked) <= areas()
    assert set(faked.values()) <= {fake.split(":")[1] for fake, _ in REAL}
    assert len(faked) >= 16
