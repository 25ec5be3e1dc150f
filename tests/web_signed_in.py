"""The web view served on a test's loopback HTTP server (the `http_server` fixture) by the
real app, and a person signed in as Slack signs one in: the link `/rollout web` answers."""

import re

from bot.app import create_app
from bot.web import make_asgi
from tests.bot.test_web_view import fetch
from tests.conftest import settings_for


def signed_in(bot, clock, slack, store, http_server, database_url, user) -> tuple[str, str]:
    """The served web view's address, and `user`'s session cookie there."""
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=user).text)
    assert link is not None, "no sign-in link in /rollout web's answer"
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    return url, cookie
