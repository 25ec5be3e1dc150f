"""A hostile context for every template: what people typed (`text`) everywhere it can go,
and everything as long and as many as it can be, by who reads the message: replies.py
(answers to commands, buttons and forms), posts.py (what the bot sends on its own),
registry.py (scaling and the registry). tests/templates/test_templates.py renders every
template with its context; a template without one fails there."""

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

from cadence.calendar import WeekRef
from cadence.figures import Attestation, StepWeek, WeekFigures
from tests.templates.contexts import posts, registry, replies


def contexts(text: str) -> dict[str, dict]:
    """Every template's context, by template name, with `text` wherever people's words go."""
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
        rest=24.1,
        steps=[
            StepWeek(name=f"step{i}", mode="ai-led", pinned=i == 0, cases=20, exceptions=1, deviations=1, rubric=0.91)
            for i in range(30)
        ],
        attestations=[Attestation(f"UPERSON{i:04d}", "deviated", "step1", text[:500]) for i in range(60)],
    )
    hostile_kit = dict(
        runbook="https://wiki.example.com/" + "a" * 400,
        training=["https://wiki.example.com/x|<!channel>", text[:300]] * 10,
        checks=[text[:300]] * 20,
        requires=[text[:300]] * 20,
        may_change=["baseline"],
    )
    hostile_steps = [SimpleNamespace(name=text[:40], mode="ai-led", pinned=True, frozen=True) for _ in range(30)]
    # a champion's checklist of the hostile kit (usecases/shared/champions.py, Item): every item, half done
    hostile_checklist = [
        SimpleNamespace(
            index=i,
            kind="training" if i < 20 else "check",
            text=line,
            done=i % 2 == 0,
            by="UPERSON0002",
            on="2026-11-20",
            value=json.dumps({"playbook": "p" * 64, "item": i, "done": i % 2 == 1}),
        )
        for i, line in enumerate(hostile_kit["training"] + hostile_kit["checks"])
    ]
    shared = dict(
        hostile_checklist=hostile_checklist,
        week=week,
        playbook=playbook,
        steps=steps,
        figures=figures,
        hostile_kit=hostile_kit,
        hostile_steps=hostile_steps,
    )
    return {**replies.contexts(text, **shared), **posts.contexts(text, **shared), **registry.contexts(text, **shared)}
