"""The overview's first screen in a real browser (Debian's chromium), over the demo's
served view: what a sponsor sees first at 390 and at 1,400 pixels wide (how many
playbooks are on track, at risk and stalled; the funnel; a small chart of each active
playbook's way to its target), then the org's trend one measure a chart, and the page
never scrolls sideways."""

import math
import re

import pytest

pytestmark = pytest.mark.slow  # a real browser and the whole demo: `bash tests/run -m "not slow"` leaves it out

WIDTHS = (390, 1400)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sponsor_sees_the_standing_the_funnel_and_the_small_charts_first(browser, demo_site, width):
    base, _ = demo_site
    browser.set_window_size(width, 900)
    browser.get(base + "/web/")
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= width, f"the overview scrolls sideways at {width} px ({page_width})"

    # The counts: the demo's five active playbooks, refund-triage stalled (two cycles missed),
    # and lead-research, whose cycle 3 met its target but was no better than the rest (issue 72).
    counts = {
        li.text.split("\n")[1]: int(li.text.split("\n")[0])
        for li in browser.find_elements("css selector", ".standings li")
    }
    assert counts == {"on track": 3, "at risk": 0, "stalled": 2}
    # The funnel: every playbook once at its furthest stage; support-replies was adopted, and
    # its adopter, its baseline measured in a baseline week, met its own target and the
    # origin's change in its first cycle: replicated (issue 81; it was adopted, not replicated).
    funnel = [li.text.split("\n") for li in browser.find_elements("css selector", ".funnel li")]
    assert [(n, stage) for n, stage, _ in funnel] == [
        ("4", "pilot"),
        ("0", "ready"),
        ("0", "published"),
        ("0", "adopted"),
        ("1", "replicated"),
    ]
    assert funnel[0][2] == "5 reached it" and funnel[-2][2] == "1 reached it"

    # The small multiples: one chart per active playbook, in a row that wraps, each with words.
    smalls = browser.find_elements("css selector", ".smalls figure.chart.small")
    assert len(smalls) == 5
    for figure in smalls:
        caption = figure.find_element("tag name", "figcaption").text
        assert re.match(r"latest -?\d+% of the way; \d+ of \d+ weeks reported, between", caption), caption
        assert "share of the way from baseline to target" in figure.get_attribute("aria-label")
        svg = figure.find_element("tag name", "svg").size
        assert svg["width"] >= 100 and svg["height"] >= 60, (width, svg)
    rows = {round(f.location["y"]) for f in smalls}
    assert len(rows) > 1 if width == 390 else len(rows) < len(smalls)  # wraps on a phone; side by side when wide
    # The first screen comes before the playbook tables and the org's trend.
    first_chart = smalls[0].location["y"]
    assert first_chart < browser.find_element("css selector", "main table").location["y"]
    # Every axis number stays inside its chart, readable.
    clipped = browser.execute_script(
        "return [...document.querySelectorAll('.chart')].flatMap(c => [...c.querySelectorAll('.y')]"
        ".filter(e => e.getBoundingClientRect().left < c.getBoundingClientRect().left)"
        ".map(e => e.textContent))"
    )
    assert clipped == [], (width, clipped)
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('.chart .plot span')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 10, (width, sizes)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_org_trend_is_one_measure_a_chart_from_the_first_week_with_data(browser, demo_site, width):
    base, _ = demo_site
    browser.set_window_size(width, 900)
    browser.get(base + "/web/")
    trend = browser.find_element("xpath", "//h2[.='The org, week by week']/following-sibling::div[@class='multiples']")
    titles = [h.text for h in trend.find_elements("tag name", "h3")]
    assert titles == ["Exception ratio", "Attestation rate"]
    ratio, rate = trend.find_elements("css selector", "figure.chart")
    ratio_ticks = [float(t.get_attribute("textContent")) for t in ratio.find_elements("css selector", ".y")]
    rate_ticks = [float(t.get_attribute("textContent")) for t in rate.find_elements("css selector", ".y")]
    # A ratio of a few percent on its own axis; the attestation rate on 0 to 100.
    assert ratio_ticks[0] == 0 and ratio_ticks[-1] <= 10, ratio_ticks
    assert rate_ticks[0] == 0 and rate_ticks[-1] == 100, rate_ticks
    for ticks in (ratio_ticks, rate_ticks):  # round steps: 1, 2, 2.5 or 5 times a power of ten
        step = ticks[1] - ticks[0]
        assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 2.5, 5), ticks
    # The table beside them starts at the first week with data: no empty rows before it.
    table = browser.find_element(
        "xpath", "//h2[.='The org, week by week']/following-sibling::div[contains(@class,'scroll')][1]//tbody"
    )
    cells = [
        [td.get_attribute("textContent") for td in tr.find_elements("tag name", "td")]
        for tr in table.find_elements("tag name", "tr")
    ]
    assert cells and cells[-1][1] != "–" and cells[-1][2] != "–"  # newest first: the oldest row has data
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
