"""The `/rollout` grammar (the README's command table): text in, a command or a Refusal out.

Pure: no Slack, no database. Checks that need data (does the playbook exist, is the
week in the future) happen in the use cases (usecases/shared/caller.py, commands.py);
everything about the shape of the text happens here.

Each subcommand is declared once, in SUBCOMMANDS: its name, usage lines and parser.
What it parses into is a command of the application layer (usecases/shared/messages.py);
its route is in handlers/commands.py (`_ROUTES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cadence.definition import CHANNEL_RE, MODES, USER_RE
from cadence.limits import MAX_COUNT, MAX_TEXT_CHARS, MAX_VALUE
from cadence.text import plain_text, unstorable
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
    parse: Callable[[_Words], messages.Command]  # annotate its return: the routes test reads it


_TOKEN = re.compile(r"\S+")
_WEEK = re.compile(r"^week:(.*)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)+%?$")
_USER = re.compile(r"^<@([^|>]*)(?:\|[^>]*)?>$")  # a mention; its id's shape is checked apart
_USER_ID = re.compile(USER_RE)
_CHANNEL = re.compile(r"^<#([^|>]*)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(CHANNEL_RE)
_CHANNEL_LIKE = re.compile(r"^[CG][A-Z0-9]+$")  # a bare channel id, of any length
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Words:
    """The command's words, with the original text kept for free-text tails."""

    def __init__(self, text: str):
        self.text = text
        self.matches = list(_TOKEN.finditer(text))
        self.words = [m.group() for m in self.matches]

    def __len__(self) -> int:
        return len(self.words)

    def rest(self, start: int, end: int | None = None) -> str:
        """The original text of words[start:end], inner spacing kept."""
        end = len(self.words) if end is None else end
        if start >= end:
            return ""
        return self.text[self.matches[start].start() : self.matches[end - 1].end()]


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
    words = _Words(text)
    if not words.words:
        return messages.Help()
    sub = words.words[0].lower()
    subcommand = _BY_NAME.get(sub)
    if subcommand is None:
        raise Refusal.of(
            "unknown_subcommand", usage="help", suggestions=close_matches(sub, tuple(USAGE)), word=_clip(words.words[0])
        )
    return subcommand.parse(words)


def _help(w: _Words) -> messages.Help:
    topic = w.words[1].lower() if len(w) > 1 else None
    return messages.Help(topic if topic in USAGE else None)


def _status(w: _Words) -> messages.Status:
    if len(w) > 2:
        raise Refusal.of("status_arguments", usage="status")
    return messages.Status(_playbook(w.words[1]) if len(w) == 2 else None)


def _kpi(w: _Words) -> messages.Kpi | messages.OpenForm:
    if len(w) == 1:
        return messages.OpenForm("kpi")
    w, override = _split_override(w, "kpi")
    words, week = _split_week(w, "kpi")
    if len(words) < 3:
        raise Refusal.of("kpi_arguments", usage="kpi")
    if len(words) > 3:
        raise Refusal.of("kpi_extra", usage="kpi")
    value, percent = parse_value(words[2], usage="kpi")
    return messages.Kpi(_playbook(words[1]), value, percent, week, override=override)


def _guardrail(w: _Words) -> messages.GuardrailReport:
    w, override = _split_override(w, "guardrail")
    words, week = _split_week(w, "guardrail")
    if len(words) != 3:
        raise Refusal.of("guardrail_arguments", usage="guardrail")
    value, percent = parse_value(words[2], usage="guardrail")
    return messages.GuardrailReport(_playbook(words[1]), value, week, percent, override=override)


def _pause(w: _Words) -> messages.Pause:
    return _pause_or_retire(w, retire=False)


def _retire(w: _Words) -> messages.Pause:
    return _pause_or_retire(w, retire=True)


def _pause_or_retire(w: _Words, retire: bool) -> messages.Pause:
    usage = "retire" if retire else "pause"
    if len(w) < 3:
        raise Refusal.of("pause_arguments", usage=usage)
    return messages.Pause(_playbook(w.words[1]), _free_text(w.rest(2), "reason", usage), retire)


def _resume(w: _Words) -> messages.Resume:
    if not 2 <= len(w) <= 3:
        raise Refusal.of("resume_arguments", usage="resume")
    starts_on = None
    if len(w) == 3:
        starts_on = parse_date(w.words[2])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage="resume", day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
    return messages.Resume(_playbook(w.words[1]), starts_on)


def _owner(w: _Words) -> messages.HandOver:
    if len(w) != 3:
        raise Refusal.of("owner_arguments", usage="owner")
    return messages.HandOver(_playbook(w.words[1]), parse_user(w.words[2], "owner"))


