"""A real install, as an operator makes it: the real processes with the variables the
docs tell them to set, against the Slack stand-in (issue 39's install items)."""

import http.client
import signal
from urllib.parse import urlsplit

import pytest

from tests.bot.test_processes import _procfile_web, _serving, env  # noqa: F401 - `env` is a fixture used here
from tests.conftest import CHANNEL, MEMBER

pytestmark = pytest.mark.slow  # real processes


def _get(base_url: str, path: str) -> http.client.HTTPResponse:
    """One GET, redirects not followed."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("start", [_serving, _procfile_web], ids=["serve", "procfile-web"])
def test_sign_in_with_slack_set_in_the_environment_keeps_commands_working(env, playbook, slack, start):  # noqa: F811
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in the process environment, as docs/setup.md
    says for Sign in with Slack: Bolt must not take them as an OAuth install and drop the
    bot token; the sign-in page still sends people to Slack's authorize page."""
    env = {
        **env,
        "SLACK_CLIENT_ID": "1234567890.0987654321",
        "SLACK_CLIENT_SECRET": "client-secret",
        "ROLLOUT_WEB_URL": "http://rollout.example.com",
    }
    server, slack_side = start(env)
    try:
        reply = slack_side.command("help", MEMBER, CHANNEL)
        assert reply.status == 200 and "/rollout kpi" in str(reply.body), reply
        assert "Recorded" in slack_side.command("kpi support-replies 20", MEMBER, CHANNEL).text
        page = slack_side.get("/web/signin")
        assert page.status == 200 and "/web/oidc/start" in page.body
        start = _get(slack_side.base_url, "/web/oidc/start")
        assert start.status in (302, 303)
        location = start.getheader("Location") or ""
        assert urlsplit(location).path == "/openid/connect/authorize"
        assert "client_id=1234567890.0987654321" in location
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "installation" not in output.lower(), output
