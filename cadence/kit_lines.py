"""The kit form's lines (`/rollout kit`, usecases/kit_form.py): an input written
`name | owner | refresh | when missing` (the owner `@name` or `<@U…>`), with, after a
fifth bar, `no check: <reason>` for an input declared unchecked on purpose, an output or a
kit line one a line. Pure: text in, the definition's entries out, or the first line that
cannot be read, by its number."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cadence.inputs import lacking as contract_gaps
from cadence.inputs import lacking_words

_MENTION = re.compile(r"^<@([UW][A-Z0-9]{6,19})(?:\|[^>]*)?>$")
_BAR = re.compile(r"\|(?![^<>]*>)")  # a bar between parts, not the one in a mention <@U…|name>
_PARTS = ("name", "owner", "refresh", "when_missing", "check")
_NO_CHECK = re.compile(r"^no check\s*:\s*(.+)$", re.IGNORECASE)  # `check: none` with its reason, in the form


class LineProblem(ValueError):
    """Line `line` (from 1) of a field cannot be read: `message` says why."""

    def __init__(self, line: int, message: str):
        super().__init__(f"Line {line}: {message}")
        self.line = line


def numbered(text: str) -> list[tuple[int, str]]:
    """The text's lines that hold something, trimmed, with their numbers as typed."""
    split = text.replace("\u2028", "\n").splitlines()
    return [(n, line.strip()) for n, line in enumerate(split, start=1) if line.strip()]


def owner_of(written: str, line: int, people: Mapping[str, tuple[str, ...]]) -> str:
    """An owner as written: `<@U…>` (its id), or `@name`, a display or real name of
    `people` (lowercased name: the ids of who bears it) borne by exactly one person."""
    mention = _MENTION.match(written)
    if mention is not None:
        return mention[1]
    if not written.startswith("@") or len(written) < 2:
        raise LineProblem(line, f"write the owner as @name or <@U0123456789>, not “{written[:40]}”")
    ids = people.get(written[1:].strip().lower(), ())
    if not ids:
        raise LineProblem(line, f"no one in the team channel is called {written[:40]}: write <@U0123456789>")
    if len(ids) > 1:
        raise LineProblem(
            line, f"{len(ids)} people in the team channel are called {written[:40]}: write <@U0123456789>"
        )
    return ids[0]


def input_entry(line: str, number: int, people: Mapping[str, tuple[str, ...]]) -> str | dict[str, str]:
    """One input: a name alone stays a name; `name | owner | refresh | when missing` (any
    part after the name may be empty) a contract, `{name, owner, refresh, when_missing}`
    with the parts given."""
    parts = [p.strip() for p in _BAR.split(line)]
    if len(parts) == 1:
        return line
    if len(parts) > len(_PARTS):
        raise LineProblem(number, "write at most `name | owner | refresh | when missing | no check: reason` (4 bars)")
    if not parts[0]:
        raise LineProblem(number, "name the input before the first bar")
    entry = {key: value for key, value in zip(_PARTS, parts, strict=False) if value}
    if "owner" in entry:
        entry["owner"] = owner_of(entry["owner"], number, people)
    if "check" in entry:
        unchecked = _NO_CHECK.match(entry["check"])
        if unchecked is None:
            raise LineProblem(number, "after the fourth bar write `no check: <reason>` (checks are set in the YAML)")
        entry.update(check="none", reason=unchecked[1].strip()[:300])
    return entry


def input_line(entry: Any) -> str:
    """An input as the form shows it: a name, or its contract's parts (its check is not
    shown: it stays as the YAML has it)."""
    if isinstance(entry, str):
        return entry
    shown = [str(entry.get("name") or "")]
    shown.append(f"<@{entry['owner']}>" if entry.get("owner") else "")
    shown += [str(entry.get("refresh") or ""), str(entry.get("when_missing") or "")]
    shown.append(f"no check: {entry.get('reason') or ''}" if entry.get("check") == "none" else "")
    while len(shown) > 1 and not shown[-1]:
        shown.pop()
    return " | ".join(shown)


def inputs(text: str, before: list[Any], people: Mapping[str, tuple[str, ...]]) -> list[str | dict[str, Any]]:
    """The inputs field as entries: each line an input; an input of `before` with a
    `check` keeps it when its name is kept (checks stay YAML-only)."""
    checks = {e["name"].lower(): e["check"] for e in before if isinstance(e, dict) and isinstance(e.get("check"), dict)}
    entries: list[str | dict[str, Any]] = []
    for number, line in numbered(text):
        entry = input_entry(line, number, people)
        name = entry if isinstance(entry, str) else entry["name"]
        check = checks.get(name.lower())
        if check is not None and not (isinstance(entry, dict) and entry.get("check") == "none"):
            entry = {"name": entry} if isinstance(entry, str) else entry
            entry = {**entry, "check": check}
        entries.append(entry)
    return entries


def mentioned(text: str) -> bool:
    """Whether an inputs field names an owner by `@name` (the team's names are asked then)."""
    for _, line in numbered(text):
        parts = [p.strip() for p in _BAR.split(line)]
        if len(parts) > 1 and parts[1].startswith("@"):
            return True
    return False


def plain_lines(text: str) -> list[str]:
    return [line for _, line in numbered(text)]


def missing(definition: Mapping[str, Any]) -> list[str]:
    """The readiness criteria the kit form answers that the playbook still lacks: (3) an
    input contract, `inputs` and `outputs` both declared, each input with its owner,
    refresh and when-missing."""
    lacking = [name for name in ("inputs", "outputs") if not definition.get(name)]
    if lacking:
        return [f"(3) an input contract: no {' and no '.join(lacking)} declared"]
    gaps = contract_gaps(definition.get("inputs") or [])
    said = [f"{g['name'][:60]}: {lacking_words(g['missing'])}" for g in gaps[:3]]
    return [f"(3) an input contract: {'; '.join(said)}"] if said else []
