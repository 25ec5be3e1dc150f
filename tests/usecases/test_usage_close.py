"""Attested and used in the week's close (usecases/shared/close/usage.py), end to end on
both databases: a playbook declaring its tool (`tool: gemini`), a CSV usage source pulled
by the clock's usage pass for the team Slack lists (six people, matched by their emails),
a member's check-in attesting "followed", and week 1 closed by the clock. The team's
summary says "attested, but no one…" where no one used the tool, the team's figures where
it was used, "unknown" where the pull failed (never "without usage"), and nothing where
no source covers a tool the playbook declares, or it declares none: that summary is the
one it was before any usage file was loaded, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from cadence.calendar import WeekRef
from cadence.schedule import Due
from tests.committed import committed
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Clock, Engine
from tests.usecases.test_sources import WEEK_1, WEEK_1_CLOSES, load
from usecases import usage
from usecases.shared import usage_weeks, weeks

PEOPLE = [OWNER, MEMBER, "UZU000003", "UZU000004", "UZU000005", "UZU000006"]
PULLED = datetime(2026, 11, 23, 6, 17, tzinfo=UTC)  # Monday: the pass pulls 16 to 22 November
USES = [  # four of the six people, eleven days in all
    *(f"{PEOPLE[0]},2026-11-{d}" for d in (16, 17, 18, 19, 20)),
    *(f"{PEOPLE[1]},2026-11-{d}" for d in (16, 18, 20)),
    *(f"{PEOPLE[2]},2026-11-{d}" for d in (17, 19)),
    f"{PEOPLE[3]},2026-11-21",
    f"{PEOPLE[3]},2026-11-09",  # a day the pass does not ask
]


def email(user: str) -> str:
    return f"{user.lower()}@example.com"


@pytest.fixture
def team(slack):
    slack.add_channel(CHANNEL, [*PEOPLE, "UROLLOUTBOT"])
    for user in PEOPLE:
        slack.add_user(user, email=email(user))
    return slack


def gemini(store, tmp_path, *used: str, pulled: bool = True) -> None:
    """The usage file: gemini, a CSV file of `used` rows (user,day), or no file at all."""
    path = tmp_path / "gemini.csv"
    if pulled:
        rows = [row.split(",") for row in used]
        path.write_text("user,day,email\n" + "".join(f"{user},{day},{email(user)}\n" for user, day in rows))
    text = yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}})
    assert usage.load(store, text, {}, "cli:rollout", PULLED) == []


def followed(store, playbook_id: int) -> None:
    committed(store).reports.add_checkin(
        playbook_id, WEEK_1, MEMBER, "followed", None, None, datetime(2026, 11, 19, 18, tzinfo=UTC)
    )


def closed(engine, team) -> str:
    """Week 1 closed by the clock after the usage pass pulled; the team's summary's text."""
    world = Engine(engine, team, Clock(PULLED))
    [passed] = world.cadence.usage.run_due(PULLED)
    assert passed.source == "gemini"
    world.run(WEEK_1_CLOSES + timedelta(minutes=1))
    [summary] = [m for m in team.posted(CHANNEL) if m["text"].endswith("week 1 of cycle 1 closed")]
    return str(summary["blocks"])


@pytest.fixture
def declared(store, clock, team) -> int:
    playbook_id = load(store, clock, {**SUPPORT_REPLIES, "tool": "gemini"})
    followed(store, playbook_id)
    return playbook_id


def test_a_week_attested_while_no_one_used_the_tool_says_so(engine, team, store, tmp_path, declared):
    gemini(store, tmp_path, f"{PEOPLE[0]},2026-11-09")  # the week before: this week, no one

    said = closed(engine, team)

    assert f":mag: Attested, but no one in <#{CHANNEL}> used gemini this week (0 of 6 people)." in said
    assert "Attested and used" not in said and "unknown" not in said
    assert not any(user in said for user in PEOPLE[2:]) and "example.com" not in said  # never a person


def test_a_week_attested_and_used_says_the_team_s_figures(engine, team, store, tmp_path, declared):
    gemini(store, tmp_path, *USES)

    said = closed(engine, team)

    assert "Attested and used: gemini 4 of 6 people, 11 active days." in said
    assert "no one" not in said


def test_a_week_whose_pull_failed_is_unknown_never_without_usage(engine, team, store, tmp_path, declared):
    gemini(store, tmp_path, pulled=False)  # no file: the pull fails

    said = closed(engine, team)

    assert (
        "Usage of gemini this week: unknown (its records of the week are not all in: a vendor's lag, or a failed pull)."
        in said
    )
    assert "no one" not in said and "Attested and used" not in said


def test_a_team_under_the_floor_is_told_too_few_people_neither_its_figures_nor_its_verdict(
    engine, team, store, tmp_path, declared
):
    """Of two people, "no one used it" (or "used") is each one's use."""
    team.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"])  # two people: under the pulse's floor of 5
    gemini(store, tmp_path, *USES)

    said = closed(engine, team)

    assert "Usage this week: too few people to show." in said
    assert " of 2 people" not in said and "active day" not in said and "Attested and used" not in said


