"""The org overview of a large org (more than usecases/overview_pages.py's LISTED playbooks),
served: one summary row a function (its counts by standing, the one furthest from target),
a function's lines 100 a page, a search of slugs, titles and functions, the ways to target
capped at CHARTED with a line saying how many more; the CSV still every playbook. The world
is built through the store (131 playbooks in three functions): nothing of ours is mocked."""

import copy
import csv
import io
import re
from datetime import date
from urllib.parse import quote_plus

import pytest

from cadence.definition_load import parse_playbook
from tests.bot.conftest import sign_in
from tests.bot.test_web_a11y_browser import WIDTHS, axe, check_page
from tests.bot.test_web_view import fetch, signed_in, view
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases.overview_pages import CHARTED, LISTED, PER_PAGE
from usecases.shared.life import begin_cycle

__all__ = ["axe", "view"]  # fixtures

SUPPORT, FINANCE, SALES = "Support", "Finance & Ops", "Sales <b>"
SUPPORTS, FINANCES, SALESES = 110, 15, 5  # and the `playbook` fixture's support-replies, in Support
PAUSED = ("support-108", "support-109", "finance-13", "finance-14")
AT_RISK = ("finance-00", "finance-01", "finance-02")  # two closed weeks of their cycle, no KPI in them
KPIS = {"finance-03": "30", "finance-04": "40"}  # this week's; 40 is the least of the way from 42 to 15


def _definition(slug: str, title: str, function: str, number: int) -> dict:
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(playbook=slug, title=title, function=function, channel=f"CSCALE{number:04d}")
    return raw


def build(requests, store, slack, clock):
    """131 playbooks: Support's 111 (with support-replies), Finance & Ops' 15, Sales <b>'s 5;
    four paused, three at risk, two with this week's KPI; the rest active in their first
    week (not judged yet)."""
    raws = [
        *(_definition(f"support-{i:03d}", f"Support reply {i:03d}", SUPPORT, i) for i in range(SUPPORTS)),
        *(_definition(f"finance-{i:02d}", f"Invoice matching {i:02d}", FINANCE, 200 + i) for i in range(FINANCES)),
        *(_definition(f"sales-{i}", f"Lead scoring {i}", SALES, 300 + i) for i in range(SALESES)),
    ]
    loaded(store, [parse_playbook(raw) for raw in raws], "UTC", actor="test", at=clock())
    for raw in raws:  # a playbook runs from its first cycle's start
        slack.add_channel(raw["channel"], [OWNER, "UROLLOUTBOT"])
        starts = date(2026, 11, 2) if raw["playbook"] in AT_RISK else date(2026, 11, 16)
        begin_cycle(store, store.playbooks.state(raw["playbook"]).playbook.id, 1, starts, OWNER, clock())
    with store.unit_of_work() as uow:  # their weeks of 2 and 9 November closed, as the clock's close marks them
        uow.governance.close_weeks([(store.playbooks.state(slug).playbook.id, date(2026, 11, 9)) for slug in AT_RISK])
        uow.commit()
    for slug in PAUSED:
        assert "paused" in requests.command(f"pause {slug} a quiet month", user=OWNER).text.lower()
    for slug, kpi in KPIS.items():
        assert "Recorded" in requests.command(f"kpi {slug} {kpi}", user=OWNER).text
    assert 1 + SUPPORTS + FINANCES + SALESES > LISTED


@pytest.fixture
def large(view, store, slack, clock):
    """The large org at https://rollout.example.com: the session cookie of its owner."""
    build(view, store, slack, clock)
    return signed_in(view, OWNER)


def page(view, cookie, query=""):
    status, _, body = fetch(view.base_url + "/web/" + query, cookie)
    return status, body


def slugs_of(body):
    """The slugs of the lines of the page's playbook tables, in order."""
    return re.findall(r'<td class="name"><a href="/web/playbooks/([a-z0-9-]+)">', body)


def summary_rows(body):
    """The summary's rows: each function's name and its figures' cells."""
    table = body[body.index('<h2 id="functions">') :]
    rows = re.findall(r'<tr>\n<td class="name"><a href="([^"]+)">(.*?)</a></td>\n(.*?)</tr>', table, re.S)
    return {name: (href, re.findall(r'<td class="num"[^>]*>(\d+)</td>', cells), cells) for href, name, cells in rows}


def csv_rows(view, cookie):
    status, _, text = fetch(view.base_url + "/web/playbooks.csv", cookie)
    assert status == 200
    return list(csv.DictReader(io.StringIO(text)))


def test_the_summary_has_a_row_a_function_with_its_counts_by_standing(view, large):
    status, body = page(view, large)
    assert status == 200
    rows = summary_rows(body)
    assert list(rows) == [FINANCE.replace("&", "&amp;"), SALES.replace("<", "&lt;").replace(">", "&gt;"), SUPPORT]
    # playbooks, active, on track, at risk, stalled, not judged yet
    assert rows["Finance &amp; Ops"][1] == ["15", "13", "0", "3", "0", "10"]
    assert rows["Sales &lt;b&gt;"][1] == ["5", "5", "0", "0", "0", "5"]
    assert rows[SUPPORT][1] == ["111", "109", "0", "0", "0", "109"]
    # the function's name URL-encoded in its link, and escaped in the attribute
    assert rows["Finance &amp; Ops"][0] == "/web/?function=" + quote_plus(FINANCE).replace("&", "&amp;")
    assert rows["Sales &lt;b&gt;"][0] == "/web/?function=Sales+%3Cb%3E"
    # the furthest from target: finance-04's 40 min is 7% of the way from 42 to 15
    furthest = '<a href="/web/playbooks/finance-04">Invoice matching 04</a> <span class="muted">7% of the way'
    assert furthest in rows["Finance &amp; Ops"][2]
    assert "no KPI reported" in rows[SUPPORT][2]
    # the first screen counts the same active playbooks, and no line is listed without asking
    assert "<strong>3</strong> at risk" in body and "<strong>124</strong> not judged yet" in body
    assert slugs_of(body) == [] and "<b>" not in body
    assert body.count('<input id="q" name="q" type="search"') == 1 and '<label for="q">' in body


