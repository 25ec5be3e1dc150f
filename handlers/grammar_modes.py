"""The words of a step's mode, `/rollout mode`: its parser and its row of the grammar
(`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

from cadence.definition import MODES
from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    clip,
    free_text,
    playbook_name,
    step_name,
)
from templates.refusals import Refusal, close_matches
from usecases import commands
from usecases.shared import messages


def _mode(w: Words) -> messages.SetMode:
    if len(w) < 5:
        raise Refusal.of("mode_arguments", usage="mode")
    mode = w.words[3].lower()
    if mode not in (*MODES, "unfreeze"):
        raise Refusal.of(
            "not_a_mode", usage="mode", suggestions=close_matches(mode, (*MODES, "unfreeze")), word=clip(w.words[3])
        )
    return messages.SetMode(
        playbook_name(w.words[1]), step_name(w.words[2]), mode, free_text(w.rest(4), "reason", "mode")
    )


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "mode",
        (
            "/rollout mode <playbook> <step> human-led|collaborative|ai-led <reason>",
            "/rollout mode <playbook> <step> unfreeze <reason>",
        ),
        _mode,
        commands.set_mode,
        replies.mode,
    ),
)
