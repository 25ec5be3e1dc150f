"""The owner's week in one form (usecases/week_form.py): opened by `/rollout week
<playbook> [week:N]` and by the Friday DM's *Report this week*, submitted as one.

The form keeps, in its private metadata, the playbook, the week and each field's words as
it opened: a field whose words are unchanged (or emptied) is not sent, so a submission
records only what its person changed. The words are read here as the slash commands read
theirs (handlers/words.py); a refusal goes on its field (`response_action: errors`) and
nothing of the form is stored; a recorded form is answered with the list of its reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import keys
from cadence.definition import USER_RE
from cadence.text import unstorable
from handlers.actions import show_form
from handlers.checkins import open_typed_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, FieldErrors, Submission, metadata, on_submit
from handlers.words import parse_count, parse_minutes, parse_value
from templates import render
from templates.refusals import Refusal, plain, slack
from usecases import week_form
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services

MAX_BLOCKS = 100  # a modal's blocks (Block Kit)
TITLES = {"week_closed": "Week closed", "week_in_future": "Week not begun yet"}
_USER_ID = re.compile(USER_RE)


def register(app: App, services: Services) -> None:
    @app.action("week_form_open")
    def open_from_dm(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_checkin_button(action.get("value"))
        if target is None:
            raise Malformed("a week form button with a value the bot never wrote")
        caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
        try:
            form = week_form.open_sent(caller, target)
            view = view_of(form) if form is not None else None
        except Refusal as refusal:  # the week closed since the DM, or another person clicked
            view = render("modal_notice", title=TITLES.get(refusal.key, "Can't report"), problem=slack(refusal))
        if view is not None:
            show_form(client, body.get("trigger_id", ""), view)

    on_submit(app, services, "week_form", _submit)


def open_form(caller: Caller, cmd: messages.OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout week`: the form opens (None), or an ephemeral refusal comes back (Refusal)."""
    open_typed_form(caller, trigger_id, view_of(week_form.open_week(caller, cmd.playbook, cmd.week)), "week")
    return None


def _written(value: float | None) -> str:
    """A number as a person types it: every digit it has, no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fields(form: week_form.WeekForm) -> dict[str, str]:
    """Each field of the form with its words as it opens (a number fed elsewhere is no field)."""
    fields: dict[str, str] = {}
    for row in form.steps:
        if row.cases_from is None:
            fields[week_form.field_id("cases", row.step)] = "" if row.cases is None else str(row.cases)
        if not row.no_rubric and row.rubric_from is None:
            fields[week_form.field_id("reviewed", row.step)] = "" if row.reviewed is None else str(row.reviewed)
            for name, passed in row.dimensions:  # a field per rubric dimension, in place of `passed`
                fields[week_form.dimension_field(row.step, name)] = "" if passed is None else str(passed)
            if not row.dimensions:
                fields[week_form.field_id("passed", row.step)] = "" if row.passed is None else str(row.passed)
            if form.timed:  # net value: the minutes the review took, which win over review_minutes
                fields[week_form.minutes_field(row.step)] = _written(row.minutes)
        if row.bounded:  # strict boundaries: the week's cases out of scope (usecases/boundaries.py)
            fields[week_form.field_id("out", row.step)] = "" if row.out is None else str(row.out)
    if form.kpi_from is None:
        fields[week_form.KPI] = _written(form.kpi)
    if form.state.playbook.guardrail_name and form.guardrail_from is None:
        fields[week_form.GUARDRAIL] = _written(form.guardrail)
    if form.compared and form.rest_from is None:
        fields[week_form.REST] = _written(form.rest)
    return fields


def view_of(form: week_form.WeekForm) -> dict[str, Any]:
    """The form's modal; refused, saying so, if its steps need more blocks than a modal holds."""
    state, playbook = form.state, form.state.playbook
    fields = _fields(form)
    # a step: its cases (a field, or a line saying where they come from) and its review (two fields, or a line)
    blocks = 1 + sum(1 + (0 if row.no_rubric else 1 if row.rubric_from else 2) for row in form.steps)
    blocks += sum(max(len(row.dimensions) - 1, 0) for row in form.steps if not row.rubric_from)
    reviewed = sum(1 for row in form.steps if not row.no_rubric and not row.rubric_from)
    blocks += reviewed if form.timed else 0  # each review's minutes spent on it
    blocks += sum(1 for row in form.steps if row.bounded)  # each bounded step's cases out of scope
    pickers = blocks + reviewed <= MAX_BLOCKS  # who reviewed, a picker a step, where the modal has room
    blocks += 1 + (1 if playbook.guardrail_name else 0) + (1 if form.compared else 0)
    if blocks > MAX_BLOCKS:
        raise Refusal.of(
            "week_form_too_long",
            usage="week",
            slug=playbook.slug,
            steps=len(form.steps),
            blocks=blocks,
            limit=MAX_BLOCKS,
        )
    metadata = {"p": playbook.id, "w": form.week.week_start.isoformat(), "f": fields}
    return render(
        "modal_week",
        metadata=json.dumps(metadata, separators=(",", ":")),
        title=playbook.title,
        slug=playbook.slug,
        week=form.week,
        rows=form.steps,
        pickers=pickers,
        minutes={field: words for field, words in fields.items() if field.startswith("minutes:")},
        out={field: words for field, words in fields.items() if field.startswith("out:")},
        by=form.by,
        asks=week_form.asks(form),
        kpi_name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        kpi=form.kpi,
        kpi_from=form.kpi_from,
        kpi_text=fields.get(week_form.KPI, ""),
        guardrail_name=playbook.guardrail_name or "",
        guardrail=form.guardrail,
        guardrail_from=form.guardrail_from,
        guardrail_text=fields.get(week_form.GUARDRAIL, ""),
        guardrail_unit=state.guardrail_unit,
        compared=form.compared,
        rest=form.rest,
        rest_from=form.rest_from,
        rest_text=fields.get(week_form.REST, ""),
    )


