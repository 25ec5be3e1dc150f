"""The `/rollout` slash command.

Each request is answered in the acknowledgement itself (an ephemeral reply), so the
user hears back in one round trip. Everything is validated before the single write
a command makes, so a refusal stores nothing.

A subcommand's name, usage lines and parser are declared in handlers/grammar.py
(`SUBCOMMANDS`); what it does is its command's use case (usecases/bus.py, `HANDLERS`);
how its reply looks is its route here (`_ROUTES`, at the end).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from cadence import calendar, rules
from cadence.figures import progress_to_target
from handlers import checkins, grammar, playbook_form, present_status, week_form
from templates import render
from templates.refusals import Refusal, slack
from usecases import bus, commands, learnings, requests, status
from usecases.shared import champions, governance, life, messages
from usecases.shared.caller import Caller, PlaybookState, Repeated
from usecases.shared.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.command("/rollout")
    def rollout(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        reply, context["outcome"] = answer(services, client, command)
        ack(**reply) if reply else ack()


def answer(services: Services, client: WebClient, command: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The ephemeral reply to one `/rollout` request (None: a form was opened instead),
    and its outcome for the metrics: ok, form, refused, failed or repeat."""
    caller = Caller(services, client, command.get("user_id", ""), command.get("channel_id", ""))
    try:
        parsed = grammar.parse(command.get("text", ""))
        if isinstance(parsed, messages.OpenForm) and parsed.form == "week":  # the owner's week: issue 58
            opened = week_form.open_form(caller, parsed, command.get("trigger_id", ""))
            return opened, "form" if opened is None else "refused"
        if isinstance(parsed, messages.OpenForm) and parsed.form in ("new", "edit"):
            opened = playbook_form.open_form(caller, parsed, command.get("trigger_id", ""))
            return opened, "form" if opened is None else "refused"
        if isinstance(parsed, messages.OpenForm):
            opened = checkins.open_form(caller, parsed.form, command.get("trigger_id", ""))
            return opened, "form" if opened is None else "refused"
        if isinstance(parsed, messages.RequestAdoption) and not parsed.answered:
            # Only its form asks the expansion criteria: refused now if it cannot go,
            # else the form opens with what the command said.
            requests.may_go(caller, parsed)
            opened = checkins.open_form(caller, "request", command.get("trigger_id", ""), parsed)
            return opened, "form" if opened is None else "refused"
        done = None if isinstance(parsed, messages.Help) else bus.handle(caller, parsed)
        message, outcome = _ROUTES.get(type(parsed), reply)(caller, parsed, done), "ok"
    except Repeated:
        return None, "repeat"  # a replay: its first write found the request already handled
    except Refusal as refusal:
        message, outcome = (
            render(
                "refusal",
                problem=slack(refusal),
                suggestions=list(refusal.suggestions),
                usage=list(grammar.USAGE.get(refusal.usage or "", ())),
            ),
            "refused",
        )
    except Exception:
        # The exception's type only: its message can carry the user's text.
        log.error("/rollout %s failed", grammar.label(str(command.get("text") or "")), exc_info=True)
        message, outcome = render("failure"), "failed"
    return {"response_type": "ephemeral", **message}, outcome


def _week_context(state: PlaybookState, week: calendar.WeekRef) -> dict[str, Any]:
    return {
        "cycle": week.cycle,
        "week": week.week,
        "week_start": week.week_start.isoformat(),
        "slug": state.playbook.slug,
    }


# ---- subcommands: each renders what its use case (usecases/bus.py) did.


def _help(caller: Caller, cmd: messages.Help, done: None) -> dict[str, Any]:
    topics = [cmd.topic] if cmd.topic else list(grammar.USAGE)
    return render("help", usage=[line for t in topics for line in grammar.USAGE[t]], topic=cmd.topic)


def _kpi(caller: Caller, cmd: messages.Kpi, done: commands.Recorded) -> dict[str, Any]:
    playbook = done.state.playbook
    return render(
        "kpi_recorded",
        **_week_context(done.state, done.week),
        kpi=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=cmd.value,
        target=playbook.kpi_target,
        baseline=playbook.kpi_baseline,
        progress=progress_to_target(cmd.value, playbook.kpi_baseline, playbook.kpi_target),
    )


