"""The weekly digest: an org of 500 playbooks within Block Kit's limits, and the real
thing end to end: summary, one thread reply per function, a chart uploaded into it."""

import json
import random
from datetime import UTC, date, datetime, timedelta

from cadence.digest import ModeChange, OpenProposal, OrgWeek, Origin, PlaybookWeek, StepLastWeek, summarize
from templates import check_block_limits
from tests import reported
from tests.committed import committed
from tests.conftest import MEMBER, OWNER, Engine
from usecases.digest import PER_REPLY, Digest
from usecases.shared.life import begin_cycle

UTC = UTC
FUNCTIONS = ["Sales", "Support", "Finance", "Engineering", "People <!channel> & Ops", "Legal", "Marketing"]


def big_org(n=500):
    rng = random.Random(7)
    digests = []
    for i in range(n):
        series = [None if rng.random() < 0.1 else round(rng.uniform(10, 45), 1) for _ in range(8)]
        steps = [
            StepLastWeek(
                f"step{j}",
                rng.choice(["human-led", "collaborative", "ai-led"]),
                rng.choice([None, 5, 20, 40]),
                rng.randint(0, 6),
                frozen=rng.random() < 0.05,
            )
            for j in range(30)
        ]
        digests.append(
            summarize(
                PlaybookWeek(
                    slug=f"playbook-{i:03d}",
                    title="<!here> " + "very long title " * 20,
                    function=FUNCTIONS[i % 7],
                    kpi_name="Time to first <@U123> response " * 3,
                    unit="min",
                    direction="down",
                    baseline=42.0,
                    target=15.0,
                    exception_cap=0.1,
                    kpi_series=series,
                    cycle_values=series[-2:],
                    weeks_left=2,
                    steps=steps,
                    dms_sent=rng.randint(0, 12),
                    checked_in=rng.randint(0, 6),
                    mode_changes=[ModeChange(f"step{j}", "ai-led", "collaborative") for j in range(rng.randint(0, 6))],
                    open_proposals=[OpenProposal("promotion", f"step{j}", "ai-led") for j in range(rng.randint(0, 5))],
                    origin=Origin("origin-playbook", 3, 42.0, 14.0) if i % 5 == 0 else None,
                )
            )
        )
    org = OrgWeek(
        active_playbooks=n,
        cycles_completed_week=40,
        cycles_completed_total=900,
        versions_published_week=3,
        versions_published_total=80,
        adoptions=100,
        exception_ratios=[0.08, 0.07, None, 0.06, 0.05, 0.05, 0.04, 0.04],
        dms_sent=5000,
        checked_in=3900,
    )
    return org, digests


def test_an_org_of_500_playbooks_fits_block_kit_by_splitting(store):
    org, digests = big_org()
    weeks = [date(2026, 9, 28) + timedelta(days=7 * i) for i in range(8)]
    messages = Digest(store, charts=False).compose(org, digests, weeks, date(2026, 11, 23), "digest:x", "CCUR")
    replies = [m for m in messages if m.key.startswith("digest:x#fn:")]
    shown = []
    for m in messages:
        check_block_limits(m.payload)
        for block in m.payload["blocks"]:
            assert "<!" not in json.dumps(block)  # nobody is pinged by a title
    for m in replies:
        assert m.payload["thread_of"] == "digest:x#summary"
        text = json.dumps(m.payload["blocks"])
        shown += [f"playbook-{i:03d}" for i in range(500) if f"*playbook-{i:03d}*" in text]
    assert sorted(shown) == [f"playbook-{i:03d}" for i in range(500)]  # every playbook, exactly once
    per_function = -(-500 // 7)
    assert len(replies) == 7 * -(-per_function // PER_REPLY)
    assert "(1/" in replies[0].payload["text"]


def test_the_digest_end_to_end(engine, slack, store, playbook, clock, bot):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    world = Engine(engine, slack, clock)
    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    bot.command("kpi support-replies 30", user=MEMBER)
    bot.command("cases support-replies send 20", user=OWNER)
    bot.command("exception support-replies send one refund over limit", user=OWNER)
    world.run(datetime(2026, 11, 19, 14, 0, tzinfo=UTC))  # Thursday DMs: 2 members asked
    clock.set(datetime(2026, 11, 19, 18, 0, tzinfo=UTC))
    bot.command("attest support-replies yes", user=MEMBER)
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 Berlin = 08:00 UTC; the digest is UTC 13:00
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    posted = slack.posted("CCURATORS1")
    summary = next(m for m in posted if m["text"] == "Rollout digest: week of 2026-11-16")
    text = json.dumps(summary["blocks"], ensure_ascii=False)
    assert "*1* active playbook" in text and "50% (1 of 2 checked in)" in text
    reply = next(m for m in posted if m["text"].startswith("Support: 1 playbook"))
    assert reply["thread_ts"] == summary["ts"]
    body = json.dumps(reply["blocks"], ensure_ascii=False)
    # The one measure of progress every surface uses: the share of the way from baseline to
    # target (30 from 42 towards 15 is 12 of 27), not a change relative to the baseline.
    assert "*30 min*, 44% of the way from baseline 42 min to target 15 min" in body and "-28.6%" not in body
    assert "worst step send 1 of 20 = 5% (95% CI 1–24%, cap 10%)" in body  # with its cases and interval
    assert "Check-ins 1 of 2 (50%)" in body
    (chart,) = slack.files
    assert chart["thread_ts"] == summary["ts"] and chart["channel"] == "CCURATORS1"
    assert chart["content"].startswith(b"\x89PNG") and chart["size"] > 5000


def test_a_failed_chart_upload_leaves_the_text_digest(engine, slack, store, playbook, clock):
    from bot.demo.standin.faults import Fault

    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    slack.fail_next("files.getUploadURLExternal", Fault(error="not_allowed_token_type"))
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    texts = [m["text"] for m in slack.posted("CCURATORS1")]
    assert texts == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]
    assert slack.files == []
    failed = [m for m in world.outbox.all() if m.status == "failed"]
    assert [m.key.split("#")[1] for m in failed] == ["chart:support"]


def test_the_digest_reports_closed_weeks_and_counts_a_cycle_once(engine, slack, store, playbook, clock, bot):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    world = Engine(engine, slack, clock)
    for week in range(4):
        clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * week))
        bot.command("cases support-replies send 40", user=OWNER)
        bot.command("exception support-replies send one refund over limit", user=OWNER)
        bot.command("kpi support-replies 14", user=MEMBER)
        world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC) + timedelta(days=7 * week))
    world.run(datetime(2026, 12, 21, 13, 0, tzinfo=UTC))  # the Monday after: no cycle completes again

    summaries = [m for m in slack.posted("CCURATORS1") if m["text"].startswith("Rollout digest")]
    assert [m["text"][-10:] for m in summaries] == [
        "2026-11-16",
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
    ]
    completed = [json.dumps(m["blocks"], ensure_ascii=False) for m in summaries]
    assert "*1* cycle completed this week (1 in all)" in completed[3]  # week 4 closed that Monday noon
    assert "*0* cycles completed this week (1 in all)" in completed[4]  # not counted twice
    # The header's exception ratio is the threads' own week: 1 of 40 on send, nothing else counted.
    assert "*Exception ratio, org-wide*\\n2.5%" in completed[0]
    thread = next(m for m in slack.posted("CCURATORS1") if m["text"].startswith("Support: 1 playbook"))
    assert "send 1 of 40 = 2% (95% CI 0–13%, cap 10%)" in json.dumps(thread["blocks"], ensure_ascii=False)


