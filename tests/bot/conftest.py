"""Fixtures for the bot's tests: `browser`, a real headless Chromium through Selenium, for
every test of the web view as a person sees it (Debian's `chromium` and
`chromium-driver`, which .ci/run installs); `api`, a client of the reporting API with
a helpdesk's token; `run`, the `rollout` command line on the test database."""

import json
import os
import shutil
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from bot.cli import cli
from usecases import tokens

API_NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday of week 1 of cycle 1 (from 16 November)

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromium-driver", DRIVER)) if not path]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Debian's {' and '.join(missing)} (.ci/run installs them)")
        pytest.skip(f"no {' and no '.join(missing)} here: apt-get install {' '.join(missing)}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """`rollout demo --serve`'s view over a fresh demo database, at its own loopback address:
    (the view's base URL, the demo's result)."""
    import threading

    import waitress

    from bot.demo.story import CURATOR, run
    from bot.demo.view import view_app

    result = run(tmp_path_factory.mktemp("demo"), say=lambda _: None)
    server = waitress.create_server(view_app(result.database, result.ended_at, CURATOR), host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}", result
    server.close()


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
