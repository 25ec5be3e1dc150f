"""Signing in to the web view (handlers/web_view.py, docs/usage.md): a one-time link from
`/rollout web`, or Sign in with Slack for a user of this workspace; the session of 12
hours it starts, who a session signs in, and sign-out. Only tokens' hashes are kept. What
each page shows the viewer is usecases/web.py's."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from storage.store import Store
from usecases.shared.services import Services
from usecases.web import Viewer

LINK_VALID = timedelta(minutes=10)
SESSION = timedelta(hours=12)  # a session's life from sign-in; sign-out ends it sooner


def one_time_link(store: Store, now: datetime, user_id: str, web_url: str) -> str:
    """A sign-in link for `user_id`, good once and for ten minutes (`/rollout web`): kept
    through `store`, the request's (its keys go in with it)."""
    token = secrets.token_urlsafe(32)
    with store.unit_of_work() as uow:
        uow.web_logins.add(_hash(token), user_id, now + LINK_VALID)
        uow.commit()
    return f"{web_url.rstrip('/')}/web/login?token={token}"


def sign_in(services: Services, token: str) -> Viewer | None:
    """The viewer a one-time link signs in, using it up; None if it is unknown, used or old."""
    if not token or len(token) > 100:
        return None
    with services.store.unit_of_work() as uow:
        user_id = uow.web_logins.use(_hash(token), services.clock())
        uow.commit()
    return Viewer(user_id) if user_id else None


def sign_in_with_slack(
    services: Services, code: str, redirect_uri: str, nonce: str, workspace_team: str | None
) -> Viewer | str:
    """Whoever Slack signed in with `code`, in the sign-in that sent `nonce`, if they are a
    user of this workspace. Otherwise why not, as the sign-in page words it:
    "not_started_here" when Slack refuses the code or its ID token is of another sign-in
    (a code carried over from someone else's), "other_workspace" for anyone else."""
    signin = services.sign_in_with_slack
    if signin is None or not code or len(code) > 200 or not nonce:
        return "not_started_here"
    identity = signin.identity(code, redirect_uri, nonce)
    if identity is None:
        return "not_started_here"
    if workspace_team is None or identity[1] != workspace_team:
        return "other_workspace"
    return Viewer(identity[0])


def start_session(services: Services, viewer: Viewer) -> str:
    """A session for `viewer`, of 12 hours: its id, for the cookie (only its hash is kept)."""
    session_id = secrets.token_urlsafe(32)
    now = services.clock()
    with services.store.unit_of_work() as uow:
        uow.web_logins.add_session(_hash(session_id), viewer.user_id, now, now + SESSION)
        uow.commit()
    return session_id


def session_viewer(services: Services, session_id: str) -> Viewer | None:
    """Who the session signs in, if it has neither ended (sign-out) nor expired."""
    if not session_id or len(session_id) > 100:
        return None
    user_id = services.store.web_logins.session_user(_hash(session_id), services.clock())
    return Viewer(user_id) if user_id else None


def end_session(services: Services, session_id: str) -> None:
    """Sign-out: the session signs nobody in from now on, whoever holds its cookie."""
    if session_id and len(session_id) <= 100:
        with services.store.unit_of_work() as uow:
            uow.web_logins.end_session(_hash(session_id))
            uow.commit()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
