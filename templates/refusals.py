"""Refusals: the requests the bot will not carry out, and every sentence that says why.

Every refusal a person can read is worded in templates/, by the capability it belongs to
(templates/refusals_<capability>.py, named in cadence/capabilities.py), and registered here
in `TEXTS`, the catalogue: the product's voice stays next to the message templates. Code raises `Refusal.of(key, **values)`
wherever the reason is found (the grammar, a listener, the application layer): a key
and its values, nothing rendered, and nothing is stored. Each edge renders it: Slack's
listeners with `slack` (TEXTS' mrkdwn, values escaped for Slack, so `<!channel>` in a
person's text pings no one), in the `refusal` template with the subcommand's usage; the
reporting API and the command line with `plain` (no markup, values as sent). A value
is a person's text, a number or a day, or what the bot built: a `Mention` of an id it
checked, a `Phrase` of TEXTS, its own `Lines`. tests/templates/test_refusals.py checks
that every key is used and every use has its key.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cadence.capabilities import load, modules
from templates import Mrkdwn, one_line, slack_escape, typed
from templates.catalogue import Catalogue

# Every refusal's sentence, by key: each capability's (cadence/capabilities.py `refusals`),
# registered once (a key registered twice stops the import).
TEXTS: Catalogue[str] = Catalogue("refusal")
for (_, _module), _texts in zip(modules("refusals"), load("refusals", "REFUSALS", dict), strict=True):
    TEXTS.register(_module.removeprefix("templates.refusals_"), _texts)


@dataclass(frozen=True)
class Phrase:
    """Part of a refusal's sentence worded by TEXTS[key] (`phrase`), given to it as a value:
    rendered with it, in the same form."""

    key: str
    values: Mapping[str, Any]


def phrase(key: str, **values: Any) -> Phrase:
    """TEXTS[key] with `values`, to fill in another refusal's sentence."""
    if key not in TEXTS:
        raise KeyError(key)
    return Phrase(key, values)


@dataclass(frozen=True)
class Mention:
    """A person or a channel the bot checked, by id (usecases/shared/roles.py): a mention
    in Slack, `@U…` or `#C…` in plain text."""

    sigil: str  # "@" a person, "#" a channel
    ident: str


@dataclass(frozen=True)
class Lines:
    """The bot's own lines (figures it worked out, ✅ and ❌), one under the other: they
    hold no markup and nothing a person typed, so plain text shows them as they are and
    Slack with its `<`, `>` and `&` escaped ("40% < 80%" is no link)."""

    lines: tuple[str, ...]


class Refusal(Exception):
    """A request the bot will not carry out, as data: `key` names its sentence in TEXTS,
    `values` fill it in, `usage` names the subcommand whose usage to show, `suggestions`
    are close matches. Each edge renders it: `slack` for Slack, `plain` for the reporting
    API and the command line."""

    def __init__(
        self, key: str, values: Mapping[str, Any], usage: str | None = None, suggestions: tuple[str, ...] = ()
    ):
        if key not in TEXTS:
            raise KeyError(key)
        super().__init__(key)  # what a traceback shows: the key, not what people typed
        self.key = key
        self.values = dict(values)
        self.usage = usage
        self.suggestions = suggestions

    @classmethod
    def of(cls, key: str, usage: str | None = None, suggestions: tuple[str, ...] = (), **values: Any) -> Refusal:
        """The refusal worded by TEXTS[key], with `values` to fill in."""
        return cls(key, values, usage=usage, suggestions=suggestions)


class _Slack(string.Formatter):
    """A value in Slack's form: as typed (templates.typed), since a refusal's values are
    the words, names and reasons people sent; a mention as a mention."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Phrase):
            return slack(value)
        if isinstance(value, Mention):
            return f"<{value.sigil}{value.ident}>"
        if isinstance(value, Lines):
            return "\n".join(slack_escape(line) for line in value.lines)
        return str(typed(format(value, format_spec)))


class _Plain(string.Formatter):
    """A value in plain text: as sent (on one line, templates.one_line), unescaped and
    unmarked; a mention as `@U…` or `#C…`."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Phrase):
            return plain(value)
        if isinstance(value, Mention):
            return value.sigil + value.ident
        if isinstance(value, Lines):
            return "\n".join(value.lines)
        return one_line(format(value, format_spec))


# TEXTS is written in Slack's mrkdwn. Its only markup is `*bold*`, around names; plain text
# drops the asterisks. Backticks stay: they mark what to type, literally, in plain text too.
_BOLD = re.compile(r"\*([^*\n]+)\*")
_PLAIN_TEXTS = {key: _BOLD.sub(r"\1", text) for key, text in TEXTS.items()}


def slack(said: Refusal | Phrase) -> Mrkdwn:
    """A refusal (or phrase) for Slack: TEXTS' mrkdwn with its values filled in, escaped
    for Slack (`<!channel>` in a person's text pings no one, their `*` makes nothing bold);
    the `refusal` and `modal_notice` templates and a form's field errors show it."""
    return Mrkdwn(_Slack().format(slack_escape(TEXTS[said.key]), **said.values))


def plain(said: Refusal | Phrase) -> str:
    """A refusal (or phrase) as plain text, for the reporting API and the command line:
    the sentence without Slack's markup and its values as sent, nothing escaped (a web
    page would escape it for HTML, as Jinja does every value)."""
    return _Plain().format(_PLAIN_TEXTS[said.key], **said.values)


def close_matches(word: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> tuple[str, ...]:
    """Candidates that look like `word`: similar spelling, or containing it: the
    suggestions of a refusal for an unknown playbook, step or subcommand."""
    word = word.lower()
    found = difflib.get_close_matches(word, [c.lower() for c in candidates], n=n, cutoff=0.6)
    lookup = {c.lower(): c for c in candidates}
    result = [lookup[f] for f in found]
    for candidate in candidates:
        if len(result) >= n:
            break
        if len(word) >= 3 and word in candidate.lower() and candidate not in result:
            result.append(candidate)
    return tuple(result)
