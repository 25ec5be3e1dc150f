"""Every template renders valid Block Kit within Slack's limits, and user text pings no one."""

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from cadence.calendar import WeekRef
from cadence.definition import RuleSettings
from cadence.figures import Attestation, StepWeek, WeekFigures
from cadence.rules import Kind, Thresholds, TransitionRule
from storage.store import Report
from templates import BlockKitError, NoWording, check_block_limits, mrkdwn, render, slack_escape, template_names
from usecases.home import registry_lines

HOSTILE = [
    "<!channel> <!here> <!everyone>",
    "<@U0123ABC> <#C0123ABC> <https://evil.example|click me>",
    "```code fence``` *bold* _it_ ~strike~ `tick`",
    '&amp; &lt; &gt; " \\ \n newline \t tab',
    "\u202eright-to-left override \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "x" * 10_000,
]

PINGS = re.compile(r"<[!@#]|<https?:")


def _contexts(text: str) -> dict[str, dict]:
    week = WeekRef(cycle=1, week=1, week_start=date(2026, 11, 16))
    playbook = SimpleNamespace(
        slug="support-replies",
        title=text,
        function=text,
        status="active",
        owner_id="UOWNER0001",
        channel_id="CTEAM00001",
        timezone="Europe/Berlin",
        kpi_name=text[:80],
        kpi_unit="min",
        kpi_baseline=42.0,
        kpi_target=15.0,
        exception_cap=0.1,
        rubric_threshold=0.9,
        definition={"inputs": [text[:200]] * 30, "outputs": [text[:200]] * 30},
        status_since=datetime(2026, 11, 20, tzinfo=UTC),
        status_reason=text[:500],
    )
    steps = [SimpleNamespace(name=f"step{i}", mode="ai-led", pinned=False) for i in range(30)]
    figures = WeekFigures(
        week_start=week.week_start,
        kpi=20.0,
        kpi_reports=3,
        steps=[
            StepWeek(name=f"step{i}", mode="ai-led", pinned=i == 0, cases=20, exceptions=1, deviations=1, rubric=0.91)
            for i in range(30)
        ],
        attestations=[Attestation(f"UPERSON{i:04d}", "deviated", "step1", text[:500]) for i in range(60)],
    )
    week_ctx = dict(slug="support-replies", cycle=1, week=2, week_start="2026-11-23")
    dm_ctx = dict(
        slug="support-replies",
        title=text,
        week=week,
        steps=steps,
        kpi_name=text,
        value='{"playbook":1,"week":"2026-11-23"}',
    )
    modal_ctx = dict(
        metadata='{"playbook":1,"week":"2026-11-23","dm":{"channel":"D1","ts":"1.2"}}',
        choices=[],
        week=week,
        title=text,
        steps=steps,
        kpi_name=text,
        baseline=42,
        target=15,
        unit=text[:20],
    )
    hostile_kit = dict(
        runbook="https://wiki.example.com/" + "a" * 400,
        training=["https://wiki.example.com/x|<!channel>", text[:300]] * 10,
        checks=[text[:300]] * 20,
        requires=[text[:300]] * 20,
        may_change=["baseline"],
    )
    criteria = [
        dict(name="attestation", met=False, rate=0.5, answered=20, asked=40, minimum=0.75),
        dict(
            name="exceptions",
            met=False,
            steps=[dict(step=text[:40], exceptions=9, cases=40, ratio=0.225, cap=0.1)] * 30,
            over=[text[:40]],
        ),
        dict(name="contract", met=False, inputs=0, outputs=2),
        dict(name="learnings", met=False, per_cycle={"1": 0, "2": 3}, missing=[1], wanted=2),
        dict(name="owner", met=False, active=False),
    ]
    hostile_steps = [SimpleNamespace(name=text[:40], mode="ai-led", pinned=True, frozen=True) for _ in range(30)]
    from cadence.digest import ModeChange, OpenProposal, OrgWeek, Origin, PlaybookWeek, StepLastWeek, summarize

    digests = [
        summarize(
            PlaybookWeek(
                slug=f"p{i}",
                title=text,
                function=text,
                kpi_name=text,
                unit=text[:20],
                direction="down",
                baseline=42,
                target=15,
                exception_cap=0.1,
                kpi_series=[40, None, 30, 25, 20, 18, 16, 14],
                cycle_values=[16, 14],
                weeks_left=2,
                scale_min_kpi_weeks=3,
                dms_sent=10,
                checked_in=2,
                steps=[StepLastWeek(text[:40], "ai-led", None, 3, frozen=True) for _ in range(30)],
                mode_changes=[ModeChange(text[:40], "ai-led", "collaborative")] * 8,
                open_proposals=[OpenProposal("promotion", text[:40], "ai-led"), OpenProposal("scale")] * 4,
                origin=Origin(text[:64], 2, 42, 14, "on track", 3),
                owner_deactivated=True,
            )
        )
        for i in range(15)
    ]
    return {
        "refusal": dict(problem=text[:2000], suggestions=[text[:64]] * 3, usage=["/rollout kpi <playbook> <value>"]),
        "modal_notice": dict(title=text[:100], problem=text[:2000]),
        "channel_lost": dict(
            slug=text[:64],
            title=text,
            channel="CTEAM00001",
            error="is_archived",
            undelivered=[text[:150]] * 20,
            owner="UOWNER0001",
            audience="owner",
        ),
        "paused": dict(
            slug=text[:64], status="paused", reason=text[:500], last_week=week, closes="Mon 23 Nov 12:00 Europe/Berlin"
        ),
        "owner_changed": dict(slug=text[:64], owner="UOWNER0001", before="UCURATOR1"),
        "owner_handed_over": dict(
            slug=text[:64],
            title=text,
            channel="CTEAM00001",
            by="UCURATOR1",
            before="UOWNER0001",
            steps=hostile_steps,
            status="paused",
        ),
        "guardrail_recorded": dict(
            slug=text[:64],
            cycle=1,
            week=2,
            week_start="2026-11-23",
            metric=text[:80],
            unit=text[:20],
            value=4.4,
            minimum=4.6,
            maximum=5.0,
            breached=True,
        ),
        "guardrail_alert": dict(
            slug=text[:64],
            week=week,
            owner="UOWNER0001",
            demotes=True,
            g=SimpleNamespace(
                name=text[:80],
                unit=text[:20],
                state="BREACHED",
                value=4.4,
                minimum=4.6,
                maximum=None,
                breaches_in_a_row=2,
            ),
        ),
        "digest_waiting": dict(week_of="2026-11-16"),
        "owner_missing": dict(
            slug=text[:64],
            title=text,
            week=week,
            kpi_name=text,
            missing_cases=[text[:40]] * 30,
            missing_guardrail=text[:80],
            missing_rubric=[text[:40]] * 30,
            missing_kpi=True,
            closes="Mon 23 Nov 12:00 Europe/Berlin",
        ),
        "history": dict(
            slug=text[:64],
            step=text[:40],
            limit=25,
            learnings=[dict(cycle=2, text=text[:500], by="UPERSON0001", when="2026-11-20")] * 10,
            more_learnings=True,
            sources=[dict(by="token:" + text[:20], what="12 KPI, 3 cases")] * 30,
            sources_weeks=4,
            rows=[
                dict(
                    when="2026-11-23",
                    week=text[:40],
                    kind="mode-change",
                    step=text[:40],
                    from_mode="ai-led",
                    to_mode="collaborative",
                    rule="critical",
                    person=None,
                    actor="rule:critical",
                    summary=text[:2000],
                    f={
                        "cases": 20,
                        "exceptions": 5,
                        "ratio": 0.25,
                        "cap": 0.1,
                        "rubric": 0.9,
                        "threshold": 0.9,
                        "fail_weeks": [
                            {
                                "week": "2026-11-16",
                                "cases": 20,
                                "exceptions": 5,
                                "ratio": 0.25,
                                "rubric": None,
                                "cap": 0.1,
                                "threshold": 0.9,
                                "floor": 0.8,
                                "min_cases": 10,
                            }
                        ]
                        * 4,
                    },
                )
            ]
            * 25,
        ),
        "undone": dict(
            slug=text[:64],
            cycle=1,
            week=2,
            week_start="2026-11-23",
            step=text[:40],
            kpi=text[:80],
            unit=text[:20],
            report=Report("exception", 1, date(2026, 11, 23), 1, datetime(2026, 11, 24, tzinfo=UTC), text[:500]),
            counting=Report("kpi", 2, date(2026, 11, 23), None, datetime(2026, 11, 24, tzinfo=UTC), 18.5, None, "U1"),
            counting_is_count=False,
            counting_step=None,
            yours=False,
        ),
        "failure": {},
        "foreign_workspace": {},
        "help": dict(usage=["/rollout help"], topic=None),
        "kpi_recorded": dict(
            **week_ctx, kpi=text[:80], unit=text[:20], value=14.5, target=15, baseline=42, progress=0.98
        ),
        "attest_recorded": dict(**week_ctx, followed=False, step="draft", mode="collaborative", note=text[:500]),
        "exception_recorded": dict(**week_ctx, step="send", reason=text[:500]),
        "cases_recorded": dict(**week_ctx, step="send", count=3, min_cases=10),
        "rubric_recorded": dict(**week_ctx, step="send", score=0.5, threshold=0.9, floor=0.8),
        "cycle_started": dict(
            slug="support-replies",
            cycle=1,
            starts_on="2026-11-23",
            ends_on="2026-12-20",
            channel="CTEAM00001",
            stage="Pick the workflow",
            moved_from="2026-11-30",
        ),
        "curator_changed": dict(user="UCURATOR1", add=True, changed=True),
        "curators_channel_set": dict(channel="CCURATORS"),
        "away_set": dict(back=False, first="2026-12-21", last="2027-01-03"),
        "holidays": dict(
            action="add",
            day="2026-12-24",
            holiday_name=text[:80],
            upcoming=[dict(day="2026-12-24", weekday="Thu", name=text[:80])] * 60,
        ),
        "owner_deactivated": dict(slug="support-replies", title=text, owner="UOWNER0001", reason="deactivated"),
        "status": dict(
            full=True,
            met_weeks=[1, 2, 4],
            away=[dict(user="UPERSON0001", until="2027-01-03")] * 30,
            owner_deactivated=True,
            guardrail=dict(name=text[:80], unit=text[:20], value=None, minimum=4.6, maximum=None, state="MISSING"),
            scale_min_kpi_weeks=3,
            notes=[dict(step=text[:40], who="UOWNER0001", why=text[:500], what="exception")] * 30,
            mine=None,
            trend="▁▂▃▄▅▆▇█",
            trend_known=8,
            playbook=playbook,
            anchor=None,
            week=week,
            stage="Run the workflow",
            figures=figures,
            progress=0.8,
            origin=text[:64],
            learnings=[SimpleNamespace(text=text[:500], added_by="UPERSON0001")] * 4,
            learnings_shown=3,
            kit=hostile_kit,
            kpi_by="token:" + text[:20],
            versions=[SimpleNamespace(version=i, published_at=datetime(2026, 12, 14)) for i in range(1, 9)],
            proposals=[dict(kind="promotion", step=text[:40], to_mode="ai-led", figures={})] * 9,
            step_rows=[
                dict(
                    name=f"step{i}",
                    mode="ai-led",
                    pinned=False,
                    frozen=True,
                    proposal=True,
                    recent=["PASS", "FAIL", "MISSING", "INCONCLUSIVE"],
                    streak_outcome="PASS",
                    streak=2,
                    week=figures.steps[i],
                )
                for i in range(30)
            ],
        ),
        "stage_nudge": dict(
            slug="support-replies",
            title=text,
            week=week,
            steps=hostile_steps,
            kpi_name=text,
            baseline=42,
            target=15,
            unit=text[:20],
            checkin_at="Thursday 15:00",
            inputs=[text[:200]] * 30,
            outputs=[text[:200]] * 30,
        ),
        "checkin_dm": dict(**dm_ctx, reminder=True),
        "checkin_recorded_dm": dict(**dm_ctx, unit=text[:20], followed=False, step=text[:40]),
        "week_closed": dict(
            playbook=SimpleNamespace(**vars(playbook), rules={}),
            week=week,
            figures=figures,
            outcomes={f"step{i}": "FAIL" if i % 2 else "INCONCLUSIVE" for i in range(30)},
            reasons={
                f"step{i}": "3-exceptions-over-cap" if i % 2 else "5-rubric-between-floor-and-threshold"
                for i in range(30)
            },
            thresholds=Thresholds.of(RuleSettings(), exception_cap=0.1, rubric_threshold=0.9),
            result=SimpleNamespace(
                cycle=1, hit=True, mean=14.2, kpi_weeks=4, weeks_met=3, met=(True, True, False, True)
            ),
            scale_min_kpi_weeks=3,
            guardrail=SimpleNamespace(
                name=text[:80], unit=text[:20], state="MISSING", value=None, minimum=4.6, maximum=5.0
            ),
        ),
        "mode_alert": dict(
            slug="support-replies",
            step=text[:40],
            owner="UOWNER0001",
            t=_transition(),
            by="UCURATOR1",
            reason=text[:500],
            week_label="week 3 of cycle 1",
            labels={"2026-11-16": "week 1 of cycle 1", "2026-11-30": "week 3 of cycle 1"},
            promote_after=2,
            cooldown=4,
            next_label="week 3 of cycle 2",
        ),
        "proposal": dict(
            slug="support-replies",
            step=text[:40],
            from_mode="collaborative",
            to_mode="ai-led",
            counter="PASS 2 weeks in a row",
            pass_weeks=_transition()["figures"]["fail_weeks"],
            labels={"2026-11-16": "week 1 of cycle 1", "2026-11-30": "week 3 of cycle 1"},
            status="open",
            decided_by=None,
            key="proposal:1:2026-11-30",
            owner="UOWNER0001",
        ),
        "scale_proposal": dict(
            slug="support-replies",
            title=text,
            function=text,
            kpi_name=text,
            kpi_unit=text[:20],
            target=15,
            baseline=42,
            direction="down",
            status="open",
            key="scale:1:2",
            version=None,
            decided_by=None,
            results=[dict(cycle=1, mean=14.2, kpi_weeks=4, hit=True)] * 2,
            criteria=criteria,
        ),
        "not_ready": dict(
            slug="support-replies",
            title=text,
            kpi_name=text,
            kpi_unit=text[:20],
            target=15,
            direction="down",
            results=[dict(cycle=1, mean=14.2, kpi_weeks=4, hit=True)] * 2,
            criteria=criteria,
            missing=["attestation", "exceptions", "contract", "learnings", "owner"],
        ),
        "learned": dict(slug="support-replies", cycle=3, text=text[:500], count=7),
        "web_link": dict(link="https://rollout.example.com/web/login?token=" + "a" * 43, minutes=10),
        "learning_undone": dict(slug="support-replies", cycle=3, text=text[:500]),
        "learning_prompt": dict(
            slug="support-replies",
            title=text,
            cycle=3,
            kpi_name=text,
            unit=text[:20],
            baseline=42,
            target=15,
            first=(1, 40.0),
            latest=(3, 20.5),
            steps=[
                dict(
                    name=text[:40],
                    mode="ai-led",
                    verdicts=["PASS", "FAIL", "MISSING"],
                    changes=["2026-11-16"],
                    reasons=[dict(kind="deviation", text=text[:500], count=9)] * 3,
                )
            ]
            * 30,
            button='{"playbook":1,"week":"2026-11-23"}',
        ),
        "modal_learning": dict(metadata='{"playbook":1,"week":"2026-11-23"}', title=text, cycle=3, limit=500),
        "published": dict(
            slug="support-replies",
            version=3,
            by="UCURATOR1",
            scale_rule_held=False,
            results=[dict(cycle=c, mean=14.2, kpi_weeks=4, hit=True) for c in range(1, 30)],
            definition={
                "function": text,
                "kpi": {"name": text, "unit": text[:20], "baseline": 42, "target": 15},
                "exception_cap": 0.1,
                "rubric_threshold": 0.9,
                "steps": [{"name": text[:40], "mode": "ai-led", "pinned": False}] * 30,
            },
        ),
        "registry_list": dict(
            function=text[:80],
            entries=[
                dict(
                    slug=f"p{i}",
                    version=i,
                    function=text,
                    published_on="2026-12-14",
                    target=15,
                    results=[dict(cycle=1, mean=14.2, hit=True)] * 5,
                    adopters=[dict(slug=text[:64], status="active", verdict="on track", cycle=2)] * 9,
                    learnings=12,
                    kit=True,
                )
                for i in range(400)
            ],
        ),
        "adopted": dict(
            slug="support-replies-sales",
            channel="CTEAM00001",
            origin="support-replies",
            version=2,
            by="UCURATOR1",
            owner="UOWNER0001",
            steps=hostile_steps,
            inputs=[text[:200]] * 30,
            outputs=[text[:200]] * 30,
            kpi=SimpleNamespace(name=text[:80], unit=text[:20], baseline=42, target=15),
            timezone="America/New_York",
            starts_on="2026-11-30",
            exception_cap=0.15,
            rubric_threshold=0.85,
            kit=SimpleNamespace(**hostile_kit),
            results=[dict(cycle=c, mean=14.2, kpi_weeks=4, hit=True, weeks_met=3) for c in range(1, 30)],
            learnings=[dict(cycle=2, text=text[:500], by="UPERSON0001", at="2026-11-20T10:00:00+00:00")] * 5,
            more_learnings=40,
            learnings_at=SimpleNamespace(
                link="https://rollout.example.com/web/playbooks/support-replies", lists=50, all=False
            ),
            override=text[:500],
            dm=True,
        ),
        "home": dict(
            curator=True,
            **dict(
                zip(
                    ("registry", "registry_more"),
                    registry_lines(
                        [
                            SimpleNamespace(
                                slug="p" * 60 + f"{i:03d}",
                                version=i,
                                function=text[:80],
                                published_at=datetime(2026, 12, 14, tzinfo=UTC),
                            )
                            for i in range(40)
                        ]
                    ),
                    strict=True,
                )
            ),
            proposals=[
                dict(
                    slug=f"p{i}",
                    step=text[:40],
                    from_mode="collaborative",
                    to_mode="ai-led",
                    counter="PASS 2 weeks in a row",
                    key=f"proposal:{i}:2026-11-30",
                )
                for i in range(15)
            ],
            playbooks=[
                dict(
                    slug=f"p{i}",
                    title=text,
                    status="active",
                    week=week,
                    steps=hostile_steps,
                    owner=True,
                    kpi_name=text,
                    value='{"playbook":1,"week":"2026-11-23"}',
                    checkin=dict(attestation="deviated", step=text[:40]),
                    history=[dict(week="16 Nov", answer="deviated", step=text[:40])] * 8,
                )
                for i in range(20)
            ],
        ),
        "digest_summary": dict(
            week_of="2026-11-16",
            at_risk=3,
            charts=True,
            org=OrgWeek(
                active_playbooks=500,
                cycles_completed_week=3,
                cycles_completed_total=90,
                versions_published_week=1,
                versions_published_total=9,
                adoptions=4,
                exception_ratios=[0.1, None, 0.05],
                dms_sent=100,
                checked_in=70,
            ),
        ),
        "digest_function": dict(function=text, digests=digests, total=500, part=2, parts=34),
        "mode_set": dict(
            step=text[:40], slug="support-replies", mode="ai-led", unfrozen=False, channel="CTEAM00001", curators=True
        ),
        "modal_attest": dict(modal_ctx, choices=[{"label": text, "value": str(i)} for i in range(150)]),
        "modal_deviation": dict(modal_ctx, steps=hostile_steps),
        "modal_kpi": modal_ctx,
        "status_list": dict(
            playbooks=[
                dict(slug=f"p{i}", title=text, function=text, status="active", cycle=1, week=2, steps=5)
                for i in range(1000)
            ],
            in_channel=False,
            yours=True,
        ),
    }


