"""Fixtures for the bot's tests: `browser`, a real headless Chromium through Selenium, for
every test of the web view as a person sees it (Debian's `chromium` and
`chromium-driver`, which .ci/run installs)."""

import os
import shutil

import pytest

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
