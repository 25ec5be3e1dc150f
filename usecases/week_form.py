"""The owner's week in one form (issue 58; docs/judgement.md, "The owner's week in one
form"): `/rollout week <playbook> [week:N]` and the Friday DM's *Report this week* open
one form for a week, each step's case count and review (reviewed, passed), then the KPI
and the guardrail, filled in with what counts now. A number a source or a value event
feeds is shown with where it comes from, not asked.

Submitting records each changed field as its own report, made as the slash commands make
theirs (recording.report_row: the same rules and refusals; each report is undone by
`undo` as any other, and says who sent it), all in one unit of work: any refusal names
its field and nothing of the form is stored. Each report counts as the latest of its
week, so of two submissions racing, the later one wins each field both changed, as two
commands would; a field left as it was is not sent, so it overwrites nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cadence import calendar, dimensions, review, sources
from cadence.definition_compare import Compare
from cadence.state import PlaybookState, Step
from slack_api.members import Person
from storage.models.boundaries import OutOfScopeCount
from storage.report_batches import NewReport
from storage.store import WeekClosed
from templates.refusals import Refusal
from usecases import boundaries, checkins
from usecases.shared import messages, recording
from usecases.shared.caller import Caller

USAGE = "week"
KPI, GUARDRAIL, REST = "kpi", "guardrail", "rest"  # REST: the rest's KPI, with `compare`


def field_id(kind: str, step: Step | None = None) -> str:
    """A form field's id (its block's): `kpi`, `guardrail`, `cases:<step id>`,
    `passed:<step id>`, `reviewed:<step id>`."""
    return kind if step is None else f"{kind}:{step.id}"


def reviewers_field(step: Step) -> str:
    """A step's reviewers picker: `by:<step id>`."""
    return f"by:{step.id}"


def dimension_field(step: Step, dimension: str) -> str:
    """A rubric dimension's field: `dim:<step id>:<dimension>`."""
    return f"dim:{step.id}:{dimension}"


def minutes_field(step: Step) -> str:
    """A step's "minutes spent reviewing" (net value's oversight): `minutes:<step id>`."""
    return f"minutes:{step.id}"


MAX_REVIEW_MINUTES = 7 * 1440  # a week's minutes: more, for one step's review, is a typo


@dataclass(frozen=True)
class StepRow:
    """One step's numbers in the form: what counts now, and where a number it does not
    ask comes from (`cases_from`, `rubric_from`: "source helpdesk", "event reply_sent")."""

    step: Step
    cases: int | None
    rubric: float | None
    reviewed: int | None  # the sample of the rubric that counts; None: a bare score (or none)
    asked: int | None  # how many to review, by the mode's review rate
    cases_from: str | None = None
    rubric_from: str | None = None
    no_rubric: bool = False  # `rubric: none`: reviewed by design elsewhere, not asked
    # the rubric's dimensions, each with what passed in the review that counts (a field each)
    dimensions: tuple[tuple[str, int | None], ...] = ()
    minutes: float | None = None  # the minutes spent reviewing, as the review that counts says (net value)
    dimensions_said: str | None = None  # the review that counts' dimensions, as stored
    bounded: bool = False  # the step declares boundaries: the form asks its cases out of scope
    out: int | None = None  # its out-of-scope count that counts (usecases/boundaries.py)

    @property
    def passed(self) -> int | None:
        return None if self.rubric is None or self.reviewed is None else round(self.rubric * self.reviewed)


@dataclass(frozen=True)
class WeekForm:
    state: PlaybookState
    week: calendar.WeekRef
    steps: list[StepRow]
    kpi: float | None
    guardrail: float | None
    kpi_from: str | None = None
    guardrail_from: str | None = None
    compared: bool = False  # the KPI has `compare`: the form asks the rest's too
    rest: float | None = None
    rest_from: str | None = None
    by: str = ""  # who opened it: each step's reviewers picker starts with them
    timed: bool = False  # the playbook measures value: each review asks the minutes spent on it (net value)


def open_week(caller: Caller, playbook: str | None, week: messages.Week) -> WeekForm:
    """`/rollout week <playbook> [week:N]`: the form of the open week, or of week N."""
    state = caller.playbook(playbook or "", USAGE)
    found = caller.week(state, week, USAGE)
    caller.require_owner_or_curator(state, USAGE)
    return week_form(caller, state, found)


