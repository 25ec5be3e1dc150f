"""The registry: publishing versions, and the waves of the teams that run them
(usecases/registry.py, usecases/waves.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "publish_arguments": "Name the one playbook to publish (and `override` and a reason to publish what is not yet ready).",
    "override_reason": "Say why after `override`: the reason is recorded with the decision.",
    "publish_scale_rule": (
        "{slug}'s scale rule never held ({rule}), and a playbook that doesn't move its one number doesn't "
        "scale:\n{results}\nReadiness:\n{criteria}\nA curator may publish it anyway with `/rollout publish {slug} override <reason>`: "
        "the version says it was published by override, and its adopters have no origin change to replicate against."
    ),
    "curators_publish": "Only curators publish to the registry.",
    "wave_who": "Only {slug}'s owner ({owner}) or a curator marks a wave's learnings reviewed.",
    "wave_gone": "That version is no longer in the registry; nothing was marked.",
    "wave_marked": "Wave {wave}'s learnings of *{slug}* were marked reviewed already, by {by} on {at}.",
    "wave_no_teams": "No team runs any version of *{slug}* yet: there is no wave to review.",
    "wave_arguments": (
        "Say which playbook, `reviewed` and what the next wave should know, e.g. "
        "`/rollout wave support-replies reviewed drafts need the refund policy`."
    ),
    "wave_note": (
        "Say what wave {wave} of *{slug}* taught, for the next wave: "
        "`/rollout wave {slug} reviewed <note>`. Its teams get the note with their adoption; nothing was marked."
    ),
    "publish_not_ready": (
        "*{slug}* is not yet ready to scale:\n{criteria}\nA curator may publish it all the same with "
        "`/rollout publish {slug} override <reason>`, once a curator who is neither its owner nor the asker approves."
    ),
    "publish_race": "{problem}; run the command again for the next version.",
    "scale_decided": "This playbook was already {status}.",
    "playbook_gone": "That playbook is gone.",
    "no_version": "The registry has no {which}.",
    "no_version_number": "The registry has no v{number} of {slug}. Its versions: {versions}.",
    "not_adoptable": "That version can't be adopted as it is: {problem}",
}