def _champion(w: _Words) -> messages.NameChampion:
    if len(w) != 3:
        raise Refusal.of("champion_arguments", usage="champion")
    return messages.NameChampion(_playbook(w.words[1]), parse_user(w.words[2], "champion"))


def _attest(w: _Words) -> messages.Attest | messages.OpenForm:
    if len(w) == 1:
        return messages.OpenForm("attest")
    words, week = _split_week(w, "attest")
    if len(words) < 3:
        raise Refusal.of("attest_arguments", usage="attest")
    answer = words[2].lower()
    end = len(words)
    if answer in ("yes", "y", "followed"):
        note = _free_text(w.rest(3, end), "note", "attest") or None
        return messages.Attest(_playbook(words[1]), True, None, note, week)
    if answer in ("no", "n", "deviated"):
        if len(words) < 5:
            raise Refusal.of("deviation_arguments", usage="attest")
        reason = _free_text(w.rest(4, end), "reason", "attest")
        return messages.Attest(_playbook(words[1]), False, _step(words[3]), reason, week)
    raise Refusal.of("attest_answer", usage="attest", word=_clip(words[2]))


def _exception(w: _Words) -> messages.LogException:
    if len(w) < 4:
        raise Refusal.of("exception_arguments", usage="exception")
    return messages.LogException(_playbook(w.words[1]), _step(w.words[2]), _free_text(w.rest(3), "reason", "exception"))


def _cases(w: _Words) -> messages.Cases:
    w, override = _split_override(w, "cases")
    words, week = _split_week(w, "cases")
    if len(words) != 4:
        raise Refusal.of("cases_arguments", usage="cases")
    return messages.Cases(_playbook(words[1]), _step(words[2]), parse_count(words[3]), week, override=override)


def _rubric(w: _Words) -> messages.Rubric:
    w, override = _split_override(w, "rubric")
    words, week = _split_week(w, "rubric")
    if len(words) != 4:
        raise Refusal.of("rubric_arguments", usage="rubric")
    return messages.Rubric(_playbook(words[1]), _step(words[2]), parse_score(words[3]), week, override=override)


def _cycle(w: _Words) -> messages.CycleStart:
    if len(w) < 3 or w.words[1].lower() != "start" or len(w) > 4:
        raise Refusal.of("cycle_arguments", usage="cycle")
    starts_on = None
    if len(w) == 4:
        starts_on = parse_date(w.words[3])
        if starts_on.weekday() != 0:
            raise Refusal.of(
                "cycle_not_monday", usage="cycle", day=starts_on.isoformat(), weekday=starts_on.strftime("%A")
            )
    return messages.CycleStart(_playbook(w.words[2]), starts_on)


def _mode(w: _Words) -> messages.SetMode:
    if len(w) < 5:
        raise Refusal.of("mode_arguments", usage="mode")
    mode = w.words[3].lower()
    if mode not in (*MODES, "unfreeze"):
        raise Refusal.of(
            "not_a_mode", usage="mode", suggestions=close_matches(mode, (*MODES, "unfreeze")), word=_clip(w.words[3])
        )
    return messages.SetMode(_playbook(w.words[1]), _step(w.words[2]), mode, _free_text(w.rest(4), "reason", "mode"))


def _publish(w: _Words) -> messages.Publish:
    if len(w) == 2:
        return messages.Publish(_playbook(w.words[1]))
    if len(w) >= 3 and w.words[2].lower() == "override":
        reason = _free_text(w.rest(3), "reason", "publish")
        if not reason:
            raise Refusal.of("override_reason", usage="publish")
        return messages.Publish(_playbook(w.words[1]), reason)
    raise Refusal.of("publish_arguments", usage="publish")


_CYCLE = re.compile(r"^cycle:(.*)$", re.IGNORECASE)


def _web(w: _Words) -> messages.WebLink:
    if len(w) != 1:
        raise Refusal.of("web_arguments", usage="web")
    return messages.WebLink()


def _learn(w: _Words) -> messages.Learn:
    """`learn <playbook> <text> [cycle:N]`."""
    end, cycle = len(w), None
    if len(w) > 2 and (m := _CYCLE.match(w.words[-1])):
        if not re.fullmatch(r"[0-9]{1,4}", m.group(1)) or int(m.group(1)) == 0:
            raise Refusal.of("not_a_cycle", usage="learn", word=_clip(m.group(1)))
        end, cycle = len(w) - 1, int(m.group(1))
    text = _free_text(w.rest(2, end), "a learning", "learn") if end > 2 else ""
    if not text:
        raise Refusal.of("learn_arguments", usage="learn")
    return messages.Learn(_playbook(w.words[1]), text, cycle)


def _registry(w: _Words) -> messages.Registry:
    return messages.Registry(plain_text(w.rest(1)).strip()[:80] or None)


