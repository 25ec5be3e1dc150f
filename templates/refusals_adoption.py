"""Adopting a registry version, asking for one, and upgrading to a newer one
(handlers/grammar_adopt.py, usecases/adoption.py, usecases/versions.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "adopt_arguments": "`adopt` needs the playbook (and version) to adopt and the new team's channel.",
    "adopt_version": "“{word}”: name a version as playbook@v2.",
    "adopt_owner": (
        "After the channel, say `owner @person` and `champion @person`, and the team's own `baseline:`, `target:`, `tz:`, `cap:`, "
        "`rubric:` and `start:` if they differ (and `override` with a reason last, past a wave)."
    ),
    "adopt_option_twice": "`{option}:` is given twice.",
    "adopt_twice": (
        "{channel} already runs {slug}, adopted from {origin}. One channel runs one adoption of a playbook: "
        "its team would get every nudge and DM twice."
    ),
    "request_arguments": (
        "Name the version, the team's channel and `champion @person` (the requester becomes the owner), "
        "or type `/rollout request` alone for the form."
    ),
    "request_pending": (
        "{channel} already asked for {slug} v{version}: {requester}'s request of {day} is waiting for the curators."
    ),
    "request_no_curators": "No curators channel is set, so no one would see the request. Ask an admin to set one.",
    "curators_decide_requests": "Only curators approve or decline a request to adopt.",
    "request_unknown": "I don't know that request any more.",
    "request_decided": "That request was {status} already, by {by}.",
    "request_own_override": "Not yours to decide: adopting past a wave, a team's load or close matches, "
    "with a reason, is decided by a curator other than the one who asks it.",
    "request_decided_now": "That request was decided a moment ago by someone else; nothing more was done.",
    "adopt_twice_role": "Say `{role} @person` once.",
    "adopt_bot_not_in_channel": (
        "I'm not in {channel} (Slack says {error}), so I can't run a playbook there. Invite me with "
        "`/invite @Rollout Cadence` in that channel, then adopt again."
    ),
    "adopt_not_allowed": (
        "*{slug} v{version}* does not let an adopting team set {refused}; it may set {allowed} "
        "(and `start:`). The version's `replication: may_change` says so."
    ),
    "adopt_wave": (
        "*{slug}* runs in its wave {number} already: {running} (a playbook's waves go on across its versions; "
        "you asked for v{version}). Its next wave opens when one of them has replicated and the wave's "
        "learnings are reviewed with a note (by the origin's owner or a curator: *Learnings reviewed*, or "
        "`/rollout wave {slug} reviewed <note>`): {opens}. A curator may adopt it all "
        "the same by adding `override <reason>`; the reason is recorded."
    ),
    "adopt_phase_piloting": (
        "*{slug} v{version}* is {phase}. A wave is not opened for a version before its post-pilot assessment; "
        "nothing was adopted or stored. A curator may adopt it all the same by adding `override <reason>`: "
        "a curator other than the one who asks decides it, and the reason is recorded."
    ),
    "adopt_phase_assessed": (
        "*{slug} v{version}* is {phase}. A wave is not opened for a version still in phase 1: its second pilot "
        "replicates it first; nothing was adopted or stored. A curator may adopt it all the same by adding "
        "`override <reason>`: a curator other than the one who asks decides it, and the reason is recorded."
    ),
    "curators_adopt": "Only curators start a team on a registry playbook.",
    "upgrade_arguments": "`upgrade` needs a playbook, and a version if not the newest: `/rollout upgrade <playbook> v3`.",
    "upgrade_not_adopter": (
        "*{slug}* was not adopted from the registry: only a playbook adopted from a version upgrades to a newer one."
    ),
    "upgrade_retired": "*{slug}* is retired; a retired playbook runs no version.",
    "upgrade_not_newer": "*{slug}* runs *{origin} v{runs}*; v{number} is not newer.",
    "upgrade_newest": "*{slug}* runs *{origin} v{runs}*, the newest version.",
    "upgrade_not_allowed": (
        "*{origin} v{number}* no longer lets an adopting team set {refused}, which *{slug}* set; it stays on "
        "v{runs}. The version's `replication: may_change` says so: ask the origin's owner or a curator."
    ),
    "upgrade_moved": "*{slug}* runs *{origin} v{runs}* now: it moved since this message. Nothing was changed.",
    "upgrade_not_adoptable": "*{origin} v{number}* can't run as *{slug}*: {problem}. It stays on v{runs}.",
}
