"""The one place a step's mode or pin moves (docs/judgement.md, "The invariants"). Every
path that changes a step's mode or pin builds a `Move` here and passes it through
`take_effect`: a promotion approved, a `/rollout mode` request approved, a definition's
request the clock applies at the next cycle, a file, a revision, an upgrade, a demotion.
storage/step_modes.py is the only writer of a step's mode and pin, and it writes a move
up only when it went through here with its gates open (tests/test_mode_moves.py holds both).

A move is **up** when it goes toward ai-led, off human-led, or takes a pin away. A move up
reads the promotion's gates at the instant it takes effect, not when it was asked:
- the rules' streak: `promote_after_weeks` PASS weeks in a row since the step's last mode
  change (and after a rejection or a breached guardrail), with no FAIL since (`Streak`);
- to ai-led: a current calibration run at the threshold or `calibration: none` with its
  reason, messy cases or boundaries, no trust hold (cadence/promotion_gates.py `shut`);
- in an adopting team whose kit requires a champion, in any cycle: the champion's
  training; in its first cycle: the pilot's ceiling.
A pin taken away with the mode left at human-led reads the training alone: it moves
nothing yet, and the step's first promotion reads the rest. A move down passes at once.
Shut gates keep the mode: `Held` names them, and the caller tells the card and the owner;
an approval stands until they open or a curator declines it. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cadence.change import ModeChange
from cadence.definition import MODES
from cadence.promotion_gates import Gate, Reading, shut
from cadence.verdicts import FAIL, PASS, WeekVerdict

HUMAN_LED = "human-led"


@dataclass(frozen=True)
class Streak:
    """What the rules' streak gate reads of a step's closed weeks: its verdicts since its
    last mode change (oldest first), the latest week its streak restarted (a rejection, a
    breached guardrail), and how many PASS weeks in a row a promotion needs."""

    verdicts: tuple[WeekVerdict, ...] = ()
    reset: date | None = None
    needed: int = 2

    def gate(self) -> Gate | None:
        """None: a run of `needed` PASS weeks with no FAIL after it; else the gate, naming
        the weeks read (`weeks`: "PASS", "INCONCLUSIVE", … newest last, at most 4)."""
        weeks = self._since_reset()
        run = 0
        for at, week in enumerate(weeks):
            run = run + 1 if week.outcome == PASS else 0
            if run >= self.needed and all(v.outcome != FAIL for v in weeks[at + 1 :]):
                return None
        shown = [(v.week_start.isoformat(), v.outcome) for v in weeks[-4:]]
        return Gate("streak", {"needed": self.needed, "weeks": shown})

    def _since_reset(self) -> list[WeekVerdict]:
        """The verdicts after the latest week the streak restarted."""
        return [v for v in self.verdicts if self.reset is None or v.week_start > self.reset]


@dataclass(frozen=True)
class Move:
    """One step's mode and pin, from what they are to what is asked. `step_id` None: a
    step the change adds (it starts at what is asked; a new step at ai-led is a request,
    cadence/bar_structure.py). `cleared`: it went through `take_effect` with its gates
    open (a move down is cleared at once); storage writes no move up without it."""

    step: str
    from_mode: str
    to_mode: str
    from_pinned: bool = False
    to_pinned: bool = False
    step_id: int | None = None
    why: str = ""  # what moves it: "promotion", "override", "request", "file", "demotion", …
    cleared: bool = False

    @property
    def up(self) -> bool:
        return MODES.index(self.to_mode) > MODES.index(self.from_mode) or (self.from_pinned and not self.to_pinned)

    @property
    def moves(self) -> bool:
        return self.from_mode != self.to_mode or self.from_pinned != self.to_pinned


@dataclass(frozen=True)
class Held:
    """A move up whose gates were shut when it would have taken effect: the step keeps
    its mode; `gates` say which (templates/gate_words.py words them)."""

    move: Move
    gates: list[Gate] = field(default_factory=list)


def gates(move: Move, reading: Reading, streak: Streak) -> list[Gate]:
    """The shut gates of `move` read now (empty: it may take effect)."""
    if not move.up:
        return []
    if move.to_mode == move.from_mode:  # a pin taken away: the training alone
        return [g for g in shut(move.to_mode, reading) if g.key == "training"]
    if move.to_pinned and move.to_mode != HUMAN_LED:  # pinned: human-led by design, unless the pin goes too
        return [Gate("pinned")]
    found = shut(move.to_mode, reading)
    held = streak.gate()
    return [held, *found] if held is not None else found


def take_effect(move: Move, reading: Reading | None = None, streak: Streak | None = None) -> Move | Held:
    """The one function every change of a step's mode or pin goes through: a move down (or
    none) is cleared at once; a move up is cleared only when its gates, read on `reading`
    and `streak` at this instant, are all open, else Held."""
    if not move.up:
        return replace(move, cleared=True)
    if reading is None or streak is None:
        return Held(move, [Gate("unread")])
    shut_now = gates(move, reading, streak)
    return Held(move, shut_now) if shut_now else replace(move, cleared=True)


def unjudged(move: Move) -> Move:
    """A move before any week of the playbook is judged (its first cycle has not begun):
    the definition is still what its file declares, and no gate has anything to read yet."""
    return replace(move, cleared=True)


def change(move: Move) -> ModeChange:
    """`move` as storage writes it (compare-and-set on its mode before): only a cleared
    move up is written (storage/step_modes.py refuses the rest)."""
    if move.step_id is None:
        raise ValueError(f"step {move.step} is not stored yet: a new step starts at its declared mode")
    return ModeChange(
        move.step_id,
        move.from_mode,
        new_mode=move.to_mode if move.to_mode != move.from_mode else None,
        pinned=move.to_pinned if move.to_pinned != move.from_pinned else None,
        cleared=move.cleared,
    )


def freeze(step_id: int, mode: str, frozen: bool) -> ModeChange:
    """A step frozen (no more proposals) or unfrozen: its mode stays."""
    return ModeChange(step_id, mode, freeze=frozen, cleared=True)


def is_up(from_mode: str, to_mode: str | None, unpinned: bool = False) -> bool:
    """Whether writing `to_mode` over `from_mode` (and taking a pin away) moves a step up."""
    return unpinned or (to_mode is not None and MODES.index(to_mode) > MODES.index(from_mode))


def declared(
    before: dict[str, Any],
    after: dict[str, Any],
    live: dict[str, tuple[str, bool]],
    ids: dict[str, int] | None = None,
) -> list[Move]:
    """The moves a new definition (`after`, canonical) makes of the steps it keeps: a step
    whose declared mode changed from `before`'s and differs from its live mode takes it;
    its pin follows the definition. `live`: each step's mode and pin now, by name (`ids`:
    their ids, for the moves). A step renamed with `was` is read under its old name."""
    had = {str(s["name"]): s for s in before.get("steps") or []}
    moves = []
    for step in after.get("steps") or []:
        move = _declared_move(step, had, live, ids)
        if move is not None and move.moves:
            moves.append(move)
    return moves


def _declared_move(
    step: dict[str, Any], had: dict[str, Any], live: dict[str, tuple[str, bool]], ids: dict[str, int] | None
) -> Move | None:
    """What the definition asks of one step it keeps (None: a step not live): its declared
    mode where that changed and differs from the live one, its pin as declared."""
    name = str(step["name"])
    old_name = name if name in live else str(step.get("was") or name)
    if old_name not in live:
        return None
    mode, pinned = live[old_name]
    was_declared = (had.get(name) or had.get(old_name) or {}).get("mode")
    to_mode = step["mode"] if was_declared != step["mode"] and mode != step["mode"] else mode
    return Move(name, mode, to_mode, pinned, bool(step.get("pinned")), (ids or {}).get(old_name), "definition")
