"""Sign in with Slack (OpenID Connect), as Slack documents it: the authorize URL, then
the code exchanged for the person's token and their identity, by slack_sdk."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

USER_ID, TEAM_ID = "https://slack.com/user_id", "https://slack.com/team_id"


@dataclass(frozen=True)
class SlackSignIn:
    """The app's OpenID Connect client (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET)."""

    client_id: str
    client_secret: str
    api_url: str  # Slack's Web API (SLACK_API_URL): the authorize page is on the same host

    def authorize_url(self, redirect_uri: str, state: str, nonce: str, team: str | None) -> str:
        parts = urlsplit(self.api_url)
        authorize = f"{parts.scheme}://{parts.netloc}/openid/connect/authorize"
        generator = OpenIDConnectAuthorizeUrlGenerator(
            client_id=self.client_id,
            scopes=["openid", "profile"],
            redirect_uri=redirect_uri,
            authorization_url=authorize,
        )
        return generator.generate(state=state, nonce=nonce, team=team)

    def identity(self, code: str, redirect_uri: str) -> tuple[str, str] | None:
        """(user id, team id) of whoever Slack signed in with `code`; None if Slack refuses
        it. The identity is asked of Slack over its API with the person's own token."""
        client = WebClient(base_url=self.api_url, timeout=10)
        try:
            answer = client.openid_connect_token(
                client_id=self.client_id, client_secret=self.client_secret, code=code, redirect_uri=redirect_uri
            )
            info = WebClient(
                token=str(answer["access_token"]), base_url=self.api_url, timeout=10
            ).openid_connect_userInfo()
        except (SlackApiError, KeyError, OSError, TimeoutError):
            return None
        user, team = info.get(USER_ID) or info.get("sub"), info.get(TEAM_ID)
        return (str(user), str(team)) if user and team else None
