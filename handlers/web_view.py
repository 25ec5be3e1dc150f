"""The web view over HTTP, a Starlette application mounted at `/web`: sign-in by the
one-time link of `/rollout web` or with Slack, a session cookie (itsdangerous-signed,
carrying the id of a session the database keeps; HttpOnly, SameSite=Lax, Secure over
https, 12 hours), sign-out (which ends the session on the server, and only from the
view's own pages), and the pages, server-rendered, with no script and nothing loaded from
another address. Without a session every page redirects to sign-in and shows nothing.
Over https every answer carries Strict-Transport-Security (the headers and the answers:
handlers/web_answers.py).

`make_web_view` declares every path the view answers: a path no route has is 404, another
method 405 with the ones it has (handlers/http_errors.py, as for every app, said as text).
A GET route answers HEAD too. The pages read the database: their endpoints are plain
functions, which Starlette runs in its thread pool.

The session is a cookie of our own rather than Starlette's SessionMiddleware: that
middleware sets its cookie again on every answer (a refused sign-out would carry one) and
keeps no session on the server, so sign-out could not end a copied cookie."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from handlers import (  # noqa: F401 (paths registers {slug:slug})
    http_errors,
    paths,
    present_overview,
    web_learnings,
    web_overview_pages,
    web_playbook,
)
from handlers.web_answers import HEADERS, HSTS, Cookie, _csv, _EveryAnswer, _page, _redirect
from templates.pages import render_page
from templates.tables import overview_tables, playbook_tables, registry_tables
from templates.web_charts import guardrail_chart, kpi_chart
from usecases import playbook_form, sections, web, web_overview, web_signin
from usecases.shared.collector import collector_paused
from usecases.shared.services import Services

log = logging.getLogger(__name__)

PREFIX = "/web"  # where the application is mounted: its redirects, links and cookies' paths
COOKIE = "rollout_session"
STATE_COOKIE = "rollout_oidc_state"
SESSION_SECONDS = int(web_signin.SESSION.total_seconds())
STATE_SECONDS = 600  # a sign-in with Slack has ten minutes to come back
Endpoint = Callable[[Request], Response]


class _Table(StringConvertor):
    """`{table:table}`: the name of one of a page's tables."""

    regex = r"[a-z][a-z0-9-]*"


register_url_convertor("table", _Table())


def make_web_view(
    services: Services,
    session_secret: str,
    secure: bool,
    workspace_team: Callable[[], str | None] = lambda: None,
    signed_in_as: str | None = None,
) -> Starlette:
    """The web view, to be mounted at PREFIX. `secure`: the view's address (ROLLOUT_WEB_URL)
    is https, so Secure cookies and HSTS (not the request's scheme: TLS ends at the proxy
    in front, which talks plain HTTP to us). `workspace_team`: whose users may sign in with
    Slack (auth.test's team). `signed_in_as`: `rollout demo --serve` only, on a loopback
    address: everyone is this viewer."""
    view = _View(services, session_secret, secure, workspace_team, signed_in_as)
    page = view.page
    # What the view answers. Every page but sign-in's own needs a session: without one, a
    # redirect to /web/signin that shows nothing. A page's table as CSV is <page>/<table>.csv.
    routes = [
        Route("/login", view.login),  # the one-time link of /rollout web
        Route("/signin", view.signin),
        Route("/oidc/start", view.oidc_start),  # Sign in with Slack
        Route("/oidc/callback", view.oidc_callback),
        Route("/logout", view.sign_out, methods=["POST"]),
        Route("/", page(view.overview)),
        Route("/registry", page(view.registry)),
        Route("/registry.csv", page(view.registry_csv)),
        Route("/{table:table}.csv", page(view.overview_csv)),  # the overview's tables, its sections' too
        Route("/learnings", page(view.learnings)),  # ?q=words&page=N (handlers/web_learnings.py)
        Route("/playbooks/{slug:slug}", page(view.playbook)),
        Route("/playbooks/{slug:slug}.csv", page(partial(view.playbook_csv, table="weeks"))),
        Route("/playbooks/{slug:slug}.yaml", page(view.playbook_yaml)),  # `rollout playbook export`'s
        Route("/playbooks/{slug:slug}/{table:table}.csv", page(view.playbook_csv)),
    ]
    every_answer = [*HEADERS, HSTS] if secure else HEADERS
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_EveryAnswer, headers=every_answer)],
        exception_handlers={HTTPException: http_errors.as_text},
    )
    app.router.redirect_slashes = False  # `/web/registry/` is no page: 404, not a redirect
    return app