def _transition(kind="demotion", rule="fails"):
    week = {
        "cases": 20,
        "exceptions": 3,
        "ratio": 0.15,
        "rubric": 0.95,
        "cap": 0.1,
        "threshold": 0.9,
        "floor": 0.8,
        "min_cases": 10,
        "critical_multiplier": 2.0,
        "outcome": "FAIL",
    }
    return dict(
        kind=kind,
        rule=rule,
        from_mode="ai-led",
        to_mode="collaborative",
        counter="FAIL 2 of last 4 weeks",
        figures={
            **week,
            "missing_weeks": 3,
            "demote_after": 3,
            "missed": ["2026-11-16", "2026-11-30"],
            "fail_weeks": [{"week": "2026-11-16", **week}, {"week": "2026-11-30", **week}],
            # a guardrail's demotion: the guardrail decision's figures
            "name": "CSAT",
            "breaches": 2,
            "value": 4.4,
            "min": 4.6,
            "max": None,
        },
    )


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("demotion", "critical"),
        ("demotion", "fails"),
        ("demotion", "unobserved"),
        ("warning", "unobserved"),
        ("withdrawal", "fail-withdraws"),
        ("withdrawal", "override"),
        ("freeze", "freeze"),
        ("promotion", "approval"),
        ("rejection", "rejection"),
        ("override", "override"),
        ("unfreeze", "unfreeze"),
    ],
)
def test_every_kind_of_mode_alert_renders(kind, rule):
    context = _contexts("<!channel>")["mode_alert"]
    message = render("mode_alert", **{**context, "t": _transition(kind, rule)})
    text = message["blocks"][0]["text"]["text"]
    assert "support-replies" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text


