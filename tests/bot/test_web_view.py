"""The web view over HTTP, on SQLite and PostgreSQL: the one-time link of /rollout web,
the session cookie and its attributes, sign-out (which ends the session on the server,
and only from the view's own pages), redirects without a session, the pages and their
CSV, and who sees what (as /rollout status)."""

import copy
import csv
import io
import re
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.app import create_app
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from tests.committed import committed, loaded
from tests.conftest import ADMIN, MEMBER, OWNER, SUPPORT_REPLIES, Engine, SlackRequests, settings_for
from tests.usecases.test_governance import close_of, publish_over, report_week
from usecases.shared.life import begin_cycle

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
CURATOR = "UCURATOR1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def fetch(url, cookie=None, method="GET", headers=None):
    sent = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, method=method, headers={**sent, **(headers or {})})
    try:
        with OPENER.open(request, timeout=60) as response:  # speed is bench/'s to judge, not a loaded machine's
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


@pytest.fixture
def view(http_server, database_url, store, slack, clock, playbook):
    """The app with its web view at https://rollout.example.com (Secure cookies)."""
    mount, url = http_server
    clock.set(NOW)
    settings = settings_for(database_url, slack, rollout_web_url="https://rollout.example.com")
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    slack.add_user(CURATOR)
    requests = SlackRequests(url)
    requests.command(f"curator add <@{CURATOR}>", user=ADMIN)
    yield requests
    mount.app = None


def link_of(view, user):
    text = view.command("web", user=user).text
    found = re.search(r"https://rollout\.example\.com(/web/login\?token=[A-Za-z0-9_-]+)", text)
    assert found, text
    return view.base_url + found.group(1)


def signed_in(view, user):
    status, headers, _ = fetch(link_of(view, user))
    assert status == 303 and headers["Location"] == "/web/"
    return headers["Set-Cookie"].split(";")[0]


def web_session(bot, http_server, database_url, slack, store, clock, user, **settings):
    """Serve the app of `bot` with its web view at the test server's own address (and any
    other `settings`), and a session cookie for `user` signed in by the link `/rollout web`
    gives; returns (url, cookie)."""
    mount, url = http_server
    mount.app = make_asgi(
        create_app(settings_for(database_url, slack, rollout_web_url=url, **settings), store, clock=clock), store, clock
    )
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=user).text)
    return url, fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]


# What a browser sends with the form of the Sign out button of a page at the view's address.
OWN_PAGE = {"Origin": "https://rollout.example.com"}


def sign_out(view, cookie, headers=OWN_PAGE):
    return fetch(view.base_url + "/web/logout", cookie=cookie, method="POST", headers=headers)


def test_without_a_session_every_page_redirects_to_sign_in_and_shows_nothing(view):
    for path in ("/web/", "/web/playbooks/support-replies", "/web/playbooks/support-replies.csv", "/web/registry"):
        status, headers, body = fetch(view.base_url + path)
        assert (status, headers["Location"], body) == (303, "/web/signin", ""), path
    status, _, body = fetch(view.base_url + "/web/signin")
    assert status == 200 and "Type <code>/rollout web</code>" in body and "Support reply drafting" not in body
    status, _, _ = fetch(view.base_url + "/web/", cookie="rollout_session=forged.value.here")
    assert status == 303


def test_without_rollout_web_url_the_sign_in_page_says_what_the_operator_sets(bot):
    """Issue 54, item 14: no link can be issued without the view's address, so the page
    does not send people to /rollout web, which would only refuse them."""
    status, _, body = fetch(bot.base_url + "/web/signin")
    assert status == 200 and "No sign-in link can be issued yet" in body, body
    assert "<code>ROLLOUT_WEB_URL</code>" in body and "Type <code>/rollout web</code>" not in body, body
    assert "can't make you a link" in bot.command("web", user=MEMBER).text  # what Slack says meanwhile