def open_sent(caller: Caller, target: tuple[int, date]) -> WeekForm | None:
    """The Friday DM's *Report this week*: the form of the week it was sent for (None:
    the playbook was removed since). Refused if that week closed."""
    sent = checkins.sent_week(caller, target)
    if sent is None:
        return None
    caller.require_owner_or_curator(sent[0], USAGE)
    return week_form(caller, *sent)


def _fed(state: PlaybookState, feeds: str, step: str | None) -> str | None:
    """Where a number the form does not ask comes from: its source, or its value event."""
    entry = sources.entry_for(state.playbook.definition, feeds, step)
    if entry is not None:
        return f"source {entry.source}"
    event = recording.event_feeding(state, feeds, step) if feeds in ("kpi", "cases") else None
    return f"event {event}" if event is not None else None


def week_form(caller: Caller, state: PlaybookState, week: calendar.WeekRef) -> WeekForm:
    figures = caller.store.reports.week_figures(state, week.week_start)
    by_design = state.no_rubric_steps
    bounded, out = boundaries.bounded_steps(caller.store, state, week)
    rows = [
        StepRow(
            step,
            numbers.cases,
            numbers.rubric,
            numbers.reviewed,
            numbers.asked,
            cases_from=_fed(state, "cases", step.name),
            rubric_from=_fed(state, "rubric", step.name),
            no_rubric=step.name in by_design,
            dimensions=_dimensions(state, step, numbers.dimensions),
            minutes=numbers.review_minutes,
            dimensions_said=numbers.dimensions,
            bounded=step.id in bounded,
            out=out.get(step.id),
        )
        for step, numbers in zip(state.steps, figures.steps, strict=True)
    ]
    return WeekForm(
        state,
        week,
        rows,
        figures.kpi,
        figures.guardrail,
        kpi_from=_fed(state, "kpi", None),
        guardrail_from=_fed(state, "guardrail", None) if state.playbook.guardrail_name else None,
        compared=Compare.of(state.playbook.definition) is not None,
        rest=figures.rest,
        rest_from=_fed(state, "rest", None),
        by=caller.user_id,
        timed=state.spec.value is not None,
    )


def _dimensions(state: PlaybookState, step: Step, stored: str | None) -> tuple[tuple[str, int | None], ...]:
    """The step's declared dimensions, each with its count in the review that counts."""
    counts = dict(dimensions.decode(stored))
    return tuple((name, counts.get(name)) for name in dimensions.declared(state.playbook.definition, step.name))


@dataclass(frozen=True)
class Changes:
    """What a submitted form changed, as numbers (the listener read the words, and left
    out every field that says what it said when the form opened)."""

    cases: dict[int, int] = field(default_factory=dict)  # step id: count
    reviews: dict[int, tuple[int, int]] = field(default_factory=dict)  # step id: (passed, reviewed)
    # step id: what passed per dimension, for a step whose rubric has dimensions (`passed`: the lowest)
    by_dimension: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    reviewers: dict[int, tuple[str, ...]] = field(default_factory=dict)  # step id: who reviewed (the picker)
    kpi: tuple[float, bool] | None = None  # (value, typed as a percentage)
    guardrail: tuple[float, bool] | None = None
    rest: tuple[float, bool] | None = None
    minutes: dict[int, int] = field(default_factory=dict)  # step id: minutes spent reviewing (net value)
    out: dict[int, int] = field(default_factory=dict)  # step id: cases out of scope (strict boundaries)


class FormRefused(Exception):
    """Fields the use case refused, each with its refusal: nothing was stored."""

    def __init__(self, refusals: dict[str, Refusal]):
        super().__init__(", ".join(refusals))
        self.refusals = refusals


@dataclass(frozen=True)
class Recorded:
    """What a submission recorded, one entry a report, in the form's order."""

    state: PlaybookState
    week: calendar.WeekRef
    lines: list[tuple[str, str]]  # (what, the number as said): ("draft: cases", "40")


