"""An adopter adopted without `start:` starts its first cycle with a signed `/rollout
cycle start`, and still goes through a baseline week (issue 81): the Monday after is its
baseline week, cycle 1 starts the Monday after that, in one transaction, on SQLite and
PostgreSQL (the rule itself, on the fakes: tests/usecases/fast/test_adopter_cycle_start.py)."""

from datetime import date

from sqlmodel import Session, select

from storage.models.governance import Decision
from storage.models.playbooks import Cycle
from tests.usecases import test_adopt_one_transaction
from tests.usecases.test_adopt_one_transaction import SALES, SALES_OWNER
from tests.usecases.test_governance import CURATOR, wednesday

published = test_adopt_one_transaction.published  # its fixture, as it sets it up
SLUG = "support-replies-sales"


def test_cycle_start_of_an_adopters_first_cycle_begins_with_a_baseline_week(bot, published, engine, clock):
    adopted = bot.command(f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}>", user=CURATOR).text
    # no start: its owner starts it, with a baseline week
    assert f"`/rollout cycle start {SLUG}`: a baseline week from the Monday given measures the KPI" in adopted
    started = bot.command(f"cycle start {SLUG}", user=SALES_OWNER).text  # Wednesday 18 November
    assert f"A baseline week from 2026-11-23 measures {SLUG}'s KPI; cycle 1 starts on 2026-11-30." in started
    assert "runs from 2026-11-30 to 2026-12-27" in started
    with Session(engine) as s:
        [cycle] = s.exec(
            select(Cycle)
            .join_from(Cycle, Decision, Cycle.playbook_id == Decision.playbook_id)
            .where(Decision.kind == "adopted")
        )
        assert (cycle.number, cycle.baseline_week, cycle.starts_on) == (1, date(2026, 11, 23), date(2026, 11, 30))
        [start] = s.exec(select(Decision).where(Decision.kind == "cycle-started"))
        assert (start.playbook_id, start.week_start) == (cycle.playbook_id, date(2026, 11, 30))
    clock.set(wednesday(2))
    assert "*The baseline week* (2026-11-23 to 2026-11-29)" in bot.command(f"status {SLUG}").text
    assert "Recorded" in bot.command(f"kpi {SLUG} 44", user=SALES_OWNER).text
