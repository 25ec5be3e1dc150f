"""A step's texts kept in the kit (docs/playbooks.md, "Prompts and rubrics as text"): its
prompt and its rubric's wording as multi-line text (`prompt_text`, `rubric_text`), each
edit a revision with its why, shown as a diff (Python's difflib) on the web page; a change
of either makes the step's calibration stale, as a change of its `prompt` label does.

Pure: stored definitions and revision rows in, texts, words and diff lines out."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence.definition_parts import TRIMMED, Unstorable
from cadence.text import unstorable

TEXT_FIELDS = ("prompt_text", "rubric_text")
MAX_TEXT = 20_000  # characters: a long prompt fits; a form's field holds 3,000 (usecases/kit_form.py)
NAMED = {"prompt_text": "prompt text", "rubric_text": "rubric text"}
DIFF_CONTEXT = 3  # unchanged lines shown around each change


def texts_of(definition: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each step's texts, by step name (a step keeping none left out), in the steps' order."""
    found: dict[str, dict[str, str]] = {}
    for step in definition.get("steps") or []:
        kept = {key: str(step[key]) for key in TEXT_FIELDS if step.get(key)}
        if kept:
            found[str(step["name"])] = kept
    return found


def keeps_any(definition: dict[str, Any]) -> bool:
    return bool(texts_of(definition))


def changed_words(step: str, key: str, old: str | None, new: str | None) -> str:
    """A text's change as a revision's words: never the text itself, which may run to
    20,000 characters ("step draft prompt text revised: 2 lines added, 1 removed")."""
    named = f"step {step} {NAMED[key]}"
    if not old:
        return f"{named} added ({_lines(new)})"
    if not new:
        return f"{named} removed"
    added, removed = _counts(old, new)
    return f"{named} revised: {added} line{'s' if added != 1 else ''} added, {removed} removed"


def _lines(text: str | None) -> str:
    n = len((text or "").splitlines())
    return f"{n} line{'s' if n != 1 else ''}"


def _counts(old: str, new: str) -> tuple[int, int]:
    added = removed = 0
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        added += line.startswith("+ ")
        removed += line.startswith("- ")
    return added, removed


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: `kind` is "hunk" (@@ … @@), "added", "removed" or "kept";
    `text` the line with its sign, as typed (escaped where it is shown)."""

    kind: str
    text: str


def diff(old: str | None, new: str | None) -> list[DiffLine]:
    """The change from `old` to `new` as difflib's unified diff, its file header left out."""
    lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), lineterm="", n=DIFF_CONTEXT)
    found: list[DiffLine] = []
    for line in lines:
        if line.startswith(("---", "+++")) and not found:
            continue
        kind = "hunk" if line.startswith("@@") else {"+": "added", "-": "removed"}.get(line[:1], "kept")
        found.append(DiffLine(kind, line))
    return found


@dataclass(frozen=True)
class TextRevision:
    """One edit of one step's text: when, by whom, why (None: none given), the text
    before and after (None: none)."""

    step: str
    key: str
    at: datetime
    by: str
    why: str | None
    before: str | None
    after: str | None

    @property
    def named(self) -> str:
        return NAMED[self.key]

    def lines(self) -> list[DiffLine]:
        return diff(self.before, self.after)


Row = tuple[int, str, datetime, dict[str, Any]]  # a revision's decision: id, actor, when, figures


def revisions(rows: Iterable[Row]) -> list[TextRevision]:
    """The text edits of a playbook's revisions (`rows`, any order), newest first: a step
    matched across a revision by its name, or the name it `was` where the revision renamed it."""
    found: list[TextRevision] = []
    for _, actor, at, figures in sorted(rows, key=lambda r: r[0], reverse=True):
        before, after = figures.get("before") or {}, figures.get("after") or {}
        old = {str(s.get("name", "")).lower(): s for s in before.get("steps") or []}
        why = figures.get("why")
        for step in after.get("steps") or []:
            was = old.get(str(step["name"]).lower()) or old.get(str(step.get("was") or "").lower())
            for key in TEXT_FIELDS:
                then, now = (was or {}).get(key), step.get(key)
                if then != now:
                    found.append(TextRevision(str(step["name"]), key, at, actor, why, then, now))
    return found


def of_step(found: Sequence[TextRevision], step: str, key: str) -> list[TextRevision]:
    return [r for r in found if r.step.lower() == step.lower() and r.key == key]


def storable(value: Any, field: str | None, every: Callable[[Any], Any]) -> Any:
    """A step's field checked as every text of a playbook is (`every`: cadence/definition_parts.py
    Strict's check), but its texts take lines: tabs and line breaks pass."""
    if field not in TEXT_FIELDS or not isinstance(value, str):
        return every(value)
    problem = unstorable(value.strip(TRIMMED).replace("\t", " "), line_breaks=True)
    if problem is not None:
        raise Unstorable(problem, None)
    return value
