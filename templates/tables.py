"""Every table of the web view's pages as CSV rows, by the name of its download: built
from what the page shows (usecases/web.py), so a download holds what the reader saw
and nothing the page hides (reasons only for the owner and the curators).
templates.pages.csv_text writes them, every cell (the header too) neutralised."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cadence.decisions import named_ids
from cadence.judgement import ratio_interval, rubric_interval
from cadence.pulse import FREED
from templates.pages import names_in, source_name
from templates.pulse_words import pulse_phrase

Table = tuple[list[str], list[list[Any]]]
Column = tuple[str, Callable[[Any], Any]]


def overview_tables(shown: dict[str, Any], columns: list[Column], tables: dict[str, Table]) -> dict[str, Table]:
    """The overview's tables: the playbooks (every function in one), with the sections'
    `columns` after the way to target, the sections' own `tables`, and the org's trend."""
    playbooks = [dict(r, function=function) for function, rows in shown["functions"] for r in rows]
    return {
        "playbooks": _table(
            [
                ("function", _key("function")),
                ("playbook", _key("slug")),
                ("title", _key("title")),
                ("status", _key("status")),
                ("cycle", _key("cycle")),
                ("week", _key("week")),
                ("latest KPI", _shown("kpi")),
                ("unit", _key("unit")),
                ("baseline", _shown("baseline")),
                ("target", _shown("target")),
                ("% of the way", lambda r: _percent(r["progress"])),
                *columns,
            ],
            playbooks,
        ),
        **tables,
        "overview": _table(
            [
                ("week", lambda t: t["week"].isoformat()),
                ("exception ratio %", lambda t: _percent(t["exceptions"])),
                ("attestation rate %", lambda t: _percent(t["attestation"])),
            ],
            shown["trend"],
        ),
    }


# ---- the sections' columns and tables of the overview (usecases/sections/) ----


def value_columns() -> list[Column]:
    return [("value", _key("value")), ("hours saved, last 4 weeks (estimate)", lambda r: _tenth(r.get("hours")))]


def org_value_table(weeks: list[dict[str, Any]]) -> Table:
    return _table(
        [
            ("week", lambda w: w["week"].isoformat()),
            ("hours saved (estimate)", lambda w: _tenth(w["hours"])),
            ("playbooks with events", _key("playbooks")),
        ],
        weeks,
    )


def hero_columns(people: dict[str, str]) -> list[Column]:
    return [
        *_who("one person carries the quality work", lambda r: r.get("hero_id"), people),
        ("their share %", lambda r: _percent(r.get("hero_share"))),
        ("of", lambda r: r.get("hero_tail") or ""),
    ]


def stall_columns() -> list[Column]:
    return [("stalled", lambda r: r.get("stalled") or "")]


def plateau_columns() -> list[Column]:
    return [("plateau", _key("plateau"))]


def depth_table(rows: list[dict[str, Any]]) -> Table:
    """Depth over months (usecases/shared/depth.py): a closed week's cases, its judged
    steps and how many were AI-led or collaborative, and the people who reported."""
    return _table(
        [
            ("week", lambda r: r["week"].isoformat()),
            ("cases", _key("cases")),
            ("steps judged", _key("steps")),
            ("AI-led or collaborative", _key("wider")),
            ("% AI-led or collaborative", lambda r: _percent(r["share"])),
            ("people who reported", _key("people")),
        ],
        rows,
    )


def _ratio_bounds(cell: dict[str, Any]) -> tuple[float | None, float | None]:
    interval = ratio_interval(cell["exceptions"] or 0, cell["cases"]) if cell["exceptions"] is not None else None
    return (None, None) if interval is None else (_percent(interval.low), _percent(interval.high))


def _rubric_bounds(cell: dict[str, Any]) -> tuple[float | None, float | None]:
    interval = rubric_interval(cell["rubric"], cell["cases"], cell.get("reviewed"))
    return (None, None) if interval is None else (_percent(interval.low), _percent(interval.high))


def _who(header: str, id_of: Callable[[Any], Any], people: dict[str, str]) -> list[Column]:
    """A person's id (for joining) and, beside it, the name the page shows for it: their
    Slack name, an API token's or a source's; empty when Slack has no name for them."""

    def name(row: Any) -> str | None:
        user_id = id_of(row)
        shown = source_name(user_id, people) if user_id is not None else None
        return shown if shown != user_id else None

    return [(header, id_of), (f"{header} (name)", name)]


def _step_week_columns() -> list[Column]:
    """A step's week on the playbook page: its verdict and numbers, its ratio's and rubric's intervals."""
    return (
        [(name, _key(name)) for name in ("verdict", "cases", "exceptions")]
        + [("why inconclusive", _key("why"))]
        + [("rubric %", lambda c: _percent(c["rubric"]))]
        + [
            ("exception ratio %", lambda c: _percent(c["exceptions"] / c["cases"]) if c["cases"] else None),
            ("exception ratio 95% CI low %", lambda c: _ratio_bounds(c)[0]),
            ("exception ratio 95% CI high %", lambda c: _ratio_bounds(c)[1]),
            ("rubric 95% CI low %", lambda c: _rubric_bounds(c)[0]),
            ("rubric 95% CI high %", lambda c: _rubric_bounds(c)[1]),
            # the rubric's sample: empty for a bare score (every case reviewed)
            ("rubric cases reviewed", lambda c: c.get("reviewed")),
        ]
    )


