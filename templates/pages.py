"""The web view's pages (templates/web/*.html), rendered by Jinja2 with HTML escaping on:
everything people wrote is text, never markup. CSV downloads are here too."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cadence.text import csv_row
from templates import _kpi_change_phrase, _number, ratio_with_ci, rubric_with_ci

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_env.filters.update(
    number=_number, ratio_with_ci=ratio_with_ci, rubric_with_ci=rubric_with_ci, kpi_change_phrase=_kpi_change_phrase
)


def _source(reported_by: str) -> str:
    """Who made a report: a person's Slack id, a reporting API token (`token:<name>`) or a
    source the clock pulled it from (`source:<name>`)."""
    if reported_by.startswith("source:"):
        return f"{reported_by[len('source:') :]} (source)"
    return f"{reported_by[len('token:') :]} (API token)" if reported_by.startswith("token:") else reported_by


_env.filters["source"] = _source


def render_page(name: str, **context: Any) -> str:
    return _env.get_template(f"web/{name}.html").render(**context)


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    """A table as CSV for a spreadsheet: every cell, the header's too (a KPI's name heads
    a column), as cadence.text.csv_cell writes it: text that a spreadsheet would run as a
    formula (=, +, -, @, a tab or a return first) after an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return out.getvalue()
