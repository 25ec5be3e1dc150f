"""The `/rollout` grammar (the command table in docs/usage.md): the rows each capability
declares with its parsers (handlers/grammar_<capability>.py, `ROWS`: a row's name, its
usage lines, its parser, its use case and its reply, or the form it opens), registered
here once each, and the reading of a request by them. handlers/commands.py answers a
request by its row alone, so `/rollout kpi` reads, by name, grammar_reports `_kpi` ->
`commands.kpi` -> `replies.kpi`.

Parsing is pure: text in, a command or a Refusal out, no Slack, no database. Checks that
need data (does the playbook exist, is the week in the future) happen in the use cases
(usecases/shared/caller.py, commands.py); everything about the shape of the text happens
here and in the capabilities' parsers. What a single word can be (a number, a date, a
mention, ...) is read in handlers/words.py. What a subcommand parses into is a command of
the application layer (usecases/shared/messages.py).
"""

from __future__ import annotations

from cadence.capabilities import load, modules
from cadence.limits import MAX_TEXT_CHARS
from cadence.text import as_line_breaks, unstorable
from cadence.text import plain_text as plain_text  # handlers/views.py, queue.py, escalation.py read text by it
from handlers.grammar_rows import Form as Form
from handlers.grammar_rows import Reply, Row, Subcommand
from handlers.words import Words, clip
from handlers.words import parse_value as parse_value  # handlers/views.py reads a form's number by it
from templates import render
from templates.catalogue import Catalogue
from templates.refusals import Refusal, close_matches
from usecases.shared import messages
from usecases.shared.caller import Caller

MAX_COMMAND_CHARS = 2000


def _first_word(text: str) -> str:
    word = (text.split() or ["help"])[0].lower()
    return word if word in USAGE else "help"


def label(text: str) -> str:
    """A request's subcommand for the metrics and the log: the word after `/rollout` if
    it names one, "(form)" for none (a bare command opens a form), else "(unknown)" (what
    people typed never reaches a label)."""
    words = text.split()
    if not words:
        return "(form)"
    return words[0].lower() if words[0].lower() in USAGE else "(unknown)"


def read(text: str) -> tuple[Row, object]:
    """The subcommand `text` names (help for none) and the command its parser made of it."""
    text = text or ""
    if len(text) > MAX_COMMAND_CHARS:
        raise Refusal.of("too_long", usage="help", length=len(text), limit=MAX_COMMAND_CHARS, free=MAX_TEXT_CHARS)
    problem = unstorable(text, line_breaks=True)  # a reason, a note, a learning may hold lines
    if problem is not None:
        raise Refusal.of("control_character", usage=_first_word(text), what=problem)
    words = Words(as_line_breaks(text))
    if not words.words:
        return _BY_NAME["help"], messages.Help()
    sub = words.words[0].lower()
    subcommand = _BY_NAME.get(sub)
    if subcommand is None:
        raise Refusal.of(
            "unknown_subcommand", usage="help", suggestions=close_matches(sub, tuple(USAGE)), word=clip(words.words[0])
        )
    return subcommand, subcommand.parse(words)


def parse(text: str) -> object:
    return read(text)[1]


def _help(w: Words) -> messages.Help:
    topic = w.words[1].lower() if len(w) > 1 else None
    return messages.Help(topic if topic in USAGE else None)


def _help_reply(caller: Caller, cmd: messages.Help, done: None) -> Reply:
    topics = [cmd.topic] if cmd.topic else list(USAGE)
    return render("help", usage=[line for t in topics for line in USAGE[t]], topic=cmd.topic)


# Every subcommand by name, each capability's rows (cadence/capabilities.py `commands`)
# registered once (a name registered twice stops the import).
_ROWS: Catalogue[Row] = Catalogue("subcommand")
_ROWS.register("help", {"help": Subcommand("help", ("/rollout help",), _help, None, _help_reply)})
for (_, _module), _rows in zip(modules("commands"), load("commands", "ROWS", tuple), strict=True):
    _ROWS.register(_module.rpartition(".")[2], {row.name: row for row in _rows})

# The order help lists the subcommands in (docs/usage.md's table), and close matches are
# offered in; a subcommand it does not name is listed after them, in the capabilities' order.
HELP_ORDER = (
    "help", "status", "kpi", "attest", "exception", "cases", "rubric", "calibrate", "week", "cycle", "mode",
    "publish", "registry", "adopt", "curator", "curators-channel", "guardrail", "undo", "pause", "resume",
    "retire", "owner", "champion", "wave", "request", "history", "new", "edit", "kit", "pulse", "learn", "web",
    "upgrade", "learnings", "away", "holiday", "next", "assess",
)  # fmt: skip
if set(HELP_ORDER) - set(_ROWS):
    raise LookupError(f"HELP_ORDER names subcommands no capability registers: {sorted(set(HELP_ORDER) - set(_ROWS))}")

SUBCOMMANDS: tuple[Row, ...] = tuple(_ROWS[name] for name in (*HELP_ORDER, *(n for n in _ROWS if n not in HELP_ORDER)))
_BY_NAME: dict[str, Row] = dict(_ROWS)
USAGE: dict[str, tuple[str, ...]] = {sub.name: sub.usage for sub in SUBCOMMANDS}  # by name, in help's order
