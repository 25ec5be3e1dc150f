"""`POST /api/v1/reports`: numbers from the systems that hold them, under the rules of
`/rollout`. Each report is resolved and checked as a command's would be (the playbook
and step by name with close matches, the week, closed or future weeks, paused and
retired playbooks, the value), in the same words; then all of them are written in one
unit of work, or none (storage/weekly_reports.py add_reports: the same write path as
Slack's). Reports are signed `token:<name>`: their provenance.

An idempotency key is the token's for one report: sent again with the same report, it is
answered as the first time; with a different one, refused (422). The same report is the
same fields with the same values as sent, in any order or layout (the edge's fingerprint
of it, messages.Sent): the defaults filled in (`at`: now) are not part of it, so a retry
of a report without `at` is the same report.

The reports come as the commands `/rollout` makes (usecases/shared/messages.py), and each
becomes its row through recording.report_row, as a slash command's does."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from cadence import calendar
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState, Step
from cadence.text import unstorable
from storage.api_tokens import LAST_USE_EVERY
from storage.models.access import ApiToken
from storage.report_batches import NewReport
from storage.store import KeyReused, WeekClosed, same_report
from templates.refusals import Refusal, plain
from usecases import tokens
from usecases.shared import messages, recording
from usecases.shared.caller import Reporter
from usecases.shared.recording import week_closed
from usecases.shared.services import Services

RATE_PER_SECOND = 20  # requests per token, in every process on the database together
AT_MOST_AWAY = timedelta(days=366)  # `at`: what is measured is reported within a year
MAX_EXCEPTION_EVENTS = 10_000  # event reports in one request, counted by their `count`


KIND = {
    messages.Kpi: ReportKind.KPI,
    messages.GuardrailReport: ReportKind.GUARDRAIL,
    messages.Cases: ReportKind.CASES,
    messages.Rubric: ReportKind.RUBRIC,
    messages.LogException: ReportKind.EXCEPTION,
    messages.ValueEvent: ReportKind.EVENT,
}


@dataclass(frozen=True)
class Unfit:
    """A report whose fields make no command (a cases report without its step, a count of
    2.5): the edge says which field and why, and the report keeps its place in the batch,
    so that one answer names every problem of the request."""

    playbook: str
    kind: ReportKind
    field: str
    message: str


@dataclass(frozen=True)
class Problem:
    index: int
    field: str
    message: str


class Invalid(Exception):
    """Some reports of a request cannot be stored: nothing was."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} reports refused")
        self.problems = problems


class Forbidden(Exception):
    """The token may not report this kind on this playbook."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass
class Posted:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def _reused(key: str) -> str:
    return f'key "{key}" was already used for a different report'


def authenticate(services: Services, bearer: str) -> ApiToken | None:
    """The token a request bears, unless it is unknown or revoked: asked of the database
    at each request, so a revocation holds at once in every process."""
    if not bearer.startswith(tokens.PREFIX) or len(bearer) > 100:
        return None
    return services.store.tokens.by_hash(tokens.hash_of(bearer))


def within_rate(services: Services, token: ApiToken) -> bool:
    """Whether the token has made at most RATE_PER_SECOND requests in this second of the
    bot's clock, this one included, counted in the database: the limit holds across every
    process serving the API, not per process. A request refused counts too: a client
    that keeps sending waits for the next second all the same."""
    return services.store.tokens.count_request(token.id, services.clock()) <= RATE_PER_SECOND


def note_use(services: Services, token: ApiToken) -> None:
    """`rollout token list` shows when a token was last used, to the minute: written when
    a minute old, not at every request (on SQLite every write takes the one write lock)."""
    now = services.clock()
    if token.last_used_at is None or token.last_used_at < now - LAST_USE_EVERY:
        with services.store.unit_of_work() as uow:  # beside the request's own work
            uow.tokens.mark_used(token.id, now)
            uow.commit()


def post(services: Services, token: ApiToken, reports: list[messages.ReportCommand | Unfit]) -> Posted:
    """Store `reports` for `token`, all or none. Raises Forbidden (403) for a report outside
    the token's scope, Invalid (422) with every problem found."""
    _check_scope(token, reports)
    # A report whose key this token sent before is answered as it was, whatever has
    # happened since (its week closed, its playbook paused): a retry learns it is stored.
    # Unless it is not the report the key was first used for: that is refused.
    sent = [None if isinstance(r, Unfit) else r.sent for r in reports]
    keys = [f"{token.id}:{s.key}" for s in sent if s is not None]
    answered = services.store.reports.api_key_answers(keys) if keys else {}
    checked = _Checked(_Memo(services, f"token:{token.name}"), token, answered)
    for index, report in enumerate(reports):
        checked.add(index, report)
    if checked.problems:
        raise Invalid(checked.problems)
    duplicates = _write(services, token, reports, checked)
    note_use(services, token)
    answered.update(duplicates)
    return _posted(token, reports, checked.made, answered, duplicates)


