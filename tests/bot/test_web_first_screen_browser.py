"""The sponsor's first screen and people by name, in a real browser at 390 and 1,400
pixels wide, over a small site on SQLite and PostgreSQL (the demo's view, on SQLite, is
tested in test_web_sponsor_browser.py and test_web_names_browser.py): the standing, the
funnel and the small chart come first; the names the clock kept replace the ids (the owner, on the playbook page)."""

import pytest

from tests.bot.conftest import sign_in
from tests.conftest import CHANNEL, MEMBER, OWNER, Engine
from tests.usecases.test_governance import close_of, report_week

pytestmark = pytest.mark.slow  # a real browser: `bash tests/run -m "not slow"` leaves it out


def test_the_first_screen_and_the_names_on_either_database(browser, site, engine, slack, clock):
    slack.add_user(OWNER, name="Olivia Owens", display_name="Olivia")
    slack.add_user(MEMBER, name="Max Moreau")  # no display name: the real name
    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"], name="support-berlin")
    report_week(site, clock, 1, draft=(40, 0, "95%"), kpi="14")
    Engine(engine, slack, clock).run(close_of(1))  # the close's tick keeps the names it asked Slack for
    sign_in(browser, site)
    for width in (390, 1400):
        browser.set_window_size(width, 900)
        browser.get(site.base_url + "/web/")
        text = browser.find_element("tag name", "body").text
        first = text[: text.index("\nPlaybooks\n")]  # what comes before the tables
        assert "At a glance" in first and "on track" in first and "at risk" in first and "stalled" in first
        assert "pilot" in first and "replicated" in first and "Support reply drafting" in first
        charts = browser.find_elements("css selector", ".smalls svg")
        assert len(charts) == 1 and charts[0].size["width"] > 100, "the playbook's way as a small chart"
        width_used = browser.execute_script("return document.documentElement.scrollWidth")
        assert width_used <= width, f"the overview scrolls sideways at {width} px ({width_used})"
        browser.get(site.base_url + "/web/playbooks/support-replies")
        page = browser.find_element("tag name", "body").text
        assert "Olivia" in page and OWNER not in page, "the owner by name, not by id"
        width_used = browser.execute_script("return document.documentElement.scrollWidth")
        assert width_used <= width, f"the playbook page scrolls sideways at {width} px ({width_used})"
