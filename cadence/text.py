"""What people may type: the one check every path shares (slash commands, forms, playbook
files), and what is never stored or shown because nobody can see it.

Control characters break storage (PostgreSQL refuses NUL) and logs. Bidirectional
controls reorder what is shown around them ("‮txt.exe" reads as "exe.txt"), and
zero-width characters make two different words look the same; no person types either on
purpose. Pure: no Slack, no database.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional controls: the embeddings and overrides (U+202A-U+202E), the isolates
# (U+2066-U+2069), the marks (U+200E, U+200F, U+061C).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Zero-width characters: space, non-joiner, joiner (U+200B-U+200D), word joiner (U+2060),
# and the byte-order mark (U+FEFF) that pasting leaves behind.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_BIDI}{_ZERO_WIDTH}]")
_NAMES = {
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a directional formatting end",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first-strong isolate",
    "\u2069": "a directional isolate end",
    "\u200e": "a left-to-right mark",
    "\u200f": "a right-to-left mark",
    "\u061c": "an Arabic letter mark",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a zero-width no-break space (byte-order mark)",
}


def unstorable(text: str | None) -> str | None:
    """Names the first character of `text` that is never stored, or None: NUL or another
    control character (but tab and line breaks), a bidirectional control or a zero-width
    character. E.g. "a right-to-left override (U+202E)"."""
    if not text:
        return None
    control = _CONTROL.search(text)
    invisible = _INVISIBLE.search(text)
    found = min((m for m in (control, invisible) if m is not None), key=lambda m: m.start(), default=None)
    if found is None:
        return None
    char = found.group()
    code = ord(char)
    if code == 0:
        return "a NUL character (U+0000)"
    name = _NAMES.get(char, "a control character")
    return f"{name} (U+{code:04X})"


def without_invisible(text: str) -> str:
    """`text` without bidirectional controls and zero-width characters (for text stored
    before they were refused)."""
    return _INVISIBLE.sub("", text)


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