def _kept(view: dict[str, Any]) -> tuple[tuple[int, date], dict[str, str]]:
    """The form's metadata as view_of wrote it; anything else was never the bot's (Malformed)."""
    kept = metadata(view, "week")
    target = keys.read_checkin_button({"playbook": kept.get("p"), "week": kept.get("w")})
    fields = kept.get("f")
    if target is None or not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise Malformed("week form's metadata is not what the bot wrote")
    return target, fields


def _words(values: dict[str, Any], block_id: str) -> str:
    element = (values.get(block_id) or {}).get("value") or {}
    typed = element.get("value") if isinstance(element, dict) else None
    return typed.strip() if isinstance(typed, str) else ""


def _step_id(field: str) -> int:
    step = keys.read_id(field.partition(":")[2])
    if step is None:
        raise Malformed("week form's field is not one the bot wrote")
    return step


def _changes(values: dict[str, Any], before: dict[str, str]) -> tuple[week_form.Changes, dict[str, str]]:
    """What the form changed, read as the slash commands read numbers, and the errors of
    the fields whose words are not numbers (each field's own)."""
    errors: dict[str, str] = {}
    now = {field: _words(values, field) for field in before}
    changed = {field for field, words in now.items() if words and words != before[field]}
    changes = week_form.Changes()
    read = _reader(now, errors)
    for field in before:
        kind = field.partition(":")[0]
        if kind == "reviewed":
            _reviewers(values, field, changes)
            if any(f.startswith(f"dim:{field.partition(':')[2]}:") for f in before):
                _by_dimension(field, before, now, changed, read, changes, errors)
            else:
                _review(field, now, changed, read, changes, errors)
        elif field in changed:
            changes = _changed(field, kind, read, changes)
    return changes, errors


def _reader(now: dict[str, str], errors: dict[str, str]) -> Callable[..., Any]:
    """How a field's words are read, `read(field, parse, *args)`: parsed, or None with
    the field's error kept in `errors` (a character never stored, a refusal of `parse`)."""

    def read(field: str, parse: Any, *args: Any) -> Any:
        problem = unstorable(now[field], line_breaks=False)
        if problem is not None:
            errors[field] = plain(Refusal.of("control_character", what=problem))
            return None
        try:
            return parse(now[field], *args)
        except Refusal as refusal:
            errors[field] = plain(refusal)
            return None

    return read


