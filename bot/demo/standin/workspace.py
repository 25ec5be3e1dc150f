"""The workspace as Slack knows it: the ids of the team, the app and its bot user, the
channels and the users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BOT_USER = "UROLLOUTBOT"
BOT_ID = "BROLLOUT01"
TEAM_ID = "T0ROLLOUT"
APP_ID = "A0ROLLOUT"


@dataclass
class Workspace:
    channels: dict[str, list[str]] = field(default_factory=dict)  # channel -> member ids
    names: dict[str, str] = field(default_factory=dict)  # channel -> its name (else its id, lower case)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> users.info "user"
    not_in_channel: set[str] = field(default_factory=set)  # channels the bot was not invited to
    archived: set[str] = field(default_factory=set)  # archived channels: no posting
    private: set[str] = field(default_factory=set)  # private channels (and every G channel): members only

    def is_private(self, channel: str) -> bool:
        return channel in self.private or channel.startswith("G")

    def add_user(
        self,
        user_id: str,
        *,
        tz: str | None = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
        name: str | None = None,
        is_app_user: bool = False,
        display_name: str | None = None,
        email: str | None = None,
    ) -> None:
        """A user as users.info describes one: a deactivated user is still there, with
        `deleted: true`; a bot user has `is_bot: true` and its bot id in its profile.
        `name` is their real name and `display_name` the one they chose; Slack gives ""
        for either when there is none (a user given neither has no name here). `email` is
        in the profile as Slack gives it to an app granted `users:read.email`."""
        profile: dict[str, Any] = {
            "real_name": name or "",
            "real_name_normalized": name or "",
            "display_name": display_name or "",
            "display_name_normalized": display_name or "",
        }
        if email:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = BOT_ID if user_id == BOT_USER else "B" + user_id[1:]
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name or user_id.lower(),  # the handle, Slack's legacy `name`
            "real_name": name or "",
            "deleted": deleted,
            "tz": tz,
            "is_bot": is_bot,
            "is_app_user": is_app_user,
            "profile": profile,
        }


def new_workspace() -> Workspace:
    """A workspace as every Slack workspace has it: Slackbot (whom Slack does not mark as a
    bot) and the bot's own user."""
    workspace = Workspace()
    workspace.add_user("USLACKBOT", name="slackbot", tz=None)
    workspace.add_user(BOT_USER, name="rollout", is_bot=True, tz=None)
    return workspace


def dm_channel(channel: str) -> str:
    """Where a DM to a user is kept (conversations.open's id for it); any other channel as is."""
    return "D" + channel[1:] if channel[:1] in ("U", "W") else channel
