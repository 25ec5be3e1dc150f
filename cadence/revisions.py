"""A playbook's revisions: what changed between two definitions, in the words a decision
row keeps ("exception cap 10% → 15%; step verify added, human-led; target 15 → 12 min"),
and which of those changes an adopted playbook's kit lets its team make (`may_change`).
Pure: definitions in, words out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cadence import calendar, step_texts
from cadence.boundaries_bar import messy_min
from cadence.decisions import Decision, DecisionKind
from cadence.definition_intake import intake_words
from cadence.definition_parts import requires_champion

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
    kb, ka = before.get("kpi") or {}, after.get("kpi") or {}
    return Revision(
        [
            *_setting_changes(before, after, _TEAM_SETTINGS),
            *_kpi_changes(kb, ka),
            *_setting_changes(before, after, _SHARES),
            *_setting_changes(before, after, _MEASURES),
            *_step_changes(before.get("steps") or [], after.get("steps") or []),
            *_setting_changes(before, after, _CONTRACT),  # the kit form's (usecases/kit_form.py)
            *_kit_changes(before.get("replication") or {}, after.get("replication") or {}),
        ]
    )


def told_words(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each change from `before` to `after` as the team channel is told it: `compare`'s
    words, then "<key> changed" for each part of the definition it does not word (a
    file's sources, kit or rules). Empty: nothing changed."""
    changes = compare(before, after).changes
    words, worded = [c.words for c in changes], {c.field[0] for c in changes}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key) and key not in worded:
            words.append(f"{key.replace('_', ' ')} changed")
    return words


def applies_from(anchor: calendar.CycleAnchor | None, today: date) -> tuple[date, calendar.WeekRef | None]:
    """The week a revision applies from, by its Monday: the open week of the playbook's
    cycles (the one holding `today`), or before they begin their first week; in no cycle
    (paused, none started), the week of `today`, with no cycle week to name."""
    if anchor is not None:
        week = calendar.week_containing(anchor, today)
        if week is None and anchor.starts_on > today:
            week = calendar.week_containing(anchor, anchor.starts_on)
        if week is not None:
            return week.week_start, week
    return calendar.monday_of(today), None


# A setting of the form: its field, how to read it off a definition, and the words for
# its change from one value to another. Compared in the order of the tables.
_Setting = tuple[str, Callable[[dict[str, Any]], Any], Callable[[Any, Any], str]]


