"""`rollout demo`: a whole simulated rollout played against a Slack stand-in (bot/demo/), its
page and transcript written, and served on request. Registered on the `rollout` group by
bot/cli.py."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import guide
from bot.cli_serve import port_free_or_exit
from templates.terminal import wrap

if TYPE_CHECKING:
    from bot.demo.story import DemoResult

DEMO_PACKAGES = ("websockets",)  # pyproject.toml's `demo` extra


@click.command()
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Where to write the HTML page and the demo's own database.",
)
@click.option("--quiet", is_flag=True, help="Only say where the page is.")
@click.option(
    "--serve",
    is_flag=True,
    help="Then serve it on 127.0.0.1: the web view (sign-in skipped), the reporting API and /mcp, with a read token.",
)
@click.option(
    "--from",
    "served",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --serve: serve the run already in this folder instead of running the demo again.",
)
@click.option("--port", "view_port", type=int, default=8000, show_default=True, help="The web view's port.")
def demo(directory: Path, quiet: bool, serve: bool, served: Path | None, view_port: int) -> None:
    """A whole simulated rollout with a local Slack stand-in: no workspace, nothing to configure.

    \b
    13 simulated weeks: 4 playbooks in 3 functions run 2 four-week cycles; then the one
    ready to scale is published, a fifth team adopts it for a baseline week and its first
    cycle, and the others run cycle 3 and begin cycle 4 (lead-research, paused in cycle 2,
    a week ahead)."""
    import importlib.util

    from bot.demo import view
    from bot.demo.cast import CURATOR

    if served is not None:
        _serve_run(served, serve, view_port)
        return
    missing = [name for name in DEMO_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise click.ClickException(
            f"the demo needs {' and '.join(missing)}, which a production install leaves out: {guide.demo_install()}"
        )
    from bot.demo.story import SUMMARY, run

    if serve:
        port_free_or_exit(view.LOOPBACK, view_port)  # before the story, not after a minute of it
    logging.getLogger().setLevel(logging.WARNING)  # the story, not the logs
    # Its own database, made anew (DATABASE_URL is not read): named as every command names its own.
    click.echo(view.named(directory / view.DATABASE), err=True)
    width = shutil.get_terminal_size().columns
    if not quiet:
        click.echo(wrap(f"Running the demo ({SUMMARY})…", width))
    result = run(directory, say=(lambda _: None) if quiet else click.echo)
    click.echo(demo_output(result, quiet, width))
    if serve:
        view.serve(directory, CURATOR, view_port, click.echo)


def _serve_run(served: Path, serve: bool, view_port: int) -> None:
    """`--from`: serve the run already in the folder `served`, without running the demo again."""
    from bot.demo import view
    from bot.demo.cast import CURATOR

    if not serve:
        raise click.UsageError("--from names a run to serve: give --serve too")
    try:
        database, _ = view.run_in(served)
    except view.NoRun as err:
        raise click.ClickException(str(err)) from None
    click.echo(view.named(database), err=True)
    port_free_or_exit(view.LOOPBACK, view_port)
    view.serve(served, CURATOR, view_port, click.echo)


def demo_output(result: DemoResult, quiet: bool, width: int) -> str:
    """What `rollout demo` prints once the story has run, for a terminal `width` columns
    wide: where the page and the transcript are, and the closing note (the transcript
    itself, some 4,000 lines, goes to its file); with --quiet, only where the page is."""
    where = f"Open {result.html} in a browser to see the demo's messages as Slack shows them."
    if quiet:
        return wrap(where, width)
    closing = (
        f"{result.messages} messages in {result.seconds:.0f} s. {where} The transcript, week by week: "
        f"{result.transcript_file}. (Demo database: {result.database}.)\n{result.owners.said()}"
    )
    return wrap(closing, width)
