"""The web view's pages (templates/web/*.html), rendered by Jinja2 with HTML escaping on:
everything people wrote is text, never markup. CSV downloads are here too."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

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

# An http(s) address in someone's text: from its scheme, which no letter, digit or part of
# another address comes right before ("javascript:http://…" is no address), to the first
# space, quote or angle bracket.
_ADDRESS = re.compile(r"(?<![\w.+:/@-])https?://[^\s<>\"'`]+", re.IGNORECASE)


def _linked(text: object) -> Markup:
    """Text as text, with each http or https address in it a link (`rel="noopener
    noreferrer"`): a kit's runbook and training, a checklist's items. Punctuation that
    ends a sentence after an address is not part of it; nothing else becomes a link."""
    said = str(text)
    parts: list[str] = []
    done = 0
    for found in _ADDRESS.finditer(said):
        address = found.group().rstrip(".,;:!?")
        while address.endswith(")") and address.count(")") > address.count("("):
            address = address[:-1]  # "(see https://x.example/a)": the bracket is the text's
        try:
            host = urlsplit(address).hostname
        except ValueError:  # e.g. an unclosed "[" of an IPv6 host
            host = None
        if not host:
            continue
        parts += [escape(said[done : found.start()]), _link(address)]
        done = found.start() + len(address)
    parts.append(escape(said[done:]))
    return Markup("").join(parts)


def _link(address: str) -> Markup:
    return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(address)


_env.filters["linked"] = _linked


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
