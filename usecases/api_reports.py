"""`POST /api/v1/reports`: numbers from the systems that hold them, under the rules of
`/rollout`. Each report is resolved and checked as a command's would be (the playbook
and step by name with close matches, the week, closed or future weeks, paused and
retired playbooks, the value), in the same words; then all of them are written in one
unit of work, or none (storage/weekly_reports.py add_reports: the same write path as
Slack's). Reports are signed `token:<name>`: their provenance.

An idempotency key is the token's for one report: sent again with the same report, it is
answered as the first time; with a different one, refused (422). The same report is the
same fields with the same values as sent, in any order or layout (report_hash): the
defaults filled in (`at`: now) are not part of it, so a retry of a report without `at`
is the same report."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from cadence import calendar
from cadence.limits import MAX_COUNT, MAX_TEXT_CHARS, MAX_VALUE
from cadence.text import unstorable
from storage.api_tokens import LAST_USE_EVERY
from storage.models import ApiToken
from storage.store import KeyReused, PlaybookState, WeekClosed, same_report
from storage.weekly_reports import NewReport, new_report
from templates.refusals import Refusal, close_matches, plain
from usecases import tokens
from usecases.shared import recording
from usecases.shared.caller import Reporter
from usecases.shared.recording import week_closed
from usecases.shared.services import Services

T = TypeVar("T")
AT_MOST_AWAY = timedelta(days=366)  # `at`: what is measured is reported within a year
MAX_EXCEPTION_EVENTS = 10_000  # event reports in one request, counted by their `count`


@dataclass(frozen=True)
class ReportIn:
    """One report as the API takes it (handlers/api.py validates its types)."""

    playbook: str
    kind: str
    value: float | None = None
    step: str | None = None
    reason: str | None = None
    week: date | int | None = None
    at: datetime | None = None
    key: str | None = None
    event: str | None = None
    count: int | None = None


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


def report_hash(report: ReportIn) -> str:
    """The report as it was sent, hashed (SHA-256): its fields but the key, with the values
    the types gave them (14 and 14.0 are one number, an instant is one whatever its offset),
    and None for those left out, not the defaults filled in later."""
    fields = asdict(report)
    del fields["key"]
    if fields["value"] is not None:
        fields["value"] = float(fields["value"])
    if isinstance(fields["week"], date):
        fields["week"] = fields["week"].isoformat()
    if fields["at"] is not None:
        fields["at"] = fields["at"].astimezone(UTC).isoformat()
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reused(key: str) -> str:
    return f'key "{key}" was already used for a different report'


def authenticate(services: Services, bearer: str) -> ApiToken | None:
    """The token a request bears, unless it is unknown or revoked: asked of the database
    at each request, so a revocation holds at once in every process."""
    if not bearer.startswith(tokens.PREFIX) or len(bearer) > 100:
        return None
    return services.store.tokens.by_hash(tokens.hash_of(bearer))


def note_use(services: Services, token: ApiToken) -> None:
    """`rollout token list` shows when a token was last used, to the minute: written when
    a minute old, not at every request (on SQLite every write takes the one write lock)."""
    now = services.clock()
    if token.last_used_at is None or token.last_used_at < now - LAST_USE_EVERY:
        services.store.tokens.mark_used(token.id, now)


def post(services: Services, token: ApiToken, reports: list[ReportIn]) -> Posted:
    """Store `reports` for `token`, all or none. Raises Forbidden (403) for a report outside
    the token's scope, Invalid (422) with every problem found."""
    reporter = _Memo(services, f"token:{token.name}")
    for index, report in enumerate(reports):
        if report.kind not in token.kinds:
            raise Forbidden(index, f"token {token.name} may not report {report.kind}")
        if token.playbooks is not None and report.playbook not in token.playbooks:
            raise Forbidden(index, f"token {token.name} may not report on {report.playbook}")
    # A report whose key this token sent before is answered as it was, whatever has
    # happened since (its week closed, its playbook paused): a retry learns it is stored.
    # Unless it is not the report the key was first used for: that is refused.
    keys = [f"{token.id}:{r.key}" for r in reports if r.key is not None]
    answered = services.store.reports.api_key_answers(keys) if keys else {}
    hashes = [report_hash(r) if r.key is not None else None for r in reports]
    made: list[NewReport | None] = []
    weeks: list[calendar.WeekRef | None] = []
    states: list[PlaybookState | None] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    exceptions = 0
    for index, report in enumerate(reports):
        if report.key is not None:
            if report.key in seen:
                problems.append(Problem(index, "key", "this key is given to another report of this request"))
                continue
            seen.add(report.key)
            first = answered.get(f"{token.id}:{report.key}")
            if first is not None and not same_report(first["report_hash"], hashes[index]):
                problems.append(Problem(index, "key", _reused(report.key)))
                continue
            if first is not None:
                made.append(None)
                weeks.append(None)
                states.append(None)
                continue
        if report.at is not None and abs(report.at - reporter.now) > AT_MOST_AWAY:
            problems.append(Problem(index, "at", "`at` is more than a year away from now"))
            continue
        if report.kind == "event":
            exceptions += report.count or 1
            if exceptions > MAX_EXCEPTION_EVENTS:
                problems.append(Problem(index, "count", f"at most {MAX_EXCEPTION_EVENTS:,} events in one request"))
                continue
        try:
            state, week, made_one = _resolve(reporter, token, report)
        except _Refused as refused:
            problems.append(Problem(index, refused.field, refused.message))
            continue
        made.append(replace(made_one, report_hash=hashes[index]))
        weeks.append(week)
        states.append(state)
    if problems:
        raise Invalid(problems)
    new = [(index, one) for index, one in enumerate(made) if one is not None]
    try:
        duplicates = services.store.reports.add_reports([one for _, one in new], token.id)
    except WeekClosed as closed:  # the clock closed a week after it was judged open
        index = new[closed.index][0]
        closed_state, closed_week = states[index], weeks[index]
        assert closed_state is not None and closed_week is not None
        raise Invalid([Problem(index, "week", _message(week_closed(closed_state, closed_week, None)))]) from None
    except KeyReused as reused:  # a request with the same key, for another report, came first
        indexes = [new[i][0] for i in reused.indexes]
        raise Invalid([Problem(i, "key", _reused(reports[i].key or "")) for i in indexes]) from None
    note_use(services, token)
    answered.update(duplicates)
    posted = Posted()
    for index, one in enumerate(made):
        key = reports[index].key
        first = answered.get(f"{token.id}:{key}") if key is not None else None
        if first is not None and (one is None or one.key in duplicates):
            week_start, counts_for = first["week_start"], first["counts_for"]
            posted.duplicates.append(dict(index=index, key=key, week=week_start.isoformat(), counts_for=counts_for))
        elif one is not None:
            posted.accepted.append(
                dict(index=index, week=one.values["week_start"].isoformat(), counts_for=one.counts_for)
            )
    return posted


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


