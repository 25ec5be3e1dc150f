"""Mode governance on Slack's surfaces: alerts that explain themselves, proposal
buttons, manual overrides, publishing to the registry and adopting from it.

The rules themselves are cadence.rules; this module turns their transitions into
decision rows and messages, and carries out what people decide.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import calendar, keys, rules
from cadence.definition import DefinitionError, parse_playbook
from cadence.rules import Thresholds, Transition
from handlers import home
from handlers.context import Services
from handlers.grammar import Refusal, close_matches
from storage.governance import Change, Governance, ModeChange, NewProposal, StaleState
from storage.models import Proposal
from storage.outbox import Message
from storage.store import CURATORS_CHANNEL, PlaybookState
from templates import render

log = logging.getLogger(__name__)

DECISION_KINDS = {
    "demotion": "mode-change",
    "promotion": "mode-change",
    "override": "mode-change",
    "warning": "warning",
    "proposal": "proposal",
    "withdrawal": "proposal-withdrawn",
    "freeze": "freeze",
    "rejection": "proposal-rejected",
    "unfreeze": "unfreeze",
}


# ---- shared pieces ------------------------------------------------------------------


def thresholds(state: PlaybookState) -> Thresholds:
    playbook = state.playbook
    return Thresholds.of(state.settings, playbook.exception_cap, playbook.rubric_threshold)


def anchor(state: PlaybookState) -> calendar.CycleAnchor | None:
    return calendar.CycleAnchor(state.anchor.number, state.anchor.starts_on) if state.anchor else None


def week_label(state: PlaybookState, week_start: date) -> str:
    ref = calendar.week_containing(anchor(state), week_start) if state.anchor else None
    return f"week {ref.week} of cycle {ref.cycle}" if ref else f"the week of {week_start.isoformat()}"


def labels_for(state: PlaybookState, weeks: list[str]) -> dict[str, str]:
    return {w: week_label(state, date.fromisoformat(w)) for w in weeks}


def current_week_start(state: PlaybookState, today: date) -> date:
    """The cycle week containing today, or today's Monday before any cycle: the week a
    person's decision is filed under."""
    ref = calendar.week_containing(anchor(state), today) if state.anchor else None
    return ref.week_start if ref else calendar.monday_of(today)


