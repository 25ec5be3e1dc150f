"""`rollout serve`, `rollout web` and `rollout socket`: the processes that take Slack's
requests (over HTTP or Socket Mode) and serve the web view, the API and /healthz, with the
clock beside them or in a process of its own. Registered on the `rollout` group by bot/cli.py."""

from __future__ import annotations

import logging
import signal
import socket as sockets
import subprocess
import sys
import threading

import click

from bot.settings import Settings
from bot.startup import (
    checked_settings,
    name_database,
    open_store,
    verify_slack,
)
from slack_api.workspace import Unverified, Workspace

log = logging.getLogger("rollout")


@click.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="HTTP processes (uvicorn starts another for any that dies). One: the clock runs in it. More than "
    "one: the clock runs as a process of its own beside them.",
)
@click.option("--no-scheduler", is_flag=True, help="Do not run the cadence clock and dispatcher here.")
def serve(port: int | None, host: str, workers: int, no_scheduler: bool) -> None:
    """Serve Slack's HTTP requests at POST /slack/events (health: GET /healthz, GET /metrics)."""
    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    sock = _listening(host, settings.port if port is None else port)
    name_database(settings)  # before Slack is asked: which database, or that it is not there
    known = verify_slack(settings)
    open_store(settings).engine.dispose()  # schema checked; each process opens its own connections
    warn_without_admins(settings)
    _serve_uvicorn(sock, workers, with_clock=not no_scheduler, known=known)


@click.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers", type=int, default=2, show_default=True, help="HTTP processes (the Procfile's WEB_CONCURRENCY)."
)
def web(port: int | None, host: str, workers: int) -> None:
    """The Procfile's `web`: HTTP processes only, for a platform that restarts what exits.

    The settings are checked here, once, before any process starts: a bad one ends it in
    one sentence. Then each process serves whatever else is wrong rather than exit: a
    database that does not answer, or a bot token Slack refuses, is said by /healthz
    (503), and each process recovers by itself once the cause is gone. The clock runs
    as the Procfile's `clock`."""
    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="--workers")
    sock = _listening(host, settings.port if port is None else port)
    name_database(settings)  # its workers open it, each waiting until it answers
    warn_without_admins(settings)
    from bot import http_server
    from bot.web import create

    host, port = sock.getsockname()[:2]
    log.info(
        "serving Slack requests on http://%s:%d/slack/events (%s)",
        host,
        port,
        "1 process" if workers == 1 else f"{workers} processes",
    )
    try:
        if workers == 1:
            http_server.serve(create(), host, port, sock)
        else:
            http_server.serve_workers("bot.web:create", sock, workers)
    finally:
        sock.close()


def warn_without_admins(settings: Settings) -> None:
    """One warning at the start of a serving process when ROLLOUT_ADMINS names nobody."""
    if not settings.admins:
        log.warning(
            "ROLLOUT_ADMINS is empty: nobody can appoint a curator or run the other admin commands; set it "
            "to the Slack member ids of the bot's admins, comma-separated (a profile's ⋯ menu → Copy member "
            "ID), e.g. ROLLOUT_ADMINS=U0123456789, then restart"
        )


def _serve_uvicorn(
    sock: sockets.socket,
    workers: int,
    with_clock: bool,
    socket_mode: bool = False,
    known: Workspace | Unverified | None = None,
) -> None:
    """The ASGI app (bot/web.py) under uvicorn (bot/http_server.py), on `sock`. One process (the
    default): the app is served here, the clock and the dispatcher run beside the requests
    sharing their caches, and stop once the server has. Several: uvicorn's supervisor
    starts them (each builds its app, `bot.web:create`, and asks Slack about the token
    itself) and starts another for one that dies; the clock is not among them, it runs as
    `rollout clock`, a child of this command. `socket_mode` (`rollout socket`): Slack's
    requests come over the Socket Mode connection, which this process opens beside its
    clock; its HTTP serves everything else. `known`: what this command learned of the
    token, used rather than asked again."""
    from bot import http_server
    from bot.web import serving

    # From here a SIGTERM stops the server once it has started (building the app and opening
    # Slack's connection take seconds), rather than killing the process.
    stopping = http_server.Stopping.installed()
    host, port = sock.getsockname()[:2]
    clock_process = None
    if with_clock and workers > 1:
        clock_process = subprocess.Popen([sys.executable, "-m", "bot", "clock"])
        log.info("cadence clock and dispatcher running as process %d", clock_process.pid)
    if socket_mode:
        log.info("serving the web view, the reporting API, /healthz and /metrics on http://%s:%d/", host, port)
    elif workers == 1:
        log.info("serving Slack requests on http://%s:%d/slack/events", host, port)
    else:
        log.info("serving Slack requests on http://%s:%d/slack/events (%d processes)", host, port, workers)
    try:
        if workers > 1:
            http_server.serve_workers("bot.web:create", sock, workers)
            return
        app, running = serving(with_clock=with_clock, socket_mode=socket_mode, known=known)
        try:
            http_server.serve(app, host, port, sock, stopping)
        finally:
            running.stop()
    finally:
        sock.close()
        if clock_process is not None:
            clock_process.terminate()
            clock_process.wait(timeout=30)


@click.command()
@click.option("--no-scheduler", is_flag=True, help="Do not run the cadence clock and dispatcher here.")
@click.option("--no-http", is_flag=True, help="Serve no HTTP: no web view, reporting API, /healthz or /metrics.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT, else 3000; 0: a free one).")
@click.option("--host", default="0.0.0.0", show_default=True)
def socket(no_scheduler: bool, no_http: bool, port: int | None, host: str) -> None:
    """Run in Socket Mode (no public URL needed), with the clock and dispatcher in-process,
    and the web view, reporting API, /healthz and /metrics on HTTP as `serve` has them."""
    from bot.web import Running

    settings = checked_settings("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    sock = None if no_http else _listening(host, settings.port if port is None else port)
    name_database(settings)  # before Slack is asked: which database, or that it is not there
    workspace = verify_slack(settings, app_token=True)
    warn_without_admins(settings)
    if sock is not None:
        # The same server as `serve`: its one process holds the Slack connection and the clock.
        open_store(settings).engine.dispose()  # schema checked; the server opens its own connections
        _serve_uvicorn(sock, workers=1, with_clock=not no_scheduler, socket_mode=True, known=workspace)
        return
    running = Running.socket_mode(settings, workspace, open_store(settings), with_clock=not no_scheduler)
    stopped = threading.Event()
    # Platforms stop processes with SIGTERM: close the connection and the clock, exit 0.
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    log.info("connected to Slack in Socket Mode; Ctrl-C to stop")
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def _listening(host: str, port: int) -> sockets.socket:
    """The server's socket, bound (port 0: a free one); one sentence and exit 1 when
    something else already listens on `port`."""
    from bot import http_server

    try:
        return http_server.listening(host, port)
    except OSError as err:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({err.strerror or err}): stop what uses that port, "
            "or choose another with --port"
        ) from None


def port_free_or_exit(host: str, port: int) -> None:
    """One sentence and exit 1 when something else already listens on `port`."""
    _listening(host, port).close()