def summaries(store, slugs: list[str]) -> list[dict]:
    """Week 1's summaries of these playbooks, closed in a unit of work left uncommitted."""
    ref = WeekRef(1, 1, WEEK_1)
    batch = []
    for slug in slugs:
        state = store.playbooks.state(slug)
        batch.append(
            (state, Due(f"close:{state.playbook.id}:{WEEK_1}", "close", WEEK_1_CLOSES, state.playbook.id, ref))
        )
    with store.unit_of_work() as uow:
        return [c.summary for c in weeks.close_round(uow, batch, beside=store)]


def test_a_playbook_without_a_tool_or_whose_tool_no_source_covers_says_nothing_of_usage(
    engine, team, store, clock, tmp_path
):
    for slug, tool in (("no-tool", None), ("other-tool", "copilot")):
        definition = {**SUPPORT_REPLIES, "playbook": slug, **({"tool": tool} if tool else {})}
        followed(store, load(store, clock, definition))
    before = summaries(store, ["no-tool", "other-tool"])

    gemini(store, tmp_path, *USES)
    world = Engine(engine, team, Clock(PULLED))
    [passed] = world.cadence.usage.run_due(PULLED)
    assert passed.error is None and store.usage.weeks([CHANNEL], WEEK_1)  # gemini's counts are there

    assert summaries(store, ["no-tool", "other-tool"]) == before  # byte for byte
    world.run(WEEK_1_CLOSES + timedelta(minutes=1))
    said = [str(m["blocks"]) for m in team.posted(CHANNEL) if m["text"].endswith("closed")]
    assert len(said) == 2 and not any("Attested" in s or "Usage of" in s or "usage" in s for s in said)


HELD = "Promotions to ai-led are held: two weeks in a row attested without usage."


def test_two_weeks_attested_without_usage_hold_promotions_and_a_week_used_lifts_the_hold(
    engine, team, store, tmp_path, declared
):
    """Weeks 1 and 2 attested "followed" while no one used gemini: week 2's summary says the
    hold, which the click and a move read now (usage_weeks.hold_now); week 3 used lifts it."""
    gemini(store, tmp_path, f"{PEOPLE[0]},2026-12-02")  # the team's only use: week 3's Wednesday
    committed(store).reports.add_checkin(
        declared, WEEK_1 + timedelta(days=7), MEMBER, "followed", None, None, datetime(2026, 11, 26, 18, tzinfo=UTC)
    )
    committed(store).reports.add_checkin(
        declared, WEEK_1 + timedelta(days=14), MEMBER, "followed", None, None, datetime(2026, 12, 3, 18, tzinfo=UTC)
    )
    clock = Clock(PULLED)
    world = Engine(engine, team, clock)
    summaries_ = []
    for week in range(3):
        pulled = PULLED + timedelta(days=7 * week)
        clock.at = pulled
        [passed] = world.cadence.usage.run_due(pulled)
        assert passed.error is None
        world.run(WEEK_1_CLOSES + timedelta(days=7 * week, minutes=1))
        [summary] = [m for m in team.posted(CHANNEL) if m["text"].endswith(f"week {week + 1} of cycle 1 closed")]
        summaries_.append(str(summary["blocks"]))

    assert "Attested, but no one" in summaries_[0] and HELD not in summaries_[0]  # one week is not a run
    assert "Attested, but no one" in summaries_[1] and HELD in summaries_[1]
    assert "Attested and used: gemini 1 of 6 people, 1 active day." in summaries_[2] and HELD not in summaries_[2]
    state = store.playbooks.state("support-replies")
    assert usage_weeks.hold_now(store, state, datetime(2026, 12, 2, 10, tzinfo=UTC))  # weeks 1 and 2
    assert not usage_weeks.hold_now(store, state, datetime(2026, 12, 9, 10, tzinfo=UTC))  # weeks 2 and 3
