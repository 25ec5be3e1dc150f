"""One sorter of every change to a playbook's definition (docs/judgement.md, "The bar
judged by its effect"): from `/rollout edit`, `/rollout kit`, *Refine*, *Re-scope* and
`rollout playbook load` alike (`/rollout mode` toward ai-led is always a request,
cadence/promotion_gates.py). Pure: the definitions before and after (canonical, as read
now) and the closed history the replay judges in, a `Sorting` out.

- **Neutral**: only the fields of `NEUTRAL` changed (the title, the function, the kit's
  texts, outputs, a step's `was`, `model` or `prompt`, value events' names): at once.
- **Replayed**: every change to the bar (cadence/bar.py `bar_changes`, with the pulse,
  `kpi.compare` and each step's calibration set as it applies to the step) is judged by
  its effect. A change to what a week's verdict is judged by (the cap, the rubric's
  threshold and floor, `min_cases`, the judgement mode, the review rates) is replayed: the
  playbook's kept weeks (its last 8 closed, each step's), and probe weeks at each bound
  of the bar before and after, are judged again under the asked bar by cadence/rules.py's
  `judge_with_rule` and `critical_demotion`, the close's own judges (cadence/bar_verdicts.py;
  what they judge in, `History`: cadence/bar_history.py). It applies at once
  only when no week's verdict moves toward PASS and no over-cap demotion disappears;
  otherwise it waits, and the card shows what the replay found.
- The KPI's target and direction, the guardrail's bounds and `scale_min_kpi_weeks` are
  replayed over the last closed cycles and the kept weeks' guardrail readings, with probes
  at each bound (cadence/bar_kpi.py): a missed cycle that would hit, or a breached week
  that would hold, waits. A KPI or a guardrail waits whole.
- The pulse turned off, or its `pulse_min_answers` raised, while a trust hold stands lifts
  the hold: a request. A handoff's change that would end or ease a fallback in force is
  named (cadence/bar_fallback.py); the handoff's, the pins', the checks' and the
  calibration sets' own judges (cadence/bar_structure.py) stand as probes.
- When a proposal is made: `promote_after_weeks`, `cooldown_weeks`, the freeze's numbers
  and `scale_after_cycles` replayed over each step's kept weeks and the kept cycles by the
  close's `evaluate` and scale rule (cadence/bar_proposals.py, `proposals`): a promotion
  or scale proposal made sooner waits, naming its week or cycle.
- Readiness: every criterion the definition decides, judged with what a publish reads
  now under both (cadence/bar_readiness.py, `readiness`): one moving from ❌ to ✅ or to
  "none" waits, naming it; the input contract moving from ❌ to ✅ because an input went
  (removed or renamed, not completed) is a request (`_readiness`).
- What the sorter knows is cadence/bar_fields.py's table of fields and their judges: a
  change to a field it does not name (one added later) is a request, and `kpi.compare`,
  `kpi.baseline` and the rule numbers no judge replays yet (the demotion windows,
  `critical_multiplier`, `adoption_wave`, `replicate_share`) are requests too.

A change that applies at once never makes a replayed verdict easier
(tests/cadence/test_bar_sort.py and test_bar_kpi.py, property-based)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from cadence import bar, bar_fallback, bar_fields, bar_kpi, bar_proposals, bar_readiness, inputs
from cadence.bar import BarChange
from cadence.bar_history import History
from cadence.bar_proposals import PROPOSAL_FIELDS, Judged
from cadence.bar_structure import named_before
from cadence.bar_verdicts import judged_under, judged_week, replay, thresholds
from cadence.definition_rules import RuleSettings
from cadence.verdicts import FAIL, Thresholds

NEUTRAL_KIND, TIGHTENING, REQUEST = "neutral", "tightening", "request"

# The fields whose change alone is neutral (top level; `replication.` the kit's texts; a
# step's own): everything else is replayed.
NEUTRAL = frozenset({"title", "function", "outputs"})
NEUTRAL_KIT = frozenset({"runbook", "training", "checks", "requires"})
NEUTRAL_STEP = frozenset({"was", "model", "prompt", "prompt_text", "rubric_text"})

# What a week's verdict is judged by: these fields are replayed week by week.
VERDICT_FIELDS = ("exception_cap", "rubric_threshold", "rules.rubric_floor", "rules.min_cases", "rules.judgement")
# What a cycle's result and a week's guardrail are judged by: replayed cycle by cycle (cadence/bar_kpi.py).
KPI_FIELDS = ("kpi.target", "kpi.direction", "guardrail.min", "guardrail.max", "rules.scale_min_kpi_weeks")


@dataclass(frozen=True)
class Sorting:
    """`kind`: neutral, tightening (applies at once) or request; `waiting`: the changes that
    wait for a curator, each with what the replay found (BarChange.found)."""

    kind: str
    waiting: list[BarChange] = field(default_factory=list)

    @property
    def found(self) -> list[str]:
        return [line for c in self.waiting for line in c.found]


def sort(before: dict[str, Any], after: dict[str, Any], history: History | None = None) -> Sorting:
    """Sort the change from `before` to `after` (canonical definitions as read now)."""
    history = history or History()
    if neutral(before, after):
        return Sorting(NEUTRAL_KIND)
    waiting = []
    for change in changes(before, after):
        found = _judge(before, change, history)
        ready = readiness(before, bar.with_changes(before, [change]), history)
        found = [*(found or []), *ready] if ready else found
        if found is not None:
            waiting.append(replace(change, tightens=False, found=tuple(found)))
    waiting += _combined(before, after, waiting, history)
    waiting += _whole(before, after, waiting)
    waiting += _readiness(before, after)
    waiting += _steps_gone(before, after, history)
    waiting += bar_fields.unjudged(before, after)
    return Sorting(REQUEST if waiting else TIGHTENING, _named_whole(before, after, waiting, history))


def _named_whole(
    before: dict[str, Any], after: dict[str, Any], waiting: list[BarChange], history: History
) -> list[BarChange]:
    """`waiting` with what readiness finds under the whole asked definition that no change
    alone found (three steps' `rubric: none` together put output accuracy to none), told
    with the first waiting change readiness reads."""
    said = {line for c in waiting for line in c.found}
    lines = [line for line in readiness(before, after, history) if line not in said]
    for at, change in enumerate(waiting if lines else []):
        if change.field.startswith(_READINESS_FIELDS):
            return [*waiting[:at], replace(change, found=(*change.found, *lines)), *waiting[at + 1 :]]
    return waiting


def apply_now(before: dict[str, Any], after: dict[str, Any], sorting: Sorting) -> dict[str, Any]:
    """`after` with every waiting change put back as it is in `before`."""
    return bar.put_back(before, after, sorting.waiting)


# ---- neutral ----


def _without_neutral(definition: dict[str, Any]) -> dict[str, Any]:
    d = {k: copy.deepcopy(v) for k, v in definition.items() if k not in NEUTRAL}
    kit = d.get("replication")
    if isinstance(kit, dict):
        d["replication"] = _kit_without_neutral(kit)
    d["steps"] = _steps_without_neutral(d.get("steps") or [])
    value = d.get("value")
    if isinstance(value, dict) and "event" in value:
        d["value"] = {k: v for k, v in value.items() if k != "event"}
    return d


def _kit_without_neutral(kit: dict[str, Any]) -> dict[str, Any]:
    """The kit's `replication:` less its neutral fields."""
    return {k: v for k, v in kit.items() if k not in NEUTRAL_KIT}


def _steps_without_neutral(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each step less its neutral fields and its name."""
    return [{k: v for k, v in s.items() if k not in NEUTRAL_STEP and k != "name"} for s in steps]


def neutral(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether only neutral fields changed (a step renamed with `was` keeps its place and
    everything else it had)."""
    return (
        _renamed_from_known(before, after)
        and _same_steps_in_order(before, after)
        and _without_neutral(before) == _without_neutral(after)
    )


def _renamed_from_known(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Every step `after` says it `was` is a step `before` has."""
    return all(
        s.get("was") is None or str(s["was"]).lower() in {str(b["name"]).lower() for b in before.get("steps") or []}
        for s in after.get("steps") or []
    )


def _same_steps_in_order(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """`after`'s steps, by the name each `was`, are `before`'s in the same order."""
    return [str(s["name"]).lower() for s in before.get("steps") or []] == [
        str(s.get("was") or s["name"]).lower() if s.get("was") else str(s["name"]).lower()
        for s in after.get("steps") or []
    ]


# ---- what changed ----


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """Every change to the bar: cadence/bar.py's, with the pulse and `kpi.compare`."""
    found = bar.bar_changes(before, after)
    rb, ra = before.get("rules") or {}, after.get("rules") or {}
    defaults = RuleSettings()
    for name in ("pulse", "pulse_min_answers"):
        old, new = rb.get(name), ra.get(name)
        old = getattr(defaults, name) if old is None else old
        new = getattr(defaults, name) if new is None else new
        if old != new:
            found.append(BarChange(f"rules.{name}", old, new, f"{name} {old} → {new}", False))
    found += _tools(before, after)
    cb, ca = (before.get("kpi") or {}).get("compare"), (after.get("kpi") or {}).get("compare")
    if cb != ca:
        found.append(BarChange("kpi.compare", cb, ca, f"KPI compare {_compare(cb)} → {_compare(ca)}", False))
    return found


def _tools(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """The declared tools a usage hold reads (cadence/usage.py `holds`): the playbook's
    `tool` and each kept step's own."""
    found = []
    if before.get("tool") != after.get("tool"):
        old, new = before.get("tool"), after.get("tool")
        found.append(BarChange("tool", old, new, f"tool {old or 'none'} → {new or 'none'}", False))
    kept = {str(s["name"]).lower(): s for s in before.get("steps") or []}
    for step in after.get("steps") or []:
        was = kept.get(named_before(kept, step).lower())
        if was is not None and was.get("tool") != step.get("tool"):
            old, new = was.get("tool"), step.get("tool")
            words = f"{step['name']}'s tool {old or 'none'} → {new or 'none'}"
            found.append(BarChange(f"steps[{step['name']}].tool", old, new, words, False))
    return found


def _compare(value: Any) -> str:
    if value is None:
        return "none"
    return str(value.get("rest") if isinstance(value, dict) else value)


# ---- the judges ----


def contract_met(definition: dict[str, Any]) -> bool:
    """Readiness's input contract (3) as the definition declares it, judged as a close
    judges it (cadence/replication.py): inputs and outputs both declared, each input whole."""
    declared = list(definition.get("inputs") or [])
    return bool(declared) and bool(definition.get("outputs")) and not inputs.lacking(declared)


def _names(definition: dict[str, Any]) -> set[str]:
    return {inputs.name_of(given).lower() for given in definition.get("inputs") or []}


def _steps_gone(before: dict[str, Any], after: dict[str, Any], history: History) -> list[BarChange]:
    """A step removed (not renamed, not pinned: a pinned one waits by its own judge) whose
    kept weeks hold a FAIL or a demotion at once: its removal takes them away from the
    playbook's readiness and replication, so it waits, naming them."""
    had = {str(s["name"]).lower(): (at, s) for at, s in enumerate(before.get("steps") or [])}
    kept = {named_before(had, s).lower() for s in after.get("steps") or []}
    t = thresholds(before)
    found = []
    for name, (at, step) in had.items():
        if name in kept or step.get("pinned"):
            continue
        lines = _weeks_lost(name, before, history, t)
        if lines:
            words = f"step {step['name']} removed"
            found.append(
                BarChange(f"steps[{step['name']}]", {"at": at, "step": step}, None, words, False, tuple(lines))
            )
    return found


def _weeks_lost(name: str, before: dict[str, Any], history: History, t: Thresholds) -> list[str]:
    """The kept weeks of the step named `name` (lowercased) holding a FAIL or a demotion at
    once, a line each: what its removal would take away."""
    lines = []
    for week in history.weeks:
        if week.step.lower() == name:
            verdict, _, over = judged_under(week, before, t)
            if verdict == FAIL or over:
                lines.append(f"{week.step}'s {week.label} ({verdict}) would no longer count: the step is removed")
    return lines


def _readiness(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """A criterion of readiness the definition decides, judged again under the asked one: the
    input contract moving from ❌ to ✅ because an input went (removed or renamed, not
    completed) waits for a curator, with what the replay found. An input's contract filled
    in applies at once, as it did."""
    gone = _names(before) - _names(after)
    if not gone or contract_met(before) or not contract_met(after):
        return []
    old, new = before.get("inputs") or [], after.get("inputs") or []
    words = f"inputs: {len(old)} → {len(new)} ({', '.join(sorted(gone))} removed)"
    found = (f"readiness's input contract would move from ❌ to ✅: {', '.join(sorted(gone))} removed, not completed",)
    return [BarChange("inputs", old, new, words, False, found)]


def _judge(before: dict[str, Any], change: BarChange, history: History) -> list[str] | None:
    """What the replay finds gets easier with `change` alone: None, nothing (it applies at
    once); else the lines the card shows (empty: by its own judge)."""
    if change.field in KPI_FIELDS:
        found = bar_kpi.replay(before, bar.with_changes(before, [change]), history.cycles, history.guardrail)
        return found or None
    if change.field in VERDICT_FIELDS or change.field.startswith(("review_rate.", "rules.")):
        return _judge_rule(before, change, history)
    if change.field == "handoff" or change.field.startswith("handoff."):
        return _judge_handoff(before, change, history)
    if change.field == "tool" or change.field.endswith("].tool"):
        return ["a usage hold stands: changing the declared tool would lift it"] if history.usage_hold else None
    if change.field == "kpi.compare":
        return ["the replay cannot judge a change to the rest's comparison"]
    return None if change.tightens else []


def _judge_rule(before: dict[str, Any], change: BarChange, history: History) -> list[str] | None:
    """`_judge` for a verdict's number, a review rate or a rule number: the pulse's by the
    trust hold, the proposals' and the verdicts' by their replays, readiness's by readiness."""
    if change.field.startswith("rules.pulse"):
        return _pulse(change, history)
    if change.field in PROPOSAL_FIELDS:
        return proposals(before, bar.with_changes(before, [change]), history) or None
    if change.field.startswith("rules.ready_min_"):
        return None  # readiness's own numbers: judged by readiness (`readiness`), as every change is
    if change.field in VERDICT_FIELDS or change.field.startswith("review_rate."):
        found = replay(before, bar.with_changes(before, [change]), history)
        return found or None
    return []  # another rule number: what it does the replay cannot judge


def _judge_handoff(before: dict[str, Any], change: BarChange, history: History) -> list[str] | None:
    """`_judge` for the handoff: the escalations replayed under it (a tightening found nothing to wait for)."""
    found = bar_fallback.replay(before, bar.with_changes(before, [change]), history.escalations)
    return found or (None if change.tightens else [])


def _pulse(change: BarChange, history: History) -> list[str] | None:
    higher = change.field == "rules.pulse_min_answers" and int(change.new) > int(change.old)
    if history.usage_hold and higher:
        return ["a usage hold stands: a higher pulse_min_answers could leave the team's weeks unshown, lifting it"]
    if not history.trust_hold:
        return None
    if change.field == "rules.pulse" and change.new != "on":
        return ["a trust hold stands: turning the pulse off would lift it"]
    if change.field == "rules.pulse_min_answers" and int(change.new) > int(change.old):
        return ["a trust hold stands: a higher pulse_min_answers could leave its cycle unshown, lifting it"]
    return None


def _combined(
    before: dict[str, Any], after: dict[str, Any], waiting: list[BarChange], history: History
) -> list[BarChange]:
    """The changes that apply at once, judged together once more by each replay: where
    together they make something easier (each alone did not), the ones it reads wait too."""
    now = bar.put_back(before, after, waiting)
    held = {c.field for c in waiting}
    combined: list[BarChange] = []
    judges = (
        (replay(before, now, history), lambda f: f in VERDICT_FIELDS or f.startswith("review_rate.")),
        (bar_kpi.replay(before, now, history.cycles, history.guardrail), lambda f: f in KPI_FIELDS),
        (readiness(before, now, history), lambda f: f.startswith(_READINESS_FIELDS)),
        (proposals(before, now, history), lambda f: f in PROPOSAL_FIELDS),
    )
    for found, reads in judges:
        if found:
            more = [replace(c, tightens=False, found=tuple(found)) for c in changes(before, now)]
            combined += [c for c in more if c.field not in held and reads(c.field)]
            held |= {c.field for c in combined}
    return combined


# What readiness's criteria read of the definition (cadence/bar_readiness.py), as changes' fields.
_READINESS_FIELDS = (
    "exception_cap",
    "rubric_threshold",
    "rules.min_cases",
    "rules.ready_min_",
    "rules.scale_after_cycles",
    "steps[",
    "inputs[",
    "calibration",
    "rubric",
)


def readiness(before: dict[str, Any], after: dict[str, Any], history: History) -> list[str]:
    """Each criterion of readiness the asked definition (`after`) would move from ❌ to ✅
    or to "none" with the figures read now (cadence/bar_readiness.py), in words."""
    return bar_readiness.replay(before, after, thresholds(before), thresholds(after), history.readiness)


def proposals(before: dict[str, Any], after: dict[str, Any], history: History) -> list[str]:
    """Each proposal the asked bar (`after`) would make sooner than `before` did, over the
    kept weeks and cycles, else a probe's (cadence/bar_proposals.py), in words."""
    tb, ta = thresholds(before), thresholds(after)
    if all(getattr(tb, f[6:]) == getattr(ta, f[6:]) for f in PROPOSAL_FIELDS):
        return []
    kept: dict[str, tuple[list[Judged], list[Judged]]] = {}
    for week in history.weeks:
        old, new = kept.setdefault(week.step, ([], []))
        old.append(judged_week(week, before, tb))
        new.append(judged_week(week, after, ta))
    found = bar_proposals.steps_sooner(kept, tb, ta) or bar_proposals.probe(tb, ta)
    hits = [[(c.number, bar_kpi.Bar.of(d).hits(c)[0]) for c in history.cycles] for d in (before, after)]
    return found + bar_proposals.scale_sooner(hits[0], hits[1], tb, ta)


def _whole(before: dict[str, Any], after: dict[str, Any], waiting: list[BarChange]) -> list[BarChange]:
    """A KPI or a guardrail waits whole: where one of its fields waits, the others of the
    same section wait with it (a min swapped for a max is one guardrail, not two bounds)."""
    sections = {c.field.split(".")[0] for c in waiting if c.field in KPI_FIELDS}
    held = {c.field for c in waiting}
    return [
        replace(c, tightens=False)
        for c in changes(before, after)
        if c.field not in held and c.field.split(".")[0] in sections and c.field in KPI_FIELDS
    ]
