"""The words of days off, `/rollout away` and `holiday`: their parsers and their rows of
the grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

from cadence.text import plain_text
from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    parse_date,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages


def _away(w: Words) -> messages.Away:
    """`away <YYYY-MM-DD>` (until that day), `away <from> <to>`, or `away off`."""
    if len(w) == 2 and w.words[1].lower() == "off":
        return messages.Away(None, None)
    if not 2 <= len(w) <= 3:
        raise Refusal.of("away_arguments", usage="away")
    dates = [parse_date(word, "away") for word in w.words[1:]]
    return messages.Away(None, dates[0]) if len(dates) == 1 else messages.Away(dates[0], dates[1])


HOLIDAY_NAME_CHARS = 80


def _holiday(w: Words) -> messages.HolidayChange:
    """`holiday add <date> [name]`, `holiday remove <date>`, `holiday list`."""
    action = w.words[1].lower() if len(w) > 1 else ""
    if action == "list" and len(w) == 2:
        return messages.HolidayChange("list")
    if action == "remove" and len(w) == 3:
        return messages.HolidayChange("remove", parse_date(w.words[2], "holiday"))
    if action == "add" and len(w) >= 3:
        name = plain_text(w.rest(3)).strip()
        if len(name) > HOLIDAY_NAME_CHARS:
            raise Refusal.of(
                "free_text_too_long",
                usage="holiday",
                what="a holiday's name",
                length=len(name),
                limit=HOLIDAY_NAME_CHARS,
            )
        return messages.HolidayChange("add", parse_date(w.words[2], "holiday"), name)
    raise Refusal.of("holiday_arguments", usage="holiday")


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "away",
        ("/rollout away <YYYY-MM-DD> [YYYY-MM-DD]", "/rollout away off"),
        _away,
        commands.away,
        replies.away,
    ),
    Subcommand(
        "holiday",
        ("/rollout holiday add <YYYY-MM-DD> [name]", "/rollout holiday remove <YYYY-MM-DD>", "/rollout holiday list"),
        _holiday,
        commands.holiday,
        replies.holiday,
    ),
)
