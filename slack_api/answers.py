"""What Slack's answers mean for a queued message (slack_api/dispatch.py delivers it): the
errors that the same request meets again however often it is retried, a channel lost to
the bot, a person gone, a token refused; a 429's Retry-After; the fallback a message may
carry for a channel or person Slack refused; an error as it is recorded."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from cadence.change import Message
from storage.models.bookkeeping import OutboxMessage

# Errors that the same request will meet again however often it is retried.
CHANNEL_LOST = frozenset({"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"})
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
        "ekm_access_denied",
        "duplicate_channel_not_found",
        "view_too_large",
        "not_enabled",
        "invalid_user",
    }
)


# Slack's answers to a token it will not accept. account_inactive is also what a bot token
# of a deleted workspace gets; auth.test tells the two apart (_token_refused).
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


PERSON_GONE = frozenset({"user_not_found", "account_inactive", "user_disabled"})  # a DM's person left


FALLBACK = "fallback"  # a payload's {channel, payload}: where it goes if Slack refuses its own channel or person


def fallback_of(message: OutboxMessage, error: str) -> Message | None:
    """The message's fallback for Slack's `error`, with Slack's answer added: for a channel
    lost to the bot or a person gone, if the payload carries one."""
    given = message.payload.get(FALLBACK)
    if not isinstance(given, dict) or error not in CHANNEL_LOST | PERSON_GONE or message.method != "chat.postMessage":
        return None
    payload = dict(given["payload"])
    why = {
        "type": "mrkdwn",
        "text": f"Slack answered `{error}` for <{'@' if message.channel[:1] in 'UW' else '#'}{message.channel}>.",
    }
    payload["blocks"] = [*payload.get("blocks", []), {"type": "context", "elements": [why]}]
    return Message(f"{message.key}:fallback", "chat.postMessage", str(given["channel"]), payload)


def retry_after(err: SlackApiError) -> float:
    headers = {k.lower(): v for k, v in (err.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 1.0)  # type: ignore[arg-type]  # None and junk are caught below
    except (TypeError, ValueError):
        return 1.0


def slack_error(err: BaseException) -> str:
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or f"http_{err.response.status_code}")
    return f"{type(err).__name__}: {err}"[:200]
