"""Sign in with Slack on the web view: Slack's OpenID Connect, played by the stand-in."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.app import create_app
from bot.web import make_asgi
from tests.bot.test_web_view import NOW, fetch
from tests.conftest import MEMBER, OUTSIDER, settings_for


@pytest.fixture
def with_slack(http_server, database_url, store, slack, clock, playbook):
    """The web view with Sign in with Slack set up (the stand-in plays Slack's side)."""
    mount, url = http_server
    clock.set(NOW)
    settings = settings_for(
        database_url, slack, rollout_web_url=url, slack_client_id="1234.5678", slack_client_secret="s3cret"
    )
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    slack.oidc_client = ("1234.5678", "s3cret")
    yield url
    mount.app = None


def cookie_named(headers, name):
    """The Set-Cookie header of cookie `name` (an answer may set several), or None."""
    return next((c for c in headers.get_all("Set-Cookie") or [] if c.startswith(name + "=")), None)


def to_slack_and_back(url, slack, user, team=None):
    """Sign in with Slack up to Slack's answer: the state cookie this browser got, and the
    callback address Slack sent it back to (with the code)."""
    slack.oidc_user = user
    if team:
        slack.oidc_team = team
    status, headers, body = fetch(url + "/web/signin")
    assert status == 200 and 'href="/web/oidc/start"' in body
    status, headers, _ = fetch(url + "/web/oidc/start")
    assert status == 303 and headers["Location"].startswith(slack.url.split("/api")[0] + "/openid/connect/authorize?")
    assert "scope=openid" in headers["Location"] and "client_id=1234.5678" in headers["Location"]
    assert "nonce=" in headers["Location"]
    state = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]
    status, back, _ = fetch(headers["Location"])
    assert status == 302 and back["Location"].startswith(url + "/web/oidc/callback?code=")
    return state, back["Location"]


def through_slack(url, slack, user, team=None, state_cookie=True):
    """Sign in with Slack, as a browser follows it: the view, Slack's authorize page, back."""
    state, callback = to_slack_and_back(url, slack, user, team)
    return fetch(callback, cookie=state if state_cookie else None)


def assert_state_cleared(headers):
    cleared = cookie_named(headers, "rollout_oidc_state")
    assert cleared is not None, headers.get_all("Set-Cookie")
    assert {"rollout_oidc_state=", "Max-Age=0", "Path=/web/oidc/", "HttpOnly"} <= {
        part.strip() for part in cleared.split(";")
    }


def test_sign_in_with_slack_lets_this_workspaces_people_in(with_slack, slack):
    status, headers, body = through_slack(with_slack, slack, MEMBER)
    assert status == 303 and headers["Location"] == "/web/", re.findall(r"<strong>.*?</strong>", body)
    session = cookie_named(headers, "rollout_session").split(";")[0]
    assert fetch(with_slack + "/web/", session)[0] == 200
    assert_state_cleared(headers)  # used once: the browser forgets it


def test_sign_in_with_slack_refuses_another_workspace_or_a_sign_in_started_elsewhere(with_slack, slack):
    status, headers, body = through_slack(with_slack, slack, "UOTHER0001", team="TOTHERTEAM")
    assert status == 403 and "Slack workspace can sign in" in body
    assert_state_cleared(headers)
    slack.oidc_team = "T0ROLLOUT"
    status, headers, body = through_slack(with_slack, slack, MEMBER, state_cookie=False)
    assert status == 403 and "did not start here" in body
    assert_state_cleared(headers)


def test_a_code_from_someone_elses_sign_in_is_refused_by_its_nonce(with_slack, slack):
    """A code that leaked from someone's sign-in (a log, a Referer, a shared screen),
    carried back in a sign-in of one's own, whose state is good: the ID token Slack
    answers with carries the nonce of the other sign-in, not of this one."""
    _, theirs = to_slack_and_back(with_slack, slack, MEMBER)
    stolen = parse_qs(urlsplit(theirs).query)["code"][0]
    state, mine = to_slack_and_back(with_slack, slack, OUTSIDER)
    query = parse_qs(urlsplit(mine).query)
    swapped = f"{with_slack}/web/oidc/callback?{urlencode({'code': stolen, 'state': query['state'][0]})}"
    status, headers, body = fetch(swapped, cookie=state)
    assert status == 403 and "did not start here" in body
    assert cookie_named(headers, "rollout_session") is None
    assert_state_cleared(headers)


def test_over_http_no_strict_transport_security(with_slack, slack):
    for status, headers, _ in (fetch(with_slack + "/web/signin"), through_slack(with_slack, slack, MEMBER)):
        assert headers["Strict-Transport-Security"] is None, status
