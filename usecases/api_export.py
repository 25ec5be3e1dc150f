"""The analyst's export over the reporting API (`GET /api/v1/export/<table>.csv`): the
CSVs `rollout export csv` writes, one table at a time, for a token with the read scope,
from the export's own producer (storage/csv_export.py, the section files' from their
sections): the same header, names beside ids, formulas neutralised. A token scoped to
some playbooks gets only their rows, and of the decisions none naming a team outside its
scope (as the decisions read). Only the tables that hold the playbooks' own definitions,
numbers, verdicts, decisions and learnings are served; the operator's tables (tokens,
sessions, the outbox, settings, people, requests to adopt...) stay `rollout export csv`'s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cadence.text import csv_row
from usecases import sections
from usecases.api_reads import NotFound, may_read, visible
from usecases.shared.services import Services

# The export's tables a read token gets, by the name of their file without .csv, each with
# what it holds (docs/api.md lists them with their columns).
TABLES = {
    "playbook": "each playbook: its definition, owner and channel (names beside), status, KPI and bounds",
    "step": "each playbook's steps: position, mode now, pinned, frozen, retired, fallback",
    "cycle": "each started run of cycles: number, first day, who started it, an adopter's baseline week",
    "kpi_reading": "each KPI report: week, value, who or which token reported it and when, withdrawn",
    "kpi_rest_reading": "each KPI report of the rest (compare): as kpi_reading",
    "guardrail_reading": "each guardrail report: as kpi_reading",
    "case_count": "each step's case counts: step, week, cases, provenance",
    "rubric_score": "each step's rubric scores: score, reviewed, dimensions, review minutes, provenance",
    "exception_report": "each exception: step, week, reason, provenance",
    "out_of_scope_count": "each step's out-of-scope counts: step, week, count, provenance",
    "value_count": "each value event count: week, event, count, provenance",
    "step_verdict": "each step's weekly verdict: mode, outcome, cases, exceptions, rubric, the rule",
    "cycle_result": "each closed cycle's result: KPI weeks, mean, target, hit, weeks met",
    "decision": "every decision: when, kind, rule, actor, step, modes, summary, figures (JSON)",
    "learning": "each learning: cycle, text, who added it and when, withdrawn",
    "pulse": "each closed cycle's pulse, aggregates only (no answer-level rows): as the web page's",
}


def table(services: Services, token: Any, name: str) -> Iterator[list[Any]]:
    """The table `name`'s CSV rows for the reader, its header first (NotReadable without
    the read scope, NotFound for a table it does not serve). The rows are read as they are
    sent: one snapshot, streamed."""
    may_read(services, token)
    if name not in TABLES:
        raise NotFound(f"no table {name}")
    store = services.store
    states = [s for s in store.playbooks.states() if visible(token, s.playbook.slug)]
    if name not in store.readouts.table_names():  # a section's file (pulse.csv), from its section
        header, rows = sections.export(store, states)[f"{name}.csv"]
        return iter([csv_row(header), *(csv_row(row) for row in rows)])
    if token.playbooks is None:
        return store.readouts.table_rows(name)
    return store.readouts.table_rows(name, [s.playbook.id for s in states], frozenset(token.playbooks))
