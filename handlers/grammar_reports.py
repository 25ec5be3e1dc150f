"""The words of a week's reports, `/rollout kpi`, `attest`, `exception`, `cases`, `rubric`,
`guardrail` and `undo`, and of `week`, which opens the owner's week in one form: their
parsers and their rows of the grammar (`ROWS`, registered in handlers/grammar.py). Pure:
no Slack, no database."""

from __future__ import annotations

from cadence import dimensions as rubric_dimensions
from cadence.report_kinds import ReportKind
from handlers import checkins, grammar_review, replies, week_form
from handlers.grammar_rows import Form, Subcommand
from handlers.words import (
    Words,
    clip,
    free_text,
    kpi_arms,
    parse_count,
    parse_sample,
    parse_score,
    parse_value,
    playbook_name,
    split_override,
    split_week,
    step_name,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages


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
    out = None
    if len(words) == 5 and words[4].lower().startswith("out:"):  # strict boundaries' count (usecases/boundaries.py)
        if not words[4][4:]:
            raise Refusal.of("out_arguments", usage="cases")
        out = parse_count(words.pop()[4:])
    if len(words) != 4:
        raise Refusal.of("cases_arguments", usage="cases")
    playbook, step = playbook_name(words[1]), step_name(words[2])
    return messages.Cases(playbook, step, parse_count(words[3]), week, override=override, out=out)


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


def _undo(w: Words) -> messages.Undo:
    if len(w) != 2:
        raise Refusal.of("undo_arguments", usage="undo")
    return messages.Undo(playbook_name(w.words[1]))


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
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
        ("/rollout cases <playbook> <step> <count> [out:N] [week:N] [override <reason>]",),
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
    Form("week", ("/rollout week <playbook> [week:N]",), _week, week_form.open_form),
    Subcommand(
        ReportKind.GUARDRAIL,
        ("/rollout guardrail <playbook> <value> [week:N] [override <reason>]",),
        _guardrail,
        commands.guardrail,
        replies.guardrail,
    ),
    Subcommand("undo", ("/rollout undo <playbook>",), _undo, commands.undo, replies.undo),
)