def _check_scope(token: ApiToken, reports: list[messages.ReportCommand | Unfit]) -> None:
    """Forbidden (403) for the first report of a kind or playbook the token may not report."""
    for index, report in enumerate(reports):
        kind = report.kind if isinstance(report, Unfit) else KIND[type(report)]
        if kind not in token.kinds:
            raise Forbidden(index, f"token {token.name} may not report {kind}")
        if token.playbooks is not None and report.playbook not in token.playbooks:
            raise Forbidden(index, f"token {token.name} may not report on {report.playbook}")


class _Checked:
    """Each report of a request checked in turn: the row it writes (None: a duplicate of a
    report its key sent before), its playbook and week, or its problem."""

    def __init__(self, reporter: _Memo, token: ApiToken, answered: dict[str, dict[str, Any]]):
        self.reporter, self.token, self.answered = reporter, token, answered
        self.made: list[NewReport | None] = []
        self.weeks: list[calendar.WeekRef | None] = []
        self.states: list[PlaybookState | None] = []
        self.problems: list[Problem] = []
        self.seen: set[str] = set()
        self.exceptions = 0

    def add(self, index: int, report: messages.ReportCommand | Unfit) -> None:
        if isinstance(report, Unfit):
            self.problems.append(Problem(index, report.field, report.message))
            return
        problem = self._key_problem(report) or self._limits_problem(report)
        if problem is not None:
            self.problems.append(Problem(index, *problem))
            return
        if report.sent is not None and f"{self.token.id}:{report.sent.key}" in self.answered:
            self._keep(None, None, None)  # sent before: answered as the first time
            return
        try:
            self._keep(*_resolve(self.reporter, self.token, report))
        except Refusal as refusal:
            self.problems.append(Problem(index, FIELD.get(refusal.key, "week"), _message(refusal)))

    def _keep(self, state: PlaybookState | None, week: calendar.WeekRef | None, made: NewReport | None) -> None:
        self.states.append(state)
        self.weeks.append(week)
        self.made.append(made)

    def _key_problem(self, report: messages.ReportCommand) -> tuple[str, str] | None:
        """A key given twice in the request, or sent before for a different report."""
        if report.sent is None:
            return None
        key = report.sent.key
        if key in self.seen:
            return "key", "this key is given to another report of this request"
        self.seen.add(key)
        first = self.answered.get(f"{self.token.id}:{key}")
        if first is not None and not same_report(first["report_hash"], report.sent.fingerprint):
            return "key", _reused(key)
        return None

    def _limits_problem(self, report: messages.ReportCommand) -> tuple[str, str] | None:
        """An `at` more than a year away, or more value events than a request may carry."""
        if report.sent is not None and f"{self.token.id}:{report.sent.key}" in self.answered:
            return None  # a duplicate is answered whatever it says
        if report.at is not None and abs(report.at - self.reporter.now) > AT_MOST_AWAY:
            return "at", "`at` is more than a year away from now"
        if isinstance(report, messages.ValueEvent):
            self.exceptions += report.count
            if self.exceptions > MAX_EXCEPTION_EVENTS:
                return "count", f"at most {MAX_EXCEPTION_EVENTS:,} events in one request"
        return None


def _write(
    services: Services, token: ApiToken, reports: list[messages.ReportCommand | Unfit], checked: _Checked
) -> dict[str, dict[str, Any]]:
    """The new rows in one unit of work, or none; what was answered for keys found taken."""
    new = [(index, one) for index, one in enumerate(checked.made) if one is not None]
    try:
        with services.store.unit_of_work() as uow:
            duplicates = uow.reports.add_reports([one for _, one in new], token.id)
            uow.commit()
            return duplicates
    except WeekClosed as closed:  # the clock closed a week after it was judged open
        index = new[closed.index][0]
        closed_state, closed_week = checked.states[index], checked.weeks[index]
        assert closed_state is not None and closed_week is not None
        raise Invalid([Problem(index, "week", _message(week_closed(closed_state, closed_week, None)))]) from None
    except KeyReused as reused:  # a request with the same key, for another report, came first
        indexes = [new[i][0] for i in reused.indexes]
        raise Invalid([Problem(i, "key", _reused(_key(reports[i]))) for i in indexes]) from None