def decision_row(
    state: PlaybookState,
    step_id: int | None,
    step_name: str,
    t: Transition,
    actor: str | None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The append-only record of a transition: what, which rule, the numbers, who (a
    person's id, or the rule itself when `actor` is None)."""
    actor = actor or f"rule:{t.rule}"
    change = f"{t.from_mode} → {t.to_mode}" if t.to_mode else t.from_mode
    summary = f"{step_name}: {t.kind} ({change}); rule {t.rule}"
    if t.counter:
        summary += f"; {t.counter}"
    if reason:
        summary += f"; reason: {reason}"
    return dict(
        kind=DECISION_KINDS[t.kind],
        rule=t.rule,
        actor=actor,
        playbook_id=state.playbook.id,
        step_id=step_id,
        week_start=t.week_start,
        from_mode=t.from_mode,
        to_mode=t.to_mode if t.changes_mode else None,
        summary=summary,
        figures={**t.figures, "counter": t.counter, **({"reason": reason} if reason else {})},
    )


def verdict_row(
    state: PlaybookState, step, week_start: date, outcome: str, rule: str, numbers: rules.WeekNumbers, th: Thresholds
) -> dict[str, Any]:
    """A step's weekly verdict as a decision: the rule decided it, on these numbers."""
    figures = {
        "cases": numbers.cases,
        "exceptions": numbers.exceptions,
        "ratio": numbers.ratio,
        "rubric": numbers.rubric,
        "cap": th.exception_cap,
        "threshold": th.rubric_threshold,
        "floor": th.rubric_floor,
        "min_cases": th.min_cases,
        "mode": step.mode,
    }
    return dict(
        kind="verdict",
        rule=rule,
        actor="rule:verdict",
        playbook_id=state.playbook.id,
        step_id=step.id,
        week_start=week_start,
        from_mode=None,
        to_mode=None,
        summary=f"{step.name}: {outcome} ({rule})",
        figures={"outcome": outcome, **figures},
    )


def audiences(state: PlaybookState, curators_channel: str | None) -> list[tuple[str, str]]:
    """(suffix, channel) of everyone an alert goes to: the team and the curators."""
    targets = [("team", state.playbook.channel_id)]
    if curators_channel and curators_channel != state.playbook.channel_id:
        targets.append(("curators", curators_channel))
    return targets


def alert_messages(
    state: PlaybookState,
    step_name: str,
    t: Transition,
    key: str,
    curators_channel: str | None,
    by: str | None = None,
    reason: str | None = None,
) -> list[Message]:
    th = thresholds(state)
    weeks = [w["week"] for w in t.figures.get("fail_weeks", [])] + list(t.figures.get("missed", []))
    next_week = t.week_start + timedelta(days=7 * th.cooldown_weeks)
    message = render(
        "mode_alert",
        slug=state.playbook.slug,
        step=step_name,
        owner=state.playbook.owner_id,
        t=_as_dict(t),
        week_label=week_label(state, t.week_start),
        labels=labels_for(state, weeks),
        by=by,
        reason=reason,
        promote_after=th.promote_after_weeks,
        cooldown=th.cooldown_weeks,
        next_label=week_label(state, next_week),
    )
    return [
        Message(keys.to_audience(key, suffix), "chat.postMessage", channel, message)
        for suffix, channel in audiences(state, curators_channel)
    ]


def _as_dict(t: Transition) -> dict[str, Any]:
    return dict(
        kind=t.kind, rule=t.rule, from_mode=t.from_mode, to_mode=t.to_mode, counter=t.counter, figures=t.figures
    )


def proposal_key(step_id: int, week_start: date) -> str:
    return keys.proposal(step_id, week_start)


def proposal_messages(
    state: PlaybookState, proposal: dict[str, Any], curators_channel: str | None, update: bool = False
) -> list[Message]:
    """The proposal with its buttons (or, when `update`, its outcome in place of them),
    to the team channel and the curators channel."""
    figures = proposal["figures"]
    weeks = [w["week"] for w in figures.get("pass_weeks", [])]
    message = render(
        "proposal",
        slug=state.playbook.slug,
        step=proposal["step"],
        from_mode=proposal["from_mode"],
        to_mode=proposal["to_mode"],
        counter=figures.get("counter", ""),
        pass_weeks=figures.get("pass_weeks", []),
        labels=labels_for(state, weeks),
        status=proposal["status"],
        decided_by=proposal.get("decided_by"),
        key=proposal["key"],
        owner=state.playbook.owner_id,
    )
    messages = []
    for suffix, channel in audiences(state, curators_channel):
        original = keys.to_audience(proposal["key"], suffix)
        if update:
            messages.append(
                Message(
                    keys.updated(original, proposal["status"]), "chat.update", channel, {"ts_of": original, **message}
                )
            )
        else:
            messages.append(Message(original, "chat.postMessage", channel, message))
    return messages


def _proposal_dict(
    proposal: Proposal, step_name: str, status: str | None = None, decided_by: str | None = None
) -> dict[str, Any]:
    return dict(
        key=proposal.key,
        step=step_name,
        from_mode=proposal.from_mode,
        to_mode=proposal.to_mode,
        figures=proposal.figures,
        status=status or proposal.status,
        decided_by=decided_by or proposal.decided_by,
    )


def transitions_change(
    state: PlaybookState,
    step,
    transitions: list[Transition],
    actor: str | None,
    key: str,
    curators_channel: str | None,
    open_proposal: Proposal | None,
    by: str | None = None,
    reason: str | None = None,
) -> Change:
    """Decision rows, mode changes, proposals and messages for one step's transitions."""
    change = Change()
    mode = step.mode
    for t in transitions:
        change.decisions.append(decision_row(state, step.id, step.name, t, actor, reason))
        if t.kind == "proposal":
            p = dict(
                key=proposal_key(step.id, t.week_start),
                step=step.name,
                from_mode=t.from_mode,
                to_mode=t.to_mode,
                figures={**t.figures, "counter": t.counter},
                status="open",
            )
            change.new_proposals.append(
                NewProposal(
                    p["key"],
                    "promotion",
                    state.playbook.id,
                    t.week_start,
                    step.id,
                    t.from_mode,
                    t.to_mode,
                    p["figures"],
                )
            )
            change.messages += proposal_messages(state, p, curators_channel)
            continue
        if t.kind == "withdrawal" and open_proposal is not None:
            change.withdraw_for_steps.append(step.id)
            change.messages += proposal_messages(
                state, _proposal_dict(open_proposal, step.name, "withdrawn", "rule"), curators_channel, update=True
            )
        if t.changes_mode:
            change.mode_changes.append(ModeChange(step.id, mode, new_mode=t.to_mode))
            mode = t.to_mode
        if t.kind == "freeze":
            change.mode_changes.append(ModeChange(step.id, mode, freeze=True))
        change.messages += alert_messages(
            state, step.name, t, keys.transition(key, t.kind), curators_channel, by, reason
        )
    return change


# ---- proposal buttons ---------------------------------------------------------------


def register(app: App, services: Services) -> None:
    @app.action("proposal_approve")
    def approve_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda request: decide(request, action.get("value", ""), True))

    @app.action("proposal_reject")
    def reject_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda request: decide(request, action.get("value", ""), False))

    @app.action("scale_publish")
    def publish_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda request: publish_from_proposal(request, action.get("value", "")))


