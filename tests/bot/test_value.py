"""Value the sponsor can weigh (issue 60), end to end on SQLite and PostgreSQL: value
events sent over the reporting API, weeks closed by the clock, then each closed week's
hours saved as an estimate with its inputs (a week without events said so, never 0 h),
the cost per hour saved, on the web view's first screen and playbook page, in status, the
digest's header and the API's playbook read; an event of the measure's own; heroics."""

import copy
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from cadence.definition_load import DefinitionError, parse_playbook
from handlers import present_overview
from slack_api.members import TeamDirectory
from tests.bot.conftest import API_NOW as NOW
from tests.bot.conftest import Client
from tests.bot.test_api import event, rows
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch, web_session
from tests.committed import committed, loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Clock, Engine
from tests.usecases.test_governance import close_of, wednesday
from tests.usecases.test_sources import WEEK_1_CLOSES, WEEK_1_ENDS, load, stats
from usecases import cycle_heroes, tokens, web, web_overview
from usecases import value as worth
from usecases.digest import Digest
from usecases.shared.life import begin_cycle
from usecases.shared.services import Services

__all__ = ["stats"]  # a fixture

INVOICES, INVOICES_CHANNEL = "invoice-matching", "CINVOICES1"
WEEK_1, WEEK_2 = date(2026, 11, 16), date(2026, 11, 23)


@pytest.fixture
def valued(bot, store, clock, slack, engine):
    """support-replies, whose draft cases come from `reply_accepted` events, each saving 6
    minutes at 1,200 a month; invoice-matching, whose measure counts an event of its own
    (`po_matched`, 30 minutes); both from Monday 16 November 2026."""
    clock.set(NOW)
    slack.add_channel(INVOICES_CHANNEL, [OWNER, "UROLLOUTBOT"])
    support = copy.deepcopy(SUPPORT_REPLIES)
    support["value_events"] = [{"name": "reply_accepted", "step": "draft", "counts": "cases"}]
    support["value"] = {"event": "reply_accepted", "minutes_saved": 6}
    support["cost"] = {"per_month": 1200}
    invoices = copy.deepcopy(SUPPORT_REPLIES)
    invoices.update(playbook=INVOICES, title="Invoice matching", channel=INVOICES_CHANNEL)
    invoices["value"] = {"event": "po_matched", "minutes_saved": 30}
    loaded(store, [parse_playbook(support), parse_playbook(invoices)], "UTC", actor="test", at=NOW)
    for slug in ("support-replies", INVOICES):
        state = store.playbooks.state(slug)
        begin_cycle(store, state.playbook.id, 1, WEEK_1, OWNER, NOW)
    token = tokens.create(store, "events", None, ["event", "cases"], False, "test", NOW).token
    return Client(bot.base_url, token), Engine(engine, slack, clock)


def _services(store, clock, currency="EUR"):
    return Services(store, clock, frozenset({ADMIN}), "UTC", TeamDirectory(ttl_seconds=0), currency=currency)


