"""The refusals of publishing over readiness (usecases/shared/publish_requests.py): part of
the catalogue, TEXTS (templates/refusals.py), kept here so that it stays a module a room
holds."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "publish_deciders_only": "Only a curator who is neither the playbook's owner nor the asker (where there is none, "
    "an admin who is neither) publishes a playbook over its readiness.",
    "publish_own_request": "You asked to publish this over its readiness, and the asker never decides their own: "
    "a curator who is neither the owner nor you decides on it.",
    "publish_owner_decides": "You own this playbook, and its owner never decides whether it is published over its "
    "readiness: a curator who is neither the owner nor the asker decides on it.",
    "publish_request_unknown": "I don't know that request to publish over readiness any more.",
    "publish_request_decided": "That request to publish over readiness is {state} already.",
    "publish_found_since": "Not published: read again now, more criteria of readiness are not met than the card "
    "showed: {found} The card shows them now.",
    "scale_changed": "Not published: read again at your click, it is not ready to scale now: {changed} "
    "The card shows it.",
    "publish_decided_now": "That request to publish was decided a moment ago by someone else; nothing more was done.",
}
