"""Issue 108, items 1 and 7, as a person reads the demo's served view in a real headless
Chromium at a phone's width and a laptop's (390 and 1280 px): lead-research's stall
headline says why each cycle counts as missing, its chart showing cycle 3 over its
target; the CSAT chart is not stretched, no sentence says a playbook file's key, no two
labels of a chart's axis overlap, a paused week is a gap in every chart, each "N weeks"
caption counts the rows of its table, no axis reads "C0W0", and the registry's net hours
a cycle are the overview's."""

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.slow  # a real browser and the whole demo: `bash tests/run -m "not slow"` leaves it out

WIDTHS = (390, 1280)

# Each chart's visible week labels that overlap the one before them.
OVERLAPS = """
const out = [];
for (const plot of document.querySelectorAll('.chart .plot')) {
  const shown = [...plot.querySelectorAll('span.x')].filter(s => getComputedStyle(s).display !== 'none')
    .map(s => [s.innerText, s.getBoundingClientRect()]);
  for (let i = 1; i < shown.length; i++)
    if (shown[i][1].left < shown[i - 1][1].right + 2)
      out.push(`${plot.closest('figure').getAttribute('aria-label').split(',')[0]}: ${shown[i - 1][0]} / ${shown[i][0]}`);
}
return out;
"""

# Every chart's points as their hover texts say them, by the chart's name.
POINTS = """
return [...document.querySelectorAll('figure.chart')].map(f => [f.getAttribute('aria-label').split(',')[0],
  [...f.querySelectorAll('path.dot title')].map(t => t.textContent)]);
"""

# A chart's first series (the run's KPI, not the rest's) as its points' hover texts say it.
RUN = """
const f = [...document.querySelectorAll('figure.chart')].find(f => f.getAttribute('aria-label').startsWith(arguments[0]));
const stroke = f.querySelector('path.line').getAttribute('stroke');
return [...f.querySelectorAll('path.dot')].filter(d => d.getAttribute('stroke') === stroke).map(d => d.textContent);
"""

# Each "N weeks" caption under a table, with the rows that table shows.
CAPTIONS = """
return [...document.querySelectorAll('p.muted')].filter(p => /\\b\\d+ weeks?, from the first with data/.test(p.textContent))
  .map(p => { let e = p.previousElementSibling; while (e && !e.querySelector('table')) e = e.previousElementSibling;
    return [p.textContent.match(/(\\d+) weeks?/)[1], e ? e.querySelectorAll('tbody tr').length : -1]; });
"""


def _pages(browser, base) -> list[str]:
    browser.get(base + "/web/")
    found = {
        urlsplit(a.get_attribute("href")).path for a in browser.find_elements("css selector", "a[href*='/playbooks/']")
    }
    return ["/web/", "/web/registry", *sorted(found)]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_stall_headline_says_why_each_cycle_counts_as_missing_beside_its_chart(browser, demo_site, width):
    """Item 1: lead-research's page said "cycles 1 and 3 missed the target" over a chart of
    cycle 3 at 37-39 leads against a target of 35. It says why each cycle counts: cycle 3
    met its target but was no better than the rest, within noise."""
    base, _ = demo_site
    browser.set_window_size(width, 900)
    browser.get(base + "/web/playbooks/lead-research")
    headline = browser.find_element("xpath", "//main//p[strong[@class='flag' and text()='Stalled']]").text
    why = "cycle 1 missed the target, and cycle 3 met its target but was no better than the rest, within noise"
    assert headline == f"Stalled since the end of cycle 3 (2027-03-21): {why}.", headline
    charted = browser.execute_script(RUN, "Qualified leads a week")
    cycle_3 = [float(re.search(r": ([\d.]+) leads", t).group(1)) for t in charted if t.startswith("cycle 3,")]
    assert len(cycle_3) == 4 and min(cycle_3) >= 35  # what the chart shows, the headline now says
    browser.get(base + "/web/")
    assert f"stalled since the end of cycle 3 (2027-03-21): {why}" in browser.find_element("tag name", "main").text


def test_the_web_views_leftovers_at_a_phones_width_and_a_laptops(browser, demo_site):
    """Item 7, on every page of the demo's view at 390 and 1280 px."""
    base, _ = demo_site
    problems = []
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for path in _pages(browser, base):
            browser.get(base + path)
            where = f"{path} at {width} px"
            text = browser.find_element("tag name", "main").text
            problems += [
                f"{where}: a raw key in a sentence: {k}" for k in ("review_minutes", "exception_minutes") if k in text
            ]
            problems += [f"{where}: labels overlap: {o}" for o in browser.execute_script(OVERLAPS)]
            labels = [s.text for s in browser.find_elements("css selector", ".chart span.x")]
            if "C0W0" in labels or "C0W0" in text:
                problems.append(f"{where}: a week in no cycle reads C0W0")
            problems += [
                f"{where}: a caption says {said} weeks over a table of {rows} rows"
                for said, rows in browser.execute_script(CAPTIONS)
                if int(said) != rows
            ]
            for chart, points in browser.execute_script(POINTS):
                # a week in no cycle between runs is labelled "–": a paused week has no point
                problems += [f"{where}: {chart} draws the paused week: {p}" for p in points if p.startswith("–:")]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_guardrail_chart_is_not_stretched(browser, demo_site, width):
    """Item 7: support-replies' CSAT, 4.7 every week against its minimum of 4.6, was a line
    along the plot's top and its bound along the bottom: a tenth of a point as the plot's
    whole height. Drawn now, the two are less than a fifth of the height apart."""
    base, _ = demo_site
    browser.set_window_size(width, 900)
    browser.get(base + "/web/playbooks/support-replies")
    figure = browser.find_element("css selector", "figure.chart[aria-label^='CSAT']")
    plot = figure.find_element("css selector", ".plot").rect
    bound = figure.find_element("css selector", "path.reference").rect
    dots = [d.rect for d in figure.find_elements("css selector", "path.dot")]
    assert dots and plot["height"] > 0
    apart = max(abs((d["y"] + d["height"] / 2) - (bound["y"] + bound["height"] / 2)) for d in dots)
    assert apart < plot["height"] / 5, (apart, plot["height"])


def test_the_registry_says_the_net_hours_the_overview_says(browser, demo_site):
    """Item 7: the registry said "163 h net a cycle" of support-replies where the overview
    said 162 (173 h saved − 11 h oversight): one rounding, from one place."""
    base, _ = demo_site
    browser.set_window_size(1280, 900)
    browser.get(base + "/web/")
    overview = re.search(r"Net of oversight: ([\d,.]+) h net \(", browser.find_element("tag name", "main").text)
    browser.get(base + "/web/registry")
    registry = set(
        re.findall(r"value: ([\d,.]+) h net a cycle at the origin", browser.find_element("tag name", "main").text)
    )
    assert overview is not None and registry == {overview.group(1)}, (overview, registry)
