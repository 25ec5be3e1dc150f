"""The contexts of what the bot sends on its own: nudges, DMs, week closes, alerts,
proposals and digests; and a transition of any kind and rule, for the mode alert."""

from types import SimpleNamespace

from cadence import pulse as pulses
from cadence.compare import compare_cycle
from cadence.definition_rules import RuleSettings
from cadence.digest import ModeChange, OpenProposal, OrgWeek, Origin, PlaybookWeek, StepLastWeek, summarize
from cadence.pulse import FREED, Answer
from cadence.verdicts import Thresholds
from templates.notices_digest import Fragment
from tests.templates.contexts.registry import hostile_criteria
from usecases.sections.licenses import LicensesHeader


def contexts(
    text: str, week, playbook, steps, figures, hostile_kit, hostile_steps, hostile_checklist
) -> dict[str, dict]:
    """By template name; all but `text` are the parts that contexts() shares."""
    dm_ctx = dict(
        slug="support-replies",
        title=text,
        week=week,
        steps=steps,
        kpi_name=text,
        value='{"playbook":1,"week":"2026-11-23"}',
    )

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
                dms_sent=10,
                checked_in=2,
                steps=[StepLastWeek(text[:40], "ai-led", None, 3, frozen=True) for _ in range(15)]
                + [StepLastWeek(text[:40], "ai-led", 100_000, 99_999) for _ in range(15)],  # worded with intervals
                mode_changes=[ModeChange(text[:40], "ai-led", "collaborative")] * 8,
                open_proposals=[OpenProposal("promotion", text[:40], "ai-led"), OpenProposal("scale")] * 4,
                origin=Origin(text[:64], 2, 42, 14, "on track", 3, 15),
                owner_deactivated=True,
                stalled=f"since the end of cycle 2 (2027-01-10): {text}",
                plateau=True,
                rest=24.1,
                pulse=pulses.summarize(2, [Answer(5, "often", 4, f) for f in FREED] * 20, 5),
                demo=f"funding a demo? vague: {text}",
            )
        )
        for i in range(15)
    ]
    return {
        "source_failed": dict(
            slug=text[:64],
            title=text,
            source="helpdesk",
            week="2027-01-04",
            closes="Monday 2027-01-11 12:00",
            failures=[SimpleNamespace(what=text, error=text)] * 12,
            owner_gone="UOWNER0001",  # the owner left Slack: said to the curators
        ),
        "usage_failed": dict(
            tool="c" * 40,
            error=text,
            since="2026-11-18 06:17 UTC",
            last_day="2026-11-16",
        ),
        "input_below": dict(
            slug=text[:64],
            title=text,
            input_name=text[:200],
            value=0.8123,
            minimum=0.95,
            source="warehouse",
            week="2027-01-04",
            when_missing=text[:300],
            owner="UOWNER0001",
        ),
        "channel_lost": dict(
            slug=text[:64],
            title=text,
            channel="CTEAM00001",
            error="is_archived",
            undelivered=[text[:150]] * 20,
            owner="UOWNER0001",
            audience="owner",
        ),
        "owner_handed_over": dict(
            slug=text[:64],
            title=text,
            channel="CTEAM00001",
            by="UCURATOR1",
            before="UOWNER0001",
            steps=hostile_steps,
            status="paused",
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
            form_value='{"playbook":1,"week":"2026-11-16"}',
            to_review=[f"{text[:40]}: review at least 4 of this week's 20 cases"] * 30,
            missing_kpi=True,
            closes="Mon 23 Nov 12:00 Europe/Berlin",
        ),
        "revision_told": dict(
            slug="support-replies",
            title=text,
            changes=[f"title “{text}” → “{text}”", "team channel CTEAM00001 → CHOSTILE99"] * 30,
            week_of="2026-11-16",
            week=week,
            by="UOWNER0001",
            at_server=False,
            why=text,
            figures={"before": {"channel": "CTEAM00001"}, "after": {}},
        ),
        "owner_deactivated": dict(slug="support-replies", title=text, owner="UOWNER0001", reason="deactivated"),
        "role_deactivated": dict(
            slug="support-replies",
            title=text,
            roles=["exception owner", "business rules owner"],
            person="UPERSON0001",
            reason="deactivated",
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
            champion="UPERSON0002",
            inputs=[text[:200]] * 30,
            outputs=[text[:200]] * 30,
            playbook_id=7,
            missing=[*hostile_criteria(text), dict(name="queue", met=False, overdue=99, oldest_days=99, limit_days=14)],
        ),
        "checkin_dm": dict(**dm_ctx, reminder=True, pulse=True),
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
                cycle=1, hit=True, mean=14.2, kpi_weeks=4, weeks_met=3, met=(True, True, False, True), target=15
            ),
            judged_target=15,  # the target the cycle started with, where today's differs
            scale_min_kpi_weeks=3,
            guardrail=SimpleNamespace(
                name=text[:80], unit=text[:20], state="MISSING", value=None, minimum=4.6, maximum=5.0
            ),
            source_failed={f"cases:step{i}": {"what": text, "source": "helpdesk", "error": text} for i in range(30)},
            compared=compare_cycle([20, 19, 21, 18], [25, 24, 26, 25], "down", 42, 40),
            pools={  # small weeks pooled (cadence/pooling.py), every other step
                f"step{i}": dict(weeks=[1, 2, 3], cases=27, exceptions=8, ratio=8 / 27, rubric=None, reviewed=None)
                for i in range(1, 30, 2)
            },
            pulse=pulses.summarize(2, [Answer(5, "often", 4, f) for f in FREED] * 20, 5),
            previous_pulse=pulses.summarize(1, [Answer(trust=4)] * 4, 5),
            pulse_hold={
                "trust": {"low": -1.9, "high": -0.6},
                "safety": {"low": -2.0, "high": -0.1},
                "worked_around": 0.4,
            },
            usage=usage_said("attested and used"),  # the longest: each tool's figures (the others: tests/usecases)
        ),
        "pulse_hold": dict(
            slug="p" * 60,
            title=text,
            cycle=2,
            why={"trust": {"low": -1.9, "high": -0.6}, "worked_around": 0.4},
        ),
        "mode_alert": dict(
            slug="support-replies",
            step=text[:40],
            owner="UOWNER0001",
            t=transition(),
            by="UCURATOR1",
            reason=text[:500],
            week_label="week 3 of cycle 1",
            labels={"2026-11-16": "week 1 of cycle 1", "2026-11-30": "week 3 of cycle 1"},
            promote_after=2,
            cooldown=4,
            next_label="week 3 of cycle 2",
            items=[
                dict(
                    key="e:2147483647",
                    source="exception",
                    step=text[:40],
                    reason=text[:4000],
                    logged_by="UPERSON0001",
                    logged_on="2026-11-16",
                    age=400,
                    state="acknowledged",
                    acknowledged=True,
                    slug="p" * 60,
                )
            ]
            * 5,
            items_total=300,
        ),
        "exception_queue_clear": dict(slug="p" * 60, title=text),
        "exception_queue": dict(
            slug="support-replies",
            title=text,
            items=[
                dict(
                    key="e:2147483647",
                    source="exception",
                    step=text[:40],
                    reason=text[:4000],
                    logged_by="UPERSON0001",
                    logged_on="2026-11-16",
                    age=400,
                    state="acknowledged",
                    acknowledged=True,
                    slug="p" * 60,
                ),
                dict(
                    key="e:2147483647",
                    source="exception",
                    step=text[:40],
                    reason=text[:4000],
                    logged_by="UPERSON0001",
                    logged_on="2026-11-16",
                    age=400,
                    state="acknowledged",
                    acknowledged=False,
                    slug="p" * 60,
                    escalated=dict(on="2026-11-19 10:00 UTC", why=text[:4000], by="UPERSON0002"),
                ),
            ]
            * 5,
            more=990,
            total=1000,
        ),
        "escalation": dict(
            slug="p" * 60,
            step=text[:40],
            source="exception",
            reason=text[:4000],
            logged_by="UPERSON0001",
            logged_on="2026-11-16",
            key="e:2147483647",
            age="400 d 23 h",
            holder="UPERSON0002",
            by="UPERSON0003",
            why=text[:4000],
            sla="2160 h",
            at="2026-11-19 10:00 UTC",
            escalate_to="CTEAM00001",
            meant_for="CCURATORS",
            acknowledged_by=None,
            acknowledged_at=None,
            again=False,
        ),
        "fallback": dict(slug="p" * 60, step=text[:40], mode="collaborative", waiting=10_000, ended=None),
        "escalation_backlog": dict(
            slug="p" * 60,
            items=[
                dict(
                    step=text[:40],
                    source="deviation",
                    age_words="400 d 23 h",
                    reason=text[:4000],
                    logged_by="UPERSON0001",
                    logged_on="2026-11-16",
                )
            ]
            * 10,
            count=10_010,
            more=10_000,
            holder="UPERSON0002",
            sla="2160 h",
            since="2026-11-19 10:00 UTC",
            escalate_to="CTEAM00001",
            meant_for="CCURATORS",
        ),
        "proposal": dict(
            slug="support-replies",
            step=text[:40],
            from_mode="collaborative",
            to_mode="ai-led",
            counter="PASS 2 weeks in a row",
            pass_weeks=transition()["figures"]["fail_weeks"],
            labels={"2026-11-16": "week 1 of cycle 1", "2026-11-30": "week 3 of cycle 1"},
            status="open",
            decided_by=None,
            key="proposal:1:2026-11-30",
            owner="UOWNER0001",
            calibration="37/40 = 92.5%, current",
            gates=[text[:300]] * 10,
        ),
        "calibration_waits": dict(slug="support-replies", step=text[:40], why="stale", standing=text[:200]),
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
        "digest_summary": dict(
            week_of="2026-11-16",
            at_risk=3,
            stalled=2,
            charts=True,
            pulse=pulses.summarize(2, [Answer(5, "often", 4, f) for f in FREED] * 20, 5),
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
                next_steps=(("p" * 64, 99, "request", "CTEAM00001", text[:3000]), ("p" * 64, 9, "version", text, text)),
            ),
            # the sections' own lines of the header: licenses against results, a line a tool
            parts=[
                Fragment(
                    "_digest_licenses.j2",
                    LicensesHeader(lines=(f"copilot: 120 seats, 41 active this week; {text}",) * 12, tools=()),
                )
            ],
        ),
        "assess_offer": dict(slug="p" * 64, title=text[:200], playbook_id=999999999),
        "setup_said_ask": dict(slug="p" * 64, title=text[:200], playbook_id=999999999),
        "digest_usage_cohorts": dict(  # templates/notices_usage_cohorts.py: four cohorts of an org of 999,999 teams
            cohorts=[
                dict(name=n, means=text[:80], teams=999_999, median="−99,999%", low="−99,999%", high="99,999%")
                for n in ("heavy", "moderate", "light", "none")
            ],
            why_not=None,
            left_out=999_999,
            min_teams=6,
        ),
        "digest_function": dict(
            function=text,
            digests=digests,
            total=500,
            part=2,
            parts=34,
            pulse=pulses.summarize(0, [Answer(5, "often", 4, f) for f in FREED] * 20, 5),
        ),
        "stalled": dict(
            slug="support-replies",
            title=text,
            kpi_name=text,
            kpi_unit=text[:20],
            direction="down",
            owner="UOWNER0001",
            key="stall:1:2",
            figures=dict(
                cycle=2,
                reason="missed",
                cycles=[1, 2],
                missed=[1, 2],
                median=30.5,
                progress=0.4259,
                baseline=42,
                target=15,
                weekly=[30, 31, None, 30],
            ),
        ),
    }


def usage_said(verdict: str) -> SimpleNamespace:
    """The week's usage as its summary says it (usecases/shared/close/usage.py, `Said`): 30
    tools of the longest names a tool may have, in a team of 100,000."""
    tools = tuple(f"{i:02d}" + "t" * 38 for i in range(30))
    counts = tuple(
        SimpleNamespace(tool=t, people=100_000, active=99_999, active_days=699_993, seats=100_000) for t in tools
    )
    return SimpleNamespace(verdict=verdict, tools=tools, people=100_000, counts=counts, holds=True)


def transition(kind="demotion", rule="fails"):
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
        "ci_low": 0.052,
        "ci_high": 0.36,
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
            # a recovery from human-led review (demote_to): its PASS weeks and those asked
            "streak": 2,
            "recover_after": 2,
        },
    )
