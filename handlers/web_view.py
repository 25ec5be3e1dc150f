"""The web view over HTTP (`/web/...`): sign-in by the one-time link of `/rollout web` or
with Slack, a session cookie (itsdangerous-signed, carrying the id of a session the
database keeps; HttpOnly, SameSite=Lax, Secure over https, 12 hours), sign-out (which
ends the session on the server, and only from the view's own pages), and the pages,
server-rendered, with no script and nothing loaded from another address. Without a
session every page redirects to sign-in and shows nothing. Over https every answer
carries Strict-Transport-Security.

ROUTES, at the end, declares every path the view answers and the method of WebView that
answers it: a path no route has is 404, another method 405 with the ones it has."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

from handlers import routing
from handlers.routing import Route
from templates.pages import csv_text, render_page
from templates.tables import Table, overview_tables, playbook_tables, registry_tables
from templates.web_charts import depth_charts, guardrail_chart, kpi_chart, org_trend_charts, progress_chart
from usecases import web
from usecases.shared.services import Services

log = logging.getLogger(__name__)

PREFIX = "/web"
COOKIE = "rollout_session"
STATE_COOKIE = "rollout_oidc_state"
SESSION_SECONDS = int(web.SESSION.total_seconds())
STATE_SECONDS = 600  # a sign-in with Slack has ten minutes to come back
StartResponse = Callable[..., Any]
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


class WebView:
    def __init__(
        self,
        services: Services,
        secret: str,
        secure: bool,
        signed_in_as: str | None = None,
        workspace_team: Callable[[], str | None] = lambda: None,
    ):
        self.services = services
        self.sessions = URLSafeTimedSerializer(secret, salt="rollout.web.session")
        self.states = URLSafeTimedSerializer(secret, salt="rollout.web.oidc-state")
        self.workspace_team = workspace_team  # whose users may sign in with Slack (auth.test's team)
        # The view's address (ROLLOUT_WEB_URL) is https: Secure cookies and HSTS. Not the
        # request's scheme: TLS ends at the proxy in front, which talks plain HTTP to us.
        self.secure = secure
        # `rollout demo --serve` only, on a loopback address: everyone is this viewer.
        self.signed_in_as = signed_in_as

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.secure:
            start_response = _with_header(start_response, HSTS)
        return self._answer(environ, start_response)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        try:
            page, parameters = ROUTES.match(method, path)
        except routing.NotFound:
            return _page(start_response, "404 Not Found", "not found", "text/plain")
        except routing.MethodNotAllowed as err:
            return _page(start_response, "405 Method Not Allowed", err.only, "text/plain", [("Allow", err.allow)])
        if not page.signed_in:
            return page.run(self, environ, start_response)
        viewer = self._viewer(environ)
        if viewer is None:
            return _redirect(start_response, PREFIX + "/signin")
        return page.run(self, environ, start_response, viewer, **parameters)

    def overview(self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer) -> Iterable[bytes]:
        shown = web.overview(self.services, viewer)
        trend = shown["trend"]
        charts = org_trend_charts(
            [t["week"].strftime("%d %b") for t in trend],
            [t["exceptions"] for t in trend],
            [t["attestation"] for t in trend],
        )
        progress = [
            dict(
                p,
                chart=progress_chart(
                    f"{p['title']}: share of the way from baseline to target", p["weeks"], p["shares"]
                ),
            )
            for p in shown["progress"]
        ]
        depth = depth_charts([d["week"].strftime("%d %b %y") for d in shown["depth"]], shown["depth"], "The org")
        page = render_page("overview", trend_charts=charts, depth_charts=depth, **dict(shown, progress=progress))
        return _page(start_response, "200 OK", page)

    def overview_csv(
        self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer, table: str
    ) -> Iterable[bytes]:
        shown = web.overview(self.services, viewer)
        return _csv(start_response, overview_tables(shown)[table], f"{table}.csv")

    def registry(self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer) -> Iterable[bytes]:
        return _page(start_response, "200 OK", render_page("registry", **web.registry_page(self.services, viewer)))

    def registry_csv(
        self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer
    ) -> Iterable[bytes]:
        shown = web.registry_page(self.services, viewer)
        return _csv(start_response, registry_tables(shown)["registry"], "registry.csv")

    def playbook(
        self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer, slug: str
    ) -> Iterable[bytes]:
        """A playbook's page; `?until=<date>`: the half year up to that week."""
        page = web.playbook_page(self.services, viewer, slug, _until(environ))
        if page is None:
            return _no_playbook(start_response, viewer)
        p, charted = page["playbook"], page["charted"]
        labels = charted["labels"]
        chart = kpi_chart(p.kpi_name, labels, charted["kpi"], p.kpi_baseline, p.kpi_target, p.kpi_unit)
        guardrail = page["guardrail"]
        if guardrail is not None:
            bounds = guardrail["minimum"], guardrail["maximum"], guardrail["unit"]
            guardrail["chart"] = guardrail_chart(guardrail["name"], labels, charted["guardrail"], *bounds)
        depth = depth_charts([d["label"] for d in page["depth"]], page["depth"], p.title)
        return _page(
            start_response,
            "200 OK",
            render_page("playbook", viewer=viewer.user_id, chart=chart, depth_charts=depth, **page),
        )

    def playbook_csv(
        self, environ: dict[str, Any], start_response: StartResponse, viewer: web.Viewer, slug: str, table: str
    ) -> Iterable[bytes]:
        """One of a playbook page's tables (`?until=` as the page's)."""
        page = web.playbook_page(self.services, viewer, slug, _until(environ))
        if page is None:
            return _no_playbook(start_response, viewer)
        tables = playbook_tables(page)
        if table not in tables:
            return _page(start_response, "404 Not Found", "not found", "text/plain")
        return _csv(start_response, tables[table], f"{slug}-{table}.csv")

    def login(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        token = (parse_qs(environ.get("QUERY_STRING") or "").get("token") or [""])[0]
        viewer = web.sign_in(self.services, token)
        if viewer is None:
            log.info("web: a sign-in link was refused (unknown, used or older than 10 minutes)")
            return self._signin_page(start_response, "403 Forbidden", "link_used")
        return self._signed_in(start_response, viewer)

    def signin(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self._signin_page(start_response, "200 OK", None)

    def _signed_in(
        self, start_response: StartResponse, viewer: web.Viewer, headers: list[tuple[str, str]] | None = None
    ) -> Iterable[bytes]:
        session = self.sessions.dumps({"s": web.start_session(self.services, viewer)})
        cookie = ("Set-Cookie", self._cookie(session, SESSION_SECONDS))
        return _redirect(start_response, PREFIX + "/", [cookie, *(headers or [])])

    def sign_out(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Ends this browser's session on the server: its cookie, and any copy of it,
        signs nobody in from now on. Only from the view's own pages: another site's form
        would otherwise sign people out (their cookie is not sent cross-site, but the
        answer's clearing of it would still apply)."""
        if not self._from_own_page(environ):
            log.info("web: a sign-out that came from another site, or without Origin and Referer, was refused")
            viewer = self._viewer(environ)
            page = render_page("signout_refused", viewer=viewer.user_id if viewer else None)
            return _page(start_response, "403 Forbidden", page)
        session_id = self._session_id(environ, max_age=None)  # an expired one is ended too
        if session_id is not None:
            web.end_session(self.services, session_id)
        return _redirect(start_response, PREFIX + "/signin", [("Set-Cookie", self._cookie("", 0))])

    def _from_own_page(self, environ: dict[str, Any]) -> bool:
        """Whether a request came from a page of the view: its Origin, or, if the browser
        sent none, its Referer, has the view's origin (ROLLOUT_WEB_URL's; without it, the
        address the request was made to). A missing or `null` origin is not ours."""
        own = self.services.web_url or f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        sent = environ.get("HTTP_ORIGIN")
        if sent is None:
            sent = environ.get("HTTP_REFERER")
        return sent is not None and _origin(own) is not None and _origin(sent) == _origin(own)

    def _signin_page(
        self,
        start_response: StartResponse,
        status: str,
        problem: str | None,
        headers: list[tuple[str, str]] | None = None,
    ) -> Iterable[bytes]:
        """The sign-in page, saying what went wrong if something did (`problem`: a key its
        template words)."""
        page = render_page(
            "signin",
            viewer=None,
            problem=problem,
            with_slack=self._callback_url() is not None,
            links=bool(self.services.web_url),  # without the view's address no link can be issued
        )
        return _page(start_response, status, page, headers=headers)

    def _callback_url(self) -> str | None:
        """Where Slack sends people back to, when Sign in with Slack is set up."""
        if self.services.sign_in_with_slack is None or not self.services.web_url:
            return None
        return self.services.web_url.rstrip("/") + PREFIX + "/oidc/callback"

    def oidc_start(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Off to Slack's authorize page, with a state and a nonce that only this browser
        carries back (a signed cookie of ten minutes): a sign-in started elsewhere can't be
        finished here, nor can a code of someone else's sign-in (its ID token carries their
        nonce)."""
        callback, signin = self._callback_url(), self.services.sign_in_with_slack
        if callback is None or signin is None:
            return self._signin_page(start_response, "404 Not Found", "no_slack")
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        url = signin.authorize_url(callback, state, nonce, self.workspace_team())
        cookie = self._state_cookie(self.states.dumps({"s": state, "n": nonce}), STATE_SECONDS)
        return _redirect(start_response, url, [("Set-Cookie", cookie)])

    def oidc_callback(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Back from Slack: signed in if the state is this browser's and Slack vouches for
        the person, in an ID token with this sign-in's nonce. Whatever the outcome, the
        state cookie is cleared: it serves one sign-in."""
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING") or "").items()}
        cleared = [("Set-Cookie", self._state_cookie("", 0))]
        callback = self._callback_url()
        expected = self._cookie_value(environ, STATE_COOKIE)
        try:
            started = self.states.loads(expected, max_age=STATE_SECONDS) if expected else None
        except BadSignature:
            started = None
        state, nonce = (started.get("s"), started.get("n")) if isinstance(started, dict) else (None, None)
        if (
            callback is None
            or not isinstance(state, str)
            or not isinstance(nonce, str)
            or not secrets.compare_digest(state.encode(), query.get("state", "").encode())
        ):
            return self._signin_page(start_response, "403 Forbidden", "not_started_here", cleared)
        viewer = web.sign_in_with_slack(self.services, query.get("code", ""), callback, nonce, self.workspace_team())
        if isinstance(viewer, str):
            log.info("web: Sign in with Slack refused (%s)", viewer)
            return self._signin_page(start_response, "403 Forbidden", viewer, cleared)
        return self._signed_in(start_response, viewer, cleared)

    def _state_cookie(self, value: str, max_age: int) -> str:
        parts = [f"{STATE_COOKIE}={value}", f"Path={PREFIX}/oidc/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

    def _cookie_value(self, environ: dict[str, Any], name: str) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE") or "")
        except CookieError:
            return None
        morsel = cookie.get(name)
        return morsel.value if morsel is not None else None

    def _viewer(self, environ: dict[str, Any]) -> web.Viewer | None:
        if self.signed_in_as is not None:
            return web.Viewer(self.signed_in_as)
        session_id = self._session_id(environ)
        return web.session_viewer(self.services, session_id) if session_id is not None else None

    def _session_id(self, environ: dict[str, Any], max_age: int | None = SESSION_SECONDS) -> str | None:
        """The session id the cookie carries, if the view signed it (and, with `max_age`,
        within that many seconds: a stale cookie is turned away without a database read;
        whether the session still lives is the database's to say)."""
        value = self._cookie_value(environ, COOKIE)
        if value is None:
            return None
        try:
            data = self.sessions.loads(value, max_age=max_age)
        except BadSignature:  # includes an expired one
            return None
        session_id = data.get("s") if isinstance(data, dict) else None
        return session_id if isinstance(session_id, str) else None

    def _cookie(self, value: str, max_age: int) -> str:
        parts = [f"{COOKIE}={value}", f"Path={PREFIX}/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def _with_header(start_response: StartResponse, header: tuple[str, str]) -> StartResponse:
    """`start_response` adding `header` to every answer."""

    def adding(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, header], exc_info)

    return adding


def _origin(url: str) -> tuple[str, str, int] | None:
    """An http(s) address's origin as browsers compare them: (scheme, host, port), the
    port spelt out; None for anything else (`null`, an empty header, a bad port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def _page(
    start_response: StartResponse,
    status: str,
    body: str,
    content_type: str = "text/html; charset=utf-8",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", content_type), ("Content-Length", str(len(data))), *HEADERS, *(headers or [])]
    )
    return [data]


def _redirect(start_response: StartResponse, to: str, headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response("303 See Other", [("Location", to), ("Content-Length", "0"), *HEADERS, *(headers or [])])
    return [b""]


def _until(environ: dict[str, Any]) -> date | None:
    """A playbook page's `?until=YYYY-MM-DD`."""
    return _day((parse_qs(environ.get("QUERY_STRING") or "").get("until") or [""])[0])


def _no_playbook(start_response: StartResponse, viewer: web.Viewer) -> list[bytes]:
    page = render_page("signin", viewer=viewer.user_id, problem="no_playbook")
    return _page(start_response, "404 Not Found", page)


def _day(text: str) -> date | None:
    """A `YYYY-MM-DD` from a query string; None for anything else."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _csv(start_response: StartResponse, table: Table, filename: str) -> list[bytes]:
    """One of a page's tables as a download."""
    header, rows = table
    return _csv_reply(start_response, filename, csv_text(header, rows))


def _csv_reply(start_response: StartResponse, name: str, text: str) -> list[bytes]:
    data = text.encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/csv; charset=utf-8"),
            ("Content-Disposition", f"attachment; filename={quote(name)}"),
            ("Content-Length", str(len(data))),
            *HEADERS,
        ],
    )
    return [data]


@dataclass(frozen=True)
class Page:
    """A route's handler: a method of WebView, called with the request's viewer and the
    path's parameters; `signed_in=False`: one of sign-in's own, answered without a session."""

    run: Callable[..., Iterable[bytes]]
    signed_in: bool = True


# What the view answers. Every page but sign-in's own needs a session: without one, a
# redirect to /web/signin that shows nothing. A page's table as CSV is <page>/<table>.csv.
ROUTES = routing.Routes(
    Route("GET", PREFIX + "/login", Page(WebView.login, signed_in=False)),  # the one-time link of /rollout web
    Route("GET", PREFIX + "/signin", Page(WebView.signin, signed_in=False)),
    Route("GET", PREFIX + "/oidc/start", Page(WebView.oidc_start, signed_in=False)),  # Sign in with Slack
    Route("GET", PREFIX + "/oidc/callback", Page(WebView.oidc_callback, signed_in=False)),
    Route("POST", PREFIX + "/logout", Page(WebView.sign_out, signed_in=False)),
    Route("GET", PREFIX, Page(WebView.overview)),
    Route("GET", PREFIX + "/", Page(WebView.overview)),
    Route("GET", PREFIX + "/overview.csv", Page(partial(WebView.overview_csv, table="overview"))),
    Route("GET", PREFIX + "/playbooks.csv", Page(partial(WebView.overview_csv, table="playbooks"))),
    Route("GET", PREFIX + "/depth.csv", Page(partial(WebView.overview_csv, table="depth"))),
    Route("GET", PREFIX + "/registry", Page(WebView.registry)),
    Route("GET", PREFIX + "/registry.csv", Page(WebView.registry_csv)),
    Route("GET", PREFIX + "/playbooks/{slug}", Page(WebView.playbook)),
    Route("GET", PREFIX + "/playbooks/{slug}.csv", Page(partial(WebView.playbook_csv, table="weeks"))),
    Route("GET", PREFIX + "/playbooks/{slug}/{table}.csv", Page(WebView.playbook_csv)),
)
