"""What the demo's story shows, each thing once and explained (issue 96, item 4)."""

import re

import pytest

from bot.demo.story import DemoResult

pytestmark = pytest.mark.slow  # the demo's run, shared (tests/bot/conftest.py)


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    return demo_result


def test_every_learning_once_and_every_demotion_explained(demo):
    """Issue 96, item 4: the owner's week-4 answer of cycle 3 added cycle 2's learning
    again (the script read any cycle but the first as the second); and check, added by
    the refunds team's revision and approved at ai-led, is demoted in cycle 4 for want of
    numbers, which the story says before it happens."""
    import sqlite3

    from bot.demo.made import UNCOUNTED

    with sqlite3.connect(demo.database) as db:
        twice = db.execute(
            "SELECT playbook_id, text, count(*) FROM learning GROUP BY playbook_id, text HAVING count(*) > 1"
        ).fetchall()
    assert twice == []
    transcript = " ".join(demo.transcript.split())
    missing = "⚫ check (collaborative) MISSING: no case count"
    assert missing in transcript and " ".join(UNCOUNTED.split()) in transcript
    assert transcript.index(" ".join(UNCOUNTED.split())) < transcript.index(missing)
    # every demotion the story shows, and the rule's reason given with it
    demotions = re.findall(r"🔻 (\S+ · \S+): ai-led → collaborative\. (\w+)", transcript)
    assert {d for d, _ in demotions} == {"refund-triage · classify"}, demotions