def _posted(
    token: ApiToken,
    reports: list[messages.ReportCommand | Unfit],
    made: list[NewReport | None],
    answered: dict[str, dict[str, Any]],
    duplicates: dict[str, dict[str, Any]],
) -> Posted:
    """What the answer says of each report: accepted, or a duplicate answered as the first time."""
    posted = Posted()
    for index, one in enumerate(made):
        key = _key(reports[index])
        first = answered.get(f"{token.id}:{key}") if key else None
        if first is not None and (one is None or one.key in duplicates):
            week_start, counts_for = first["week_start"], first["counts_for"]
            posted.duplicates.append(
                dict(index=index, key=key or None, week=week_start.isoformat(), counts_for=counts_for)
            )
        elif one is not None:
            posted.accepted.append(
                dict(index=index, week=one.values["week_start"].isoformat(), counts_for=one.counts_for)
            )
    return posted


def _key(report: messages.ReportCommand | Unfit) -> str:
    sent = None if isinstance(report, Unfit) else report.sent
    return sent.key if sent is not None else ""


# The field a refusal of the rules is about, by its key (TEXTS in templates/refusals.py);
# the others are about the week.
FIELD = {
    "no_playbook": "playbook",
    "no_step": "step",
    "no_guardrail": "kind",
    "fed_by_event": "kind",
    "no_value_event": "event",
    "event_step_gone": "event",
    "kpi_no_compare": "arm",
}


class _Memo(Reporter):
    """A reporter that reads each playbook of a request once: a batch of a thousand
    reports names a few playbooks, and each is read as one statement (its state, now)."""

    def __init__(self, services: Services, by: str):
        super().__init__(services, by)
        self._states: dict[str, PlaybookState] = {}

    def playbook(self, slug: str, usage: str) -> PlaybookState:
        if slug not in self._states:
            self._states[slug] = super().playbook(slug, usage)
        return self._states[slug]


def _message(refusal: Refusal) -> str:
    """A refusal as the API says it: its sentence in plain text (templates.refusals.plain),
    and the close matches of a name that matched nothing."""
    text = plain(refusal)
    if refusal.suggestions:
        text += f" Did you mean {' or '.join(refusal.suggestions)}?"
    return text


def unstorable_text(field: str, text: str | None) -> str | None:
    """What the API says of a report's text (`field`) that holds a character never stored,
    or None (cadence/text.py, the check every path shares): only a reason may hold line
    breaks; a playbook, step, event or key is one line."""
    what = unstorable(text, line_breaks=field == "reason")
    return None if what is None else _message(Refusal.of("unstorable_field", what=what))


def _event_counts_for(counts: str, step: Step | None) -> str:
    """What a value event counts for, by the playbook's value_events or value: a step's
    cases or exceptions, the KPI, or the value measure's own event."""
    if counts == "value":
        return "value"
    if counts == "kpi" or step is None:
        return "the KPI"
    return f"{'exceptions' if counts == 'exception' else 'cases'} of {step.name}"


def _resolve(
    reporter: Reporter, token: ApiToken, report: messages.ReportCommand
) -> tuple[PlaybookState, calendar.WeekRef, NewReport]:
    """The report's playbook, week and row, checked as a command's; raises Refusal."""
    kind = KIND[type(report)]
    state = reporter.playbook(report.playbook, kind)
    week = reporter.week(state, report.week, kind, report.at)
    if isinstance(report, messages.ValueEvent):
        counts, step = recording.event_step(state, report.event)
        counts_for_step = ", " + _event_counts_for(counts, step)
    else:
        step = None
        if isinstance(report, (messages.Cases, messages.Rubric, messages.LogException)):
            step = reporter.step(state, report.step, None)
        counts_for_step = f", step {step.name}" if step is not None else ""
        if isinstance(report, messages.Kpi) and report.value is None:
            counts_for_step = ", the rest"  # the rest of the work's KPI (`compare`)
    made = recording.report_row(state, week, step, report, reporter.user_id, reporter.now, None)
    if isinstance(report, messages.Rubric) and step is not None:  # a sample of more cases than the week had
        recording.refuse_sample_over_cases(reporter.store, state, week, step, report.reviewed, None)
    counts_for = f"{state.playbook.slug}, week {week.week} of cycle {week.cycle} ({week.week_start.isoformat()})"
    sent = report.sent
    key = f"{token.id}:{sent.key}" if sent is not None else None
    fingerprint = sent.fingerprint if sent is not None else None
    return state, week, replace(made, key=key, counts_for=counts_for + counts_for_step, report_hash=fingerprint)