def test_a_person_deactivated_in_slack_is_signed_out_of_the_web_view_at_once(view, store):
    """Issue 54, item 16: a signed `user_change` saying `deleted` ends their sessions and
    voids their unused links; anyone else's session goes on."""
    cookie, other = signed_in(view, MEMBER), signed_in(view, OWNER)
    unused = link_of(view, MEMBER)
    assert fetch(view.base_url + "/web/", cookie=cookie)[0] == 200
    reply = view.event({"type": "user_change", "user": {"id": MEMBER, "deleted": True}})
    assert reply.status == 200
    for path in ("/web/", "/web/playbooks/support-replies"):
        status, headers, body = fetch(view.base_url + path, cookie=cookie)
        assert (status, headers["Location"], body) == (303, "/web/signin", ""), path
    assert fetch(unused)[0] == 403
    assert fetch(view.base_url + "/web/", cookie=other)[0] == 200


def test_a_one_time_link_signs_in_once_within_ten_minutes(view, clock):
    link = link_of(view, MEMBER)
    status, headers, _ = fetch(link)
    assert status == 303
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("rollout_session=")
    assert {"httponly", "samesite=lax", "secure", "max-age=43200", "path=/web/"} <= {
        part.strip().lower() for part in cookie.split(";")
    }
    assert headers["Referrer-Policy"] == "same-origin"  # nothing to other sites; our own Origin to us
    status, _, body = fetch(link)  # used
    assert status == 403 and "has been used" in body
    late = link_of(view, MEMBER)
    clock.set(NOW + timedelta(minutes=11))
    assert fetch(late)[0] == 403
    status, headers, _ = sign_out(view, cookie.split(";")[0])
    assert status == 303 and "Max-Age=0" in headers["Set-Cookie"]


def test_sign_out_ends_the_session_on_the_server(view):
    cookie = signed_in(view, MEMBER)
    elsewhere = signed_in(view, MEMBER)  # the same person in another browser
    copied = cookie  # a copy taken before sign-out: another machine, a proxy's log
    assert fetch(view.base_url + "/web/", cookie)[0] == 200
    status, headers, _ = sign_out(view, cookie)
    assert (status, headers["Location"]) == (303, "/web/signin?out=1") and "Max-Age=0" in headers["Set-Cookie"]
    for path in ("/web/", "/web/playbooks/support-replies", "/web/playbooks/support-replies.csv", "/web/registry"):
        status, headers, body = fetch(view.base_url + path, copied)
        assert (status, headers["Location"], body) == (303, "/web/signin", ""), path
    assert fetch(view.base_url + "/web/", elsewhere)[0] == 200  # sign-out ends this browser's session only
    again = signed_in(view, MEMBER)
    status, _, page = fetch(view.base_url + "/web/", again)
    assert status == 200 and "Support reply drafting" in page
    assert fetch(view.base_url + "/web/", copied)[0] == 303


def test_a_session_lasts_12_hours(view, clock):
    cookie = signed_in(view, MEMBER)
    clock.advance(hours=11, minutes=59)
    assert fetch(view.base_url + "/web/", cookie)[0] == 200
    clock.advance(minutes=1)
    status, headers, body = fetch(view.base_url + "/web/", cookie)
    assert (status, headers["Location"], body) == (303, "/web/signin", "")


