"""The playbook form's value measure (`/rollout new`, `/rollout edit`; docs/playbooks.md,
"Value"): the value event, the minutes each one saves and the cost per month, made into
the same `value:` and `cost:` the YAML has and checked by `rollout playbook load`'s
checks (cadence/definition.py). A cost is in the deployment's ROLLOUT_CURRENCY; a code
typed after it must be that one. Empty fields: no value measure, no cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence.currencies import check_currency

# The form's value fields (their block ids), after the guardrail's.
FIELDS = ("value_event", "value_minutes", "cost")


@dataclass(frozen=True)
class ValueAnswers:
    """What the value fields said: `measure` the event and its minutes (None: no value
    measure), `cost` the amount a month (None: none) and the currency code typed after it."""

    measure: tuple[str, float | None] | None = None  # minutes None: the event counted, no hours
    cost: float | None = None
    currency: str | None = None


def problems(answers: ValueAnswers, currency: str) -> dict[str, str]:
    """The cost's currency, if one was typed: an ISO 4217 code, and the deployment's."""
    code = answers.currency
    if code is None or code == currency:
        return {}
    try:
        check_currency(code)
    except ValueError as err:
        return {"cost": f"{str(err)[:1].upper()}{str(err)[1:]}."}
    return {"cost": f"Costs are in {currency} here (ROLLOUT_CURRENCY), not {code}: give the cost in {currency}."}


def applied(raw: dict[str, Any], base: dict[str, Any], answers: ValueAnswers) -> dict[str, Any]:
    """`raw` (the definition the form makes) with `value:` and `cost:` from the answers;
    what the form does not show of them (a value measure's source, `from:`) kept from `base`."""
    if answers.measure is None:
        raw["value"] = None
    else:
        event, minutes = answers.measure
        raw["value"] = {**(base.get("value") or {}), "event": event, "minutes_saved": minutes}
        if minutes is None:
            del raw["value"]["minutes_saved"]
    pulled = (base.get("cost") or {}).get("source") is not None  # a cost from a source: not a field of the form
    if answers.cost is None:
        raw["cost"] = base["cost"] if pulled else None
    else:
        raw["cost"] = {"per_month": answers.cost}
    return raw


def field_of(path: tuple[str | int, ...]) -> str | None:
    """The value field a problem of `value:` or `cost:` shows on (None: not theirs)."""
    if not path or path[0] not in ("value", "cost"):
        return None
    if path[0] == "cost":
        return "cost"
    return "value_minutes" if len(path) > 1 and path[1] == "minutes_saved" else "value_event"
