"""The gates a step's move up passes when it is decided (docs/judgement.md, "Gates at the
click"): what a close holds a promotion back for, read again at the moment a person
approves a move up, a promotion's or a `/rollout mode` request's. Pure: what the gates
are read on in, the shut ones out, each a key and its values (templates/gate_words.py
words them).

- to ai-led: a current calibration run that meets the threshold, or `calibration: none`
  with its reason (cadence/calibration.py); and no trust hold (cadence/pulse.py `holds`);
- any move up, in an adopting team whose kit requires a champion (the default), in any
  cycle: the champion's training done (cadence/champion_gate.py); in its first cycle, no
  step above the mode its version had (cadence/judgement.py `pilot_ceiling`).

The gates are listed once, in `GATES`, for the approving click and a move taking effect
(cadence/mode_move.py), which read them through `shut`. The close holds a promotion back for the
same gates on what it read for the whole round (usecases/shared/close/steps.py: the pulse's
and usage's holds, the calibration's and the boundaries' waits; cadence/closing.py: the training and
the ceiling).

And which manual overrides need a decision at all (`needs_request`): toward human-led
applies at once; toward ai-led, or off human-led for a pinned step, is a bar change request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cadence.definition import MODES
from cadence.judgement import above

AI_LED = "ai-led"
_STEP_FIELD = re.compile(r"^steps\[(.*)\]\.(mode|added)$", re.DOTALL)
HUMAN_LED = "human-led"


def needs_request(from_mode: str, to_mode: str, pinned: bool) -> bool:
    """Whether a person's mode change waits for a curator: any move toward ai-led (one
    level or two), and any move off human-led of a pinned step (human-led by design)."""
    if pinned and to_mode != HUMAN_LED:
        return True
    return MODES.index(to_mode) > MODES.index(from_mode)


def asked_ai_led(changes: list[Any]) -> list[str]:
    """The steps a definition's bar change request asks at ai-led (cadence/bar_structure.py:
    a new step at ai-led, one moved to ai-led, one added where a pinned step was removed and
    asked at ai-led): its approval passes their promotion's gates, as `/rollout mode`'s does."""
    steps = []
    for change in changes:
        named = _STEP_FIELD.match(change.field)
        if named is None:
            continue
        asked = change.new.get("mode") if named.group(2) == "added" and isinstance(change.new, dict) else change.new
        if named.group(2) in ("mode", "added") and asked == AI_LED:
            steps.append(named.group(1))
    return steps


@dataclass(frozen=True)
class Reading:
    """What the gates of one step's move are read on, now.

    `calibration`: the step's calibration standing in words, None where it declares no set;
    `vagueness`: why its set is too tidy for ai-led with no boundaries declared (None: not);
    `calibration_shut`: why that standing holds a promotion back (MISSING, STALE, BELOW),
    None: it may go; `none_reason`: the step's `calibration: none` reason; `trust_hold`:
    why the team's pulse holds promotions to ai-led ({}: none); `usage_hold`: whether its
    last two weeks were attested without usage; `training`: (done, total)
    of the champion's training while it waits, else None; `ceiling`: the highest mode an
    adopting team's first cycle allows, else None."""

    calibration: str | None = None
    calibration_shut: str | None = None
    none_reason: str | None = None
    vagueness: dict[str, Any] | None = None
    trust_hold: dict[str, Any] = field(default_factory=dict)
    usage_hold: bool = False
    training: tuple[int, int] | None = None
    ceiling: str | None = None


@dataclass(frozen=True)
class Gate:
    """A shut gate: `key` names it (no_set, calibration, vague, trust_hold, usage_hold,
    training, ceiling)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PromotionGate:
    """One gate of a move up, registered once in `GATES`: `name`; `to_ai_led`, whether it
    guards only a move to ai-led (else any move up); `judge`, the gates it shuts for a
    move to a mode on a reading (none: open)."""

    name: str
    to_ai_led: bool
    judge: Callable[[str, Reading], list[Gate]]


def _calibration(_to_mode: str, reading: Reading) -> list[Gate]:
    """A current calibration run at the threshold, or `calibration: none` with its reason."""
    if reading.calibration is None and reading.none_reason is None:
        return [Gate("no_set")]
    if reading.calibration is not None and reading.calibration_shut is not None:
        return [Gate("calibration", {"standing": reading.calibration})]
    return []


def _boundaries(_to_mode: str, reading: Reading) -> list[Gate]:
    """Messy cases or strict boundaries where the set alone is too tidy (cadence/boundaries.py)."""
    return [Gate("vague", dict(reading.vagueness))] if reading.vagueness is not None else []


def _trust(_to_mode: str, reading: Reading) -> list[Gate]:
    """No trust hold of the team's pulse (cadence/pulse.py `holds`)."""
    return [Gate("trust_hold", {"why": dict(reading.trust_hold)})] if reading.trust_hold else []


def _usage(_to_mode: str, reading: Reading) -> list[Gate]:
    """No usage hold: two weeks in a row attested without usage (cadence/usage.py `holds`)."""
    return [Gate("usage_hold")] if reading.usage_hold else []


def _training(_to_mode: str, reading: Reading) -> list[Gate]:
    """In an adopting team that requires a champion, the champion's training done, in any
    cycle (cadence/champion_gate.py)."""
    if reading.training is None:
        return []
    done, total = reading.training
    return [Gate("training", {"done": done, "total": total})]


def _ceiling(to_mode: str, reading: Reading) -> list[Gate]:
    """In an adopting team's first cycle, no step above the mode its version had
    (cadence/judgement.py `pilot_ceiling`)."""
    return [Gate("ceiling", {"ceiling": reading.ceiling})] if above(to_mode, reading.ceiling) else []


# Every gate of a move up, once, in the order a refusal lists them. The rules' PASS streak
# and a pin are the move's own (cadence/mode_move.py `gates`).
GATES: tuple[PromotionGate, ...] = (
    PromotionGate("calibration", True, _calibration),
    PromotionGate("boundaries", True, _boundaries),
    PromotionGate("trust", True, _trust),
    PromotionGate("usage", True, _usage),
    PromotionGate("training", False, _training),
    PromotionGate("ceiling", False, _ceiling),
)


def shut(to_mode: str, reading: Reading) -> list[Gate]:
    """The gates a move to `to_mode` does not pass now (empty: it may go): each of `GATES`
    that guards it."""
    return [g for gate in GATES if to_mode == AI_LED or not gate.to_ai_led for g in gate.judge(to_mode, reading)]
