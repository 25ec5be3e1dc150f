"""The web view's accessibility, in a real browser (headless Chromium through Selenium):
axe-core's audit of every page at 390 and 1,400 pixels wide, over a small site (on SQLite
and PostgreSQL) and over the demo's; no page scrolling sideways on a phone; the steps ×
weeks grid read without hovering; kit links that are links.

axe-core comes from the npm registry, pinned: `bash tests/fetch-axe-core` puts its
axe.min.js in .cache/axe-core/ (ROLLOUT_AXE_JS names another copy). Without it the audit
is skipped here and fails under CI (.ci/run fetches it)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.bot.conftest import sign_in
from tests.conftest import Engine
from tests.usecases.test_governance import close_of, report_week

pytestmark = pytest.mark.slow  # a real browser: `bash tests/run -m "not slow"` leaves it out

AXE = Path(os.environ.get("ROLLOUT_AXE_JS") or Path(__file__).parents[2] / ".cache" / "axe-core" / "axe.min.js")
WIDTHS = (390, 1400)
BLOCKING = {"serious", "critical"}  # what fails the audit; the rest is listed with it


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's source, to inject into each page."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs axe-core at {AXE}: .ci/run fetches it with `bash tests/fetch-axe-core`")
        pytest.skip(f"no axe-core at {AXE}: `bash tests/fetch-axe-core` fetches it (npm), or set ROLLOUT_AXE_JS")
    return AXE.read_text()


def audit(browser, axe: str) -> list[str]:
    """axe-core's violations on the page the browser shows: the serious and critical
    ones, each as its rule, impact and the elements it found."""
    browser.execute_script(axe)
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))), e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), targets: []}]));"
    )
    return [
        f"{v['id']} ({v['impact']}: {v['help']}): {', '.join(v['targets'][:8])}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


def check_page(browser, axe: str, url: str, width: int) -> list[str]:
    """What is wrong with the page at `url`, `width` pixels wide: axe-core's serious and
    critical violations, and sideways scrolling of the page."""
    browser.set_window_size(width, 900)
    browser.get(url)
    return check_shown(browser, axe, width)


def check_shown(browser, axe: str, width: int) -> list[str]:
    where = f"{urlsplit(browser.current_url).path} at {width} px"
    problems = [f"{where}: {v}" for v in audit(browser, axe)]
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    if page_width > width:
        wide = browser.execute_script(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth && !e.closest('.scroll')).slice(0, 5).map(e => e.outerHTML"
            ".slice(0, 120))"
        )
        problems.append(f"{where}: the page scrolls sideways ({page_width} px): {wide}")
    return problems


def test_every_page_of_a_small_site_passes_the_audit_at_both_widths(browser, axe, site):
    problems = []
    for width in WIDTHS:  # signed out: sign-in, a used link, a sign-out from elsewhere
        for path in ("/web/signin", "/web/login?token=used-or-unknown"):
            problems += check_page(browser, axe, site.base_url + path, width)
        browser.set_window_size(width, 900)
        browser.get("data:text/html,<form method=post action='" + site.base_url + "/web/logout'></form>")
        browser.execute_script("document.forms[0].submit()")
        assert "Sign-out refused" in browser.find_element("tag name", "h1").text
        problems += check_shown(browser, axe, width)
    sign_in(browser, site)
    for width in WIDTHS:
        for path in ("/web/", "/web/playbooks/support-replies", "/web/registry", "/web/playbooks/no-such-one"):
            problems += check_page(browser, axe, site.base_url + path, width)
    assert problems == [], "\n".join(problems)


def test_every_page_of_the_demo_passes_the_audit_at_both_widths(browser, axe, demo_site):
    base, _ = demo_site
    browser.get(base + "/web/")
    slugs = sorted(
        {
            urlsplit(a.get_attribute("href")).path
            for a in browser.find_elements("css selector", "a[href*='/playbooks/']")
        }
    )
    assert len(slugs) >= 5, slugs
    problems = []
    for width in WIDTHS:
        for path in ("/web/", "/web/registry", "/web/signin", "/web/playbooks/no-such-one", *slugs):
            problems += check_page(browser, axe, base + path, width)
    assert problems == [], "\n".join(problems)


def test_the_grid_reads_without_hovering_and_the_runbook_is_a_link(browser, site, engine, slack, clock):
    report_week(site, clock, 1, draft=(40, 0, "95%"))
    Engine(engine, slack, clock).run(close_of(1))
    sign_in(browser, site)
    browser.set_window_size(390, 900)
    browser.get(site.base_url + "/web/playbooks/support-replies")
    legend = browser.find_element("css selector", "p.legend").text
    for words in ("✓ PASS", "✗ FAIL", "? INCONCLUSIVE", "– MISSING", "cases · exceptions · rubric score"):
        assert words in legend, legend
    row = next(
        r
        for r in browser.find_elements("css selector", "table.grid tbody tr")
        if r.find_element("tag name", "th").text == "draft"
    )
    weeks = [th.get_attribute("title") for th in browser.find_elements("css selector", "table.grid thead th")]
    assert weeks[2:] == sorted(weeks[2:], reverse=True), weeks  # after the step and its mode: the latest week first
    cell = row.find_elements("tag name", "td")[weeks.index("2026-11-16") - 1]  # the first week, judged
    verdict = cell.find_element("css selector", ".verdict")
    assert verdict.is_displayed() and verdict.text in ("✓ PASS", "✗ FAIL", "? INCONCLUSIVE"), verdict.text
    word = verdict.text[2:]
    assert cell.find_element("tag name", "small").text == "40 · 0 · 95%"
    said = f"draft, week 2026-11-16 (cycle 1, week 1): {word}: 40 cases, 0 exceptions, rubric 95%"
    assert cell.get_attribute("title").startswith(said + "; exceptions 0 of 40 = 0% (95% CI"), cell.get_attribute(
        "title"
    )
    hidden = cell.find_element("css selector", ".sr")
    assert hidden.get_attribute("textContent") == said
    assert hidden.size["width"] <= 1 and hidden.size["height"] <= 1, "for screen readers only"
    # The colour is not the only cue: each verdict's glyph differs in shape.
    assert cell.get_attribute("class") == word and cell.value_of_css_property("color") != "rgba(29, 28, 29, 1)"
    runbook = browser.find_element("css selector", "a[href='https://wiki.example.com/support-replies']")
    assert runbook.is_displayed() and runbook.get_attribute("rel") == "noopener noreferrer"
    assert runbook.text == "https://wiki.example.com/support-replies"
    training = browser.find_element("css selector", "a[href='https://wiki.example.com/ai-drafting-101']")
    assert training.get_attribute("rel") == "noopener noreferrer"
    shadow = next(li for li in browser.find_elements("tag name", "li") if "Shadow the origin team" in li.text)
    assert shadow.find_elements("tag name", "a") == []


def test_the_demos_kit_and_champion_checklist_link_their_addresses(browser, demo_site):
    base, _ = demo_site
    browser.set_window_size(390, 900)
    browser.get(base + "/web/registry")
    runbooks = browser.find_elements("css selector", "a[href='https://wiki.example.com/support-replies']")
    assert runbooks and all(a.get_attribute("rel") == "noopener noreferrer" for a in runbooks)
    browser.get(base + "/web/playbooks/support-replies-support-apac")
    checklist = browser.find_element("css selector", "ul.checklist")
    training = checklist.find_element("css selector", "a[href='https://wiki.example.com/ai-drafting-101']")
    assert training.get_attribute("rel") == "noopener noreferrer" and training.is_displayed()
    assert "Training: https://wiki.example.com/ai-drafting-101" in checklist.text


# What a frame that scrolls sideways hides at first, per page: the tables wider than their
# frame (only the steps × weeks grid may be, and only on a phone), the sentences cut by a
# frame's edge (a reason, a stall's words: they wrap or stack instead), and whether the
# grid's latest week is in sight.
LAYOUT = """
const sentence = e => e.textContent.split(/\\s+/).filter(w => /[a-z]{2}/i.test(w)).length >= 4;
const frames = [...document.querySelectorAll('.scroll')].filter(f => f.offsetParent !== null);
const wide = frames.filter(f => !f.querySelector('table.grid') && f.scrollWidth > f.clientWidth + 1)
  .map(f => `${f.getAttribute('aria-label')}: ${f.scrollWidth} px in ${f.clientWidth}`);
