"""`rollout mcp`: the assistant's tools over stdio (bot/assistant.py, docs/mcp.md), for the
operator's own assistant: it reads DATABASE_URL and answers for every playbook; nothing
it answers changes anything."""

from __future__ import annotations

import click

from bot import assistant
from bot.startup import open_store, settings_or_exit


@click.command("mcp")
def mcp() -> None:
    """Answer an assistant over stdio (the Model Context Protocol): read-only tools over DATABASE_URL."""
    if not assistant.installed():
        raise click.ClickException(assistant.INSTALL)
    from bot.app import utc_now
    from slack_api.members import TeamDirectory
    from usecases.shared.services import Services

    settings = settings_or_exit()
    store = open_store(settings)
    services = Services(
        store=store,
        clock=utc_now,
        admins=settings.admins,
        org_timezone=settings.rollout_timezone,
        directory=TeamDirectory(ttl_seconds=0),  # no Slack here: the tools ask it nothing
        web_url=settings.rollout_web_url,
        currency=settings.rollout_currency,
        hourly_rate=settings.rollout_hourly_rate,
    )
    try:
        assistant.serve_stdio(services)
    except KeyboardInterrupt:
        pass
    finally:
        store.engine.dispose()