# Every transition a rule can make, but a proposal (templates/proposal.json.j2 words those),
# read from the rules' own declarations: a rule or a kind added there is tried here at once.
ALERTED = [(kind, rule) for rule in TransitionRule for kind in sorted(rule.kinds) if kind is not Kind.PROPOSAL]


@pytest.mark.parametrize(("kind", "rule"), ALERTED, ids=[f"{kind}-by-{rule}" for kind, rule in ALERTED])
def test_every_transition_a_rule_can_make_has_its_own_wording(kind, rule):
    """Issue 40, item 6: the alert words a transition by its kind and rule, with no branch
    that words whatever it does not know as something it knows. A rule whose transition
    has no wording fails here, not in a team's channel."""
    context = _contexts("<!channel>")["mode_alert"]
    message = render("mode_alert", **{**context, "t": _transition(kind, rule)})
    text = message["blocks"][0]["text"]["text"]
    assert text.startswith(":") and "*support-replies*" in text and "&lt;!channel&gt;" in text
    if kind == Kind.DEMOTION:  # and what to do about it
        assert message["blocks"][1]["elements"][0]["text"].startswith("Next: ")


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("demotion", "a-rule-nobody-worded"),
        ("withdrawal", "a-rule-nobody-worded"),
        ("warning", "critical"),  # a known rule, in a kind it never makes
        ("proposal", "streak"),  # worded by proposal.json.j2, not here
        ("a-kind-nobody-worded", "critical"),
    ],
)
def test_a_transition_without_wording_is_an_error_not_another_rules_words(kind, rule):
    """The demotion branch once ended in an else that called every demotion it did not
    know "unobserved autonomy", and the withdrawal branch every withdrawal "set by hand"."""
    context = _contexts("x")["mode_alert"]
    with pytest.raises(NoWording, match=f"^no wording for a {kind} by rule {rule}$"):
        render("mode_alert", **{**context, "t": _transition(kind, rule)})