const cut = frames.flatMap(f => { const box = f.getBoundingClientRect();
  return [...f.querySelectorAll('td')].filter(c => !c.closest('table.grid') && c.offsetParent !== null && sentence(c)).filter(c => {
    const r = c.getBoundingClientRect(); return r.right > box.right + 1 || r.width < 48; })
  .map(c => `${f.getAttribute('aria-label')}: "${c.textContent.trim().slice(0, 60)}"`); });
const grid = document.querySelector('table.grid');
let latest = null;
if (grid) {
  const weeks = [...grid.querySelectorAll('thead th[title]')];
  const last = weeks.reduce((a, b) => (a.title > b.title ? a : b));
  const box = grid.closest('.scroll').getBoundingClientRect(), r = last.getBoundingClientRect();
  latest = r.left >= box.left - 1 && r.right <= box.right + 1 ? null : `${last.title} at x ${Math.round(r.left)}`;
}
return {wide, cut, latest};
"""


def test_the_demos_tables_fit_and_show_the_latest_weeks_first_at_both_widths(browser, demo_site):
    """The demo's long texts (refund-triage's stall, the request's reason, twelve weeks):
    at 1,400 px no table but the grid is wider than its frame; at both widths no sentence
    is cut by a frame's edge or squeezed to a few characters; the grid opens on its latest
    week, with every week a column to scroll to."""
    base, _ = demo_site
    browser.get(base + "/web/")
    playbooks = sorted(
        {
            urlsplit(a.get_attribute("href")).path
            for a in browser.find_elements("css selector", "a[href*='/playbooks/']")
        }
    )
    problems = []
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for path in ("/web/", "/web/registry", *playbooks):
            browser.get(base + path)
            seen = browser.execute_script(LAYOUT)
            where = f"{path} at {width} px"
            if width == 1400:
                problems += [f"{where}: wider than its frame: {w}" for w in seen["wide"]]
            problems += [f"{where}: a sentence cut or squeezed: {c}" for c in seen["cut"]]
            if seen["latest"]:
                problems.append(f"{where}: the grid's latest week is out of sight: {seen['latest']}")
    assert problems == [], "\n".join(problems)
