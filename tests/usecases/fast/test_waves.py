"""Waves with learnings between them (usecases/shared/waves.py, usecases/waves.py) on the
fakes: the waves are the playbook's, across its versions; the next wave opens once a team
of the wave replicated and its learnings were marked reviewed with a note (by the origin's
owner or a curator, once: a second mark tells no one), which the next wave's teams get
with their adoption, or a newer version was published; a curator may adopt past it with a
reason; without the origin's change an adopter on target is on track and opens no wave.
The button and its note's form, through Slack, are tests/usecases/test_waves.py's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models.governance import WaveReview
from templates.refusals import slack
from templates.waves import wave_line
from tests import fakes
from tests.fakes import CHANNEL, CURATOR, NOW, OWNER, FakeDirectory
from tests.fakes.registry import FakeRegistry
from tests.usecases.fast.registry_world import (
    CURATORS,
    OPS,
    OPS_OWNER,
    SALES_OWNER,
    adopt,
    publish,
    published,
    refusal,
    replicated,
    said,
    text,
)
from tests.usecases.fast.slash import publish_over, slash
from tests.usecases.fast.test_close_modes import close_of, wednesday
from tests.usecases.fast.ticking import Ticking
from usecases import commands, waves
from usecases.shared import messages, registry_list
from usecases.shared import waves as shared

SLUG = "support-replies-sales"


@pytest.fixture
def made():
    """support-replies v1 with a wave of 1; support-replies-sales adopted it and replicated."""
    made = published(adoption_wave=1)
    adopt(made)
    replicated(made, SLUG)
    return made


def adopt_ops(made, **more):
    return adopt(made, channel=OPS, name="ops", owner=OPS_OWNER, **more)


def marks(made):
    return [(m.version, m.wave, m.reviewed_by, m.note) for m in made.store.held.registry.reviews]


def reviewed(made):
    """The messages telling the curators a wave was reviewed."""
    return [m for m in made.sent(CURATORS) if m.key.startswith("wave-reviewed:")]


def test_the_button_asks_a_note_and_opens_the_next_wave_once_and_only_for_the_owner_or_a_curator(made):
    version = made.version()
    refused = said(lambda: adopt_ops(made))  # replicated, not reviewed: still refused, saying what is missing
    assert "support-replies-sales (replicated)" in refused
    assert "wave 2 opens when wave 1's learnings are reviewed (one replicated)" in refused
    shown = said(lambda: waves.form(made.caller(SALES_OWNER), version.id, 1))  # refused at the click
    assert f"Only support-replies's owner (<@{OWNER}>) or a curator" in shown and marks(made) == []
    assert waves.form(made.caller(OWNER), version.id, 1).wave == 1
    for blank in ("", "   "):  # no note: refused, nothing stored, no one told
        assert refusal(lambda note=blank: waves.reviewed(made.caller(OWNER), version.id, 1, note)).key == "wave_note"
    assert marks(made) == [] and reviewed(made) == []

    waves.reviewed(made.caller(OWNER), version.id, 1, "drafts <need> the refund policy & macros")
    assert marks(made) == [(1, 1, OWNER, "drafts <need> the refund policy & macros")]
    [told] = made.change.messages
    assert (told.key, told.channel) == (f"wave-reviewed:{version.id}:1", CURATORS)
    assert told.payload["text"] == "support-replies: wave 1's learnings reviewed" and "wave 2 is open" in text(told)
    again = refusal(lambda: waves.form(made.caller(OWNER), version.id, 1))
    assert again.key == "wave_marked" and "were marked reviewed already" in str(slack(again))
    again = refusal(lambda: waves.reviewed(made.caller(CURATOR), version.id, 1, "mine too"))
    assert again.key == "wave_marked" and len(marks(made)) == 1 and len(reviewed(made)) == 1

    # the next wave's team gets the note, escaped, on the confirmation, in its channel and its owner's DM
    confirmation = adopt_ops(made)
    note = "“drafts &lt;need&gt; the refund policy &amp; macros”"
    for shown in (text(confirmation), *(text(m) for m in made.sent(OPS) + made.sent(OPS_OWNER))):
        assert "What wave 1 of support-replies left for yours" in shown and note in shown
    [entry] = registry_list.entries(made.store, None)
    assert [t["slug"] for t in entry["wave"]["teams"]] == ["support-replies-ops"]
    assert wave_line(entry["wave"]) == (
        "wave 2: 1 of 1 teams; wave 3 opens when one replicates and wave 2's learnings are reviewed"
    )


def test_a_newer_version_continues_the_playbooks_wave_count():
    """v2 published while v1's wave 1 runs: an adopter of v2 falls in wave 2, which waits
    for a team of wave 1 to replicate (it does not start a wave 1 of its own)."""
    made = published(adoption_wave=1)
    adopt(made)
    made.services.clock.advance(days=1)
    publish(made, override="a second version")
    refused = said(lambda: adopt_ops(made, version=2))
    assert "*support-replies* runs in its wave 1 already" in refused and "support-replies-sales" in refused
    assert made.state("support-replies-ops") is None
    entries = registry_list.entries(made.store, None)
    assert [wave_line(e["wave"]) for e in entries] == [
        "wave 1: 1 of 1 teams; wave 2 opens when one of wave 1 replicates (learnings reviewed)"
    ] * 2
    replicated(made, SLUG)  # wave 1 replicated, and a version was published since it began
    adopt_ops(made, version=2)
    assert made.state("support-replies-ops").playbook.adopted_from_id == made.version(2).id


def test_a_wave_of_a_version_that_is_gone_is_refused(made):
    assert refusal(lambda: waves.form(made.caller(OWNER), 999999, 1)).key == "wave_gone"
    assert refusal(lambda: waves.reviewed(made.caller(OWNER), 999999, 1, "a note")).key == "wave_gone"


def test_the_command_marks_the_wave_only_with_a_note(made):
    def wave(user, note=None):
        return commands.wave(made.caller(user), messages.WaveReviewed("support-replies", None, note))

    assert "Only support-replies's owner" in said(lambda: wave(SALES_OWNER)) and marks(made) == []
    without = said(lambda: wave(CURATOR))
    assert "Say what wave 1 of *support-replies* taught" in without and "nothing was marked" in without
    assert marks(made) == [] and reviewed(made) == []
    done = wave(CURATOR, "drafts <need> the refund policy")
    shown = text(shared.reviewed_message(done.version, done.mark, done.stored, done.now))
    assert "marked wave 1's learnings of *support-replies* reviewed" in shown
    assert "drafts &lt;need&gt; the refund policy" in shown and "wave 2 is open" in shown
    assert marks(made) == [(1, 1, CURATOR, "drafts <need> the refund policy")]
    again = wave(OWNER)
    assert not again.stored and again.mark.reviewed_by == CURATOR
    assert "were marked reviewed already" in text(shared.reviewed_message(again.version, again.mark, False, again.now))
    assert len(marks(made)) == 1 and len(reviewed(made)) == 1
    adopt_ops(made)
    assert made.state("support-replies-ops") is not None


def test_no_team_no_wave_to_mark():
    made = published()
    assert refusal(lambda: shared.review(made.store, made.version(), None, OWNER, None, NOW)).key == "wave_no_teams"


def test_a_newer_version_counts_as_reviewed(made):
    made.services.clock.advance(days=1)  # published since the wave began
    publish(made, override="a second version")
    adopt_ops(made, version=1)
    assert made.state("support-replies-ops").playbook.adopted_from_id == made.version(1).id
    assert marks(made) == []


def test_a_curator_overrides_the_wave_with_a_reason(made):
    adopt_ops(made, override="the ops desk needs it now")
    [overridden] = [d for d in made.change.decisions if d.kind == "wave-overridden"]
    assert overridden.figures["override"] == "the ops desk needs it now"
    assert [t["slug"] for t in overridden.figures["running"]] == [SLUG]


def test_a_mark_at_the_same_moment_as_anothers_tells_no_one(made, monkeypatch):
    """Both marks past the look at once: the registry keeps the first (WaveMarked), the
    second is answered with it and writes nothing."""
    version = made.version()
    first = WaveReview(
        playbook_id=version.playbook_id, version_id=version.id, version=1, wave=1, reviewed_by=CURATOR, reviewed_at=NOW
    )
    marks_seen = FakeRegistry.wave_reviews
    calls = []

    def seen(self, version_ids):
        calls.append(version_ids)
        if len(calls) == 1:  # the look before the other's mark
            self.held.registry.reviews.append(first)
            return {vid: {} for vid in version_ids}
        return marks_seen(self, version_ids)

    monkeypatch.setattr(FakeRegistry, "wave_reviews", seen)
    done = shared.review(made.store, version, None, OWNER, "mine", NOW)
    assert (done.stored, done.mark.reviewed_by) == (False, CURATOR)
    assert reviewed(made) == []


def test_without_the_origins_change_an_adopter_is_on_track_and_opens_no_wave():
    """Issue 81, "Replication on real numbers": a version published by override, before any
    cycle of the origin completed, has no change to replicate against: the adopter's cycle
    hit its target, and is "on track; nothing to replicate against", and wave 2 stays shut."""
    sales, ops = "CSALES0001", OPS
    directory = FakeDirectory({CHANNEL: [OWNER], sales: [SALES_OWNER], ops: [OPS_OWNER]})
    origin = fakes.a_playbook(adoption_wave=1, cycle_started=None)
    services = fakes.services(origin, now=wednesday(1), org_timezone="UTC", directory=directory)
    fakes.store_of(services).org.set_setting("curators_channel", CURATORS, CURATOR, wednesday(1))
    clock = Ticking(services)
    assert "support-replies v1" in publish_over(services, "publish support-replies override sharing it early")
    adopted = slash(
        services, f"adopt support-replies <#{sales}|sales> owner <@{SALES_OWNER}> start:2026-11-16", CURATOR
    )
    assert "now runs in" in adopted
    adopt_ops = f"adopt support-replies <#{ops}|ops> owner <@{OPS_OWNER}>"
    # another team before its second pilot replicated: refused by its phase (cadence/phases.py)
    refused = slash(services, adopt_ops, CURATOR)
    assert "phase 1 of 4, assessed" in refused and "support-replies-sales runs it" in refused
    assert "A wave is not opened for a version still in phase 1" in refused
    for week in range(2, 6):
        clock.clock.at = wednesday(week)
        assert "Recorded" in slash(services, "kpi support-replies-sales 13", SALES_OWNER)
        clock.run(close_of(week) + timedelta(hours=1))
    assert "support-replies-sales replicated support-replies v1 in cycle 1" not in clock.texts(OWNER)
    listing = slash(services, "registry")
    assert (
        "support-replies-sales (cycle 1: on track, −69%; nothing to replicate against (the origin's change is unknown))"
        in listing
    )
    refused = slash(services, adopt_ops, CURATOR)
    assert "phase 1 of 4, assessed" in refused and "nothing was adopted or stored" in refused  # on track: not verified
    assert clock.store.playbooks.state("support-replies-ops") is None
