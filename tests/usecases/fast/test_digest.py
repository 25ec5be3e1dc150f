"""The weekly digest's figures and its Block Kit on the fakes (usecases/digest.py): an org
of 500 playbooks within Block Kit's limits, each playbook reported on its own last closed
week, mode changes and proposals under their own playbook; each Monday's digest posted by
the clock reporting the week closed that noon and counting a cycle once. Its thread and
chart through Slack are tests/usecases/test_digest.py's, end to end."""

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import cast

from cadence.change import Change, NewProposal
from cadence.decisions import Decision, DecisionKind
from cadence.digest import ModeChange, OpenProposal, OrgWeek, Origin, PlaybookWeek, StepLastWeek, summarize
from storage.report_batches import new_report
from storage.store import Store
from templates import check_block_limits
from tests import fakes
from tests.committed import committed
from tests.fakes import OWNER, FakeStore
from tests.usecases.fast.slash import slash
from tests.usecases.fast.test_close_modes import CURATORS, world
from usecases.digest import PER_REPLY, Digest

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


def test_an_org_of_500_playbooks_fits_block_kit_by_splitting():
    org, digests = big_org()
    weeks = [date(2026, 9, 28) + timedelta(days=7 * i) for i in range(8)]
    messages = Digest(cast(Store, FakeStore()), charts=False).compose(
        org, digests, weeks, date(2026, 11, 23), "digest:x", "CCUR"
    )
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


def test_a_playbook_far_west_is_reported_on_its_last_closed_week():
    """At Monday 13:00 UTC, last week has not closed in Los Angeles (noon there is 19:00
    UTC in summer time): the digest reports the week before, the last one whose verdicts stand."""
    state = fakes.a_playbook(timezone="America/Los_Angeles")
    store = FakeStore(state)
    pid, at = state.playbook.id, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    for week, value in ((date(2026, 3, 2), 30.0), (date(2026, 3, 9), 20.0)):
        committed(store).reports.add_reports([new_report("kpi", pid, week, OWNER, at, value=value)])
    digest = Digest(cast(Store, store), charts=False)
    _, digests, _ = digest.figures(date(2026, 3, 16), datetime(2026, 3, 16, 13, 0, tzinfo=UTC))
    (only,) = digests
    assert only.latest == 30.0  # the week of 2 March, closed; the week of 9 March closes at 19:00 UTC
    _, digests, _ = digest.figures(date(2026, 3, 16), datetime(2026, 3, 16, 19, 0, tzinfo=UTC))
    assert digests[0].latest == 20.0


def test_mode_changes_and_proposals_are_each_reported_under_their_own_playbook():
    """Two playbooks closed the same week; one step of one changed mode and another has a
    promotion open. Each shows under its own playbook only, the other shows none."""
    replies, triage = fakes.a_playbook(), fakes.a_playbook("support-triage")
    store = FakeStore(replies, triage)
    changed, proposed = triage.steps[0], triage.steps[-1]
    at, week = datetime(2026, 3, 16, 12, 0, tzinfo=UTC), date(2026, 3, 9)
    demotion = Decision(
        kind=DecisionKind.MODE_CHANGE,
        rule="demotion",
        actor="rule:demotion",
        summary="",
        playbook_id=triage.playbook.id,
        step_id=changed.id,
        week_start=week,
        from_mode="ai-led",
        to_mode="collaborative",
    )
    promotion = NewProposal(
        "promotion:x", "promotion", triage.playbook.id, week, proposed.id, "collaborative", "ai-led"
    )
    committed(store).governance.apply(Change(decisions=[demotion], new_proposals=[promotion]), at)
    store.held.decide(
        [replace(demotion, playbook_id=replies.playbook.id, step_id=replies.steps[0].id)], at - timedelta(days=8)
    )
    _, digests, _ = Digest(cast(Store, store), charts=False).figures(
        date(2026, 3, 16), datetime(2026, 3, 16, 13, 0, tzinfo=UTC)
    )
    by_slug = {d.week.slug: d.week for d in digests}
    assert by_slug["support-triage"].mode_changes == [ModeChange(changed.name, "ai-led", "collaborative")]
    assert by_slug["support-triage"].open_proposals == [OpenProposal("promotion", proposed.name, "ai-led")]
    # the other's mode change was decided before the week since the last digest: none to report
    assert by_slug["support-replies"].mode_changes == [] and by_slug["support-replies"].open_proposals == []


def test_the_digest_reports_closed_weeks_and_counts_a_cycle_once():
    """Four weeks of reports, each Monday's digest posted by the clock: each reports the week
    closed that noon, the cycle completed in week 4 is counted once, and the header's
    exception ratio is the threads' own week."""
    services, clock = world(steps=fakes.definition()["steps"])  # the curators' channel set; the org's zone UTC
    for week in range(4):
        clock.clock.at = datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * week)
        slash(services, "cases support-replies send 40", OWNER)
        slash(services, "exception support-replies send one refund over limit", OWNER)
        slash(services, "kpi support-replies 14")
        clock.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC) + timedelta(days=7 * week))
    clock.run(datetime(2026, 12, 21, 13, 0, tzinfo=UTC))  # the Monday after: no cycle completes again

    sent = clock.store.held.sent(CURATORS)
    summaries = [m for m in sent if m.payload["text"].startswith("Rollout digest")]
    assert [m.payload["text"][-10:] for m in summaries] == [
        "2026-11-16",
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
    ]
    completed = [json.dumps(m.payload["blocks"], ensure_ascii=False) for m in summaries]
    assert "*1* cycle completed this week (1 in all)" in completed[3]  # week 4 closed that Monday noon
    assert "*0* cycles completed this week (1 in all)" in completed[4]  # not counted twice
    # The header's exception ratio is the threads' own week: 1 of 40 on send, nothing else counted.
    assert "*Exception ratio, org-wide*\\n2.5%" in completed[0]
    thread = next(m for m in sent if m.payload["text"].startswith("Support: 1 playbook"))
    assert "send 1 of 40 = 2% (95% CI 0–13%, cap 10%)" in json.dumps(thread.payload["blocks"], ensure_ascii=False)
