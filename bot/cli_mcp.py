"""`rollout mcp`: the assistant's tools over stdio (bot/assistant.py, docs/mcp.md), for the
operator's own assistant: it reads DATABASE_URL and answers for every playbook; nothing
it answers changes anything. `--demo DIR`: the demo's run in DIR instead; a database the
demo made, either way, is answered as of the demo's last day (bot/startup.py, reading_clock)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import assistant
from bot.startup import open_store, reading_clock, settings_or_exit

if TYPE_CHECKING:
    from usecases.shared.services import Services


@click.command("mcp")
@click.option(
    "--demo",
    "demo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Answer for the demo's run in this folder (rollout demo --out), as of its last day.",
)
def mcp(demo: Path | None) -> None:
    """Answer an assistant over stdio (the Model Context Protocol): read-only tools over DATABASE_URL."""
    if not assistant.installed():
        raise click.ClickException(assistant.INSTALL)
    if demo is not None:
        from bot.demo import view

        try:
            database, _ = view.run_in(demo)
        except view.NoRun as err:
            raise click.ClickException(str(err)) from None
        click.echo(view.named(database), err=True)
        services = view.services(database)
    else:
        services = _configured()
    try:
        assistant.serve_stdio(services)
    except KeyboardInterrupt:
        pass
    finally:
        services.store.engine.dispose()


def _configured() -> Services:
    """The bot's database and settings, from the environment."""
    from slack_api.members import TeamDirectory
    from usecases.shared.services import Services

    settings = settings_or_exit()
    store = open_store(settings)
    return Services(
        store=store,
        clock=reading_clock(store),  # a database the demo made: the demo's
        admins=settings.admins,
        org_timezone=settings.rollout_timezone,
        directory=TeamDirectory(ttl_seconds=0),  # no Slack here: the tools ask it nothing
        web_url=settings.rollout_web_url,
        currency=settings.rollout_currency,
        hourly_rate=settings.rollout_hourly_rate,
    )