def submit(caller: Caller, target: tuple[int, date], changes: Changes) -> Recorded:
    """Record what the form changed, all or nothing. Raises Refusal for the whole form
    (its week closed, the caller may not report) and FormRefused for its fields."""
    sent = checkins.sent_week(caller, target)
    if sent is None:
        raise Refusal.of("week_form_gone")
    state, week = sent
    caller.require_owner_or_curator(state, USAGE)
    refusals: dict[str, Refusal] = {}
    rows: list[NewReport] = []
    reviewers: list[Person] = []  # the people the reviews name, as Slack said them
    lines: list[tuple[str, str]] = []
    opened = (
        {row.step.id: row for row in week_form(caller, state, week).steps} if changes.reviews or changes.minutes else {}
    )

    def row(where: str, step: Step | None, cmd: messages.ReportCommand, said: tuple[str, str]) -> None:
        try:
            rows.append(recording.report_row(state, week, step, cmd, caller.user_id, caller.now, USAGE))
            lines.append(said)
        except Refusal as refusal:
            refusals[where] = refusal

    _steps_rows(caller, state, week, changes, opened, row, refusals, reviewers, lines)
    refusals.update(_removed_since(caller, state, changes))
    _figures_rows(state, changes, row)
    if refusals:
        raise FormRefused(refusals)
    out = boundaries.out_rows(caller, state, week, changes.out)
    if rows or out:
        _store(caller, state, week, rows, out)
        caller.keep_names(reviewers)  # the pages name who reviewed
    return Recorded(state, week, lines)


_Row = Callable[[str, Step | None, messages.ReportCommand, tuple[str, str]], None]


def _steps_rows(
    caller: Caller,
    state: PlaybookState,
    week: calendar.WeekRef,
    changes: Changes,
    opened: dict[int, StepRow],
    row: _Row,
    refusals: dict[str, Refusal],
    reviewers: list[Person],
    lines: list[tuple[str, str]],
) -> None:
    """Each step's fields the form changed, in the form's order: its cases, its review (or
    its minutes alone), its cases out of scope; then any minutes above a week's."""
    current = {step_id: step_row.cases for step_id, step_row in opened.items()}
    slug = state.playbook.slug
    for step in state.steps:
        if step.id in changes.cases:
            count = changes.cases[step.id]
            row(field_id("cases", step), step, messages.Cases(slug, step.name, count), (step.name, f"{count} cases"))
        if step.id in changes.reviews:
            _reviewed(caller, state, step, changes, current.get(step.id), opened, row, refusals, reviewers)
        elif step.id in changes.minutes:
            _timed(state, week, step, opened.get(step.id), changes.minutes[step.id], row, refusals)
        if step.id in changes.out:
            lines.append((step.name, f"{changes.out[step.id]} out of scope"))
    for step in state.steps:  # minutes above a week's, whichever review they come with
        if changes.minutes.get(step.id, 0) > MAX_REVIEW_MINUTES:
            over = Refusal.of("form_minutes_over", minutes=changes.minutes[step.id], limit=MAX_REVIEW_MINUTES)
            refusals[minutes_field(step)] = over


def _figures_rows(state: PlaybookState, changes: Changes, row: _Row) -> None:
    """The playbook's figures the form changed: its KPI, the rest's, its guardrail."""
    slug = state.playbook.slug
    if changes.kpi is not None:
        kpi = messages.Kpi(slug, changes.kpi[0], changes.kpi[1])
        row(KPI, None, kpi, (state.playbook.kpi_name, _said(changes.kpi[0], kpi.percent, state.playbook.kpi_unit)))
    if changes.rest is not None:
        rest = messages.Kpi(slug, None, rest=changes.rest[0], rest_percent=changes.rest[1])
        row(REST, None, rest, ("The rest", _said(changes.rest[0], changes.rest[1], state.playbook.kpi_unit)))
    if changes.guardrail is not None:
        reading = messages.GuardrailReport(slug, changes.guardrail[0], percent=changes.guardrail[1])
        name, unit = state.playbook.guardrail_name or "guardrail", state.guardrail_unit
        row(GUARDRAIL, None, reading, (name, _said(reading.value, reading.percent, unit)))


def _store(
    caller: Caller, state: PlaybookState, week: calendar.WeekRef, rows: list[NewReport], out: list[OutOfScopeCount]
) -> None:
    """The form's reports and cases out of scope, in one unit of work."""
    try:
        with caller.store.unit_of_work() as uow:
            uow.reports.add_reports(rows)
            uow.out_of_scope.add(out)
            uow.commit()
    except WeekClosed:  # the clock closed the week while the form was open
        raise recording.week_closed(state, week, None) from None


