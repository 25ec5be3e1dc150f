"""Who may do it, and the people a playbook names: owners, champions and their checklist,
curators (usecases/shared/caller.py, roles.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "curator_arguments": "Say `curator add` or `curator remove` and mention one person.",
    "curators_channel_arguments": "Name one channel.",
    "already_owner": "They already own {slug}.",
    "owner_arguments": "Name the playbook and mention its new owner.",
    "champion_arguments": "Name the playbook and mention its champion.",
    "already_champion": "They are {slug}'s champion already.",
    "checklist_champion_only": (
        "Only {slug}'s champion, {champion}, marks its checklist; the owner or a curator names another "
        "with `/rollout champion {slug} @person`."
    ),
    "checklist_owner_not_alone": (
        "Others are on {slug}'s team: name one of them its champion with `/rollout champion {slug} @person`, "
        "who marks the training done. The owner is the champion only as the team's only member."
    ),
    "checklist_item_gone": "That item is no longer on {slug}'s checklist.",
    "bot_not_in_channel": (
        "I can't see who is in {channel} (Slack says {error}). Invite me there with "
        "`/invite @Rollout Cadence`; nothing was stored."
    ),
    "slack_busy_members": (
        "Slack is busy and didn't tell me who is on the team in time; nothing was stored. Try again in a minute."
    ),
    "slack_busy_channel": (
        "Slack is busy and didn't tell me in time whether I'm in that channel; nothing was stored. "
        "Try again in a minute."
    ),
    "slack_busy_person": (
        "Slack is busy and didn't tell me in time who that is; nothing was stored. Try again in a minute."
    ),
    "person_unknown": "Slack knows no user {user} in this workspace, so they can't be {role}.",
    "person_deactivated": "{user} is deactivated in Slack, so they can't be {role}.",
    "person_not_human": "{user} is a bot or an app, not a person: only a person can be {role}.",
    "members_or_owner_only": "Only members of {channel} and the owner of {slug} can report its KPI.",
    "members_only": "Only members of {channel}, the team running {slug}, check in for it.",
    "owner_or_curator_only": "Only the owner of {slug} ({owner}) or a curator can do that.",
    "admins_only": "Only admins (listed in ROLLOUT_ADMINS) can do that.",
}
