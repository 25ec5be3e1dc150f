"""The words of a playbook's life: `/rollout cycle start`, `pause|retire <playbook> <reason>`
and `resume <playbook> [date]`: their parsers and their rows of the grammar (`ROWS`,
registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

from collections.abc import Callable

from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    free_text,
    parse_monday,
    playbook_name,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages


def pause_or_retire(usage: str) -> Callable[[Words], messages.Pause]:
    def parse(w: Words) -> messages.Pause:
        if len(w) < 3:
            raise Refusal.of("pause_arguments", usage=usage)
        return messages.Pause(playbook_name(w.words[1]), free_text(w.rest(2), "reason", usage), usage == "retire")

    return parse


def resume(w: Words) -> messages.Resume:
    if not 2 <= len(w) <= 3:
        raise Refusal.of("resume_arguments", usage="resume")
    starts_on = parse_monday(w.words[2], "resume") if len(w) == 3 else None
    return messages.Resume(playbook_name(w.words[1]), starts_on)


def _cycle(w: Words) -> messages.CycleStart:
    if len(w) < 3 or w.words[1].lower() != "start" or len(w) > 4:
        raise Refusal.of("cycle_arguments", usage="cycle")
    starts_on = parse_monday(w.words[3], "cycle") if len(w) == 4 else None
    return messages.CycleStart(playbook_name(w.words[2]), starts_on)


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "cycle",
        ("/rollout cycle start <playbook> [YYYY-MM-DD]",),
        _cycle,
        commands.cycle_start,
        replies.cycle_start,
    ),
    Subcommand(
        "pause",
        ("/rollout pause <playbook> <reason>",),
        pause_or_retire("pause"),
        commands.pause,
        replies.pause,
    ),
    Subcommand("resume", ("/rollout resume <playbook> [YYYY-MM-DD]",), resume, commands.resume, replies.resume),
    Subcommand(
        "retire",
        ("/rollout retire <playbook> <reason>",),
        pause_or_retire("retire"),
        commands.pause,
        replies.pause,
    ),
)
