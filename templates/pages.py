"""The web view's pages (templates/web/*.html), rendered by Jinja2 with HTML escaping on:
everything people wrote is text, never markup. CSV downloads are here too."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from cadence.decisions import named_ids
from cadence.text import csv_row
from templates import ID_IN_TEXT, _kpi_change_phrase, _number, _step_mode, bytecode_cache, ratio_with_ci, rubric_with_ci
from templates.numbers import match_phrase
from templates.waves import wave_line
from templates.web_charts import week_words

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent)),
    bytecode_cache=bytecode_cache(),  # the messages' cache: the key is each template's name and source
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_env.filters.update(
    wave_line=wave_line,
    number=_number,
    ratio_with_ci=ratio_with_ci,
    rubric_with_ci=rubric_with_ci,
    kpi_change_phrase=_kpi_change_phrase,
    step_mode=_step_mode,  # "collaborative (falling back from ai-led)" while it falls back
)
_env.filters["match_phrase"] = match_phrase


# Who decided, when no person did: a decision's actor "rule:<rule>" (cadence.decisions.
# DecisionRule, cadence.rules.TransitionRule), in plain words.
RULE_ACTORS = {
    "stall": "the stall rule",
    "scale": "the scale rule",
    "readiness": "the scale rule (readiness)",
    "replication": "the replication rule",
    "wave": "the wave rule",
    "guardrail": "the bot (guardrail rule)",
    "critical": "the bot (critical demotion)",
    "over-cap": "the bot (clearly over the cap)",
    "fails": "the bot (demotion after FAIL weeks)",
    "unobserved": "the bot (an AI-led step unobserved)",
    "fail-withdraws": "the bot (a FAIL week withdrew the proposal)",
    "streak": "the bot (a streak of PASS weeks)",
    "freeze": "the bot (too many mode changes: frozen)",
    "verdict": "the bot (the week's verdicts)",
    "definition": "the playbook's definition",
    "slack": "the bot (Slack lost the channel)",
    "source": "the bot (a source's number)",
}


def person_name(user_id: str | None, people: dict[str, str]) -> str:
    """A person as a page shows them: their Slack name (display name, else real name),
    else, when Slack has none, their id. A rule (`rule:stall`) in words ("the stall
    rule", RULE_ACTORS); anything else (`token:…`) as it is."""
    if user_id is None:
        return ""
    if user_id.startswith("rule:"):
        rule = user_id[len("rule:") :]
        return RULE_ACTORS.get(rule, f"the {rule} rule")
    return people.get(user_id, user_id)


def channel_name(channel_id: str | None, channels: dict[str, str]) -> str:
    """A channel as a page shows it: `#name`, else its id."""
    if channel_id is None:
        return ""
    return f"#{channels[channel_id]}" if channel_id in channels else channel_id


def source_name(reported_by: str, people: dict[str, str]) -> str:
    """Who made a report: a person (by name), a reporting API token (`token:<name>`) or a
    source the clock pulled it from (`source:<name>`)."""
    if reported_by.startswith("source:"):
        return f"{reported_by[len('source:') :]} (source)"
    if reported_by.startswith("token:"):
        return f"{reported_by[len('token:') :]} (API token)"
    return person_name(reported_by, people)


def names_in(text: str, people: dict[str, str], channels: dict[str, str], only: frozenset[str] | None = None) -> str:
    """`text` with each Slack id in it given as the name it is shown by, where one is known;
    `only`: the ids the bot itself wrote there (a decision's, `cadence.decisions.named_ids`),
    anything else that looks like one being someone's words."""

    def name(found: re.Match[str]) -> str:
        token = found.group(0)
        if only is not None and token not in only:
            return token
        if token[0] in "UW":
            return person_name(token, people)
        return channel_name(token, channels)

    return ID_IN_TEXT.sub(name, text)


# The names a page shows for ids come with its context: `people` and `channels`
# (usecases/web.py reads them from the database; no page asks Slack).
@pass_context
def _person(context: Context, user_id: str | None) -> str:
    return person_name(user_id, context.get("people") or {})


@pass_context
def _channel(context: Context, channel_id: str | None) -> str:
    return channel_name(channel_id, context.get("channels") or {})


@pass_context
def _source(context: Context, reported_by: str) -> str:
    return source_name(reported_by, context.get("people") or {})


@pass_context
def _named(context: Context, text: str, figures: dict[str, Any] | None = None) -> str:
    """A decision's summary with the ids the bot wrote into it named."""
    return names_in(text, context.get("people") or {}, context.get("channels") or {}, named_ids(figures))


_env.filters.update(source=_source, person=_person, channel=_channel, named=_named)

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

_CODE = re.compile(r"`([^`\n]+)`")


def _code(said: str) -> Markup:
    """A sentence the catalogue shares with Slack, whose `name` is mrkdwn's code: the name
    as <code> here, never its backticks; the rest escaped."""
    parts, done = [], 0
    for found in _CODE.finditer(said):
        parts += [escape(said[done : found.start()]), Markup("<code>{0}</code>").format(found.group(1))]
        done = found.end()
    parts.append(escape(said[done:]))
    return Markup("").join(parts)


_env.filters["code"] = _code


def _week_label(label: str) -> Markup:
    """A week's short label ("C2W3") with its words on hover and for screen readers
    ("cycle 2, week 3"); any other label as text."""
    said = week_words(label)
    if said == label:
        return Markup("{0}").format(label)
    return Markup('<abbr title="{0}">{1}</abbr>').format(said, label)


_env.filters.update(week_words=week_words, week_label=_week_label)


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