def _guardrail(caller: Caller, cmd: messages.GuardrailReport, done: commands.Recorded) -> dict[str, Any]:
    playbook = done.state.playbook
    verdict = rules.guardrail_state(cmd.value, playbook.guardrail_min, playbook.guardrail_max)
    return render(
        "guardrail_recorded",
        **_week_context(done.state, done.week),
        metric=playbook.guardrail_name,
        unit=done.state.guardrail_unit,
        value=cmd.value,
        minimum=playbook.guardrail_min,
        maximum=playbook.guardrail_max,
        breached=verdict == rules.BREACHED,
    )


def _attest(caller: Caller, cmd: messages.Attest, done: commands.Recorded) -> dict[str, Any]:
    return render(
        "attest_recorded",
        **_week_context(done.state, done.week),
        followed=cmd.followed,
        step=done.step.name if done.step else None,
        mode=done.step.mode if done.step else None,
        note=cmd.note,
    )


def _exception(caller: Caller, cmd: messages.LogException, done: commands.Recorded) -> dict[str, Any]:
    return render(
        "exception_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        reason=cmd.reason,
    )


def _cases(caller: Caller, cmd: messages.Cases, done: commands.Recorded) -> dict[str, Any]:
    return render(
        "cases_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        count=cmd.count,
        min_cases=done.state.settings.min_cases,
    )


def _rubric(caller: Caller, cmd: messages.Rubric, done: commands.Recorded) -> dict[str, Any]:
    threshold = done.state.playbook.rubric_threshold
    return render(
        "rubric_recorded",
        **_week_context(done.state, done.week),
        step=done.step.name if done.step else None,
        score=cmd.score,
        reviewed=cmd.reviewed,
        threshold=threshold,
        floor=done.state.settings.floor_for(threshold),
    )


def _cycle_start(caller: Caller, cmd: messages.CycleStart, done: commands.CycleStarted) -> dict[str, Any]:
    return _cycle_started(done)


def _cycle_started(started: commands.CycleStarted) -> dict[str, Any]:
    return render(
        "cycle_started",
        moved_from=started.moved_from.isoformat() if started.moved_from else None,
        slug=started.state.playbook.slug,
        cycle=started.cycle,
        starts_on=started.starts_on.isoformat(),
        channel=started.state.playbook.channel_id,
        stage=calendar.STAGES[1],
        ends_on=(started.starts_on + timedelta(days=calendar.DAYS_PER_CYCLE - 1)).isoformat(),
    )


def _mode(caller: Caller, cmd: messages.SetMode, mode_set: tuple[PlaybookState, governance.ModeSet]) -> dict[str, Any]:
    state, done = mode_set
    return render(
        "mode_set",
        step=done.step,
        slug=state.playbook.slug,
        mode=done.mode,
        unfrozen=done.mode == "unfreeze",
        channel=state.playbook.channel_id,
        curators=done.curators_told,
    )


def _publish(caller: Caller, cmd: messages.Publish, reply: dict[str, Any]) -> dict[str, Any]:
    return reply  # rendered by registry.publish: it is also a proposal's button's message


def _web(caller: Caller, cmd: messages.WebLink, link: str) -> dict[str, Any]:
    return render("web_link", link=link, minutes=10)


def _learn(caller: Caller, cmd: messages.Learn, done: learnings.Learned) -> dict[str, Any]:
    return render("learned", slug=done.state.playbook.slug, cycle=done.cycle, text=done.learning.text, count=done.count)


