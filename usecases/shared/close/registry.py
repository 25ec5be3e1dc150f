"""The close's rules, in the order they decide: each capability's (cadence/capabilities.py
`rules`), each after the rules whose outcomes it reads (its `needs`) and after or before
those it names (`after`, `before`). A week's change holds their decisions and messages in
this order.
tests/test_capabilities.py pins it: an adopter's baseline week first (and only it: no step
is judged there); the cycle's bar recorded at its first close; the guardrail and the
sources' failures before the steps, and the pulse's hold (it may hold their promotions
to ai-led) and the attestations checked against the tools' usage; the steps' verdicts, demotions and promotions; the week closed; at a cycle's
last week its result, readiness's news, the assessment offered at the first "ready to
scale", replication, the stall, the pulse's figures; the sources missing last."""

from __future__ import annotations

from typing import Any

from cadence.capabilities import load, ordered
from usecases.shared.close.week import CloseRule, check_order

RULES: tuple[CloseRule[Any, Any], ...] = tuple(
    ordered(
        load("rules", "RULE", CloseRule),
        lambda rule: rule.name,
        lambda rule: (*rule.needs, *rule.after),
        lambda rule: rule.before,
    )
)
check_order(RULES)