def sessions_kept(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM web_session")).scalar_one()


def test_ended_sessions_leave_no_row_behind(view, engine, clock):
    ended = signed_in(view, MEMBER)
    sign_out(view, ended)
    signed_in(view, OWNER)
    assert sessions_kept(engine) == 1
    clock.advance(hours=12)
    signed_in(view, MEMBER)  # a sign-in deletes the sessions that have expired
    assert sessions_kept(engine) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, a data: page
        {"Origin": "http://rollout.example.com"},  # not over https
        {"Origin": "https://rollout.example.com.evil.example"},
        {"Origin": "https://rollout.example.com:8443"},
        {"Referer": "https://evil.example/web/"},
        {"Origin": "https://evil.example", "Referer": "https://rollout.example.com/web/"},
    ],
    ids=["none", "foreign", "null", "http", "suffix", "port", "foreign-referer", "foreign-origin-own-referer"],
)
def test_sign_out_from_another_site_is_refused_and_changes_nothing(view, headers):
    cookie = signed_in(view, MEMBER)
    status, answer, body = sign_out(view, cookie, headers)
    assert status == 403 and "Sign-out refused" in body and "did not come from a page of this site" in body
    assert answer["Set-Cookie"] is None
    status, _, page = fetch(view.base_url + "/web/", cookie)
    assert status == 200 and "Support reply drafting" in page


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://rollout.example.com"},
        {"Origin": "HTTPS://Rollout.Example.com:443"},
        {"Referer": "https://rollout.example.com/web/playbooks/support-replies?until=2026-11-16"},
    ],
    ids=["origin", "origin-spelled-otherwise", "referer-without-origin"],
)
def test_sign_out_from_the_views_own_page(view, headers):
    cookie = signed_in(view, MEMBER)
    status, answer, _ = sign_out(view, cookie, headers)
    assert status == 303 and "Max-Age=0" in answer["Set-Cookie"]
    assert fetch(view.base_url + "/web/", cookie)[0] == 303


def test_over_https_every_answer_carries_strict_transport_security(view):
    cookie = signed_in(view, MEMBER)
    answers = [
        fetch(view.base_url + "/web/signin"),
        fetch(view.base_url + "/web/"),  # a redirect without a session
        fetch(view.base_url + "/web/login?token=nope"),
        fetch(view.base_url + "/web/", cookie),
        fetch(view.base_url + "/web/overview.csv", cookie),
        fetch(view.base_url + "/web/playbooks/nope", cookie),
        fetch(view.base_url + "/web/nothing", cookie),
        fetch(view.base_url + "/web/", cookie, method="PUT"),
        sign_out(view, cookie, {}),  # refused
        sign_out(view, cookie),
        fetch(link_of(view, OWNER)),  # the one-time link's redirect
    ]
    for status, headers, _ in answers:
        assert headers["Strict-Transport-Security"] == "max-age=31536000", status


def test_the_pages_show_the_numbers_in_their_units_with_a_table_and_csv(view):
    view.command("kpi support-replies 14.5")
    view.command("cases support-replies draft =HYPERLINK(1)", user=OWNER)  # refused: not a number
    cookie = signed_in(view, MEMBER)
    status, headers, overview = fetch(view.base_url + "/web/", cookie)
    assert status == 200 and "Support reply drafting" in overview and "14.5 min" in overview
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert (
        "script-src" not in headers["Content-Security-Policy"]
        and "default-src 'none'" in headers["Content-Security-Policy"]
    )
    assert "The org, week by week" in overview and "Open proposals" in overview and "No open proposal." in overview
    status, _, csv = fetch(view.base_url + "/web/overview.csv", cookie)
    assert status == 200 and csv.splitlines()[0] == "week,exception ratio %,attestation rate %"
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200 and "<svg" in page and "<table>" in page and "baseline 42" in page
    assert "This week (cycle 1, week 1)" in page and "Modes over time" in page and "Who reported the numbers" in page
    assert "<strong>14.5 min</strong>" in page and f'{MEMBER}</td><td data-label="What">KPI' in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from another address
    status, headers, csv = fetch(view.base_url + "/web/playbooks/support-replies.csv", cookie)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert csv.splitlines()[0].startswith("week,label,First-response time,guardrail CSAT,guardrail state,draft verdict")
    assert fetch(view.base_url + "/web/playbooks/nope", cookie)[0] == 404
    assert fetch(view.base_url + "/web/registry", cookie)[0] == 200


def csv_links(page):
    return re.findall(r'href="(/web/[^"]+\.csv)"', page)


