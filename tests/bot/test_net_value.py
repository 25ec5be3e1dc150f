"""Net value (issue 83), end to end on SQLite and PostgreSQL: value events over the API,
a review by command and exception items closed in week 1, the week form's minutes spent
reviewing in week 2; each closed week's oversight and net hours with their formula in
status, on the web view's page and first screen, in the digest's figures and the API's
playbook read (fields added, the old ones as they were); a week without reviews says
"oversight not reported", never 0; net value never claimed on an unknown spend (issue 91);
what a promotion earned. The value use case's figures: tests/usecases/test_value_figures.py."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from cadence.definition_load import DefinitionError, parse_playbook
from tests.bot.test_api import event
from tests.bot.test_api_reads import get
from tests.bot.test_value import INVOICES, INVOICES_CHANNEL, WEEK_1, WEEK_2, _services, valued
from tests.bot.test_web_view import fetch, web_session
from tests.committed import committed, loaded
from tests.conftest import OWNER, SUPPORT_REPLIES, Clock, Engine
from tests.handlers.test_week_form import open_form, submit
from tests.usecases.test_governance import close_of, wednesday
from tests.usecases.test_sources import WEEK_1_CLOSES, WEEK_1_ENDS, load, stats
from usecases import tokens, web, web_overview
from usecases import value as worth
from usecases.digest import Digest

__all__ = ["stats", "valued"]  # fixtures

OVERSIGHT = {"review_minutes": 4, "exception_minutes": 15}


def _price(store, clock):
    """support-replies as `valued` has it, its oversight priced: 4 min a review, 15 an exception item."""
    state = store.playbooks.state("support-replies")
    raw = dict(state.playbook.definition)
    raw["value"] = {**raw["value"], **OVERSIGHT}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())


def test_net_hours_with_their_formula_everywhere_value_is_shown(valued, store, clock, bot, slack):
    events, world = valued
    _price(store, clock)
    assert events.post(event("reply_accepted", 412))[0] == 201
    assert "reviewed passed" in bot.command("rubric support-replies draft 81/90", user=OWNER).text
    for i in range(8):
        bot.command(f"exception support-replies draft wrong refund {i}", user=OWNER)
    state = store.playbooks.state("support-replies")
    for item in store.exception_items.open_of([state.playbook.id]):
        committed(store).exception_items.move(item, "resolved", "fixed the template", OWNER, wednesday(1))
    world.run(close_of(1))
    clock.set(wednesday(2))  # week 2: 100 events, no review at all
    assert events.post(event("reply_accepted", 100))[0] == 201
    world.run(close_of(2))
    clock.set(wednesday(3))

    state = store.playbooks.state("support-replies")
    measure = worth.of_playbook(store, state, "EUR", 50)
    assert measure is not None
    week_1, week_2 = measure.net_weeks[-2:]
    assert week_1.saved.week_start == WEEK_1 and week_1.oversight.hours == pytest.approx(8)
    assert week_1.words() == (
        "412 replies accepted × 6 min = 41 h saved − 90 reviews × 4 min − 8 exceptions × 15 min = 8 h oversight → 33 h net"
    )
    assert week_2.saved.week_start == WEEK_2 and week_2.oversight.hours is None  # not 0
    assert week_2.words() == "100 replies accepted × 6 min = 10 h saved; oversight not reported, so no net hours"
    assert measure.last_net == (pytest.approx(33.2), 1)
    assert measure.cost_per_net_hour == pytest.approx(1200 * 12 / 52 / 33.2)
    assert measure.net_value == pytest.approx(33.2 * 50 - 1200 * 12 / 52)

    said = bot.command("status support-replies", user=OWNER).text
    assert "oversight not reported" in said and "33 h net over the last closed week whose oversight is known" in said

    services = _services(store, clock)
    page = web.playbook_page(services, web.Viewer(OWNER), "support-replies")
    assert (
        page is not None
        and page.sections["value"] is not None
        and page.sections["value"].last_net[0] == pytest.approx(33.2)
    )
    first = web_overview.overview(services, web.Viewer(OWNER))
    assert first.org["value"].net_hours == pytest.approx(33.2) and first.org["value"].net_playbooks == 1
    assert first.org["value"].net_words.startswith(  # its scope named (issue 96, item 4)
        "33 h net (41 h saved − 8 h oversight) by support-replies, 1 of 2 playbooks measuring value, the one whose"
    )

    org, _, _ = Digest(store, charts=False, currency="EUR", hourly_rate=50).figures(WEEK_2, close_of(2))
    assert org.net_hours == pytest.approx(33.2) and org.oversight_hours == pytest.approx(8)
    assert org.net_value == pytest.approx(33.2 * 50 - 1200 * 12 / 52)

    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    status, body = get(bot.base_url, "/api/v1/playbooks/support-replies", reader)
    assert status == 200
    read = body["value"]
    assert read["minutes_saved"] == 6 and read["last_4_weeks_hours"] == pytest.approx(51.2)  # unchanged fields
    assert read["review_minutes"] == 4 and read["exception_minutes"] == 15
    assert read["net_hours"] == pytest.approx(33.2) and read["net_weeks"] == 1
    weeks = {w["week"]: w for w in read["weeks"]}
    assert weeks[str(WEEK_1)]["oversight_hours"] == pytest.approx(8) and weeks[str(WEEK_1)]["reviewed"] == 90
    assert weeks[str(WEEK_1)]["exceptions_closed"] == 8 and weeks[str(WEEK_1)]["net_hours"] == pytest.approx(33.2)
    assert weeks[str(WEEK_2)]["oversight_hours"] is None and weeks[str(WEEK_2)]["reviewed"] is None
    assert weeks[str(WEEK_2)]["oversight_said"] == "oversight not reported"


def test_the_week_form_s_minutes_spent_reviewing_win_for_their_week(valued, store, clock, bot, slack):
    events, world = valued
    _price(store, clock)
    assert events.post(event("reply_accepted", 412))[0] == 201
    assert "reviewed passed" in bot.command("rubric support-replies draft 81/90", user=OWNER).text
    view = open_form(bot, slack)
    draft = store.playbooks.state("support-replies").steps[0]
    assert f"minutes:{draft.id}" in {b.get("block_id") for b in view["blocks"]}
    refused = submit(bot, view, {f"minutes:{draft.id}": "-5"})
    assert refused.body["response_action"] == "errors" and f"minutes:{draft.id}" in refused.body["errors"]
    assert submit(bot, view, {f"minutes:{draft.id}": "120"}).body["response_action"] == "update"
    world.run(close_of(1))
    clock.set(wednesday(2))
    measure = worth.of_playbook(store, store.playbooks.state("support-replies"), "EUR")
    assert measure is not None
    week_1 = measure.net_weeks[-1]
    assert week_1.oversight.hours == pytest.approx(2)  # 120 min typed, in place of 90 × 4
    assert "120 min spent reviewing (the week form)" in week_1.words()
    assert week_1.hours == pytest.approx(41.2 - 2)


def test_a_step_whose_mode_changed_says_its_oversight_per_cycle_before_and_since(valued, store, clock, bot):
    """Net value's "what a promotion earned" (back from tests/usecases/fast/test_value.py,
    issue 110, item 6: the value's reads are the database's): send reviewed 10 of its cases
    a week in cycle 1, collaborative from cycle 2 with 20 reviewed; at 4 min a review its
    oversight per cycle is said before and since."""
    _events, world = valued
    _price(store, clock)
    for week in range(1, 6):
        clock.set(wednesday(week))
        if week == 5:  # cycle 2: send is collaborative, and twice as many of its cases are reviewed
            said = bot.command("mode support-replies send collaborative the model drifts", user=OWNER).text
            assert "collaborative" in said, said
        reviewed = 10 if week < 5 else 20
        assert "cases" in bot.command("cases support-replies send 40", user=OWNER).text
        assert "passed" in bot.command(f"rubric support-replies send {reviewed}/{reviewed}", user=OWNER).text
        world.run(close_of(week))
    clock.set(wednesday(6))
    measure = worth.of_playbook(store, store.playbooks.state("support-replies"), "EUR")
    assert measure is not None
    # 4 weeks × 10 reviews × 4 min = 160 min a cycle before; 20 × 4 = 80 min in cycle 2 so far
    assert measure.promotions == ["send collaborative since cycle 2: oversight 2.7 h → 1.3 h a cycle"]
    assert "send collaborative since cycle 2: oversight 2.7 h → 1.3 h a cycle" in worth.words(measure)


def test_a_cost_pulled_from_a_source_counts_its_weeks_and_a_failure_is_said_never_carried(
    store, engine, slack, stats, monkeypatch
):
    """`cost: {source, path}`: asked at each week's end like any sourced number, kept as
    that number's fetch; a week whose ask failed has no cost, said for that week, and the
    cost of another week is not carried over to it."""
    clock = Clock(datetime(2026, 11, 22, 12, tzinfo=UTC))
    definition = copy.deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {"ci-stats": {"kind": "http", "url": stats.url + "/stats", "token_env": "CI_TOKEN"}}
    definition["value"] = {"event": "po_matched", "minutes_saved": 4, "from": {"source": "ci-stats", "path": "matched"}}
    definition["cost"] = {"source": "ci-stats", "path": "spend"}
    stats.answers["/stats"] = (200, {"matched": 900, "spend": 1300})
    load(store, clock, definition)
    world = Engine(engine, slack, clock)
    world.run(WEEK_1_ENDS)
    world.run(WEEK_1_CLOSES)
    state = store.playbooks.state("support-replies")
    measure = worth.of_playbook(store, state, "USD")
    assert measure is not None and measure.per_month == 1300 and measure.cost_said is None
    assert measure.cost_per_hour == pytest.approx(1300 * 12 / 52 / 60)  # 900 × 4 min = 60 h in the 1 week closed
    stats.answers["/stats"] = (200, {"matched": 900, "spend": "n/a"})  # week 2: nonsense
    world.run(WEEK_1_ENDS + timedelta(days=7))
    world.run(WEEK_1_CLOSES + timedelta(days=7))
    measure = worth.of_playbook(store, store.playbooks.state("support-replies"), "USD")
    assert measure is not None and measure.per_month is None and measure.cost_per_hour is None
    assert measure.cost_said is not None
    assert measure.cost_said.startswith("cost from ci-stats unknown for the week of 2026-11-23: source failed: ")
    assert measure.cost_said in worth.words(measure)


def test_a_cost_is_per_month_or_a_source_one_of_them():
    def problems(cost):
        with pytest.raises(DefinitionError) as raised:
            parse_playbook(dict(copy.deepcopy(SUPPORT_REPLIES), cost=cost))
        return raised.value.problems

    assert any("give per_month" in p for p in problems({}))
    assert any("give per_month" in p for p in problems({"per_month": 10, "source": "x", "path": "a"}))
    assert any("cost: unknown source 'billing'" in p for p in problems({"source": "billing", "query": "select 1"}))


def test_net_value_is_never_claimed_on_an_unknown_spend_and_no_cost_says_no_spend_declared(
    valued, store, clock, bot, slack, stats, http_server, database_url
):
    """Issue 91, item 2: ROLLOUT_HOURLY_RATE=50; support-replies' cost comes from a billing
    source whose week failed, invoice-matching gives no `cost:`. The API's playbook read,
    status (a signed slash command), the web page and the org's sum on the first screen
    and in the digest: support-replies has no net value ("net value unknown: the spend
    from billing failed …"), never one less a spend of 0; invoice-matching's is its net
    hours × the rate, "no spend declared"; the org's sum leaves the unknown out and says so."""
    events, world = valued
    for slug, raw_change in (
        (
            "support-replies",
            {
                "sources": {"billing": {"kind": "http", "url": stats.url + "/billing", "token_env": "CI_TOKEN"}},
                "cost": {"source": "billing", "path": "spend"},
            },
        ),
        (INVOICES, {}),
    ):
        raw = dict(store.playbooks.state(slug).playbook.definition)
        raw["value"] = {**raw["value"], "review_minutes": 4 if slug == "support-replies" else 6}
        loaded(store, [parse_playbook({**raw, **raw_change})], "UTC", actor="test", at=clock())
    stats.answers["/billing"] = (500, {"error": "billing is down"})
    assert events.post(event("reply_accepted", 412))[0] == 201  # 41.2 h saved
    own = [{"playbook": INVOICES, "kind": "event", "event": "po_matched", "count": 20}]  # 20 × 30 min = 10 h
    assert events.post({"reports": own})[0] == 201
    assert "reviewed passed" in bot.command("rubric support-replies draft 81/90", user=OWNER).text  # 6 h
    said = bot.command(f"rubric {INVOICES} draft 10/10", user=OWNER, channel=INVOICES_CHANNEL).text
    assert "passed" in said, said  # 10 × 6 min = 1 h
    world.run(WEEK_1_ENDS)  # the week's end: the billing source is asked, and fails
    world.run(close_of(1))
    clock.set(wednesday(2))
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER, rollout_hourly_rate=50)
    unknown = "net value unknown: the spend from billing failed for the week of 2026-11-16"

    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    status, body = get(url, "/api/v1/playbooks/support-replies", reader)
    assert status == 200
    read = body["value"]
    assert read["cost_per_month"] is None and read["hourly_rate"] == 50 and read["spend_declared"] is True
    assert read["net_hours"] == pytest.approx(35.2) and read["net_value"] is None
    assert read["net_value_said"] == unknown and unknown in read["net_said"] and unknown in read["said"]
    assert "0.00 USD spend" not in read["said"]
    status, body = get(url, f"/api/v1/playbooks/{INVOICES}", reader)
    read = body["value"]
    assert read["net_value"] == pytest.approx(450) and read["spend_declared"] is False
    assert read["net_value_said"] == "net value 450 USD (9 h × 50.00 USD an hour; no spend declared)"

    status_text = bot.command("status support-replies", user=OWNER).text
    assert unknown in status_text and "USD spend" not in status_text
    said = bot.command(f"status {INVOICES}", user=OWNER, channel=INVOICES_CHANNEL).text
    assert "net value 450 USD (9 h × 50.00 USD an hour; no spend declared)" in said

    page = fetch(url + "/web/playbooks/support-replies", cookie=cookie)[2]
    assert unknown in page and "USD spend" not in page
    first = fetch(url + "/web/", cookie=cookie)[2]
    partial = "net value 450 USD (1 of 2 playbooks: 1 left out, its spend not known; 1 with no spend declared)"
    assert partial in first, first
    org, _, _ = Digest(store, charts=False, currency="USD", hourly_rate=50).figures(WEEK_2, close_of(2))
    assert org.net_value == pytest.approx(450) and partial in org.net_said
    # nor is the cost per hour saved worked out as if the unknown spend were 0: it says why none
    unknown_cost = "cost per hour saved unknown: 1 playbook's spend is not known"
    assert org.cost_per_hour is None and org.no_cost_per_hour == unknown_cost
    assert unknown_cost.capitalize().replace("'", "&#39;") in first, first  # as Jinja escapes it