def test_hours_saved_are_an_estimate_with_its_inputs_and_a_week_without_events_says_so(valued, store, clock, bot):
    events, world = valued
    assert events.post(event("reply_accepted", 412))[0] == 201
    own = [{"playbook": INVOICES, "kind": "event", "event": "po_matched", "count": n} for n in (10, 5)]
    status, body, _ = events.post({"reports": own})
    assert status == 201, body
    assert rows(store.engine, "SELECT event, count, reported_by FROM value_count ORDER BY id") == [
        ("po_matched", 10, "token:events"),
        ("po_matched", 5, "token:events"),
    ]
    # an event neither declared nor the measure's own is refused, and nothing stored
    status, body, _ = events.post({"reports": [own[0], dict(own[0], event="po_matchd")]})
    assert (status == 422 and "Did you mean" not in body["errors"][0]["message"]) or status == 422
    assert rows(store.engine, "SELECT count(*) FROM value_count") == [(2,)]
    world.run(close_of(1))
    clock.set(wednesday(2))  # week 2: no events at all
    world.run(close_of(2))
    clock.set(wednesday(3))

    states = [store.playbooks.state("support-replies"), store.playbooks.state(INVOICES)]
    measures = worth.of_playbooks(store, states, "EUR")
    support = measures[states[0].playbook.id]
    assert support is not None
    by_week = {w.week_start: w for w in support.weeks}
    assert by_week[WEEK_1].words() == "412 replies accepted × 6 min, the owner's estimate = 41 h"
    assert by_week[WEEK_2].words() == "no `reply_accepted` events this week"
    assert by_week[WEEK_2].hours is None
    assert support.last_hours == pytest.approx(41.2)
    # the weeks it existed: none before the week it was made in (issue 96)
    assert [w.week_start for w in support.weeks] == [WEEK_1, WEEK_2]
    # issue 91: charged the cost of the 1 week whose events were counted, not 4 weeks'
    assert support.cost_per_hour == pytest.approx(1200 * 12 / 52 / 41.2)
    assert worth.words(support).startswith("no `reply_accepted` events this week; last 2 closed weeks: 41 h; ")
    assert worth.words(support).endswith(
        " EUR per hour saved (the cost of the 1 closed week whose events were counted); net: oversight not reported"
    )  # no review: not 0
    invoices = measures[states[1].playbook.id]
    assert invoices is not None and invoices.last_hours == pytest.approx(7.5)  # 15 events × 30 min
    # one playbook's (status), its measure from its state rather than read: the same
    assert [worth.of_playbook(store, state, "EUR") for state in states] == [support, invoices]

    services = _services(store, clock)
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.org["value"].measured == 2 and shown.org["value"].last_hours == pytest.approx(48.7)
    assert shown.org["value"].weeks == [dict(week=WEEK_1, hours=pytest.approx(48.7), playbooks=2)]
    assert shown.org["value"].cost_per_hour == pytest.approx(1200 * 12 / 52 / 41.2)  # only the costed one, its 1 week
    page = web.playbook_page(services, web.Viewer(OWNER), "support-replies")
    assert page is not None and page.sections["value"].last_hours == pytest.approx(41.2)

    said = bot.command("status support-replies", user=OWNER).text
    assert "no `reply_accepted` events this week" in said and "41 h" in said

    org, _, _ = Digest(store, charts=False, currency="EUR").figures(date(2026, 11, 30), close_of(2))
    assert org.value_measured == 2 and org.hours_saved == pytest.approx(48.7) and org.currency == "EUR"

    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    status, body = get(bot.base_url, "/api/v1/playbooks/support-replies", reader)
    assert status == 200 and body["value"]["minutes_saved"] == 6 and body["value"]["estimate"] is True
    weeks = {w["week"]: w for w in body["value"]["weeks"]}
    assert weeks["2026-11-16"]["events"] == 412 and weeks["2026-11-16"]["hours_saved"] == pytest.approx(41.2)
    assert weeks["2026-11-23"]["events"] is None and weeks["2026-11-23"]["hours_saved"] is None


def test_a_playbook_without_a_value_measure_says_so(bot, store, clock, playbook):
    said = bot.command("status support-replies", user=OWNER).text
    assert "no value event: what will you count?" in said
    shown = present_overview.shown(web_overview.overview(_services(store, clock), web.Viewer(OWNER)))
    assert shown["value"].measured == 0
    assert [r["value"] for _, rs in shown["functions"] for r in rs] == ["no value measure"]