_VERSIONED = re.compile(r"^([^@]+)@v?(\d{1,9})$", re.IGNORECASE)  # no playbook publishes a billion versions
_CHANNEL_NAME = re.compile(r"^<#[CG][A-Z0-9]+\|([^>]*)>$")


def _adopt(w: _Words, usage: str = "adopt") -> messages.Adopt:
    words = w.words
    if len(words) < 3:
        raise Refusal.of("adopt_arguments", usage=usage)
    # `override <reason>` comes last and its reason is free text, read as written: the
    # options are only the words before it.
    override = None
    lowered = [word.lower() for word in words]
    if "override" in lowered[3:]:
        at = lowered.index("override", 3)
        override = _free_text(w.rest(at + 1), "reason", usage)
        if not override:
            raise Refusal.of("override_reason", usage=usage)
        words = words[:at]
    version = None
    name = words[1]
    if "@" in name:
        m = _VERSIONED.match(name)
        if not m:
            raise Refusal.of("adopt_version", usage=usage, word=_clip(name))
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
        _playbook(name),
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


def _request(w: _Words) -> messages.RequestAdoption | messages.OpenForm:
    """`request <playbook>[@vN] <#channel> champion <@user> [options] [why <text>]`; bare, the form."""
    if len(w) == 1:
        return messages.OpenForm("request")
    words = w.words
    why = None
    lowered = [word.lower() for word in words]
    if "why" in lowered[3:]:
        at = lowered.index("why", 3)
        why = _free_text(w.rest(at + 1), "why", "request") or None
        words = words[:at]
    if len(words) < 3:
        raise Refusal.of("request_arguments", usage="request")
    adopt = _adopt(_Words(w.rest(0, len(words))), usage="request")
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


def _curator(w: _Words) -> messages.CuratorChange:
    if len(w) != 3 or w.words[1].lower() not in ("add", "remove"):
        raise Refusal.of("curator_arguments", usage="curator")
    return messages.CuratorChange(w.words[1].lower() == "add", parse_user(w.words[2], "curator"))


HISTORY_MAX = 25  # decisions in one reply: each is a block, and Slack allows 50


def _history(w: _Words) -> messages.History:
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
    return messages.History(_playbook(words[0]), _step(words[1]) if len(words) == 2 else None, limit)


def _undo(w: _Words) -> messages.Undo:
    if len(w) != 2:
        raise Refusal.of("undo_arguments", usage="undo")
    return messages.Undo(_playbook(w.words[1]))


def _away(w: _Words) -> messages.Away:
    """`away <YYYY-MM-DD>` (until that day), `away <from> <to>`, or `away off`."""
    if len(w) == 2 and w.words[1].lower() == "off":
        return messages.Away(None, None)
    if not 2 <= len(w) <= 3:
        raise Refusal.of("away_arguments", usage="away")
    dates = [parse_date(word, "away") for word in w.words[1:]]
    return messages.Away(None, dates[0]) if len(dates) == 1 else messages.Away(dates[0], dates[1])


HOLIDAY_NAME_CHARS = 80


def _holiday(w: _Words) -> messages.HolidayChange:
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


def _curators_channel(w: _Words) -> messages.CuratorsChannel:
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
    Subcommand("rubric", ("/rollout rubric <playbook> <step> <score> [week:N] [override <reason>]",), _rubric),
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
    Subcommand("learn", ("/rollout learn <playbook> <text> [cycle:N]",), _learn),
    Subcommand("web", ("/rollout web",), _web),
    Subcommand("away", ("/rollout away <YYYY-MM-DD> [YYYY-MM-DD]", "/rollout away off"), _away),
    Subcommand(
        "holiday",
        ("/rollout holiday add <YYYY-MM-DD> [name]", "/rollout holiday remove <YYYY-MM-DD>", "/rollout holiday list"),
        _holiday,
    ),
)
_BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}
USAGE: dict[str, tuple[str, ...]] = {sub.name: sub.usage for sub in SUBCOMMANDS}  # by name, in help's order


# ---- pieces ---------------------------------------------------------------------


def _split_override(w: _Words, usage: str) -> tuple[_Words, str | None]:
    """Take a trailing `override <reason>` off the words: a number typed in place of the
    one its source gives (owners and curators; docs/sources.md). The reason is free text."""
    lowered = [word.lower() for word in w.words]
    if "override" not in lowered[2:]:
        return w, None
    at = lowered.index("override", 2)
    reason = _free_text(w.rest(at + 1), "reason", usage)
    if not reason:
        raise Refusal.of("override_reason", usage=usage)
    return _Words(w.rest(0, at)), reason


