"""Readiness's output accuracy needs each declared calibration set's latest run, current
and at or above the threshold (docs/playbooks.md, "Calibration"): the KPI held two cycles,
weeks reported through signed requests and closed on a fake clock."""

import copy
import json

import pytest

from cadence.definition import parse_playbook
from tests.committed import loaded
from tests.conftest import OWNER
from tests.usecases import test_replication
from tests.usecases.test_governance import CURATORS, wednesday
from tests.usecases.test_replication import decisions, run_weeks

ready = test_replication.ready  # the fixture: support-replies with a contract and a kit, curators set


@pytest.fixture
def calibrated(ready, store):
    """`ready`, with a calibration set of 40 declared for step draft."""
    state = store.playbooks.state("support-replies")
    raw = copy.deepcopy(state.playbook.definition)
    raw["steps"][0]["calibration"] = {"cases": 40}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=ready.clock())
    return ready


def test_no_run_keeps_a_playbook_from_ready_naming_the_step(bot, calibrated, slack, engine):
    run_weeks(bot, calibrated, range(1, 9))
    assert not [m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale"]
    [row] = decisions(engine, "not-ready")
    assert row.figures["missing"] == ["accuracy"]
    [accuracy] = [c for c in row.figures["criteria"] if c["name"] == "accuracy"]
    assert accuracy["calibration"] == {"draft": "no run of its 40 cases yet"}
    [told] = [m for m in slack.posted(OWNER) if "not yet ready" in m["text"]]
    body = json.dumps(told["blocks"], ensure_ascii=False)
    assert "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: calibration set no run of its 40" in body


def test_a_current_run_at_the_threshold_is_ready(bot, calibrated, slack, engine):
    calibrated.clock.set(wednesday(1))
    assert "*36/40*" in bot.command("calibrate support-replies draft 36/40", user=OWNER).text
    run_weeks(bot, calibrated, range(1, 9))
    [proposal] = [m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale"]
    body = json.dumps(proposal["blocks"], ensure_ascii=False)
    assert "✅ Output accuracy" in body and "calibration set" not in body
    assert decisions(engine, "not-ready") == []