def test_every_template_has_a_hostile_context():
    assert set(template_names()) == set(_contexts("x"))


@pytest.mark.parametrize("text", HOSTILE, ids=["mentions", "links", "formatting", "entities", "rtl", "10k"])
@pytest.mark.parametrize("name", template_names())
def test_hostile_text_renders_safely(name, text):
    message = render(name, **_contexts(text)[name])
    json.dumps(message)  # serialisable
    check_block_limits(message)
    if message.get("type") == "modal":
        assert message["title"]["text"]
    elif message.get("type") != "home":  # messages carry fallback text for notifications
        assert message["text"]
    bot_mentions = {"<@UOWNER0001>", "<#CTEAM00001>", "<@UCURATOR1>", "<#CCURATORS>"}
    for text_seen in _mrkdwn_texts(message):  # plain_text is shown literally by Slack: it cannot ping
        for mention in bot_mentions:
            text_seen = text_seen.replace(mention, "")
        text_seen = re.sub(r"<@UPERSON\d{4}>", "", text_seen)
        assert not PINGS.search(text_seen), text_seen[:300]


def _mrkdwn_texts(node, top=True):
    """The fallback text and every mrkdwn text object in a message."""
    if isinstance(node, dict):
        if top and isinstance(node.get("text"), str):
            yield node["text"]
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _mrkdwn_texts(value, top=False)
    elif isinstance(node, list):
        for item in node:
            yield from _mrkdwn_texts(item, top=False)