def _split_week(w: _Words, usage: str) -> tuple[list[str], int | None]:
    """Take a trailing `week:N` off the words."""
    words = list(w.words)
    if words and (m := _WEEK.match(words[-1])):
        words.pop()
        return words, parse_week(m.group(1), usage)
    for word in words:
        if _WEEK.match(word):
            raise Refusal.of("week_last", usage=usage)
    return words, None


def parse_week(text: str, usage: str) -> int:
    if text in ("1", "2", "3", "4"):
        return int(text)
    raise Refusal.of("not_a_week", usage=usage, word=_clip(text))


def _playbook(word: str) -> str:
    """A playbook's name as typed: Slack's escaping of the command's text undone here, at
    its edge, so what comes after (a lookup, a refusal naming it) has the words as typed."""
    return plain_text(word.lower())


def _step(word: str) -> str:
    """A step's name as typed (as `_playbook`)."""
    return plain_text(word)


def parse_value(text: str, usage: str = "kpi") -> tuple[float, bool]:
    """A decimal number with a dot, optionally a percentage. Returns (value, was_percent)."""
    percent = text.endswith("%")
    body = text[:-1] if percent else text
    if _DECIMAL_COMMA.match(text):
        whole, _, tail = text.partition(",")
        if text.count(",") > 1 or len(tail.rstrip("%")) == 3:  # looks like a thousands separator
            hint = text.replace(",", "") + (
                f" (or {whole}.{tail} if you meant a decimal)" if text.count(",") == 1 else ""
            )
        else:
            hint = f"{whole}.{tail}"
        raise Refusal.of("decimal_comma", usage=usage, word=_clip(text), hint=hint)
    if not _NUMBER.match(body):
        raise Refusal.of("not_a_number", usage=usage, word=_clip(text))
    value = float(body) + 0.0  # -0 is 0: "-0" would show as "-0%"
    if abs(value) > MAX_VALUE:
        raise Refusal.of("too_large", usage=usage, word=_clip(text))
    return value, percent


def parse_count(text: str) -> int:
    if _DECIMAL_COMMA.match(text):
        raise Refusal.of("count_separator", usage="cases", word=_clip(text), hint=text.replace(",", ""))
    if re.fullmatch(r"-\d+(?:\.\d+)?", text):
        raise Refusal.of("count_negative", usage="cases", word=_clip(text))
    if re.fullmatch(r"\+?\d+\.\d*|\.\d+", text):
        raise Refusal.of("count_fraction", usage="cases", word=_clip(text))
    if not re.fullmatch(r"\+?\d+", text):
        raise Refusal.of("not_a_count", usage="cases", word=_clip(text))
    count = int(text)
    if count > MAX_COUNT:
        raise Refusal.of("count_too_large", usage="cases", count=count, limit=MAX_COUNT)
    return count


def parse_score(text: str, usage: str = "rubric") -> float:
    """A share: 0.93 or 93%, within 0..1 (0%..100%): a rubric score, a cap, a threshold."""
    value, percent = parse_value(text, usage=usage)
    if value < 0:
        raise Refusal.of("score_negative", usage=usage, word=_clip(text))
    if percent:
        if value > 100:
            raise Refusal.of("score_over_100", usage=usage, word=_clip(text))
        return round(value / 100, 6)
    if value > 1:
        hint = f" Did you mean {_clip(text)}%?" if value <= 100 else ""
        raise Refusal.of("score_not_fraction", usage=usage, word=_clip(text), hint=hint)
    return value


def parse_date(text: str, usage: str = "cycle") -> date:
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise Refusal.of("not_a_date", usage=usage, word=_clip(text))


def parse_user(text: str, usage: str) -> str:
    """A mention's user id, of Slack's shape (U or W, capitals and digits, at most 20)."""
    m = _USER.match(text)
    if not m:
        raise Refusal.of("not_a_mention", usage=usage, word=_clip(text))
    if not _USER_ID.match(m.group(1)):
        raise Refusal.of("not_a_user_id", usage=usage, word=_clip(m.group(1)))
    return m.group(1)


def parse_channel(text: str, usage: str) -> str:
    """A channel link's id, or a bare channel id, of Slack's shape (C or G, at most 20)."""
    m = _CHANNEL.match(text)
    ident = m.group(1) if m else text if _CHANNEL_LIKE.match(text) else None
    if ident is None:
        raise Refusal.of("not_a_channel", usage=usage, word=_clip(text))
    if not _CHANNEL_ID.match(ident):
        raise Refusal.of("not_a_channel_id", usage=usage, word=_clip(ident))
    return ident


def _free_text(text: str, what: str, usage: str) -> str:
    text = plain_text(text).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise Refusal.of("free_text_too_long", usage=usage, what=what, length=len(text), limit=MAX_TEXT_CHARS)
    return text


def _clip(text: str, limit: int = 40) -> str:
    text = plain_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
