"""A cycle judged against the rest through the real clock, the real endpoint and the Slack
stand-in, on SQLite and PostgreSQL: a KPI on target every week still misses when the
delta against the rest is within noise (docs/playbooks.md, "Compared with the rest").
A clear hit, too few weeks to compare and status's words are
tests/usecases/fast/test_compare_cycle.py's, on the fakes."""

import json

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.committed import loaded
from tests.conftest import CHANNEL, MEMBER, SUPPORT_REPLIES
from tests.usecases.test_governance import close_of, wednesday
from tests.usecases.test_governance import world as world


@pytest.fixture
def compared(world, store):
    kpi = {**SUPPORT_REPLIES["kpi"], "compare": "rest", "rest_baseline": 40}
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "kpi": kpi})], "UTC", actor="test", at=world.clock())
    return world


def run_cycle(bot, world, runs, rests):
    for week, (run, rest) in enumerate(zip(runs, rests, strict=True), start=1):
        world.clock.set(wednesday(week))
        reply = bot.command(f"kpi support-replies {run} rest {rest}", user=MEMBER)
        assert "Recorded" in reply.text, reply.text
        world.run(close_of(week))


def the_result(engine):
    with Session(engine) as s:
        return s.exec(select(Decision).where(Decision.kind == "cycle-result")).one()


def closes(slack):
    return [json.dumps(m["blocks"], ensure_ascii=False) for m in slack.posted(CHANNEL) if "closed" in m["text"]]


def test_on_target_but_within_noise_of_the_rest_misses(bot, compared, slack, engine):
    # the run meets the target (15) every week; the rest does as well: deltas −0.5, +1, −1, 0
    run_cycle(bot, compared, [14, 14, 14, 14], [14.5, 13, 15, 14])
    result = the_result(engine)
    assert result.summary == "cycle 1 missed the target: no better than the rest, within noise"
    assert result.figures["hit"] is False and result.figures["weeks_met"] == 4
    assert result.figures["compare"]["verdict"] == "within-noise"
    assert result.figures["compare"]["deltas"] == [-0.5, 1.0, -1.0, 0.0]
    week_4 = closes(slack)[-1]
    assert "14 min vs the rest 14 min" in week_4
    assert "Against the rest over cycle 1: −0.12 min against the rest" in week_4
    assert "no better than the rest, within noise" in week_4
    assert "a cycle hits its target only when it is also better than the rest" in week_4
