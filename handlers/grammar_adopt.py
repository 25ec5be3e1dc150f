"""The words of `/rollout adopt`, `/rollout request` and `/rollout wave`, which name a playbook's
version, a channel, people and the team's own numbers: their parsers and their rows of the
grammar (`ROWS`, registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

import re

from handlers import checkins, replies
from handlers.grammar_rows import Form, Subcommand
from handlers.words import (
    Words,
    clip,
    free_text,
    parse_channel,
    parse_monday,
    parse_score,
    parse_user,
    parse_value,
    playbook_name,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages

_VERSIONED = re.compile(r"^([^@]+)@v?(\d{1,9})$", re.IGNORECASE)  # no playbook publishes a billion versions
_CHANNEL_NAME = re.compile(r"^<#[CG][A-Z0-9]+\|([^>]*)>$")


def adopt(w: Words, usage: str = "adopt") -> messages.Adopt:
    words = w.words
    if len(words) < 3:
        raise Refusal.of("adopt_arguments", usage=usage)
    # `override <reason>` comes last and its reason is free text, read as written: the
    # options are only the words before it.
    override = None
    lowered = [word.lower() for word in words]
    if "override" in lowered[3:]:
        at = lowered.index("override", 3)
        override = free_text(w.rest(at + 1), "reason", usage)
        if not override:
            raise Refusal.of("override_reason", usage=usage)
        words = words[:at]
    version = None
    name = words[1]
    if "@" in name:
        m = _VERSIONED.match(name)
        if not m:
            raise Refusal.of("adopt_version", usage=usage, word=clip(name))
        name, version = m.group(1), int(m.group(2))
    channel = parse_channel(words[2], usage)
    label = _CHANNEL_NAME.match(words[2])
    options: dict[str, str] = {}
    rest = []
    for word in words[3:]:
        key, colon, value = word.partition(":")
        if colon and key.lower() in ADOPT_OPTIONS and not word.startswith("<"):
            if key.lower() in options:
                raise Refusal.of("adopt_option_twice", usage=usage, option=key.lower())
            options[key.lower()] = value
        else:
            rest.append(word)
    people = _people(rest, usage, ("owner", "champion"), bare="owner")
    owner, champion = people.get("owner"), people.get("champion")
    starts_on = parse_monday(options["start"], usage) if "start" in options else None
    return messages.Adopt(
        playbook_name(name),
        version,
        channel,
        label.group(1) if label else None,
        owner,
        baseline=parse_value(options["baseline"], usage)[0] if "baseline" in options else None,
        target=parse_value(options["target"], usage)[0] if "target" in options else None,
        timezone=options.get("tz") or None,
        starts_on=starts_on,
        exception_cap=parse_score(options["cap"], usage) if "cap" in options else None,
        rubric_threshold=parse_score(options["rubric"], usage) if "rubric" in options else None,
        override=override,
        champion_id=champion,
    )


def request(w: Words) -> messages.RequestAdoption | messages.OpenForm:
    """`request <playbook>[@vN] <#channel> champion <@user> [options] [why <text>]`; bare, the form."""
    if len(w) == 1:
        return messages.OpenForm("request")
    words = w.words
    why = None
    lowered = [word.lower() for word in words]
    if "why" in lowered[3:]:
        at = lowered.index("why", 3)
        why = free_text(w.rest(at + 1), "why", "request") or None
        words = words[:at]
    if len(words) < 3:
        raise Refusal.of("request_arguments", usage="request")
    adopted = adopt(Words(w.rest(0, len(words))), usage="request")
    if adopted.champion_id is None or adopted.owner_id is not None or adopted.override is not None:
        raise Refusal.of("request_arguments", usage="request")
    return messages.RequestAdoption(
        adopted.playbook,
        adopted.version,
        adopted.channel_id,
        adopted.channel_name,
        adopted.champion_id,
        why,
        baseline=adopted.baseline,
        target=adopted.target,
        timezone=adopted.timezone,
        starts_on=adopted.starts_on,
        exception_cap=adopted.exception_cap,
        rubric_threshold=adopted.rubric_threshold,
    )


def _people(words: list[str], usage: str, roles: tuple[str, ...], bare: str | None = None) -> dict[str, str]:
    """`owner <@user>`, `champion <@user>`: each role named once, by a mention after its word
    (`bare`: the role of a mention without one, as `adopt` has always read its owner)."""
    people: dict[str, str] = {}
    i = 0
    while i < len(words):
        role = words[i].lower()
        if role in roles and i + 1 < len(words):
            mention, i = words[i + 1], i + 2
        elif bare is not None and words[i].startswith("<@"):
            role, mention, i = bare, words[i], i + 1
        else:
            raise Refusal.of("adopt_owner", usage=usage)
        if role in people:
            raise Refusal.of("adopt_twice_role", usage=usage, role=role)
        people[role] = parse_user(mention, usage)
    return people


ADOPT_OPTIONS = ("baseline", "target", "tz", "cap", "rubric", "start")


def wave(w: Words) -> messages.WaveReviewed:
    """`wave <playbook>[@vN] reviewed [note]`."""
    if len(w) < 3 or w.words[2].lower() != "reviewed":
        raise Refusal.of("wave_arguments", usage="wave")
    name, version = w.words[1], None
    if "@" in name:
        m = _VERSIONED.match(name)
        if not m:
            raise Refusal.of("adopt_version", usage="wave", word=clip(name))
        name, version = m.group(1), int(m.group(2))
    note = free_text(w.rest(3), "note", "wave") if len(w) > 3 else ""
    return messages.WaveReviewed(playbook_name(name), version, note or None)


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand(
        "adopt",
        (
            "/rollout adopt <playbook>[@vN] <#channel> [owner <@user>] [champion <@user>] [baseline:X] [target:Y] "
            "[tz:Area/City] [cap:0.15] [rubric:0.85] [start:YYYY-MM-DD] [override <reason>]",
        ),
        adopt,
        commands.adopt,
        replies.adopt,
    ),
    Subcommand("wave", ("/rollout wave <playbook> reviewed <note>",), wave, commands.wave, replies.wave),
    Form(
        "request",
        (
            "/rollout request <playbook>[@vN] <#channel> champion <@user> [baseline:X] [target:Y] [tz:Area/City] "
            "[start:YYYY-MM-DD] [why <text>]",
            "/rollout request",
        ),
        request,
        checkins.open_request,
    ),
)