class _Refused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


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


def _refused(field: str, work: Callable[..., T], *args: Any) -> T:
    try:
        return work(*args)
    except Refusal as refusal:
        raise _Refused(field, _message(refusal)) from None


def _resolve(
    reporter: Reporter, token: ApiToken, report: ReportIn
) -> tuple[PlaybookState, calendar.WeekRef, NewReport]:
    """The report's playbook, week and columns, checked as a command's; raises _Refused."""
    kind = report.kind
    state = _refused("playbook", reporter.playbook, report.playbook, kind)
    week = _week(reporter, state, report)
    if kind == "event":
        return state, week, _event(reporter, token, state, week, report)
    step = None
    if kind in ("cases", "rubric", "exception"):
        if not report.step:
            raise _Refused("step", f"a {kind} report names its step: one of {', '.join(s.name for s in state.steps)}")
        step = _refused("step", reporter.step, state, report.step, None)
    if kind in ("kpi", "cases", "exception"):
        _refused("kind", recording.refuse_if_fed, state, kind, step.name if step else None, None)
    values: dict[str, Any] = {}
    if kind == "exception":
        reason = (report.reason or "").strip()
        if not reason:
            raise _Refused("reason", "an exception says what happened: give a reason")
        problem = unstorable_text("reason", reason)
        if problem is not None:
            raise _Refused("reason", f"the reason {problem}")
        if len(reason) > MAX_TEXT_CHARS:
            raise _Refused("reason", f"the reason is {len(reason)} characters long; at most {MAX_TEXT_CHARS}")
        values["reason"] = reason
    else:
        values.update(_value(state, kind, report.value))
    if step is not None:
        values["step_id"] = step.id
    counts_for = f"{state.playbook.slug}, week {week.week} of cycle {week.cycle} ({week.week_start.isoformat()})"
    if step is not None:
        counts_for += f", step {step.name}"
    key = f"{token.id}:{report.key}" if report.key is not None else None
    by = reporter.user_id
    made = new_report(kind, state.playbook.id, week.week_start, by, reporter.now, key, counts_for, **values)
    return state, week, made


