"""The web view's learnings page (/web/learnings?q=words&page=N): the same search as
`/rollout learnings` (usecases/learnings_search.py), 50 a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from templates.refusals import Refusal, plain
from usecases import learnings_search, web
from usecases.shared.services import Services

MAX_PAGE = learnings_search.SCANNED // learnings_search.PER_PAGE


def shown(services: Services, viewer: web.Viewer, query: Mapping[str, str]) -> dict[str, Any]:
    """What the page shows for `?q=` and `?page=`: the learnings found, or why the words were refused."""
    q = query.get("q", "")[:1000]
    words = tuple(dict.fromkeys(q.split()))[:10]
    number = query.get("page", "1")
    page = (
        int(number) if len(number) <= 6 and number.isascii() and number.isdigit() and 0 < int(number) <= MAX_PAGE else 1
    )
    try:
        found = learnings_search.find(services.store, words, learnings_search.PER_PAGE, page)
        problem = None
    except Refusal as refusal:
        found, problem = None, plain(refusal)
    return web.with_names(
        services.store,
        dict(viewer=viewer.user_id, q=" ".join(words), found=found, problem=problem),
        people=[h.by for h in found.hits] if found else [],
    )
