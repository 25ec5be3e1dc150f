"""Shared fixtures: a database per test (SQLite and PostgreSQL), the Slack stand-in,
a movable clock, and the bot served over real HTTP by uvicorn, as in production.

Tests that use `engine` (directly or through `store` or `bot`) run once per database.
PostgreSQL: ROLLOUT_TEST_PG_URL names a server (default: the local one); a fresh
database is created for the session and dropped after. If no server answers, the
PostgreSQL runs are skipped locally and fail under CI (CI=true), where .ci/run
provides one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from slack_sdk import WebClient
from sqlalchemy import create_engine, text
from sqlalchemy import engine as sqlalchemy_engine
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.app import create_app
from bot.demo.standin import slack_requests
from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.slack_requests import Reply
from bot.http_server import InThread
from bot.settings import Settings
from bot.web import application, make_asgi
from cadence.definition_load import parse_playbook
from slack_api import client as slack_client
from slack_api.dispatch import Dispatcher
from slack_api.members import TeamDirectory
from slack_api.pacing import Pacer
from storage import migrate
from storage.db import make_engine, normalise_database_url
from storage.store import Store
from tests import scheduling
from tests.committed import loaded
from usecases.shared import life
from usecases.shared.life import begin_cycle
from usecases.tick import Cadence

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
ADMIN = "UADMIN0001"
OWNER = "UOWNER0001"
MEMBER = "UMEMBER001"
OUTSIDER = "UOUTSIDE01"
CHANNEL = "CTEAM00001"

SUPPORT_REPLIES = {
    "playbook": "support-replies",
    "title": "Support reply drafting",
    "function": "Support",
    "channel": CHANNEL,
    "owner": OWNER,
    "timezone": "Europe/Berlin",
    "kpi": {"name": "First-response time", "unit": "min", "direction": "down", "baseline": 42, "target": 15},
    "guardrail": {"name": "CSAT", "min": 4.6},
    "rubric_threshold": 0.90,
    "exception_cap": 0.10,
    "steps": [
        {"name": "draft", "mode": "collaborative"},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ],
}

# An input with its whole contract (readiness's (3)), declared unchecked on purpose with its
# reason (readiness's (7)); and both operational owners named (readiness's (5)): what a
# playbook needs besides its numbers to be ready to scale.
READY_INPUT = {
    "name": "ticket text",
    "owner": OWNER,
    "refresh": "live",
    "when_missing": "answer by hand",
    "check": "none",
    "reason": "typed by the customer: nothing to check",
}
READY_OWNERS = {"business_rules": OWNER, "model_updates": OWNER}


# support-replies with draft, the step its tests promote, saying it needs no calibration set
# (issue 80: a promotion to ai-led needs a set, or `calibration: none` with a reason)
NO_SET = {"calibration": "none", "reason": "a person reads every draft before it is sent"}
SUPPORT_REPLIES_NO_SET = {
    **SUPPORT_REPLIES,
    "steps": [{**s, **NO_SET} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]],
}


# ---- Hypothesis -----------------------------------------------------------------------

# `ci`, the default: each property at half the examples its test names (`examples(n)`), and
# no deadline (a loaded machine must fail no test by the clock). `--hypothesis-profile deep`
# runs ten times the named number, for a change to the grammar, the text check or the rules.
hypothesis_settings.register_profile("ci", max_examples=50, deadline=None, print_blob=True)
hypothesis_settings.register_profile("deep", max_examples=1000, deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci")


def past_the_database(output: str) -> str:
    """What a command said after naming the database it opens, its first line on stderr
    (bot/startup.py, name_database): `output` is click's result.output or stderr."""
    named, _, rest = output.partition("\n")
    assert named.startswith("Database: "), output
    return rest