def test_a_playbook_far_west_is_reported_on_its_last_closed_week(engine, slack, store, clock):
    """At Monday 13:00 UTC, last week has not closed in Los Angeles (noon there is 20:00
    UTC): the digest reports the week before, the last one whose verdicts stand."""
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    committed(store).playbooks.load(
        [parse_playbook({**SUPPORT_REPLIES, "timezone": "America/Los_Angeles"})], "UTC", "t", clock()
    )
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    reported.add_kpi_reading(store, state.playbook.id, date(2026, 11, 16), 30.0, OWNER, clock())
    reported.add_kpi_reading(store, state.playbook.id, date(2026, 11, 23), 20.0, OWNER, clock())
    _, digests, _ = Digest(store, charts=False).figures(date(2026, 11, 30), datetime(2026, 11, 30, 13, 0, tzinfo=UTC))
    (only,) = digests
    assert only.latest == 30.0  # the week of 16 Nov, closed; the week of 23 Nov closes at 20:00 UTC
    _, digests, _ = Digest(store, charts=False).figures(date(2026, 11, 30), datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    assert digests[0].latest == 20.0


def test_mode_changes_and_proposals_are_each_reported_under_their_own_playbook(engine, store, clock):
    """Two playbooks closed the same week; one step of one changed mode and another has a
    promotion open. Each shows under its own playbook only, the other shows none."""
    from sqlalchemy import insert

    from cadence.decisions import Decision, DecisionKind
    from cadence.definition import parse_playbook
    from storage.models.governance import Decision as DecisionRow
    from storage.models.governance import Proposal
    from storage.store import decision_columns
    from tests.conftest import SUPPORT_REPLIES

    other = {**SUPPORT_REPLIES, "playbook": "support-triage", "channel": "CTRIAGE01"}
    committed(store).playbooks.load([parse_playbook(SUPPORT_REPLIES), parse_playbook(other)], "UTC", "t", clock())
    replies, triage = store.playbooks.state("support-replies"), store.playbooks.state("support-triage")
    for state in (replies, triage):
        begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    changed, proposed = triage.steps[0], triage.steps[-1]
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    week = date(2026, 11, 23)
    with engine.begin() as c:
        c.execute(
            insert(DecisionRow),
            [
                decision_columns(
                    Decision(
                        kind=DecisionKind.MODE_CHANGE,
                        rule="demotion",
                        actor="rule:demotion",
                        summary="",
                        playbook_id=triage.playbook.id,
                        step_id=changed.id,
                        week_start=week,
                        from_mode="ai-led",
                        to_mode="collaborative",
                    ),
                    at,
                )
            ],
        )
        c.execute(
            insert(Proposal),
            [
                dict(
                    key="promotion:x",
                    kind="promotion",
                    playbook_id=triage.playbook.id,
                    step_id=proposed.id,
                    week_start=week,
                    from_mode="collaborative",
                    to_mode="ai-led",
                    figures={},
                    opened_at=at,
                )
            ],
        )
    _, digests, _ = Digest(store, charts=False).figures(date(2026, 11, 30), datetime(2026, 11, 30, 13, 0, tzinfo=UTC))
    by_slug = {d.week.slug: d.week for d in digests}
    assert by_slug["support-triage"].mode_changes == [ModeChange(changed.name, "ai-led", "collaborative")]
    assert by_slug["support-triage"].open_proposals == [OpenProposal("promotion", proposed.name, "ai-led")]
    assert by_slug["support-replies"].mode_changes == [] and by_slug["support-replies"].open_proposals == []
