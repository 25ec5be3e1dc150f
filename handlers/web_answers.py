"""What every answer of the web view (handlers/web_view.py) carries or is: the headers
every page gets (no script, nothing loaded from elsewhere, never framed; HSTS over https),
added to every answer by one middleware, and the answers themselves: a page, a redirect,
each with the cookies it sets or clears, and a table as a CSV download."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from templates.pages import csv_text
from templates.tables import Table

# Every page: no script may run, nothing loads from elsewhere, no other site frames it,
# and the sign-in link's token never leaves in a Referer. ("same-origin", not
# "no-referrer": under no-referrer a browser sends `Origin: null` with the Sign out
# button's form, and sign-out is refused without the view's own origin.)
HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
]
# Over https, every answer: browsers keep to https for this host for a year. Not for its
# subdomains, which may be other services.
HSTS = ("Strict-Transport-Security", "max-age=31536000")


Cookie = Callable[[Response], None]  # sets or clears one cookie on an answer


class _EveryAnswer:
    """Adds `headers` to every answer of the application: the pages', the redirects', the
    refusals' and Starlette's own."""

    def __init__(self, app: ASGIApp, headers: list[tuple[str, str]]):
        self.app, self.headers = app, headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                for name, value in self.headers:
                    answer.append(name, value)
            await send(message)

        await self.app(scope, receive, sending)


def _page(body: str, status: int = 200, cookies: list[Cookie] | None = None) -> Response:
    return _with_cookies(HTMLResponse(body, status), cookies)  # text/html; charset=utf-8


def _redirect(to: str, cookies: list[Cookie] | None = None) -> Response:
    return _with_cookies(RedirectResponse(to, 303), cookies)  # `to` is quoted, keeping its %-escapes


def _with_cookies(answer: Response, cookies: list[Cookie] | None) -> Response:
    for cookie in cookies or []:
        cookie(answer)
    return answer


def _csv(table: Table, filename: str) -> Response:
    """One of a page's tables as a download."""
    header, rows = table
    return Response(
        csv_text(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={quote(filename)}"},
    )
