"""`rollout arm <slug> <case-id>`: a case's arm, run or holdout, for a playbook whose KPI
holds cases out (docs/playbooks.md, "Compared with the rest"); the same answer as the
API's `GET /api/v1/playbooks/{slug}/arm`, and nothing is stored."""

from __future__ import annotations

import click

from bot.startup import open_store, settings_or_exit
from usecases import api_reads, arms


@click.command("arm")
@click.argument("slug")
@click.argument("case_id", metavar="CASE-ID")
def arm(slug: str, case_id: str) -> None:
    """Print `run` or `holdout`: the arm of case CASE-ID in playbook SLUG, forever."""
    settings = settings_or_exit()
    try:
        assigned = arms.assign(open_store(settings), slug, case_id)
    except (arms.CaseRefused, arms.NoHoldout, api_reads.NotFound) as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(assigned.arm)
