"""A mode moves in one place (issue 109, item 1; docs/judgement.md, "The invariants"):
cadence/mode_move.py is the one function every change of a step's mode or pin goes
through, storage/step_modes.py the one writer. A module that writes `mode`/`pinned` on a
step row, updates the step table, makes a step row or builds a ModeChange or a cleared
Move anywhere else fails here."""

from __future__ import annotations

import re

from tests.test_layers import MODULES, ROOT

STEP_WRITES = re.compile(
    r"\bstep\w*\.(?:mode|pinned)\s*(?:,\s*\w+\.(?:mode|pinned)\s*)*=[^=]"  # step.mode = … / step.mode, step.pinned = …
    r"|update\(\s*Step\s*\)"  # a bulk update of the step table
    r"|\bStep\(\s*(?:playbook_id|id)="  # a step row made
    r"|\bcleared\s*=\s*True"  # a move cleared by hand
)
BUILDS_A_MODE_CHANGE = re.compile(r"from cadence\.change import[^\n]*\bModeChange\b[\s\S]*\bModeChange\(")
MOVES_A_MODE = {"cadence/mode_move.py", "storage/step_modes.py", "cadence/change.py"}


def test_a_steps_mode_and_pin_are_written_in_one_place():
    writers = {
        str(path.relative_to(ROOT))
        for path in MODULES
        if (STEP_WRITES.search(path.read_text()) or BUILDS_A_MODE_CHANGE.search(path.read_text()))
        and str(path.relative_to(ROOT)) not in MOVES_A_MODE
    }
    assert writers == set(), (
        "move a step through cadence/mode_move.py (take_effect) and write it through storage/step_modes.py"
    )