def _on_click(services: Services, client: WebClient, body: dict[str, Any], act) -> None:
    """Run a button's decision; a refusal is an ephemeral message to the clicker only."""
    from handlers.commands import Request

    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    try:
        act(Request(services, client, user, channel or ""))
    except Refusal as refusal:
        _ephemeral(client, channel, user, render("refusal", problem=refusal.problem, suggestions=[], usage=[]))
    except Exception:
        log.exception("button failed")
        _ephemeral(client, channel, user, render("failure"))


def _ephemeral(client: WebClient, channel: str | None, user: str, message: dict[str, Any]) -> None:
    """Tell only the clicker: ephemerally in the channel, or by DM for a click in the Home tab."""
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, **message)
        else:
            client.chat_postMessage(channel=user, **message)
    except SlackApiError as err:
        log.warning("could not tell %s: %s", user, err.response.get("error"))


def decide(request, key: str, approve: bool) -> None:
    governance = Governance(request.store.engine)
    proposal = governance.proposal(key)
    if proposal is None or proposal.kind != "promotion":
        raise Refusal("I don't know that proposal any more.")
    state = request.store.playbook_state_by_id(proposal.playbook_id)
    step = next((s for s in state.steps if s.id == proposal.step_id), None) if state else None
    if step is None:
        raise Refusal("That step is no longer part of the playbook.")
    request.require_owner_or_curator(state, None)
    if proposal.status != "open":
        raise Refusal(
            f"This proposal is already {proposal.status}"
            + (f" (by {proposal.decided_by})." if proposal.decided_by not in (None, "rule") else ".")
        )
    th = thresholds(state)
    week = current_week_start(state, request.today(state))
    history = governance.histories([state], week - timedelta(days=7 * th.lookback_weeks)).states[step.id]
    curators = request.store.setting(CURATORS_CHANNEL)
    key_base = keys.proposal_decided(key, approve)
    if approve:
        transitions, _ = rules.approve(history, week, th)
        change = transitions_change(
            state, step, transitions, request.user_id, key_base, curators, None, by=request.user_id
        )
        change.decisions.insert(
            0,
            dict(
                kind="proposal-approved",
                rule="approval",
                actor=request.user_id,
                playbook_id=state.playbook.id,
                step_id=step.id,
                week_start=week,
                from_mode=step.mode,
                to_mode=proposal.to_mode,
                summary=f"{step.name}: proposal approved",
                figures={"proposal": key},
            ),
        )
    else:
        rejection = Transition("rejection", "rejection", week, step.mode, proposal.to_mode)
        change = Change(decisions=[decision_row(state, step.id, step.name, rejection, request.user_id)])
        change.messages += alert_messages(state, step.name, rejection, key_base, curators, by=request.user_id)
    status = "approved" if approve else "rejected"
    change.messages += proposal_messages(
        state, _proposal_dict(proposal, step.name, status, request.user_id), curators, update=True
    )
    change.messages.append(home.refresh(request.store, request.user_id, request.now))
    try:
        applied = Governance(request.store.engine).apply(
            change, request.now, proposal_key=key, proposal_status=status, decided_by=request.user_id
        )
    except StaleState:
        applied = False
    if not applied:
        raise Refusal("Someone decided this proposal (or changed the step) a moment ago; see the channel.")


# ---- manual override ------------------------------------------------------------------


