"""The web view's cookies, as a browser reads them: the session's (and Sign in with
Slack's state cookie, test_web_sign_in_with_slack.py), set and cleared by Starlette's
set_cookie and delete_cookie with the attributes they have always had."""

import http.cookies
import re

from starlette.responses import Response

from tests.bot.test_web_view import MEMBER, fetch, link_of, sign_out, view  # noqa: F401 (view: the fixture)


def cookie_set(header):
    """A Set-Cookie header as a browser reads it (RFC 6265: attribute names, and SameSite's
    value, in any case): (name, value, {attribute: value}), flags as True, names in lower case."""
    parsed = http.cookies.SimpleCookie()
    parsed.load(header)
    ((name, morsel),) = parsed.items()
    return (
        name,
        morsel.value,
        {key: value.lower() if key == "samesite" else value for key, value in morsel.items() if value},
    )


def starlettes(header, secure):
    """The Set-Cookie header Starlette's set_cookie writes for the one `header` sets (its
    delete_cookie for a cleared one), with the view's attributes: HttpOnly, SameSite=Lax,
    Secure over https, the header's Path and Max-Age. (A cleared one's Expires is "now":
    the header's own is kept.)"""
    name, value, attributes = cookie_set(header)
    answer = Response()
    path, max_age = attributes["path"], int(attributes["max-age"])
    if max_age == 0:
        answer.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="lax")
        written = answer.headers["Set-Cookie"]
        return re.sub(r"expires=[^;]*", lambda _: "expires=" + attributes.get("expires", ""), written)
    answer.set_cookie(name, value, max_age, path=path, secure=secure, httponly=True, samesite="lax")
    return answer.headers["Set-Cookie"]


def test_the_session_cookie_is_set_and_cleared_by_starlette_with_its_attributes(view):  # noqa: F811
    """Issue 66, item 20: Starlette's set_cookie and delete_cookie write the session's
    cookie (and the state cookie of Sign in with Slack, test_web_sign_in_with_slack.py),
    with the attributes it has always had."""
    status, headers, _ = fetch(link_of(view, MEMBER))
    assert status == 303 and len(headers.get_all("Set-Cookie")) == 1
    given = headers["Set-Cookie"]
    assert given == starlettes(given, secure=True)
    name, value, attributes = cookie_set(given)
    assert attributes == {"httponly": True, "samesite": "lax", "secure": True, "max-age": "43200", "path": "/web/"}
    status, headers, _ = sign_out(view, f"{name}={value}")
    assert status == 303 and len(headers.get_all("Set-Cookie")) == 1
    cleared = headers["Set-Cookie"]
    assert cleared == starlettes(cleared, secure=True)
    name, value, attributes = cookie_set(cleared)
    assert (name, value, attributes.pop("expires", None) is not None) == ("rollout_session", "", True)
    assert attributes == {"httponly": True, "samesite": "lax", "secure": True, "max-age": "0", "path": "/web/"}
