"""The catalogue of the messages a use case sends about a team's playbook: one typed
function per message, which renders its template (templates/<name>.json.j2), so what
each message takes is declared here once and checked by mypy at every call. The use
case decides who hears what and when; these say it. The registry's messages (versions,
adoptions, requests, champions) are in templates/notices_registry.py.

Each function passes its template exactly the names it declares: most as they come
(`render(name, **locals())`, its parameters and nothing else), a few worked out first; a
template that asks `is defined` (checkin_recorded_dm's `kpi`, upgrade's `by`) is given
the name only when there is a value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from cadence.calendar import WeekRef
from cadence.definition import PlaybookSpec
from cadence.definition_intake import intake_words
from cadence.rules import Kind, Transition
from templates import render

Payload = dict[str, Any]


class NamedMode(Protocol):
    """A step as a message shows it: its name and its mode."""

    @property
    def name(self) -> str: ...

    @property
    def mode(self) -> str: ...


# ---- a playbook's life ------------------------------------------------------------------


def playbook_made(
    *, spec: PlaybookSpec, starts_on: date, timezone: str, for_curators: bool, warning: str | None = None
) -> Payload:
    """A playbook made with the form, starting on `starts_on` in `timezone`: to its team
    (its mode map) or to the curators (with its intake, its value event and `warning`,
    "funding a demo? …")."""
    return render(
        "playbook_made",
        slug=spec.playbook,
        title=spec.title,
        function=spec.function,
        channel=spec.channel,
        owner=spec.owner,
        steps=spec.steps,
        kpi=spec.kpi,
        starts_on=starts_on.isoformat(),
        timezone=timezone,
        for_curators=for_curators,
        intake=intake_words(spec.intake.model_dump()) if spec.intake else None,
        value_event=spec.value.event if spec.value else None,
        warning=warning,
    )


def revision_told(
    *,
    slug: str,
    title: str,
    changes: Sequence[str],
    week_of: date,
    week: WeekRef | None,
    by: str,
    at_server: bool,
    why: str | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> Payload:
    """A revision applied, to the team channel: each change (`changes`, in the words of
    cadence/revisions.py), the week it applies from (its Monday, and its cycle week when
    cycles run), who made it (`by`, a person; or, `at_server`, the operator loading a file)
    and why (None: no reason given). `before`, `after`: the definitions, as the revision's
    decision row keeps them; the people and channels they name (its team channel, exception
    owner, operational owners, `escalate_to`: cadence.decisions.named_ids) are the only ids
    in the changes shown as mentions and channel links."""
    figures = {"before": dict(before), "after": dict(after)}
    return render(
        "revision_told",
        slug=slug,
        title=title,
        changes=list(changes),
        week_of=week_of.isoformat(),
        week=week,
        by=by,
        at_server=at_server,
        why=why,
        figures=figures,
    )


def owner_handed_over(
    *, slug: str, title: str, channel: str, by: str, before: str, steps: Sequence[NamedMode], status: str
) -> Payload:
    """The new owner's DM: who handed the playbook over, from whom, and its mode map."""
    return render("owner_handed_over", **locals())


def channel_lost(
    *, audience: str, slug: str, title: str, channel: str, error: str, undelivered: Sequence[str], owner: str
) -> Payload:
    """Slack lost the team channel (`error`): the playbook is paused; to the owner or the
    curators (`audience`), with the messages that could not be delivered."""
    return render("channel_lost", **locals())


def owner_deactivated(*, slug: str, title: str, owner: str, reason: str) -> Payload:
    """To the curators: a playbook's owner left the workspace (`reason`)."""
    return render("owner_deactivated", **locals())


def role_deactivated(*, slug: str, title: str, roles: Sequence[str], person: str, reason: str) -> Payload:
    """To the curators: a playbook's exception owner or operational owner (`roles`, e.g.
    "business rules owner") left the workspace (`reason`)."""
    return render("role_deactivated", **locals())


# ---- modes: alerts and proposals -------------------------------------------------------


def mode_alert(
    *,
    slug: str,
    step: str,
    owner: str,
    transition: Transition,
    week_label: str,
    labels: Mapping[str, str],
    by: str | None,
    reason: str | None,
    promote_after: int,
    cooldown: int,
    next_label: str,
    items: Sequence[Mapping[str, Any]],
) -> Payload:
    """A step's mode changed by a rule (or by `by`, for `reason`): why, in figures, and
    when it can move again; a demotion shows the first five open `items`."""
    t = transition
    return render(
        "mode_alert",
        slug=slug,
        step=step,
        owner=owner,
        t=dict(
            kind=t.kind, rule=t.rule, from_mode=t.from_mode, to_mode=t.to_mode, counter=t.counter, figures=t.figures
        ),
        week_label=week_label,
        labels=labels,
        by=by,
        reason=reason,
        promote_after=promote_after,
        cooldown=cooldown,
        next_label=next_label,
        items=items[:5] if t.kind is Kind.DEMOTION else [],
        items_total=len(items),
    )


