"""The `/rollout` grammar (the command table in docs/usage.md): each subcommand declared
once, in SUBCOMMANDS, as a row of its name, its usage lines (help, and every refusal's
hint), its parser, its use case (usecases/) and its reply (handlers/replies.py), or the
form it opens. handlers/commands.py answers a request by its row alone, so `/rollout kpi`
reads, by name, `_kpi` -> `commands.kpi` -> `replies.kpi`.

Parsing is pure: text in, a command or a Refusal out, no Slack, no database. Checks that
need data (does the playbook exist, is the week in the future) happen in the use cases
(usecases/shared/caller.py, commands.py); everything about the shape of the text happens
here. What a single word can be (a number, a date, a mention, ...) is read in
handlers/words.py; `adopt` and `request`, in handlers/grammar_adopt.py. What a subcommand
parses into is a command of the application layer (usecases/shared/messages.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cadence import dimensions as rubric_dimensions
from cadence.definition import MODES
from cadence.limits import MAX_TEXT_CHARS
from cadence.report_kinds import ReportKind
from cadence.text import as_line_breaks, plain_text, unstorable
from handlers import (
    checkins,
    grammar_adopt,
    grammar_calibrate,
    grammar_life,
    grammar_review,
    kit_form,
    playbook_form,
    pulse_form,
    replies,
    week_form,
)
from handlers.words import (
    Words,
    clip,
    free_text,
    kpi_arms,
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
from templates import render
from templates.refusals import Refusal, close_matches
from usecases import commands, learnings, learnings_search, status, versions
from usecases.shared import messages
from usecases.shared.caller import Caller

MAX_COMMAND_CHARS = 2000


C = TypeVar("C")
R = TypeVar("R")
Reply = dict[str, Any]


@dataclass(frozen=True)
class Subcommand(Generic[C, R]):
    """A subcommand a use case carries out: `parse` makes its command, `use_case` carries it
    out (in its turn: usecases/bus.py) and `reply` says what it did; where the word alone
    opens a form, `parse` returns an OpenForm and `form` opens it. mypy holds the parser,
    the use case and the reply to one command type and one result, row by row, as long
    as SUBCOMMANDS stays unannotated (each row's types inferred on its own)."""

    name: str
    usage: tuple[str, ...]
    parse: Callable[[Words], C | messages.OpenForm]
    use_case: Callable[[Caller, C], R] | None  # None: answered at the edge (help reads the grammar)
    reply: Callable[[Caller, C, R], Reply]
    form: Callable[[Caller, messages.OpenForm, str], Reply | None] | None = None


@dataclass(frozen=True)
class Form(Generic[C]):
    """A subcommand that opens a form: `opens` shows it (None) or answers why it could not."""

    name: str
    usage: tuple[str, ...]
    parse: Callable[[Words], C]
    opens: Callable[[Caller, C, str], Reply | None]


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


def read(text: str) -> tuple[Row, messages.Command]:
    """The subcommand `text` names (help for none) and the command its parser made of it."""
    text = text or ""
    if len(text) > MAX_COMMAND_CHARS:
        raise Refusal.of("too_long", usage="help", length=len(text), limit=MAX_COMMAND_CHARS, free=MAX_TEXT_CHARS)
    problem = unstorable(text, line_breaks=True)  # a reason, a note, a learning may hold lines
    if problem is not None:
        raise Refusal.of("control_character", usage=_first_word(text), what=problem)
    words = Words(as_line_breaks(text))
    if not words.words:
        return _BY_NAME["help"], messages.Help()
    sub = words.words[0].lower()
    subcommand = _BY_NAME.get(sub)
    if subcommand is None:
        raise Refusal.of(
            "unknown_subcommand", usage="help", suggestions=close_matches(sub, tuple(USAGE)), word=clip(words.words[0])
        )
    return subcommand, subcommand.parse(words)


def parse(text: str) -> messages.Command:
    return read(text)[1]


def _help(w: Words) -> messages.Help:
    topic = w.words[1].lower() if len(w) > 1 else None
    return messages.Help(topic if topic in USAGE else None)


def _help_reply(caller: Caller, cmd: messages.Help, done: None) -> Reply:
    topics = [cmd.topic] if cmd.topic else list(USAGE)
    return render("help", usage=[line for t in topics for line in USAGE[t]], topic=cmd.topic)


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
    own, rest = kpi_arms(words[2:])
    value, percent = parse_value(own, usage="kpi") if own is not None else (None, False)
    rest_value, rest_percent = parse_value(rest, usage="kpi") if rest is not None else (None, False)
    return messages.Kpi(
        playbook_name(words[1]), value, percent, week, override=override, rest=rest_value, rest_percent=rest_percent
    )


def _guardrail(w: Words) -> messages.GuardrailReport:
    w, override = split_override(w, "guardrail")
    words, week = split_week(w, "guardrail")
    if len(words) != 3:
        raise Refusal.of("guardrail_arguments", usage="guardrail")
    value, percent = parse_value(words[2], usage="guardrail")
    return messages.GuardrailReport(playbook_name(words[1]), value, week, percent, override=override)


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
    words, reviewers = grammar_review.reviewers(words)  # `by @ben @ida`
    if len(words) > 4:  # `20 tone:19 accuracy:18 policy:20`: a review by dimension
        reviewed, dimensions = grammar_review.dimensions(words[3:])
        score = rubric_dimensions.score(dimensions, reviewed)
        playbook, step = playbook_name(words[1]), step_name(words[2])
        return messages.Rubric(playbook, step, score, week, None, None, override, reviewed, dimensions, reviewers)
    if len(words) != 4:
        raise Refusal.of("rubric_arguments", usage="rubric")
    playbook, step, said = playbook_name(words[1]), step_name(words[2]), words[3]
    if "/" in said:  # `18/20`: 18 of 20 reviewed cases passed
        passed, reviewed = parse_sample(said)
        score = round(passed / reviewed, 6)
        return messages.Rubric(playbook, step, score, week, override=override, reviewed=reviewed, reviewers=reviewers)
    return messages.Rubric(playbook, step, parse_score(said), week, override=override, reviewers=reviewers)


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


# Every subcommand, in the order help lists them; USAGE and parse's dispatch are read from
# it. To add one: docs/contributing.md, "A subcommand". Leave the tuple unannotated: a
# `tuple[Subcommand[Any, Any], ...]` would stop mypy checking each row's types.
SUBCOMMANDS = (
    Subcommand("help", ("/rollout help",), _help, None, _help_reply),
    Subcommand("status", ("/rollout status [playbook]",), _status, status.status, replies.status),
    Subcommand(
        ReportKind.KPI,
        (
            "/rollout kpi <playbook> <value> [week:N] [override <reason>]",
            "/rollout kpi <playbook> [<value>] rest <value> [week:N]",
        ),
        _kpi,
        commands.kpi,
        replies.kpi,
        checkins.open_checkin,
    ),
    Subcommand(
        "attest",
        (
            "/rollout attest <playbook> yes [note] [week:N]",
            "/rollout attest <playbook> no <step> <reason> [week:N]",
        ),
        _attest,
        commands.attest,
        replies.attest,
        checkins.open_checkin,
    ),
    Subcommand(
        ReportKind.EXCEPTION,
        ("/rollout exception <playbook> <step> <reason>",),
        _exception,
        commands.exception,
        replies.exception,
    ),
    Subcommand(
        ReportKind.CASES,
        ("/rollout cases <playbook> <step> <count> [week:N] [override <reason>]",),
        _cases,
        commands.cases,
        replies.cases,
    ),
    Subcommand(
        ReportKind.RUBRIC,
        (
            "/rollout rubric <playbook> <step> <score or passed/reviewed> [by @user…] [week:N] [override <reason>]",
            "/rollout rubric <playbook> <step> <reviewed> <dimension>:<passed>… [by @user…] [week:N] [override <reason>]",
        ),
        _rubric,
        commands.rubric,
        replies.rubric,
    ),
    Subcommand(
        "calibrate",
        ("/rollout calibrate <playbook> <step> <passed>/<cases> [note]",),
        grammar_calibrate.calibrate,
        commands.calibrate,
        replies.calibrate,
    ),
    Form("week", ("/rollout week <playbook> [week:N]",), _week, week_form.open_form),
    Subcommand(
        "cycle",
        ("/rollout cycle start <playbook> [YYYY-MM-DD]",),
        _cycle,
        commands.cycle_start,
        replies.cycle_start,
    ),
    Subcommand(
        "mode",
        (
            "/rollout mode <playbook> <step> human-led|collaborative|ai-led <reason>",
            "/rollout mode <playbook> <step> unfreeze <reason>",
        ),
        _mode,
        commands.set_mode,
        replies.mode,
    ),
    Subcommand(
        "publish",
        ("/rollout publish <playbook> [override <reason>]",),
        _publish,
        commands.publish,
        replies.publish,
    ),
    Subcommand(
        "registry",
        ("/rollout registry [function]",),
        _registry,
        commands.registry_entries,
        replies.registry,
    ),
    Subcommand(
        "adopt",
        (
            "/rollout adopt <playbook>[@vN] <#channel> [owner <@user>] [champion <@user>] [baseline:X] [target:Y] "
            "[tz:Area/City] [cap:0.15] [rubric:0.85] [start:YYYY-MM-DD] [override <reason>]",
        ),
        grammar_adopt.adopt,
        commands.adopt,
        replies.adopt,
    ),
    Subcommand("curator", ("/rollout curator add|remove <@user>",), _curator, commands.curator, replies.curator),
    Subcommand(
        "curators-channel",
        ("/rollout curators-channel <#channel>",),
        _curators_channel,
        commands.curators_channel,
        replies.template("curators_channel"),
    ),
    Subcommand(
        ReportKind.GUARDRAIL,
        ("/rollout guardrail <playbook> <value> [week:N] [override <reason>]",),
        _guardrail,
        commands.guardrail,
        replies.guardrail,
    ),
    Subcommand("undo", ("/rollout undo <playbook>",), _undo, commands.undo, replies.undo),
    Subcommand(
        "pause",
        ("/rollout pause <playbook> <reason>",),
        grammar_life.pause_or_retire("pause"),
        commands.pause,
        replies.pause,
    ),
    Subcommand(
        "resume", ("/rollout resume <playbook> [YYYY-MM-DD]",), grammar_life.resume, commands.resume, replies.resume
    ),
    Subcommand(
        "retire",
        ("/rollout retire <playbook> <reason>",),
        grammar_life.pause_or_retire("retire"),
        commands.pause,
        replies.pause,
    ),
    Subcommand("owner", ("/rollout owner <playbook> <@user>",), _owner, commands.hand_over, replies.hand_over),
    Subcommand(
        "champion",
        ("/rollout champion <playbook> <@user>",),
        _champion,
        commands.champion,
        replies.champion,
    ),
    Subcommand("wave", ("/rollout wave <playbook> reviewed <note>",), grammar_adopt.wave, commands.wave, replies.wave),
    Form(
        "request",
        (
            "/rollout request <playbook>[@vN] <#channel> champion <@user> [baseline:X] [target:Y] [tz:Area/City] "
            "[start:YYYY-MM-DD] [why <text>]",
            "/rollout request",
        ),
        grammar_adopt.request,
        checkins.open_request,
    ),
    Subcommand("history", ("/rollout history <playbook> [step] [N]",), _history, status.history, replies.history),
    Form("new", ("/rollout new",), playbook_form.parse_new, playbook_form.open_form),
    Form("edit", ("/rollout edit <playbook>",), playbook_form.parse_edit, playbook_form.open_form),
    Form("kit", ("/rollout kit <playbook>",), playbook_form.parse_kit, kit_form.open_form),
    Form("pulse", ("/rollout pulse <playbook>",), pulse_form.parse, pulse_form.open_form),
    Subcommand("learn", ("/rollout learn <playbook> <text> [cycle:N]",), _learn, learnings.learn, replies.learn),
    Subcommand("web", ("/rollout web",), _web, commands.web_link, replies.web),
    Subcommand(
        "upgrade",
        ("/rollout upgrade <playbook> [vN]",),
        _upgrade,
        versions.upgrade,
        replies.template("upgrade"),
    ),
    Subcommand(
        "learnings",
        ("/rollout learnings [words]",),
        _learnings,
        learnings_search.learnings,
        replies.template("find_learnings"),
    ),
    Subcommand(
        "away",
        ("/rollout away <YYYY-MM-DD> [YYYY-MM-DD]", "/rollout away off"),
        _away,
        commands.away,
        replies.away,
    ),
    Subcommand(
        "holiday",
        ("/rollout holiday add <YYYY-MM-DD> [name]", "/rollout holiday remove <YYYY-MM-DD>", "/rollout holiday list"),
        _holiday,
        commands.holiday,
        replies.holiday,
    ),
)
Row = Subcommand[Any, Any] | Form[Any]
_BY_NAME: dict[str, Row] = {sub.name: sub for sub in SUBCOMMANDS}
USAGE: dict[str, tuple[str, ...]] = {sub.name: sub.usage for sub in SUBCOMMANDS}  # by name, in help's order
