"""A playbook's revisions: what changed between two definitions, in the words a decision
row keeps ("exception cap 10% → 15%; step verify added, human-led; target 15 → 12 min"),
and which of those changes an adopted playbook's kit lets its team make (`may_change`).
Pure: definitions in, words out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cadence.decisions import Decision, DecisionKind

# The form's fields an adopting team may change, by the kit's `may_change` word.
MAY_CHANGE_FIELDS = {
    "baseline": ("kpi", "baseline"),
    "target": ("kpi", "target"),
    "timezone": ("timezone",),
    "exception_cap": ("exception_cap",),
    "rubric_threshold": ("rubric_threshold",),
}


def _share(value: Any) -> str:
    return f"{float(value) * 100:.4f}".rstrip("0").rstrip(".") + "%"


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "none"
    text = f"{float(value):g}"
    return f"{text} {unit}".strip()


def _text(value: Any) -> str:
    return "none" if value in (None, "") else str(value)


@dataclass(frozen=True)
class Change:
    """One change, in words, and the field it is of (`kpi.target`, `steps`, ...)."""

    words: str
    field: tuple[str, ...]


@dataclass(frozen=True)
class Revision:
    changes: list[Change] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [c.words for c in self.changes]

    def outside(self, may_change: list[str]) -> list[Change]:
        """The changes an adopted playbook's kit does not let its team make."""
        allowed = {MAY_CHANGE_FIELDS[m] for m in may_change if m in MAY_CHANGE_FIELDS}
        return [c for c in self.changes if c.field not in allowed]


def compare(before: dict[str, Any], after: dict[str, Any], modes: dict[str, str] | None = None) -> Revision:
    """What changed from `before` to `after` (canonical definitions), in the form's order.
    `modes`: each existing step's mode now (a new step is announced with its mode)."""
    changes: list[Change] = []

    def add(words: str, *where: str) -> None:
        changes.append(Change(words, where))

    for key, label in (("title", "title"), ("function", "function")):
        if before.get(key) != after.get(key):
            add(f"{label} “{_text(before.get(key))}” → “{_text(after.get(key))}”", key)
    if before.get("channel") != after.get("channel"):
        add(f"team channel {before.get('channel')} → {after.get('channel')}", "channel")
    if before.get("timezone") != after.get("timezone"):
        add(f"time zone {_text(before.get('timezone'))} → {_text(after.get('timezone'))}", "timezone")
    kb, ka = before.get("kpi") or {}, after.get("kpi") or {}
    unit = str(ka.get("unit") or "")
    for key in ("name", "unit", "direction"):
        if kb.get(key) != ka.get(key):
            add(f"KPI {key} “{_text(kb.get(key))}” → “{_text(ka.get(key))}”", "kpi", key)
    for key in ("baseline", "target"):
        if kb.get(key) != ka.get(key):
            add(f"{key} {_num(kb.get(key))} → {_num(ka.get(key), unit)}", "kpi", key)
    for key, label in (("exception_cap", "exception cap"), ("rubric_threshold", "rubric threshold")):
        if before.get(key) != after.get(key):
            add(f"{label} {_share(before.get(key))} → {_share(after.get(key))}", key)
    gb, ga = before.get("guardrail"), after.get("guardrail")
    if gb != ga:
        add(f"guardrail {_guardrail(gb)} → {_guardrail(ga)}", "guardrail")
    vb, va = before.get("value"), after.get("value")
    if vb != va and not vb:
        add(f"value measure added: {_value(va)}", "value")
    elif vb != va and not va:
        add(f"value measure removed ({_value(vb)}): no value measure", "value")
    elif vb != va:
        add(f"value measure {_value(vb)} → {_value(va)}", "value")
    cb, ca = (before.get("cost") or {}).get("per_month"), (after.get("cost") or {}).get("per_month")
    if cb != ca:
        add(f"cost per month {_num(cb)} → {_num(ca)}", "cost")
    old = {s["name"].lower(): s for s in before.get("steps") or []}
    new = {s["name"].lower(): s for s in after.get("steps") or []}
    for key, step in new.items():
        if key not in old:
            pinned = ", pinned" if step.get("pinned") else ""
            add(f"step {step['name']} added, {step['mode']}{pinned}", "steps")
        elif bool(old[key].get("pinned")) != bool(step.get("pinned")):
            add(f"step {step['name']} {'pinned' if step.get('pinned') else 'no longer pinned'}", "steps")
    for key, step in old.items():
        if key not in new:
            add(f"step {step['name']} removed (its history stays)", "steps")
    if [k for k in new if k in old] != [k for k in old if k in new]:
        add("steps reordered: " + ", ".join(s["name"] for s in after.get("steps") or []), "steps")
    return Revision(changes)


def _value(v: dict[str, Any] | None) -> str:
    """A value measure as the form gives it: its event and the minutes each saves."""
    v = v or {}
    return f"{v.get('event')} × {_num(v.get('minutes_saved'), 'min')} saved"


def _guardrail(g: dict[str, Any] | None) -> str:
    if not g:
        return "none"
    unit = str(g.get("unit") or "")
    bound = f"min {_num(g['min'], unit)}" if g.get("min") is not None else f"max {_num(g.get('max'), unit)}"
    return f"{g.get('name')} {bound}"


def of_revision(
    playbook_id: int,
    slug: str,
    revision: Revision,
    before: dict[str, Any],
    after: dict[str, Any],
    by: str,
    stall: str | None = None,
    override: str | None = None,
) -> Decision:
    """A revision made with `/rollout edit`: one decision row listing each change; `stall`:
    the stall it answers (its card's words), `override`: a curator's reason for changing
    an adopted playbook past its kit's `may_change`."""
    answers = f" Answers the stall: {stall}." if stall else ""
    past = f" Past the kit's may_change, by a curator: {override}." if override else ""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return Decision(
        kind=DecisionKind.PLAYBOOK_CHANGED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} revised: {'; '.join(revision.words)}.{answers}{past}",
        figures={
            "changed": keys,
            "changes": revision.words,
            "before": before,
            "after": after,
            "revision": True,
            **({"stall": stall} if stall else {}),
            **({"override": override} if override else {}),
        },
    )