def examples(count: int) -> int:
    """A property's examples, scaled by the profile: `count` / 2 under `ci`, × 10 under `deep`."""
    return max(1, count * hypothesis_settings.default.max_examples // 100)


def _databases() -> list[str]:
    return [d.strip() for d in os.environ.get("ROLLOUT_TEST_DATABASES", "sqlite,postgresql").split(",") if d.strip()]


# Database tests run on SQLite and on PostgreSQL, except these files (and tests marked
# `one_database`), which run once, on PostgreSQL (on the first of ROLLOUT_TEST_DATABASES when
# it names no postgresql). Their SQL is the same on both: they are about what people see and
# send (pages, browsers, Slack's shapes, routing, grammar), their writes are plain rows that the
# files kept on both databases (storage/, usecases/, commands, forms, the API, the CLI, text,
# races, processes, the dispatcher) also write. docs/contributing.md, "Developing", says why.
ONE_DATABASE = {
    "bot/test_install.py",
    "bot/test_reinstall.py",  # which process hears Slack first; the hold's rows: storage/contract/, bot/test_uninstall.py
    "bot/test_socket.py",
    "bot/test_web.py",
    "bot/test_web_a11y_browser.py",
    "bot/test_web_browser.py",
    "bot/test_web_names.py",
    "bot/test_web_names_browser.py",
    "bot/test_web_sign_in_with_slack.py",
    "bot/test_web_sponsor_browser.py",
    "bot/test_web_view.py",
    "handlers/test_grammar.py",
    "handlers/test_home.py",
    "handlers/test_people_and_ids.py",
    "handlers/test_routing.py",
    "handlers/test_slack_shapes.py",
    "slack_api/test_workspace.py",
    "templates/",
}
TESTS = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before pytest reads parametrize marks and fixtures' params
def pytest_generate_tests(metafunc):
    """`database_url`'s databases for this test: both, or one (`ONE_DATABASE`, the markers)."""
    if "database_url" not in metafunc.fixturenames:
        return
    databases = _databases()
    where = Path(metafunc.definition.path).relative_to(TESTS).as_posix()
    if metafunc.definition.get_closest_marker("postgres_only"):
        chosen = [d for d in databases if d == "postgresql"]
    elif metafunc.definition.get_closest_marker("one_database") or any(
        where == entry or (entry.endswith("/") and where.startswith(entry)) for entry in ONE_DATABASE
    ):
        chosen = ["postgresql" if "postgresql" in databases else databases[0]]
    else:
        return
    metafunc.definition.add_marker(pytest.mark.parametrize("database_url", chosen, indirect=True))


# Tests that share a costly session fixture run first, each group together and each group on
# a worker of its own (tests/scheduling.py), costliest first: the demo's run, the wheel's
# build and install, the backfilled Prometheus. Each worker makes its group's fixture once
# while the others run the rest. The demo's run is also made once across workers by its lock
# (tests/bot/conftest.py), should its readers ever be spread.
COSTLY_FIRST = ("demo_result", "installed", "prometheus")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: scheduling.group_of(item, COSTLY_FIRST))  # stable: the rest keep their order
    scheduling.spread_slow(items, COSTLY_FIRST)
    scheduling.write_groups(config, items, COSTLY_FIRST)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's `load` (tests/run), the costly groups apart; any other --dist as xdist has it."""
    if config.getvalue("dist") != "load":
        return None
    return scheduling.make_scheduler(config, log)


# ---- a person's request and Slack ----------------------------------------------


@pytest.fixture(autouse=True)
def request_budget(request, monkeypatch):
    """A request a person waits on gives Slack 1 s in all, its database work included
    (slack_api/client.py). A loaded CI machine can stall an ordinary request that long,
    which would make any test that sends one fail by the clock; speed is bench/'s to
    judge. So requests get 5 s here, and the tests that play a Slack slower than the
    budget, marked `slack_budget`, keep the real one."""
    if request.node.get_closest_marker("slack_budget") is None:
        monkeypatch.setattr(slack_client, "REQUEST_BUDGET", 5.0)