def set_mode(request, state: PlaybookState, step_name: str, mode: str, reason: str) -> dict[str, Any]:
    step = request.step(state, step_name, "mode")
    governance = Governance(request.store.engine)
    th = thresholds(state)
    week = current_week_start(state, request.today(state))
    curators = request.store.setting(CURATORS_CHANNEL)
    key = keys.override(step.id, request.now.isoformat())
    if mode == "unfreeze":
        if not request.store.is_curator(request.user_id):
            raise Refusal("Only curators can unfreeze a step.", usage="mode")
        if not step.frozen:
            raise Refusal(f"{step.name} is not frozen.", usage="mode")
        t = Transition("unfreeze", "unfreeze", week, step.mode)
        change = Change(
            decisions=[decision_row(state, step.id, step.name, t, request.user_id, reason)],
            mode_changes=[ModeChange(step.id, step.mode, freeze=False)],
        )
        change.messages += alert_messages(state, step.name, t, key, curators, by=request.user_id, reason=reason)
    else:
        request.require_owner_or_curator(state, "mode")
        if step.pinned and mode != "human-led":
            raise Refusal(
                f"{step.name} is pinned: human-led by design. Unpin it in the playbook's definition first.",
                usage="mode",
            )
        if step.mode == mode:
            raise Refusal(f"{step.name} already is {mode}.", usage="mode")
        history = governance.histories([state], week - timedelta(days=7 * th.lookback_weeks))
        transitions, _ = rules.override(history.states[step.id], mode, week, th)
        change = transitions_change(
            state,
            step,
            transitions,
            request.user_id,
            key,
            curators,
            history.open_proposals.get(step.id),
            by=request.user_id,
            reason=reason,
        )
    try:
        governance.apply(change, request.now)
    except StaleState:
        raise Refusal(
            f"{step.name} changed a moment ago; check `/rollout status {state.playbook.slug}` and try again.",
            usage="mode",
        ) from None
    return render(
        "mode_set",
        step=step.name,
        slug=state.playbook.slug,
        mode=mode,
        unfrozen=mode == "unfreeze",
        channel=state.playbook.channel_id,
        curators=bool(curators),
    )


# ---- registry -----------------------------------------------------------------------


def snapshot(state: PlaybookState) -> dict[str, Any]:
    """The playbook's definition as it runs now: the file's definition with today's modes."""
    definition = dict(state.playbook.definition)
    definition["steps"] = [{"name": s.name, "mode": s.mode, "pinned": s.pinned} for s in state.steps]
    return definition


def result_figures(r) -> dict[str, Any]:
    """A cycle result (rules.CycleResult or its row) as plain data for decisions and messages."""
    return dict(cycle=r.cycle, kpi_weeks=r.kpi_weeks, mean=r.mean, target=r.target, direction=r.direction, hit=r.hit)


def publish(request, state: PlaybookState, proposal_key: str | None = None) -> dict[str, Any]:
    if not request.store.is_curator(request.user_id):
        raise Refusal("Only curators publish to the registry.", usage="publish")
    governance = Governance(request.store.engine)
    results, covered = governance.scale_history([state.playbook.id])[state.playbook.id]
    if proposal_key is None:  # publishing by command settles an open "ready to scale" proposal too
        open_scale = [p for p in governance.open_proposals(state.playbook.id) if p.kind == "scale"]
        proposal_key = open_scale[-1].key if open_scale else None
    # An open proposal means the rule held when it was made; otherwise look at the cycles since.
    held = proposal_key is not None or rules.ready_to_scale(
        [r for r in results if r.cycle > covered], thresholds(state)
    )
    number = governance.next_version(state.playbook.id)
    definition = snapshot(state)
    result_dicts = [result_figures(r) for r in results]
    curators = request.store.setting(CURATORS_CHANNEL)
    change = Change(
        decisions=[
            dict(
                kind="publish",
                rule="scale" if held else "curator",
                actor=request.user_id,
                playbook_id=state.playbook.id,
                step_id=None,
                week_start=None,
                from_mode=None,
                to_mode=None,
                summary=f"{state.playbook.slug} v{number} published",
                figures={"version": number, "cycle_results": result_dicts, "scale_rule_held": held},
            )
        ]
    )
    announcement = render(
        "published",
        slug=state.playbook.slug,
        version=number,
        definition=definition,
        results=result_dicts,
        scale_rule_held=held,
        by=request.user_id,
    )
    change.messages += [
        Message(
            keys.to_audience(keys.publish(state.playbook.id, number), suffix), "chat.postMessage", channel, announcement
        )
        for suffix, channel in audiences(state, curators)
    ]
    if proposal_key is not None:
        proposal = governance.proposal(proposal_key)
        change.messages += scale_messages(
            state,
            proposal.figures,
            proposal_key,
            curators,
            status="published",
            version=number,
            decided_by=request.user_id,
            update=True,
        )
    try:
        governance.publish(
            state.playbook.id,
            number,
            definition,
            result_dicts,
            held,
            request.user_id,
            request.now,
            change,
            proposal_key=proposal_key,
        )
    except StaleState as err:
        raise Refusal(f"{err}; run the command again for the next version.", usage="publish") from None
    return announcement


