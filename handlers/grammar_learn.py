"""The words of learnings, `/rollout learn` and `learnings`: their parsers and their rows of
the grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

import re

from cadence.text import plain_text
from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    clip,
    free_text,
    playbook_name,
)
from templates.refusals import Refusal
from usecases import learnings, learnings_search
from usecases.shared import messages

_CYCLE = re.compile(r"^cycle:(.*)$", re.IGNORECASE)


def _learn(w: Words) -> messages.Learn:
    """`learn <playbook> <text> [cycle:N]`."""
    end, cycle = len(w), None
    if len(w) > 2 and (m := _CYCLE.match(w.words[-1])):
        if not re.fullmatch(r"[0-9]{1,4}", m.group(1)) or int(m.group(1)) == 0:
            raise Refusal.of("not_a_cycle", usage="learn", word=clip(m.group(1)))
        end, cycle = len(w) - 1, int(m.group(1))
    text = free_text(w.rest(2, end), "a learning", "learn") if end > 2 else ""
    if not text:
        raise Refusal.of("learn_arguments", usage="learn")
    return messages.Learn(playbook_name(w.words[1]), text, cycle)


SEARCH_WORDS = 10  # words in one search of learnings


def _learnings(w: Words) -> messages.FindLearnings:
    """`learnings [words]`: words are text like any other (parse refused invisible ones)."""
    words = tuple(dict.fromkeys(word for word in plain_text(w.rest(1)).split() if word))
    if len(words) > SEARCH_WORDS or any(len(word) > 100 for word in words):
        raise Refusal.of("learnings_words", usage="learnings", most=SEARCH_WORDS)
    return messages.FindLearnings(words)


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand("learn", ("/rollout learn <playbook> <text> [cycle:N]",), _learn, learnings.learn, replies.learn),
    Subcommand(
        "learnings",
        ("/rollout learnings [words]",),
        _learnings,
        learnings_search.learnings,
        replies.template("find_learnings"),
    ),
)
