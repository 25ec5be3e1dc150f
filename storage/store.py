"""The database as the rest of the bot sees it: one object with a method per question or
change, each one unit of work. Its areas live in modules of their own, one class each:

- storage/playbooks.py: playbooks and their life (states, definitions, adoptions, cycles);
- storage/weekly_reports.py: the reports people make each week, undo, a week's figures;
- storage/roles.py: curators and settings;
- storage/request_keys.py: the keys of requests handled (storage/replay.py);
- storage/health.py: the clock's heartbeat and the database's answer;
- storage/people.py: the days someone said they are away.

Verdicts, proposals, mode changes and the registry are storage/governance.py's; the
digest's and the export's reads storage/readouts.py's; the outbox storage/outbox.py's.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.api_tokens import ApiTokens
from storage.governance_rows import decision_columns, shallow_columns
from storage.health import Health
from storage.learnings import Learnings
from storage.people import People
from storage.playbooks import CURATORS_CHANNEL, Conflict, LoadOutcome, Playbooks, PlaybookState, WaveFull
from storage.request_keys import RequestKeys
from storage.roles import RolesAndSettings
from storage.web_logins import WebLogins
from storage.weekly_reports import REPORTS, KeyReused, Report, WeekClosed, WeeklyReports, same_report

__all__ = [
    "CURATORS_CHANNEL",
    "REPORTS",
    "Conflict",
    "KeyReused",
    "LoadOutcome",
    "PlaybookState",
    "Report",
    "Store",
    "WaveFull",
    "WeekClosed",
    "decision_columns",
    "same_report",
    "shallow_columns",
]


class Store(Playbooks, WeeklyReports, Learnings, ApiTokens, WebLogins, RolesAndSettings, RequestKeys, Health, People):
    def __init__(self, engine: Engine):
        self.engine = engine
