"""The reporting API's tokens: created, listed and revoked from the command line
(`rollout token ...`). A token is shown once and kept only as its SHA-256: tokens are 32
random bytes, so a fast hash is as safe as a slow one and costs a request nothing."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from cadence import setup_decisions
from cadence.change import Change
from cadence.report_kinds import ReportKind
from storage.models.access import ApiToken
from storage.store import Conflict, Store
from templates.refusals import close_matches

# What a token may report (every kind `POST /api/v1/reports` takes).
REPORT_KINDS = (
    ReportKind.KPI,
    ReportKind.GUARDRAIL,
    ReportKind.CASES,
    ReportKind.RUBRIC,
    ReportKind.EXCEPTION,
    ReportKind.EVENT,
)
PREFIX = "rcb_"  # tells a secret scanner, and a person, what this is
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")


class TokenRefused(ValueError):
    """What the command line refuses, in one sentence."""


@dataclass(frozen=True)
class Created:
    token: str  # shown once, never stored
    row: ApiToken


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    store: Store,
    name: str,
    playbooks: list[str] | None,
    kinds: list[str],
    can_read: bool,
    by: str,
    now: datetime,
) -> Created:
    """A token named `name` that may report `kinds` on `playbooks` (None: every playbook)
    and, with `can_read`, read through the API."""
    if not NAME.match(name):
        raise TokenRefused(f"{name!r}: name a token with lowercase letters, digits and '-', at most 24 characters")
    unknown = [k for k in kinds if k not in REPORT_KINDS]
    if unknown:
        raise TokenRefused(f"{', '.join(unknown)}: a token reports {', '.join(REPORT_KINDS)}")
    if not kinds and not can_read:
        raise TokenRefused("a token that may neither report nor read would be refused everything")
    if playbooks is not None:
        slugs = store.playbooks.slugs()
        for slug in playbooks:
            if slug not in slugs:
                near = close_matches(slug, slugs)
                hint = f" (did you mean {', '.join(near)}?)" if near else ""
                raise TokenRefused(f"there is no playbook {slug!r}{hint}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_of(token),
        playbooks=sorted(set(playbooks)) if playbooks is not None else None,
        kinds=[k for k in REPORT_KINDS if k in kinds],
        can_read=can_read,
        created_by=by,
        created_at=now,
    )
    scope = {"playbooks": row.playbooks, "kinds": row.kinds, "read": can_read}
    try:
        with store.unit_of_work() as uow:
            added = uow.tokens.add(row)
            uow.governance.apply(Change(decisions=[setup_decisions.of_token(name, True, by, scope)]), now)
            uow.commit()
        return Created(token, added)
    except Conflict:
        raise TokenRefused(
            f"a token named {name!r} exists (a revoked token keeps its name: its reports are signed with it); "
            "choose another name"
        ) from None


def revoke(store: Store, name: str, by: str, now: datetime) -> None:
    with store.unit_of_work() as uow:
        revoked = uow.tokens.revoke(name, now)
        if revoked:
            uow.governance.apply(Change(decisions=[setup_decisions.of_token(name, False, by)]), now)
        uow.commit()
    if not revoked:
        raise TokenRefused(f"there is no token {name!r} in use (`rollout token list` shows them)")
