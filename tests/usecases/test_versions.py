"""Versions that travel (issue 59, item 1): publishing version N+1 tells each adopter of
an earlier version what changed, with Upgrade and Not now; `/rollout upgrade` and the
button move it to the newer version keeping its own values and its history; refusals
store nothing; a click after it moved says so. Signed commands and block_actions over
HTTP, messages through the outbox to the Slack stand-in, on SQLite and PostgreSQL."""

import copy
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import create_app
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch
from tests.committed import loaded
from tests.conftest import ADMIN, MEMBER, OWNER, SUPPORT_REPLIES, Engine, settings_for
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, publish_over, wednesday
from usecases import tokens
from usecases.shared.life import begin_cycle

SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"
KIT = {"may_change": ["baseline", "target", "timezone", "exception_cap"]}


def kinds(engine, kind):
    with Session(engine) as s:
        return [d.summary for d in s.exec(select(Decision).where(Decision.kind == kind).order_by(Decision.id))]


@pytest.fixture
def adopted(bot, engine, slack, clock, store):
    """support-replies v1 published and adopted in #sales with the team's own baseline and cap."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(replication=KIT)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER])
    for user in (OWNER, CURATOR, SALES_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override early")
    reply = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> baseline:40 cap:0.2 start:2026-11-16",
        user=CURATOR,
    )
    assert "support-replies-sales" in reply.text
    return Engine(engine, slack, clock), raw


def publish_v2(bot, store, clock, raw, **changes):
    raw = copy.deepcopy(raw)
    raw.update(changes)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    assert "support-replies v2" in publish_over(bot, store, "publish support-replies override a better draft step")


def offers(slack, channel):
    return [m for m in slack.posted(channel) if "is in the registry. *support-replies-sales* runs v1" in json.dumps(m)]


def test_an_adopter_hears_of_v2_and_upgrades_by_its_button_keeping_its_values(bot, adopted, slack, store, engine):
    world, raw = adopted
    steps = [dict(s) for s in raw["steps"]]
    steps[0]["mode"] = "ai-led"
    publish_v2(bot, store, world.clock, raw, steps=steps, rubric_threshold=0.8)
    world.dispatcher.drain(max_wait=0)
    [team] = offers(slack, SALES)
    [dm] = offers(slack, SALES_OWNER)
    text = json.dumps(team["blocks"], ensure_ascii=False)
    assert "step draft: collaborative → ai-led" in text and "rubric threshold: 90% → 80%" in text
    assert {b["action_id"] for b in buttons(team)} == {"upgrade_now", "upgrade_later"}
    value = buttons(dm)[0]["value"]
    # Refusals store nothing: not the owner; Not now changes nothing.
    click(bot, "upgrade_now", value, MEMBER, SALES, team["ts"])
    assert "owner" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    click(bot, "upgrade_later", value, SALES_OWNER, SALES, team["ts"])
    assert "stays on its version" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    assert store.playbooks.state("support-replies-sales").playbook.rubric_threshold == 0.9
    assert kinds(engine, "upgraded") == []

    click(bot, "upgrade_now", value, SALES_OWNER, SALES, team["ts"])
    state = store.playbooks.state("support-replies-sales")
    assert (state.playbook.kpi_baseline, state.playbook.exception_cap, state.playbook.rubric_threshold) == (
        40,
        0.2,
        0.8,
    )
    # an upgrade moves no step up: the team earns its own promotions (cadence/mode_move.py)
    assert {s.name: s.mode for s in state.steps}["draft"] == "collaborative"
    assert store.registry.versions_by_id([state.playbook.adopted_from_id])[state.playbook.adopted_from_id].version == 2
    [summary] = kinds(engine, "upgraded")
    assert "from support-replies v1 to v2" in summary and "baseline 40" in summary
    # A second click, after it moved: says so, changes nothing.
    click(bot, "upgrade_now", value, SALES_OWNER, SALES, team["ts"])
    assert "it moved since this message" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    assert len(kinds(engine, "upgraded")) == 1
    world.dispatcher.drain(max_wait=0)
    assert any("now runs *support-replies v2*" in json.dumps(m) for m in slack.posted(SALES))
    # and nothing is sent twice
    world.dispatcher.drain(max_wait=0)
    assert len(offers(slack, SALES)) == 1


def test_registry_status_and_the_web_view_show_what_an_adopter_runs(
    bot, adopted, slack, store, engine, http_server, database_url
):
    world, raw = adopted
    publish_v2(bot, store, world.clock, raw, exception_cap=0.05)
    status = bot.command("status support-replies-sales", user=SALES_OWNER).text
    assert "adopted from support-replies v1 (runs v1; v2 published 18 Nov)" in status
    assert "support-replies-sales (no cycle closed yet; runs v1; v2 published 18 Nov)" in bot.command("registry").text
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=SALES_OWNER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    code, _, page = fetch(url + "/web/playbooks/support-replies-sales", cookie)
    assert code == 200 and "Adopted from the registry: runs v1; v2 published 18 Nov" in page
    bot.command("upgrade support-replies-sales", user=SALES_OWNER)
    code, _, page = fetch(url + "/web/playbooks/support-replies-sales", cookie)
    assert "Adopted from the registry: runs v2." in page
    assert "adopted from support-replies v2." in bot.command("status support-replies-sales", user=SALES_OWNER).text
    # Issue 67, item 5: an adopter that upgraded still counts in its first version's
    # history (v1 said "Not adopted yet." beside its approved adoption).
    code, _, page = fetch(url + "/web/registry", cookie)
    v1, v2 = (
        page.split('id="support-replies-v2"')[0].split('id="support-replies-v1"')[1],
        page.split('id="support-replies-v2"')[1],
    )
    assert "Not adopted yet." not in v1 and "Not adopted yet." not in v2
    # Issue 67, item 6: the kit's `may_change` and the adopters' statuses in words.
    may_change = (
        "An adopting team may change: the KPI&#39;s baseline, the KPI&#39;s target, the timezone, the exception cap"
    )
    assert may_change in v1 and "exception_cap" not in page
    assert "An adopter&#39;s status: <em>draft</em>, loaded, its first cycle not started yet;" in page
    assert (
        '<a href="/web/playbooks/support-replies-sales">support-replies-sales</a></td><td data-label="Status">upgraded to v2</td>'
        in v1
    )
    listed = bot.command("registry").text  # and in Slack: v1's adopter, now on v2
    assert "*support-replies v1*" in listed and "adopted by support-replies-sales (upgraded to v2)" in listed
    assert (
        '<a href="/web/playbooks/support-replies-sales">support-replies-sales</a></td><td data-label="Status">active</td>'
        in v2
    )


def dms_about_adopters(slack):
    return [m for m in slack.posted(OWNER) if "from teams that adopted" in m["text"]]


def test_a_learning_on_an_adopter_reaches_the_origin_once_a_day_its_page_and_its_next_version(
    bot, adopted, slack, store, engine, http_server, database_url
):
    world, raw = adopted
    reply = bot.command("learn support-replies-sales Refund drafts need the policy quoted", user=SALES_OWNER)
    assert "Added to *support-replies-sales*" in reply.text
    world.run(datetime(2026, 11, 19, 7, 59, tzinfo=UTC))  # 08:59 in Berlin, the owner's zone: not yet
    assert dms_about_adopters(slack) == []
    world.run(datetime(2026, 11, 19, 8, 0, tzinfo=UTC))
    [dm] = dms_about_adopters(slack)
    text = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "*support-replies-sales*, cycle 1" in text and "Refund drafts need the policy quoted" in text
    world.run(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))  # the same day: nothing twice
    world.clock.set(datetime(2026, 11, 19, 13, 0, tzinfo=UTC))
    bot.command("learn support-replies-sales Second thought", user=SALES_OWNER)
    world.run(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))  # the next day: only the new one
    _, second = dms_about_adopters(slack)
    assert "Second thought" in json.dumps(second) and "Refund drafts" not in json.dumps(second)
    world.run(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))  # nothing new: no DM
    assert len(dms_about_adopters(slack)) == 2

    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=OWNER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    code, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    assert code == 200 and "<h3>From adopters</h3>" in page and "Refund drafts need the policy quoted" in page

    world.clock.set(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    publish_v2(bot, store, world.clock, raw, exception_cap=0.05)
    v2 = store.registry.version("support-replies", 2)
    assert [(x["text"], x.get("from")) for x in v2.learnings] == [
        ("Second thought", "support-replies-sales"),
        ("Refund drafts need the policy quoted", "support-replies-sales"),
    ]


def test_learnings_are_found_across_playbooks_by_every_word_in_slack_and_on_the_web(
    bot, adopted, slack, store, engine, http_server, database_url
):
    world, _ = adopted
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, datetime(2026, 11, 16).date(), OWNER, world.clock())
    bot.command("learn support-replies Customers accept drafts that QUOTE the refund policy", user=OWNER)
    bot.command("learn support-replies-sales Refund drafts need 100% of the policy", user=SALES_OWNER)
    bot.command("learn support-replies-sales Tone matters more than speed", user=SALES_OWNER)
    found = bot.command("learnings refund POLICY", user=MEMBER).text
    assert "Refund drafts need 100% of the policy" in found and "QUOTE the refund policy" in found
    assert "Tone matters" not in found
    assert found.index("Refund drafts") < found.index("QUOTE the refund")  # newest first
    assert "*support-replies-sales*, cycle 1, <@USALESOWN1> on 2026-11-18" in found
    assert "No learning holds “100% refund speed”" in bot.command("learnings 100% refund speed").text
    assert "Tone matters" in bot.command("learnings").text  # no words: the newest
    assert "U+200B" in bot.command("learnings refund\u200b").text  # invisible: refused
    # withdrawn: never found
    bot.command("undo support-replies-sales", user=SALES_OWNER)
    assert "Tone matters" not in bot.command("learnings tone").text

    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=MEMBER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    code, _, page = fetch(url + "/web/learnings?q=refund+policy", cookie)
    assert code == 200 and "Refund drafts need 100% of the policy" in page and "QUOTE the refund" in page
    assert page.index("Refund drafts") < page.index("QUOTE the refund")
    assert "Learnings holding every word of “refund policy”, newest first." in page  # one page: no page number
    _, _, page = fetch(url + "/web/learnings", cookie)
    assert "Every learning, newest first." in page and "The newest, newest first" not in page
    code, _, page = fetch(url + "/web/learnings?q=%E2%80%8Brefund", cookie)
    assert code == 200 and "U+200B" in page
    code, _, page = fetch(url + "/web/learnings?q=%3Cscript%3E&page=99999999999", cookie)
    assert code == 200 and "<script>" not in page and "No learning holds" in page
    assert fetch(url + "/web/learnings")[0] in (302, 303, 307)  # without a session: sign in first


def test_mondays_digest_has_a_learned_this_week_thread(bot, adopted, slack, store, engine):
    world, _ = adopted
    for n in range(12):
        world.clock.set(datetime(2026, 11, 18, 10, n, tzinfo=UTC))
        bot.command(f"learn support-replies-sales Lesson number {n}", user=SALES_OWNER)
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # week 1 closed; the digest's slot
    [thread] = [m for m in slack.posted(CURATORS) if m["text"] == "Learned this week"]
    text = json.dumps(thread["blocks"], ensure_ascii=False)
    assert "Lesson number 11" in text and "Lesson number 2”" in text and "Lesson number 1”" not in text
    assert text.index("Lesson number 11") < text.index("Lesson number 10")  # newest first
    assert "And 2 more this week" in text and thread.get("thread_ts")
    world.run(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert len([m for m in slack.posted(CURATORS) if m["text"] == "Learned this week"]) == 1


def test_concurrent_upgrades_move_the_playbook_once(bot, adopted, slack, store, engine):
    world, raw = adopted
    publish_v2(bot, store, world.clock, raw, exception_cap=0.05)
    world.dispatcher.drain(max_wait=0)
    [dm] = offers(slack, SALES_OWNER)
    value = buttons(dm)[0]["value"]
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: click(bot, "upgrade_now", value, SALES_OWNER, SALES, dm["ts"]), range(4)))
    assert all(r.status == 200 for r in replies)
    assert len(kinds(engine, "upgraded")) == 1
    state = store.playbooks.state("support-replies-sales")
    assert store.registry.versions_by_id([state.playbook.adopted_from_id])[state.playbook.adopted_from_id].version == 2
    told = [json.dumps(c.params) for c in slack.calls_to("chat.postEphemeral")]
    assert sum("now runs *support-replies v2*" in t for t in told) == 1
    assert sum("it moved since this message" in t for t in told) == 3


def test_learnings_are_found_case_insensitively_in_every_script(bot, playbook):
    """Issue 66, item 14: SQLite's lower() lowers A-Z only; the search compares case-folded
    copies, so both databases find "Überprüfung", "Straße" typed as STRASSE and a Greek
    word whatever its final sigma."""
    for text in ("Überprüfung der Entwürfe vor dem Senden", "Die Straße der Antworten", "Ο ΣΊΣΥΦΟΣ ξανά"):
        assert "Learning added" in bot.command(f"learn support-replies {text}", user=OWNER).text
    assert "Überprüfung der Entwürfe" in bot.command("learnings überprüfung", user=MEMBER).text
    assert "Überprüfung der Entwürfe" in bot.command("learnings ÜBERPRÜFUNG entwürfe", user=MEMBER).text
    assert "Die Straße der Antworten" in bot.command("learnings STRASSE", user=MEMBER).text
    assert "ΣΊΣΥΦΟΣ" in bot.command("learnings σίσυφος", user=MEMBER).text
    assert "No learning holds" in bot.command("learnings überprüfungen", user=MEMBER).text


def test_an_adopters_own_baseline_is_said_declared_not_measured_in_status_and_the_api(bot, adopted, store, clock):
    """Issue 91, item 8, on SQLite and PostgreSQL: adopted with its own baseline 40 (the
    version's is 42), measured by no baseline week: status and the API's read say it is
    declared, not measured, as the registry's verdicts do; the origin's is not."""
    said = bot.command("status support-replies-sales", user=SALES_OWNER, channel=SALES).text
    assert "baseline 40 min (declared, not measured)" in said, said
    assert "(declared, not measured)" not in bot.command("status support-replies", user=OWNER).text
    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    status, body = get(bot.base_url, "/api/v1/playbooks/support-replies-sales", reader)
    assert status == 200 and body["kpi"]["baseline"] == 40 and body["kpi"]["baseline_declared"] is True
    status, body = get(bot.base_url, "/api/v1/playbooks", reader)
    assert {p["slug"]: p["kpi"]["baseline_declared"] for p in body["playbooks"]} == {
        "support-replies": False,
        "support-replies-sales": True,
    }
