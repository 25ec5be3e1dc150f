"""What one report may hold, whatever edge it comes through (a slash command, a form, the
reporting API): the rules of the product, so each edge checks the same bounds."""

from __future__ import annotations

MAX_TEXT_CHARS = 500  # a reason, a note, a learning: every free text a person or a system writes
MAX_VALUE = 1e12  # a KPI or guardrail number, either way
MAX_COUNT = 10_000_000  # a week's case count
