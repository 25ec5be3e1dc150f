"""Sign in with Slack (OpenID Connect), as Slack documents it: the authorize URL, then
the code exchanged for the person's token, their ID token and their identity, by
slack_sdk.

The ID token is taken only if it is for this app, from Slack, unexpired, and carries the
nonce of this sign-in: a code carried over from someone else's sign-in is refused. Its
signature is not verified: the token comes straight from Slack's token endpoint over TLS,
which OpenID Connect Core 3.1.3.7 allows in place of the signature (and which spares
fetching Slack's keys)."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

USER_ID, TEAM_ID = "https://slack.com/user_id", "https://slack.com/team_id"
CLOCK_LEEWAY = 60  # seconds an ID token is still taken after its `exp`: our clock and Slack's differ

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackSignIn:
    """The app's OpenID Connect client (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET)."""

    client_id: str
    client_secret: str
    api_url: str  # Slack's Web API (SLACK_API_URL): the authorize page is on the same host

    @property
    def issuer(self) -> str:
        """Who issues the ID tokens: the API's host (`https://slack.com`, as Slack's
        /.well-known/openid-configuration says)."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.netloc}"

    def authorize_url(self, redirect_uri: str, state: str, nonce: str, team: str | None) -> str:
        generator = OpenIDConnectAuthorizeUrlGenerator(
            client_id=self.client_id,
            scopes=["openid", "profile"],
            redirect_uri=redirect_uri,
            authorization_url=self.issuer + "/openid/connect/authorize",
        )
        return generator.generate(state=state, nonce=nonce, team=team)

    def identity(self, code: str, redirect_uri: str, nonce: str) -> tuple[str, str] | None:
        """(user id, team id) of whoever Slack signed in with `code`; None if Slack refuses
        it, or if its ID token is not of the sign-in that sent `nonce`. The identity is
        asked of Slack over its API with the person's own token."""
        client = WebClient(base_url=self.api_url, timeout=10)
        try:
            answer = client.openid_connect_token(
                client_id=self.client_id, client_secret=self.client_secret, code=code, redirect_uri=redirect_uri
            )
            claims = id_token_claims(
                str(answer.get("id_token") or ""),
                client_id=self.client_id,
                issuer=self.issuer,
                nonce=nonce,
                now=time.time(),
            )
            if claims is None:
                log.info("web: Slack's ID token is not of this sign-in (its nonce, app, issuer or expiry)")
                return None
            info = WebClient(
                token=str(answer["access_token"]), base_url=self.api_url, timeout=10
            ).openid_connect_userInfo()
        except (SlackApiError, KeyError, OSError, TimeoutError):
            return None
        if info.get("sub") != claims.get("sub"):  # OpenID Connect Core 5.3.2
            return None
        user, team = info.get(USER_ID) or info.get("sub"), info.get(TEAM_ID)
        return (str(user), str(team)) if user and team else None


def id_token_claims(token: str, *, client_id: str, issuer: str, nonce: str, now: float) -> dict[str, Any] | None:
    """The claims of an ID token (a JWT) if `issuer` issued it to `client_id`, it has not
    expired at `now` (seconds since the epoch) and it carries `nonce`; None otherwise, or
    if it is no JWT. Its signature is not checked (see the module's words)."""
    parts = token.split(".")
    if len(parts) != 3 or not nonce:
        return None
    claims = _payload(parts[1])
    if not isinstance(claims, dict):
        return None
    return (
        claims
        if claims.get("iss") == issuer
        and _issued_to(claims, client_id)
        and _unexpired(claims.get("exp"), now)
        and _carries(claims.get("nonce"), nonce)
        else None
    )


def _payload(part: str) -> Any:
    """A JWT's payload part decoded (base64url without its padding, then JSON); None if it is not."""
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, RecursionError):  # not base64, not UTF-8 or not JSON
        return None


def _issued_to(claims: dict[str, Any], client_id: str) -> bool:
    """`client_id` is an audience of the token, and its authorized party where it has several."""
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    return client_id in audiences and (len(audiences) == 1 or claims.get("azp") == client_id)


def _unexpired(expiry: Any, now: float) -> bool:
    """The token's `exp`, a number, not passed at `now` (with CLOCK_LEEWAY)."""
    return isinstance(expiry, int | float) and not isinstance(expiry, bool) and now < expiry + CLOCK_LEEWAY


def _carries(sent: Any, nonce: str) -> bool:
    """The token's `nonce` is the one sent."""
    return isinstance(sent, str) and secrets.compare_digest(sent.encode(), nonce.encode())
