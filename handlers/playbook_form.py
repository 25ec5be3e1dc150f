"""The playbook's form: `/rollout new` and `/rollout edit <playbook>` open it, a stall
card's *Refine* and *Re-scope* too; its submission creates or revises the playbook
(usecases/playbook_form.py). Each problem shows on its field (`response_action:
errors`), and nothing is stored."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import keys
from cadence.text import plain_text, unstorable
from handlers.actions import show_pushed
from handlers.checkins import request_form_for
from handlers.errors import Malformed
from handlers.form_answers import Answering, FieldErrors, Submission, metadata, on_submit
from handlers.words import Words, parse_date, parse_score, parse_value, playbook_name
from templates.playbook_form import made_notice, playbook_form, revised_notice
from templates.refusals import Refusal, plain
from templates.similar_form import with_similar
from usecases import intake_form, playbook_answers, playbook_revision, value_form
from usecases import playbook_form as forms
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services

log = logging.getLogger(__name__)


# The grammar's parsers of the forms' subcommands (handlers/grammar.py, SUBCOMMANDS).
def parse_new(w: Words) -> messages.OpenForm:
    if len(w) != 1:
        raise Refusal.of("new_arguments", usage="new")
    return messages.OpenForm("new")


def parse_edit(w: Words) -> messages.OpenForm:
    if len(w) != 2:
        raise Refusal.of("edit_arguments", usage="edit")
    return messages.OpenForm("edit", playbook_name(w.words[1]))


def parse_kit(w: Words) -> messages.OpenForm:
    if len(w) != 2:
        raise Refusal.of("kit_arguments", usage="kit")
    return messages.OpenForm("kit", playbook_name(w.words[1]))


def register(app: App, services: Services) -> None:
    @app.action("similar_adopt")
    def adopt_similar(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """*Adopt it* beside a close match on `/rollout new`'s form: the request's form, its
        version filled in, pushed over it (usecases/shared/similar.py)."""
        ack()
        version = str(action.get("value") or "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}@v[0-9]{1,9}", version):
            raise Malformed("an Adopt it button with a value the bot never wrote")
        show_pushed(client, body.get("trigger_id", ""), request_form_for(version))

    on_submit(app, services, re.compile(r"^playbook_(new|edit)$"), _submit)


def _open(caller: Caller, form: forms.Form, trigger_id: str) -> None:
    view = playbook_form(
        form.values,
        forms.FIELDS,
        form.metadata,
        form.functions,
        form.slug,
        form.adopted_from,
        forms.FOCUS.get(form.focus or "", ()),
        form.currency,
    )
    caller.client.views_open(trigger_id=trigger_id, view=view)


def open_form(caller: Caller, parsed: messages.OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout new` or `/rollout edit <playbook>`: the form opens (None), or the
    refusal is raised for the command's reply."""
    usage = parsed.form
    form = forms.new_form(caller) if parsed.form == "new" else forms.edit_form(caller, parsed.playbook or "")
    try:
        _open(caller, form, trigger_id)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal.of("form_refused", usage=usage, error=err.response.get("error")) from err
    except (OSError, TimeoutError) as err:
        raise Refusal.of("slack_busy_form", usage=usage) from err
    return None


def open_for_stall(caller: Caller, answer: str, target: tuple[int, int], trigger_id: str) -> None:
    """A stall card's *Refine* (at the steps, cap and rubric) or *Re-scope* (at the KPI)."""
    form = forms.edit_form(caller, "", focus=answer, stall=target)
    try:
        _open(caller, form, trigger_id)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
    except (OSError, TimeoutError):  # the button can be clicked again
        log.warning("views.open: Slack did not answer in time")


class _Problems(Exception):
    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(problems))
        self.problems = problems


def _read(values: dict[str, Any], block_id: str) -> str:
    element = (values.get(block_id) or {}).get("value") or {}
    if "selected_option" in element:
        return str((element.get("selected_option") or {}).get("value") or "")
    if "selected_conversation" in element:
        return str(element.get("selected_conversation") or "")
    if "selected_options" in element:  # the checkbox: its option's value when ticked
        return ",".join(str(o.get("value") or "") for o in element.get("selected_options") or [])
    if "selected_date" in element:
        return str(element.get("selected_date") or "")
    if "selected_user" in element:
        return str(element.get("selected_user") or "")
    return str(element.get("value") or "")


_STEP_LINE = re.compile(
    r"^\s*([^:\s()]+)(?:\s*\(\s*was\s+([^:\s()]+)\s*\))?\s*:\s*(human-led|collaborative|ai-led)(\s+pinned)?"
    r"(?:\s+out of scope:\s*(.*?))?\s*$",
    re.IGNORECASE,
)  # `name: mode [pinned] [out of scope: a; b]`; a rename `new-name (was old-name): mode`


