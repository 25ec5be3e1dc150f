"""The kit form's step texts (docs/playbooks.md, "Prompts and rubrics as text";
cadence/step_texts.py): a multi-line field for each step's prompt and rubric, filled in;
a text longer than a form's field holds (Slack's 3,000 characters) is not shown as a field
but said to be edited by file (`rollout playbook export`, then `load`), and kept as it is.
A submission that changes a text needs its *Why*: each edit is a revision with its why."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cadence import step_texts
from templates.refusals import Refusal

MAX_INPUT = 3000  # Slack's plain_text_input holds at most 3,000 characters (max_length)
PREFIXES = tuple(f"{key}:" for key in step_texts.TEXT_FIELDS)


@dataclass(frozen=True)
class TextField:
    """A step's text in the form: its block id (`prompt_text:draft`), the step, which text,
    its value now, and whether the form can hold it (else it is edited by file)."""

    block_id: str
    step: str
    key: str
    value: str

    @property
    def editable(self) -> bool:
        return len(self.value) <= MAX_INPUT


def block_id(key: str, step: str) -> str:
    return f"{key}:{step}"


def fields(canonical: Mapping[str, Any]) -> list[TextField]:
    """Each step's two texts, in the steps' order (`canonical`: the definition as the form reads it)."""
    return [
        TextField(block_id(key, str(s["name"])), str(s["name"]), key, str(s.get(key) or ""))
        for s in canonical.get("steps") or []
        for key in step_texts.TEXT_FIELDS
    ]


def as_given(text: Any) -> str | None:
    """A field's text as the definition keeps it: line ends as `\\n`, no blank lines around
    it; None when empty."""
    given = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return given or None


def written(steps: list[dict[str, Any]], values: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The steps with the texts the form gives (a text the form did not show, too long
    for it, kept as it is), and whether any text changed."""
    found, changed = [], False
    for step in steps:
        kept = dict(step)
        for key in step_texts.TEXT_FIELDS:
            at = block_id(key, str(step["name"]))
            if at not in values:
                continue
            text = as_given(values[at])
            changed |= text != step.get(key)
            if text is None:
                kept.pop(key, None)
            else:
                kept[key] = text
        found.append(kept)
    return found, changed


def require_why(changed: bool, why: str | None) -> dict[str, Refusal | str]:
    """The problem of a text changed without its why (on the *Why* field), or none."""
    return {"why": Refusal.of("kit_text_why")} if changed and not (why or "").strip() else {}


def field_of(steps: list[dict[str, Any]], other: Callable[[tuple[str | int, ...]], str]) -> Callable[..., str]:
    """Where a problem of the definition shows: a step's text's on its own field, the
    rest where `other` puts it."""

    def where(path: tuple[str | int, ...]) -> str:
        if len(path) > 2 and path[0] == "steps" and path[2] in step_texts.TEXT_FIELDS:
            index = path[1]
            if isinstance(index, int) and index < len(steps):
                return block_id(str(path[2]), str(steps[index]["name"]))
        return other(path)

    return where
