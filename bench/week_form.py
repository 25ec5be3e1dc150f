"""The owner's week in one form (issue 58): a submission of the week form as Slack sends
it (a signed `view_submission`), measured beside `/rollout kpi` in the acknowledgement
benchmark's subcommand table (bench/ack.py), whose budget holds every entry to 3× kpi's
p99 (bench/budgets.py, SUBCOMMAND_P99).

Each submission changes four fields of bench-kpi's week: draft's cases, its review
(reviewed, passed) and the KPI, so it writes four reports in one unit of work and
answers with their list: the work of an owner's Friday, which took four commands."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.demo.standin.workspace import APP_ID, TEAM_ID

NAME = "week form (submit)"


def submission(playbook_id: int, step_id: int, week_start: date, user: str, n: int) -> dict[str, Any]:
    """The n-th submission: a form opened on an empty week, four fields typed in."""
    fields = {f"cases:{step_id}": "", f"reviewed:{step_id}": "", f"passed:{step_id}": "", "kpi": "", "guardrail": ""}
    metadata = {"p": playbook_id, "w": week_start.isoformat(), "f": fields}
    typed = {
        f"cases:{step_id}": str(40 + n % 40),
        f"reviewed:{step_id}": "20",
        f"passed:{step_id}": str(15 + n % 6),
        "kpi": f"{10 + n % 40}.5",
        "guardrail": "",
    }
    values = {block: {"value": {"type": "plain_text_input", "value": v}} for block, v in typed.items()}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "view": {
            "id": f"VBENCH{n}",
            "type": "modal",
            "callback_id": "week_form",
            "private_metadata": json.dumps(metadata, separators=(",", ":")),
            "state": {"values": values},
            "hash": "h",
        },
    }


def body(playbook_id: int, step_id: int, week_start: date, user: str, n: int) -> str:
    return urlencode({"payload": json.dumps(submission(playbook_id, step_id, week_start, user, n))})
