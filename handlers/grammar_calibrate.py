"""The words of `/rollout calibrate <playbook> <step> 37/40 [note]`: its parser and its row
of the grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

import re

from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    clip,
    free_text,
    playbook_name,
    step_name,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages

_RUN = re.compile(r"\+?(\d{1,9})/\+?(\d{1,9})")


def calibrate(w: Words) -> messages.Calibrate:
    """passed/cases of the step's calibration set, and a note; whether the step has a set
    of that size is the use case's to say (usecases/commands.py)."""
    if len(w) < 4:
        raise Refusal.of("calibrate_arguments", usage="calibrate")
    said = w.words[3]
    counts = _RUN.fullmatch(said)
    if counts is None or int(counts[2]) == 0:
        raise Refusal.of("calibrate_score", usage="calibrate", word=clip(said))
    passed, total = int(counts[1]), int(counts[2])
    if passed > total:
        raise Refusal.of("calibrate_over_total", usage="calibrate", passed=passed, total=total)
    note = free_text(w.rest(4), "note", "calibrate") or None
    return messages.Calibrate(playbook_name(w.words[1]), step_name(w.words[2]), passed, total, note)


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "calibrate",
        ("/rollout calibrate <playbook> <step> <passed>/<cases> [note]",),
        calibrate,
        commands.calibrate,
        replies.calibrate,
    ),
)
