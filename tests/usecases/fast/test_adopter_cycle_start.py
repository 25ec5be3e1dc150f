"""Every start of an adopter's first cycle goes through a baseline week (issue 81,
usecases/shared/life.py start_cycle): `/rollout cycle start` on a playbook adopted without
`start:` makes the Monday named (or next Monday) its baseline week and starts cycle 1 the
Monday after, as `adopt ... start:` does, in one unit of work. A playbook of the team's
own, a `compare: rest` adopter and a later cycle start as before. (Before this, `cycle
start` started an adopter's cycle 1 at once, with no baseline week: a way around the rule.)"""

from __future__ import annotations

from datetime import date, timedelta

from cadence.decisions import DecisionKind
from tests import fakes
from tests.fakes import OWNER
from tests.usecases.fast.registry_world import MONDAY, SALES_OWNER, World, adopt, published, refusal
from usecases import commands
from usecases.shared import messages

SLUG = "support-replies-sales"
AFTER = MONDAY + timedelta(days=7)


def adopted(**definition) -> World:
    made = published(**definition)
    adopt(made)  # no `start:`: a draft, whose owner starts its first cycle
    return made


def start(made: World, day: date | None = None, slug: str = SLUG, by: str = SALES_OWNER) -> commands.CycleStarted:
    return commands.cycle_start(made.caller(by), messages.CycleStart(slug, day))


def test_an_adopters_cycle_start_takes_next_monday_as_its_baseline_week_and_cycle_1_the_monday_after():
    made = adopted()
    units = len(made.store.units)
    started = start(made)
    assert (started.cycle, started.baseline_week, started.starts_on, started.moved_from) == (1, MONDAY, AFTER, None)
    state = made.state(SLUG)
    assert state.playbook.status == "active"
    assert (state.anchor.baseline_week, state.anchor.starts_on, state.cycle_anchor.baseline) == (MONDAY, AFTER, MONDAY)
    [decision] = made.change.decisions
    assert (decision.kind, decision.week_start, decision.figures) == (DecisionKind.CYCLE_STARTED, AFTER, {"cycle": 1})
    assert len(made.store.units) == units + 1 and made.store.units[-1].commits == 1  # one transaction


def test_the_monday_named_is_the_baseline_week():
    made = adopted()
    later = MONDAY + timedelta(weeks=2)
    started = start(made, later)
    assert (started.baseline_week, started.starts_on) == (later, later + timedelta(days=7))
    assert made.state(SLUG).anchor.baseline_week == later


def test_a_compare_rest_adopter_needs_no_baseline_week():
    made = adopted(kpi={**fakes.definition()["kpi"], "compare": "rest", "rest_baseline": 40})
    started = start(made, MONDAY)
    assert (started.baseline_week, started.starts_on) == (None, MONDAY)
    assert made.state(SLUG).anchor.baseline_week is None


def test_a_playbook_of_the_teams_own_starts_its_first_cycle_at_once():
    services = fakes.services(fakes.a_playbook("own-replies", cycle_started=None))
    started = commands.cycle_start(fakes.caller(services, OWNER), messages.CycleStart("own-replies", MONDAY))
    assert (started.baseline_week, started.starts_on) == (None, MONDAY)
    assert fakes.store_of(services).playbooks.state("own-replies").anchor.baseline_week is None


def test_before_the_baseline_week_begins_it_moves_with_the_monday_named():
    made = adopted()
    start(made)
    later = MONDAY + timedelta(weeks=1)
    moved = start(made, later)
    assert (moved.baseline_week, moved.starts_on, moved.moved_from) == (later, later + timedelta(days=7), AFTER)
    anchor = made.state(SLUG).anchor
    assert (anchor.baseline_week, anchor.starts_on) == (later, later + timedelta(days=7))
    assert made.change.decisions[0].figures == {"cycle": 1, "moved_from": AFTER.isoformat()}
    assert refusal(lambda: start(made, later)).key == "cycle_already_set"


def test_once_the_baseline_week_has_begun_it_runs_on():
    made = adopted()
    this_monday = fakes.NOW.date() - timedelta(days=fakes.NOW.weekday())
    start(made, this_monday)  # its baseline week is this week: begun
    before = made.state(SLUG)
    said = refusal(lambda: start(made, MONDAY + timedelta(weeks=1)))
    assert (said.key, said.values) == (
        "baseline_week_running",
        {"slug": SLUG, "day": this_monday.isoformat(), "starts_on": MONDAY.isoformat()},
    )
    assert made.state(SLUG) == before
