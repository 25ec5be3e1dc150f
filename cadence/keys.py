"""Every idempotency key and message reference, in one place.

These strings are stored under unique indexes: a unit of cadence work is done once
because its key is (cadence_job.key), a message is sent once because its key is
(outbox_message.key), and a later `chat.update` finds the message it edits by the
key of the message it was (`ts_of`). Deployed databases hold keys written by earlier
releases, so a format here never changes: a changed nudge key sends that nudge twice,
a changed proposal reference loses the message its buttons live in.
tests/cadence/test_keys.py pins every format.

Shapes: a unit of work is `kind:...`; a message of it is `<unit>#<audience>`; an
update of a message is `<message>:<status>`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

# ---- units of cadence work (cadence_job.key) ---------------------------------------------


def nudge(playbook_id: int, week_start: date) -> str:
    return f"nudge:{playbook_id}:{week_start.isoformat()}"


def close(playbook_id: int, week_start: date) -> str:
    return f"close:{playbook_id}:{week_start.isoformat()}"


def member_work(kind: str, playbook_id: int, week_start: date, user_id: str) -> str:
    """A check-in DM or reminder (`kind`) to one member."""
    return f"{kind}:{playbook_id}:{week_start.isoformat()}:{user_id}"


ALL_MEMBERS = "*"


def lapsed_member_work(kind: str, playbook_id: int, week_start: date) -> str:
    """A week of check-in DMs or reminders missed entirely (the bot was down): one record."""
    return member_work(kind, playbook_id, week_start, ALL_MEMBERS)


def learning_prompt(playbook_id: int, week_start: date) -> str:
    """The owner's week-4 DM asking what the cycle taught (week_start: its fourth week)."""
    return f"learning-prompt:{playbook_id}:{week_start.isoformat()}"


def owner_reminder(playbook_id: int, week_start: date) -> str:
    """The owner's Friday DM of what is missing for the week (or its record that nothing was)."""
    return f"owner-reminder:{playbook_id}:{week_start.isoformat()}"


def source_failed(playbook_id: int, week_start: date, source: str) -> str:
    """The one message, per source and week, that a source gave no number (docs/sources.md)."""
    return f"source-failed:{playbook_id}:{week_start.isoformat()}:{source}"


def input_below(playbook_id: int, week_start: date, name: str) -> str:
    """The one DM, per checked input and week, that its check came in below its min
    (docs/sources.md, "Input checks"); the input by a hash of its name (up to 200 characters)."""
    named = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"input-below:{playbook_id}:{week_start.isoformat()}:{named}"


def digest(monday: date) -> str:
    return f"digest:{monday.isoformat()}"


def digest_waiting(monday: date) -> str:
    """A week's digest that had nowhere to go (no curators channel): the admins are told once."""
    return f"digest-waiting:{monday.isoformat()}"


def digest_now(instant_iso: str) -> str:
    """A digest posted by hand (`rollout digest`)."""
    return f"digest-now:{instant_iso}"


@dataclass(frozen=True)
class WorkKey:
    kind: str
    playbook_id: int | None
    week_start: date
    user_id: str | None = None


def parse_work(key: str) -> WorkKey:
    """The parts of a unit-of-work key (nudge, close, member work, digest)."""
    kind, _, rest = key.partition(":")
    if kind in ("digest", "digest-waiting"):
        return WorkKey(kind, None, date.fromisoformat(rest))
    parts = rest.split(":")
    user = parts[2] if len(parts) > 2 else None
    return WorkKey(kind, int(parts[0]), date.fromisoformat(parts[1]), user)


# ---- messages (outbox_message.key) ------------------------------------------------------


def only_message(unit: str) -> str:
    """The one message of a unit of work: a nudge, a DM, a week's summary."""
    return f"{unit}#0"


def to_audience(unit: str, audience: str) -> str:
    """A unit's message to one audience: `team` (its channel) or `curators`."""
    return f"{unit}#{audience}"


def updated(message: str, status: str) -> str:
    """The `chat.update` of a message that was sent under `message` (its `ts_of`)."""
    return f"{message}:{status}"


# ---- governance -------------------------------------------------------------------------


def step_transitions(close_key: str, step_id: int) -> str:
    """What a week close decided for one step: alerts hang below it by transition kind."""
    return f"{close_key}:{step_id}"


def transition(base: str, kind: str) -> str:
    return f"{base}:{kind}"


def proposal(step_id: int, week_start: date) -> str:
    """A promotion proposal (proposal.key); its messages are to_audience(key, ...)."""
    return f"proposal:{step_id}:{week_start.isoformat()}"


def proposal_decided(proposal_key: str, approved: bool) -> str:
    return f"{proposal_key}:{'approved' if approved else 'rejected'}"


def override(step_id: int, instant_iso: str) -> str:
    """A manual mode change or unfreeze by a person."""
    return f"override:{step_id}:{instant_iso}"


