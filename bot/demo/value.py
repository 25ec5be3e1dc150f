"""In the demo, the finance team's ERP sends the week's matched invoices over the
reporting API as `invoice_matched` events, which invoice-matching's value measure counts
(`value:` in examples/invoice-matching.yaml, 9 minutes each; 900 a month): so the
sponsor's first screen shows hours saved and the cost per hour saved."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from usecases import tokens

PLAYBOOK, EVENT, TOKEN_NAME = "invoice-matching", "invoice_matched", "erp-export"
MATCHED = [140, 155, 168, 176, 181, 190, 198, 204, 210, 214, 219, 223]  # a week's invoices matched


def report_matched(story: Any, week: int) -> None:
    """The week's matched invoices, as the ERP's scheduled job sends them (docs/api.md);
    its token made the first time (`rollout token create --kinds event`)."""
    token = getattr(story, "erp_token", None)
    if token is None:
        token = tokens.create(story.store, TOKEN_NAME, [PLAYBOOK], ["event"], False, "cli:rollout", story.clock()).token
        story.erp_token = token
        story.did(
            f"made a reporting API token: rollout token create --name {TOKEN_NAME} --playbook {PLAYBOOK} --kinds event"
        )
    story.clock.at += timedelta(seconds=1)
    count = MATCHED[week]
    body = {
        "playbook": PLAYBOOK,
        "kind": "event",
        "event": EVENT,
        "count": count,
        "key": f"matched-{story.clock():%Y-%m-%d}",
    }
    reply = story.http.post(
        "/api/v1/reports", json.dumps(body), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    story.did(f"{TOKEN_NAME} (reporting API): event {PLAYBOOK} {EVENT} {count} → {reply.status}")
