"""Issue 112, item 4, end to end on both databases through the clock: send declares
`demote_to: human-led`; a week over twice its cap takes it straight to human-led, two PASS
weeks under human-led review return it to collaborative, and status shows the count between."""

from datetime import date

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.committed import loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES_NO_SET
from tests.usecases.test_governance import close_of, report_week, texts, world  # noqa: F401 (a fixture)
from usecases.shared.life import begin_cycle

REVIEW = {
    **SUPPORT_REPLIES_NO_SET,
    "steps": [{**s, "demote_to": "human-led"} if s["name"] == "send" else s for s in SUPPORT_REPLIES_NO_SET["steps"]],
}


@pytest.fixture
def playbook(store, clock):
    loaded(store, [parse_playbook(REVIEW)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def test_a_step_demoted_to_human_led_review_recovers_after_two_pass_weeks(bot, world, slack, store, engine):  # noqa: F811
    report_week(bot, world.clock, 1, send=(20, 6))  # 30%: over twice the cap
    world.run(close_of(1))
    assert store.playbooks.state("support-replies").step("send").mode == "human-led"
    assert "support-replies / send: ai-led → human-led" in texts(slack, CHANNEL)

    report_week(bot, world.clock, 2)
    world.run(close_of(2))
    assert "send: human-led review, recovering: 1 of 2 PASS weeks" in bot.command(
        "status support-replies", user=MEMBER
    ).text.replace("\\n", "\n")
    report_week(bot, world.clock, 3)
    world.run(close_of(3))
    assert store.playbooks.state("support-replies").step("send").mode == "collaborative"
    assert "support-replies / send: human-led → collaborative" in texts(slack, CHANNEL)
    with Session(engine) as s:
        moves = [
            (d.rule, d.from_mode, d.to_mode)
            for d in s.exec(select(Decision).where(Decision.kind == "mode-change").order_by(Decision.id))
        ]
    assert moves == [("critical", "ai-led", "human-led"), ("recovery", "human-led", "collaborative")]
