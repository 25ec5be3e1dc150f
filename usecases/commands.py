"""What each `/rollout` subcommand asks for, one use case each, read from top to bottom:
resolve the playbook (and step, and week), authorize the caller, ask the rules and write
in one unit of work (recording.py, life.py, governance.py, registry.py), and return what
happened for the listener (handlers/commands.py) to render. A refusal raises
`templates.refusals.Refusal` before anything is written.

The reads (status, history) are in status.py; the forms and buttons in checkins.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from cadence import calendar, setup_decisions
from cadence.change import Change
from cadence.decisions import Decision
from cadence.definition_calibration import declared
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState, Step
from slack_api.members import Person
from storage.models.calibration import CalibrationRun
from storage.models.governance import AdoptionRequest, RegistryVersion
from storage.models.reports import Learning
from storage.store import CURATORS_CHANNEL, Store, UnitOfWork
from templates.refusals import Refusal
from usecases import boundaries, learnings, mode_requests, web_signin
from usecases.shared import (
    adopt_offer,
    adoption,
    calibration,
    champions,
    governance,
    life,
    messages,
    recording,
    registry,
    registry_list,
    requests,
    roles,
    waves,
)
from usecases.shared.caller import Caller


@dataclass(frozen=True)
class Recorded:
    """A report stored: for which playbook and week (and step, for a step's report)."""

    state: PlaybookState
    week: calendar.WeekRef
    step: Step | None = None


# ---- reports --------------------------------------------------------------------


def kpi(caller: Caller, cmd: messages.Kpi) -> Recorded:
    return _report(caller, cmd, None, ReportKind.KPI, caller.require_member_or_owner)


def guardrail(caller: Caller, cmd: messages.GuardrailReport) -> Recorded:
    return _report(caller, cmd, None, ReportKind.GUARDRAIL, caller.require_member_or_owner)


def attest(caller: Caller, cmd: messages.Attest) -> Recorded:
    state = caller.playbook(cmd.playbook, "attest")
    week = caller.week(state, cmd.week, "attest")
    step = None if cmd.followed else caller.step(state, cmd.step or "", "attest")
    caller.require_member(state, "attest")
    recording.record_attestation(caller.store, state, week, step, cmd.note, caller.user_id, caller.now, "attest")
    return Recorded(state, week, step)


def exception(caller: Caller, cmd: messages.LogException) -> Recorded:
    return _report(caller, cmd, cmd.step, ReportKind.EXCEPTION, caller.require_owner_or_curator)


def cases(caller: Caller, cmd: messages.Cases) -> Recorded:
    also = None
    if cmd.out is not None:  # `out:N`: strict boundaries' count, with the cases (usecases/boundaries.py)
        boundaries.refuse_out_without_boundaries(caller, cmd)
        also = boundaries.out_writer(caller, cmd.out)
    return _report(caller, cmd, cmd.step, ReportKind.CASES, caller.require_owner_or_curator, also)


def rubric(caller: Caller, cmd: messages.Rubric) -> Recorded:
    reviewers: list[Person] = []

    def authorize(state: PlaybookState, usage: str | None) -> None:
        caller.require_owner_or_curator(state, usage)
        for person in cmd.reviewers:  # `by @ben`: a person of the workspace, as Slack says now
            reviewers.append(caller.require_person(person, "a reviewer", usage or ReportKind.RUBRIC))

    recorded = _report(caller, cmd, cmd.step, ReportKind.RUBRIC, authorize)
    caller.keep_names(reviewers)  # stored: the pages name who reviewed
    return recorded


@dataclass(frozen=True)
class Calibrated:
    """A calibration run stored: for which playbook and step, against which revision."""

    state: PlaybookState
    step: Step
    run: CalibrationRun


def calibrate(caller: Caller, cmd: messages.Calibrate) -> Calibrated:
    """A run of a step's calibration set (owner or curator): its total is the declared
    size; a step without a set is refused, nothing stored."""
    state = caller.playbook(cmd.playbook, "calibrate")
    step = caller.step(state, cmd.step, "calibrate")
    caller.require_owner_or_curator(state, "calibrate")
    cases = declared(state.playbook.definition, step.name)
    if cases is None:
        raise Refusal.of("calibrate_undeclared", usage="calibrate", slug=state.playbook.slug, step=step.name)
    if cmd.total != cases:
        raise Refusal.of(
            "calibrate_total", usage="calibrate", slug=state.playbook.slug, step=step.name, total=cmd.total, cases=cases
        )
    row = calibration.run_row(
        caller.store, state, step.name, cmd.passed, cmd.total, cmd.note, caller.user_id, caller.now
    )
    with caller.store.unit_of_work() as uow:
        uow.calibrations.add([row])
        uow.commit()
    return Calibrated(state, step, row)


# What a report command writes beside its row, in its transaction: (state, week, step, uow).
Also = Callable[[PlaybookState, calendar.WeekRef, Step | None, UnitOfWork], None]


def _report(
    caller: Caller,
    cmd: messages.ReportCommand,
    step_name: str | None,
    usage: str,
    authorize: Callable[[PlaybookState, str | None], None],
    also: Also | None = None,
) -> Recorded:
    """A number reported through `/rollout`: the playbook, its step, the week, whether the
    caller may report it, then its one row (recording.record), with what `also` writes of
    the same command in the same transaction."""
    state = caller.playbook(cmd.playbook, usage)
    step = caller.step(state, step_name, usage) if step_name is not None else None
    week = caller.week(state, cmd.week, usage, cmd.at)
    if not (isinstance(cmd, messages.GuardrailReport) and state.playbook.guardrail_name is None):
        authorize(state, usage)  # a guardrail that is not declared is refused as such, to anyone
        if getattr(cmd, "override", None) is not None:  # in place of a source's number: owners and curators
            caller.require_owner_or_curator(state, usage)
    then = partial(also, state, week, step) if also is not None else None
    recording.record(caller.store, state, week, step, cmd, caller.user_id, caller.now, usage, then)
    return Recorded(state, week, step)


@dataclass(frozen=True)
class Undone:
    state: PlaybookState
    undone: recording.Undone | None  # the report withdrawn, or None: `learning` was
    counting_step: str | None = None  # the step of the report that counts now, if it is a step's
    learning: Learning | None = None


def undo(caller: Caller, cmd: messages.Undo) -> Undone:
    """Withdraw the caller's newest report or learning on the playbook, whichever they
    made last."""
    state = caller.playbook(cmd.playbook, "undo")
    full = caller.is_owner_or_curator(state)
    learning = learnings.withdraw_newest(caller, state, full)
    if learning is not None:
        return Undone(state, None, learning=learning)
    done = recording.undo(caller.store, state, caller.user_id, caller.now, full)
    counting, counting_step = done.counting, None
    if not isinstance(counting, int) and counting is not None and counting.step_id is not None:
        counting_step = next((s.name for s in state.steps if s.id == counting.step_id), None)
    return Undone(state, done, counting_step)


# ---- a playbook's life ---------------------------------------------------------


@dataclass(frozen=True)
class CycleStarted:
    state: PlaybookState
    cycle: int
    starts_on: date
    moved_from: date | None = None
    baseline_week: date | None = None  # an adopter's first cycle's, the week before it


def cycle_start(caller: Caller, cmd: messages.CycleStart) -> CycleStarted:
    state = caller.playbook(cmd.playbook, "cycle")
    caller.require_owner_or_curator(state, "cycle")
    started = life.start_cycle(caller.store, state, cmd.starts_on, caller.user_id, caller.now)
    return CycleStarted(state, started.cycle, started.starts_on, started.moved_from, started.baseline_week)


def pause(caller: Caller, cmd: messages.Pause) -> tuple[PlaybookState, life.Ended]:
    """`pause`, or `retire`: like a pause, but final."""
    state = caller.playbook(cmd.playbook, "retire" if cmd.retire else "pause")
    if cmd.retire:
        return state, life.retire(caller.store, state, cmd.reason, caller.user_id, caller.now)
    return state, life.pause(caller.store, state, cmd.reason, caller.user_id, caller.now)


def resume(caller: Caller, cmd: messages.Resume) -> CycleStarted:
    state = caller.playbook(cmd.playbook, "resume")
    number, first_day = life.resume(caller.store, state, cmd.starts_on, caller.user_id, caller.now)
    return CycleStarted(state, number, first_day)


def hand_over(caller: Caller, cmd: messages.HandOver) -> tuple[PlaybookState, str]:
    """The playbook and its owner before."""
    state = caller.playbook(cmd.playbook, "owner")
    caller.require_owner_or_curator(state, "owner")  # before Slack is asked who the new owner is
    caller.require_person(cmd.owner_id, "its owner", "owner")
    return state, life.hand_over(caller.store, state, cmd.owner_id, caller.user_id, caller.now)


def champion(caller: Caller, cmd: messages.NameChampion) -> tuple[PlaybookState, champions.Named]:
    """The playbook, its champion before and the checklist the new one has."""
    state = caller.playbook(cmd.playbook, "champion")
    caller.require_owner_or_curator(state, "champion")  # before Slack is asked who the champion is
    caller.require_person(cmd.champion_id, "its champion", "champion")
    return state, champions.name(caller.store, state, cmd.champion_id, caller.user_id, caller.now)


# ---- governance and the registry -------------------------------------------------


def set_mode(caller: Caller, cmd: messages.SetMode) -> tuple[PlaybookState, governance.ModeSet]:
    """Toward human-led at once; toward ai-led, or off human-led for a pinned step, a bar
    change request (usecases/mode_requests.py)."""
    state = caller.playbook(cmd.playbook, "mode")
    step = caller.step(state, cmd.step, "mode")
    if mode_requests.asks(step, cmd.mode):
        return state, mode_requests.ask(caller, state, step, cmd.mode, cmd.reason)
    return state, governance.set_mode(caller.store, state, step, cmd.mode, cmd.reason, caller.user_id, caller.now)


def publish(caller: Caller, cmd: messages.Publish) -> dict[str, Any]:
    """The reply, rendered by registry.publish (it is also a proposal's button's message)."""
    state = caller.playbook(cmd.playbook, "publish")
    return registry.publish(
        caller.store, state, caller.user_id, caller.now, override=cmd.override, admins=caller.services.admins
    )


def web_link(caller: Caller, cmd: messages.WebLink) -> str:
    """`/rollout web`: a link that signs the caller in to the web view, once, for ten minutes."""
    if not caller.services.web_url:
        raise Refusal.of("web_not_configured", usage="web")
    return web_signin.one_time_link(caller.store, caller.now, caller.user_id, caller.services.web_url)


def registry_entries(caller: Caller, cmd: messages.Registry) -> list[dict[str, Any]]:
    return registry_list.entries(caller.store, cmd.function)


def adopt(caller: Caller, cmd: messages.Adopt) -> dict[str, Any] | adopt_offer.Offer | requests.AskedPast:
    """The reply, rendered by adoption.adopt; or, into a function new to the team, the offer
    of its close matches, nothing adopted; or, with a reason past its wave, the team's load
    or close matches, the request that asks another curator. The overrides left None are
    the version's own."""
    may_adopt(caller, cmd)
    caller.require_bot_in(cmd.channel_id, "adopt")
    if cmd.owner_id is not None:
        caller.require_person(cmd.owner_id, "its owner", "adopt")
    if cmd.champion_id is not None:
        caller.require_person(cmd.champion_id, "its champion", "adopt")
    services = caller.services
    asked = requests.ask_if_past(caller.store, cmd, caller.user_id, caller.now)
    if asked is not None:  # past its wave, a team's load or close matches: never the asker alone
        return asked
    try:
        return adoption.adopt(caller.store, cmd, caller.user_id, caller.now, services.org_timezone, services.web_url)
    except adopt_offer.CloseMatches as matches:
        return matches.offer


def may_adopt(caller: Caller, cmd: messages.Adopt) -> None:
    """A curator, and an offer's click (cmd.offered) while it is not answered yet."""
    roles.require_curator(caller.store, caller.user_id, Refusal.of("curators_adopt", usage="adopt"))
    adopt_offer.refuse_if_answered(caller.store, cmd)


def wave(caller: Caller, cmd: messages.WaveReviewed) -> waves.Reviewed:
    """The version's newest wave's learnings marked reviewed (usecases/shared/waves.py)."""
    version = adoption.find_version(caller.store, cmd.playbook, cmd.version, "wave")
    return waves.review(caller.store, version, None, caller.user_id, cmd.note, caller.now)


def request(
    caller: Caller, cmd: messages.RequestAdoption
) -> tuple[AdoptionRequest, RegistryVersion, dict[str, Any] | None]:
    """`/rollout request` with the team's answers (its form): the card goes to the
    curators. The request, its version and what its target asks against the origin's
    change when that is less than the version's `replicate_share` (told, not refused)."""
    caller.require_person(cmd.champion_id, "its champion", "request")
    made = requests.submit(caller.store, cmd, caller.user_id, caller.now)
    version = caller.store.registry.versions_by_id([made.version_id])[made.version_id]
    return made, version, adoption.target_ask(version, cmd.baseline, cmd.target)


# ---- people ----------------------------------------------------------------------------

DAYS_AHEAD_AT_MOST = 366  # away and holidays: a year ahead; longer leaves are set again, so a forgotten one ends


@dataclass(frozen=True)
class Away:
    """The days away set, or (first None) the last day away given before `away off`."""

    first: date | None
    last: date


def away(caller: Caller, cmd: messages.Away) -> Away:
    """`away`, or `away off` (cmd.last None): the caller is back."""
    if cmd.last is None:
        return Away(None, _back(caller))
    return _away(caller, cmd.first, cmd.last)


def _away(caller: Caller, first: date | None, last: date) -> Away:
    """The caller is away from `first` (None: today) to `last`, both included: no check-in
    DM, reminder or owner DM then, so those weeks leave them out of the attestation rate.
    Days are the org's (ROLLOUT_TIMEZONE), as holidays are."""
    today = calendar.local_date(caller.now, caller.services.org_timezone)
    first = first or today
    for day in (first, last):
        if day < today:
            raise Refusal.of("away_past", usage="away", day=day.isoformat(), today=today.isoformat())
    if last < first:
        raise Refusal.of("away_backwards", usage="away", first=first.isoformat(), last=last.isoformat())
    latest = today + timedelta(days=DAYS_AHEAD_AT_MOST)
    if last > latest:
        raise Refusal.of("away_too_far", usage="away", day=last.isoformat(), latest=latest.isoformat())
    with caller.store.unit_of_work() as uow:
        uow.people.set_away(caller.user_id, first, last, caller.now)
        uow.commit()
    return Away(first, last)


def _back(caller: Caller) -> date:
    """`away off`: the caller is back; the last day they had given."""
    with caller.store.unit_of_work() as uow:
        last = uow.people.clear_away(caller.user_id, caller.now)
        if last is None:
            raise Refusal.of("away_not_away", usage="away")
        uow.commit()
    return last


# ---- the org's holidays -----------------------------------------------------------------


@dataclass(frozen=True)
class Holidays:
    """The holidays from today on, after a change (`changed`: the day added or removed)."""

    upcoming: dict[date, str]
    changed: date | None = None


def holiday(caller: Caller, cmd: messages.HolidayChange) -> Holidays:
    """`holiday add|remove` (curators) and `holiday list` (anyone). Days are the org's
    (ROLLOUT_TIMEZONE): on one nothing person-facing goes out, and the Monday nudge and the
    Thursday check-in move to the next working day (cadence/schedule.py)."""
    action, day, name = cmd.action, cmd.day, cmd.name
    today = calendar.local_date(caller.now, caller.services.org_timezone)
    if action != "list":
        assert day is not None, "add and remove name a day"
        roles.require_curator(caller.store, caller.user_id, Refusal.of("curators_holidays", usage="holiday"))
        if action == "add":
            if day < today:
                raise Refusal.of("holiday_past", usage="holiday", day=day.isoformat())
            latest = today + timedelta(days=DAYS_AHEAD_AT_MOST)
            if day > latest:
                raise Refusal.of("holiday_too_far", usage="holiday", day=day.isoformat(), latest=latest.isoformat())
            if not _add_holiday(caller, day, name):
                known = caller.store.org.holidays(day, day).get(day)
                raise Refusal.of(
                    "holiday_already", usage="holiday", day=day.isoformat(), name=f" ({known})" if known else ""
                )
        elif not _remove_holiday(caller, day):
            raise Refusal.of("holiday_unknown", usage="holiday", day=day.isoformat())
    upcoming = caller.store.org.holidays(today, today + timedelta(days=DAYS_AHEAD_AT_MOST))
    return Holidays(upcoming, day)


def _add_holiday(caller: Caller, day: date, name: str) -> bool:
    """The holiday with its decision row, in one unit of work; False if `day` was one already."""
    with caller.store.unit_of_work() as uow:
        added = uow.org.add_holiday(day, name, caller.user_id, caller.now)
        if added:
            _record(uow, setup_decisions.of_holiday(day, name, True, caller.user_id), caller.now)
        uow.commit()
    return added


def _remove_holiday(caller: Caller, day: date) -> bool:
    """The holiday removed with its decision row, in one unit of work; False if `day` was none."""
    with caller.store.unit_of_work() as uow:
        name = uow.org.remove_holiday(day)
        if name is not None:
            _record(uow, setup_decisions.of_holiday(day, name, False, caller.user_id), caller.now)
        uow.commit()
    return name is not None


def _record(uow: Store, decision: Decision, now: datetime) -> None:
    """An org's change's decision row, in the change's unit of work."""
    uow.governance.apply(Change(decisions=[decision]), now)


# ---- roles and settings ------------------------------------------------------------


def curator(caller: Caller, cmd: messages.CuratorChange) -> bool:
    """Whether anything changed (adding a curator twice changes nothing)."""
    caller.require_admin("curator")
    if cmd.add:
        caller.require_person(cmd.user_id, "a curator", "curator")
    with caller.store.unit_of_work() as uow:
        if cmd.add:
            changed = uow.org.add_curator(cmd.user_id, caller.user_id, caller.now)
        else:
            changed = uow.org.remove_curator(cmd.user_id)
        if changed:
            _record(uow, setup_decisions.of_curator(cmd.user_id, cmd.add, caller.user_id), caller.now)
        uow.commit()
    return changed


def curators_channel(caller: Caller, cmd: messages.CuratorsChannel) -> None:
    caller.require_admin("curators-channel")
    with caller.store.unit_of_work() as uow:
        uow.org.set_setting(CURATORS_CHANNEL, cmd.channel_id, caller.user_id, caller.now)
        _record(uow, setup_decisions.of_setting(CURATORS_CHANNEL, cmd.channel_id, caller.user_id), caller.now)
        uow.commit()
