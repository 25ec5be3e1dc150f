"""Recording the numbers that govern a playbook: KPI readings, check-ins, exceptions,
case counts and rubric scores. Reports are append-only; the latest one of a week
counts. The use cases (commands.py, checkins.py) check first that the caller may report
(Slack membership or the owner's and curators' roles); these functions check the report
itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from cadence import calendar, dimensions, setup_decisions, sources
from cadence.definition_compare import Compare
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState, Step
from storage.report_batches import NewReport, new_report
from storage.source_fetches import fetch_row
from storage.store import Report, Store, UnitOfWork, WeekClosed, decision_columns
from templates.refusals import Refusal, close_matches
from usecases.shared import messages, setup_said

MEMBER_REPORTS = (ReportKind.KPI, ReportKind.REST, ReportKind.GUARDRAIL, ReportKind.CHECKIN)
OWNER_REPORTS = (ReportKind.EXCEPTION, ReportKind.CASES, ReportKind.RUBRIC)  # made by owners and curators only


@contextmanager
def _while_open(state: PlaybookState, week: calendar.WeekRef, usage: str | None) -> Iterator[None]:
    """A report the request judged in an open week, by its start time, that the database
    refused because the clock closed the week meanwhile (storage.store, WeekClosed): the
    same refusal as for a week found closed by time. Its verdicts were recorded without it."""
    try:
        yield
    except WeekClosed:
        raise week_closed(state, week, usage) from None


def event_feeding(state: PlaybookState, counts: str, step: str | None = None) -> str | None:
    """The value event that carries a step's cases or exceptions, or the KPI, if one does
    (the playbook's `value_events`)."""
    return state.spec.event_for(counts, step)


def refuse_if_fed(state: PlaybookState, counts: str, step: str | None, usage: str | None) -> None:
    """A number that value events carry is taken only from them: typed, it is refused,
    naming the event."""
    event = event_feeding(state, counts, step)
    if event is not None:
        what = {"kpi": "its KPI", "cases": f"step {step}'s case count", "exception": f"step {step}'s exceptions"}[
            counts
        ]
        raise Refusal.of("fed_by_event", usage=usage, slug=state.playbook.slug, what=what, event=event)


def refuse_if_sourced(
    state: PlaybookState, feeds: str, step: str | None, by: str, override: str | None, usage: str | None
) -> sources.Entry | None:
    """A number a source feeds is taken from it: typed, it is refused naming the source,
    unless typed with `override <reason>` (the use case has checked who may). A number
    no source feeds takes no override. Returns the entry the override is for, if any."""
    entry = sources.entry_for(state.playbook.definition, feeds, step)
    if entry is not None and by == sources.BY_PREFIX + entry.source:
        return None  # the source's own value (usecases/sources.py)
    what = entry.words(state.playbook.kpi_name, state.playbook.guardrail_name or "") if entry else ""
    if entry is not None and override is None:
        raise Refusal.of("fed_by_source", usage=usage, slug=state.playbook.slug, what=what, source=entry.source)
    if entry is None and override is not None:
        raise Refusal.of("override_not_sourced", usage=usage, slug=state.playbook.slug)
    return entry


def week_closed(state: PlaybookState, week: calendar.WeekRef, usage: str | None) -> Refusal:
    """The refusal for a report on a week that has closed, naming when it closed."""
    playbook, grace = state.playbook, state.settings.grace_hours
    return Refusal.of(
        "week_closed",
        usage=usage,
        week=week.week,
        cycle=week.cycle,
        when=calendar.closing_words(week.week_start, playbook.timezone, grace),
    )


def report_row(
    state: PlaybookState,
    week: calendar.WeekRef,
    step: Step | None,
    cmd: messages.ReportCommand,
    by: str,
    now: datetime,
    usage: str | None,
) -> NewReport:
    """The row a report command writes (`step`: its step, resolved), checked against the
    playbook: for Slack and the API alike. Raises Refusal."""
    playbook = state.playbook
    args = (playbook.id, week.week_start, by, now)
    on_step: dict[str, Any] = {"step_id": step.id} if step is not None else {}
    if isinstance(cmd, messages.Kpi):
        if cmd.rest is not None and Compare.of(playbook.definition) is None:
            raise Refusal.of("kpi_no_compare", usage=usage, slug=playbook.slug)
        if cmd.value is None:  # the rest's alone (kpi_rows: each of the two, one at a time)
            assert cmd.rest is not None
            refuse_if_sourced(state, "rest", None, by, cmd.override, usage)
            _refuse_kpi_percent(state, cmd.rest_percent, usage)
            return new_report(ReportKind.REST, *args, value=cmd.rest)
        refuse_if_fed(state, "kpi", None, usage)
        refuse_if_sourced(state, "kpi", None, by, cmd.override, usage)
        _refuse_kpi_percent(state, cmd.percent, usage)
        return new_report(ReportKind.KPI, *args, value=cmd.value)
    if isinstance(cmd, messages.GuardrailReport):
        if playbook.guardrail_name is None:
            raise Refusal.of("no_guardrail", usage=usage, slug=playbook.slug)
        refuse_if_sourced(state, "guardrail", None, by, cmd.override, usage)
        if cmd.percent and state.guardrail_unit.strip() != "%":
            unit = f"in {state.guardrail_unit}" if state.guardrail_unit else "as a plain number"
            raise Refusal.of("guardrail_not_percent", usage=usage, metric=playbook.guardrail_name, unit=unit)
        return new_report(ReportKind.GUARDRAIL, *args, value=cmd.value)
    if isinstance(cmd, messages.ValueEvent):
        return _event_row(state, step, cmd, args)
    assert step is not None
    if isinstance(cmd, messages.LogException):
        refuse_if_fed(state, "exception", step.name, usage)
        refuse_if_sourced(state, "exceptions", step.name, by, None, usage)
        return new_report(ReportKind.EXCEPTION, *args, **on_step, reason=cmd.reason)
    if isinstance(cmd, messages.Cases):
        refuse_if_fed(state, "cases", step.name, usage)
        refuse_if_sourced(state, "cases", step.name, by, cmd.override, usage)
        return new_report(ReportKind.CASES, *args, **on_step, cases=cmd.count)
    if step.name in state.no_rubric_steps:
        raise Refusal.of("no_rubric_by_design", slug=playbook.slug, step=step.name)
    refuse_if_sourced(state, "rubric", step.name, by, cmd.override, usage)
    counts = review_dimensions(state, step, cmd, usage)
    by_whom = " ".join(cmd.reviewers) or None
    return new_report(
        ReportKind.RUBRIC,
        *args,
        **on_step,
        score=cmd.score,
        reviewed=cmd.reviewed,
        dimensions=counts,
        reviewers=by_whom,
        review_minutes=cmd.minutes,  # the week form's minutes spent reviewing (net value)
    )


def review_dimensions(state: PlaybookState, step: Step, cmd: messages.Rubric, usage: str | None) -> str | None:
    """A review's counts per rubric dimension, as stored (cadence/dimensions.py): each of
    the step's declared dimensions given, none unknown, none above the reviewed count;
    None for a step without dimensions. Raises Refusal naming the dimension."""
    declared = dimensions.declared(state.playbook.definition, step.name)
    problem = dimensions.check(declared, cmd.dimensions, cmd.reviewed)
    slug, name = state.playbook.slug, step.name
    if problem is None:
        return dimensions.encode(dimensions.in_order(declared, cmd.dimensions))
    if problem.kind == "over":
        raise Refusal.of(
            "dimension_over_reviewed",
            usage=usage,
            dimension=problem.dimension,
            passed=problem.passed,
            reviewed=cmd.reviewed,
        )
    if problem.kind in ("unknown", "twice"):
        listed = f"its dimensions are {_listed(declared)}" if declared else "its rubric has no dimensions"
        raise Refusal.of(
            "dimension_unknown", usage=usage, slug=slug, step=name, dimension=problem.dimension, declared=listed
        )
    example = " ".join(f"{dimension}:{18 if i == 0 else 19}" for i, dimension in enumerate(declared))
    raise Refusal.of(
        "dimension_missing",
        usage=usage,
        slug=slug,
        step=name,
        dimension=problem.dimension,
        declared=_listed(declared),
        example=example,
    )


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _refuse_kpi_percent(state: PlaybookState, percent: bool, usage: str | None) -> None:
    playbook = state.playbook
    if percent and playbook.kpi_unit.strip() != "%":
        unit = f"in {playbook.kpi_unit}" if playbook.kpi_unit else "as a plain number"
        raise Refusal.of("kpi_not_percent", usage=usage, kpi=playbook.kpi_name, unit=unit)


def arms(cmd: messages.ReportCommand) -> list[messages.ReportCommand]:
    """A KPI report of both arms (`18.5 rest 24.1`) as its two reports, the run's first;
    any other report as itself."""
    if isinstance(cmd, messages.Kpi) and cmd.value is not None and cmd.rest is not None:
        return [replace(cmd, rest=None, rest_percent=False), replace(cmd, value=None, percent=False)]
    return [cmd]


def refuse_sample_over_cases(
    store: Store, state: PlaybookState, week: calendar.WeekRef, step: Step, reviewed: int | None, cases: int | None
) -> None:
    """A review of more cases than the week had, when both are known: refused naming the
    argument. `cases`: the case count this report comes with (a form's), else the week's."""
    if reviewed is None:
        return
    if cases is None:
        figures = store.reports.week_figures(state, week.week_start)
        cases = next((s.cases for s in figures.steps if s.name == step.name), None)
    if cases is not None and reviewed > cases:
        raise Refusal.of("reviewed_over_cases", usage="rubric", step=step.name, reviewed=reviewed, cases=cases)


def event_step(state: PlaybookState, event: str) -> tuple[str, Step | None]:
    """What a value event counts (`cases`, `exception` or `kpi`) and the step it counts for,
    if any. Raises Refusal for an event the playbook does not declare, or whose step is gone."""
    events = {e.name: e for e in state.spec.value_events}
    spec = events.get(event)
    own = state.spec.value
    if spec is None and own is not None and event == own.event and own.from_ is None:
        return "value", None  # the value measure's own event, sent over the API
    if spec is None:
        raise Refusal.of(
            "no_value_event",
            suggestions=close_matches(event, tuple(events)),
            slug=state.playbook.slug,
            event=event,
            declared=", ".join(sorted(events)) or "none",
        )
    if not spec.step:
        return spec.counts, None
    step = state.step(spec.step)
    if step is None:
        raise Refusal.of("event_step_gone", event=event, step=spec.step)
    return spec.counts, step


def _event_row(
    state: PlaybookState, step: Step | None, cmd: messages.ValueEvent, args: tuple[int, date, str, datetime]
) -> NewReport:
    """`count` of the event added to the step's cases or the KPI, or as that many
    exceptions of the step, each with the event's name (and reason) as its reason."""
    counts, _ = event_step(state, cmd.event)
    if counts == "value":
        return new_report(ReportKind.VALUE, *args, event=cmd.event, count=cmd.count)
    on_step: dict[str, Any] = {"step_id": step.id} if step is not None else {}
    if counts == "exception":
        reason = cmd.event + (f": {cmd.reason.strip()}" if cmd.reason and cmd.reason.strip() else "")
        made = new_report(ReportKind.EXCEPTION, *args, **on_step, reason=reason)
        return replace(made, times=cmd.count)
    return new_report(ReportKind(counts), *args, adds=True, **on_step, count=cmd.count)


def record(
    store: Store,
    state: PlaybookState,
    week: calendar.WeekRef,
    step: Step | None,
    cmd: messages.ReportCommand,
    by: str,
    now: datetime,
    usage: str | None,
    also: Callable[[UnitOfWork], None] | None = None,
) -> None:
    """Write one report command's row (report_row), if its week is still open. Typed with
    `override <reason>` in place of a source's number, with its decision row and a typed
    `source_fetch` row, so the clock stops asking the source for that week. `also` writes
    what else the same command says (a step's out-of-scope count) in the same transaction:
    both stored or neither."""
    rows = [report_row(state, week, step, one, by, now, usage) for one in arms(cmd)]
    if isinstance(cmd, messages.Rubric) and step is not None:
        refuse_sample_over_cases(store, state, week, step, cmd.reviewed, None)
    reason = getattr(cmd, "override", None)
    fetches: list[dict[str, Any]] = []
    made: list[dict[str, Any]] = []
    for row in rows:
        if reason is None:
            break
        feeds = row.kind if row.kind != ReportKind.EXCEPTION else "exceptions"
        entry = sources.entry_for(state.playbook.definition, feeds, step.name if step else None)
        assert entry is not None  # report_row refused an override of a number no source feeds
        value = row.values.get("value", row.values.get("cases", row.values.get("score")))
        fetches.append(
            fetch_row(state.playbook.id, week.week_start, entry.key, entry.source, "typed", now, value, None, "typed")
        )
        made.append(
            decision_columns(
                setup_decisions.of_source_override(state.playbook.id, week.week_start, entry, by, reason), now
            )
        )
    with _while_open(state, week, usage), store.unit_of_work() as uow:
        uow.reports.add_reports(rows)
        uow.sources.record(fetches)
        uow.governance.add_decisions(made)
        if also is not None:
            also(uow)
        uow.commit()


def record_attestation(
    store: Store,
    state: PlaybookState,
    week: calendar.WeekRef,
    deviated_on: Step | None,
    note: str | None,
    by: str,
    now: datetime,
    usage: str | None = None,
) -> None:
    """A member's check-in: followed the mode map (`deviated_on` None) or deviated on a step;
    an adopting playbook's first asks its champion how setup went (usecases/shared/setup_said.py)."""
    asked = setup_said.ask(store, state.playbook)
    with _while_open(state, week, usage), store.unit_of_work() as uow:
        uow.reports.add_checkin(
            state.playbook.id,
            week.week_start,
            by,
            "followed" if deviated_on is None else "deviated",
            deviated_on.id if deviated_on is not None else None,
            note,
            now,
        )
        if asked:
            uow.outbox.enqueue(asked, now)
        uow.commit()


@dataclass(frozen=True)
class Undone:
    """What undo withdrew, and what counts in its place now."""

    report: Report
    week: calendar.WeekRef
    step: str | None  # the step it was about, if any
    counting: Report | int | None  # the report that counts now, or for an exception how many are left
    counting_step: str | None = None


def newest_report_at(
    store: Store, state: PlaybookState, by: str, now: datetime, owner_or_curator: bool
) -> datetime | None:
    """When the report `undo` would withdraw was made (None: there is none)."""
    anchor = state.cycle_anchor
    if anchor is None:
        return None
    weeks = calendar.open_weeks(anchor, state.playbook.timezone, state.settings.grace_hours, now)
    kinds = MEMBER_REPORTS + (OWNER_REPORTS if owner_or_curator else ())
    return store.reports.newest_report_at(state.playbook.id, by, [w.week_start for w in weeks], kinds)


def undo(store: Store, state: PlaybookState, by: str, now: datetime, owner_or_curator: bool) -> Undone:
    """Withdraw the caller's most recent report on the playbook whose week is still open:
    a KPI reading or a check-in, and for owners and curators an exception, case count or
    rubric score. `undo` again withdraws the next most recent."""
    anchor = state.cycle_anchor
    if anchor is None:
        raise Refusal.of("nothing_to_undo", usage="undo", slug=state.playbook.slug)
    weeks = calendar.open_weeks(anchor, state.playbook.timezone, state.settings.grace_hours, now)
    kinds = MEMBER_REPORTS + (OWNER_REPORTS if owner_or_curator else ())
    with store.unit_of_work() as uow:
        found = uow.reports.withdraw_latest(state.playbook.id, by, [w.week_start for w in weeks], kinds, by, now)
        uow.commit()
    if found is None:
        raise Refusal.of("nothing_to_undo", usage="undo", slug=state.playbook.slug)
    report, counting = found
    week = next(w for w in weeks if w.week_start == report.week_start)
    names = {s.id: s.name for s in state.steps}
    return Undone(report, week, names.get(report.step_id) if report.step_id else None, counting)
