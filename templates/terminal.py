"""Block Kit messages as terminal text: for `rollout digest --dry-run` and the demo."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

EMOJI = {
    ":warning:": "⚠️",
    ":white_check_mark:": "✅",
    ":memo:": "📝",
    ":calendar:": "📅",
    ":lock:": "🔒",
    ":wave:": "👋",
    ":bell:": "🔔",
    ":arrow_up:": "⬆️",
    ":small_red_triangle_down:": "🔻",
    ":x:": "❌",
    ":heavy_multiplication_x:": "✖️",
    ":ice_cube:": "🧊",
    ":no_entry_sign:": "🚫",
    ":wrench:": "🔧",
    ":package:": "📦",
    ":mag:": "🔍",
    ":sunny:": "☀️",
    ":rocket:": "🚀",
    ":books:": "📚",
    ":seedling:": "🌱",
    ":bar_chart:": "📊",
    ":large_green_circle:": "🟢",
    ":red_circle:": "🔴",
    ":white_circle:": "⚪",
    ":black_circle:": "⚫",
    ":book:": "📖",
    ":bulb:": "💡",
    ":bust_in_silhouette:": "👤",
    ":electric_plug:": "🔌",
    ":handshake:": "🤝",
    ":hourglass_flowing_sand:": "⏳",
    ":leftwards_arrow_with_hook:": "↩️",
    ":mailbox_with_no_mail:": "📭",
    ":mortar_board:": "🎓",
    ":no_entry:": "⛔",
    ":palm_tree:": "🌴",
    ":rotating_light:": "🚨",
    ":pause_button:": "⏸️",
    ":file_cabinet:": "🗄️",
    ":construction:": "🚧",
    ":trophy:": "🏆",
    ":white_large_square:": "⬜",
}

_LINK = re.compile(r"<([@#!]?)([^>|]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"\*([^*\n]+)\*")


def _plain(mrkdwn: str, names: dict[str, str] | None = None) -> str:
    """Slack mrkdwn as a person would read it: mentions as @name (or @id), links as their
    label, emoji codes as emoji."""
    names = names or {}

    def readable(m: re.Match[str]) -> str:
        sigil, target, label = m.groups()
        if sigil in ("@", "#"):
            return sigil + names.get(target, label or target)
        if sigil == "!":
            return "@" + (label or target)
        return f"{label} ({target})" if label else target

    text = _BOLD.sub(r"\1", _LINK.sub(readable, mrkdwn))
    for code, emoji in EMOJI.items():
        text = text.replace(code, emoji)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_text(message: dict[str, Any], indent: str = "", names: dict[str, str] | None = None) -> str:
    def plain(text: str) -> str:
        return _plain(text, names)

    lines: list[str] = []
    for block in message.get("blocks") or []:
        lines += _BLOCK_LINES.get(block.get("type"), _no_lines)(block, plain)
    if not lines and message.get("text"):
        lines.extend(plain(message["text"]).splitlines())  # each line indented, as a block's are
    return "\n".join(indent + line for line in lines)


def _header_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    return [plain(block["text"]["text"]).upper()]


def _section_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    lines = plain(block["text"]["text"]).splitlines() if block.get("text") else []
    for item in block.get("fields", []):
        lines.extend(plain(item["text"]).splitlines())
    return lines


def _context_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    return ["  " + " ".join(plain(e.get("text", "")) for e in block.get("elements", []))]


def _actions_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    buttons = (f"[ {plain(e['text']['text'])} ]" for e in block.get("elements", []) if e.get("type") == "button")
    return ["  " + "  ".join(buttons)]


def _divider_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    return ["  " + "─" * 40]


def _no_lines(block: dict[str, Any], plain: Callable[[str], str]) -> list[str]:
    return []  # a kind of block the terminal does not show


# Each kind of block as the terminal shows it: its lines.
_BLOCK_LINES: dict[Any, Callable[[dict[str, Any], Callable[[str], str]], list[str]]] = {
    "header": _header_lines,
    "section": _section_lines,
    "context": _context_lines,
    "actions": _actions_lines,
    "divider": _divider_lines,
}


def wrap(text: str, width: int) -> str:
    """`text` for a terminal `width` columns wide: each line longer than that broken
    between words, its continuation indented two spaces past the line's own indent. A
    word longer than the width (an address) stays whole on a line of its own."""
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        wrapper = textwrap.TextWrapper(
            width=width,
            subsequent_indent=lead + "  ",
            break_long_words=False,
            break_on_hyphens=False,
            replace_whitespace=False,
        )
        lines.extend(wrapper.wrap(line) or [line])
    return "\n".join(lines)


plain = _plain
