"""The programme's phases on the fakes (issue 112 item 5; cadence/phases.py): a version
published without a post-pilot assessment takes no team, one in phase 1 its second pilot
only, unless a curator other than the asker overrides; each refusal stores nothing. The
registry's list shows each version's phase with its gate."""

from __future__ import annotations

import json

import pytest

from templates.refusals import Refusal
from tests.fakes import CURATOR
from tests.usecases.fast.registry_world import (
    CURATOR2,
    CURATORS,
    OPS,
    OPS_OWNER,
    World,
    adopt,
    publish,
    published,
    refusal,
    replicated,
    said,
    world,
)
from usecases import commands
from usecases import requests as adopt_requests
from usecases.shared import messages, registry_list
from usecases.shared.requests import AskedPast

SLUG = "support-replies-sales"


def _stored(made: World) -> tuple[int, int, int]:
    """What a refusal must leave as it was: decisions, messages and playbooks kept."""
    held = made.store.held
    return len(held.decisions), len(held.sent()), len(made.store.registry.adopters([made.version().id]))


def _phase(made: World) -> dict:
    [entry] = registry_list.entries(made.store, None)
    return entry["phase"]


def test_a_version_published_without_an_assessment_takes_no_team_and_nothing_is_stored():
    made = world()
    publish(made, assessed=False)  # its owner kept no post-pilot assessment
    assert _phase(made)["words"].startswith("phase 0 of 4, piloting: published without a post-pilot assessment")
    before = _stored(made)
    shown = said(lambda: adopt(made))
    assert "*support-replies v1* is phase 0 of 4, piloting" in shown
    assert "A wave is not opened for a version before its post-pilot assessment" in shown
    assert "nothing was adopted or stored" in shown
    assert _stored(made) == before and made.state(SLUG) is None


def test_phase_1_takes_its_second_pilot_and_no_wave_until_it_replicated():
    made = published()
    assert _phase(made)["words"] == (
        "phase 1 of 4, assessed: post-pilot assessment v1 kept; next: a second pilot replicates it"
    )
    adopt(made)  # its second pilot
    assert _phase(made)["next"] == f"a second pilot replicates it ({SLUG} runs it)"
    before = _stored(made)
    gate = refusal(lambda: adopt(made, channel=OPS, name="ops", owner=OPS_OWNER))
    assert gate.key == "adopt_phase_assessed" and _stored(made) == before
    replicated(made, SLUG)
    assert _phase(made)["words"] == (
        f"phase 2 of 4, verified: replicated by {SLUG}; next: open a wave: adopt it in another team"
    )
    adopt(made, channel=OPS, name="ops", owner=OPS_OWNER)
    assert made.state("support-replies-ops") is not None
    assert _phase(made)["name"] == "in waves"


def test_a_curator_overrides_the_phase_only_through_another_curator():
    made = published()
    adopt(made)
    cmd = messages.Adopt("support-replies", None, OPS, "ops", OPS_OWNER, override="ops runs the same queue")
    asked = commands.adopt(made.caller(CURATOR), cmd)
    assert isinstance(asked, AskedPast) and asked.past == ["its phase"]
    assert made.state("support-replies-ops") is None
    request = made.store.registry.pending_request(made.version().id, OPS)
    assert request is not None
    card = json.dumps([m.payload for m in made.sent(CURATORS) if m.key == request.card_key][-1])
    assert "ops runs the same queue" in card
    before = _stored(made)
    with pytest.raises(Refusal) as own:  # the asker's own override: never the asker alone
        adopt_requests.approve(made.caller(CURATOR), str(request.id))
    assert own.value.key == "request_own_override" and _stored(made) == before
    made.store.held.curators.add(CURATOR2)
    adopt_requests.approve(made.caller(CURATOR2), str(request.id))
    assert made.state("support-replies-ops") is not None
    [approved] = [d for d in made.change.decisions if d.figures.get("override")]
    assert approved.figures["override"] == "ops runs the same queue"