def _top(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: d.get(key)


_TEAM_SETTINGS: tuple[_Setting, ...] = (
    ("title", _top("title"), lambda b, a: f"title “{_text(b)}” → “{_text(a)}”"),
    ("function", _top("function"), lambda b, a: f"function “{_text(b)}” → “{_text(a)}”"),
    ("channel", _top("channel"), lambda b, a: f"team channel {b} → {a}"),
    ("timezone", _top("timezone"), lambda b, a: f"time zone {_text(b)} → {_text(a)}"),
)
_SHARES: tuple[_Setting, ...] = (
    ("exception_cap", _top("exception_cap"), lambda b, a: f"exception cap {_share(b)} → {_share(a)}"),
    ("rubric_threshold", _top("rubric_threshold"), lambda b, a: f"rubric threshold {_share(b)} → {_share(a)}"),
    ("messy_min", messy_min, lambda b, a: f"messy_min {_share(b)} → {_share(a)}"),  # strict boundaries
)


def _value_change(b: dict[str, Any] | None, a: dict[str, Any] | None) -> str:
    """A value measure added, removed or changed."""
    if not b:
        return f"value measure added: {_value(a)}"
    if not a:
        return f"value measure removed ({_value(b)}): no value measure"
    return f"value measure {_value(b)} → {_value(a)}"


_MEASURES: tuple[_Setting, ...] = (
    ("guardrail", _top("guardrail"), lambda b, a: f"guardrail {_guardrail(b)} → {_guardrail(a)}"),
    ("value", _top("value"), _value_change),
    ("intake", _top("intake"), lambda b, a: f"intake {intake_words(b)} → {intake_words(a)}"),
    (
        "cost",
        lambda d: (d.get("cost") or {}).get("per_month"),
        lambda b, a: f"cost per month {_num(b)} → {_num(a)}",
    ),
)


def _listed(items: Any) -> str:
    """An input or output list in a revision's words: its names, the first five."""
    names = [_text(i if isinstance(i, str) else (i or {}).get("name"))[:60] for i in items or []]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ", ".join(f"“{n}”" for n in names[:5]) + more if names else "none"


_CONTRACT: tuple[_Setting, ...] = (
    ("inputs", _top("inputs"), lambda b, a: f"inputs {_listed(b)} → {_listed(a)}"),
    ("outputs", _top("outputs"), lambda b, a: f"outputs {_listed(b)} → {_listed(a)}"),
    (
        "exception_owner",
        _top("exception_owner"),
        lambda b, a: f"exception owner {b or 'the owner'} → {a or 'the owner'}",
    ),
    ("owners", _top("owners"), lambda b, a: f"operational owners {_pairs(b)} → {_pairs(a)}"),
    ("handoff", _top("handoff"), lambda b, a: f"handoff {_pairs(b)} → {_pairs(a)}"),
    (
        "rubric",
        lambda d: (d.get("rubric") or {}).get("dimensions"),
        lambda b, a: f"rubric dimensions {', '.join(b) if b else 'none'} → {', '.join(a) if a else 'none'}",
    ),
    (
        "calibration",
        lambda d: (d.get("calibration") or {}).get("cases"),
        lambda b, a: f"calibration set {_num(b) if b else 'none'} → {_num(a) if a else 'none'} cases",
    ),
)


def _pairs(section: dict[str, Any] | None) -> str:
    """A small section's words: `business rules U…, model updates U…`; none: "none"."""
    given = {k: v for k, v in (section or {}).items() if v is not None}
    said = {k: _num(v) if isinstance(v, int | float) else _text(str(v)) for k, v in given.items()}
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in said.items()) or "none"


def _kit_changes(kb: dict[str, Any], ka: dict[str, Any]) -> list[Change]:
    """The replication kit's parts that changed: a link, a count of lines, the choices."""

    def said(key: str, value: Any) -> str:
        if key == "requires_champion":
            return "yes" if value is not False else "no"  # unset: required
        if key == "may_change":
            return ", ".join(value) if value else "nothing"
        if isinstance(value, list):
            return f"{len(value)} line{'' if len(value) == 1 else 's'}"
        return _text(value)[:120]

    names = {"requires_champion": "champion required", "may_change": "may change", "requires": "requirements"}
    return [
        Change(f"kit {names.get(key, key)} {said(key, kb.get(key))} → {said(key, ka.get(key))}", ("replication", key))
        for key in sorted(set(kb) | set(ka))
        if (
            requires_champion(kb) != requires_champion(ka) if key == "requires_champion" else kb.get(key) != ka.get(key)
        )
    ]


def _setting_changes(before: dict[str, Any], after: dict[str, Any], settings: tuple[_Setting, ...]) -> list[Change]:
    changes = []
    for key, read, words in settings:
        b, a = read(before), read(after)
        if b != a:
            changes.append(Change(words(b, a), (key,)))
    return changes


def _kpi_changes(kb: dict[str, Any], ka: dict[str, Any]) -> list[Change]:
    """The KPI's words (quoted) then its figures (in the new unit)."""
    unit = str(ka.get("unit") or "")
    changes = [
        Change(f"KPI {key} “{_text(kb.get(key))}” → “{_text(ka.get(key))}”", ("kpi", key))
        for key in ("name", "unit", "direction")
        if kb.get(key) != ka.get(key)
    ]
    changes += [
        Change(f"{key} {_num(kb.get(key))} → {_num(ka.get(key), unit)}", ("kpi", key))
        for key in ("baseline", "target")
        if kb.get(key) != ka.get(key)
    ]
    return changes


