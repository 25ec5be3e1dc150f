"""The pulse anonymous figure by figure (issue 92), end to end: answers as Slack sends them
(signed slash commands and view submissions to the real endpoint, Slack played by the
stand-in), the week-4 close by the clock's own tick, then every surface that shows the
pulse: the team channel's close, status, the decisions, the API's playbook read, the web
page and `rollout export csv`. Both databases.

The world of the issue: five people answer only where the freed time went, one answers
trust 1, worked around often, safety 2. The count is 6, so the floor of 5 was met, but
trust, safety and worked-around rest on one answer each: before, they were published and
held the playbook's promotions; now each says "too few answers to show (1; 5 needed)",
nothing is held, and no file of the export holds an answer."""

import csv
import io
import logging
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from bot.demo.standin.slack_requests import view_identity
from cadence.decisions import DecisionKind
from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from storage.models.pulse import GATED
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch, signed_in, view
from tests.committed import loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.handlers.test_pulse_form import answered, open_form
from usecases import sections, tokens

__all__ = ["view"]  # a fixture

THURSDAY_OF_WEEK_4 = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # the cycle begun on 2026-11-16
AFTER_THE_CLOSE = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # week 4 closed, grace included
TEAM = [MEMBER, *(f"UPEOPLE00{n}" for n in range(4))]  # with the owner: six people
NOT_PEOPLE = ["UROLLOUTBOT", "UANOTHERBOT", "UAPPUSER01", "UGONE00001"]  # bots, an app, a deactivated account
TOO_FEW = {
    "trust": "trust: too few answers to show (1; 5 needed)",
    "safety": "safety: too few answers to show (1; 5 needed)",
    "around": "worked around: too few answers to show (1; 5 needed)",
}


def _the_one_answer_world(view, slack, clock):
    slack.add_channel(CHANNEL, [OWNER, *TEAM, *NOT_PEOPLE])
    for person in TEAM[1:]:
        slack.add_user(person)
    slack.add_user("UANOTHERBOT", is_bot=True)
    slack.add_user("UAPPUSER01", is_app_user=True)
    slack.add_user("UGONE00001", deleted=True)
    clock.set(THURSDAY_OF_WEEK_4)
    for person in TEAM:
        kept = view.interaction(answered(open_form(view, slack, person), view_identity(), person, freed="new"))
        assert kept.body["response_action"] == "update"
    lone = answered(open_form(view, slack, OWNER), view_identity(), OWNER, trust="1", around="often", safety="2")
    assert view.interaction(lone).body["response_action"] == "update"


def test_one_persons_answer_is_shown_nowhere_and_holds_nothing(
    view, slack, store, engine, clock, playbook, run, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    _the_one_answer_world(view, slack, clock)
    # before the close: how many of the people answered; no bot, app or deactivated account counted
    assert "*Pulse* of this cycle: 6 of 6 answered" in view.command("status support-replies", user=OWNER).text
    Engine(engine, slack, clock).run(AFTER_THE_CLOSE)

    (close,) = [m["text"] + str(m.get("blocks")) for m in slack.posted(CHANNEL) if "*Pulse* of cycle 1" in str(m)]
    status = view.command("status support-replies", user=OWNER).text
    pid = playbook.playbook.id
    with Session(engine) as s:
        decisions = s.exec(select(Decision).where(Decision.playbook_id == pid, col(Decision.kind).like("pulse%"))).all()
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", AFTER_THE_CLOSE).token
    code, read = get(view.base_url, "/api/v1/playbooks/support-replies", reader)
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, MEMBER))
    _, _, page_csv = fetch(view.base_url + "/web/playbooks/support-replies/pulse.csv", signed_in(view, MEMBER))

    for said in (close, status, page):
        assert "6 answered" in said and all(words in said for words in TOO_FEW.values()), said
        assert "trust 1 of 5" not in said and "sometimes or often 100%" not in said and "wait through" not in said
    # the decisions keep shown figures only, and nothing was held on one answer
    assert [d.kind for d in decisions] == [DecisionKind.PULSE]
    figures = decisions[0].figures
    assert figures["trust"] is None and figures["safety"] is None and figures["worked_around"] is None
    assert figures["hidden"] == {"trust": 1, "safety": 1, "around": 1} and figures["freed"] == {"new": 1.0}
    assert code == 200
    (pulse,) = read["pulse"]
    assert pulse["trust"] is None and pulse["safety"] is None and pulse["worked_around"] is None
    assert pulse["hidden"] == {"trust": 1, "safety": 1, "around": 1}

    # the page's pulse.csv (the pulse's section): the counts, no figure of the one answer
    (web_row,) = list(csv.DictReader(io.StringIO(page_csv)))
    assert web_row["trust answers"] == "1" and web_row["trust mean"] == web_row["safety mean"] == ""
    assert web_row["worked around share"] == "" and all(words in web_row["said"] for words in TOO_FEW.values())

    # the export: the pulse's figures as the web page shows them, no answer-level file
    out = tmp_path / "export"
    assert run("export", "csv", str(out)).exit_code == 0
    files = {p.name for p in out.iterdir()}
    assert "pulse.csv" in files and not {n for n in files if n.startswith("pulse_")}
    with (out / "pulse.csv").open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["playbook"] == "support-replies" and row["answers"] == "6" and row["trust answers"] == "1"
    assert row["trust mean"] == row["safety mean"] == row["worked around share"] == ""
    assert all(words in row["said"] for words in TOO_FEW.values())
    assert all(not table.info.get(GATED) or f"{table.name}.csv" not in files for table in store_tables())
    # and the bot's logs name no one who answered
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert not [person for person in (OWNER, *TEAM) if person in logged]


def store_tables():
    from sqlmodel import SQLModel

    return SQLModel.metadata.sorted_tables


def test_the_export_reads_its_playbooks_a_batch_at_a_time_and_gives_the_same_files(
    view, slack, store, engine, clock, playbook
):
    """`rollout export csv` holds a batch of playbooks' states at a time (10,000 whole were
    270 MiB): a batch of one, with playbooks before and after the pulse's in slug order,
    gives the very files one read of every playbook gives."""
    _the_one_answer_world(view, slack, clock)
    Engine(engine, slack, clock).run(AFTER_THE_CLOSE)
    others = [
        parse_playbook(SUPPORT_REPLIES | {"playbook": slug, "channel": channel})
        for slug, channel in (("aaa-first", "CAAAFIRST1"), ("zzz-last", "CZZZLAST01"))
    ]
    loaded(store, others, "UTC", actor="test", at=AFTER_THE_CLOSE)
    whole = sections.export(store, store.playbooks.states())
    assert whole["pulse.csv"][1], "the world has a pulse row to keep in order"
    assert sections.export_all(store, batch=1) == whole == sections.export_all(store)
