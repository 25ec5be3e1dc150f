"""The web view's org overview (handlers/web_view.py, "/"): read, presented and charted.
An org of at most overview_pages.LISTED playbooks sees every line and every way to target,
as it always has; a larger one sees the summary by function, the function asked for 100
lines a page (`?function=<name>&page=N`), a search (`?q=`), and the first CHARTED ways to
target (usecases/overview_pages.py decides what). Only what is shown is presented and
charted: a thousand small charts were most of a large org's page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from handlers import present_overview
from templates.web_charts import org_trend_charts, progress_chart
from usecases import overview_pages, sections, web, web_overview
from usecases.overview_pages import FunctionRow, Listing
from usecases.shared.services import Services


def page(services: Services, viewer: web.Viewer, query: Mapping[str, str]) -> tuple[dict[str, Any], int]:
    """The overview's context for templates/web/overview.html, and its status: 404 with the
    summary and a notice for a function no playbook has."""
    overview = web_overview.overview(services, viewer)
    listing = None
    if not overview_pages.listed(overview):
        listing = overview_pages.listing(overview, overview_pages.asked(query))
        overview = replace(overview, functions=[], progress=overview.progress[: listing.charted])
    shown = present_overview.shown(overview)
    trend = shown["trend"]
    charts = org_trend_charts(
        [t["week"].strftime("%d %b") for t in trend],
        [t["exceptions"] for t in trend],
        [t["attestation"] for t in trend],
    )
    progress = [
        dict(
            p, chart=progress_chart(f"{p['title']}: share of the way from baseline to target", p["weeks"], p["shares"])
        )
        for p in shown["progress"]
    ]
    shown = dict(shown, progress=progress, **sections.overview_charts(shown))
    status = 404 if listing is not None and listing.unknown is not None else 200
    return dict(trend_charts=charts, listing=_listing(listing) if listing else None, **shown), status


def _listing(listing: Listing) -> dict[str, Any]:
    """A large org's summary, lines and links, as the template takes them."""
    function = listing.function
    return dict(
        summary=[_row(row) for row in listing.summary],
        function=function,
        unknown=listing.unknown,
        lines=[dict(present_overview.line(line), function=line.function) for line in listing.lines],
        page=listing.page,
        pages=listing.pages,
        previous=_href(function=function, page=listing.page - 1) if function and listing.page > 1 else None,
        next=_href(function=function, page=listing.page + 1) if function and listing.page < listing.pages else None,
        q=listing.q,
        matched=listing.matched,
        more=listing.more,
        query_chars=overview_pages.QUERY_CHARS,
    )


def _row(row: FunctionRow) -> dict[str, Any]:
    furthest = row.furthest
    return dict(
        function=row.function,
        href=_href(function=row.function),
        playbooks=row.playbooks,
        active=row.active,
        standings=row.standings,
        furthest=None
        if furthest is None
        else dict(slug=furthest.slug, title=furthest.title, progress=furthest.progress),
    )


def _href(**query: Any) -> str:
    """The overview's address with `query` (a function's name URL-encoded), page 1 left out."""
    if query.get("page") == 1:
        del query["page"]
    return "/web/?" + urlencode(query)
