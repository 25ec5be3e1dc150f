"""Issue 108, item 13: net value in a world built over the API whose playbooks' rows were
made after the weeks their cycles ran (loaded by a clock other than the world's, as
`rollout playbook load` on the wall clock beside a story's clock). Five playbooks, each
week's cases, KPI, 412 `reply_accepted` events and a rubric of 90 reviewed posted with a
token, three weeks closed by the clock; then the API's playbook read and digest, on SQLite
and PostgreSQL. Since 65605a0c the value weeks began at the week a playbook's row was made,
so such a playbook showed no week at all: no hours saved, oversight or net, and the digest
no net. They begin at its cycle's first week when that is earlier."""

import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from cadence.definition_load import parse_playbook
from tests.bot.conftest import Client
from tests.bot.test_api_reads import get
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import close_of, wednesday
from usecases import tokens
from usecases.shared.life import begin_cycle

WEEK_1 = date(2026, 11, 16)
MADE = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # the rows' instant: after the three weeks closed
COSTS = [{"per_month": 1200}, {"per_month": 300}, None, {"per_month": 4000}, {"per_month": 50}]
SLUGS = [f"replies-{n}" for n in range(1, 6)]


def _world(store, slack, clock):
    definitions = []
    for n, (slug, cost) in enumerate(zip(SLUGS, COSTS, strict=True)):
        channel = f"CVALUE{n}"
        slack.add_channel(channel, [OWNER, "UROLLOUTBOT"])
        raw = copy.deepcopy(SUPPORT_REPLIES)
        raw.update(playbook=slug, title=f"Replies {n + 1}", channel=channel)
        raw["value"] = {"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4, "exception_minutes": 15}
        if cost is not None:
            raw["cost"] = cost
        definitions.append(parse_playbook(raw))
    loaded(store, definitions, "UTC", actor="test", at=MADE)
    for slug in SLUGS:
        begin_cycle(store, store.playbooks.state(slug).playbook.id, 1, WEEK_1, OWNER, wednesday(1))


def test_net_value_of_weeks_run_before_the_playbook_s_row_was_made(bot, store, clock, slack, engine):
    _world(store, slack, clock)
    every = ["kpi", "guardrail", "cases", "rubric", "exception", "event"]
    token = tokens.create(store, "world", None, every, True, "test", MADE).token
    api, world = Client(bot.base_url, token), Engine(engine, slack, clock)
    for week in (1, 2, 3):
        clock.set(wednesday(week))
        reports = [
            report
            for slug in SLUGS
            for report in (
                {"playbook": slug, "kind": "cases", "step": "draft", "value": 412},
                {"playbook": slug, "kind": "kpi", "value": 20},
                {"playbook": slug, "kind": "event", "event": "reply_accepted", "count": 412},
                {"playbook": slug, "kind": "rubric", "step": "draft", "passed": 85, "reviewed": 90},
            )
        ]
        status, body, _ = api.post({"reports": reports})
        assert status == 201, body
        world.run(close_of(week))
    clock.set(wednesday(4))

    for slug in SLUGS:
        status, read = get(bot.base_url, f"/api/v1/playbooks/{slug}", token)
        assert status == 200
        weeks = read["value"]["weeks"]
        assert [w["week"] for w in weeks] == [str(WEEK_1 + timedelta(days=7 * n)) for n in range(3)]
        for week in weeks:
            assert week["hours_saved"] == pytest.approx(41.2) and week["oversight_hours"] == pytest.approx(6)
            assert week["net_said"] == (
                "412 replies accepted × 6 min = 41 h saved − 90 reviews × 4 min − 0 exceptions × 15 min"
                " = 6 h oversight → 35 h net"
            )
        assert read["value"]["net_hours"] == pytest.approx(3 * 35.2) and read["value"]["net_weeks"] == 3

    status, digest = get(bot.base_url, "/api/v1/digest", token)
    assert status == 200
    assert digest["org"]["net_hours"] == pytest.approx(5 * 3 * 35.2)
    assert digest["org"]["net_said"].startswith("528 h net (618 h saved − 90 h oversight) by the 5 playbooks")