def _event(
    reporter: Reporter, token: ApiToken, state: PlaybookState, week: calendar.WeekRef, report: ReportIn
) -> NewReport:
    """A value event: `count` of it (default 1) added to the step's cases or the KPI, or as
    that many exceptions of the step, each with the event's name (and `reason`) as its reason."""
    events = {e["name"]: e for e in state.playbook.definition.get("value_events") or []}
    name = report.event or ""
    spec = events.get(name)
    if spec is None:
        near = close_matches(name, tuple(events))
        hint = f" Did you mean {' or '.join(near)}?" if near else ""
        declared = ", ".join(sorted(events)) or "none"
        raise _Refused(
            "event", f"{state.playbook.slug} declares no value event “{name}” (its events: {declared}).{hint}"
        )
    count = report.count if report.count is not None else 1
    counts_for = f"{state.playbook.slug}, week {week.week} of cycle {week.cycle} ({week.week_start.isoformat()})"
    step = state.step(spec["step"]) if spec.get("step") else None
    if spec.get("step") and step is None:
        raise _Refused("event", f"event {name} counts step {spec['step']}, which is no longer a step of the playbook")
    counts_for += f", {'the KPI' if step is None else 'step ' + step.name} ({spec['counts']})"
    key = f"{token.id}:{report.key}" if report.key is not None else None
    args = (state.playbook.id, week.week_start, reporter.user_id, reporter.now, key, counts_for)
    step_id: dict[str, Any] = {"step_id": step.id} if step is not None else {}
    if spec["counts"] == "exception":
        reason = name + (f": {report.reason.strip()}" if report.reason and report.reason.strip() else "")
        problem = unstorable_text("reason", reason)
        if problem is not None:
            raise _Refused("reason", f"the reason {problem}")
        if len(reason) > MAX_TEXT_CHARS + 50:
            raise _Refused("reason", f"the reason is {len(reason)} characters long; at most {MAX_TEXT_CHARS}")
        made = new_report("exception", *args, **step_id, reason=reason)
        return NewReport(made.kind, made.values, made.key, made.counts_for, times=count)
    return new_report(spec["counts"], *args, adds=True, **step_id, count=count)


def _value(state: PlaybookState, kind: str, value: float | None) -> dict[str, Any]:
    if value is None:
        raise _Refused("value", f"a {kind} report gives its value")
    if kind == "guardrail" and state.playbook.guardrail_name is None:
        raise _Refused("kind", f"{state.playbook.slug} has no guardrail")
    if kind == "cases":
        if value != int(value) or not 0 <= value <= MAX_COUNT:
            raise _Refused("value", f"a case count is a whole number from 0 to {MAX_COUNT:,}, not {value:g}")
        return {"cases": int(value)}
    if kind == "rubric":
        if not 0 <= value <= 1:
            raise _Refused("value", f"a rubric score is from 0 to 1 (0.93 for 93%), not {value:g}")
        return {"score": value}
    if abs(value) > MAX_VALUE:
        raise _Refused("value", f"{value:g} is out of range: at most {MAX_VALUE:g} either way")
    return {"value": value}


def _week(reporter: Reporter, state: PlaybookState, report: ReportIn) -> calendar.WeekRef:
    """The week a report is for: `week` N (what `week:N` means), a week's Monday (or any day
    of it), or by default the week containing `at` (default now); refused as a command's
    would be if it is closed, in the future, or its playbook does not run."""
    kind = report.kind
    if isinstance(report.week, int):
        return _refused("week", reporter.week, state, report.week, kind)
    current = _refused("week", reporter.current_week, state, kind)  # a playbook that runs, with a cycle
    if report.week is None and report.at is None:
        return current
    if isinstance(report.week, date):
        day = report.week
    else:
        assert report.at is not None
        day = calendar.local_date(report.at, state.playbook.timezone)
    week = calendar.week_containing(state.running(), day)
    if week is None:
        raise _Refused("week", f"{day.isoformat()} is in no cycle of {state.playbook.slug}")
    return _refused("week", reporter.open_week, state, week, kind)