def scale(playbook_id: int, cycle: int) -> str:
    """A "ready to scale" proposal (proposal.key); its message goes to the curators."""
    return f"scale:{playbook_id}:{cycle}"


def not_ready(playbook_id: int, cycle: int) -> str:
    """ "KPI sustained, not yet ready": once per playbook and cycle."""
    return f"not-ready:{playbook_id}:{cycle}"


def stall(playbook_id: int, cycle: int) -> str:
    """A playbook stalled at the end of `cycle`: its message to the owner and the curators,
    once; its buttons carry it back (read_stall)."""
    return f"stall:{playbook_id}:{cycle}"


def pulse_hold(playbook_id: int, cycle: int) -> str:
    """The pulse of `cycle` holding promotions to ai-led: its message to the owner, once."""
    return f"pulse-hold:{playbook_id}:{cycle}"


def publish(playbook_id: int, version: int) -> str:
    return f"publish:{playbook_id}:v{version}"


def hand_over(playbook_id: int, instant_iso: str) -> str:
    """A playbook changing owner: the new owner's DM goes under it."""
    return f"owner:{playbook_id}:{instant_iso}"


def channel_lost(playbook_id: int, instant_iso: str) -> str:
    """A playbook paused because Slack lost its team channel: the owner's DM and the curators' alert."""
    return f"channel-lost:{playbook_id}:{instant_iso}"


def owner_gone(playbook_id: int, user_id: str, instant_iso: str) -> str:
    """A playbook whose owner Slack calls deactivated: the curators' alert (once per
    deactivation: the instant it was first heard)."""
    return f"owner-gone:{playbook_id}:{user_id}:{instant_iso}"


def adopt(slug: str) -> str:
    return f"adopt:{slug}"


def newer_version(playbook_id: int, version: int) -> str:
    """An adopting playbook told that `version` of its origin is out: once per adopter and version."""
    return f"newer:{playbook_id}:v{version}"


def upgraded(playbook_id: int, version: int) -> str:
    """An adopting playbook moved to `version` of its origin (a version is only ever newer)."""
    return f"upgraded:{playbook_id}:v{version}"


def learned_back(origin_id: int, day: date) -> str:
    """An origin's owner's DM of its adopters' new learnings, on `day` in the owner's zone."""
    return f"learned-back:{origin_id}:{day.isoformat()}"


# ---- the digest's messages --------------------------------------------------------------


def digest_summary(unit: str) -> str:
    return f"{unit}#summary"


def digest_function(unit: str, slug: str, part: int) -> str:
    """One function's thread reply (`slug` names the function), part `part` of it."""
    return f"{unit}#fn:{slug}:{part}"


def digest_chart(unit: str, slug: str) -> str:
    return f"{unit}#chart:{slug}"


def digest_learned(unit: str) -> str:
    """The digest's "learned this week" thread reply."""
    return f"{unit}#learned"


def digest_usage_cohorts(unit: str) -> str:
    """The digest's usage cohorts thread reply (docs/usage-records.md, "Usage cohorts")."""
    return f"{unit}#usage-cohorts"


# ---- values that come back to us from Slack ---------------------------------------------


def checkin_button(playbook_id: int, week_start: date) -> str:
    """What a check-in DM's buttons carry back: which playbook and which week. DMs sent
    by earlier releases are still clicked, so this reads back as it always has."""
    return json.dumps({"playbook": playbook_id, "week": week_start.isoformat()}, separators=(",", ":"))


MAX_ID = 2**31 - 1  # the largest row id our tables hold (PostgreSQL's integer)


def read_id(value: object) -> int | None:
    """A row id that came back from Slack (an int, or its digits), or None if it cannot be one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def read_checkin_button(value: object) -> tuple[int, date] | None:
    """A check-in button's value (or a check-in form's metadata, which holds the same two
    fields) read back: the playbook id and the week; None for anything checkin_button
    could not have written, such as {"playbook": 1e400}."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict) or not isinstance(value.get("week"), str):
        return None
    playbook = read_id(value.get("playbook"))
    try:
        return (playbook, date.fromisoformat(value["week"])) if playbook is not None else None
    except ValueError:
        return None


def read_stall(value: object) -> tuple[int, int] | None:
    """A stall button's value (or its form's metadata) read back: the playbook id and the
    cycle; None for anything `stall` could not have written."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "stall":
        return None
    playbook, cycle = read_id(parts[1]), read_id(parts[2])
    return (playbook, cycle) if playbook is not None and cycle is not None else None


def wave_replicated(adopter_id: int, cycle: int) -> str:
    """An adopter's cycle replicated: the origin's owner is told once (with *Learnings reviewed*)."""
    return f"wave-replicated:{adopter_id}:{cycle}"


def wave_reviewed(version_id: int, wave: int) -> str:
    """A version's wave marked reviewed: told once, however many marks were tried."""
    return f"wave-reviewed:{version_id}:{wave}"


