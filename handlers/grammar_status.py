"""The words of reading, `/rollout status`, `history` and `web`: their parsers and their rows
of the grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

import re

from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    playbook_name,
    step_name,
)
from templates.refusals import Refusal
from usecases import commands, status
from usecases.shared import messages


def _status(w: Words) -> messages.Status:
    if len(w) > 2:
        raise Refusal.of("status_arguments", usage="status")
    return messages.Status(playbook_name(w.words[1]) if len(w) == 2 else None)


HISTORY_MAX = 25  # decisions in one reply: each is a block, and Slack allows 50


def _history(w: Words) -> messages.History:
    words = w.words[1:]
    if not 1 <= len(words) <= 3:
        raise Refusal.of("history_arguments", usage="history")
    limit = 10
    if len(words) > 1 and re.fullmatch(r"[0-9]{1,6}", words[-1]):
        limit = int(words.pop())
        if not 1 <= limit <= HISTORY_MAX:
            raise Refusal.of("history_limit", usage="history", limit=HISTORY_MAX)
    if len(words) > 2:
        raise Refusal.of("history_arguments", usage="history")
    return messages.History(playbook_name(words[0]), step_name(words[1]) if len(words) == 2 else None, limit)


def _web(w: Words) -> messages.WebLink:
    if len(w) != 1:
        raise Refusal.of("web_arguments", usage="web")
    return messages.WebLink()


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand("status", ("/rollout status [playbook]",), _status, status.status, replies.status),
    Subcommand("history", ("/rollout history <playbook> [step] [N]",), _history, status.history, replies.history),
    Subcommand("web", ("/rollout web",), _web, commands.web_link, replies.web),
)