def test_every_table_downloads_as_csv_with_formulas_neutralised(view):
    view.command('learn support-replies =HYPERLINK("http://evil.example") quote the policy')
    view.command("kpi support-replies 14.5")
    cookie = signed_in(view, OWNER)
    seen = set()
    for path in ("/web/", "/web/playbooks/support-replies", "/web/registry"):
        _, _, page = fetch(view.base_url + path, cookie)
        for link in csv_links(page):
            status, headers, csv = fetch(view.base_url + link, cookie)
            assert status == 200 and headers["Content-Type"].startswith("text/csv"), link
            assert "filename=" in headers["Content-Disposition"] and csv.count("\n") >= 1, link
            seen.add(link)
    base = "/web/playbooks/support-replies"
    assert {"/web/overview.csv", "/web/playbooks.csv", f"{base}.csv"} <= seen  # the registry's: when it has one
    assert {f"{base}/{t}.csv" for t in ("steps", "decisions", "sources", "reports", "learnings")} <= seen
    _, _, learnings = fetch(view.base_url + f"{base}/learnings.csv", cookie)
    assert "'=HYPERLINK" in learnings and "\n=HYPERLINK" not in learnings
    _, _, playbooks = fetch(view.base_url + "/web/playbooks.csv", cookie)
    assert "support-replies,Support reply drafting,active,1,1,14.5,min,42" in playbooks
    assert fetch(view.base_url + f"{base}/nothing.csv", cookie)[0] == 404
    assert fetch(view.base_url + "/web/nothing.csv", cookie)[0] == 404  # the overview has no such table
    assert fetch(view.base_url + f"{base}/steps", cookie)[0] == 404


