"""What the org overview lists of a large org (more than LISTED playbooks): one row a
function instead of every playbook's line, a function's lines 100 a page
(`?function=<name>&page=N`), a search of slugs, titles and functions (`?q=`), and the
first CHARTED ways to target. An org of at most LISTED playbooks sees every line and every
chart, as before. Plain functions over usecases/web_overview.py's Overview: the org's
figures still count every playbook, and the CSVs still give every one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cadence import sponsor
from usecases.web_overview import STANDING, Overview, PlaybookLine

LISTED = 100  # an org of at most this many playbooks sees every line; a larger one the summary by function
PER_PAGE = 100  # a function's lines a page
FOUND = 100  # the search's lines shown, at most
QUERY_CHARS = 100  # a longer query is cut to this many characters
CHARTED = 24  # the ways to target drawn, risks first
MAX_PAGE = 999_999


@dataclass(frozen=True)
class Asked:
    """The page's query: a function's lines (`function`, page `page`) or a search (`q`)."""

    function: str | None
    page: int
    q: str


@dataclass(frozen=True)
class FunctionRow:
    """A function in the summary: how many playbooks, how many active, the active ones by
    standing (the first screen's words), and the line furthest from its target."""

    function: str
    playbooks: int
    active: int
    standings: dict[str, int]
    furthest: PlaybookLine | None


@dataclass(frozen=True)
class Listing:
    """What a large org's overview lists: the summary, and the lines asked for (a
    function's page, or the search's first FOUND), with how many there are."""

    summary: list[FunctionRow]
    function: str | None  # the function whose lines are shown
    unknown: str | None  # a function asked for that has no playbook
    lines: list[PlaybookLine]
    page: int
    pages: int
    q: str  # the search, as cut
    matched: int  # how many lines the search matched, or the function has
    charted: int  # the ways to target drawn
    more: int  # the active playbooks not charted


def asked(query: Mapping[str, str]) -> Asked:
    """`?function=`, `?page=` (a whole number from 1; anything else is 1) and `?q=` (cut to
    QUERY_CHARS characters, its ends' spaces dropped)."""
    number = query.get("page", "1")
    valid = len(number) <= 6 and number.isascii() and number.isdigit() and 0 < int(number) <= MAX_PAGE
    function = query.get("function")
    return Asked(
        function=function or None, page=int(number) if valid else 1, q=query.get("q", "")[:QUERY_CHARS].strip()
    )


def listed(overview: Overview) -> bool:
    """Whether the page lists every playbook: an org of at most LISTED."""
    return sum(len(rows) for _, rows in overview.functions) <= LISTED


def listing(overview: Overview, ask: Asked) -> Listing:
    """The summary by function, and the lines asked for: the search's when there is one,
    else the function's page (the last one for a page beyond it)."""
    functions = dict(overview.functions)
    summary = [_row(function, rows) for function, rows in overview.functions]
    lines: list[PlaybookLine] = []
    page = pages = matched = 0
    if ask.q:
        wanted = ask.q.casefold()
        found = [line for _, rows in overview.functions for line in rows if _matches(line, wanted)]
        matched, lines = len(found), found[:FOUND]
    elif ask.function in functions:
        rows = functions[ask.function]
        pages = -(-len(rows) // PER_PAGE)
        page = min(ask.page, pages)
        matched, lines = len(rows), rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    unknown = ask.function if ask.function is not None and ask.function not in functions and not ask.q else None
    charted = min(CHARTED, len(overview.progress))
    return Listing(
        summary=summary,
        function=ask.function if pages else None,
        unknown=unknown,
        lines=lines,
        page=page,
        pages=pages,
        q=ask.q,
        matched=matched,
        charted=charted,
        more=len(overview.progress) - charted,
    )


def _matches(line: PlaybookLine, wanted: str) -> bool:
    return wanted in line.slug.casefold() or wanted in line.title.casefold() or wanted in line.function.casefold()


def _row(function: str, rows: list[PlaybookLine]) -> FunctionRow:
    """A function's row: its active playbooks counted by standing, and the active one with
    the least of the way from baseline to target (a KPI reported), if any."""
    active = [r for r in rows if r.status == "active"]
    measured = [r for r in active if r.progress is not None]
    furthest = min(measured, key=lambda r: (r.progress, r.title.lower(), r.slug)) if measured else None
    return FunctionRow(
        function=function,
        playbooks=len(rows),
        active=len(active),
        standings=sponsor.counts(r.shown[STANDING] for r in active),
        furthest=furthest,
    )