# ---- databases ------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A database of its own for this session, and so for each xdist worker (gw0, gw1…)."""
    server = normalise_database_url(os.environ.get("ROLLOUT_TEST_PG_URL", DEFAULT_PG))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"rollout_test_{worker}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # Tests need no durability across a crash of the server; commits get much faster.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as err:  # noqa: BLE001
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and {server} did not answer: {err}")
        pytest.skip(f"no PostgreSQL at {server}: {err}")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(_empty_function())
    engine.dispose()
    yield url
    if url in _kept:
        _kept.pop(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Every table emptied and every used sequence restarted, as TRUNCATE … RESTART IDENTITY
# would, at a fraction of its cost: TRUNCATE of 35 tables takes locks and new files for each
# (median 0.98 s on a loaded machine). The DELETEs run in one function made once a session, so
# a test's start is one statement on a connection kept for the session: 4 ms, where a new
# engine, its connection and 40 statements took 60 ms. Foreign keys run in a circle (playbook
# and registry_version name each other), so no order of DELETEs satisfies them: their triggers
# are off for the transaction. The suite's own database role is PostgreSQL's superuser
# (.ci/run), which may set the role.
def _empty_function() -> str:
    deletes = " ".join(f'DELETE FROM "{table.name}";' for table in SQLModel.metadata.sorted_tables)
    return f"""
CREATE FUNCTION rollout_test_empty() RETURNS void LANGUAGE plpgsql AS $body$
DECLARE used record;
BEGIN
  SET LOCAL session_replication_role = replica;
  {deletes}
  FOR used IN SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL LOOP
    EXECUTE 'ALTER SEQUENCE ' || quote_ident(used.schemaname) || '.' || quote_ident(used.sequencename) || ' RESTART';
  END LOOP;
END
$body$
"""


# One engine for each database a worker's tests use, kept for its session. SQLAlchemy keeps
# each statement's compiled SQL on its engine (its dialect is part of the cache's key), so an
# engine made for each test compiled every statement it sent again: 30% of the statements in
# tests/handlers/, 13% of that folder's CPU. Each test gets a view of it
# (`Engine.execution_options()`: the events a test listens for stay its own) and its
# connections are closed after the test; the compiled statements stay.
_kept: dict[str, sqlalchemy_engine.Engine] = {}  # a database URL -> its engine


def kept_engine(url: str) -> sqlalchemy_engine.Engine:
    return _kept.get(url) or _kept.setdefault(url, make_engine(url))


def _pool_listeners(engine: sqlalchemy_engine.Engine) -> list[int]:
    dispatch = engine.pool.dispatch
    return [len(getattr(dispatch, name)) for name in dispatch._event_names]


def _empty_postgres(url: str) -> None:
    engine = kept_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("SELECT rollout_test_empty()")


# The planner reads each table's size on disk and its statistics, which DELETE leaves as
# they were: tests of query plans start from TRUNCATEd (new, empty) tables.
FRESH_TABLES = {"storage/test_plans.py"}


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory) -> Path:
    """The one SQLite file this worker's tests use, the template copied over it for each."""
    return tmp_path_factory.mktemp("database") / "rollout.db"


@pytest.fixture(params=_databases())
def database_url(request) -> str:
    return empty_database(request, request.param)


def empty_database(request, kind: str) -> str:
    """The URL of this worker's `kind` database ("sqlite" or "postgresql"), migrated and empty."""
    if kind == "sqlite":
        path: Path = request.getfixturevalue("sqlite_path")
        for left in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            left.unlink(missing_ok=True)  # a new file each test: a connection left open keeps the old one
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    if Path(request.node.path).relative_to(TESTS).as_posix() in FRESH_TABLES:
        engine = make_engine(url)
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        _empty_postgres(url)
    return url


@pytest.fixture
def engine(database_url):
    with engine_view(database_url) as engine:
        yield engine


