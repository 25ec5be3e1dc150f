"""Names, not ids, as a person sees them: `rollout demo --serve`'s view in a real browser
(headless Chromium), at 390 and at 1,400 pixels wide. The demo's clock asked its Slack
stand-in for every name; the pages show people and channels by them and no raw id."""

import re

import pytest

from bot.demo.cast import CHANNELS, PEOPLE

pytestmark = pytest.mark.slow  # a real browser and the whole demo: `bash tests/run -m "not slow"` leaves it out

IDS = re.compile(r"\b(?:" + "|".join([*PEOPLE, *CHANNELS]) + r")\b")


@pytest.mark.parametrize("width", [390, 1400])
def test_the_pages_show_people_and_channels_by_name(browser, demo_site, width):
    base, _ = demo_site
    browser.set_window_size(width, 900)
    pages = {
        "/web/registry": ["#support-apac", "Dan", "Eve", "approved by Cora"],
        "/web/playbooks/support-replies-support-apac": ["Champion", "Eve:"],
        "/web/playbooks/support-replies": ["(Ana, ", "Bea"],
        "/web/": ["Support reply drafting"],
    }
    for path, sees in pages.items():
        browser.get(base + path)
        for details in browser.find_elements("css selector", "details"):  # each report, with who sent it
            browser.execute_script("arguments[0].open = true", details)
        text = browser.find_element("tag name", "body").text
        for words in sees:
            assert words in text, (path, width, words)
        assert IDS.findall(text) == [], (path, width)
