"""The `/rollout` grammar (the command table in docs/usage.md): text in, a command or a Refusal out.

Pure: no Slack, no database. Checks that need data (does the playbook exist, is the
week in the future) happen in the use cases (usecases/shared/caller.py, commands.py);
everything about the shape of the text happens here.

Each subcommand is declared once, in SUBCOMMANDS: its name, usage lines and parser; what
a single word can be (a number, a date, a mention, ...) is read in handlers/words.py.
What a subcommand parses into is a command of the application layer (usecases/shared/messages.py);
its route is in handlers/commands.py (`_ROUTES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cadence.definition import MODES
from cadence.limits import MAX_TEXT_CHARS
from cadence.text import as_line_breaks, plain_text, unstorable
from handlers.words import (
    Words,
    clip,
    free_text,
    parse_channel,
    parse_count,
    parse_date,
    parse_sample,
    parse_score,
    parse_user,
    parse_value,
    playbook_name,
    split_override,
    split_week,
    step_name,
)
from templates.refusals import Refusal, close_matches
from usecases.shared import messages

MAX_COMMAND_CHARS = 2000


@dataclass(frozen=True)
class Subcommand:
    """One `/rollout` subcommand, declared once in SUBCOMMANDS (below its parsers): the
    word after `/rollout`, its usage lines (help, and every refusal's hint) and its parser.
    The commands it returns are carried out by their use cases (usecases/bus.py) and
    rendered by their routes (`_ROUTES` in handlers/commands.py), keyed by type: this
    module stays pure, and tests/handlers/test_routes.py fails until every such type has
    a route (tests/usecases/test_bus.py: a use case)."""

    name: str
    usage: tuple[str, ...]
    parse: Callable[[Words], messages.Command]  # annotate its return: the routes test reads it


def _first_word(text: str) -> str:
    word = (text.split() or ["help"])[0].lower()
    return word if word in USAGE else "help"


def label(text: str) -> str:
    """A request's subcommand for the metrics and the log: the word after `/rollout` if
    it names one, "(form)" for none (a bare command opens a form), else "(unknown)" (what
    people typed never reaches a label)."""
    words = text.split()
    if not words:
        return "(form)"
    return words[0].lower() if words[0].lower() in USAGE else "(unknown)"


def parse(text: str) -> messages.Command:
    text = text or ""
    if len(text) > MAX_COMMAND_CHARS:
        raise Refusal.of("too_long", usage="help", length=len(text), limit=MAX_COMMAND_CHARS, free=MAX_TEXT_CHARS)
    problem = unstorable(text, line_breaks=True)  # a reason, a note, a learning may hold lines
    if problem is not None:
        raise Refusal.of("control_character", usage=_first_word(text), what=problem)
    words = Words(as_line_breaks(text))
    if not words.words:
        return messages.Help()
    sub = words.words[0].lower()
    subcommand = _BY_NAME.get(sub)
    if subcommand is None:
        raise Refusal.of(
            "unknown_subcommand", usage="help", suggestions=close_matches(sub, tuple(USAGE)), word=clip(words.words[0])
        )
    return subcommand.parse(words)


def _help(w: Words) -> messages.Help:
    topic = w.words[1].lower() if len(w) > 1 else None
    return messages.Help(topic if topic in USAGE else None)


def _status(w: Words) -> messages.Status:
    if len(w) > 2:
        raise Refusal.of("status_arguments", usage="status")
    return messages.Status(playbook_name(w.words[1]) if len(w) == 2 else None)


def _kpi(w: Words) -> messages.Kpi | messages.OpenForm:
    if len(w) == 1:
        return messages.OpenForm("kpi")
    w, override = split_override(w, "kpi")
    words, week = split_week(w, "kpi")
    if len(words) < 3:
        raise Refusal.of("kpi_arguments", usage="kpi")
    if len(words) > 3:
        raise Refusal.of("kpi_extra", usage="kpi")
    value, percent = parse_value(words[2], usage="kpi")
    return messages.Kpi(playbook_name(words[1]), value, percent, week, override=override)


def _guardrail(w: Words) -> messages.GuardrailReport:
    w, override = split_override(w, "guardrail")
    words, week = split_week(w, "guardrail")
    if len(words) != 3:
        raise Refusal.of("guardrail_arguments", usage="guardrail")
    value, percent = parse_value(words[2], usage="guardrail")
    return messages.GuardrailReport(playbook_name(words[1]), value, week, percent, override=override)


def _pause(w: Words) -> messages.Pause:
    return _pause_or_retire(w, retire=False)


def _retire(w: Words) -> messages.Pause:
    return _pause_or_retire(w, retire=True)


def _pause_or_retire(w: Words, retire: bool) -> messages.Pause:
    usage = "retire" if retire else "pause"
    if len(w) < 3:
        raise Refusal.of("pause_arguments", usage=usage)
    return messages.Pause(playbook_name(w.words[1]), free_text(w.rest(2), "reason", usage), retire)


def _resume(w: Words) -> messages.Resume:
    if not 2 <= len(w) <= 3:
        raise Refusal.of("resume_arguments", usage="resume")
    starts_on = None
    if len(w) == 3:
        starts_on = parse_date(w.words[2])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage="resume", day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
    return messages.Resume(playbook_name(w.words[1]), starts_on)


def _owner(w: Words) -> messages.HandOver:
    if len(w) != 3:
        raise Refusal.of("owner_arguments", usage="owner")
    return messages.HandOver(playbook_name(w.words[1]), parse_user(w.words[2], "owner"))


def _champion(w: Words) -> messages.NameChampion:
    if len(w) != 3:
        raise Refusal.of("champion_arguments", usage="champion")
    return messages.NameChampion(playbook_name(w.words[1]), parse_user(w.words[2], "champion"))


def _attest(w: Words) -> messages.Attest | messages.OpenForm:
    if len(w) == 1:
        return messages.OpenForm("attest")
    words, week = split_week(w, "attest")
    if len(words) < 3:
        raise Refusal.of("attest_arguments", usage="attest")
    answer = words[2].lower()
    end = len(words)
    if answer in ("yes", "y", "followed"):
        note = free_text(w.rest(3, end), "note", "attest") or None
        return messages.Attest(playbook_name(words[1]), True, None, note, week)
    if answer in ("no", "n", "deviated"):
        if len(words) < 5:
            raise Refusal.of("deviation_arguments", usage="attest")
        reason = free_text(w.rest(4, end), "reason", "attest")
        return messages.Attest(playbook_name(words[1]), False, step_name(words[3]), reason, week)
    raise Refusal.of("attest_answer", usage="attest", word=clip(words[2]))


def _exception(w: Words) -> messages.LogException:
    if len(w) < 4:
        raise Refusal.of("exception_arguments", usage="exception")
    return messages.LogException(
        playbook_name(w.words[1]), step_name(w.words[2]), free_text(w.rest(3), "reason", "exception")
    )


def _cases(w: Words) -> messages.Cases:
    w, override = split_override(w, "cases")
    words, week = split_week(w, "cases")
    if len(words) != 4:
        raise Refusal.of("cases_arguments", usage="cases")
    return messages.Cases(playbook_name(words[1]), step_name(words[2]), parse_count(words[3]), week, override=override)


def _rubric(w: Words) -> messages.Rubric:
    w, override = split_override(w, "rubric")
    words, week = split_week(w, "rubric")
    if len(words) != 4:
        raise Refusal.of("rubric_arguments", usage="rubric")
    playbook, step, said = playbook_name(words[1]), step_name(words[2]), words[3]
    if "/" in said:  # `18/20`: 18 of 20 reviewed cases passed
        passed, reviewed = parse_sample(said)
        score = round(passed / reviewed, 6)
        return messages.Rubric(playbook, step, score, week, override=override, reviewed=reviewed)
    return messages.Rubric(playbook, step, parse_score(said), week, override=override)


def _week(w: Words) -> messages.OpenForm:
    """`week <playbook> [week:N]`: the owner's week in one form (handlers/week_form.py)."""
    words, week = split_week(w, "week")
    if len(words) != 2:
        raise Refusal.of("week_arguments", usage="week")
    return messages.OpenForm("week", playbook_name(words[1]), week)


def _cycle(w: Words) -> messages.CycleStart:
    if len(w) < 3 or w.words[1].lower() != "start" or len(w) > 4:
        raise Refusal.of("cycle_arguments", usage="cycle")
    starts_on = None
    if len(w) == 4:
        starts_on = parse_date(w.words[3])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage="cycle", day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
    return messages.CycleStart(playbook_name(w.words[2]), starts_on)


def _mode(w: Words) -> messages.SetMode:
    if len(w) < 5:
        raise Refusal.of("mode_arguments", usage="mode")
    mode = w.words[3].lower()
    if mode not in (*MODES, "unfreeze"):
        raise Refusal.of(
            "not_a_mode", usage="mode", suggestions=close_matches(mode, (*MODES, "unfreeze")), word=clip(w.words[3])
        )
    return messages.SetMode(
        playbook_name(w.words[1]), step_name(w.words[2]), mode, free_text(w.rest(4), "reason", "mode")
    )


def _publish(w: Words) -> messages.Publish:
    if len(w) == 2:
        return messages.Publish(playbook_name(w.words[1]))
    if len(w) >= 3 and w.words[2].lower() == "override":
        reason = free_text(w.rest(3), "reason", "publish")
        if not reason:
            raise Refusal.of("override_reason", usage="publish")
        return messages.Publish(playbook_name(w.words[1]), reason)
    raise Refusal.of("publish_arguments", usage="publish")


_CYCLE = re.compile(r"^cycle:(.*)$", re.IGNORECASE)


def _web(w: Words) -> messages.WebLink:
    if len(w) != 1:
        raise Refusal.of("web_arguments", usage="web")
    return messages.WebLink()


def _learn(w: Words) -> messages.Learn:
    """`learn <playbook> <text> [cycle:N]`."""
    end, cycle = len(w), None
    if len(w) > 2 and (m := _CYCLE.match(w.words[-1])):
        if not re.fullmatch(r"[0-9]{1,4}", m.group(1)) or int(m.group(1)) == 0:
            raise Refusal.of("not_a_cycle", usage="learn", word=clip(m.group(1)))
        end, cycle = len(w) - 1, int(m.group(1))
    text = free_text(w.rest(2, end), "a learning", "learn") if end > 2 else ""
    if not text:
        raise Refusal.of("learn_arguments", usage="learn")
    return messages.Learn(playbook_name(w.words[1]), text, cycle)


def _upgrade(w: Words) -> messages.Upgrade:
    """`upgrade <playbook> [vN]`."""
    if len(w) not in (2, 3):
        raise Refusal.of("upgrade_arguments", usage="upgrade")
    version = None
    if len(w) == 3:
        m = re.fullmatch(r"v?([0-9]{1,9})", w.words[2], re.IGNORECASE)
        if m is None or int(m.group(1)) == 0:
            raise Refusal.of("upgrade_arguments", usage="upgrade")
        version = int(m.group(1))
    return messages.Upgrade(playbook_name(w.words[1]), version)


SEARCH_WORDS = 10  # words in one search of learnings


def _learnings(w: Words) -> messages.FindLearnings:
    """`learnings [words]`: words are text like any other (parse refused invisible ones)."""
    words = tuple(dict.fromkeys(word for word in plain_text(w.rest(1)).split() if word))
    if len(words) > SEARCH_WORDS or any(len(word) > 100 for word in words):
        raise Refusal.of("learnings_words", usage="learnings", most=SEARCH_WORDS)
    return messages.FindLearnings(words)


def _registry(w: Words) -> messages.Registry:
    return messages.Registry(plain_text(w.rest(1)).strip()[:80] or None)


_VERSIONED = re.compile(r"^([^@]+)@v?(\d{1,9})$", re.IGNORECASE)  # no playbook publishes a billion versions
_CHANNEL_NAME = re.compile(r"^<#[CG][A-Z0-9]+\|([^>]*)>$")


def _adopt(w: Words, usage: str = "adopt") -> messages.Adopt:
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
    starts_on = None
    if "start" in options:
        starts_on = parse_date(options["start"])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage=usage, day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
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


def _request(w: Words) -> messages.RequestAdoption | messages.OpenForm:
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
    adopt = _adopt(Words(w.rest(0, len(words))), usage="request")
    if adopt.champion_id is None or adopt.owner_id is not None or adopt.override is not None:
        raise Refusal.of("request_arguments", usage="request")
    return messages.RequestAdoption(
        adopt.playbook,
        adopt.version,
        adopt.channel_id,
        adopt.channel_name,
        adopt.champion_id,
        why,
        baseline=adopt.baseline,
        target=adopt.target,
        timezone=adopt.timezone,
        starts_on=adopt.starts_on,
        exception_cap=adopt.exception_cap,
        rubric_threshold=adopt.rubric_threshold,
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


def _curator(w: Words) -> messages.CuratorChange:
    if len(w) != 3 or w.words[1].lower() not in ("add", "remove"):
        raise Refusal.of("curator_arguments", usage="curator")
    return messages.CuratorChange(w.words[1].lower() == "add", parse_user(w.words[2], "curator"))


HISTORY_MAX = 25  # decisions in one reply: each is a block, and Slack allows 50


def _history(w: Words) -> messages.History:
    words = w.words[1:]
    if not 1 <= len(words) <= 3:
        raise Refusal.of("history_arguments", usage="history")
    limit = 10
    if len(words) > 1 and re.fullmatch(r"[0-9]{1,6}", words[-1]):
        limit = int(words.pop())
        if not 1 <= limit <= HISTORY_MAX:
            raise Refusal.of("history_limit", usage="history", limit=HISTORY_MAX)
    if len(words) > 2:
        raise Refusal.of("history_arguments", usage="history")
    return messages.History(playbook_name(words[0]), step_name(words[1]) if len(words) == 2 else None, limit)


def _new(w: Words) -> messages.OpenForm:
    if len(w) != 1:
        raise Refusal.of("new_arguments", usage="new")
    return messages.OpenForm("new")


def _edit(w: Words) -> messages.OpenForm:
    if len(w) != 2:
        raise Refusal.of("edit_arguments", usage="edit")
    return messages.OpenForm("edit", playbook_name(w.words[1]))


def _undo(w: Words) -> messages.Undo:
    if len(w) != 2:
        raise Refusal.of("undo_arguments", usage="undo")
    return messages.Undo(playbook_name(w.words[1]))


def _away(w: Words) -> messages.Away:
    """`away <YYYY-MM-DD>` (until that day), `away <from> <to>`, or `away off`."""
    if len(w) == 2 and w.words[1].lower() == "off":
        return messages.Away(None, None)
    if not 2 <= len(w) <= 3:
        raise Refusal.of("away_arguments", usage="away")
    dates = [parse_date(word, "away") for word in w.words[1:]]
    return messages.Away(None, dates[0]) if len(dates) == 1 else messages.Away(dates[0], dates[1])


HOLIDAY_NAME_CHARS = 80


def _holiday(w: Words) -> messages.HolidayChange:
    """`holiday add <date> [name]`, `holiday remove <date>`, `holiday list`."""
    action = w.words[1].lower() if len(w) > 1 else ""
    if action == "list" and len(w) == 2:
        return messages.HolidayChange("list")
    if action == "remove" and len(w) == 3:
        return messages.HolidayChange("remove", parse_date(w.words[2], "holiday"))
    if action == "add" and len(w) >= 3:
        name = plain_text(w.rest(3)).strip()
        if len(name) > HOLIDAY_NAME_CHARS:
            raise Refusal.of(
                "free_text_too_long",
                usage="holiday",
                what="a holiday's name",
                length=len(name),
                limit=HOLIDAY_NAME_CHARS,
            )
        return messages.HolidayChange("add", parse_date(w.words[2], "holiday"), name)
    raise Refusal.of("holiday_arguments", usage="holiday")


def _curators_channel(w: Words) -> messages.CuratorsChannel:
    if len(w) != 2:
        raise Refusal.of("curators_channel_arguments", usage="curators-channel")
    return messages.CuratorsChannel(parse_channel(w.words[1], "curators-channel"))


# Every subcommand, in the order help lists them. USAGE and parse's dispatch are derived
# from this tuple, so a name, its usage and its parser are one line and cannot part. To
# add one: a command in usecases/shared/messages.py (and in its Command), a parser with
# its return annotated, a line here, and for each type it returns a use case in
# usecases/bus.py `HANDLERS` and a route in handlers/commands.py `_ROUTES`.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", ("/rollout help",), _help),
    Subcommand("status", ("/rollout status [playbook]",), _status),
    Subcommand("kpi", ("/rollout kpi <playbook> <value> [week:N] [override <reason>]",), _kpi),
    Subcommand(
        "attest",
        (
            "/rollout attest <playbook> yes [note] [week:N]",
            "/rollout attest <playbook> no <step> <reason> [week:N]",
        ),
        _attest,
    ),
    Subcommand("exception", ("/rollout exception <playbook> <step> <reason>",), _exception),
    Subcommand("cases", ("/rollout cases <playbook> <step> <count> [week:N] [override <reason>]",), _cases),
    Subcommand(
        "rubric",
        ("/rollout rubric <playbook> <step> <score or passed/reviewed> [week:N] [override <reason>]",),
        _rubric,
    ),
    Subcommand("week", ("/rollout week <playbook> [week:N]",), _week),
    Subcommand("cycle", ("/rollout cycle start <playbook> [YYYY-MM-DD]",), _cycle),
    Subcommand(
        "mode",
        (
            "/rollout mode <playbook> <step> human-led|collaborative|ai-led <reason>",
            "/rollout mode <playbook> <step> unfreeze <reason>",
        ),
        _mode,
    ),
    Subcommand("publish", ("/rollout publish <playbook> [override <reason>]",), _publish),
    Subcommand("registry", ("/rollout registry [function]",), _registry),
    Subcommand(
        "adopt",
        (
            "/rollout adopt <playbook>[@vN] <#channel> [owner <@user>] [champion <@user>] [baseline:X] [target:Y] "
            "[tz:Area/City] [cap:0.15] [rubric:0.85] [start:YYYY-MM-DD] [override <reason>]",
        ),
        _adopt,
    ),
    Subcommand("curator", ("/rollout curator add|remove <@user>",), _curator),
    Subcommand("curators-channel", ("/rollout curators-channel <#channel>",), _curators_channel),
    Subcommand("guardrail", ("/rollout guardrail <playbook> <value> [week:N] [override <reason>]",), _guardrail),
    Subcommand("undo", ("/rollout undo <playbook>",), _undo),
    Subcommand("pause", ("/rollout pause <playbook> <reason>",), _pause),
    Subcommand("resume", ("/rollout resume <playbook> [YYYY-MM-DD]",), _resume),
    Subcommand("retire", ("/rollout retire <playbook> <reason>",), _retire),
    Subcommand("owner", ("/rollout owner <playbook> <@user>",), _owner),
    Subcommand("champion", ("/rollout champion <playbook> <@user>",), _champion),
    Subcommand(
        "request",
        (
            "/rollout request <playbook>[@vN] <#channel> champion <@user> [baseline:X] [target:Y] [tz:Area/City] "
            "[start:YYYY-MM-DD] [why <text>]",
            "/rollout request",
        ),
        _request,
    ),
    Subcommand("history", ("/rollout history <playbook> [step] [N]",), _history),
    Subcommand("new", ("/rollout new",), _new),
    Subcommand("edit", ("/rollout edit <playbook>",), _edit),
    Subcommand("learn", ("/rollout learn <playbook> <text> [cycle:N]",), _learn),
    Subcommand("web", ("/rollout web",), _web),
    Subcommand("upgrade", ("/rollout upgrade <playbook> [vN]",), _upgrade),
    Subcommand("learnings", ("/rollout learnings [words]",), _learnings),
    Subcommand("away", ("/rollout away <YYYY-MM-DD> [YYYY-MM-DD]", "/rollout away off"), _away),
    Subcommand(
        "holiday",
        ("/rollout holiday add <YYYY-MM-DD> [name]", "/rollout holiday remove <YYYY-MM-DD>", "/rollout holiday list"),
        _holiday,
    ),
)
_BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}
USAGE: dict[str, tuple[str, ...]] = {sub.name: sub.usage for sub in SUBCOMMANDS}  # by name, in help's order