def _reviewed(
    caller: Caller,
    state: PlaybookState,
    step: Step,
    changes: Changes,
    current: int | None,
    opened: dict[int, StepRow],
    row: _Row,
    refusals: dict[str, Refusal],
    reviewers: list[Person],
) -> None:
    """A step's review as the form gives it: refused on its field (none reviewed, more
    passed than reviewed, more reviewed than the week's cases), else its rubric row, with
    its reviewers as Slack knows them (`reviewers`) and its minutes (kept unless changed).
    `current`: the step's cases as the form opened on them."""
    passed, reviewed = changes.reviews[step.id]
    cases = changes.cases.get(step.id, current)
    counts = changes.by_dimension.get(step.id, ())
    beyond = [(name, n) for name, n in counts if n > reviewed]
    where = dimension_field(step, counts[0][0]) if counts else field_id("passed", step)
    if reviewed == 0:
        refusals[field_id("reviewed", step)] = Refusal.of("form_none_reviewed")
    elif beyond:
        for name, n in beyond:
            refusals[dimension_field(step, name)] = Refusal.of("form_passed_over", passed=n, reviewed=reviewed)
    elif passed > reviewed:
        refusals[field_id("passed", step)] = Refusal.of("form_passed_over", passed=passed, reviewed=reviewed)
    elif cases is not None and reviewed > cases:
        over = Refusal.of("reviewed_over_cases", step=step.name, reviewed=reviewed, cases=cases)
        refusals[field_id("reviewed", step)] = over
    else:
        named = changes.reviewers.get(step.id, ())
        minutes = changes.minutes.get(step.id)
        score = messages.Rubric(
            state.playbook.slug,
            step.name,
            round(passed / reviewed, 6),
            reviewed=reviewed,
            dimensions=counts,
            reviewers=named,
            minutes=minutes if minutes is not None else opened[step.id].minutes,  # kept unless changed
        )
        for person in named:  # a person Slack knows, as `by @ben` asks
            try:
                reviewers.append(caller.require_person(person, "a reviewer", USAGE))
            except Refusal as refusal:
                refusals[reviewers_field(step)] = refusal
        said = (step.name, f"{passed} of {reviewed} reviewed passed ({passed / reviewed:.0%})")
        if counts:
            said = (step.name, dimensions.words(dimensions.encode(counts), reviewed))
        row(where, step, score, said)


def _timed(
    state: PlaybookState,
    week: calendar.WeekRef,
    step: Step,
    opened: StepRow | None,
    minutes: int,
    row: _Row,
    refusals: dict[str, Refusal],
) -> None:
    """Only the minutes spent reviewing changed: the review that counts, again, with them
    (a report of its own, undone as any other); refused on the field without a review."""
    if opened is None or opened.rubric is None:
        refusals[minutes_field(step)] = Refusal.of("form_minutes_no_review")
        return
    again = messages.Rubric(
        state.playbook.slug,
        step.name,
        opened.rubric,
        reviewed=opened.reviewed,
        dimensions=dimensions.decode(opened.dimensions_said),
        minutes=minutes,
    )
    row(minutes_field(step), step, again, (step.name, f"{minutes} min spent reviewing"))


def _removed_since(caller: Caller, state: PlaybookState, changes: Changes) -> dict[str, Refusal]:
    """A number typed for a step removed from the playbook since the form opened, refused
    on its field with when the step was removed: never dropped as if nothing changed."""
    shown = {step.id for step in state.steps}
    gone = {f"cases:{i}": i for i in changes.cases if i not in shown}
    gone |= {f"reviewed:{i}": i for i in changes.reviews if i not in shown}
    if not gone:
        return {}
    removed = {step.id: step for step in caller.store.playbooks.removed_steps(state.playbook.id)}
    refusals = {}
    for where, step_id in gone.items():
        step = removed.get(step_id)
        if step is None or step.retired_at is None:  # not a step of this playbook's, ever
            refusals[where] = Refusal.of("week_form_gone")
            continue
        at = calendar.local_time(step.retired_at, state.playbook.timezone)
        today = calendar.local_date(caller.now, state.playbook.timezone)
        when = f"at {at:%H:%M}" if at.date() == today else f"on {at:%Y-%m-%d} at {at:%H:%M}"
        refusals[where] = Refusal.of("week_form_step_removed", step=step.name, when=when)
    return refusals


def _said(value: float, percent: bool, unit: str) -> str:
    number = f"{value:g}"
    return f"{number}%" if percent else f"{number} {unit}".strip()


def asks(form: WeekForm) -> list[str]:
    """ "draft: review at least 4 of this week's 20 cases", for each step asked to review."""
    said = [review.ask_words(row.step.name, row.cases, row.asked) for row in form.steps if not row.no_rubric]
    return [words for words in said if words]
