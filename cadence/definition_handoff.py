"""The playbook's handoff terms (docs/playbooks.md, "Escalation with a clock"): how long an
exception item may wait unanswered, and who hears when it has.

    handoff: {sla_hours: 24, escalate_to: <@U0123456789>}   # or <#C0123456789>, or a plain id
    handoff: {sla_hours: 24, escalate_to: …, resolve_hours: 72, fallback: collaborative}

Without `handoff` nothing is escalated by the clock; without `escalate_to` the curators
channel hears. An acknowledged item still open `resolve_hours` (default 72) after its
acknowledgement is escalated again, once; `fallback` (default collaborative) is the mode an
ai-led step runs in while escalated items wait (cadence/escalation.py, `fallback_mode`)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from cadence.definition_parts import Strict

MAX_SLA_HOURS = 24 * 90  # a quarter: past that an item is readiness's business, not a handoff's
_MENTION = re.compile(r"^<([@#])([A-Z0-9]{7,20})(?:\|[^>]*)?>$")
_ID = re.compile(r"^[UWCG][A-Z0-9]{6,19}$")


RESOLVE_HOURS = 72  # `resolve_hours` left out
FALLBACK = "collaborative"  # `fallback` left out


class HandoffSpec(Strict):
    sla_hours: float = Field(gt=0, le=MAX_SLA_HOURS, allow_inf_nan=False)
    escalate_to: str | None = None  # a user (U…/W…) or a channel (C…/G…) id
    # Left out: None, kept so (the definition as written), and read through `resolve_after`
    # and `fallback_mode`, which give the defaults.
    resolve_hours: float | None = Field(default=None, gt=0, le=MAX_SLA_HOURS, allow_inf_nan=False)
    fallback: Literal["human-led", "collaborative"] | None = None

    @property
    def resolve_after(self) -> float:
        return RESOLVE_HOURS if self.resolve_hours is None else self.resolve_hours

    @property
    def fallback_mode(self) -> str:
        return self.fallback or FALLBACK

    @field_validator("escalate_to", mode="before")
    @classmethod
    def _an_id(cls, value: Any) -> Any:
        """`<@U…>`, `<@U…|name>`, `<#C…|name>` or a plain id, kept as the id."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        mention = _MENTION.match(text)
        if mention is not None:
            text = mention.group(2)
            if (mention.group(1) == "@") != (text[:1] in "UW"):
                kind = "a person" if mention.group(1) == "@" else "a channel"
                raise ValueError(f"{value!r} is written as {kind} but {text} is not the id of one")
        if not _ID.match(text):
            raise ValueError("must name a person or a channel: <@U0123456789>, <#C0123456789> or its id")
        return text


__all__ = ["FALLBACK", "MAX_SLA_HOURS", "RESOLVE_HOURS", "HandoffSpec"]
