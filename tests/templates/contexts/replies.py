"""The contexts of the answers to commands, buttons and forms."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from cadence.assessment import QUESTIONS
from cadence.compare import compare_cycle
from cadence.pulse import FREED, Answer, summarize
from handlers.assess_form import LABELS, _box
from storage.store import Report
from usecases.shared import messages
from usecases.shared.stalling import Stalled


def contexts(
    text: str, week, playbook, steps, figures, hostile_kit, hostile_steps, hostile_checklist
) -> dict[str, dict]:
    """By template name; all but `text` are the parts that contexts() shares."""
    week_ctx = dict(slug="support-replies", cycle=1, week=2, week_start="2026-11-23")
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
    return {
        "refusal": dict(problem=text[:2000], suggestions=[text[:64]] * 3, usage=["/rollout kpi <playbook> <value>"]),
        "modal_notice": dict(title=text[:100], problem=text[:2000]),
        "paused": dict(
            slug=text[:64], status="paused", reason=text[:500], last_week=week, closes="Mon 23 Nov 12:00 Europe/Berlin"
        ),
        "owner_changed": dict(slug=text[:64], owner="UOWNER0001", before="UCURATOR1"),
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
            **week_ctx, kpi=text[:80], unit=text[:20], value=14.5, rest=20.5, target=15, baseline=42, progress=0.98
        ),
        "attest_recorded": dict(**week_ctx, followed=False, step="draft", mode="collaborative", note=text[:500]),
        "exception_recorded": dict(**week_ctx, step="send", reason=text[:500]),
        "cases_recorded": dict(**week_ctx, step="send", count=3, out=12, min_cases=10),
        "calibration_recorded": dict(
            slug="support-replies", step=text[:40], passed=37, total=40, threshold=0.9, note=text[:3000]
        ),
        "rubric_recorded": dict(**week_ctx, step="send", score=0.5, reviewed=20, threshold=0.9, floor=0.8),
        "cycle_started": dict(
            slug="support-replies",
            cycle=1,
            starts_on="2026-11-23",
            ends_on="2026-12-20",
            channel="CTEAM00001",
            stage="Pick the workflow",
            moved_from="2026-11-30",
            baseline_week="2026-11-16",
        ),
        "curator_changed": dict(user="UCURATOR1", add=True, changed=True),
        "curators_channel": dict(cmd=messages.CuratorsChannel("CCURATORS"), done=None),
        "away_set": dict(back=False, first="2026-12-21", last="2027-01-03"),
        "holidays": dict(
            action="add",
            day="2026-12-24",
            holiday_name=text[:80],
            upcoming=[dict(day="2026-12-24", weekday="Thu", name=text[:80])] * 60,
        ),
        "status": dict(
            compared=compare_cycle([20, 19, None], [25, 24, 26], "down", 42, 40),
            pulse=[summarize(7, [Answer(5, "often", 4, f) for f in FREED] * 20, 5)],
            pulse_answered=(7, 9),
            setup=dict(asked="2026-11-18", to_nudge=5.04, to_close=None),
            bar_asked=dict(by="UPERSON0001", on="3 Mar", changes=[text[:300]] * 30),
            full=True,
            plateau=True,
            met_weeks=[1, 2, 4],
            away=[dict(user="UPERSON0001", until="2027-01-03")] * 30,
            owner_deactivated=True,
            named_owners=[dict(role="business rules owner", user="UPERSON0001")] * 2,
            training_wait=dict(champion="UPERSON0001", done=2, total=3),
            champion_standing="owner_not_alone",
            guardrail=dict(name=text[:80], unit=text[:20], value=None, minimum=4.6, maximum=None, state="MISSING"),
            scale_min_kpi_weeks=3,
            stalled=Stalled(
                2,
                date(2027, 1, 10),
                3,
                dict(reason="barely-moved", cycle=3, cycles=[3]),
                dict(reason="missed", cycle=2, cycles=[1, 2]),
                date(2027, 2, 7),
            ),
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
            queue=[
                dict(
                    step=text[:40],
                    count=10_000,
                    acknowledged=9_999,
                    open=[
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
                    * 5,  # the oldest five a step (usecases/sections/queue.py, STATUS_ITEMS)
                )
                for _ in range(30)
            ],
            kit=hostile_kit,
            champion=dict(champion="UPERSON0002", checklist=dict(items=hostile_checklist, done=20, total=40)),
            kpi_by="token:" + text[:20],
            sourced=dict(week="2027-01-04", lines=[dict(what=text, said=text)] * 40, reliability=text[:100]),
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
                    unsure=dict(week=date(2027, 1, 4), why="rubric 85% is between the floor 80% and the threshold 90%"),
                )
                for i in range(30)
            ],
        ),
        "champion_named": dict(slug=text[:64], champion="UPERSON0002", before="UPERSON0003", items=40, done=3),
        "learned": dict(slug="support-replies", cycle=3, text=text[:500], count=7),
        "web_link": dict(link="https://rollout.example.com/web/login?token=" + "a" * 43, minutes=10),
        "learning_undone": dict(slug="support-replies", cycle=3, text=text[:500]),
        "modal_item_note": dict(
            to="resolved",
            metadata="resolved|e:2147483647",
            item=dict(
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
            slug="p" * 60,
            limit=500,
        ),
        "item_moved": dict(slug="p" * 60, to="acknowledged"),
        "item_escalated": dict(slug="p" * 60, done="escalated", to="CTEAM00001"),
        "modal_item_escalate": dict(
            metadata="e:2147483647|D0123456789|1234567890.123456",
            item=dict(
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
            slug="p" * 60,
            to="UPERSON0002",
            limit=500,
        ),
        "modal_assess": dict(
            metadata="123456789",
            title=text,
            number=999,
            boxes=[
                (key, question, [(kind, label, _box([text[:300]] * 20)) for kind, label in LABELS.items()])
                for key, question in QUESTIONS
            ],
        ),
        "modal_assess_kept": dict(kept=SimpleNamespace(slug="p" * 64, number=999, core=400, pilot=1)),
        "modal_learning": dict(metadata='{"playbook":1,"week":"2026-11-23"}', title=text, cycle=3, limit=500),
        "modal_setup_said": dict(playbook_id=999999999, slug="p" * 64, title=text, most=2400),
        "modal_pulse": dict(
            metadata='{"playbook":1,"week":"2026-12-07"}',
            title=text,
            cycle=3,
            needed=5,
            questions=dict.fromkeys(("trust", "around", "safety", "freed"), text[:150]),
            scale=[(str(n), str(n)) for n in range(1, 6)],
            around=[("never", text[:20])],
            freed=[("none", text[:40])],
        ),
        "modal_pulse_kept": dict(slug="p" * 60, cycle=3),
        "modal_stall": dict(
            answer="rescope", metadata="stall:1:2", slug="support-replies", title=text, cycle=2, limit=500
        ),
        "mode_set": dict(
            step=text[:40],
            slug="support-replies",
            mode="ai-led",
            unfrozen=False,
            channel="CTEAM00001",
            curators=True,
            asked=True,
        ),
        "modal_attest": dict(modal_ctx, choices=[{"label": text, "value": str(i)} for i in range(150)]),
        "modal_deviation": dict(modal_ctx, steps=hostile_steps),
        "modal_kpi": dict(modal_ctx, compared=True),
        # the owner's week in one form (issue 58): 30 steps, the most a playbook has, each asked all
        "modal_week": dict(
            metadata='{"p":1,"w":"2026-11-23","f":{}}',
            title=text,
            slug="support-replies",
            week=week,
            rows=[
                SimpleNamespace(
                    step=SimpleNamespace(id=i, name=text[:40], mode="collaborative"),
                    cases=20,
                    rubric=0.9 if i % 2 else None,
                    reviewed=20 if i % 3 else None,
                    passed=18 if i % 3 else None,
                    asked=4,
                    cases_from=("source " + text[:25]) if i == 0 else None,
                    rubric_from=("event " + text[:40]) if i == 1 else None,
                    no_rubric=i == 2,
                    # by rubric dimension: a field each (names are one lowercase word: cadence/dimensions.py)
                    dimensions=(("tone", 19), ("accuracy", None)) if i in (3, 4) else (),
                )
                for i in range(30)
            ],
            asks=[f"{text[:40]}: review at least 4 of this week's 20 cases"] * 30,
            pickers=False,  # 30 steps leave no room for a picker a step (handlers/week_form.py)
            minutes={"minutes:5": text[:12], "minutes:6": ""},  # net value: the minutes a review took
            by="U0123ABCD",
            kpi_name=text,
            unit=text[:20],
            kpi=14.5,
            kpi_from=None,
            kpi_text="14.5",
            guardrail_name=text[:80],
            guardrail=4.7,
            guardrail_from="source " + text[:25],
            guardrail_text="",
            guardrail_unit=text[:20],
            compared=True,
            rest=20.5,
            rest_from=None,
            rest_text="20.5",
        ),
        "modal_week_recorded": dict(
            slug="support-replies", week=week, lines=[(text[:40], "18 of 20 reviewed passed (90%)")] * 93
        ),
        "status_list": dict(
            playbooks=[
                dict(slug=f"p{i}", title=text, function=text, status="active", cycle=1, week=2, steps=5)
                for i in range(1000)
            ],
            in_channel=False,
            yours=True,
        ),
    }
