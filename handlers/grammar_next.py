"""The words of where it rolls next, `/rollout next`: its parser and its row of the grammar
(`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import Words
from templates.refusals import Refusal
from usecases import next_steps


def _next(w: Words) -> next_steps.NextSteps:
    if len(w) != 1:
        raise Refusal.of("next_arguments", usage="next")
    return next_steps.NextSteps()


# Its row of the `/rollout` grammar, registered in handlers/grammar.py.
ROWS = (
    Subcommand(
        "next",
        ("/rollout next",),
        _next,
        next_steps.command,
        replies.template("next_steps"),
    ),
)
