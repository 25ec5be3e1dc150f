"""Attested and used where it shows (docs/usage-records.md, "Where it shows"), on SQLite and
PostgreSQL through the real surfaces: `/rollout status` as Slack sends it, the web page
and its CSV, the API's playbook read (checked against its OpenAPI document) and the
digest's playbook line. A team with usage counted shows its figures; a team under
`pulse_min_answers` people its verdict and no count; a week attested "followed" while no one
used the declared tool is flagged; a playbook declaring no tool shows nothing new."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import yaml

from cadence.definition_load import parse_playbook
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch, signed_in, view
from tests.committed import committed, loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.openapi_check import described
from usecases import tokens, usage

__all__ = ["view"]  # a fixture

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # Saturday: the surfaces are read in week 1
PULLED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday: pulled through Sunday 22 November, the week whole
WEEK = date(2026, 11, 16)  # cycle 1, week 1
ATTESTED = datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
# the team as Slack would give it: the owner, the member and four more, each with an email
SIX = [(OWNER, "owner@example.com"), (MEMBER, "member@example.com")] + [
    (f"UZQ000{n}", f"zq{n}@example.com") for n in range(3, 7)
]
TWO = SIX[:2]
USED_ROWS = (
    "m-login,2026-11-17,member@example.com",
    "m-login,2026-11-18,member@example.com",
    "o,2026-11-18,owner@example.com",
)


def declared(store, clock, **definition) -> None:
    """support-replies declaring its AI steps' tool (gemini: a CSV usage source's)."""
    loaded(store, [parse_playbook(SUPPORT_REPLIES | definition)], "UTC", actor="test", at=clock())


def pulled(store, tmp_path, team, *rows: str) -> None:
    """The gemini CSV source loaded and pulled (as tests/usecases/test_usage.py does), the
    team given as Slack's data."""
    path = tmp_path / "gemini.csv"
    path.write_text("user,day,email\n" + "".join(f"{row}\n" for row in rows))
    text = yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}})
    assert usage.load(store, text, {}, "cli:rollout", AT) == []
    usage.run(store, {}, {CHANNEL: team}, PULLED)


def attested(bot, clock) -> None:
    clock.set(ATTESTED)
    assert "Check-in recorded" in bot.command("attest support-replies yes", user=MEMBER).text
    clock.set(AT)


def status_of(bot) -> str:
    return bot.command("status support-replies", user=OWNER).text


def test_status_shows_this_week_s_counts(bot, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, SIX, *USED_ROWS)
    assert "Usage this week: gemini 2 of 6 people, 3 active days." in status_of(bot)


def test_status_flags_a_week_attested_without_usage(bot, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, SIX)  # asked for the week, and no one used gemini
    said = status_of(bot)
    assert ":mag: *Attested without usage*: followed this week, but no one in the team used gemini." in said


def test_status_of_a_team_under_the_floor_shows_no_count(bot, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, TWO, *USED_ROWS)  # used by both: a count of a team of two is each one's
    said = status_of(bot)
    assert "Usage this week: too few people to show." in said and "of 2 people" not in said


def test_status_before_a_pull_says_unknown_never_without_usage(bot, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    path = tmp_path / "gemini.csv"
    path.write_text("user,day\n")
    assert (
        usage.load(store, yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}}), {}, "t", AT) == []
    )
    assert "Usage of gemini this week: unknown (its records of the week are not all in yet)." in status_of(bot)


def test_a_playbook_declaring_no_tool_shows_nothing_new(view, store, clock, playbook, tmp_path):
    attested(view, clock)
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", AT).token
    cookie = signed_in(view, OWNER)
    page_url = view.base_url + "/web/playbooks/support-replies"
    before = (
        status_of(view),
        fetch(page_url, cookie)[2],
        get(view.base_url, "/api/v1/playbooks/support-replies", reader),
    )
    pulled(store, tmp_path, SIX)  # a usage source loaded and pulled: no tool of this playbook's
    after = status_of(view), fetch(page_url, cookie)[2], get(view.base_url, "/api/v1/playbooks/support-replies", reader)
    assert after == before and "sage" not in after[0] and 'id="usage"' not in after[1]
    assert after[2][0] == 200 and after[2][1]["usage"] is None
    described("GET", "/api/v1/playbooks/{slug}", 200, after[2][1])


