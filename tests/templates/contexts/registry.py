"""The contexts of scaling and the registry: proposals to scale, publishing, adopting,
the registry's list and the Home tab."""

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

from cadence import phases
from cadence.next_steps import Candidate, rank
from cadence.versions import Change
from handlers import adopt_offer
from usecases.home import registry_lines
from usecases.learnings_search import Found, Hit
from usecases.shared.messages import Adopt, Offered
from usecases.shared.versions import Upgraded

# An adopt as an offer's button carries it (handlers/adopt_offer.py), every field as long as it can be.
LONGEST_ADOPT = adopt_offer.value(
    Adopt(
        "p" * 64,
        999999999,
        "C" + "9" * 19,
        "c" * 80,
        "U" + "9" * 19,
        baseline=-123456789.123456,
        target=-123456789.123456,
        timezone="America/Argentina/ComodRivadavia",
        starts_on=date(2026, 12, 7),
        exception_cap=0.123456,
        rubric_threshold=0.123456,
        champion_id="W" + "9" * 19,
        offered=Offered((9999999999,) * 6),
    )
)

# A version's wave as usecases/shared/waves.py `shown` gives it: the largest numbers (999
# waves of the largest `adoption_wave`).
WAVE = dict(number=999, size=100, teams=[], replicated=True, reviewed=False, allows=False)
# the longest phase words: an adopter's slug of 64 characters, 999 teams (cadence/phases.py)
PHASE = phases.phase(99999, [phases.Adopter("a" * 64, True, True)] * 999, 1000, "p" * 64).shown()


def hostile_criteria(text: str) -> list[dict]:
    """Every criterion of readiness missing, as long as each can be, with `text` wherever
    people's words go (a step's name, an input's)."""
    return [
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
        dict(
            name="accuracy",
            met=False,
            steps=[dict(step=text[:40], by_design=False, scored=True, weeks_met=[2, 3], met=False)] * 30,
            below=[text[:40]] * 30,
            threshold=0.9,
            needed=3,
            weeks=4,
            cycles=1,
            wanted=2,
        ),
        dict(  # (7) as judged since the AI's inputs are checked: metric delivery beside it
            name="reliability",
            met=False,
            checks=True,
            applies=True,
            inputs=[dict(name=text[:200], min=0.95, weeks_met=5, met=False)] * 30,
            below=[text[:200]] * 30,
            needed=7,
            weeks=8,
            delivery=dict(applies=True, arrived=5, pairs=12, share=5 / 12, minimum=0.9),
        ),
    ]


