"""Named operational owners (docs/playbooks.md, "Named operational owners"): besides the
owner and the exception owner, who owns a playbook's business rules and its model
updates, `owners: {business_rules: <@U…>, model_updates: U…}` (both optional). Readiness's
ownership asks that each is an active Slack user; a deactivated one is flagged to the
curators. Plain data: the schema and who a definition names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from cadence.definition_parts import Strict

_USER = r"^[UW][A-Z0-9]{6,19}$"
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{6,19})(\|[^>]*)?>$")

# The operational roles, in the order they are shown, with their words.
ROLES = {"business_rules": "business rules owner", "model_updates": "model updates owner"}


class OwnersSpec(Strict):
    business_rules: str | None = Field(default=None, pattern=_USER)
    model_updates: str | None = Field(default=None, pattern=_USER)

    @field_validator("business_rules", "model_updates", mode="before")
    @classmethod
    def _mention(cls, value: Any) -> Any:
        """`<@U0123456789>` (as pasted from Slack) is kept as the id it names."""
        if isinstance(value, str) and (found := _MENTION.match(value.strip())):
            return found.group(1)
        return value


def named(definition: Mapping[str, Any] | None, owner: str, adopted: bool = False) -> list[tuple[str, str]]:
    """Who a playbook names to own it, as (role, user id): the owner, the exception owner
    when the YAML names another, then each declared operational owner. An adopted
    playbook's definition names the origin's people: only its owner is its own."""
    people = [("owner", owner)]
    if adopted:
        return people
    given = definition or {}
    exception_owner = given.get("exception_owner")
    if exception_owner and exception_owner != owner:
        people.append(("exception owner", str(exception_owner)))
    owners = given.get("owners") or {}
    people += [(words, str(owners[key])) for key, words in ROLES.items() if owners.get(key)]
    return people


def unnamed(definition: Mapping[str, Any] | None) -> list[str]:
    """Readiness's (5): the operational owners a definition does not name, in words (the
    owner may name themself)."""
    owners = (definition or {}).get("owners") or {}
    return [words for key, words in ROLES.items() if not owners.get(key)]