def _step_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Change]:
    """Steps added or (un)pinned in the new order, then those removed, then a new order of
    the steps kept. Steps are the same step when their names are, whatever the case."""
    old = {s["name"].lower(): s for s in before}
    new = {s["name"].lower(): s for s in after}
    words = []
    for key, step in new.items():
        words += _step_added(step) if key not in old else _step_kept(old[key], step)
    words += [f"step {step['name']} removed (its history stays)" for key, step in old.items() if key not in new]
    words += _reordered(old, new, after)
    return [Change(w, ("steps",)) for w in words]


def _step_added(step: dict[str, Any]) -> list[str]:
    """A new step, with its mode and its pin."""
    return [f"step {step['name']} added, {step['mode']}{', pinned' if step.get('pinned') else ''}"]


def _step_kept(old: dict[str, Any], step: dict[str, Any]) -> list[str]:
    """A kept step (un)pinned, then its own declarations that changed."""
    words = []
    if bool(old.get("pinned")) != bool(step.get("pinned")):
        words.append(f"step {step['name']} {'pinned' if step.get('pinned') else 'no longer pinned'}")
    return words + _declared_changes(old, step)


def _reordered(old: dict[str, Any], new: dict[str, Any], after: list[dict[str, Any]]) -> list[str]:
    """The new order of the steps, where the steps kept are in another order."""
    if [k for k in new if k in old] != [k for k in old if k in new]:
        return ["steps reordered: " + ", ".join(s["name"] for s in after)]
    return []


def _declared_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A kept step's own declarations that changed: its model and prompt (free text, quoted;
    either makes its calibration stale), its calibration set and its reason, its rubric."""
    words = []
    for key in ("model", "prompt", "reason"):
        if old.get(key) != new.get(key):
            shown = [f"“{_text(v)[:120]}”" if v else "none" for v in (old.get(key), new.get(key))]
            words.append(f"step {new['name']} {key} {shown[0]} → {shown[1]}")
    for key in ("calibration", "rubric"):
        if old.get(key) != new.get(key):
            words.append(f"step {new['name']} {key} {_own(old.get(key))} → {_own(new.get(key))}")
    for key in step_texts.TEXT_FIELDS:  # the kit's texts: their change in lines, never the text
        if old.get(key) != new.get(key):
            words.append(step_texts.changed_words(new["name"], key, old.get(key), new.get(key)))
    if old.get("boundaries") != new.get("boundaries"):  # strict boundaries (cadence/boundaries.py)
        shown = ["; ".join(v) if v else "none" for v in (old.get("boundaries"), new.get("boundaries"))]
        words.append(f"step {new['name']} boundaries {shown[0]} → {shown[1]}")
    return words


def _own(value: Any) -> str:
    if value is None:
        return "the playbook's"
    if isinstance(value, dict):
        if "cases" in value:
            messy = f" ({_num(value['messy'])} messy)" if value.get("messy") is not None else ""
            return f"{_num(value['cases'])} cases{messy}"
        return ", ".join(value.get("dimensions") or [])
    return str(value)


def _value(v: dict[str, Any] | None) -> str:
    """A value measure as the form gives it: its event and the minutes each saves."""
    v = v or {}
    if v.get("minutes_saved") is None:  # a value event counted, no minutes saved given
        return str(v.get("event"))
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
    why: str | None = None,
) -> Decision:
    """A revision made with `/rollout edit`: one decision row listing each change; `stall`:
    the stall it answers (its card's words), `override`: a curator's reason for changing
    an adopted playbook past its kit's `may_change`; `why`: the form's *Why*, kept with it
    (the web page shows it beside a text's diff, cadence/step_texts.py)."""
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
            **({"why": why} if why else {}),
        },
    )