def _cycle_columns(kpi_unit: str | None) -> list[Column]:
    """A cycle on the playbook page: its KPI's change from baseline with its interval."""
    return [
        ("cycle", _key("cycle")),
        ("weeks charted", _key("weeks")),
        ("KPI weeks reported", lambda c: c["change"].values),
        (
            f"KPI change from baseline ({kpi_unit})" if kpi_unit else "KPI change from baseline",
            lambda c: _tenth(c["change"].change),
        ),
        ("95% CI low", lambda c: _tenth(c["change"].interval.low) if c["change"].interval else None),
        ("95% CI high", lambda c: _tenth(c["change"].interval.high) if c["change"].interval else None),
        ("within noise", lambda c: c["change"].within_noise),
    ]


def playbook_tables(page: dict[str, Any], tables: dict[str, Table]) -> dict[str, Table]:
    """A playbook page's tables, its sections' (`tables`) among them."""
    p = page["playbook"]
    people, channels = page.get("people") or {}, page.get("channels") or {}
    week = ("week", lambda r: r["week"].isoformat())
    verdicts = [(f"{step.name} verdict", _verdict_of(i)) for i, step in enumerate(page["steps"])]
    guardrail: list[Column] = (
        [(f"guardrail {p.guardrail_name}", _shown("guardrail")), ("guardrail state", _key("guardrail_state"))]
        if p.guardrail_name
        else []
    )
    grid = [dict(s, week=r["week"], label=r["label"]) for r in page["rows"] for s in r["steps"]]
    when = ("when", lambda d: d["when"].isoformat())
    return {
        "weeks": _table(
            [week, ("label", _key("label")), (p.kpi_name, _shown("kpi")), *guardrail, *verdicts], page["rows"]
        ),
        "steps": _table([week, ("label", _key("label")), ("step", _key("name")), *_step_week_columns()], grid),
        "cycles": _table(_cycle_columns(p.kpi_unit), page["cycles"]),
        "modes": _table(
            [
                when,
                ("step", _key("step")),
                ("from", _key("from_mode")),
                ("to", _key("to_mode")),
                ("rule", _key("rule")),
                *_who("by", _key("actor"), people),
            ],
            page["modes"],
        ),
        "decisions": _table(
            [
                when,
                ("kind", _key("kind")),
                # as the page says it: the people and channels the bot named in it by their names
                ("what", lambda d: names_in(d["summary"], people, channels, named_ids(d.get("figures")))),
                ("rule", _key("rule")),
                *_who("by", _key("actor"), people),
            ],
            page["decisions"],
        ),
        "sources": _table(
            [*_who("reported by", lambda s: s[0], people), ("what", lambda s: s[1]), ("reports", lambda s: s[2])],
            page["sources"],
        ),
        "reports": _table(
            [
                ("reported at", lambda r: r["at"].isoformat()),
                ("week", _key("week")),
                ("what", _key("kind")),
                ("step", _key("step")),
                ("value", _shown("number")),
                ("reason", _key("reason")),
                *_who("reported by", _key("by"), people),
                *_who("withdrawn by", _key("withdrawn_by"), people),
            ],
            page["reports"],
        ),
        "learnings": _table(
            [
                ("cycle", lambda learning: learning.cycle),
                ("learning", lambda learning: learning.text),
                *_who("by", lambda learning: learning.added_by, people),
                ("added at", lambda learning: learning.added_at.isoformat()),
            ],
            page["learnings"],
        ),
        **tables,
    }


