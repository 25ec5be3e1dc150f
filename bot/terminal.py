"""Block Kit messages as terminal text: for `rollout digest --dry-run` and the demo."""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"<([@#!]?)([^>|]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"\*([^*\n]+)\*")


def plain(mrkdwn: str) -> str:
    """Slack mrkdwn as a person would read it: mentions as @id, links as their label."""

    def readable(m: re.Match[str]) -> str:
        sigil, target, label = m.groups()
        if sigil in ("@", "#"):
            return sigil + (label or target)
        if sigil == "!":
            return "@" + (label or target)
        return f"{label} ({target})" if label else target

    text = _BOLD.sub(r"\1", _LINK.sub(readable, mrkdwn))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_text(message: dict[str, Any], indent: str = "") -> str:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(plain(block["text"]["text"]).upper())
        elif kind == "section":
            if block.get("text"):
                lines.extend(plain(block["text"]["text"]).splitlines())
            for item in block.get("fields", []):
                lines.extend(plain(item["text"]).splitlines())
        elif kind == "context":
            lines.append("  " + " ".join(plain(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append("  " + "  ".join(f"[ {plain(e['text']['text'])} ]" for e in block.get("elements", [])
                                          if e.get("type") == "button"))
        elif kind == "divider":
            lines.append("  " + "─" * 40)
    if not lines and message.get("text"):
        lines.append(plain(message["text"]))
    return "\n".join(indent + line for line in lines)
