"""The web view's pages as messages point at them: their addresses under ROLLOUT_WEB_URL,
and how much of a list a page shows. Its own module, so that a use case that links to a
page (registry.py) and the use case that builds it (web.py) share these without
importing each other."""

from __future__ import annotations

from urllib.parse import quote

PLAYBOOK_LEARNINGS = 50  # a playbook's page lists its newest learnings, this many


def playbook_page(web_url: str, slug: str) -> str:
    """The address of a playbook's page (handlers/web_view.py: /web/playbooks/<slug>)."""
    return f"{web_url.rstrip('/')}/web/playbooks/{quote(slug, safe='')}"