def proposal(
    *,
    slug: str,
    step: str,
    from_mode: str | None,
    to_mode: str | None,
    counter: str,
    pass_weeks: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
    status: str,
    decided_by: str | None,
    key: str,
    owner: str,
    calibration: str | None = None,
    gates: Sequence[str] = (),
) -> Payload:
    """A proposal to change a step's mode, with its buttons while `status` is open;
    `calibration`: the step's latest calibration run, where it declares a set; `gates`:
    what kept the last click to approve it from doing so, read at the click."""
    return render("proposal", **locals())


# ---- the week: check-ins, exceptions, sources, learnings --------------------------------


def checkin_recorded_dm(
    *,
    slug: str,
    title: str,
    week: WeekRef,
    kpi_name: str,
    unit: str,
    value: str,
    kpi: float | None = None,
    followed: bool = False,
    step: str | None = None,
    rest: float | None = None,
) -> Payload:
    """The check-in DM once answered: what was recorded (the KPI's `kpi`, or `followed`
    the mode map, or a deviation on `step`), with its buttons to change the answer."""
    recorded: dict[str, Any] = {"followed": followed, "step": step}
    if kpi is not None:
        recorded["kpi"] = kpi
    if rest is not None:  # the rest's KPI, with `compare`
        recorded["rest"] = rest
    return render(
        "checkin_recorded_dm", slug=slug, title=title, week=week, kpi_name=kpi_name, unit=unit, value=value, **recorded
    )


def exception_queue(*, slug: str, title: str, items: Sequence[Mapping[str, Any]], more: int, total: int) -> Payload:
    """The exception owner's Monday DM: the open items shown, and how many more."""
    return render("exception_queue", **locals())


def exception_queue_clear(*, slug: str, title: str) -> Payload:
    """The Monday DM once its last open item is handled."""
    return render("exception_queue_clear", **locals())


def source_failed(
    *,
    slug: str,
    title: str,
    source: str,
    week: str,
    closes: str,
    failures: Sequence[Mapping[str, str | None]],
    owner_gone: str | None,
) -> Payload:
    """A source could not give the week's numbers: what failed, and when the week closes."""
    return render("source_failed", **locals())


def usage_failed(*, tool: str, error: str, since: str, last_day: str | None) -> Payload:
    """A usage source's pulls fail (docs/usage-records.md): told to the curators once per
    run of failures; its weeks are "usage unknown" meanwhile, never 0."""
    return render("usage_failed", **locals())


def learning_prompt(
    *,
    slug: str,
    title: str,
    cycle: int,
    kpi_name: str,
    unit: str,
    baseline: float,
    target: float,
    first: tuple[int, float] | None,
    latest: tuple[int, float] | None,
    steps: Sequence[Mapping[str, Any]],
    button: str,
) -> Payload:
    """At a cycle's end, the owner is asked what the team learned: the KPI's way and each
    step's verdicts, mode changes and most given reasons. `first` and `latest`: (week, KPI)."""
    return render("learning_prompt", **locals())


def fallback(*, slug: str, step: str, mode: str, waiting: int = 0, ended: str | None = None) -> Payload:
    """Handoffs with a fallback, to the team channel: an ai-led step runs in its fallback
    `mode` while `waiting` escalated items wait, or (`ended`: why) is `mode` again."""
    return render("fallback", slug=slug, step=step, mode=mode, waiting=waiting, ended=ended)


def escalation_backlog(
    *,
    slug: str,
    items: Sequence[Mapping[str, Any]],
    more: int,
    holder: str,
    sla: str,
    since: str,
    escalate_to: str | None,
    meant_for: str | None = None,
) -> Payload:
    """A playbook's handoff terms began at `since`: the open items logged before them,
    never answered, told once (`items`, the oldest, each with its `age_words`; `more`
    past them) instead of escalated one by one (usecases/escalation.py); `meant_for`:
    sent to the curators channel instead."""
    return render(
        "escalation_backlog",
        slug=slug,
        items=list(items),
        count=len(items) + more,
        more=more,
        holder=holder,
        sla=sla,
        since=since,
        escalate_to=escalate_to,
        meant_for=meant_for,
    )


def escalation(
    *,
    slug: str,
    item: Mapping[str, Any],
    age: str,
    holder: str,
    by: str,
    why: str,
    sla: str,
    at: str,
    escalate_to: str | None,
    meant_for: str | None = None,
    acknowledged_by: str | None = None,
    acknowledged_at: str | None = None,
    again: bool = False,
) -> Payload:
    """An exception item escalated (usecases/escalation.py), with its Acknowledge button
    until someone answers for it; `meant_for`: sent to the curators channel instead;
    `again`: the clock's second, for an item acknowledged and still open (`why` says so)."""
    return render(
        "escalation",
        slug=slug,
        step=item["step"],
        source=item["source"],
        reason=item["reason"],
        logged_by=item["logged_by"],
        logged_on=item["logged_on"],
        key=item["key"],
        age=age,
        holder=holder,
        by=by,
        why=why,
        sla=sla,
        at=at,
        escalate_to=escalate_to,
        meant_for=meant_for,
        acknowledged_by=acknowledged_by,
        acknowledged_at=acknowledged_at,
        again=again,
    )