# ---- the sections' tables of a playbook's page (usecases/sections/) ----


def value_weeks_table(weeks: list[Any]) -> Table:
    """value.csv: the playbook's value week by week (usecases/value.py's weeks)."""
    return _table(
        [
            ("week", lambda w: str(w.week_start)),
            ("event", lambda w: w.event),
            ("events", lambda w: w.events),
            ("minutes saved each (owner's estimate)", lambda w: w.minutes),
            ("hours saved (estimate)", lambda w: _tenth(w.hours)),
            ("said", lambda w: w.words()),
        ],
        weeks,
    )


def sourced_table(rows: list[dict[str, Any]]) -> Table:
    """sourced.csv: each sourced number of the page's weeks, newest week first."""
    return _table(
        [
            ("week", lambda r: r["week"].isoformat()),
            ("number", _key("number")),
            ("source", _key("source")),
            ("value", _shown("value")),
            ("fetched at", lambda r: r["at"].isoformat() if r["at"] is not None else None),
            ("typed in its place", _key("typed")),
            ("error", _key("error")),
        ],
        rows,
    )


def queue_tables(queue: list[dict[str, Any]], moves: list[dict[str, Any]], people: dict[str, str]) -> dict[str, Table]:
    """exception-items.csv (the open items) and exception-item-changes.csv (every move)."""
    return {
        "exception-items": _table(
            [
                ("step", lambda i: i["step"]),
                ("item", lambda i: i["key"]),
                ("source", lambda i: i["source"]),
                ("logged on", lambda i: i["logged_on"]),
                ("days open", lambda i: i["age"]),
                ("state", lambda i: i["state"]),
                ("reason", lambda i: i["reason"]),
                *_who("logged by", lambda i: i["logged_by"], people),
                # escalated now: when, by whom (the clock, or a person) and why
                ("escalated at", lambda i: i["escalated"]["at"].isoformat() if i["escalated"] else None),
                *_who("escalated by", lambda i: (i["escalated"]["by"] or "clock") if i["escalated"] else None, people),
                ("escalation reason", lambda i: i["escalated"]["why"] if i["escalated"] else None),
            ],
            [i for group in queue for i in group["open"]],
        ),
        "exception-item-changes": _table(
            [
                ("when", lambda m: m["at"].isoformat()),
                ("item", _key("item")),
                ("source", _key("source")),
                ("step", _key("step")),
                ("logged at", lambda m: m["logged_at"].isoformat()),
                *_who("logged by", _key("logged_by"), people),
                ("reason", _key("reason")),
                ("moved to", _key("state")),
                ("note", _key("note")),
                *_who("by", _key("by"), people),
            ],
            moves,
        ),
    }


def pulse_table(cycles: list[dict[str, Any]]) -> Table:
    """pulse.csv of the page: each closed cycle's figures as the page shows them."""
    return _table(_pulse_columns(), cycles)


