"""Value the sponsor can weigh and its net value, read on the database (SQLite and
PostgreSQL; moved from tests/usecases/fast/test_value.py, issue 110, item 6: the reads
that only render are not faked): the use case's figures from reports and the sources'
fetches as storage/value_counts.py reads them; an unknown spend never taken as 0, "no
spend declared" without `cost:`, the org's partial sum said so; cost per hour saved
charging only the weeks counted (issue 91, items 2 and 9). A promotion's oversight said
before and since, and the org's words, stay on the fakes (tests/usecases/fast/
test_value.py); end to end: tests/bot/test_value.py and tests/bot/test_net_value.py."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from handlers.web_view import make_web_view
from storage.report_batches import new_report
from storage.source_fetches import fetch_row
from tests.committed import committed
from tests.fakes import OWNER
from tests.usecases import on_database
from tests.usecases.fast.slash import slash
from usecases import org_value, web, web_overview
from usecases import value as worth

WEEK_1, WEEK_2 = date(2026, 11, 16), date(2026, 11, 23)
AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # week 3: weeks 1 and 2 closed
BILLING = {"billing": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
UNKNOWN = "net value unknown: the spend from billing failed for the week of 2026-11-16"


def _playbook(store, slug: str, **definition):
    channel = "C" + slug.upper().replace("-", "")[:9]
    return on_database.a_playbook(store, slug, cycle_started=WEEK_1, org_timezone="UTC", channel=channel, **definition)


def _close(services, *states, through=WEEK_2):
    """The clock closes the weeks through `through`: the playbooks as they are then."""
    store = services.store
    committed(store).governance.close_weeks([(s.playbook.id, through) for s in states])
    return [store.playbooks.state(s.playbook.slug) for s in states]


def _world(store):
    """support-replies: 412 accepted replies (its draft cases, 6 min each) and 90 reviews
    (4 min each) in week 1, its cost from billing, whose ask for week 1 failed;
    invoice-matching: 20 `po_matched` of its own (30 min each) and 10 reviews (6 min each)
    in week 1, no `cost:`."""
    support = _playbook(
        store,
        "support-replies",
        sources=BILLING,
        value_events=[{"name": "reply_accepted", "step": "draft", "counts": "cases"}],
        value={"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4},
        cost={"source": "billing", "query": "select amount from invoices"},
    )
    invoices = _playbook(
        store, "invoice-matching", value={"event": "po_matched", "minutes_saved": 30, "review_minutes": 6}
    )
    services = on_database.services(
        store, support, invoices, now=NOW, org_timezone="UTC", currency="USD", hourly_rate=50
    )
    s, i = support.playbook.id, invoices.playbook.id
    draft_s, draft_i = support.steps[0].id, invoices.steps[0].id
    committed(store).reports.add_reports(
        [
            new_report("cases", s, WEEK_1, OWNER, AT, step_id=draft_s, cases=412),
            new_report("rubric", s, WEEK_1, OWNER, AT, step_id=draft_s, score=0.9, reviewed=90),
            new_report("value", i, WEEK_1, "token:events", AT, event="po_matched", count=20),
            new_report("rubric", i, WEEK_1, OWNER, AT, step_id=draft_i, score=1.0, reviewed=10),
        ]
    )
    committed(store).sources.record(
        [fetch_row(s, WEEK_1, "cost", "billing", "select amount from invoices", AT, error="HTTP 500")]
    )
    return services, *_close(services, support, invoices)


def test_an_unknown_spend_gives_no_net_value_and_no_cost_says_no_spend_declared(store):
    services, support, invoices = _world(store)
    states = [support, invoices]
    measures = worth.of_playbooks(services.store, states, "USD", rate=50)
    pulled, own = measures[support.playbook.id], measures[invoices.playbook.id]
    assert pulled is not None and own is not None
    assert pulled.last_net == (pytest.approx(35.2), 1)  # 41.2 h saved − 90 × 4 min
    assert pulled.per_month is None and pulled.net_value is None and pulled.spend.declared
    assert pulled.cost_said == (
        "cost from billing unknown for the week of 2026-11-16: source failed: HTTP 500, so no cost per hour"
    )
    assert UNKNOWN in pulled.net_words() and "spend)" not in worth.words(pulled)
    data = pulled.as_data()
    assert data["net_value"] is None and data["net_value_said"] == UNKNOWN and data["spend_declared"] is True
    assert own.net_value == pytest.approx(450) and not own.spend.declared  # 9 h × 50
    assert own.as_data()["net_value_said"] == "net value 450 USD (9 h × 50.00 USD an hour; no spend declared)"

    org = org_value.of_org(measures, "USD")
    assert org.net_value == pytest.approx(450)  # the unknown left out, never added as 0
    assert org.net_words.endswith(
        "; net value 450 USD (1 of 2 playbooks: 1 left out, its spend not known; 1 with no spend declared)"
    )


def test_the_spend_is_said_where_value_is_shown_status_the_page_and_the_first_screen(store):
    services, support, invoices = _world(store)
    said = slash(services, "status support-replies", OWNER, support.playbook.channel_id)
    assert UNKNOWN in said and "USD spend" not in said
    assert "net value 450 USD (9 h × 50.00 USD an hour; no spend declared)" in slash(
        services, "status invoice-matching", OWNER, invoices.playbook.channel_id
    )
    page = TestClient(make_web_view(services, secrets.token_hex(16), secure=False, signed_in_as=OWNER))
    shown = page.get("/playbooks/support-replies")
    assert shown.status_code == 200 and UNKNOWN in shown.text and "USD spend" not in shown.text
    first = web_overview.overview(services, web.Viewer(OWNER))
    assert first.org["value"].net_value == pytest.approx(450)
    assert "1 of 2 playbooks: 1 left out, its spend not known" in page.get("/").text


def test_a_spend_fetched_later_in_its_week_counts_and_one_never_asked_is_not_fetched(store):
    """A week's value fetched after a failed ask stands; a week of the 4 never asked leaves
    the spend unknown ("was not fetched")."""
    services, support, _ = _world(store)
    pid = support.playbook.id
    committed(store).sources.record([fetch_row(pid, WEEK_1, "cost", "billing", "select 1", AT, value=1300.0)])
    measure = worth.of_playbook(services.store, support, "USD", 50)
    assert measure is not None and measure.per_month is None  # week 2's cost was never asked
    assert measure.worth is not None
    assert measure.worth.words == "net value unknown: the spend from billing was not fetched for the week of 2026-11-23"
    committed(store).sources.record([fetch_row(pid, WEEK_2, "cost", "billing", "select 1", AT, value=1100.0)])
    measure = worth.of_playbook(services.store, support, "USD", 50)
    assert measure is not None and measure.per_month == 1200 and measure.cost_said is None
    spent = 1200 * 12 / 52  # the one week whose net is known
    assert measure.net_value == pytest.approx(35.2 * 50 - spent)
    assert measure.worth is not None and measure.worth.words.endswith(f"− {spent:,.0f} USD spend)")


def test_cost_per_hour_saved_charges_the_weeks_counted_not_four(store):
    """Issue 91, item 9: a playbook two weeks old, its events counted in both, is charged
    two weeks of cost (the 24 weeks before its first are no weeks of 0 h); the org's too."""
    state = _playbook(
        store, "invoice-matching", value={"event": "po_matched", "minutes_saved": 30}, cost={"per_month": 1300}
    )
    services = on_database.services(store, state, now=NOW, org_timezone="UTC", currency="USD")
    pid = state.playbook.id
    committed(store).reports.add_reports(
        [new_report("value", pid, w, "token:events", AT, event="po_matched", count=100) for w in (WEEK_1, WEEK_2)]
    )
    [state] = _close(services, state)
    measure = worth.of_playbook(services.store, state, "USD")
    assert measure is not None and measure.last_hours == 100 and measure.counted_weeks == 2
    assert measure.cost_per_hour == pytest.approx(1300 * 12 / 52 * 2 / 100)  # was × 4
    assert measure.as_data()["cost_weeks"] == 2
    assert "6.00 USD per hour saved (the cost of the 2 closed weeks whose events were counted)" in worth.words(measure)
    org = org_value.of_org({pid: measure}, "USD")
    assert org.cost_per_hour == pytest.approx(1300 * 12 / 52 * 2 / 100)
    # week 3 closed with no events: not charged either, it saved no hours we know of
    [state] = _close(services, state, through=WEEK_2 + timedelta(days=7))
    later = worth.of_playbook(services.store, state, "USD")
    assert later is not None and later.counted_weeks == 2 and later.cost_per_hour == measure.cost_per_hour