def _answers(values: dict[str, Any], new: bool) -> playbook_answers.Answers:
    """The form's fields as values; every field's problem at once, each on its field."""
    problems: dict[str, str] = {}
    texts = {block_id: _read(values, block_id) for block_id in (*forms.FIELDS, "override", "why")}
    for block_id, text in texts.items():
        problem = unstorable(text, line_breaks=block_id in ("steps", "override", "why"))
        if problem is not None:
            problems[block_id] = plain(Refusal.of("control_character", what=problem))
    if problems:
        raise _Problems(problems)

    def given(block_id: str) -> str:
        return plain_text(texts[block_id]).strip()

    def number(block_id: str, share: bool = False) -> float:
        return _number(given(block_id), block_id, problems, share) if given(block_id) else 0.0

    for block_id in ("title", "function", "kpi_name", "baseline", "target", "steps", "cap", "rubric", "timezone"):
        if not given(block_id):
            problems[block_id] = "Fill this in."
    if not texts["channel"]:
        problems["channel"] = "Pick the team's channel."
    steps = _steps(texts["steps"], problems)
    baseline, target = number("baseline"), number("target")
    cap, rubric = number("cap", share=True), number("rubric", share=True)
    guardrail = _guardrail(given, texts["guardrail_bound"], problems)
    worth = _value(given, problems, new)
    pilot = _intake(given, texts["structured"], problems, new)
    starts_on = _starts_on(given("start"), problems) if new and given("start") else None
    if problems:
        raise _Problems(problems)
    return playbook_answers.Answers(
        title=given("title"),
        function=given("function"),
        channel=texts["channel"],
        kpi_name=given("kpi_name"),
        kpi_unit=given("kpi_unit"),
        direction=texts["direction"] or "down",
        baseline=baseline,
        target=target,
        steps=steps,
        exception_cap=cap,
        rubric_threshold=rubric,
        timezone=given("timezone"),
        guardrail=guardrail,
        starts_on=starts_on,
        override=given("override") or None,
        why=given("why") or None,
        value=worth,
        intake=pilot,
    )


def _number(text: str, block_id: str, problems: dict[str, str], share: bool = False) -> float:
    """A figure of the form, as the KPI's are written; a share is checked as a score is,
    then read to its last digit (93.125% is 0.93125)."""
    try:
        if share:
            value = parse_score(text, usage="new")
            return float(Decimal(text[:-1]) / 100) if text.endswith("%") else value
        return parse_value(text, usage="new")[0]
    except Refusal as refusal:
        problems[block_id] = plain(refusal)
        return 0.0


def _steps(text: str, problems: dict[str, str]) -> list[playbook_answers.StepLine]:
    """The steps field's lines, `name: mode [pinned] [out of scope: a; b]` each; the first bad
    line's problem."""
    steps = []
    for index, line in enumerate(text.replace("\u2028", "\n").splitlines(), start=1):
        if not line.strip():
            continue
        matched = _STEP_LINE.match(line)
        if matched is None:
            problems.setdefault("steps", plain(Refusal.of("made_steps", line=index)))
            continue
        bounds = tuple(b.strip() for b in (matched[5] or "").split(";") if b.strip())  # strict boundaries
        steps.append(playbook_answers.StepLine(matched[1], matched[3].lower(), bool(matched[4]), matched[2], bounds))
    return steps


def _guardrail(given: Callable[[str], str], bound: str, problems: dict[str, str]) -> tuple[str, str, float] | None:
    """The guardrail (name, min or max, value), or None when its name is empty."""
    if not given("guardrail_name"):
        return None
    if not given("guardrail_value"):
        problems["guardrail_value"] = "Give the guardrail's bound, or leave its name empty for none."
        return None
    value = _number(given("guardrail_value"), "guardrail_value", problems)
    return (given("guardrail_name"), bound if bound in ("min", "max") else "min", value)


def _starts_on(text: str, problems: dict[str, str]) -> date | None:
    try:
        return parse_date(text, usage="new")
    except Refusal as refusal:
        problems["start"] = plain(refusal)
        return None


_COST = re.compile(r"(?P<amount>.*?)\s*(?P<code>[A-Za-z]{3})")  # 1200, or 1200 USD


def _value(given: Callable[[str], str], problems: dict[str, str], new: bool) -> value_form.ValueAnswers:
    """The value fields: the event (required on `/rollout new`) with the minutes each saves
    (optional: none, the event is counted and no hours estimated) and the cost per month,
    a currency code after it if typed."""
    measure = None
    event, minutes = given("value_event"), given("value_minutes")
    if not event and new:
        problems["value_event"] = "Name the one event you will count, e.g. reply_accepted."
    elif minutes and not event:
        problems["value_event"] = "Name the event that saves these minutes, or leave both empty for no value measure."
    elif event:
        measure = (event, _plain(minutes, "value_minutes", problems) if minutes else None)
    cost, code = None, None
    if given("cost"):
        amount = given("cost")
        typed = _COST.fullmatch(amount)
        if typed is not None and typed["amount"]:
            amount, code = typed["amount"], typed["code"].upper()
        cost = _plain(amount, "cost", problems)
    return value_form.ValueAnswers(measure, cost, code)