def wave_button(version_id: int, wave: int) -> str:
    """What *Learnings reviewed* carries back: the version and its wave (read_wave_button)."""
    return f"wave:{version_id}:{wave}"


def read_wave_button(value: object) -> tuple[int, int] | None:
    """A *Learnings reviewed* button's value read back, or None for anything wave_button could not have written."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "wave":
        return None
    version, wave = read_id(parts[1]), read_id(parts[2])
    return (version, wave) if version is not None and wave is not None else None


def checklist_button(slug: str, index: int, done: bool) -> str:
    """What a champion's checklist button carries back: the playbook (by slug: an adoption's
    DM is written before its row has an id), the item's place in its checklist and whether
    the click marks it done (or undone)."""
    return json.dumps({"playbook": slug, "item": index, "done": done}, separators=(",", ":"))


def read_checklist_button(value: object) -> tuple[str, int, bool] | None:
    """A checklist button's value read back, or None for anything checklist_button could not have written."""
    try:
        value = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("done"), bool):
        return None
    playbook, item = value.get("playbook"), value.get("item")
    if not isinstance(playbook, str) or not 0 < len(playbook) <= 64:
        return None
    if not isinstance(item, int) or isinstance(item, bool) or not 0 <= item < 100:
        return None
    return playbook, item, value["done"]


def champion(playbook_id: int, instant_iso: str) -> str:
    """A playbook's champion named: their checklist DM goes under it."""
    return f"champion:{playbook_id}:{instant_iso}"


# ---- one-off messages -------------------------------------------------------------------


def home_refresh(user_id: str, unique: str) -> str:
    return f"home:{user_id}:{unique}"


def dm_update(unique: str) -> str:
    return f"dm-update:{unique}"


def setup_asked(playbook_id: int) -> str:
    """The one DM asking an adopting playbook's champion (else owner) how its setup went."""
    return f"setup-asked:{playbook_id}"


# ---- requests already handled (seen_request.key) ----------------------------------------


def seen_signature(signature: str) -> str:
    return f"sig:{signature[:100]}"


def seen_event(event_id: str) -> str:
    return f"event:{event_id[:100]}"


def seen_view(view_id: str, view_hash: str) -> str:
    """A form as it was submitted: Slack's view id and the hash of that state of the view,
    the same when Slack (or a second click on *Create*) sends it again. Hashed together
    (SHA-256, hex): the key is 69 characters whatever their lengths, within seen_request.key."""
    pair = json.dumps([view_id, view_hash]).encode()
    return f"view:{hashlib.sha256(pair).hexdigest()}"


# ---- the exception queue ----------------------------------------------------------------


def exception_queue(playbook_id: int, week_start: date) -> str:
    """The exception owner's Monday DM of the open items (or its record that none were)."""
    return f"exception-queue:{playbook_id}:{week_start.isoformat()}"


ITEM_SOURCES = {"e": "exception", "d": "deviation"}


def exception_item(source: str, report_id: int) -> str:
    """What an item's buttons and forms carry back: `e:<exception id>` or `d:<check-in id>`."""
    letter = next(k for k, v in ITEM_SOURCES.items() if v == source)
    return f"{letter}:{report_id}"


def read_exception_item(value: object) -> tuple[str, int] | None:
    """An item's value read back: (source, report id), or None for anything
    exception_item could not have written."""
    if not isinstance(value, str):
        return None
    letter, _, digits = value.partition(":")
    report_id = read_id(digits)
    if letter not in ITEM_SOURCES or report_id is None:
        return None
    return ITEM_SOURCES[letter], report_id


def escalation_backlog(playbook_id: int, since: datetime) -> str:
    """The summary of a playbook's items logged before its handoff terms began at `since`
    (usecases/escalation.py, tell_backlogs): once per playbook and beginning."""
    return f"escalation-backlog:{playbook_id}:{since.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def fallback(step_id: int, since: datetime, ended: bool = False) -> str:
    """The team channel told a step falls back since `since`, or (`ended`) that that fallback
    ended (usecases/escalation.py, fallbacks): each once."""
    return f"fallback{'-ended' if ended else ''}:{step_id}:{since.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def escalation(source: str, report_id: int, after_move: int) -> str:
    """An exception item's escalation in its state (cadence/escalation.py), and its message's
    outbox key: once per item and state, whichever clock or person made it."""
    return f"escalation:{exception_item(source, report_id)}:{after_move}"


def usage_failed(source: str, failing_since_iso: str) -> str:
    """The one notice to the curators that a usage source's pulls fail (docs/usage-records.md):
    once per run of failures, which its first failure's instant names."""
    return f"usage-failed:{source}:{failing_since_iso}"


def readiness_news(playbook_id: int) -> str:
    """The one notice to a playbook's owner of what the readiness rules changed in issue 81
    now find missing (usecases/readiness_news.py): once ever per playbook."""
    return f"readiness-news:{playbook_id}"
