"""Block Kit's limits, checked on every rendered message and view (templates.render), so
that a template's bug fails where it renders instead of at Slack."""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 40000


class BlockKitError(ValueError):
    """A rendered message Slack would reject."""


def check_block_limits(message: dict[str, Any]) -> None:
    """Raise BlockKitError at the first of Block Kit's limits `message` is past: the view's
    own, its block ids, its interactive elements, its fallback text, then each block's."""
    blocks = message.get("blocks", [])
    _check_view(message, blocks)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        raise BlockKitError(f"block_id used twice: {sorted(b for b in block_ids if block_ids.count(b) > 1)[0]}")
    for element in _elements(blocks):
        _check_element(element)
    if len(message.get("text", "")) > MAX_FALLBACK_TEXT:
        raise BlockKitError("fallback text too long")
    for index, block in enumerate(blocks):
        _check_block(f"block {index} ({block.get('type')})", block)


def _check_view(message: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
    """A message's or a view's count of blocks, and a modal's title, buttons and metadata."""
    limit = 100 if message.get("type") in ("modal", "home") else MAX_BLOCKS  # views allow 100 blocks
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    if message.get("type") != "modal":
        return
    for part in ("title", "submit", "close"):
        if len((message.get(part) or {}).get("text", "")) > 24:
            raise BlockKitError(f"modal {part} longer than 24 characters")
    if len(message.get("private_metadata", "")) > 3000:
        raise BlockKitError("private_metadata longer than 3000 characters")


def _check_element(element: dict[str, Any]) -> None:
    """A button's text and value, a menu's options."""
    kind = element.get("type")
    if kind == "button" and (len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000):
        raise BlockKitError(f"button {element.get('action_id')}: text over 75 or value over 2000 characters")
    for option in element.get("options", []):
        if len(option["text"]["text"]) > 75 or len(option.get("value", "")) > 150:
            raise BlockKitError("an option's text is over 75 or its value over 150 characters")
    if kind == "static_select" and len(element.get("options", [])) > 100:
        raise BlockKitError("more than 100 options")


def _check_block(where: str, block: dict[str, Any]) -> None:
    """One block's text, fields, context elements and header; `where`: the block, in the error."""
    text: Any = block.get("text")  # Any: a header without text fails at its .get, as it always has
    if isinstance(text, dict) and len(text.get("text", "")) > MAX_TEXT:
        raise BlockKitError(f"{where}: text of {len(text['text'])} characters > {MAX_TEXT}")
    _check_fields(where, block.get("fields", []))
    if block.get("type") == "context":
        _check_context(where, block.get("elements", []))
    if block.get("type") == "header" and len(text.get("text", "")) > 150:
        raise BlockKitError(f"{where}: header longer than 150 characters")


def _check_fields(where: str, fields: list[dict[str, Any]]) -> None:
    """A section's fields: how many, and each one's text."""
    if len(fields) > MAX_FIELDS:
        raise BlockKitError(f"{where}: {len(fields)} fields > {MAX_FIELDS}")
    for item in fields:
        if len(item.get("text", "")) > MAX_FIELD_TEXT:
            raise BlockKitError(f"{where}: a field of {len(item['text'])} characters > {MAX_FIELD_TEXT}")


def _check_context(where: str, elements: list[dict[str, Any]]) -> None:
    """A context block's elements: how many, and each one's text."""
    if len(elements) > MAX_CONTEXT_ELEMENTS:
        raise BlockKitError(f"{where}: more than {MAX_CONTEXT_ELEMENTS} elements")
    for element in elements:
        if len(element.get("text", "")) > MAX_TEXT:
            raise BlockKitError(f"{where}: an element of {len(element['text'])} characters > {MAX_TEXT}")


def _elements(blocks: list[dict[str, Any]]):
    for block in blocks:
        yield from block.get("elements", [])
        if isinstance(block.get("element"), dict):
            yield block["element"]
        if isinstance(block.get("accessory"), dict):
            yield block["accessory"]