def test_one_reviewer_who_reviewed_most_of_a_completed_cycle_s_cases_is_named(
    bot, store, clock, slack, engine, playbook
):
    """The owner types every case count and review of cycle 1, but Ida reviewed draft's
    (`by @ida`): 80 of its 90 reviewed cases, in a team of 4. The typing counts for no one."""
    world = Engine(engine, slack, clock)
    ida = "U0IDA00001"
    others = [MEMBER, "U0THIRD001", ida]
    slack.add_channel(CHANNEL, [OWNER, *others, "UROLLOUTBOT"])
    slack.add_user(ida)
    for week in (1, 2, 3, 4):
        clock.set(wednesday(week))
        for step in ("draft", "send", "refunds"):
            assert "cases" in bot.command(f"cases support-replies {step} 20", user=OWNER).text
        said = f"rubric support-replies draft 18/20 by <@{ida}|ida>"
        assert "18 of 20 reviewed passed" in bot.command(said, user=OWNER).text
        if week == 1:
            assert "Rubric score" in bot.command("rubric support-replies send 9/10", user=OWNER).text
            assert "Recorded" in bot.command("kpi support-replies 30", user=MEMBER).text
        for user in others[:2]:
            assert "Check-in recorded" in bot.command("attest support-replies yes", user=user).text
        world.run(close_of(week))
    clock.set(wednesday(5))
    state = store.playbooks.state("support-replies")
    carried = cycle_heroes.heroes(store, [state], {state.playbook.id: wednesday(5).date()})
    hero = carried[state.playbook.id]
    assert hero.person == ida and hero.done == 80 and hero.share == pytest.approx(80 / 90)
    assert hero.words("Ida") == "one reviewer carries the quality checks: Ida, 89% of 90 reviewed cases"
    shown = present_overview.shown(web_overview.overview(_services(store, clock), web.Viewer(OWNER)))
    row = next(r for _, rs in shown["functions"] for r in rs)
    assert row["hero_id"] == ida and row["hero_share"] == pytest.approx(80 / 90)
    assert row["hero_tail"] == "of 90 reviewed cases"
    digest = Digest(store, charts=False)
    org, digests, weeks = digest.figures(date(2026, 12, 14), wednesday(5))
    assert org.heroes == (
        (
            "support-replies",
            ida,
            pytest.approx(80 / 90),
            "one reviewer carries the quality checks",
            "of 90 reviewed cases",
        ),
    )
    header = json.dumps(digest.compose(org, digests, weeks, date(2026, 12, 14), "digest:x", "CCUR")[0].payload)
    assert f"support-replies: one reviewer carries the quality checks: <@{ida}>, 89% of 90 reviewed cases" in header
    assert "no value measure" in header
    assert cycle_heroes.completed_cycle(state, wednesday(5).date() - timedelta(days=7)) is None  # cycle 1 not yet over


def test_an_owner_who_types_every_report_is_no_hero_but_one_who_closes_the_items_is(
    bot, store, clock, slack, engine, playbook
):
    """Reports only an owner may make no longer count: the owner types every number of
    cycle 1 (a team of 4), each review shared with another; whoever closes more than 80%
    of the cycle's exception items is named."""
    world = Engine(engine, slack, clock)
    others = [MEMBER, "U0THIRD001", "U0FOURTH01"]
    slack.add_channel(CHANNEL, [OWNER, *others, "UROLLOUTBOT"])
    for user in others:
        slack.add_user(user)
    for week in (1, 2, 3, 4):
        clock.set(wednesday(week))
        for step in ("draft", "send", "refunds"):
            bot.command(f"cases support-replies {step} 20", user=OWNER)
        said = f"rubric support-replies draft 18/20 by <@{others[week % 3]}> <@{OWNER}>"
        assert "18 of 20 reviewed passed" in bot.command(said, user=OWNER).text
        for i in range(1 + (week < 3)):  # 6 exceptions
            bot.command(f"exception support-replies draft refund {i} was wrong", user=OWNER)
        for user in others:
            bot.command("attest support-replies yes", user=user)
        world.run(close_of(week))
    clock.set(wednesday(5))
    state = store.playbooks.state("support-replies")
    today = {state.playbook.id: wednesday(5).date()}
    assert cycle_heroes.heroes(store, [state], today) == {}  # the owner reviewed 40 of 80 cases
    items = store.exception_items.open_of([state.playbook.id])
    assert len(items) == 6
    for item in items[:3]:
        committed(store).exception_items.move(item, "resolved", "fixed the template", MEMBER, wednesday(4))
    committed(store).exception_items.move(items[3], "accepted", "a one-off", OWNER, wednesday(4))
    assert cycle_heroes.heroes(store, [state], today) == {}  # 3 of 4 closed: 75% is not more than 80%
    for item in items[4:]:
        committed(store).exception_items.move(item, "resolved", "fixed the template", MEMBER, wednesday(4))
    hero = cycle_heroes.heroes(store, [state], today)[state.playbook.id]
    assert (hero.person, hero.kind, hero.done, hero.total) == (MEMBER, "items", 5, 6)
    assert hero.words("Ana") == "one person closes the exception items: Ana, 83% of 6 closed exception items"