def _intake(
    given: Callable[[str], str], structured: str, problems: dict[str, str], new: bool
) -> intake_form.IntakeAnswers:
    """The intake fields: cases a week and minutes a case (plain numbers; both, or on an
    edit neither) and the structured checkbox."""
    numbers = {
        block_id: _plain(given(block_id), block_id, problems) if given(block_id) else None
        for block_id in ("cases_per_week", "minutes_per_case")
    }
    said = {field: " ".join(given(field).split()) for field in intake_form.SELF_CHECK} if new else None
    answers = intake_form.IntakeAnswers(
        numbers["cases_per_week"], numbers["minutes_per_case"], intake_form.STRUCTURED in structured.split(","), said
    )
    for block_id, problem in intake_form.problems(answers, new).items():
        problems.setdefault(block_id, plain(problem))
    return answers


def _plain(text: str, block_id: str, problems: dict[str, str]) -> float:
    """A number of minutes or of money, as the KPI's are written (not a percentage)."""
    if text.endswith("%"):
        problems[block_id] = f"“{text[:40]}” is a percentage; give a plain number such as 6."
        return 0.0
    try:
        return parse_value(text, usage="new")[0]
    except Refusal as refusal:
        problems[block_id] = plain(refusal)
        return 0.0


def _stall(kept: dict[str, Any]) -> tuple[int, int, str] | None:
    stall = kept.get("stall")
    if stall is None:
        return None
    if (
        not isinstance(stall, list)
        or len(stall) != 3
        or keys.read_stall(f"stall:{stall[0]}:{stall[1]}") is None
        or stall[2] not in forms.FOCUS
    ):
        raise Malformed("playbook form's stall is not what the bot wrote")
    return int(stall[0]), int(stall[1]), str(stall[2])


def _submit(ack: Ack, sent: Submission) -> None:
    caller, view, values = sent.caller, sent.view, sent.values
    kept = metadata(view, "playbook")
    new = view.get("callback_id") == "playbook_new"
    if new and kept != {"new": True}:
        raise Malformed("playbook form's metadata is not what the bot wrote")
    if not new and (keys.read_id(str(kept.get("playbook"))) is None or not isinstance(kept.get("opened"), str)):
        raise Malformed("playbook form's metadata is not what the bot wrote")

    answered, anyway = _second_look(caller, ack, view, values) if new else (False, None)
    if answered:
        return

    def made() -> dict[str, Any]:
        try:
            answers = _answers(values, new)
        except _Problems as err:
            raise forms.FormProblems(err.problems) from None
        if new:
            created = forms.create(caller, answers, anyway)
            return made_notice(
                created.slug, created.starts_on.isoformat(), created.channel, created.warning, created.replicates
            )
        revised = playbook_revision.revise(caller, int(kept["playbook"]), kept["opened"], answers, _stall(kept))
        return revised_notice(revised.slug, revised.changes, revised.waiting, revised.named)

    answer(ack, made, "title", "the playbook form")


def _second_look(
    caller: Caller, ack: Ack, view: dict[str, Any], values: dict[str, Any]
) -> tuple[bool, tuple[list[str], str] | None]:
    """`/rollout new`'s answers closely match a published version or an active playbook and
    no reason to create it anyway is given yet: the form again, the matches on it (or, its
    box left empty, the error on it), nothing stored, and True. Else False, with the matches
    shown and the reason given to keep, if any (its problems are the form's, said after)."""
    claim = caller.store.claim
    if claim is not None and caller.store.request_keys.seen(claim.keys + claim.with_write):
        return False, None  # this view made its playbook before: the write answers it as a repeat
    try:
        answers = _answers(values, True)
    except _Problems:
        return False, None
    found = forms.similar_to(caller, answers)
    if found is None:
        return False, None
    reason = " ".join(_read(values, "anyway").split())
    if reason:
        return False, (found.words, reason)
    if "anyway" in values:
        ack(response_action="errors", errors={"anyway": plain(Refusal.of("similar_reason"))})
        return True, None
    shown = [
        (m.words, f"{m.other.slug}@v{m.other.version}" if m.other.version is not None else None) for m in found.matches
    ]
    ack(response_action="update", view=with_similar(view, shown))
    return True, None


def answer(
    ack: Ack,
    made: Callable[[], dict[str, Any]],
    first: str,
    what: str,
    shown_on: Callable[[str], str] = lambda where: where,
) -> None:
    """A playbook's form answered to Slack (the playbook form's, the kit form's): the modal
    updated to `made()`'s notice; each problem on its field (`shown_on` it), a refusal or
    a failure on the form's first field, nothing stored; a repeat, nothing (bot/app.py)."""
    with Answering(ack, first, what, refused=plain) as answer:
        try:
            notice = made()
        except forms.FormProblems as err:
            shown: dict[str, str] = {}
            for where, problem in err.problems.items():
                shown.setdefault(shown_on(where), problem if isinstance(problem, str) else plain(problem))
            raise FieldErrors(shown) from None
    if answer.stored:
        ack(response_action="update", view=notice)