def _changed(field: str, kind: str, read: Any, changes: week_form.Changes) -> week_form.Changes:
    """A changed field that is one number, read into `changes`: a step's cases, cases out of
    scope or minutes, or the KPI's, guardrail's or rest's value (the others are a review's)."""
    if kind in ("cases", "out"):
        count = read(field, parse_count)
        if count is not None:
            (changes.cases if kind == "cases" else changes.out)[_step_id(field)] = count
    elif kind == "minutes":
        minutes = read(field, parse_minutes)
        if minutes is not None:
            changes.minutes[_step_id(field)] = minutes
    elif kind in (week_form.KPI, week_form.GUARDRAIL, week_form.REST):
        number = read(field, parse_value, None)
        if number is not None:
            return _with(changes, kind, number)
    return changes


def _review(
    field: str, now: dict[str, str], changed: set[str], read: Any, changes: week_form.Changes, errors: dict[str, str]
) -> None:
    """A step's review: its reviewed and passed counts, both given once either is changed."""
    passed_field = "passed:" + field.partition(":")[2]
    if field not in changed and passed_field not in changed:
        return
    if not now[field] or not now.get(passed_field):
        errors[field if not now[field] else passed_field] = plain(Refusal.of("form_review_half"))
        return
    reviewed, passed = read(field, parse_count), read(passed_field, parse_count)
    if reviewed is not None and passed is not None:
        changes.reviews[_step_id(field)] = (passed, reviewed)


def _by_dimension(
    field: str,
    before: dict[str, str],
    now: dict[str, str],
    changed: set[str],
    read: Any,
    changes: week_form.Changes,
    errors: dict[str, str],
) -> None:
    """A step's review by rubric dimension: its reviewed count and a count per dimension,
    all given once any is changed (an empty one is named on its field)."""
    parts = [field, *(f for f in before if f.startswith(f"dim:{field.partition(':')[2]}:"))]
    if not changed & set(parts):
        return
    empty = [part for part in parts if not now[part]]
    if empty:
        errors.update({part: plain(Refusal.of("form_review_dimensions_half")) for part in empty})
        return
    counts = [read(part, parse_count) for part in parts]
    if any(count is None for count in counts):
        return
    reviewed, passed = counts[0], counts[1:]
    step = _step_id(field)
    changes.reviews[step] = (min(passed), reviewed)
    changes.by_dimension[step] = tuple((part.rsplit(":", 1)[1], n) for part, n in zip(parts[1:], passed, strict=True))


def _reviewers(values: dict[str, Any], field: str, changes: week_form.Changes) -> None:
    """A step's picker of who reviewed (`by:<step id>`), as Slack sends it; a user id of
    another shape was never Slack's (Malformed)."""
    picked = ((values.get("by:" + field.partition(":")[2]) or {}).get("value") or {}).get("selected_users")
    if not isinstance(picked, list) or not picked:
        return
    if not all(isinstance(user, str) and _USER_ID.match(user) for user in picked):
        raise Malformed("a reviewers picker with an id Slack never sends")
    changes.reviewers[_step_id(field)] = tuple(dict.fromkeys(picked))


def _with(changes: week_form.Changes, kind: str, number: tuple[float, bool]) -> week_form.Changes:
    if kind == week_form.REST:
        return replace(changes, rest=number)
    return replace(changes, kpi=number) if kind == week_form.KPI else replace(changes, guardrail=number)


def _submit(ack: Ack, sent: Submission) -> None:
    target, before = _kept(sent.view)
    first = next(iter(before), "kpi")  # a refusal of the whole form shows on its first field
    with Answering(ack, first, "the week form", refused=plain, passes=(Malformed,)) as answer:
        changes, errors = _changes(sent.values, before)
        if errors:
            raise FieldErrors(errors)
        try:
            recorded = week_form.submit(sent.caller, target, changes)
        except week_form.FormRefused as refused:
            raise FieldErrors({f: plain(r) for f, r in refused.refusals.items()}) from None
    if answer.stored:
        shown = render(
            "modal_week_recorded", slug=recorded.state.playbook.slug, week=recorded.week, lines=recorded.lines
        )
        ack(response_action="update", view=shown)
