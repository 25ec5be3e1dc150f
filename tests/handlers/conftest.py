"""The scene the bar's end-to-end tests share (tests/handlers/test_bar_*.py)."""

import pytest

from tests.conftest import ADMIN, OWNER, Engine
from tests.usecases.test_governance import CURATOR, CURATORS

CURATOR2 = "UCURATOR2"


@pytest.fixture
def world(bot, slack, store, engine, clock, playbook):
    """support-replies in cycle 1 (from Monday 16 Nov), two curators and their channel."""
    slack.add_channel(CURATORS, [CURATOR, CURATOR2, ADMIN])
    for user in (OWNER, CURATOR, CURATOR2):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)