class _View:
    def __init__(
        self,
        services: Services,
        secret: str,
        secure: bool,
        workspace_team: Callable[[], str | None],
        signed_in_as: str | None,
    ):
        self.services = services
        self.sessions = URLSafeTimedSerializer(secret, salt="rollout.web.session")
        self.states = URLSafeTimedSerializer(secret, salt="rollout.web.oidc-state")
        self.workspace_team = workspace_team
        self.secure = secure
        self.signed_in_as = signed_in_as

    def page(self, answer: Callable[..., Response]) -> Endpoint:
        """A page that needs a session: `answer` is called with the request, its viewer and
        the path's parameters; without a live session, a redirect to sign-in that reads
        nothing else."""

        def signed_in(request: Request) -> Response:
            viewer = self._viewer(request)
            if viewer is None:
                return _redirect(PREFIX + "/signin")
            return answer(request, viewer, **request.path_params)

        return signed_in

    def overview(self, request: Request, viewer: web.Viewer) -> Response:
        """The org overview; a large org's `?function=`, `?page=` and `?q=`
        (handlers/web_overview_pages.py)."""
        # The page of a thousand playbooks makes objects by the hundred thousand, nearly all
        # freed by reference counting: the collector is paused for it, as for a tick and a
        # digest (usecases/shared/collector.py). Its passes were a fifth of the page's time.
        with collector_paused():
            shown, status = web_overview_pages.page(self.services, viewer, request.query_params)
            return _page(self._render("overview", **shown), status)

    def overview_csv(self, request: Request, viewer: web.Viewer, table: str) -> Response:
        shown = present_overview.shown(web_overview.overview(self.services, viewer))
        tables = overview_tables(shown, sections.overview_columns(shown), sections.overview_tables(shown))
        if table not in tables:
            raise HTTPException(404)
        return _csv(tables[table], f"{table}.csv")

    def registry(self, request: Request, viewer: web.Viewer) -> Response:
        return _page(self._render("registry", **web.registry_page(self.services, viewer)))

    def registry_csv(self, request: Request, viewer: web.Viewer) -> Response:
        shown = web.registry_page(self.services, viewer)
        return _csv(registry_tables(shown)["registry"], "registry.csv")

    def learnings(self, request: Request, viewer: web.Viewer) -> Response:
        return _page(self._render("learnings", **web_learnings.shown(self.services, viewer, request.query_params)))

    def playbook(self, request: Request, viewer: web.Viewer, slug: str) -> Response:
        """A playbook's page; `?until=<date>`: the half year up to that week."""
        read = web.playbook_page(self.services, viewer, slug, _until(request))
        if read is None:
            return self._no_playbook(viewer, slug)
        page = web_playbook.shown(read)
        p, charted = page["playbook"], page["charted"]
        labels = charted["labels"]
        chart = kpi_chart(
            p.kpi_name, labels, charted["kpi"], p.kpi_baseline, p.kpi_target, p.kpi_unit, charted.get("rest")
        )
        guardrail = page["guardrail"]
        if guardrail is not None:
            bounds = guardrail["minimum"], guardrail["maximum"], guardrail["unit"]
            guardrail["chart"] = guardrail_chart(guardrail["name"], labels, charted["guardrail"], *bounds)
        shown = dict(viewer=viewer.user_id, chart=chart, **sections.page_charts(page))
        return _page(self._render("playbook", **shown, **page))

    def playbook_csv(self, request: Request, viewer: web.Viewer, slug: str, table: str) -> Response:
        """One of a playbook page's tables (`?until=` as the page's)."""
        page = web.playbook_page(self.services, viewer, slug, _until(request))
        if page is None:
            return self._no_playbook(viewer, slug)
        shown = web_playbook.shown(page)
        tables = playbook_tables(shown, sections.page_tables(shown))
        if table not in tables:
            raise HTTPException(404)
        return _csv(tables[table], f"{slug}-{table}.csv")

    def playbook_yaml(self, request: Request, viewer: web.Viewer, slug: str) -> Response:
        """The playbook as YAML that `rollout playbook load` takes back, as a download."""
        found = playbook_form.yaml_download(self.services, slug)
        if found is None:
            return self._no_playbook(viewer, slug)
        name, text = found
        disposition = f"attachment; filename={quote(name)}"
        return Response(
            text, media_type="application/yaml; charset=utf-8", headers={"Content-Disposition": disposition}
        )

    def _no_playbook(self, viewer: web.Viewer, slug: str) -> Response:
        """404: no playbook of that slug (a mistyped address), with the way to the overview."""
        return _page(self._render("no_playbook", viewer=viewer.user_id, slug=slug), 404)

    def _render(self, name: str, **context: Any) -> str:
        """A page of templates/web/: with a Sign out button only where people sign in
        (`rollout demo --serve` skips sign-in: a button there would do nothing)."""
        return render_page(name, signs_out=self.signed_in_as is None, **context)

    def login(self, request: Request) -> Response:
        viewer = web_signin.sign_in(self.services, request.query_params.get("token", ""))
        if viewer is None:
            log.info("web: a sign-in link was refused (unknown, used or older than 10 minutes)")
            return self._signin_page(403, "link_used")
        return self._signed_in(viewer)

    def signin(self, request: Request) -> Response:
        return self._signin_page(200, None, signed_out=request.query_params.get("out") == "1")

    def _signed_in(self, viewer: web.Viewer, cookies: list[Cookie] | None = None) -> Response:
        session = self.sessions.dumps({"s": web_signin.start_session(self.services, viewer)})
        return _redirect(PREFIX + "/", [self._cookie(session, SESSION_SECONDS), *(cookies or [])])

    def sign_out(self, request: Request) -> Response:
        """Ends this browser's session on the server: its cookie, and any copy of it,
        signs nobody in from now on. Only from the view's own pages: another site's form
        would otherwise sign people out (their cookie is not sent cross-site, but the
        answer's clearing of it would still apply)."""
        if not self._from_own_page(request):
            log.info("web: a sign-out that came from another site, or without Origin and Referer, was refused")
            viewer = self._viewer(request)
            return _page(self._render("signout_refused", viewer=viewer.user_id if viewer else None), 403)
        session_id = self._session_id(request, max_age=None)  # an expired one is ended too
        if session_id is not None:
            web_signin.end_session(self.services, session_id)
        return _redirect(PREFIX + "/signin?out=1", [self._cookie("", 0)])  # the page says so

    def _from_own_page(self, request: Request) -> bool:
        """Whether a request came from a page of the view: its Origin, or, if the browser
        sent none, its Referer, has the view's origin (ROLLOUT_WEB_URL's; without it, the
        address the request was made to). A missing or `null` origin is not ours."""
        own = self.services.web_url or f"{request.url.scheme}://{request.headers.get('host', '')}"
        sent = request.headers.get("origin")
        if sent is None:
            sent = request.headers.get("referer")
        return sent is not None and _origin(own) is not None and _origin(sent) == _origin(own)

    def _signin_page(
        self, status: int, problem: str | None, cookies: list[Cookie] | None = None, signed_out: bool = False
    ) -> Response:
        """The sign-in page, saying what went wrong if something did (`problem`: a key its
        template words), or, after a sign-out, that you are signed out and how to come back."""
        page = self._render(
            "signin",
            viewer=None,
            problem=problem,
            signed_out=signed_out,
            demo=self.signed_in_as is not None,  # `rollout demo --serve`: everyone is signed in
            with_slack=self._callback_url() is not None,
            links=bool(self.services.web_url),  # without the view's address no link can be issued
        )
        return _page(page, status, cookies)

    def _callback_url(self) -> str | None:
        """Where Slack sends people back to, when Sign in with Slack is set up."""
        if self.services.sign_in_with_slack is None or not self.services.web_url:
            return None
        return self.services.web_url.rstrip("/") + PREFIX + "/oidc/callback"

    def oidc_start(self, request: Request) -> Response:
        """Off to Slack's authorize page, with a state and a nonce that only this browser
        carries back (a signed cookie of ten minutes): a sign-in started elsewhere can't be
        finished here, nor can a code of someone else's sign-in (its ID token carries their
        nonce)."""
        callback, signin = self._callback_url(), self.services.sign_in_with_slack
        if callback is None or signin is None:
            return self._signin_page(404, "no_slack")
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        url = signin.authorize_url(callback, state, nonce, self.workspace_team())
        return _redirect(url, [self._state_cookie(self.states.dumps({"s": state, "n": nonce}), STATE_SECONDS)])

    def oidc_callback(self, request: Request) -> Response:
        """Back from Slack: signed in if the state is this browser's and Slack vouches for
        the person, in an ID token with this sign-in's nonce. Whatever the outcome, the
        state cookie is cleared: it serves one sign-in."""
        query = request.query_params
        cleared = [self._state_cookie("", 0)]
        callback = self._callback_url()
        expected = request.cookies.get(STATE_COOKIE)
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
            return self._signin_page(403, "not_started_here", cleared)
        viewer = web_signin.sign_in_with_slack(
            self.services, query.get("code", ""), callback, nonce, self.workspace_team()
        )
        if isinstance(viewer, str):
            log.info("web: Sign in with Slack refused (%s)", viewer)
            return self._signin_page(403, viewer, cleared)
        return self._signed_in(viewer, cleared)

    def _viewer(self, request: Request) -> web.Viewer | None:
        if self.signed_in_as is not None:
            return web.Viewer(self.signed_in_as)
        session_id = self._session_id(request)
        return web_signin.session_viewer(self.services, session_id) if session_id is not None else None

    def _session_id(self, request: Request, max_age: int | None = SESSION_SECONDS) -> str | None:
        """The session id the cookie carries, if the view signed it (and, with `max_age`,
        within that many seconds: a stale cookie is turned away without a database read;
        whether the session still lives is the database's to say)."""
        value = request.cookies.get(COOKIE)
        if value is None:
            return None
        try:
            data = self.sessions.loads(value, max_age=max_age)
        except BadSignature:  # includes an expired one
            return None
        session_id = data.get("s") if isinstance(data, dict) else None
        return session_id if isinstance(session_id, str) else None

    # The cookies, with the attributes they always have; max_age 0 clears one.
    def _cookie(self, value: str, max_age: int) -> Cookie:
        return self._set_cookie(COOKIE, value, PREFIX + "/", max_age)

    def _state_cookie(self, value: str, max_age: int) -> Cookie:
        return self._set_cookie(STATE_COOKIE, value, PREFIX + "/oidc/", max_age)

    def _set_cookie(self, name: str, value: str, path: str, max_age: int) -> Cookie:
        """Starlette's set_cookie, or its delete_cookie for max_age 0: HttpOnly,
        SameSite=Lax, Secure over https, for `path` and what is under it."""
        secure = self.secure

        def on(answer: Response) -> None:
            if max_age == 0:
                answer.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="lax")
            else:
                answer.set_cookie(name, value, max_age, path=path, secure=secure, httponly=True, samesite="lax")

        return on


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


def _until(request: Request) -> date | None:
    """A playbook page's `?until=YYYY-MM-DD`; None for anything else."""
    text = request.query_params.get("until", "")
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
