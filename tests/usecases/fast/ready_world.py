"""A playbook run towards readiness on the fakes: support-replies with an input contract, its
owners, a kit and a wave of 1 (as tests/usecases/test_replication.py's `ready`), cycle 1
from Monday 16 November 2026, the curators' channel set; and its weeks as the owner and a
member report them, answer the Thursday check-in and add a learning, each closed by the
clock (tests/usecases/fast/ticking.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests import fakes
from tests.conftest import READY_INPUT, READY_OWNERS
from tests.fakes import MEMBER, OWNER
from tests.usecases.fast.slash import slash
from tests.usecases.fast.ticking import Ticking
from usecases import commands, learnings
from usecases.shared import messages
from usecases.shared.services import Services

SLUG = "support-replies"
CURATORS = "CCURATORS1"
KIT = {
    "runbook": "https://wiki.example.com/support-replies",
    "training": ["https://wiki.example.com/ai-drafting-101", "Shadow the origin team for one week"],
    "checks": ["Draft 10 sample tickets and review them before week 1"],
    "requires": ["Helpdesk macros enabled"],
    "may_change": ["baseline", "target", "timezone", "exception_cap"],
}
Draft = tuple[int, int, float | str]  # cases, exceptions, rubric score (or as typed)
Review = tuple[float, int] | None  # send's rubric score and the cases reviewed; None: not reviewed


def wednesday(week: int) -> datetime:
    """10:00 UTC on the Wednesday of week `week` (cycle 1's week 1 from Monday 16 November 2026)."""
    return datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))


def thursday(week: int) -> datetime:
    """Thursday 15:00 in Berlin of week `week`: the check-in DMs' slot."""
    return datetime(2026, 11, 19, 14, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))


def close_of(week: int) -> datetime:
    """Monday 11:00 UTC after week `week`: Sunday midnight in Berlin plus 12 hours of grace."""
    return datetime(2026, 11, 23, 11, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))


def ready(**definition: Any) -> tuple[Services, Ticking]:
    declared = dict(inputs=[READY_INPUT], outputs=["reply sent"], owners=READY_OWNERS, replication=KIT, adoption_wave=1)
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), **(declared | definition))
    services = fakes.services(state, now=wednesday(1), org_timezone="UTC")
    fakes.store_of(services).org.set_setting("curators_channel", CURATORS, OWNER, wednesday(1))
    return services, Ticking(services)


def report_week(
    services: Services, clock: Ticking, week: int, draft: Draft, kpi: float | None, send_rubric: Review
) -> None:
    """What the owner and a member report during a week (send: 20 cases, no exception)."""
    clock.clock.at = wednesday(week)
    owner = fakes.caller(services, OWNER)
    cases, exceptions, rubric = draft
    commands.cases(owner, messages.Cases(SLUG, "draft", cases))
    if isinstance(rubric, str):  # as typed: `20 tone:19 accuracy:20 policy:19`, by dimension
        slash(services, f"rubric {SLUG} draft {rubric}", OWNER)
    else:
        commands.rubric(owner, messages.Rubric(SLUG, "draft", rubric))
    for i in range(exceptions):
        commands.exception(owner, messages.LogException(SLUG, "draft", f"case {i} went wrong"))
    commands.cases(owner, messages.Cases(SLUG, "send", 20))
    if send_rubric is not None:
        score, reviewed = send_rubric
        commands.rubric(owner, messages.Rubric(SLUG, "send", score, reviewed=reviewed))
    commands.cases(owner, messages.Cases(SLUG, "refunds", 12))
    commands.rubric(owner, messages.Rubric(SLUG, "refunds", 0.91))
    if kpi is not None:
        commands.kpi(fakes.caller(services, MEMBER), messages.Kpi(SLUG, kpi))


def run_weeks(
    services: Services,
    clock: Ticking,
    weeks: range,
    learn: bool = True,
    draft: Draft | Callable[[int], Draft] = (20, 0, 0.95),
    send_rubric: Review | Callable[[int], Review] = (1.0, 2),
) -> None:
    """Each week: the reports (`draft`, `send_rubric`: or a function of the week giving
    them; the KPI 14, none in a cycle's fourth week), the check-in DMs and both people's
    answers, a learning in each cycle's second week, and the close."""
    for week in weeks:
        drafted = draft(week) if callable(draft) else draft
        reviewed = send_rubric(week) if callable(send_rubric) else send_rubric
        report_week(services, clock, week, drafted, 14.0 if week % 4 else None, reviewed)
        clock.run(thursday(week))
        for user in (OWNER, MEMBER):
            commands.attest(fakes.caller(services, user), messages.Attest(SLUG, True, None, None, None))
        if learn and week % 4 == 2:
            text = f"Cycle {(week + 3) // 4}: drafts need the refund policy"
            learnings.learn(fakes.caller(services, MEMBER), messages.Learn(SLUG, text))
        clock.run(close_of(week))


def said(clock: Ticking, channel: str, text: str) -> list[str]:
    """The blocks, as Slack gets them, of each message whose text holds `text` sent to `channel`."""
    return [
        json.dumps(m.payload["blocks"], ensure_ascii=False)
        for m in clock.store.held.sent(channel)
        if text in m.payload.get("text", "")
    ]


def decided(clock: Ticking, kind: str) -> list[dict[str, Any]]:
    return [d for d in clock.store.held.decisions if d["kind"] == kind]
