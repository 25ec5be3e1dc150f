"""Waves with learnings between them (docs/usage.md, "Replication"): a version's adopters
in waves of `adoption_wave`; the next wave opens when one team of the wave replicated and
its learnings were reviewed (marked, or a newer version published since the wave began)."""

from datetime import UTC, datetime, timedelta

from cadence import replication as r
from cadence import waves

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)


def _teams(*replicated: bool) -> list[waves.Adopter]:
    return [
        waves.Adopter(f"team-{i}", r.REPLICATED if done else r.NOT_YET, done, T0 + timedelta(days=i))
        for i, done in enumerate(replicated)
    ]


def test_the_first_wave_fills_without_conditions():
    state = waves.wave_state(_teams(False, False), 3, set(), None)
    assert (state.number, len(state.teams), state.allows, state.limit) == (1, 2, True, 3)
    assert not state.full


def test_a_full_wave_holds_until_a_team_replicated_and_its_learnings_are_reviewed():
    assert not waves.wave_state(_teams(False, False, False), 3, set(), None).allows
    assert not waves.wave_state(_teams(False, True, False), 3, set(), None).allows  # replicated, not reviewed
    assert not waves.wave_state(_teams(False, False, False), 3, {1}, None).allows  # reviewed, none replicated
    opened = waves.wave_state(_teams(False, True, False), 3, {1}, None)
    assert opened.allows and opened.next_open and opened.limit == 6
    assert (opened.number, opened.full) == (1, True)


def test_the_wave_after_that_needs_its_own_replication_and_review():
    second = waves.wave_state(_teams(True, False, False, False, False), 3, {1}, None)
    assert (second.number, [a.slug for a in second.teams]) == (2, ["team-3", "team-4"])
    assert second.allows  # wave 2 has a place left, and wave 1 opened it
    assert not second.replicated and not second.reviewed
    full = waves.wave_state(_teams(True, False, False, False, False, False), 3, {1}, None)
    assert not full.allows
    assert not waves.wave_state(_teams(True, False, False, True, False, False), 3, {1}, None).allows
    assert waves.wave_state(_teams(True, False, False, True, False, False), 3, {1, 2}, None).allows


def test_a_newer_version_published_after_the_wave_began_counts_as_reviewed():
    teams = _teams(False, True, False)
    assert waves.wave_state(teams, 3, set(), T0 + timedelta(hours=1)).allows
    assert not waves.wave_state(teams, 3, set(), T0 - timedelta(hours=1)).allows  # published before it began
    assert waves.wave_reviewed(teams, 1, set(), T0 + timedelta(hours=1))
    assert not waves.wave_reviewed([], 1, set(), T0)


def test_a_wave_of_one_team():
    assert [waves.wave_of(p, 1) for p in range(3)] == [1, 2, 3]
    assert not waves.wave_state(_teams(False), 1, set(), None).allows
    assert waves.wave_state(_teams(True), 1, {1}, None).allows


def test_the_wave_waited_for_and_the_first_unreviewed():
    # wave 1 full, one team let into wave 2 by an override: the next adoption waits for wave 1
    teams = _teams(True, False, False, False)
    assert waves.waiting_wave(teams, 3) == 1 and waves.waiting_wave(teams[:2], 3) == 0
    assert waves.first_unreviewed(teams, 3, set(), None) == 1
    assert waves.first_unreviewed(teams, 3, {1}, None) == 2
    assert waves.first_unreviewed(teams, 3, {1, 2}, None) == 2  # all reviewed: the newest
    assert waves.first_unreviewed([], 3, set(), None) == 1
    shown = waves.wave_state(teams, 3, set(), None, number=1)
    assert [a.slug for a in shown.teams] == ["team-0", "team-1", "team-2"] and shown.replicated
    assert not shown.allows and waves.wave_state(teams, 3, {1}, None).allows