def test_escaping_is_the_default_and_mrkdwn_is_explicit():
    assert slack_escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert mrkdwn("{} asked {}", "<!here>", mrkdwn("<@{}>", "U0123ABC")) == "&lt;!here&gt; asked <@U0123ABC>"


def test_every_kind_of_value_is_written_escaped_for_slack_and_json():
    """The finalizer's fast paths (plain str, int, float) write what the general one would."""
    from enum import IntEnum

    from templates import Mrkdwn, PlainText, _finalize

    class Level(IntEnum):
        AI = 3

    def general(value):
        return json.dumps(slack_escape(str(value)), ensure_ascii=False)[1:-1]

    for value in [
        "plain",
        'a "quote" \\ \t\n <!here> & é',
        "",
        0,
        -12,
        10**20,
        2.5,
        -0.0,
        1e-7,
        float("inf"),
        Level.AI,
    ]:
        assert _finalize(value) == general(value), value
    assert (_finalize(None), _finalize(True), _finalize(False)) == ("", "yes", "no")
    assert _finalize(Mrkdwn("<@U0123ABC>")) == "<@U0123ABC>" and _finalize(PlainText('<b> "x"')) == '<b> \\"x\\"'


def test_limits_are_enforced():
    with pytest.raises(BlockKitError):
        check_block_limits({"blocks": [{"type": "divider"}] * 51})
    with pytest.raises(BlockKitError):
        check_block_limits({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]})


