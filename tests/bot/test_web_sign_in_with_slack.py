"""Sign in with Slack on the web view: Slack's OpenID Connect, played by the stand-in."""

import logging
import os
import re
import uuid
from collections.abc import MutableMapping
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.app import create_app
from bot.web import make_asgi
from tests.bot.test_web_cookies import cookie_set, starlettes
from tests.bot.test_web_view import NOW, fetch
from tests.conftest import MEMBER, OUTSIDER, SlackRequests, settings_for


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
    assert headers["Set-Cookie"] == starlettes(headers["Set-Cookie"], secure=False)  # http: not Secure
    attributes = cookie_set(headers["Set-Cookie"])[2]
    assert attributes == {"httponly": True, "samesite": "lax", "max-age": "600", "path": "/web/oidc/"}
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
    assert cleared == starlettes(cleared, secure=False)
    name, value, attributes = cookie_set(cleared)
    assert (name, value, attributes.pop("expires", None) is not None) == ("rollout_oidc_state", "", True)
    assert attributes == {"httponly": True, "samesite": "lax", "max-age": "0", "path": "/web/oidc/"}


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


class _ReadOnly(MutableMapping):
    """The process environment as it is, read freely; writing it fails the test."""

    def __init__(self, environ):
        self.environ = environ

    def __getitem__(self, key):
        return self.environ[key]

    def __iter__(self):
        return iter(self.environ)

    def __len__(self):
        return len(self.environ)

    def __setitem__(self, key, value):
        raise AssertionError(f"{key} was set in the process environment")

    def __delitem__(self, key):
        raise AssertionError(f"{key} was taken out of the process environment")


def test_bolt_is_given_its_settings_with_sign_in_with_slacks_variables_in_the_environment(
    http_server, database_url, store, slack, clock, playbook, monkeypatch, caplog
):
    """Bolt reads SLACK_CLIENT_ID and SLACK_CLIENT_SECRET from the process environment by
    itself. With both there, and the environment only read while the app is built, a
    signed /rollout answers with the bot token (not Bolt's "installation ... no longer
    available"), Bolt says nothing at start, no OAuth route is served, no store is written."""
    mount, url = http_server
    client_id = f"1234.{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("SLACK_CLIENT_ID", client_id)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "s3cret")
    settings = settings_for(
        database_url, slack, rollout_web_url=url, slack_client_id=client_id, slack_client_secret="s3cret"
    )
    caplog.set_level(logging.INFO)
    with monkeypatch.context() as building:
        building.setattr(os, "environ", _ReadOnly(os.environ))
        app = create_app(settings, store, clock=clock)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
    mount.app = make_asgi(app, store, clock)
    try:
        reply = SlackRequests(url).command("kpi support-replies 20")
        assert "Recorded" in reply.text, reply.text
        asked = len(slack.calls_to("auth.test"))  # whose the bot token is: Bolt's authorization asked
        assert asked and all(call.token == settings.slack_bot_token for call in slack.calls_to("auth.test"))
        assert "Recorded" in SlackRequests(url).command("kpi support-replies 18").text
        assert len(slack.calls_to("auth.test")) == asked  # and kept the answer
        for path in ("/slack/install", "/slack/oauth_redirect?code=x&state=y"):
            assert fetch(url + path)[0] == 404
    finally:
        mount.app = None
    assert (os.environ["SLACK_CLIENT_ID"], os.environ["SLACK_CLIENT_SECRET"]) == (client_id, "s3cret")
    for store_dir in (".bolt-app-installation", ".bolt-app-oauth-state"):
        assert not (Path.home() / store_dir / client_id).exists()
