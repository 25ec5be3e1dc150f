"""Strict boundaries (docs/programme.md; docs/playbooks.md, "Strict boundaries"; seed 004: "run the pilot
against messy realities and exceptions from the start ... or define strict boundaries.
Vagueness is not"). Pure.

- A step may declare `boundaries: [refund over 500 EUR, legal threat]`: cases out of scope,
  routed to people. A week's out-of-scope count is reported beside its cases; the share is
  out of scope ÷ (cases + out of scope), shown as "12% of cases out of scope".
- A calibration set may declare how many of its cases are messy: `calibration: {cases: 40,
  messy: 10}`. A promotion to ai-led needs the set that applies to the step to be at least
  `messy_min` messy (default 0.2), or the step's boundaries declared: `vagueness` says why
  it may not go, None where it may. A step with no set by design (`calibration: none`, its
  reason shown on the proposal) has no share to judge: the calibration gate speaks for it.
- Which changes to these fields open the gate: cadence/boundaries_bar.py."""

from __future__ import annotations

from typing import Any

from cadence import rules
from cadence.boundaries_bar import messy_min, share_words
from cadence.calibration import Wait
from cadence.definition_calibration import declared

AI_LED = "ai-led"
VAGUE = "vague"  # a proposal's wait (cadence/calibration.py Wait.why)


def boundaries_of(definition: dict[str, Any], step: str) -> list[str]:
    """The step's declared boundaries ([]: none)."""
    found = _step(definition, step)
    return [str(b) for b in (found or {}).get("boundaries") or []]


def messy_of(definition: dict[str, Any], step: str) -> tuple[int, int] | None:
    """(messy, cases) of the calibration set that applies to `step`, its own or the
    playbook's (an undeclared `messy` counts none); None: no set applies."""
    cases = declared(definition, step)
    if cases is None:
        return None
    own = (_step(definition, step) or {}).get("calibration")
    given = own if isinstance(own, dict) else definition.get("calibration") or {}
    return int(given.get("messy") or 0), cases


def vagueness(definition: dict[str, Any], step: str) -> dict[str, Any] | None:
    """Why a promotion of `step` to ai-led may not go for vagueness (the set's messy share
    below `messy_min` and no boundaries), as the values a refusal words; None: it may."""
    messy = messy_of(definition, step)
    if messy is None or boundaries_of(definition, step):
        return None
    count, cases = messy
    floor = messy_min(definition)
    if count / cases >= floor:
        return None
    return {"step": step, "messy": count, "cases": cases, "messy_min": floor, "needed": _needed(cases, floor)}


def _needed(cases: int, floor: float) -> int:
    """The fewest messy cases of `cases` that reach `floor`."""
    need = int(cases * floor)
    return need if need / cases >= floor else need + 1


def out_of_scope_share(cases: int | None, out: int | None) -> float | None:
    """The share of a step's cases out of scope: out ÷ (cases + out); None: nothing reported."""
    if not out:
        return None if out is None else 0.0
    return out / ((cases or 0) + out)


def _step(definition: dict[str, Any], step: str) -> dict[str, Any] | None:
    return next((s for s in definition.get("steps") or [] if str(s.get("name", "")).lower() == step.lower()), None)


def hold(
    transitions: list[rules.Transition], definition: dict[str, Any], step: str
) -> tuple[list[rules.Transition], list[Wait]]:
    """A step's transitions at a close with a proposal to ai-led held back while its set
    is too tidy and no boundaries are declared (`vagueness`): the `Wait` says so in words
    ("0 messy of 40 cases, under messy_min 20%"). After the calibration gate's own hold."""
    vague = vagueness(definition, step) if any(_to_ai_led(t) for t in transitions) else None
    if vague is None:
        return transitions, []
    standing = (
        f"{vague['messy']} messy of {vague['cases']} cases, under messy_min {share_words(vague['messy_min'])};"
        f" at least {vague['needed']} needed"
    )
    return [t for t in transitions if not _to_ai_led(t)], [Wait(VAGUE, standing, None)]


def _to_ai_led(t: rules.Transition) -> bool:
    return t.kind is rules.Kind.PROPOSAL and t.to_mode == AI_LED
