"""A pilot worth funding (docs/playbooks.md, "Intake"): what `/rollout new` asks before the
KPI, kept with the playbook as `intake: {cases_per_week, minutes_per_case, structured}`,
and the rule that flags a pilot likely to be a demo: fewer than `intake_min_cases` cases a
week, less than `intake_min_minutes` minutes a case today (no friction worth removing),
work that is not structured, or the self-check's answers left vague. Pure: the schema and
plain functions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cadence.definition_parts import Strict

DEFAULT_MIN_CASES = 10  # RuleSettings.intake_min_cases's default
DEFAULT_MIN_MINUTES = 5  # RuleSettings.intake_min_minutes's default
WEEK_MINUTES = 7 * 1440
NO_VALUE_EVENT = "no value event: what will you count?"


class IntakeSpec(Strict):
    """How often the work happens (cases a week), what one case costs today (minutes) and
    whether the work is structured: the answers that say whether a pilot is worth funding."""

    cases_per_week: float = Field(ge=0, le=1_000_000, allow_inf_nan=False)
    minutes_per_case: float = Field(gt=0, le=WEEK_MINUTES, allow_inf_nan=False)
    structured: bool
    # The self-check before the next pilot (docs/programme.md): seed 004's questions besides
    # the value event (`value:`), as `/rollout new` asked them; "" an empty answer, None not asked.
    contract: str | None = Field(default=None, max_length=300)  # the minimum input contract
    trust: str | None = Field(default=None, max_length=300)  # how its outputs become trustworthy
    operator: str | None = Field(default=None, max_length=20)  # who runs it once the pilot team moves on
    template: str | None = Field(default=None, max_length=80)  # a version it replicates, or "new"


def _num(value: float) -> str:
    return f"{value:g}"


# The self-check's questions besides the intake's numbers, as the warning names them, in seed
# 004's order. Free text (what every case comes with, how outputs become trustworthy) is
# vague when empty or under 3 words; an answer picked, not written (a person; a published
# version or "new", which the form checks), when empty: one is a full answer by nature.
SELF_CHECK = (
    ("contract", "the input contract"),
    ("trust", "how outputs become trustworthy"),
    ("operator", "the operational owner"),
    ("template", "the replication template"),
)
FREE_TEXT = ("contract", "trust")
FEWEST_WORDS = 3
VALUE_EVENT = "the value event"


def vague_event(event: str | None) -> bool:
    """A value event is a name (`reply_accepted`, no spaces), so words do not measure it: it
    is vague when missing, or of one word ("done", "replies"), which names neither the thing
    nor what happened to it."""
    return not event or len([part for part in event.split("_") if part]) < 2


def vague(intake: dict[str, Any] | None, event: str | None = None) -> list[str]:
    """The self-check's answers asked and left vague: the value event (`event`, the
    definition's `value.event`), judged when the self-check was asked; free text empty or
    under 3 words; a pick empty. An answer not asked (None: a file's intake) is not vague."""
    if not intake:
        return []
    asked = [(field, name) for field, name in SELF_CHECK if intake.get(field) is not None]
    found = [VALUE_EVENT] if asked and vague_event(event) else []
    for field, name in asked:
        words = len(str(intake[field]).split())
        if words == 0 or (field in FREE_TEXT and words < FEWEST_WORDS):
            found.append(name)
    return found


def demo_warning(
    intake: dict[str, Any] | None,
    min_cases: float = DEFAULT_MIN_CASES,
    min_minutes: float = DEFAULT_MIN_MINUTES,
    event: str | None = None,
) -> str | None:
    """ "funding a demo? 6 cases a week, 2 min a case; not structured" when the work happens
    fewer than `min_cases` times a week, a case takes less than `min_minutes` minutes today,
    or it is not structured; "vague: …" the self-check's answers left vague (`event`: the
    value event); None when none of them (or no intake)."""
    if not intake:
        return None
    reasons = []
    friction = _too_little_work(intake, min_cases, min_minutes)
    if friction:
        reasons.append(", ".join(friction))
    if not intake.get("structured"):
        reasons.append("not structured")
    if unclear := vague(intake, event):
        reasons.append("vague: " + ", ".join(unclear))
    return "funding a demo? " + "; ".join(reasons) if reasons else None


def _too_little_work(intake: dict[str, Any], min_cases: float, min_minutes: float) -> list[str]:
    """The work too rare (fewer than `min_cases` a week) or too quick (under `min_minutes` a case) to fund, in words."""
    friction = []
    cases = float(intake.get("cases_per_week") or 0)
    if cases < min_cases:
        friction.append(f"{_num(cases)} case{'' if cases == 1 else 's'} a week")
    minutes = float(intake.get("minutes_per_case") or 0)
    if minutes < min_minutes:
        friction.append(f"{_num(minutes)} min a case")
    return friction


def intake_words(intake: dict[str, Any] | None) -> str:
    """ "120 cases a week × 9 min, structured" (or "none")."""
    if not intake:
        return "none"
    cases = float(intake.get("cases_per_week") or 0)
    structured = "structured" if intake.get("structured") else "not structured"
    return (
        f"{_num(cases)} case{'' if cases == 1 else 's'} a week × "
        f"{_num(float(intake.get('minutes_per_case') or 0))} min, {structured}"
    )


def warning_of(definition: dict[str, Any]) -> str | None:
    """ "funding a demo? …" for a stored definition, by its own intake settings."""
    rules = definition.get("rules") or {}
    return demo_warning(
        definition.get("intake"),
        rules.get("intake_min_cases", DEFAULT_MIN_CASES),
        rules.get("intake_min_minutes", DEFAULT_MIN_MINUTES),
        (definition.get("value") or {}).get("event"),
    )