def publish_from_proposal(request, key: str) -> None:
    proposal = Governance(request.store.engine).proposal(key)
    if proposal is None or proposal.kind != "scale":
        raise Refusal("I don't know that proposal any more.")
    if proposal.status != "open":
        raise Refusal(f"This playbook was already {proposal.status}.")
    state = request.store.playbook_state_by_id(proposal.playbook_id)
    publish(request, state, proposal_key=key)


def scale_messages(
    state: PlaybookState,
    figures: dict[str, Any],
    key: str,
    curators: str | None,
    status: str = "open",
    version: int | None = None,
    decided_by: str | None = None,
    update: bool = False,
) -> list[Message]:
    playbook = state.playbook
    message = render(
        "scale_proposal",
        slug=playbook.slug,
        title=playbook.title,
        function=playbook.function,
        results=figures["results"],
        kpi_name=playbook.kpi_name,
        kpi_unit=playbook.kpi_unit,
        target=playbook.kpi_target,
        baseline=playbook.kpi_baseline,
        direction=playbook.kpi_direction,
        status=status,
        key=key,
        version=version,
        decided_by=decided_by,
    )
    channel = curators or playbook.channel_id  # without a curators channel the team hears it
    if update:
        original = keys.to_audience(key, "curators")
        return [Message(keys.updated(original, status), "chat.update", channel, {"ts_of": original, **message})]
    return [Message(keys.to_audience(key, "curators"), "chat.postMessage", channel, message)]


def registry(request, function: str | None) -> dict[str, Any]:
    governance = Governance(request.store.engine)
    versions = governance.versions(function=function)
    adopters: dict[int, list[str]] = {}
    for playbook in governance.adopters([v.id for v in versions]):
        adopters.setdefault(playbook.adopted_from_id, []).append(playbook.slug)
    entries = [
        dict(
            slug=v.slug,
            version=v.version,
            function=v.function,
            published_on=v.published_at.date().isoformat(),
            results=v.cycle_results,
            target=v.definition.get("kpi", {}).get("target"),
            adopters=sorted(adopters.get(v.id, [])),
        )
        for v in versions
    ]
    return render("registry_list", entries=entries, function=function)


_SLUG_CLEAN = re.compile(r"[^a-z0-9-]+")


def adopt(
    request, slug: str, version_number: int | None, channel_id: str, channel_name: str | None, owner_id: str | None
) -> dict[str, Any]:
    if not request.store.is_curator(request.user_id):
        raise Refusal("Only curators start a team on a registry playbook.", usage="adopt")
    governance = Governance(request.store.engine)
    version = governance.version(slug, version_number)
    if version is None:
        published = sorted({v.slug for v in governance.versions()})
        which = f"v{version_number} of {slug}" if version_number else slug
        raise Refusal(f"The registry has no {which}.", usage="adopt", suggestions=close_matches(slug, published))
    base = _SLUG_CLEAN.sub("-", f"{version.slug}-{(channel_name or channel_id).lower()}").strip("-")[:60]
    taken = set(request.store.playbook_slugs())
    new_slug = base
    n = 2
    while new_slug in taken:
        new_slug = f"{base[:57]}-{n}"
        n += 1
    raw = {**version.definition, "playbook": new_slug, "channel": channel_id, "owner": owner_id or request.user_id}
    try:
        spec = parse_playbook(raw)
    except DefinitionError as err:
        raise Refusal(f"That version can't be adopted as it is: {err.problems[0]}", usage="adopt") from None
    curators = request.store.setting(CURATORS_CHANNEL)
    message = render(
        "adopted",
        slug=new_slug,
        channel=channel_id,
        origin=version.slug,
        version=version.version,
        by=request.user_id,
        owner=spec.owner,
        steps=spec.steps,
    )
    messages = [Message(keys.to_audience(keys.adopt(new_slug), "team"), "chat.postMessage", channel_id, message)]
    if curators and curators != channel_id:
        messages.append(
            Message(keys.to_audience(keys.adopt(new_slug), "curators"), "chat.postMessage", curators, message)
        )
    request.store.adopt(
        spec, version.id, version.playbook_id, request.services.org_timezone, request.user_id, request.now, messages
    )
    return message