HYPERLINK = '=HYPERLINK("http://x","y")'
# A playbook whose every free name starts a formula: its KPI, its guardrail, its title,
# function, units and contract.
FORMULAS = copy.deepcopy(SUPPORT_REPLIES)
FORMULAS.update(
    playbook="formula-names",
    title="+SUM(1,1)",
    function="-2+3",
    kpi={"name": HYPERLINK, "unit": "@u", "direction": "down", "baseline": 42, "target": 15},
    guardrail={"name": '@HYPERLINK("http://x","y")', "unit": "=1", "min": -5},
    inputs=["=cmd|' /C calc'!A0"],
    outputs=["@reply"],
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-\d+(\.\d+)?")  # a number the bot wrote: a spreadsheet reads -3 as minus three


def load_formulas(store, clock):
    """FORMULAS loaded beside support-replies, cycle 1 from Monday 16 November 2026; stored
    text that starts a formula from every path (typed, and stored before input was checked)."""
    loaded(store, [parse_playbook(FORMULAS)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("formula-names")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    committed(store).learnings.add(state.playbook.id, 1, "\t=1+1 stored before", OWNER, clock())
    committed(store).learnings.add(state.playbook.id, 1, "\r@SUM(A1)", OWNER, clock())
    return store.playbooks.state("formula-names")


def formula_cells(text):
    """The cells of a CSV, header included, that a spreadsheet would run as a formula."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]


def test_no_cell_of_any_csv_starts_a_formula_header_or_data(view, store, clock):
    load_formulas(store, clock)
    view.command("kpi formula-names -3", user=OWNER)  # a number: written as the number it is
    view.command("guardrail formula-names -1.5", user=OWNER)
    view.command("exception formula-names send -2+3 refunds", user=OWNER)
    view.command('learn formula-names =HYPERLINK("http://evil.example") quote the policy', user=OWNER)
    publish_over(view, store, "publish formula-names override @curators asked for it")  # and an admin approves
    cookie = signed_in(view, CURATOR)
    seen = {}
    for path in ("/web/", "/web/playbooks/formula-names", "/web/registry"):
        _, _, page = fetch(view.base_url + path, cookie)
        for link in csv_links(page):
            status, _, text = fetch(view.base_url + link, cookie)
            assert status == 200, link
            seen[link] = text
    base = "/web/playbooks/formula-names"
    tables = ("steps", "modes", "decisions", "sources", "reports", "learnings")
    assert {"/web/overview.csv", "/web/playbooks.csv", "/web/registry.csv", f"{base}.csv"} <= set(seen)
    assert {f"{base}/{t}.csv" for t in tables} - {f"{base}/modes.csv"} <= set(seen)
    for link, text in seen.items():
        assert formula_cells(text) == [], (link, text)
    weeks = next(csv.reader(io.StringIO(seen[f"{base}.csv"])))
    assert weeks[2] == "'" + HYPERLINK and weeks[3] == 'guardrail @HYPERLINK("http://x","y")', weeks
    assert ",-3.0," in seen[f"{base}.csv"] or ",-3," in seen[f"{base}.csv"], seen[f"{base}.csv"]
    assert "'\t=1+1 stored before" in seen[f"{base}/learnings.csv"]
    assert "'+SUM(1,1)" in seen["/web/playbooks.csv"] and "'-2+3" in seen["/web/registry.csv"]


def test_each_report_is_listed_with_who_sent_it_and_reasons_only_for_the_owner_and_curators(view):
    view.command("kpi support-replies 15")
    view.command("kpi support-replies 14")
    assert "Withdrew your KPI reading" in view.command("undo support-replies").text
    view.command("exception support-replies draft the customer is a lawyer", user=OWNER)
    for user, sees in ((MEMBER, False), (OWNER, True), (CURATOR, True)):
        cookie = signed_in(view, user)
        _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
        listed = page[page.index("Each report, newest first") :]
        assert re.search(rf"<tr class=\"withdrawn\">.*?>14<.*?{MEMBER}.*?withdrawn by {MEMBER}", listed), user
        assert re.search(
            rf'<tr><td>[^<]+</td><td data-label="Week"><abbr title="cycle 1, week 1">C1W1</abbr></td><td data-label="What">KPI</td><td data-label="Step"></td>'
            rf'<td class="num" data-label="Value">15</td><td data-label="By">{MEMBER}',
            listed,
        )
        assert ("the customer is a lawyer" in page) is sees, user
        _, _, csv = fetch(view.base_url + "/web/playbooks/support-replies/reports.csv", cookie)
        assert (
            "the customer is a lawyer" in csv
        ) is sees and f"exception,draft,,{'the customer is a lawyer' if sees else ''},{OWNER}" in csv


def test_the_kpi_and_the_guardrail_are_charted_in_their_units_with_the_guardrails_bound(view):
    view.command("kpi support-replies 14.5")
    view.command("guardrail support-replies 4.4")
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, MEMBER))
    assert page.count("<svg") == 2 and "Guardrail: CSAT, week by week" in page
    assert "min 4.6" in page and "target 15" in page and "baseline 42" in page  # the charts' legends
    assert "guardrail CSAT at least 4.6" in page and '<td class="num">4.4</td>' in page


def test_a_playbook_page_charts_up_to_two_years_and_pages_back_through_its_weeks(view, clock):
    clock.set(NOW + timedelta(weeks=60))  # Monday 2028-01-10 is the 61st week from the first cycle
    cookie = signed_in(view, MEMBER)
    page_of = "/web/playbooks/support-replies"
    _, _, page = fetch(view.base_url + page_of, cookie)
    assert "The charts span 61 weeks from cycle 1, week 1" in page and ">C16W1<" in page
    assert "Weeks 2027-07-19 to 2028-01-10" in page and "weeks after" not in page
    earlier = re.search(r'href="([^"]+)">← the 26 weeks before', page).group(1)
    assert earlier == page_of + "?until=2027-07-12"
    _, _, page = fetch(view.base_url + earlier, cookie)
    assert "Weeks 2027-01-18 to 2027-07-12" in page and f'href="{page_of}">the weeks after' in page
    assert f'href="{page_of}/steps.csv?until=2027-07-12"' in page
    _, _, csv = fetch(view.base_url + page_of + "/steps.csv?until=2027-07-12", cookie)
    assert csv.splitlines()[1].startswith("2027-01-18,") and csv.splitlines()[-1].startswith("2027-07-12,")
    _, _, page = fetch(view.base_url + page_of + "?until=2027-01-11", cookie)
    assert "Weeks 2026-11-16 to 2027-01-11" in page and "weeks before" not in page
    for odd, weeks in (
        ("?until=1999-01-01", "2026-11-16 to 2026-11-16"),  # the first week: nothing is before it
        ("?until=tomorrow", "2027-07-19 to 2028-01-10"),
        ("?until=2999-01-01", "2027-07-19 to 2028-01-10"),
    ):
        status, _, page = fetch(view.base_url + page_of + odd, cookie)
        assert status == 200 and f"Weeks {weeks}" in page, odd
    clock.set(NOW + timedelta(weeks=130))
    _, _, page = fetch(view.base_url + page_of, signed_in(view, MEMBER))  # sessions last 12 hours
    assert "The charts span 104 weeks" in page


def test_a_judged_week_shows_the_numbers_its_verdicts_were_judged_on(view, engine, slack, clock):
    report_week(view, clock, 1, draft=(40, 1, "95%"))
    Engine(engine, slack, clock).run(close_of(1))
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, OWNER))
    grid = page[page.index("Steps × weeks") : page.index("This week")]
    # The verdict and its numbers in words; on hover, each number with its cases and its
    # 95% Wilson interval (docs/judgement.md).
    said = "draft, week 2026-11-16 (cycle 1, week 1): {}: 40 cases, 1 exception, rubric 95%"
    interval = "; exceptions 1 of 40 = 2% (95% CI 0–13%, cap 10%); rubric 95% of 40 cases (every case reviewed, 95% CI 83–99%, threshold 90%)"
    cell = re.search(
        r'<td class="(PASS|FAIL|INCONCLUSIVE)" title="([^"]*)" data-week="cycle 1, week 1">(.*?)</td>', grid
    )
    assert cell, grid
    verdict, title, shown = cell.groups()
    assert title == said.format(verdict) + interval
    glyph = {"PASS": "✓", "FAIL": "✗", "INCONCLUSIVE": "?"}[verdict]
    assert f'<span class="verdict">{glyph} {verdict}</span><small>40 · 1 · 95%</small>' in shown, shown
    assert f'<span class="sr">{said.format(verdict)}</span>' in shown, shown
    _, _, steps = fetch(view.base_url + "/web/playbooks/support-replies/steps.csv", signed_in(view, OWNER))
    rows = list(csv.DictReader(io.StringIO(steps)))
    draft = next(r for r in rows if r["step"] == "draft" and r["week"] == "2026-11-16")
    assert (
        draft["exception ratio %"],
        draft["exception ratio 95% CI low %"],
        draft["exception ratio 95% CI high %"],
    ) == (
        "2.5",
        "0.4",
        "12.9",
    )
    assert (draft["rubric 95% CI low %"], draft["rubric 95% CI high %"]) == ("83.5", "98.6")
    assert draft["rubric %"] == "95.0" and "rubric" not in draft  # in percent, as the page shows it


def test_who_sees_what_follows_status(view):
    view.command("attest support-replies no draft the customer wanted a call")
    for user, sees in ((MEMBER, False), (OWNER, True), (CURATOR, True)):
        _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, user))
        assert ("the customer wanted a call" in page) is sees, user
        assert ("1 deviation reported this week" in page) is not sees, user


def test_without_an_address_the_command_says_how_to_set_it(bot, playbook):
    assert "ROLLOUT_WEB_URL" in bot.command("web").text


def test_hostile_text_is_shown_as_text(view, store):
    view.command("learn support-replies <script>alert(1)</script> & <b>bold</b>")
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, OWNER))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_path_is_a_routes_own_and_a_slug_one_segment(view):
    cookie = signed_in(view, MEMBER)
    paths = ("/web/playbooks/support-replies/steps/more.csv", "/web/playbooks/Support-Replies", "/web/nothing")
    for path in (*paths, "/web/registry/"):  # nor is a page's path with a slash added
        assert fetch(view.base_url + path, cookie)[:1] == (404,), path
        assert fetch(view.base_url + path)[:1] == (404,), path  # nothing there, signed in or not
    status, headers, body = fetch(view.base_url + "/web/logout", cookie)
    assert (status, headers["Allow"], body) == (405, "POST", "POST only")
    status, headers, body = fetch(view.base_url + "/web/registry", cookie, method="POST")
    assert (status, headers["Allow"], body) == (405, "GET", "GET only")
    assert fetch(view.base_url + "/web/registry", cookie, method="HEAD")[0] == 200
    # `/web` itself is the mount's, not a route of the view: Starlette leads it to `/web/`.
    status, headers, _ = fetch(view.base_url + "/web", cookie)
    assert (status, headers["Location"]) == (307, view.base_url + "/web/")
    assert fetch(headers["Location"], cookie)[0] == 200


def test_no_two_routes_of_the_view_take_the_same_request():
    """Each route's own path, its parameters filled in, is matched by that route first."""
    from starlette.routing import Match

    from handlers.web_view import make_web_view

    routes = make_web_view(None, "secret", secure=False).routes
    examples = {"slug": "support-replies", "table": "steps"}
    for route in routes:
        path = re.sub(r"\{(\w+):\w+\}", lambda found: examples[found[1]], route.path)
        for method in route.methods:
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            assert next(r for r in routes if r.matches(scope)[0] == Match.FULL) is route, (method, path)


def test_depth_over_months_on_both_pages_with_tables_and_csv(view, engine, slack, clock):
    """Cases, the share of steps AI-led or collaborative and the people who reported, per
    closed week, charted one measure a chart with a table and a CSV; each cycle's KPI
    change with its t-interval."""
    report_week(view, clock, 1, draft=(40, 1, "95%"), kpi="30")
    Engine(engine, slack, clock).run(close_of(1))
    report_week(view, clock, 2, draft=(30, 0, "95%"), kpi="28")
    Engine(engine, slack, clock).run(close_of(2))
    cookie = signed_in(view, MEMBER)
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    section = page[page.index("<h2>Depth over months</h2>") : page.index("<h2>Modes over time</h2>")]
    for title in ("Cases per week", "Steps AI-led or collaborative", "People who reported"):
        assert f"<h3>{title}</h3>" in section
    assert section.count("<svg") == 3 and 'aria-label="Support reply drafting: cases per week, week by week' in section
    # week 2: 30 + 20 + 12 cases; draft and send of three steps; the owner and the member
    assert re.search(
        r"2026-11-23 <span class=\"muted\"><abbr title=\"cycle 1, week 2\">C1W2</abbr></span></td><td class=\"num\">62</td>",
        section,
    )
    assert '67% <span class="muted">(2 of 3)</span></td><td class="num">2</td>' in section
    _, _, depth_csv = fetch(view.base_url + "/web/playbooks/support-replies/depth.csv", cookie)
    assert depth_csv.splitlines() == [
        "week,cases,steps judged,AI-led or collaborative,% AI-led or collaborative,people who reported",
        "2026-11-16,72,3,2,66.7,2",
        "2026-11-23,62,3,2,66.7,2",
    ]
    start = page.index("<h2>KPI change by cycle</h2>")
    cycles = page[start : page.index("<nav", start)]
    assert "−13.0 min from baseline, 95% CI −25.7 to −0.3" in cycles  # (30 + 28) / 2 − 42, t with 1 df
    _, _, cycles_csv = fetch(view.base_url + "/web/playbooks/support-replies/cycles.csv", cookie)
    assert cycles_csv.splitlines()[1].startswith("1,3,2,-13.0,-25.7")  # cycle 1 so far: 3 weeks, 2 with a KPI
    _, _, overview = fetch(view.base_url + "/web/", cookie)
    org = overview[overview.index("<h2>Depth over months</h2>") : overview.index("<h2>Open proposals</h2>")]
    assert org.count("<svg") == 3 and "The org: people who reported" in org
    _, _, org_csv = fetch(view.base_url + "/web/depth.csv", cookie)
    assert org_csv.splitlines()[1:] == ["2026-11-16,72,3,2,66.7,2", "2026-11-23,62,3,2,66.7,2"]


def test_a_plateau_is_flagged_on_every_surface_from_one_rule(view, engine, store, slack, clock):
    """Cases flat for 8 weeks while the KPI is off target: "plateau" on the playbook's
    page, the overview, status, the digest and the API's reads."""
    from cadence import keys
    from tests.bot.test_api_reads import get
    from usecases import tokens

    state = store.playbooks.state("support-replies")
    draft = state.steps[0]
    weeks = [date(2026, 11, 16) + timedelta(days=7 * i) for i in range(16)]  # to 2027-03-01
    flat = [40] * 8 + [38, 40, 35, 40, 39, 40, 36, 40]
    with engine.begin() as c:  # sixteen closed weeks of history, as the clock would have left them
        for week, cases in zip(weeks, flat, strict=True):
            c.execute(
                text(
                    "INSERT INTO step_verdict (playbook_id, step_id, week_start, mode, outcome, cases, exceptions, "
                    "recorded_at) VALUES (:p, :s, :w, 'collaborative', 'PASS', :n, 0, :at)"
                ),
                dict(p=state.playbook.id, s=draft.id, w=week, n=cases, at=NOW),
            )
        c.execute(
            text(
                "INSERT INTO kpi_reading (playbook_id, week_start, value, reported_by, reported_at) "
                "VALUES (:p, :w, 30, :by, :at)"
            ),
            dict(p=state.playbook.id, w=weeks[-1], by=MEMBER, at=NOW),
        )
        c.execute(text("UPDATE playbook SET closed_through = :w, status = 'active'"), dict(w=weeks[-1]))
        c.execute(  # the clock's record of having closed them
            text(
                "INSERT INTO cadence_job (key, kind, playbook_id, week_start, due_at, status, recorded_at) "
                "VALUES (:key, 'close', :p, :w, :at, 'done', :at)"
            ),
            dict(key=keys.close(state.playbook.id, weeks[-1]), p=state.playbook.id, w=weeks[-1], at=NOW),
        )
    clock.set(datetime(2027, 3, 10, 12, tzinfo=UTC))  # Wednesday: the week of 2027-03-01 ended
    assert "*Plateau*: its cases have not grown in 8 weeks" in view.command("status support-replies").text
    cookie = signed_in(view, MEMBER)
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert ' · <strong class="flag">plateau</strong></p>' in page  # under the heading
    _, _, overview = fetch(view.base_url + "/web/", cookie)
    assert "1 playbook on a plateau" in overview and '<strong class="flag" title="Cases have not grown' in overview
    _, _, playbooks_csv = fetch(view.base_url + "/web/playbooks.csv", cookie)
    assert playbooks_csv.splitlines()[0].endswith(",plateau") and playbooks_csv.splitlines()[1].endswith(",True")
    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    assert get(view.base_url, "/api/v1/playbooks/support-replies", reader)[1]["plateau"] is True
    assert get(view.base_url, "/api/v1/playbooks", reader)[1]["playbooks"][0]["plateau"] is True

    slack.add_channel("CCURATORS1", [OWNER])
    committed(store).org.set_setting("curators_channel", "CCURATORS1", ADMIN, clock())
    Engine(engine, slack, clock).run(datetime(2027, 3, 15, 13, 0, tzinfo=UTC))  # Monday's digest
    thread = next(m for m in slack.posted("CCURATORS1") if m["text"].startswith("Support: 1 playbook"))
    assert "plateau: cases not grown in 8 weeks while the KPI is off target" in str(thread["blocks"])
