"""Versions that travel (usecases/shared/versions.py, usecases/versions.py) on the fakes:
version N+1 offered to each adopter of an earlier one with what changed; `/rollout
upgrade` and the *Upgrade* button move it keeping the team's own values and its steps'
history, as one decision and its messages; refusals store nothing; a click after the
playbook moved (or an upgrade that loses to another) says so."""

from __future__ import annotations

import pytest

from cadence import versions as upgrade_values
from templates import notices_registry
from tests.committed import committed
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from tests.usecases.fast.registry_world import (
    CURATORS,
    MONDAY,
    SALES,
    SALES_OWNER,
    adopt,
    keys_to,
    load,
    publish,
    published,
    refusal,
    said,
    summaries,
    text,
)
from usecases import versions
from usecases.shared import messages
from usecases.shared import versions as shared

KIT = {"may_change": ["baseline", "target", "timezone", "exception_cap"]}
SLUG = "support-replies-sales"


@pytest.fixture
def made():
    """support-replies v1 published and adopted in #sales with the team's own baseline and cap."""
    made = published(replication=KIT)
    adopt(made, baseline=40.0, exception_cap=0.2, starts_on=MONDAY)
    return made


def publish_v2(made, **changes):
    load(made, **changes)
    publish(made, override="a better draft step")


def runs(made):
    state = made.state(SLUG)
    return made.store.registry.versions_by_id([state.playbook.adopted_from_id])[state.playbook.adopted_from_id].version


def button(made):
    """The *Upgrade* button's target (playbook id, version id run, number) of the offer."""
    [offer] = [m for m in made.sent(SALES) if m.key.startswith("newer:")]
    return upgrade_values.read_upgrade_button(offer.payload["blocks"][2]["elements"][0]["value"])


def test_an_adopter_hears_of_v2_and_upgrades_by_its_button_keeping_its_values(made):
    steps = [dict(s) for s in made.origin.playbook.definition["steps"]]
    steps[0]["mode"] = "ai-led"
    publish_v2(made, steps=steps, rubric_threshold=0.8)
    state = made.state(SLUG)
    offers = [(m.key, m.channel) for m in made.change.messages if m.key.startswith("newer:")]
    assert offers == [
        (f"newer:{state.playbook.id}:v2#team", SALES),
        (f"newer:{state.playbook.id}:v2#owner", SALES_OWNER),
    ]
    [team] = [m for m in made.change.messages if m.channel == SALES]
    assert "step draft: collaborative → ai-led" in text(team) and "rubric threshold: 90% → 80%" in text(team)
    assert "upgrade_now" in text(team) and "upgrade_later" in text(team)
    target = button(made)
    # Refusals store nothing: not the owner; Not now changes nothing.
    assert "owner" in said(lambda: versions.upgrade_clicked(made.caller(MEMBER), *target))
    later = versions.not_now(made.caller(SALES_OWNER), *target)
    assert "stays on its version" in str(notices_registry.upgrade_later(slug=later.slug, version=later.version))
    assert made.state(SLUG).playbook.rubric_threshold == 0.9 and runs(made) == 1

    done = versions.upgrade_clicked(made.caller(SALES_OWNER), *target)
    moved = made.state(SLUG)
    assert (moved.playbook.kpi_baseline, moved.playbook.exception_cap, moved.playbook.rubric_threshold) == (
        40,
        0.2,
        0.8,
    )
    # an upgrade moves no step up: the team earns its own promotions (cadence/mode_move.py)
    assert {s.name: s.mode for s in moved.steps}["draft"] == "collaborative"
    assert [s.id for s in moved.steps] == [s.id for s in state.steps]  # its steps and their history kept
    assert runs(made) == 2 and moved.anchor == state.anchor
    [(kind, summary)] = summaries(made.change)
    assert kind == "upgraded" and "from support-replies v1 to v2" in summary and "baseline 40" in summary
    assert keys_to(made.change) == [
        (f"upgraded:{state.playbook.id}:v2#team", SALES),
        (f"upgraded:{state.playbook.id}:v2#curators", CURATORS),
    ]
    assert "now runs *support-replies v2*" in text(made.change.messages[0])
    assert "now runs *support-replies v2*" in str(notices_registry.upgrade(done=done))
    # A second click, after it moved: says so, changes nothing.
    upgrades = len(made.changes)
    assert "it moved since this message" in said(lambda: versions.upgrade_clicked(made.caller(SALES_OWNER), *target))
    assert len(made.changes) == upgrades


