"""The decisions people take over a playbook's setup and the org's: a playbook created, its
definition changed, a curator, a token, a source's number overridden or missing, a setting,
a holiday, a hand-over, a champion. Built as every `Decision` is (cadence/decisions.py), one
row of the audit trail each."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadence.decisions import Decision, DecisionKind
from cadence.sources import Entry


def of_playbook_created(playbook_id: int, slug: str, definition: dict[str, Any], by: str) -> Decision:
    return Decision(
        kind=DecisionKind.PLAYBOOK_CREATED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} created from its definition.",
        figures={"definition": definition},
    )


def of_definition_changed(
    playbook_id: int, slug: str, changes: list[str], before: dict[str, Any], after: dict[str, Any], by: str
) -> Decision:
    return Decision(
        kind=DecisionKind.PLAYBOOK_CHANGED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} definition changed: {', '.join(changes)}.",
        figures={"changed": changes, "before": before, "after": after},
    )


def of_curator(user_id: str, added: bool, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.CURATOR_ADDED if added else DecisionKind.CURATOR_REMOVED,
        actor=by,
        summary=f"{user_id} became a curator." if added else f"{user_id} is no longer a curator.",
        figures={"user": user_id},
    )


def of_token(name: str, created: bool, by: str, scope: dict[str, Any] | None = None) -> Decision:
    """A reporting API token created (with its scope) or revoked; never the token itself."""
    return Decision(
        kind=DecisionKind.TOKEN_CREATED if created else DecisionKind.TOKEN_REVOKED,
        actor=by,
        summary=f"API token {name} {'created' if created else 'revoked'}",
        figures={"token": name, **(scope or {})},
    )


def of_source_override(playbook_id: int, week_start: date, entry: Entry, by: str, reason: str) -> Decision:
    """A number typed by the owner or a curator in place of the one its source gives."""
    return Decision(
        kind=DecisionKind.SOURCE_OVERRIDE,
        actor=by,
        summary=f"{entry.key} typed in place of source {entry.source}: {reason}",
        playbook_id=playbook_id,
        week_start=week_start,
        figures={"number": entry.key, "source": entry.source, "reason": reason},
    )


def of_source_missing(playbook_id: int, week_start: date, entry: Entry, what: str, error: str) -> Decision:
    """A week closed without a sourced number, since its source failed: MISSING, said with why."""
    return Decision(
        kind=DecisionKind.SOURCE_MISSING,
        actor="rule:source",
        summary=f"{what}: MISSING (source failed: {error})",
        playbook_id=playbook_id,
        week_start=week_start,
        figures={"number": entry.key, "source": entry.source, "error": error},
    )


def of_setting(key: str, value: str, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.SETTING_CHANGED,
        actor=by,
        summary=f"{key} set to {value}.",
        figures={"key": key, "value": value},
    )


def of_holiday(day: date, name: str, added: bool, by: str) -> Decision:
    label = f"{day.isoformat()}{f' ({name})' if name else ''}"
    return Decision(
        kind=DecisionKind.SETTING_CHANGED,
        actor=by,
        summary=f"Holiday {label} {'added' if added else 'removed'}.",
        figures={"key": "holiday", "value": day.isoformat(), "name": name, "added": added},
    )


def of_hand_over(playbook_id: int, slug: str, before: str, after: str, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.OWNER_CHANGED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug}: owner {before} → {after}",
        figures={"from": before, "to": after},
    )


def of_champion(playbook_id: int, slug: str, before: str | None, after: str, by: str) -> Decision:
    """A playbook's champion named (`before` None) or changed."""
    return Decision(
        kind=DecisionKind.CHAMPION_NAMED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug}: champion {before} → {after}" if before else f"{slug}: champion {after}",
        figures={"from": before, "to": after},
    )
