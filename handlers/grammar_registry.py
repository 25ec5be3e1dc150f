"""The words of the registry, `/rollout publish`, `registry` and `upgrade`: their parsers and
their rows of the grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no
database."""

from __future__ import annotations

import re

from cadence.text import plain_text
from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    free_text,
    playbook_name,
)
from templates.refusals import Refusal
from usecases import commands, versions
from usecases.shared import messages


def _publish(w: Words) -> messages.Publish:
    if len(w) == 2:
        return messages.Publish(playbook_name(w.words[1]))
    if len(w) >= 3 and w.words[2].lower() == "override":
        reason = free_text(w.rest(3), "reason", "publish")
        if not reason:
            raise Refusal.of("override_reason", usage="publish")
        return messages.Publish(playbook_name(w.words[1]), reason)
    raise Refusal.of("publish_arguments", usage="publish")


def _registry(w: Words) -> messages.Registry:
    return messages.Registry(plain_text(w.rest(1)).strip()[:80] or None)


def _upgrade(w: Words) -> messages.Upgrade:
    """`upgrade <playbook> [vN]`."""
    if len(w) not in (2, 3):
        raise Refusal.of("upgrade_arguments", usage="upgrade")
    version = None
    if len(w) == 3:
        m = re.fullmatch(r"v?([0-9]{1,9})", w.words[2], re.IGNORECASE)
        if m is None or int(m.group(1)) == 0:
            raise Refusal.of("upgrade_arguments", usage="upgrade")
        version = int(m.group(1))
    return messages.Upgrade(playbook_name(w.words[1]), version)


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "publish",
        ("/rollout publish <playbook> [override <reason>]",),
        _publish,
        commands.publish,
        replies.publish,
    ),
    Subcommand(
        "registry",
        ("/rollout registry [function]",),
        _registry,
        commands.registry_entries,
        replies.registry,
    ),
    Subcommand(
        "upgrade",
        ("/rollout upgrade <playbook> [vN]",),
        _upgrade,
        versions.upgrade,
        replies.template("upgrade"),
    ),
)