def upgrade(made, user=SALES_OWNER, slug=SLUG, version=None):
    return versions.upgrade(made.caller(user), messages.Upgrade(slug, version))


def test_upgrade_by_command_and_its_refusals(made):
    assert f"*{SLUG}* runs *support-replies v1*, the newest version" in said(lambda: upgrade(made))
    assert "was not adopted from the registry" in said(lambda: upgrade(made, OWNER, "support-replies"))
    publish_v2(made, replication=dict(KIT, may_change=["baseline", "target", "timezone"]))
    refused = said(lambda: upgrade(made, version=2))
    assert "no longer lets an adopting team set cap: 0.2" in refused and "it stays on v1" in refused
    assert "The registry has no v7" in said(lambda: upgrade(made, version=7))
    assert "not newer" in said(lambda: upgrade(made, version=1))
    assert [c for c in made.changes if "upgraded" in [k for k, _ in summaries(c)]] == [] and runs(made) == 1


def test_upgrade_by_command_moves_to_the_newest(made):
    publish_v2(made, exception_cap=0.05)
    assert "only" in said(lambda: upgrade(made, MEMBER)).lower()
    done = upgrade(made, CURATOR)
    assert (done.before, done.after, done.kept["exception_cap"]) == (1, 2, 0.2)
    shown = str(notices_registry.upgrade(done=done))
    assert "now runs *support-replies v2*" in shown and "exception cap" in shown
    assert made.state(SLUG).playbook.exception_cap == 0.2  # the team's own


def test_an_upgrade_that_loses_to_another_says_it_moved(made):
    publish_v2(made, exception_cap=0.05)
    stale = made.state(SLUG)  # read before the other upgrade moved it
    upgrade(made)
    before = len(made.changes)
    lost = refusal(lambda: shared.upgrade(made.store, stale, 2, SALES_OWNER, NOW, "UTC", "upgrade"))
    assert (lost.key, lost.values["runs"]) == ("upgrade_moved", 2) and len(made.changes) == before


def test_the_registry_shows_what_an_adopter_runs(made):
    from usecases.shared import registry_list

    publish_v2(made, exception_cap=0.05)
    v1, v2 = registry_list.entries(made.store, None)
    assert [(a["slug"], a["runs"]) for a in v1["adopters"]] == [(SLUG, "runs v1; v2 published 11 Mar")]
    upgrade(made)
    v1, v2 = registry_list.entries(made.store, None)
    assert [(a["slug"], a["status"]) for a in v1["adopters"]] == [(SLUG, "upgraded to v2")]  # still in v1's history
    assert [(a["slug"], a["status"]) for a in v2["adopters"]] == [(SLUG, "active")]


def test_a_version_carries_the_adopters_learnings_newest_first(made):
    pid = made.state(SLUG).playbook.id
    committed(made.store).learnings.add(pid, 1, "Refund drafts need the policy quoted", SALES_OWNER, NOW)
    committed(made.store).learnings.add(pid, 1, "Second thought", SALES_OWNER, NOW.replace(hour=13))
    publish_v2(made, exception_cap=0.05)
    assert [(x["text"], x.get("from")) for x in made.version(2).learnings] == [
        ("Second thought", SLUG),
        ("Refund drafts need the policy quoted", SLUG),
    ]