def test_the_clock_loads_every_template_when_it_is_built(store):
    """The clock compiles every template at start, not in its first week close."""
    import templates
    from slack_api.members import TeamDirectory
    from usecases.tick import Cadence

    templates._templates.clear()
    Cadence(store, None, TeamDirectory(), "UTC", lambda: None, charts=False)  # type: ignore[arg-type]
    assert sorted(templates._templates) == template_names() and len(template_names()) > 40


def test_long_kits_many_learnings_and_reasons_are_cut_never_over_block_kits_limits():
    """Links, learnings and reasons are what people wrote: however long and however many
    characters escaping grows, a section is cut with an ellipsis, never over 3,000."""
    context = _contexts("plain words")  # the rest of the message as written; the kit and learnings hostile
    link = "https://wiki.example.com/" + "a&b" * 90  # 295 characters, each & five when escaped
    kit = SimpleNamespace(runbook=link, training=[link] * 20, checks=[link] * 20, requires=[link] * 20, may_change=[])
    learnings = [dict(cycle=1, text="&" * 500, by="UPERSON0001", at="2026-11-20")] * 5
    message = render("adopted", **{**context["adopted"], "kit": kit, "learnings": learnings})
    check_block_limits(message)
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts) and any(t.endswith("…") for t in texts)
    prompt = context["learning_prompt"]
    steps = [dict(s, reasons=[dict(kind="exception", text="<&>" * 170, count=3)] * 3) for s in prompt["steps"]]
    check_block_limits(render("learning_prompt", **{**prompt, "steps": steps}))