@contextmanager
def engine_view(url: str) -> Iterator[sqlalchemy_engine.Engine]:
    """A test's view of the worker's engine for `url`, its connections closed after."""
    kept = kept_engine(url)
    listening = _pool_listeners(kept)
    try:
        yield kept.execution_options()
    finally:
        kept.dispose()
        if _pool_listeners(kept) != listening:  # the pool is the views' own: a test listened on it
            _kept.pop(url)


@pytest.fixture
def store(engine) -> Store:
    return Store(engine)


# ---- time ---------------------------------------------------------------------------


class Clock:
    """The bot's idea of now. Tests set and move it; nothing sleeps."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    # Wednesday 2026-11-18 10:00 UTC, inside week 1 of a cycle started Monday 2026-11-16
    return Clock(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))


# ---- Slack ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def slack_server():
    server = SlackStandIn(token=BOT_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def slack(slack_server) -> SlackStandIn:
    slack_server.reset()
    slack_server.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"])
    for user in (ADMIN, OWNER, MEMBER, OUTSIDER):
        slack_server.add_user(user)
    return slack_server


class SlackRequests(slack_requests.SlackRequests):
    """Slack's side of HTTP, with the test workspace's defaults (a member in the team channel)."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET):
        super().__init__(base_url, secret)

    def command(self, text: str, user: str = MEMBER, channel: str = CHANNEL) -> Reply:
        return super().command(text, user, channel)


def settings_for(database_url: str, slack: SlackStandIn, **overrides: Any) -> Settings:
    values = dict(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database_url=database_url,
        rollout_admins=ADMIN,
        rollout_timezone="UTC",
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


class _Swappable:
    """One HTTP server for the session; each test mounts its own ASGI app on it. The
    server starts and stops as production's does (ASGI's lifespan): by the startup of
    every app bot/web.py builds (`application`), which holds the server's thread pool to
    bot/web.py's THREADS."""

    def __init__(self):
        self.app = None
        self.startup = application()  # no routes of its own: its lifespan only

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":  # the server's, not any one app's
            await self.startup(scope, receive, send)
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def http_server():
    mount = _Swappable()
    server = InThread(mount).start()
    yield mount, server.url
    server.stop()


@pytest.fixture
def bot(http_server, database_url, store, slack, clock):
    """The real app behind uvicorn on a loopback port; yields a SlackRequests for it."""
    mount, url = http_server
    app = create_app(settings_for(database_url, slack), store, clock=clock)
    mount.app = make_asgi(app, store, clock)
    yield SlackRequests(url)
    mount.app = None


@pytest.fixture
def playbook(store, clock):
    """support-replies, loaded and with cycle 1 started on Monday 2026-11-16."""
    from datetime import date

    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


class Engine:
    """The clock process's parts on a fake clock: tick, then deliver what it queued."""

    def __init__(self, engine, slack, clock):
        client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
        self.clock = clock
        self.store = Store(engine)
        self.log = self.store.cadence_log
        self.outbox = self.store.outbox
        self.cadence = Cadence(self.store, client, TeamDirectory(ttl_seconds=0), "UTC", clock)
        self.dispatcher = Dispatcher(
            self.outbox,
            client,
            clock=clock,
            sleep=lambda s: None,
            pacer=Pacer(per_channel_seconds=0, workspace_per_second=10_000),
            on_channel_lost=lambda channel, error: life.channel_lost(self.store, channel, error, clock()),
        )

    def run(self, at):
        """A tick, then the sources' pass at the same instant (the clock runs it beside the
        tick: bot/processes.py), then delivery."""
        self.clock.set(at)
        report = self.cadence.tick(at)
        self.cadence.sources.run_due(at)
        self.dispatcher.drain(max_wait=0)
        return report

    def run_through(self, start, end, step=timedelta(hours=1)):
        at = start
        while at <= end:
            self.run(at)
            at += step
