"""Every message the bot sends, as Jinja2 templates of Block Kit JSON.

Escaping is the default, not something to remember: every `{{ value }}` is escaped
for Slack mrkdwn (`&`, `<`, `>`, so `<!channel>` typed by a user cannot ping anyone)
and then for JSON. Only `Mrkdwn` values, which the bot builds itself from ids it has
validated (mentions, channel links), pass through unescaped. What people type (reasons,
notes, names) is marked `| typed` as well: shown as their words on one line, never as
the bot's own formatting (`typed`).

This module is the mechanism: the escaping, the environment, `render`. The words live with
their capability and are registered: the templates' filters (`FILTERS`: each capability's
module, e.g. templates/verdict_words.py, pulse_words.py, readiness.py), the refusals
(templates/refusals.py); Block Kit's limits are checked in templates/blockkit.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template
from jinja2.bccache import Bucket

from cadence.capabilities import load, modules
from cadence.decisions import named_ids
from cadence.escalation import mode_words
from cadence.figures import REPORTS_COUNTED_UP_TO
from cadence.report_kinds import ReportKind
from cadence.rules import Kind, TransitionRule
from cadence.text import without_invisible
from cadence.verdicts import VerdictRule
from templates.blockkit import MAX_TEXT as MAX_TEXT
from templates.blockkit import BlockKitError as BlockKitError
from templates.blockkit import check_block_limits
from templates.catalogue import Catalogue
from templates.numbers import MINUS as MINUS
from templates.numbers import ask_phrase, match_phrase, measure, plural, signed_share
from templates.numbers import number as _number
from templates.numbers import pct as _pct
from templates.numbers import percent as _percent
from templates.readiness import criterion_phrase as criterion_phrase

# What other modules read from here, worded by a capability's module now (templates/verdict_words.py).
from templates.verdict_words import _kpi_change_phrase as _kpi_change_phrase
from templates.verdict_words import inconclusive_reason as inconclusive_reason
from templates.verdict_words import pool_phrase as pool_phrase
from templates.verdict_words import ratio_with_ci as ratio_with_ci
from templates.verdict_words import rubric_with_ci as rubric_with_ci

_ID = re.compile(r"^[UWBCGD][A-Z0-9]{2,}$")
# A person's or a channel's id inside a text the bot wrote (a decision's summary, written
# with ids), with a digit in it, as Slack's ids have, so that words in capitals are not.
ID_IN_TEXT = re.compile(r"\b[UWCG](?=[A-Z0-9]*[0-9])[A-Z0-9]{8,}\b")
# A str as a JSON string literal, non-ASCII kept: what json.dumps(text, ensure_ascii=False)
# gives, without building an encoder for every value of every message.
_json_string = json.encoder.encode_basestring


class Mrkdwn(str):
    """Text the bot built itself and vouches for: emitted without Slack escaping."""


class PlainText(str):
    """Text for a `plain_text` field or a value that comes back to us (button values,
    private_metadata): Slack shows it literally and never turns it into a mention, so
    it is JSON-escaped only. Mark it with the `plain` filter."""


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]\s*")
_EMOJI_CODE = re.compile(r":(?=[A-Za-z0-9_+'-]+:)")  # the first colon of an :emoji: code
_OPENING_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_")  # where _italics_ could begin
_QUOTE_START = re.compile(r"^\s*>")
# Slack's mrkdwn has no escape for its markers, so each shows as its look-alike: the text
# reads as typed and never as the bot's bold, italics, strike, code or emoji.
_LOOK_ALIKES = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})


def one_line(text: Any) -> str:
    """What a person typed (a reason, a note, a name), as plain text in a sentence of the
    bot's: on one line, bidirectional controls and zero-width characters removed (they
    are refused at input; this covers text stored before). Nothing escaped, nothing
    marked: what the reporting API and the command line say (templates/refusals.py)."""
    return _LINE_BREAKS.sub(" ", without_invisible("" if text is None else str(text)))


def typed(text: Any) -> Mrkdwn:
    """What a person typed (a reason, a note, a name), for a mrkdwn text: shown as their
    words, never as the bot's formatting. On one line (`one_line`: a line break can't
    start a line of its own, a quote or a list); `*`, `_`, `~`, backticks and `:emoji:`
    codes, and a `>` that would start a quote, shown as look-alikes that Slack does not
    format; `&`, `<`, `>` escaped (no mention, link or ping)."""
    text = one_line(text)
    text = _EMOJI_CODE.sub("\ua789", text)
    text = _OPENING_UNDERSCORE.sub("\u02cd", text.translate(_LOOK_ALIKES))
    text = _QUOTE_START.sub("\u02c3", text)
    return Mrkdwn(slack_escape(text))


def mrkdwn(pattern: str, *args: Any) -> Mrkdwn:
    """`pattern` (the bot's own text) with `{}` filled by args as typed text (`typed`);
    Mrkdwn args pass as they are."""
    return Mrkdwn(pattern.format(*(a if isinstance(a, Mrkdwn) else typed(a) for a in args)))


def _finalize(value: Any) -> str:
    # Exact types first: every value of every message passes here (80 per week summary).
    kind = type(value)
    if kind is str:
        return _escaped(value)
    if kind is int or kind is float:
        return str(value)  # digits, a sign, a point: nothing to escape for Slack or JSON
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (Mrkdwn, PlainText)):
        text = str(value)
    else:
        text = slack_escape(str(value))
    return _json_string(text)[1:-1]


@functools.lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """Text escaped for Slack and for a JSON string. Kept for the texts messages repeat
    (names, modes, verdicts, "10 cases"): a close renders 70 of them a summary."""
    return _json_string(slack_escape(text))[1:-1]


def _link(sigil: str):
    """A filter turning a validated id into a mention (`@`) or channel link (`#`); anything
    that is not an id is shown escaped, as text."""

    def link(ident: str) -> Mrkdwn:
        if not _ID.match(ident or ""):
            return Mrkdwn(slack_escape(str(ident)))
        return Mrkdwn(f"<{sigil}{ident}>")

    return link


_user, _channel = _link("@"), _link("#")


def _mentioning(text: Any, figures: dict[str, Any] | None = None) -> Mrkdwn:
    """A decision's summary, written by the bot with ids in it ("owner U… → U…"), as
    `typed` text whose ids the bot put there (`cadence.decisions.named_ids`, from the
    decision's figures) are mentions and channel links: Slack shows them by name. Anything
    else that looks like an id (a title typed as `<@U…>`, a word like CUSTOMER2024) is
    someone's text and stays text."""
    return with_mentions(text, named_ids(figures))


def with_mentions(text: Any, named: frozenset[str]) -> Mrkdwn:
    """`text` the bot wrote with ids in it, as `typed` text whose ids in `named` (those
    the bot put there) are mentions and channel links; any other stays text."""

    def link(found: re.Match[str]) -> str:
        token = found.group(0)
        if token not in named:
            return token
        return f"<{'@' if token[0] in 'UW' else '#'}{token}>"

    return Mrkdwn(ID_IN_TEXT.sub(link, typed(text)))


def _source(reported_by: str) -> Mrkdwn:
    """Who made a report: a person (a mention), a reporting API token (`token:<name>`) or a
    source (`source:<name>`)."""
    if reported_by.startswith("token:"):
        return Mrkdwn("token " + slack_escape(reported_by[len("token:") :]))
    if reported_by.startswith("source:"):  # pulled by the clock from a source (docs/sources.md)
        return Mrkdwn("source " + slack_escape(reported_by[len("source:") :]))
    return _user(reported_by)


_WEB_LINK = re.compile(r"^https?://[^\s<>|\"]{1,490}$", re.IGNORECASE)


def _web_link(text: str, limit: int = 150) -> Mrkdwn:
    """A kit's line: a web link (http/https, as the playbook's schema allows) shown whole
    as escaped text, which Slack makes a link of itself (the bot writes no link markup
    from a person's text); anything else as typed text, at most `limit` characters."""
    text = str(text)
    if _WEB_LINK.match(text):
        return Mrkdwn(slack_escape(text))
    return typed(text if len(text) <= limit else text[: limit - 1] + "…")


SECTION_CHARS = 2900  # Block Kit allows a section's text 3,000 characters


def _clip(rendered: str, limit: int = SECTION_CHARS) -> str:
    """A section's rendered text (escaped for Slack and JSON) cut to `limit` characters, for
    lists of what people wrote (learnings, a kit, reasons) that no count of items can
    bound: at a line or a word, never inside an escape (`\\n`, `&amp;`) or a `<...>`,
    with an ellipsis. Counted escaped, so Slack, which counts the text unescaped, sees
    fewer characters still."""
    if len(rendered) <= limit:
        return rendered
    cut = rendered[:limit]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    cut = re.sub(r"\\u[0-9a-fA-F]{0,3}$", "", cut)
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]  # half of a JSON escape
    boundary = max(cut.rfind(" "), cut.rfind("\\n"))
    if boundary > limit - 300:
        cut = cut[:boundary]
    return cut + " …"


class NoWording(LookupError):
    """A template was asked to word something it has no words for (templates/mode_alert.json.j2:
    a kind of transition by a rule it has no branch for): an error when it renders, never
    the words of something else."""


def _no_wording(kind: str, rule: str) -> NoReturn:
    raise NoWording(f"no wording for a {kind} by rule {rule}")


def _code(text: str) -> Mrkdwn:
    """Inline code for the bot's own literal text (usage lines): backticks can't nest."""
    return Mrkdwn("`" + slack_escape(str(text)).replace("`", "'") + "`")


def _step_mode(step: Any) -> str:
    """A step (a row, or a mapping) as the mode map shows its mode: with its fallback while
    it falls back (cadence/escalation.py, mode_words)."""
    get = step.get if isinstance(step, Mapping) else lambda key: getattr(step, key, None)
    return mode_words(str(get("mode")), get("fallback_mode"))


def _week_words(week: Any) -> str:
    """A week (a WeekRef, or a mapping) as the messages name it: "week 2 of cycle 1", or
    "the baseline week" before an adopter's first cycle (cycle 0)."""
    get = week.get if isinstance(week, Mapping) else lambda key: getattr(week, key, None)
    return "the baseline week" if get("cycle") == 0 else f"week {get('week')} of cycle {get('cycle')}"


class _Kept(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates on disk, where a template it cannot keep or read
    back (a full disk, a directory gone) is rendered all the same, compiled again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # not kept: compiled as without a cache
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # kept next time, or compiled by each process as without a cache
            super().dump_bytecode(bucket)


def bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept between processes, Jinja's own cache: a directory of the
    system's temporary one that only this user may write, its entries keyed by each
    template's source. A process that starts (the clock, a tick from cron, a web worker)
    loads what an earlier one compiled: the 104 messages took 0.47 s to compile, 0.02 s to
    load. None where no such directory can be made: each process compiles its own."""
    try:
        return _Kept()
    except (OSError, RuntimeError):  # no temporary directory to write, or one not safely ours
        return None


_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent)),
    bytecode_cache=bytecode_cache(),
    finalize=_finalize,
    undefined=StrictUndefined,
    autoescape=False,  # escaping is done by _finalize, for Slack and JSON rather than HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    auto_reload=False,  # templates ship with the code: a running process never sees them change
)
# Numbers and names every template may use without being handed them.
_env.globals.update(
    reports_counted_up_to=REPORTS_COUNTED_UP_TO,
    VerdictRule=VerdictRule,
    ReportKind=ReportKind,
    TransitionRule=TransitionRule,
    Kind=Kind,
    no_wording=_no_wording,
)
# The templates' filters: the mechanism's own (escaping, mentions, numbers), then each
# capability's (at the end of this module), registered once (a name registered twice stops
# the import).
FILTERS: Catalogue[Any] = Catalogue("filter")
FILTERS.register(
    "words",
    {
        "step_mode": _step_mode,
        "week_words": _week_words,
        "plural": lambda count, noun: plural(count, noun),
        "user": _user,
        "source": _source,
        "web_link": _web_link,
        "channel": _channel,
        "number": _number,
        "percent": _percent,
        "code": _code,
        "plain": lambda value: PlainText("" if value is None else str(value)),
        "typed": typed,
        "mentioning": _mentioning,
        "clip": _clip,
        "pct": lambda v: "–" if v is None else _pct(v),
        "measure": measure,
        "match_phrase": match_phrase,
        "ask_phrase": ask_phrase,
        "signed_share": signed_share,
        "capitalize_first": lambda text: text[:1].upper() + text[1:],
    },
)


# Each template by name, once loaded: Jinja's own cache takes a lock and a lookup per call,
# and a week close renders a summary for every playbook.
_templates: dict[str, Template] = {}


def load_all() -> None:
    """Load and compile every template now: a process that renders many (the clock) pays
    for it at start rather than in its first week close, and a template that does not
    compile stops it at start rather than on Monday."""
    for name in template_names():
        _template(name)


def _template(name: str) -> Template:
    template = _templates.get(name)
    if template is None:
        template = _templates[name] = _env.get_template(f"{name}.json.j2")
    return template


def render(name: str, **context: Any) -> dict[str, Any]:
    """Render templates/<name>.json.j2 into a message payload and check it against
    Block Kit's limits, so a template bug fails here instead of at Slack."""
    text = _template(name).render(**context)
    try:
        message = json.loads(text)
    except json.JSONDecodeError as err:
        raise BlockKitError(f"template {name} produced invalid JSON: {err}") from err
    check_block_limits(message)
    return message


def template_names() -> list[str]:
    return sorted(p.name[: -len(".json.j2")] for p in Path(__file__).parent.glob("*.json.j2"))


# Each capability's filters (cadence/capabilities.py `filters`), loaded last: a words module
# may import anything above (`render`, `Mrkdwn`...) from here.
for (_, _module), _filters in zip(modules("filters"), load("filters", "FILTERS", dict), strict=True):
    FILTERS.register(_module.removeprefix("templates."), _filters)
_env.filters.update(FILTERS)