@pytest.mark.parametrize("name", template_names())
def test_what_people_read_has_no_raw_emoji_code(name):
    """Every message, as the demo's page and the terminal show it, and in each of its
    variants the contexts hold (a pause and a retirement, a breach and a holding guardrail):
    emoji, never a `:code:` a template built from parts."""
    from templates.terminal import to_text

    variants = [_contexts("x")[name]]
    if name == "paused":
        variants.append({**variants[0], "status": "retired"})
    if name == "guardrail_recorded":
        variants.append({**variants[0], "breached": not variants[0].get("breached")})
    for context in variants:
        shown = to_text(render(name, **context))
        assert not re.search(r":[a-z][a-z0-9_+-]*:", shown), shown


def test_every_emoji_code_the_templates_use_has_its_emoji():
    """The demo's page and the terminal show emoji, not `:codes:` (templates/terminal.py)."""
    from templates.terminal import EMOJI

    folder = Path(__file__).resolve().parents[2] / "templates"
    used = {code for path in folder.glob("*.j2") for code in re.findall(r":[a-z_]+:", path.read_text())}
    assert used - set(EMOJI) == set()


def test_an_inconclusive_week_whose_rule_the_summary_does_not_know_is_named_by_its_rule():
    """The week close words the three kinds of INCONCLUSIVE it knows (issue 39, item 18);
    a rule it does not know is named as it is, never worded as one of those."""
    context = _contexts("plain words")["week_closed"]
    reasons = {**context["reasons"], "step0": "6-a-rule-to-come"}
    message = render("week_closed", **{**context, "reasons": reasons})
    text = message["blocks"][1]["text"]["text"]
    assert text.startswith(
        ":white_circle: *step0* (ai-led) INCONCLUSIVE: by rule 6-a-rule-to-come; 20 cases, 2 exceptions = 10% (cap 10%), rubric 91%\n"
    )
