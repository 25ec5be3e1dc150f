"""Sign in with Slack (OpenID Connect), as Slack documents it.

A test says who signs in (`oidc_user`, of `oidc_team`) and the app's credentials; the
authorize page then sends the browser straight back with a code, as Slack does once the
person has agreed. The code's exchange answers with the person's token and an ID token
carrying the nonce the authorize page was given.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from bot.demo.standin.workspace import TEAM_ID


class SignIn:
    """SlackStandIn's authorize page and openid.connect methods (server.py)."""

    oidc_client = ("", "")  # (client id, client secret) of the app
    oidc_user: str | None = None
    oidc_team: str = TEAM_ID

    url: str
    _lock: threading.Lock
    _oidc_codes: dict[str, tuple[str, str, str, str | None]]  # code -> (user, team, redirect_uri, nonce)
    _oidc_tokens: dict[str, tuple[str, str]]  # access token -> (user, team)

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        scopes = query.get("scope", "").replace(",", " ").split()  # slack_sdk joins them with commas
        if query.get("client_id") != self.oidc_client[0] or "openid" not in scopes:
            return 400, {}
        if self.oidc_user is None:
            return 403, {}
        code = f"code-{uuid.uuid4().hex}"
        with self._lock:
            self._oidc_codes[code] = (self.oidc_user, self.oidc_team, query.get("redirect_uri", ""), query.get("nonce"))
        back = f"{query.get('redirect_uri', '')}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": back}

    def _openid(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "openid.connect.token":
            if (params.get("client_id"), params.get("client_secret")) != self.oidc_client:
                return {"ok": False, "error": "invalid_client_id"}
            with self._lock:
                found = self._oidc_codes.pop(str(params.get("code")), None)
            if found is None or found[2] != params.get("redirect_uri"):
                return {"ok": False, "error": "invalid_code"}
            access = f"xoxp-oidc-{uuid.uuid4().hex}"
            with self._lock:
                self._oidc_tokens[access] = found[:2]
            user, team, _, nonce = found
            now = int(time.time())  # the real time, as the app checks `exp` against (not the demo's clock)
            claims = {
                "iss": self.url.removesuffix("/api/"),  # Slack's: https://slack.com, the API's host
                "sub": user,
                "aud": self.oidc_client[0],
                "exp": now + 300,
                "iat": now,
                "auth_time": now,
                **({"nonce": nonce} if nonce is not None else {}),
                "https://slack.com/team_id": team,
                "https://slack.com/user_id": user,
            }
            return {"ok": True, "access_token": access, "token_type": "Bearer", "id_token": id_token(claims)}
        with self._lock:
            who = self._oidc_tokens.get(token or "")
        if who is None:
            return {"ok": False, "error": "invalid_auth"}
        user, team = who
        return {
            "ok": True,
            "sub": user,
            "https://slack.com/user_id": user,
            "https://slack.com/team_id": team,
        }


def id_token(claims: dict[str, Any]) -> str:
    """An ID token as Slack's token endpoint hands one out: a JWT (header, claims,
    signature). Its signature is random bytes: the app reads the claims of a token it got
    straight from Slack over TLS and does not verify it (slack_api/oidc.py)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = {"typ": "JWT", "alg": "RS256", "kid": "standin"}
    signature = uuid.uuid4().bytes * 16  # as long as an RS256 signature with a 2,048-bit key
    return ".".join((part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(signature)))
