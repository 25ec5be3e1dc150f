"""Requests to publish over readiness (docs/usage.md, "Publishing over readiness"): a
`/rollout publish … override <reason>` over missing readiness criteria, or a scale rule
that never held, waits for a curator who is neither the playbook's owner nor the asker.
The machine (one open a playbook, a later one replacing it, a conditional UPDATE so that
one of two clicks decides) is storage/awaiting.py's, which bar change requests share."""

from __future__ import annotations

from storage.awaiting import Table
from storage.models.governance import PublishRequest


class PublishRequests(Table[PublishRequest]):
    model, kept = PublishRequest, "criteria"  # the criteria not met, as read at a click since
