"""What people and machines may store: the one check every path shares (slash commands,
forms, learnings, the reporting API, playbook files), the characters it refuses removed
from what was stored before, and a CSV cell that never starts a formula.

Nobody can see the characters the check refuses, and no person types them on purpose:
control characters break storage (PostgreSQL refuses NUL) and logs; bidirectional
controls reorder what is shown around them (U+202E then "txt.exe" reads as "exe.txt");
zero-width characters, invisible operators, tag characters and the filler characters
(a Hangul filler shows as nothing in Slack) make two different words look the same or a
blank name look filled in. Pure: no Slack, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# Every character of these categories is refused: Cc control (but the line breaks a field
# allows), Cf format (bidirectional controls, zero-width characters, the soft hyphen,
# invisible operators, tag characters), Cs surrogate (a lone one from JSON can't be
# written as UTF-8), Co private use, Cn unassigned (by this Python's Unicode version).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Letters and symbols that show as blank space: the Hangul fillers (U+115F, U+1160, U+3164,
# U+FFA0) and the blank Braille pattern (U+2800).
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# The line breaks a field that takes lines (a reason, a note, a learning) allows: what
# typing and pasting make (LF, CR LF). Every other control character is refused there too.
LINE_BREAKS = frozenset("\n\r")
# Unicode's own line and paragraph separators (U+2028, U+2029; categories Zl and Zp): some
# editors and phones paste them where a person pressed Enter. A field that takes lines
# stores them as the line breaks they stand for (`as_line_breaks`); any other refuses them
# like every other character that is not what it shows.
SEPARATORS = {"\u2028": "\n", "\u2029": "\n\n"}
_FILLER = re.compile(f"[{''.join(sorted(FILLERS))}]")
_UNNAMED = {"Cc": "control", "Cs": "surrogate", "Co": "private use", "Cn": "unassigned"}


def _refused(char: str, line_breaks: bool) -> bool:
    if char in FILLERS:
        return True
    if char in SEPARATORS:
        return not line_breaks
    if unicodedata.category(char) not in REFUSED_CATEGORIES:
        return False
    return not (line_breaks and char in LINE_BREAKS)


def _plain(text: str) -> bool:
    """True when `text` holds nothing the check refuses, however its field is: the common
    case, answered in C. str.isprintable is False for every character of the categories
    refused (and for spaces other than " " and line separators, which then pass below)."""
    return text.isprintable() and _FILLER.search(text) is None


def unstorable(text: str | None, *, line_breaks: bool) -> str | None:
    """The first character of `text` that is never stored, named, or None: every
    character of Unicode categories Cc, Cf, Cs, Co and Cn, and the filler characters.
    `line_breaks`: the field takes lines, so LF, CR, U+2028 and U+2029 pass (the last two
    to be stored as `as_line_breaks` writes them). Named by its code point and
    Unicode name, e.g. "U+3164 HANGUL FILLER", or, without a name, its category:
    "U+E000 (private use)", "U+0000 (control)"."""
    if not text or _plain(text):
        return None
    for char in text:
        if _refused(char, line_breaks):
            return name_of(char)
    return None


def as_line_breaks(text: str) -> str:
    """A field that takes lines as it is stored: U+2028 LINE SEPARATOR as a line break,
    U+2029 PARAGRAPH SEPARATOR as an empty line."""
    if "\u2028" not in text and "\u2029" not in text:
        return text
    return text.replace("\u2028", SEPARATORS["\u2028"]).replace("\u2029", SEPARATORS["\u2029"])


def name_of(char: str) -> str:
    """A character as a refusal names it: "U+3164 HANGUL FILLER", "U+E000 (private use)"."""
    name = unicodedata.name(char, None)
    if name is not None:
        return f"U+{ord(char):04X} {name}"
    return f"U+{ord(char):04X} ({_UNNAMED.get(unicodedata.category(char), 'unnamed')})"


def without_invisible(text: str) -> str:
    """`text` without the characters `unstorable` refuses, but tab and line breaks (for
    text stored before they were refused; whoever shows it decides about whitespace).
    U+2028 and U+2029 stored before are the line breaks they stand for."""
    if _plain(text):
        return text
    text = as_line_breaks(text)
    return "".join(char for char in text if char in "\t\n\r" or not _refused(char, False))


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell of any CSV the bot writes, header or data: text that would start a formula is
    written after an apostrophe, so a spreadsheet shows it as typed and never runs it.
    Numbers are not text and stay numbers (-3 is minus three); None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(cells: Iterable[Any]) -> list[Any]:
    """A row of cells, each as `csv_cell` writes it."""
    return [csv_cell(cell) for cell in cells]


_MENTION = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    """Slack's escaped command text as plain text: mentions become '@name' (which pings
    no one when shown again), entities are decoded. Output escaping happens in templates."""

    def readable(m: re.Match[str]) -> str:
        sigil, ident, label = m.groups()
        if sigil == "!":
            return "@" + (label or ident.split("^")[0])
        return sigil + (label or ident)

    text = _MENTION.sub(readable, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def folded(text: str) -> str:
    """Text as a case-insensitive search compares it, in every script: case-folded
    (str.casefold: "Überprüfung" and "ÜBERPRÜFUNG" alike, "Straße" as "strasse") and in
    one Unicode form (NFC: a "ü" typed as u and a combining diaeresis is the one "ü").
    Kept beside a learning's text (storage/learnings.py) and applied to the words sought,
    so both databases find the same, not what each one's lower() knows."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