def test_the_web_page_shows_the_weeks_with_their_counts_and_a_csv(view, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(view, clock)
    pulled(store, tmp_path, SIX, *USED_ROWS)
    cookie = signed_in(view, MEMBER)
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200
    block = page[page.index('<h2 id="usage">Usage</h2>') : page.index("<h2>Learnings</h2>")]
    assert '<th class="num">gemini: people active</th>' in block
    assert ">2026-11-16</td>" in block and ">attested and used</td>" in block and ">2 of 6, 3 days</td>" in block
    assert "at least 5 people" in block
    status, _, body = fetch(view.base_url + "/web/playbooks/support-replies/usage.csv", cookie)
    assert status == 200
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [
        ["week", "verdict", "too few people", "tool", "people", "active", "active days", "seats"],
        ["2026-11-16", "attested and used", "False", "gemini", "6", "2", "3", "0"],
    ]


def test_the_web_page_of_a_team_under_the_floor(view, store, clock, playbook, tmp_path):
    declared(store, clock, tool="gemini")
    attested(view, clock)
    pulled(store, tmp_path, TWO, *USED_ROWS)
    cookie = signed_in(view, MEMBER)
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    block = page[page.index('<h2 id="usage">Usage</h2>') : page.index("<h2>Learnings</h2>")]
    # under the floor, neither the counts nor the verdict: of two people, either is each one's use
    assert ">too few people to show</td>" in block and "attested and used" not in block
    assert "of 2" not in block and ">–</td>" in block
    _, _, body = fetch(view.base_url + "/web/playbooks/support-replies/usage.csv", cookie)
    assert list(csv.reader(io.StringIO(body)))[1] == [
        "2026-11-16",
        "too few people to show",
        "True",
        "gemini",
        "",
        "",
        "",
        "",
    ]


def test_the_api_read_gives_the_weeks_verdicts_and_counts_as_documented(api, bot, store, clock, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, SIX)
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", AT).token
    status, body = get(api.base_url, "/api/v1/playbooks/support-replies", reader)
    assert status == 200
    described("GET", "/api/v1/playbooks/{slug}", 200, body)
    found = body["usage"]
    assert (found["tools"], found["needed"], len(found["weeks"])) == (["gemini"], 5, 12)
    counts = {"people": 6, "active": 0, "active_days": 0, "seats": 0}
    assert found["weeks"][-1] == {
        "week": "2026-11-16",
        "verdict": "attested without usage",
        "unused": ["gemini"],
        "too_few_people": False,
        "tools": {"gemini": counts},
    }
    assert found["weeks"][-2]["verdict"] == "usage unknown"  # the week before: not asked by the source's first pull
    assert found["weeks"][0] == {  # never pulled: unknown, never a 0
        "week": "2026-08-31",
        "verdict": "usage unknown",
        "unused": [],
        "too_few_people": False,
        "tools": {},
    }


def test_the_api_read_of_a_team_under_the_floor(api, bot, store, clock, tmp_path):
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, TWO)
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", AT).token
    _, body = get(api.base_url, "/api/v1/playbooks/support-replies", reader)
    assert body["usage"]["weeks"][-1] == {
        "week": "2026-11-16",
        "verdict": "too few people to show",  # not "attested without usage": of two, that is each one's use
        "unused": [],
        "too_few_people": True,
        "tools": {},
    }
    described("GET", "/api/v1/playbooks/{slug}", 200, body)


def test_the_digest_flags_the_week_attested_without_usage(engine, slack, store, playbook, clock, bot, tmp_path):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, SIX)
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    reply = next(m for m in slack.posted("CCURATORS1") if m["text"].startswith("Support: 1 playbook"))
    body = json.dumps(reply["blocks"], ensure_ascii=False)
    assert ":mag: *Attested without usage*: followed, but no one in the team used gemini" in body


def test_the_digest_says_nothing_of_a_team_under_the_floor(engine, slack, store, playbook, clock, bot, tmp_path):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, TWO)
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    reply = next(m for m in slack.posted("CCURATORS1") if m["text"].startswith("Support: 1 playbook"))
    body = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Attested without usage" not in body and "of 2" not in body


def test_a_closed_week_keeps_the_claim_its_steps_made_after_they_are_demoted(
    api, engine, slack, store, playbook, clock, bot, tmp_path
):
    """Week 1 closes attested without usage while draft and send ran with gemini; both are
    then demoted to human-led by file. The closed week still shows what it was (its steps'
    modes as its close judged them), on the API as on the close: today's modes make no
    claim, and reading them would have dropped the week (issue 111's note, left alone then)."""
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    declared(store, clock, tool="gemini")
    attested(bot, clock)
    pulled(store, tmp_path, SIX)
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # week 1 closes
    pid = committed(store).playbooks.state("support-replies").playbook.id
    assert committed(store).usage.week_modes([(pid, WEEK)]) != {}
    human = [{**step, "mode": "human-led"} for step in SUPPORT_REPLIES["steps"]]
    declared(store, clock, tool="gemini", steps=human)
    assert {s.mode for s in committed(store).playbooks.state("support-replies").steps} == {"human-led"}
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", AT).token
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    _, body = get(api.base_url, "/api/v1/playbooks/support-replies", reader)
    assert body["usage"] is not None and body["usage"]["tools"] == ["gemini"]
    week = next(w for w in body["usage"]["weeks"] if w["week"] == "2026-11-16")
    assert (week["verdict"], week["unused"]) == ("attested without usage", ["gemini"])
    described("GET", "/api/v1/playbooks/{slug}", 200, body)