def contexts(
    text: str, week, playbook, steps, figures, hostile_kit, hostile_steps, hostile_checklist
) -> dict[str, dict]:
    """By template name; all but `text` are the parts that contexts() shares."""
    criteria = hostile_criteria(text)
    return {
        "scale_proposal": dict(
            pulse={"cycle": 3, "answers": 4, "needed": 5, "shown": False},
            changed=[text[:300]] * 12,
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
            assessment=dict(number=99999, core=80, core_items=[text[:300]] * 80, pilot_conditions=[text[:300]] * 80),
        ),
        "readiness_news": dict(
            slug="support-replies",
            title=text,
            criteria=criteria,
            missing=[c for c in criteria if not c["met"]],
            missing_criteria=[c for c in criteria if not c["met"]],
        ),
        "not_ready": dict(
            pulse={"cycle": 3, "answers": 4, "needed": 5, "shown": False},
            slug="support-replies",
            title=text,
            kpi_name=text,
            kpi_unit=text[:20],
            target=15,
            direction="down",
            results=[dict(cycle=1, mean=14.2, kpi_weeks=4, hit=True)] * 2,
            criteria=criteria,
            missing=["attestation", "exceptions", "contract", "learnings", "owner", "accuracy", "reliability"],
        ),
        "published": dict(
            slug="support-replies",
            version=3,
            by="UCURATOR1",
            scale_rule_held=False,
            assessment=dict(number=99999, core=80, core_items=[text[:300]] * 80, pilot_conditions=[text[:300]] * 80),
            override=text[:500],
            over_readiness=f"published over readiness: 7 criteria not met — {text[:3000]}",
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
                    override=text[:300],
                    over_readiness=f"published over readiness: 7 criteria not met — {text[:3000]}",
                    target=15,
                    unit=text[:20],
                    results=[dict(cycle=1, mean=14.2, median=14.25, progress=1.0123, hit=True)] * 5,
                    adopters=[dict(slug=text[:64], status="active", verdict="on track", cycle=2)] * 9,
                    requests=[
                        dict(
                            channel="CTEAM00001",
                            requester="UPERSON0001",
                            champion="UPERSON0002",
                            why=text[:500],
                            status=status,
                            decided_by="UCURATOR1",
                            reason=text[:500],
                            adopted=text[:64],
                            on="2026-12-14",
                        )
                        for status in ("pending", "approved", "declined")
                    ],
                    learnings=12,
                    kit=True,
                    wave=WAVE,
                    assessment=dict(number=99999, core=400, pilot_conditions=[text[:300]] * 80) if i % 2 else None,
                    phase=PHASE,
                    setup_said=dict(
                        median=2400,
                        meetings=999,
                        teams=999,
                        over_the_hour=True,
                        line="setup: 2400 min said, 99999 min in forms; a meeting needed by 999 of 999 teams",
                    )
                    if i % 3
                    else None,
                )
                for i in range(400)
            ],
        ),
        "playbook_made": dict(
            slug="support-replies",
            title=text[:200],
            function=text[:80],
            channel="CTEAM00001",
            owner="UOWNER0001",
            steps=hostile_steps,
            kpi=SimpleNamespace(name=text[:80], unit=text[:20], baseline=42, target=15),
            starts_on="2026-11-30",
            timezone="America/New_York",
            for_curators=False,
            intake="6 cases a week × 9 min, not structured",
            value_event="reply_accepted",
            warning="funding a demo? 6 cases a week; not structured",
        ),
        "adopted": dict(
            slug="support-replies-sales",
            channel="CTEAM00001",
            origin="support-replies",
            over_readiness=f"published over readiness: 7 criteria not met — {text[:3000]}",
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
            champion="UPERSON0002",
            champion_default=True,
            training_first=True,
            champion_ask=True,
            declared=True,
            learned=dict(wave=9999, note=text, by="UPERSON0001", at="26 Nov 2026"),
            baseline_week="2026-11-23",
            assessment=dict(number=99999, core=400, pilot_conditions=[text[:300]] * 80),
        ),
        "baseline_closed": dict(
            slug="p" * 60,
            kpi_name=text[:80],
            unit=text[:20],
            declared=42,
            measured=38.75,
            reports=10_000,
            cycle_starts="2026-11-30",
        ),
        "request_card": dict(
            id="12",
            slug="support-replies",
            version=2,
            channel="CTEAM00001",
            requester="UPERSON0001",
            champion="UPERSON0002",
            answers=dict(
                why=text[:500],
                similar=text[:500],
                context=text[:500],
                capacity=text[:500],
                baseline=40,
                timezone=text[:64],
            ),
            results=[dict(cycle=c, hit=c % 2 == 0) for c in range(1, 30)],
            wave=dict(WAVE, teams=[dict(slug=text[:64], verdict="on track")] * 20),
            status="pending",
            decided_by=None,
            reason=None,
            adopted=None,
            refusal=text[:500],
            overridable=True,
        ),
        "bar_card": dict(
            id="7",
            slug="support-replies",
            title=text[:200],
            owner="UOWNER0001",
            asked_by="UPERSON0001",
            changes=[text[:300]] * 20,
            reason=text[:3000],
            cap=text[:20],
            weeks=[dict(step=text[:40], weeks=[dict(week=text[:20], outcome="FAIL", ratio=text[:20])] * 4)] * 30,
            state="open",
            single=["UCURATOR1"],
            nobody=True,
            decided_by="UCURATOR1",
            effective=text[:40],
            decline_reason=text[:3000],
            void_reason=text[:80],
            file=None,
            gates=[text[:300]] * 10,
            found=[text[:300]] * 10,
        ),
        "bar_told": dict(
            kind="applied",
            slug="support-replies",
            asked_by="UPERSON0001",
            decided_by="UCURATOR1",
            changes=[text[:300]] * 20,
            reason=text[:3000],
            effective=text[:40],
            file=None,  # a Slack request's; a file's (loaded at the server): tests/handlers/test_bar_loaded.py
        ),
        "publish_card": dict(
            id="7",
            slug="support-replies",
            title=text[:200],
            owner="UOWNER0001",
            asked_by="UPERSON0001",
            criteria=[text[:300]] * 8,
            reason=text[:3000],
            state="open",
            nobody=True,
            decided_by="UCURATOR1",
            version=2,
            found=[text[:300]] * 8,
            void_reason=text[:80],
            assessment=dict(number=99999, core=80, core_items=[text[:300]] * 80, pilot_conditions=[text[:300]] * 80),
        ),
        "publish_asked": dict(
            slug="support-replies", criteria=[text[:300]] * 8, channel="CCURATORS", nobody=True, declined_by=None
        ),
        "request_declined": dict(
            slug="support-replies", version=2, channel="CTEAM00001", by="UCURATOR1", reason=text[:500]
        ),
        "request_sent": dict(slug="support-replies", version=2, channel="CTEAM00001", champion="UPERSON0002"),
        "adopt_asked": dict(slug="support-replies", version=2, channel="CTEAM00001", past=[text[:80]] * 3),
        "modal_request_sent": dict(slug="support-replies", version=2, channel="CTEAM00001", champion="UPERSON0002"),
        "modal_request": dict(
            limit=500,
            given=dict(
                version=text[:80],
                channel="CTEAM00001",
                champion="UPERSON0002",
                why=text[:500],
                baseline=text[:40],
                target=text[:40],
                cap=text[:40],
                rubric=text[:40],
                timezone=text[:64],
                start=text[:10],
            ),
            metadata='{"channel":"CTEAM00001","channel_name":"sales"}',
        ),
        "adopt_offer": dict(
            slug="p" * 64,
            version=999999999,
            function=text[:80],
            channel="CTEAM00001",
            choices=[
                dict(words=text, runs=None, value=LONGEST_ADOPT),
                dict(words=text, runs="r" * 64, value=None),
                dict(words=text, runs=None, value=None),
            ]
            + [dict(words=text, runs=None, value=LONGEST_ADOPT)] * 2,
            anyway=LONGEST_ADOPT,
        ),
        "modal_adopt_anyway": dict(
            metadata=json.dumps({"adopt": LONGEST_ADOPT, "channel": "C" + "9" * 19}),
            channel="CTEAM00001",
            slug="p" * 64,
            version=999999999,
            limit=500,
        ),
        "modal_bar_reason": dict(metadata="7", slug="support-replies", limit=500),
        "modal_wave_note": dict(metadata="wave:9999999999:9999", slug="o" * 64, wave=9999, limit=500),
        "modal_request_reason": dict(
            callback="request_decline", metadata="12", channel="CTEAM00001", slug="support-replies", limit=500
        ),
        "champion_checklist": dict(
            slug="support-replies-sales",
            title=text,
            channel="CTEAM00001",
            by="UCURATOR1",
            items=hostile_checklist,
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
                    acknowledged=False,
                    slug="p" * 60,
                )
            ]
            * 10,
            items_more=500,
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
                    champion="UPERSON0002",
                    checklist=dict(items=hostile_checklist, done=20, total=40),
                )
                for i in range(20)
            ],
        ),
        "newer_version": dict(
            slug="p" * 60,
            origin="o" * 60,
            runs=999999999,
            version=999999999,
            changes=[Change(f"kit {text[:40]}", text, text)] * 40,
            results=[dict(cycle=i, hit=i % 2 == 0, mean=12345.678) for i in range(40)],
            unit=text[:20],
            owner="UPERSON0001",
            button="upgrade:2147483647:2147483647:2147483647",
            dm=True,
        ),
        "upgrade": dict(
            done=Upgraded(
                "p" * 60,
                "o" * 60,
                999999999,
                999999999,
                {
                    "baseline": 12345.678,
                    "target": -1.5,
                    "timezone": "America/Argentina/ComodRivadavia",
                    "exception_cap": 0.2,
                },
                [Change(f"step {text[:40]}", text, text)] * 40,
            ),
            by="UPERSON0001",
        ),
        "upgrade_later": dict(slug="p" * 60, version=999999999),
        "digest_learned": dict(
            items=[
                dict(
                    playbook="p" * 60,
                    cycle=9999,
                    by="UPERSON0001",
                    text=text,
                    on=datetime(2026, 11, 19, tzinfo=UTC).date(),
                )
            ]
            * 10,
            more=99999,
        ),
        "find_learnings": dict(
            cmd=None,
            done=Found(
                tuple([text[:100]] * 10),
                [Hit("p" * 60, 9999, text, "UPERSON0001", datetime(2026, 11, 19, tzinfo=UTC))] * 10,
                more=True,
                bounded=True,
            ),
        ),
        "wave_replicated": dict(
            adopter="p" * 64,
            channel="CTEAM00001",
            slug="o" * 64,
            version=99999,
            cycle=9999,
            wave=9999,
            button="wave:9999999999:9999",
        ),
        "wave_reviewed": dict(
            slug="o" * 64,
            wave=9999,
            stored=False,
            by="UPERSON0001",
            note=text,
            at="26 Nov 2026",
            now=dict(WAVE, teams=[dict(slug="p" * 64, verdict="on track")] * 100),
        ),
        "next_steps": dict(
            done=rank(
                [
                    Candidate(kind, "p" * 64, 99, text, target, text, "UPERSON0001", 1e9, 1e6, 1e4, 0.5, 99, text)
                    for kind, target in (("request", "CTEAM00001"), ("version", text))
                ]
                * 20
            )
        ),
        "learned_back": dict(
            origin="o" * 60,
            items=[
                dict(
                    adopter="p" * 60,
                    cycle=9999,
                    by="UPERSON0001",
                    text=text,
                    on=datetime(2026, 11, 19, tzinfo=UTC).date(),
                )
            ]
            * 10,
            more=99999,
            link="https://rollout.example.com/web/playbooks/" + "o" * 60,
        ),
    }
