"""The replies of `/rollout`: how what a subcommand's use case did is said in Slack. Each
is named for its subcommand and declared with it in handlers/grammar.py `SUBCOMMANDS`,
given the caller, the command and what its use case returned (mypy holds the three to
the row's parser and use case). A reply that is its template alone is `template(name)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cadence import calendar, cycle_rules, dimensions
from cadence.escalation import mode_words
from cadence.figures import progress_to_target
from cadence.state import PlaybookState
from handlers import adopt_offer, present_status
from templates import render
from usecases import commands, learnings
from usecases.shared import champions, governance, life, messages, waves
from usecases.shared.adopt_offer import Offer
from usecases.shared.caller import Caller
from usecases.shared.requests import AskedPast
from usecases.status import PlaybookStatus, Shown, StatusList

Reply = dict[str, Any]


def template(name: str) -> Callable[[Caller, Any, Any], Reply]:
    """The reply that is the template `name` alone, given the command as `cmd` and what its
    use case returned as `done`."""

    def reply(caller: Caller, cmd: Any, done: Any) -> Reply:
        return render(name, cmd=cmd, done=done)

    return reply


def _week_context(state: PlaybookState, week: calendar.WeekRef) -> Reply:
    return {
        "cycle": week.cycle,
        "week": week.week,
        "week_start": week.week_start.isoformat(),
        "slug": state.playbook.slug,
    }


def kpi(caller: Caller, cmd: messages.Kpi, done: commands.Recorded) -> Reply:
    playbook = done.state.playbook
    return render(
        "kpi_recorded",
        **_week_context(done.state, done.week),
        kpi=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=cmd.value,
        rest=cmd.rest,
        target=playbook.kpi_target,
        baseline=playbook.kpi_baseline,
        progress=None
        if cmd.value is None
        else progress_to_target(cmd.value, playbook.kpi_baseline, playbook.kpi_target),
    )


def guardrail(caller: Caller, cmd: messages.GuardrailReport, done: commands.Recorded) -> Reply:
    playbook = done.state.playbook
    verdict = cycle_rules.guardrail_state(cmd.value, playbook.guardrail_min, playbook.guardrail_max)
    return render(
        "guardrail_recorded",
        **_week_context(done.state, done.week),
        metric=playbook.guardrail_name,
        unit=done.state.guardrail_unit,
        value=cmd.value,
        minimum=playbook.guardrail_min,
        maximum=playbook.guardrail_max,
        breached=verdict == cycle_rules.BREACHED,
    )


def attest(caller: Caller, cmd: messages.Attest, done: commands.Recorded) -> Reply:
    return render(
        "attest_recorded",
        **_week_context(done.state, done.week),
        followed=cmd.followed,
        step=done.step.name if done.step else None,
        mode=mode_words(done.step.mode, done.step.fallback_mode) if done.step else None,
        note=cmd.note,
    )


def exception(caller: Caller, cmd: messages.LogException, done: commands.Recorded) -> Reply:
    return render(
        "exception_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        reason=cmd.reason,
    )


def cases(caller: Caller, cmd: messages.Cases, done: commands.Recorded) -> Reply:
    return render(
        "cases_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        count=cmd.count,
        out=cmd.out,  # `out:N`, the week's cases out of scope kept beside them (usecases/boundaries.py)
        min_cases=done.state.settings.min_cases,
    )


def rubric(caller: Caller, cmd: messages.Rubric, done: commands.Recorded) -> Reply:
    threshold = done.state.playbook.rubric_threshold
    return render(
        "rubric_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        score=cmd.score,
        reviewed=cmd.reviewed,
        counts=[(name.lower(), passed) for name, passed in cmd.dimensions],
        by_dimension=dimensions.words(dimensions.encode([(n.lower(), p) for n, p in cmd.dimensions]), cmd.reviewed),
        threshold=threshold,
        floor=done.state.settings.floor_for(threshold),
    )


def calibrate(caller: Caller, cmd: messages.Calibrate, done: commands.Calibrated) -> Reply:
    return render(
        "calibration_recorded",
        slug=done.state.playbook.slug,
        step=done.step.name,
        passed=cmd.passed,
        total=cmd.total,
        threshold=done.state.playbook.rubric_threshold,
        note=cmd.note,
    )


def cycle_start(caller: Caller, cmd: messages.CycleStart, done: commands.CycleStarted) -> Reply:
    return _cycle_started(done)


def _cycle_started(started: commands.CycleStarted) -> Reply:
    return render(
        "cycle_started",
        moved_from=started.moved_from.isoformat() if started.moved_from else None,
        baseline_week=started.baseline_week.isoformat() if started.baseline_week else None,
        slug=started.state.playbook.slug,
        cycle=started.cycle,
        starts_on=started.starts_on.isoformat(),
        channel=started.state.playbook.channel_id,
        stage=calendar.STAGES[1],
        ends_on=(started.starts_on + timedelta(days=calendar.DAYS_PER_CYCLE - 1)).isoformat(),
    )


def mode(caller: Caller, cmd: messages.SetMode, mode_set: tuple[PlaybookState, governance.ModeSet]) -> Reply:
    state, done = mode_set
    return render(
        "mode_set",
        step=done.step,
        slug=state.playbook.slug,
        mode=done.mode,
        unfrozen=done.mode == "unfreeze",
        channel=state.playbook.channel_id,
        curators=done.curators_told,
        asked=done.asked,
    )


def publish(caller: Caller, cmd: messages.Publish, reply: dict[str, Any]) -> Reply:
    return reply  # rendered by registry.publish: it is also a proposal's button's message


def web(caller: Caller, cmd: messages.WebLink, link: str) -> Reply:
    return render("web_link", link=link, minutes=10)


def learn(caller: Caller, cmd: messages.Learn, done: learnings.Learned) -> Reply:
    return render("learned", slug=done.state.playbook.slug, cycle=done.cycle, text=done.learning.text, count=done.count)


def registry(caller: Caller, cmd: messages.Registry, entries: list[dict[str, Any]]) -> Reply:
    return render("registry_list", entries=entries, function=cmd.function)


def adopt(caller: Caller, cmd: messages.Adopt, done: dict[str, Any] | Offer | AskedPast) -> Reply:
    return adopt_offer.reply(done)  # the announcement, rendered by the use case; its offer; or the ask


def history(caller: Caller, cmd: messages.History, shown: Shown) -> Reply:
    return render(shown.template, **shown.context)


def pause(caller: Caller, cmd: messages.Pause, done: tuple[PlaybookState, life.Ended]) -> Reply:
    state, ended = done
    return render(
        "paused",
        slug=state.playbook.slug,
        status=ended.status,
        reason=cmd.reason,
        last_week=ended.last_week,
        closes=calendar.closing_words(ended.last_week.week_start, state.playbook.timezone, state.settings.grace_hours)
        if ended.last_week
        else None,
    )


def resume(caller: Caller, cmd: messages.Resume, done: commands.CycleStarted) -> Reply:
    return _cycle_started(done)


def hand_over(caller: Caller, cmd: messages.HandOver, done: tuple[PlaybookState, str]) -> Reply:
    state, before = done
    return render("owner_changed", slug=state.playbook.slug, owner=cmd.owner_id, before=before)


def wave(caller: Caller, cmd: messages.WaveReviewed, done: waves.Reviewed) -> Reply:
    return waves.reviewed_message(done.version, done.mark, done.stored, done.now)


def champion(caller: Caller, cmd: messages.NameChampion, done: tuple[PlaybookState, champions.Named]) -> Reply:
    state, named = done
    return render(
        "champion_named",
        slug=state.playbook.slug,
        champion=cmd.champion_id,
        before=named.before,
        items=len(named.checklist),
        done=sum(1 for item in named.checklist if item.done),
    )


def undo(caller: Caller, cmd: messages.Undo, done: commands.Undone) -> Reply:
    if done.undone is None:
        assert done.learning is not None
        return render(
            "learning_undone", slug=done.state.playbook.slug, cycle=done.learning.cycle, text=done.learning.text
        )
    state, counting = done.state, done.undone.counting
    return render(
        "undone",
        **_week_context(state, done.undone.week),
        report=done.undone.report,
        step=done.undone.step,
        counting=counting,
        counting_is_count=isinstance(counting, int),
        counting_step=done.counting_step,
        kpi=state.playbook.kpi_name,
        unit=state.playbook.kpi_unit,
        yours=counting is not None and not isinstance(counting, int) and counting.reported_by == caller.user_id,
    )


def curator(caller: Caller, cmd: messages.CuratorChange, changed: bool) -> Reply:
    return render("curator_changed", user=cmd.user_id, add=cmd.add, changed=changed)


def away(caller: Caller, cmd: messages.Away, done: commands.Away) -> Reply:
    if done.first is None:
        return render("away_set", back=True, last=done.last.isoformat())
    return render("away_set", back=False, first=done.first.isoformat(), last=done.last.isoformat())


def holiday(caller: Caller, cmd: messages.HolidayChange, done: commands.Holidays) -> Reply:
    return render(
        "holidays",
        action=cmd.action,
        day=done.changed.isoformat() if done.changed else None,
        holiday_name=cmd.name,
        upcoming=[dict(day=d.isoformat(), weekday=d.strftime("%a"), name=n) for d, n in sorted(done.upcoming.items())],
    )


def status(caller: Caller, cmd: messages.Status, shown: PlaybookStatus | StatusList) -> Reply:
    return present_status.status(shown)
