"""Where people read a playbook's lists in full, as messages point at them: the web view's
pages under ROLLOUT_WEB_URL, `/rollout history`, and how much of a list each shows. Its
own module, so that a use case that points at a list (registry.py) and the use cases that
show it (web.py, status.py) share these without importing each other."""

from __future__ import annotations

from urllib.parse import quote

PLAYBOOK_LEARNINGS = 50  # a playbook's page lists its newest learnings, this many
HISTORY_LEARNINGS = 10  # and /rollout history's reply, in one section, this many


def playbook_page(web_url: str, slug: str) -> str:
    """The address of a playbook's page (handlers/web_view.py: /web/playbooks/<slug>)."""
    return f"{web_url.rstrip('/')}/web/playbooks/{quote(slug, safe='')}"