def _registry(caller: Caller, cmd: messages.Registry, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return render("registry_list", entries=entries, function=cmd.function)


def _adopt(caller: Caller, cmd: messages.Adopt, reply: dict[str, Any]) -> dict[str, Any]:
    return reply  # rendered by registry.adopt: it is also the announcement


def _history(caller: Caller, cmd: messages.History, shown: status.Shown) -> dict[str, Any]:
    return render(shown.template, **shown.context)


def _pause(caller: Caller, cmd: messages.Pause, done: tuple[PlaybookState, life.Ended]) -> dict[str, Any]:
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


def _resume(caller: Caller, cmd: messages.Resume, done: commands.CycleStarted) -> dict[str, Any]:
    return _cycle_started(done)


def _hand_over(caller: Caller, cmd: messages.HandOver, done: tuple[PlaybookState, str]) -> dict[str, Any]:
    state, before = done
    return render("owner_changed", slug=state.playbook.slug, owner=cmd.owner_id, before=before)


def _champion(
    caller: Caller, cmd: messages.NameChampion, done: tuple[PlaybookState, champions.Named]
) -> dict[str, Any]:
    state, named = done
    return render(
        "champion_named",
        slug=state.playbook.slug,
        champion=cmd.champion_id,
        before=named.before,
        items=len(named.checklist),
        done=sum(1 for item in named.checklist if item.done),
    )


def _request(caller: Caller, cmd: messages.RequestAdoption, done: tuple[Any, Any]) -> dict[str, Any]:
    """A request that carries its answers. None typed does today (only the form asks them,
    and the form's own answer is modal_request_sent); kept so the type keeps a route."""
    request, version = done
    return render(
        "request_sent", slug=version.slug, version=version.version, channel=request.channel_id, champion=cmd.champion_id
    )


def _undo(caller: Caller, cmd: messages.Undo, done: commands.Undone) -> dict[str, Any]:
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


def _curator(caller: Caller, cmd: messages.CuratorChange, changed: bool) -> dict[str, Any]:
    return render("curator_changed", user=cmd.user_id, add=cmd.add, changed=changed)


def _away(caller: Caller, cmd: messages.Away, done: commands.Away) -> dict[str, Any]:
    if done.first is None:
        return render("away_set", back=True, last=done.last.isoformat())
    return render("away_set", back=False, first=done.first.isoformat(), last=done.last.isoformat())


def _holiday(caller: Caller, cmd: messages.HolidayChange, done: commands.Holidays) -> dict[str, Any]:
    return render(
        "holidays",
        action=cmd.action,
        day=done.changed.isoformat() if done.changed else None,
        holiday_name=cmd.name,
        upcoming=[dict(day=d.isoformat(), weekday=d.strftime("%a"), name=n) for d, n in sorted(done.upcoming.items())],
    )


def _status(caller: Caller, cmd: messages.Status, shown: status.PlaybookStatus | status.StatusList) -> dict[str, Any]:
    return present_status.status(shown)


def template_of(command_type: type) -> str:
    """The reply template of a command without a route of its own: named for its type,
    `CuratorsChannel` -> templates/curators_channel.json.j2."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", command_type.__name__).lower()


def reply(caller: Caller, cmd: messages.Command, done: Any) -> dict[str, Any]:
    """The reply of a subcommand with no route in _ROUTES: its template (template_of),
    given the command as `cmd` and what its use case returned as `done`."""
    return render(template_of(type(cmd)), cmd=cmd, done=done)


# The routes of the types a parser in grammar.SUBCOMMANDS returns (but OpenForm, which
# opens a form: checkins.open_form) whose reply needs more than `reply` gives its
# template: how what its use case did (usecases/bus.py, which carries it out) is said in
# Slack. Keyed by type rather than by subcommand name, because the type is what a route
# reads (pause and retire share one). tests/handlers/test_routes.py fails until every
# type a parser is annotated to return has a route here or a template named for it.
_ROUTES: dict[type, Callable[[Caller, Any, Any], dict[str, Any]]] = {
    messages.Help: _help,
    messages.Status: _status,
    messages.Kpi: _kpi,
    messages.Attest: _attest,
    messages.LogException: _exception,
    messages.Cases: _cases,
    messages.Rubric: _rubric,
    messages.CycleStart: _cycle_start,
    messages.SetMode: _mode,
    messages.Publish: _publish,
    messages.Learn: _learn,
    messages.WebLink: _web,
    messages.Registry: _registry,
    messages.Adopt: _adopt,
    messages.CuratorChange: _curator,
    messages.Undo: _undo,
    messages.History: _history,
    messages.GuardrailReport: _guardrail,
    messages.Pause: _pause,
    messages.Resume: _resume,
    messages.HandOver: _hand_over,
    messages.NameChampion: _champion,
    messages.RequestAdoption: _request,
    messages.Away: _away,
    messages.HolidayChange: _holiday,
}
