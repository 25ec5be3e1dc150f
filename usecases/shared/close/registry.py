"""The close's rules, listed once, in the order they decide: a week's change holds their
decisions and messages in this order. A rule that reads another's outcome says so (its
`needs`), and comes after it (`check_order`). A new rule is a module of its own here
and one line below."""

from __future__ import annotations

from typing import Any

from usecases.shared.close import (
    assessment_offer,
    bar,
    baseline_week,
    cycle_result,
    guardrail,
    pulse,
    pulse_hold,
    readiness_news,
    replication,
    source_failures,
    sources_missing,
    stall,
    steps,
    week_closed,
)
from usecases.shared.close.week import CloseRule, check_order

RULES: tuple[CloseRule[Any, Any], ...] = (
    baseline_week.RULE,  # an adopter's baseline week, and only it: no step is judged
    bar.RULE,  # the cycle's first close records its bar
    guardrail.RULE,
    source_failures.RULE,
    pulse_hold.RULE,  # before the steps: the pulse may hold their promotions to ai-led
    steps.RULE,  # verdicts, demotions and promotions
    week_closed.RULE,
    cycle_result.RULE,  # at a cycle's last week, and the three after it
    readiness_news.RULE,
    assessment_offer.RULE,  # after it: the first "ready to scale" offers the owner the assessment
    replication.RULE,
    stall.RULE,
    pulse.RULE,
    sources_missing.RULE,
)
check_order(RULES)