def test_a_functions_lines_are_100_a_page_stalled_first_then_the_furthest_from_target(view, large):
    everyone = [r["playbook"] for r in csv_rows(view, large) if r["function"] == SUPPORT]
    status, first = page(view, large, "?function=Support")
    assert status == 200
    assert slugs_of(first) == everyone[:PER_PAGE]
    assert "page 1 of 2" in first and '<nav class="weeks" aria-label="Pages of Support playbooks">' in first
    assert '<a href="/web/?function=Support&amp;page=2">next →</a>' in first and "← previous" not in first
    status, second = page(view, large, "?function=Support&page=2")
    assert status == 200
    assert slugs_of(second) == everyone[PER_PAGE:] and len(everyone) == 111
    assert "page 2 of 2" in second and '<a href="/web/?function=Support">← previous</a>' in second
    assert "next →" not in second
    assert slugs_of(second)[-2:] == ["support-108", "support-109"]  # the paused ones last
    # a page beyond the last is the last; a page that is no number, the first
    assert slugs_of(page(view, large, "?function=Support&page=9")[1]) == everyone[PER_PAGE:]
    assert slugs_of(page(view, large, "?function=Support&page=-1")[1]) == everyone[:PER_PAGE]
    # Finance & Ops by its encoded name: no KPI first (none is known to be near), then the furthest
    status, finance = page(view, large, "?function=" + quote_plus(FINANCE))
    assert status == 200 and "page 1 of 1" in finance and "next →" not in finance
    lines = slugs_of(finance)
    assert len(lines) == 15 and lines[-4:] == ["finance-04", "finance-03", "finance-13", "finance-14"]


def test_the_search_matches_slugs_titles_and_functions_whatever_their_case(view, large):
    status, body = page(view, large, "?q=FINANCE-0")
    assert status == 200 and "10 playbooks matched." in body
    assert sorted(slugs_of(body)) == [f"finance-{i:02d}" for i in range(10)]
    assert 'value="FINANCE-0"' in body
    _, body = page(view, large, "?q=lead+scoring+3")
    assert slugs_of(body) == ["sales-3"] and "1 playbook matched." in body
    assert "· Sales &lt;b&gt;</span>" in body  # each line names its function
    _, body = page(view, large, "?q=" + quote_plus("sales <B>"))  # by function
    assert sorted(slugs_of(body)) == [f"sales-{i}" for i in range(5)]
    # more than FOUND: the first 100, saying how many matched
    _, body = page(view, large, "?q=support")
    assert "111 playbooks matched: the first 100 shown" in body and len(slugs_of(body)) == 100
    _, body = page(view, large, "?q=nothing+like+it")
    assert slugs_of(body) == [] and "No playbook's slug, title or function holds “nothing like it”." in body


def test_hostile_and_long_searches_are_escaped_and_cut(view, large):
    status, body = page(view, large, "?q=" + quote_plus('<script>alert("x")</script>'))
    assert status == 200 and "<script>" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    long = "x" * 150
    status, body = page(view, large, "?q=" + long)
    assert status == 200 and f'value="{"x" * 100}"' in body and "x" * 101 not in body
    assert 'maxlength="100"' in body


def test_an_unknown_function_is_404_with_the_summary_and_a_notice(view, large):
    status, body = page(view, large, "?function=" + quote_plus("Legal <i>"))
    assert status == 404
    assert "No playbook is in a function called “Legal &lt;i&gt;”. The functions are below." in body
    assert list(summary_rows(body)) and slugs_of(body) == []


def test_the_ways_to_target_are_capped_with_a_line_saying_how_many_more(view, large):
    _, body = page(view, large)
    smalls = body[body.index('<div class="smalls">') : body.index('<h2 id="hours">') if 'id="hours"' in body else None]
    assert smalls.count("<div><h3><a href=") == CHARTED
    active = 131 - len(PAUSED)
    assert f"{active - CHARTED} more active playbooks not charted here" in body
    # risks first: the three at risk lead
    charted = re.findall(r'<div><h3><a href="/web/playbooks/([a-z0-9-]+)">', smalls)
    assert sorted(charted[:3]) == sorted(AT_RISK)


def test_the_csv_still_has_every_playbook(view, large):
    rows = csv_rows(view, large)
    assert len(rows) == 131 and len({r["playbook"] for r in rows}) == 131
    assert {r["function"] for r in rows} == {SUPPORT, FINANCE, SALES}


@pytest.mark.slow  # a real browser
def test_a_large_orgs_pages_pass_the_accessibility_audit_at_both_widths(browser, axe, site, store, slack, clock):
    build(site, store, slack, clock)
    sign_in(browser, site)
    problems = []
    for width in WIDTHS:
        for query in ("", "?function=Support&page=2", "?function=Sales+%3Cb%3E", "?q=finance", "?function=Nope"):
            problems += check_page(browser, axe, site.base_url + "/web/" + query, width)
    assert problems == [], "\n".join(problems)
