"""The words of a playbook's life: `/rollout pause|retire <playbook> <reason>` and
`/rollout resume <playbook> [date]`, their parsers declared with their subcommands in
handlers/grammar.py `SUBCOMMANDS` (kept apart for the grammar's size). Pure: no Slack, no
database."""

from __future__ import annotations

from collections.abc import Callable

from handlers.words import Words, free_text, parse_date, playbook_name
from templates.refusals import Refusal
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
    starts_on = None
    if len(w) == 3:
        starts_on = parse_date(w.words[2])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage="resume", day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
    return messages.Resume(playbook_name(w.words[1]), starts_on)
