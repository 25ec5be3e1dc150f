"""`/rollout new`'s form shown again when what it would make closely matches a published
version or an active playbook (usecases/shared/similar.py): the matches first, each version with
*Adopt it*, and a box for why to create it anyway. Slack keeps what was typed in the form's
other boxes: they keep their block and action ids."""

from __future__ import annotations

from typing import Any

from templates import typed

KEPT = ("type", "callback_id", "private_metadata", "title", "close")


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def with_similar(view: dict[str, Any], matches: list[tuple[str, str | None]]) -> dict[str, Any]:
    """`view` (the form as submitted) with `matches`, each its words and, for a published
    version, what *Adopt it* asks for (`slug@vN`); and the box `anyway`."""
    blocks = [b for b in view.get("blocks", []) if b.get("block_id") not in ("similar", "anyway")]
    blocks = [b for b in blocks if not str(b.get("block_id", "")).startswith("similar_")]
    shown: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "similar",
            "text": {
                "type": "mrkdwn",
                "text": ":mag: *The same learning may be paid for already.* Adopt what works, or say why this one is new:",
            },
        }
    ]
    for n, (words, version) in enumerate(matches):
        block: dict[str, Any] = {
            "type": "section",
            "block_id": f"similar_{n}",
            "text": {"type": "mrkdwn", "text": str(typed(words)) + ("" if version else ": ask its owner to share it")},
        }
        if version:
            block["accessory"] = {
                "type": "button",
                "action_id": "similar_adopt",
                "text": _text("Adopt it"),
                "value": version,
            }
        shown.append(block)
    anyway = {
        "type": "input",
        "block_id": "anyway",
        "label": _text("Create anyway: why is it not one of these?"),
        "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 500},
        "hint": _text("Kept with the playbook's creation, for the curators."),
    }
    return {
        **{k: view[k] for k in KEPT if k in view},
        "submit": _text("Create anyway"),
        "blocks": [*blocks[:1], *shown, *blocks[1:], anyway],
    }
