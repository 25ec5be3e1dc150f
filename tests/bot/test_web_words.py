"""What the web view's pages say where a person lands by mistake or on leaving (issue 67,
item 4), over HTTP on SQLite and PostgreSQL: a mistyped playbook's address while signed
in is a 404 that says there is no such playbook and links the overview; sign-out says you
are signed out and how to come back, in the demo's view too."""

import secrets

from bot.web import application, web_view_routes
from handlers.web_view import make_web_view
from slack_api.members import TeamDirectory
from tests.bot.test_web_view import CURATOR, fetch, sign_out, signed_in, view
from tests.conftest import ADMIN, MEMBER, Engine
from tests.usecases.test_governance import close_of, report_week
from usecases.shared.services import Services

__all__ = ["view"]  # a fixture


def test_a_mistyped_playbook_address_is_a_404_saying_no_such_playbook_with_the_overview_linked(view):
    cookie = signed_in(view, MEMBER)
    for path in ("/web/playbooks/suport-replies", "/web/playbooks/suport-replies.csv"):
        status, _, page = fetch(view.base_url + path, cookie)
        assert status == 404, path
        assert "<title>No such playbook · Rollout Cadence</title>" in page and "<h1>No such playbook</h1>" in page
        assert "No playbook is called <code>suport-replies</code>." in page
        assert '<a href="/web/">The overview</a> lists every playbook' in page
        assert "Sign in" not in page and 'action="/web/logout"' in page  # still signed in: the pages' header


def test_sign_out_says_you_are_signed_out_and_how_to_come_back(view):
    status, headers, _ = sign_out(view, signed_in(view, MEMBER))
    assert (status, headers["Location"]) == (303, "/web/signin?out=1")
    status, _, page = fetch(view.base_url + headers["Location"])
    assert status == 200 and "<h1>Signed out</h1>" in page
    assert "<strong>You are signed out</strong>: this browser's session has ended." in page
    assert "To come back, sign in again as below." in page and "Type <code>/rollout web</code> in Slack" in page
    status, _, page = fetch(view.base_url + "/web/signin")  # not after a sign-out: no such words
    assert "<h1>Sign in</h1>" in page and "signed out" not in page


def test_the_demos_view_says_how_to_come_back_not_that_no_link_can_be_issued(http_server, store, clock):
    """`rollout demo --serve` signs everyone in as its curator and knows no address of its
    own: its sign-in page and sign-out say so, not "No sign-in link can be issued yet"."""
    mount, url = http_server
    services = Services(
        store=store, clock=clock, admins=frozenset({ADMIN}), org_timezone="UTC", directory=TeamDirectory(ttl_seconds=0)
    )
    demo = make_web_view(services, secrets.token_hex(16), secure=False, signed_in_as=CURATOR)
    mount.app = application(*web_view_routes(demo))
    try:
        status, headers, _ = fetch(url + "/web/logout", method="POST", headers={"Origin": url})
        assert (status, headers["Location"]) == (303, "/web/signin?out=1")
        for path, heading in (("/web/signin?out=1", "Signed out"), ("/web/signin", "Sign in")):
            status, _, page = fetch(url + path)
            assert status == 200 and f"<h1>{heading}</h1>" in page, path
            assert "signs everyone in as the demo's curator" in page and '<a href="/web/">Open the overview</a>' in page
            assert "No sign-in link can be issued yet" not in page and "restarts it" not in page
    finally:
        mount.app = None


def test_a_rules_decision_weeks_and_statuses_are_said_in_words(view, engine, slack, clock):
    """Issue 67, item 6: a demotion by the rules is "by the bot (critical demotion)", not
    `rule:critical`; a week's short label C1W2 is spelt out on hover, in the charts' axis
    title and its points, and where the page names a week in a sentence; a status is
    defined where it is shown."""
    report_week(view, clock, 1)
    Engine(engine, slack, clock).run(close_of(1))
    report_week(view, clock, 2, send=(20, 5))  # 25% exceptions on an ai-led step: over twice its cap
    Engine(engine, slack, clock).run(close_of(2))
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, MEMBER))
    decisions = page[page.index("<h2>Decisions</h2>") :]
    assert '<td data-label="By" class="says">the bot (critical demotion)</td>' in decisions and "rule:" not in page
    assert '<abbr title="cycle 1, week 2">C1W2</abbr>' in page  # the tables and the grid's columns
    assert "<title>cycle 1, week 1: 14 min</title>" in page  # a point of the KPI's chart, on hover
    assert '<p class="x-title">Weeks: C2W3 is cycle 2, week 3</p>' in page
    assert "<h2>This week (cycle 1, week 3)</h2>" in page
    assert "support-replies · Support · active (its cycles run)" in page
    _, _, overview = fetch(view.base_url + "/web/", signed_in(view, MEMBER))
    assert "A status: <em>draft</em>, loaded, its first cycle not started yet; <em>active</em>" in overview