def test_a_source_counts_the_week_s_events_of_the_measure_s_own(store, engine, slack, stats, monkeypatch):
    """`value: {event, minutes_saved, from:}`: the clock asks the source for the week's count
    when the week ends, keeps it as that number's fetch (no report: it feeds nothing else),
    and the closed week's estimate counts it; a count that is not a count is refused."""
    clock = Clock(datetime(2026, 11, 22, 12, tzinfo=UTC))
    definition = copy.deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {"ci-stats": {"kind": "http", "url": stats.url + "/stats", "token_env": "CI_TOKEN"}}
    definition["value"] = {"event": "po_matched", "minutes_saved": 4, "from": {"source": "ci-stats", "path": "matched"}}
    stats.answers["/stats"] = (200, {"matched": 90})
    load(store, clock, definition)
    world = Engine(engine, slack, clock)
    world.run(WEEK_1_ENDS)
    assert rows(engine, "SELECT number, outcome, value FROM source_fetch") == [("value", "fetched", 90.0)]
    assert rows(engine, "SELECT count(*) FROM case_count") == [(0,)]
    world.run(WEEK_1_CLOSES)
    state = store.playbooks.state("support-replies")
    measure = worth.of_playbook(store, state, "USD")
    assert measure is not None
    assert measure.weeks[-1].words() == "90 pos matched × 4 min, the owner's estimate = 6.0 h"
    assert measure.cost_per_hour is None  # no cost given


def test_a_value_measure_naming_a_value_event_takes_no_from():
    definition = copy.deepcopy(SUPPORT_REPLIES)
    definition["value_events"] = [{"name": "reply_accepted", "step": "draft", "counts": "cases"}]
    definition["sources"] = {"wh": {"kind": "sql", "url_env": "WH"}}
    definition["value"] = {"event": "reply_accepted", "minutes_saved": 6, "from": {"source": "wh", "query": "select 1"}}
    with pytest.raises(DefinitionError, match="a source counts only an event of the value measure's own"):
        parse_playbook(definition)


def test_a_cost_with_no_hours_saved_says_why_no_cost_per_hour(
    valued, store, clock, bot, http_server, database_url, slack
):
    """Issue 66, item 18: support-replies costs 1,200 a month and no reply was
    accepted in its weeks (nothing counted: no hours saved; a source's 0 is the same): status, the web view's first screen and the digest say no hours were saved, so
    cost per hour saved cannot be given, where they showed nothing."""
    _, world = valued
    world.run(close_of(1))
    clock.set(wednesday(2))
    world.run(close_of(2))
    clock.set(wednesday(3))
    # the 2 weeks it has closed, not 4: none before the week it was made in (issue 96)
    said = "no hours saved in the last 2 closed weeks, so cost per hour saved cannot be given"
    assert said in bot.command("status support-replies", user=OWNER).text
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    page = fetch(url + "/web/", cookie=cookie)[2]
    assert "No hours saved in the last 4 closed weeks, so cost per hour saved cannot be given" in page, page
    digest = Digest(store, charts=False, currency="EUR")
    org, digests, weeks = digest.figures(date(2026, 11, 30), close_of(2))
    header = json.dumps(
        digest.compose(org, digests, weeks, date(2026, 11, 30), "digest:x", "CCUR")[0].payload, ensure_ascii=False
    )
    assert (
        "no value events yet · no hours saved in the last 4 closed weeks, so cost per hour saved cannot be given"
        in header
    )


def test_the_org_says_the_costed_playbooks_saved_no_hours_when_others_did(
    valued, store, clock, bot, http_server, database_url, slack
):
    """Issue 66, item 18: invoice-matching (no cost) saved hours, support-replies (the one
    that gives a cost) saved none: the org's line says the costed one saved none, never
    `12.0 h · no hours saved`."""
    events, world = valued
    own = [{"playbook": INVOICES, "kind": "event", "event": "po_matched", "count": 24}]
    assert events.post({"reports": own})[0] == 201
    world.run(close_of(1))
    clock.set(wednesday(2))
    world.run(close_of(2))
    clock.set(wednesday(3))
    said = "the playbook that gives a cost saved no hours in the last 4 closed weeks, so cost per hour saved cannot be given"
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    page = fetch(url + "/web/", cookie=cookie)[2]
    assert said.capitalize() in page and "No hours saved" not in page, page
    digest = Digest(store, charts=False, currency="EUR")
    org, digests, weeks = digest.figures(date(2026, 11, 30), close_of(2))
    header = json.dumps(
        digest.compose(org, digests, weeks, date(2026, 11, 30), "digest:x", "CCUR")[0].payload, ensure_ascii=False
    )
    assert f"*12.0 h* · {said}" in header, header
    # support-replies' own status still says it plainly
    assert "no hours saved in the last 2 closed weeks" in bot.command("status support-replies", user=OWNER).text
