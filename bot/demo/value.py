"""In the demo, the finance team's ERP sends the week's matched invoices over the
reporting API as `invoice_matched` events, which invoice-matching's value measure counts
(`value:` in examples/invoice-matching.yaml, 9 minutes each; 900 a month): so the
sponsor's first screen shows hours saved and the cost per hour saved. The support team's
helpdesk sends its accepted replies as `reply_accepted` events, which support-replies'
measure counts (6 minutes each, its oversight priced: 4 minutes a reviewed reply, 15 an
exception item closed): so its page and status show hours saved, oversight and net."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cadence.report_kinds import ReportKind
from usecases import tokens

PLAYBOOK, EVENT, TOKEN_NAME = "invoice-matching", "invoice_matched", "erp-export"
MATCHED = [140, 155, 168, 176, 181, 190, 198, 204, 210, 214, 219, 223, 226]  # a week's invoices matched


SUPPORT, ACCEPTED, HELPDESK = "support-replies", "reply_accepted", "helpdesk-export"
REPLIES = [380, 395, 402, 120, 410, 412, 418, 130, 420, 425, 431, 436, 440]  # a week's AI replies accepted


def report_matched(story: Any, week: int) -> None:
    """The week's matched invoices, as the ERP's scheduled job sends them (docs/api.md)."""
    _send(story, TOKEN_NAME, PLAYBOOK, EVENT, MATCHED[week], "matched")


def report_accepted(story: Any, week: int) -> None:
    """The week's accepted replies, as the helpdesk's scheduled job sends them."""
    _send(story, HELPDESK, SUPPORT, ACCEPTED, REPLIES[week], "accepted")


def _send(story: Any, name: str, playbook: str, event: str, count: int, key: str) -> None:
    """A week's count of a value event over the reporting API; the job's token made the
    first time (`rollout token create --kinds event`)."""
    made: dict[str, str] = story.__dict__.setdefault("event_tokens", {})
    token = made.get(name)
    if token is None:
        token = tokens.create(
            story.store, name, [playbook], [ReportKind.EVENT], False, "cli:rollout", story.clock()
        ).token
        made[name] = token
        story.did(f"made a reporting API token: rollout token create --name {name} --playbook {playbook} --kinds event")
    story.clock.at += timedelta(seconds=1)
    body = {
        "playbook": playbook,
        "kind": ReportKind.EVENT,
        "event": event,
        "count": count,
        "key": f"{key}-{story.clock():%Y-%m-%d}",
    }
    reply = story.http.post(
        "/api/v1/reports", json.dumps(body), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    story.did(f"{name} (reporting API): event {playbook} {event} {count} → {reply.status}")
