"""Fixtures for the bot's tests: `browser`, a real headless Chromium through Selenium, for
every test of the web view as a person sees it (Debian's `chromium` and
`chromium-driver`, which .ci/run installs); `api`, a client of the reporting API with
a helpdesk's token; `run`, the `rollout` command line on the test database; `site`, a
small web view on its own loopback address, and `sign_in` to it in the browser."""

import json
import os
import re
import shutil
import sqlite3
import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import cli
from bot.http_server import InThread
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES, SlackRequests, settings_for
from usecases import tokens
from usecases.shared.life import begin_cycle

API_NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday of week 1 of cycle 1 (from 16 November)

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def _alive(driver) -> bool:
    try:
        driver.current_url  # noqa: B018 (asks the driver; raises when Chromium is gone)
    except Exception:  # noqa: BLE001
        return False
    return True


@pytest.fixture(scope="session")
def _browsers():
    """One Chromium for the session (so one per xdist worker), started when a test first
    needs it and started again if a test left it dead."""
    held: list = []
    yield held
    for driver in held:
        driver.quit()


@pytest.fixture
def browser(_browsers):
    """A real headless Chromium, as a new one: no cookies, no cache, no page, no log,
    1,400 × 900. Starting Chromium costs seconds, so the session's one is reused."""
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromium-driver", DRIVER)) if not path]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Debian's {' and '.join(missing)} (.ci/run installs them)")
        pytest.skip(f"no {' and no '.join(missing)} here: apt-get install {' '.join(missing)}")
    if _browsers and not _alive(_browsers[0]):
        _browsers.pop().quit()
    if not _browsers:
        _browsers.append(_chromium())
    driver = _browsers[0]
    yield driver
    # Cleared after each test, for every origin: cookies ignore the port, and every site of
    # the session lives on 127.0.0.1.
    if _alive(driver):
        driver.get("about:blank")
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
        driver.set_window_size(1400, 900)
        driver.get_log("browser")  # drained: the next test reads only its own


@pytest.fixture(scope="session")
def demo_result(tmp_path_factory):
    """One run of `rollout demo` for the whole run, shared by xdist's workers: the first
    to need it runs the story (a minute or more) under a lock, the others wait and read
    what it left. Read it only; `demo_site` gives each module its own copy of the database."""
    import fcntl
    import pickle

    from bot.demo.story import run

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    saved = root / "demo-result.pickle"
    with open(root / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            result = run(root / "demo-shared", say=lambda _: None)
            saved.write_bytes(pickle.dumps(result))
        return pickle.loads(saved.read_bytes())


@pytest.fixture(scope="module")
def demo_site(demo_result, tmp_path_factory):
    """`rollout demo --serve`'s view over a copy of the demo's database, at its own loopback
    address: (the view's base URL, the demo's result, its database the copy)."""
    import dataclasses

    from bot.demo.cast import CURATOR
    from bot.demo.view import view_app

    database = tmp_path_factory.mktemp("demo") / demo_result.database.name
    source, copy = sqlite3.connect(demo_result.database), sqlite3.connect(database)
    source.backup(copy)  # whatever the WAL holds too
    source.close(), copy.close()
    result = dataclasses.replace(demo_result, database=database)
    server = InThread(view_app(result.database, result.ended_at, CURATOR)).start()
    yield server.url, result
    server.stop()


@pytest.fixture
def api(bot, playbook, store, clock):
    """A helpdesk export's token for kpi, cases and exceptions on support-replies."""
    clock.set(API_NOW)
    created = tokens.create(
        store, "helpdesk", ["support-replies"], ["kpi", "cases", "exception"], False, "test", API_NOW
    )
    return Client(bot.base_url, created.token)


class Client:
    def __init__(self, base_url: str, token: str | None):
        self.base_url, self.token = base_url, token

    def post(self, body, token: str | None = "default", raw: bytes | None = None):
        headers = {"Content-Type": "application/json"}
        bearer = self.token if token == "default" else token
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}/api/v1/reports", data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}"), err.headers


@pytest.fixture
def run(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


SITE_NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday of week 1 of cycle 1
KIT = {
    "runbook": "https://wiki.example.com/support-replies",
    "training": [
        "https://wiki.example.com/ai-drafting-101",
        "Shadow the origin team for one week",
        # a long address with nowhere to break: on a phone it wraps, the page does not scroll sideways
        "Then https://wiki.example.com/support/aidrafting/onboarding/everymodulewithitsexercisesfornewteams",
    ],
    "checks": ["Draft 10 sample tickets and review them before week 1"],
}


@pytest.fixture
def site(http_server, database_url, store, slack, clock):
    """The app with its web view at its own loopback address: support-replies with a kit,
    cycle 1 from Monday 16 November 2026, some numbers reported."""
    mount, url = http_server
    clock.set(SITE_NOW)
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "replication": KIT})], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    mount.app = make_asgi(
        create_app(settings_for(database_url, slack, rollout_web_url=url), store, clock=clock), store, clock
    )
    requests = SlackRequests(url)
    assert "Recorded" in requests.command("kpi support-replies 14.5").text
    requests.command("cases support-replies draft 40", user=OWNER)
    requests.command("learn support-replies Drafts that quote the policy need no edits")
    yield requests
    mount.app = None


def sign_in(browser, site, user: str = OWNER) -> None:
    link = re.search(r"(http://127\.0\.0\.1:\d+/web/login\?token=[A-Za-z0-9_-]+)", site.command("web", user=user).text)
    assert link, "the /rollout web reply carries the link"
    browser.get(link.group(1))
    assert urlsplit(browser.current_url).path == "/web/"