def registry_tables(shown: dict[str, Any]) -> dict[str, Table]:
    """The registry as one table: each version, and each adopter's cycles beside the
    origin's (a version nobody adopted has one row, its adopter's columns empty)."""
    rows = [
        dict(version=e, adopter=a, cycle=v)
        for e in shown["entries"]
        for a in (e["adopters"] or [{}])
        for v in (a.get("verdicts") or [{}])
    ]
    return {
        "registry": _table(
            [
                ("playbook", lambda r: r["version"]["slug"]),
                ("version", lambda r: r["version"]["version"]),
                ("function", lambda r: r["version"]["function"]),
                ("published", lambda r: r["version"]["published_on"]),
                ("adopter", lambda r: r["adopter"].get("slug")),
                ("adopter status", lambda r: r["adopter"].get("status")),
                ("cycle", lambda r: r["cycle"].get("cycle")),
                ("verdict", lambda r: r["cycle"].get("verdict")),
                ("adopter median KPI", lambda r: _round(r["cycle"].get("median"))),
                ("adopter % of the way", lambda r: _percent(r["cycle"].get("progress"))),
                ("origin % of the way", lambda r: _percent(r["cycle"].get("origin_progress"))),
                ("difference (points)", lambda r: _percent(r["cycle"].get("delta"))),
            ],
            rows,
        )
    }


def _pulse_columns() -> list[Column]:
    """A closed cycle's pulse as the web view shows it, aggregates only (cadence.pulse.Pulse
    .figures): each figure with how many answered its question, its numbers blank where too
    few did ("too few answers to show" in `said`), never an answer."""

    def part(question: str, key: str) -> Callable[[Any], Any]:
        return lambda f: (f.get(question) or {}).get(key)

    def asked(question: str, key: str) -> Callable[[Any], Any]:
        return lambda f: (f.get(key) or {}).get("answers") or (f.get("hidden") or {}).get(question)

    return [
        ("cycle", _key("cycle")),
        ("answers", _key("answers")),
        ("needed", _key("needed")),
        ("shown", _key("shown")),
        *[
            column
            for question in ("trust", "safety")
            for column in [
                (f"{question} answers", asked(question, question)),
                *[(f"{question} {what}", part(question, key)) for what, key in _MEAN_PARTS],
            ]
        ],
        ("worked around answers", asked("around", "worked_around")),
        *[
            (f"worked around {what}", part("worked_around", key))
            for what, key in (("share", "share"), ("95% CI low", "low"), ("95% CI high", "high"))
        ],
        ("freed answers", lambda f: f.get("freed_answers") or (f.get("hidden") or {}).get("freed")),
        *[(f"freed: {words}", lambda f, k=k: (f.get("freed") or {}).get(k)) for k, words in FREED.items()],
        ("said", pulse_phrase),
    ]


_MEAN_PARTS = (("mean", "mean"), ("95% CI low", "low"), ("95% CI high", "high"))


def pulse_export(cycles: Iterable[tuple[str, dict[str, Any]]]) -> Table:
    """`rollout export csv`'s pulse.csv: each closed cycle's pulse of each playbook (its
    slug, the figures), as the playbook's web page shows it; never an answer."""

    def of_figures(value: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda c: value(c[1])

    columns: list[Column] = [("playbook", lambda c: c[0])]
    columns += [(name, of_figures(value)) for name, value in _pulse_columns()]
    return _table(columns, cycles)


def _table(columns: list[Column], items: Iterable[Any]) -> Table:
    return [name for name, _ in columns], [[value(item) for _, value in columns] for item in items]


def _verdict_of(step: int) -> Callable[[Any], Any]:
    """A week's verdict of the step at this place (a step added later has none before)."""
    return lambda row: row["steps"][step]["verdict"] if step < len(row["steps"]) else None


def _key(name: str) -> Callable[[Any], Any]:
    return lambda row: row[name]


def _percent(share: float | None) -> float | None:
    """A ratio or share as the pages show it, in percent, to a tenth."""
    return round(share * 100, 1) if share is not None else None


SHOWN_DECIMALS = 2  # a KPI, guardrail or reported number as the pages show it (templates._number)


def _round(value: float | None) -> float | None:
    """A number to the decimals the page shows: 14.333333 as 14.33, 13.0 as 13."""
    if value is None or isinstance(value, int):
        return value
    shown = round(value, SHOWN_DECIMALS)
    return int(shown) if shown.is_integer() else shown


def _tenth(value: float | None) -> float | None:
    """A KPI's change from its baseline and its interval, to a tenth as the pages say it."""
    return round(value, 1) if value is not None else None


def _shown(name: str) -> Callable[[Any], Any]:
    return lambda row: _round(row[name])
