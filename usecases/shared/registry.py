"""The registry: publishing a playbook as an immutable version, over or within readiness
(the list of the versions published is usecases/shared/registry_list.py; another team
adopting a version to start its own playbook from it is usecases/shared/adoption.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import cycle_decisions, cycle_rules, keys, registry_decisions
from cadence.change import Change, Message
from cadence.definition import StepSpec
from cadence.state import PlaybookState
from storage.governance_rows import StaleState
from storage.models.governance import Proposal, PublishRequest
from storage.store import CURATORS_CHANNEL, Store
from templates import criterion_phrase, notices_registry
from templates.refusals import Lines, Refusal
from usecases.shared import publish_requests, registry_list
from usecases.shared import versions as upgrades
from usecases.shared.governance import audiences, thresholds
from usecases.shared.publish_criteria import criteria_now
from usecases.shared.roles import require_curator


def snapshot(state: PlaybookState) -> dict[str, Any]:
    """The playbook's definition as it runs now: the file's definition with today's modes
    (each step keeps what it declares: its calibration set or `calibration: none` and its
    reason, its model and prompt, its rubric)."""
    declared = {s.name.lower(): s for s in state.spec.steps}
    steps = [
        (declared.get(s.name.lower()) or StepSpec.model_validate(dict(name=s.name, mode=s.mode))).model_copy(
            update=dict(name=s.name, mode=s.mode, pinned=s.pinned)
        )
        for s in state.steps
    ]
    return state.spec.model_copy(update=dict(steps=steps)).canonical()


def scale_messages(
    state: PlaybookState,
    figures: dict[str, Any],
    key: str,
    curators: str | None,
    status: str = "open",
    version: int | None = None,
    decided_by: str | None = None,
    update: bool = False,
    changed: list[str] | None = None,
    redrawn: str | None = None,
    assessment: Mapping[str, Any] | None = None,
) -> list[Message]:
    """The "ready to scale" proposal with its Publish button, to the curators (or, while
    there is no curators channel, the team); `update` replaces it with its outcome, or
    (`changed`, at `redrawn`) with what refused a click to publish it. Beside readiness, the
    post-pilot `assessment` a version published now would carry, each item by its text
    (registry_list.carried; None: none yet)."""
    playbook = state.playbook
    message = notices_registry.scale_proposal(
        slug=playbook.slug,
        title=playbook.title,
        function=playbook.function,
        results=figures["results"],
        criteria=figures.get("criteria", []),  # none in proposals made before readiness was asked
        pulse=figures.get("pulse"),  # the cycle's pulse, as information (usecases/shared/close/readiness_news.py)
        out_of_scope=figures.get("out_of_scope"),  # strict boundaries' shares, as information too
        kpi_name=playbook.kpi_name,
        kpi_unit=playbook.kpi_unit,
        target=playbook.kpi_target,
        baseline=playbook.kpi_baseline,
        direction=playbook.kpi_direction,
        status=status,
        key=key,
        version=version,
        decided_by=decided_by,
        changed=changed or [],
        assessment=assessment,
    )
    channel = curators or playbook.channel_id  # without a curators channel the team hears it
    original = keys.to_audience(key, "curators")
    if update:
        version_key = status if redrawn is None else f"{status}:{redrawn}"
        return [Message(keys.updated(original, version_key), "chat.update", channel, {"ts_of": original, **message})]
    return [Message(original, "chat.postMessage", channel, message)]


def not_ready_messages(state: PlaybookState, figures: dict[str, Any], curators: str | None) -> list[Message]:
    """ "KPI sustained, not yet ready", naming what is missing, to the owner and the
    curators (or, while there is no curators channel, the team): once per cycle."""
    playbook = state.playbook
    message = notices_registry.not_ready(
        slug=playbook.slug,
        title=playbook.title,
        results=figures["results"],
        criteria=figures["criteria"],
        kpi_name=playbook.kpi_name,
        kpi_unit=playbook.kpi_unit,
        target=playbook.kpi_target,
        direction=playbook.kpi_direction,
        pulse=figures.get("pulse"),
        out_of_scope=figures.get("out_of_scope"),
    )
    unit = keys.not_ready(playbook.id, figures["cycle"])
    return [
        Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, message),
        Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators or playbook.channel_id, message),
    ]


def publish(
    store: Store,
    state: PlaybookState,
    by: str,
    now: datetime,
    proposal_key: str | None = None,
    override: str | None = None,
    admins: frozenset[str] = frozenset(),
    approved: PublishRequest | None = None,
) -> dict[str, Any]:
    """The next registry version of a playbook (curators only), carrying the kit and the
    learnings. Refused while the scale rule never held (naming it and the cycles' results),
    or while a criterion of readiness is missing (with the list), unless `override` gives a
    curator's reason; a version published though the rule never held keeps that reason
    (it has no origin change to replicate against). Over missing readiness criteria, or a
    scale rule that never held, the override is a request a second person decides
    (usecases/shared/publish_requests.py;
    `approved`: the request their click publishes, whose reason it carries): returns the
    asker's reply. Else returns the announcement, which also goes to the team and the curators."""
    if approved is None:
        require_curator(store, by, Refusal.of("curators_publish", usage="publish"))
    else:
        override = approved.reason
    standing = _standing(store, state, now, proposal_key)
    _refuse_unless_ready(state, standing, override)
    not_met = [c for c in standing.criteria if not c["met"]]
    never = [] if standing.ever else [{"name": "scale_rule", "met": False, "rule": scale_rule_words(state)}]
    if (not_met or never) and approved is None:  # over readiness or a rule that never held: never the asker alone
        return publish_requests.ask(store, state, never + not_met, str(override), by, now, admins)
    over = (
        None
        if not not_met or approved is None
        else dict(
            not_met=[c["name"] for c in not_met], reason=approved.reason, asked_by=approved.asked_by, approved_by=by
        )
    )
    number = store.registry.next_version(state.playbook.id)
    result_dicts = [cycle_decisions.result_figures(r) for r in standing.results]
    record = registry_decisions.of_publication(
        state.playbook.id,
        state.playbook.slug,
        number,
        result_dicts,
        standing.held,
        by,
        standing.criteria,
        override if not_met or not standing.ever else None,
    )
    kept = None if standing.ever else override  # the reason a version published though the rule never held keeps
    definition = snapshot(state)
    announcement = notices_registry.published(
        slug=state.playbook.slug,
        version=number,
        definition=definition,
        results=result_dicts,
        scale_rule_held=standing.held,
        by=by,
        override=kept,
        over_readiness=notices_registry.over_readiness(over),
        assessment=(carried := registry_list.carried(store.assessments.carried([(0, state.playbook.id, now)]).get(0))),
    )
    new = _Published(number, definition, result_dicts, announcement, by, carried)
    told = _told(store, state, new, standing.proposal_key)
    if approved is not None:
        done = PublishRequest(**{**approved.model_dump(), "state": "published", "decided_by": by, "version": number})
        told.append(publish_requests.card_update(store, done, state, admins, now))
    _write(store, state, new, standing, now, Change(decisions=[record], messages=told), kept, over, approved)
    return announcement


@dataclass(frozen=True)
class _Standing:
    """Where a playbook stands for a publication: its cycles' results, whether the scale
    rule holds now and whether it ever held, the criteria of readiness, and the "ready to
    scale" proposal it settles."""

    results: list[Any]
    held: bool
    ever: bool
    criteria: list[dict[str, Any]]
    proposal_key: str | None


def _standing(store: Store, state: PlaybookState, now: datetime, proposal_key: str | None) -> _Standing:
    history = store.governance.scale_history([state.playbook.id])
    results, covered = history[state.playbook.id]
    proposal = _settled(store, state, proposal_key)
    if proposal_key is None:  # publishing by command settles an open "ready to scale" proposal too
        proposal_key = proposal.key if proposal else None
    # An open proposal means the rule held when it was made; otherwise look at the cycles since.
    held = proposal_key is not None or cycle_rules.ready_to_scale(
        [r for r in results if r.cycle > covered], thresholds(state)
    )
    criteria = criteria_now(store, [state], now, {state.playbook.id: proposal}, history)[state.playbook.id]
    # "Never held": no run of its cycles ever met the rule (a newer version of a playbook
    # whose number moved once needs no override of the rule, only of readiness).
    ever = held or any(cycle_rules.ready_to_scale(results[: i + 1], thresholds(state)) for i in range(len(results)))
    return _Standing(results, held, ever, criteria, proposal_key)


def _refuse_unless_ready(state: PlaybookState, standing: _Standing, override: str | None) -> None:
    """Without a curator's `override`: refused while the scale rule never held (if a
    playbook doesn't move its one number, it doesn't scale), or a criterion is missing."""
    if override is not None or (standing.ever and all(c["met"] for c in standing.criteria)):
        return
    criteria = Lines(tuple(criterion_phrase(c) for c in standing.criteria))
    if not standing.ever:
        raise Refusal.of(
            "publish_scale_rule",
            usage="publish",
            slug=state.playbook.slug,
            rule=scale_rule_words(state),
            results=Lines(tuple(_result_line(r) for r in standing.results) or ("no cycle closed yet",)),
            criteria=criteria,
        )
    raise Refusal.of("publish_not_ready", usage="publish", slug=state.playbook.slug, criteria=criteria)


def _write(
    store: Store,
    state: PlaybookState,
    new: _Published,
    standing: _Standing,
    now: datetime,
    change: Change,
    override_reason: str | None,
    over: dict[str, Any] | None,
    approved: PublishRequest | None,
) -> None:
    """The version written with the learnings it carries, the request it decides (if any),
    its decision and its messages: in one unit of work, or refused when the playbook or
    the request moved meanwhile."""
    learnings = _learnings_carried(store, state.playbook.id)
    try:
        with store.unit_of_work() as uow:
            uow.registry.publish(
                state.playbook.id,
                new.number,
                new.definition,
                new.results,
                standing.held,
                new.by,
                now,
                proposal_key=standing.proposal_key,
                learnings=learnings,
                override_reason=override_reason,
                over_readiness=over,
            )
            if approved is not None and not uow.publish_requests.decide(
                approved.id, "published", now, decided_by=new.by, version=new.number
            ):
                raise Refusal.of("publish_decided_now")
            uow.governance.apply(change, now)
            uow.commit()
    except StaleState as err:
        raise Refusal.of("publish_race", usage="publish", problem=str(err)) from None


def scale_rule_words(state: PlaybookState) -> str:
    """The scale rule in words: "the KPI target hit in 2 cycles in a row, 3 of 4 weeks each"."""
    th = thresholds(state)
    return (
        f"the KPI target hit in {th.scale_after_cycles} cycle{'s' if th.scale_after_cycles != 1 else ''} in a row, "
        f"{th.scale_min_kpi_weeks} of 4 weeks each"
    )


def _result_line(result: Any) -> str:
    return f"cycle {result.cycle}: {'hit' if result.hit else 'missed'}"


def _settled(store: Store, state: PlaybookState, proposal_key: str | None) -> Proposal | None:
    """The "ready to scale" proposal a publication settles: the one clicked (`proposal_key`)
    or, by command, the playbook's open one, if any."""
    if proposal_key is not None:
        return store.governance.proposal(proposal_key)
    open_scale = [p for p in store.governance.open_proposals(state.playbook.id) if p.kind == "scale"]
    return open_scale[-1] if open_scale else None


def _learnings_carried(store: Store, playbook_id: int) -> list[dict[str, Any]]:
    """The learnings a version carries: the origin's and its adopters', newest first."""
    learnings = [
        dict(cycle=x.cycle, text=x.text, by=x.added_by, at=x.added_at.isoformat())
        for x in store.learnings.of(playbook_id)
    ] + upgrades.from_adopters(store, playbook_id)
    learnings.sort(key=lambda x: x["at"], reverse=True)
    return learnings


@dataclass(frozen=True)
class _Published:
    """A version about to be published, as its messages tell it."""

    number: int
    definition: dict[str, Any]
    results: list[dict[str, Any]]
    announcement: dict[str, Any]
    by: str
    assessment: dict[str, Any] | None = None  # the post-pilot assessment it carries (registry_list.carried)


def _told(store: Store, state: PlaybookState, new: _Published, proposal_key: str | None) -> list[Message]:
    """A publication's messages: the announcement to the team and the curators, the new
    version offered to the adopters of earlier ones, and the "ready to scale" proposal it
    settles (if any) showing it published."""
    curators = store.org.setting(CURATORS_CHANNEL)
    messages = [
        Message(
            keys.to_audience(keys.publish(state.playbook.id, new.number), audience),
            "chat.postMessage",
            channel,
            new.announcement,
        )
        for audience, channel in audiences(state, curators)
    ]
    messages += upgrades.offers(store, state.playbook.id, new.number, new.definition, new.results)
    proposal = store.governance.proposal(proposal_key) if proposal_key is not None else None
    if proposal_key is not None and proposal is not None:
        messages += scale_messages(
            state,
            proposal.figures,
            proposal_key,
            curators,
            status="published",
            version=new.number,
            decided_by=new.by,
            update=True,
            assessment=new.assessment,
        )
    return messages


def publish_from_proposal(store: Store, key: str, by: str, now: datetime) -> None:
    """The Publish button of a "ready to scale" proposal."""
    proposal = store.governance.proposal(key)
    if proposal is None or proposal.kind != "scale":
        raise Refusal.of("proposal_unknown")
    if proposal.status != "open":
        raise Refusal.of("scale_decided", status=proposal.status)
    state = store.playbooks.state_by_id(proposal.playbook_id)
    if state is None:
        raise Refusal.of("playbook_gone")
    require_curator(store, by, Refusal.of("curators_publish", usage="publish"))
    _refuse_if_changed(store, state, proposal, now)
    publish(store, state, by, now, proposal_key=key)


def _refuse_if_changed(store: Store, state: PlaybookState, proposal: Proposal, now: datetime) -> None:
    """Gates at the click (docs/judgement.md): the scale rule read again now (a cycle closed
    since the proposal that missed its target breaks it), and readiness as `criteria_now` reads it for the
    proposal (its kept criteria; the exception queue and the people it names as they stand
    now). The rule no longer holding, or a criterion the proposal showed met and not met
    now, refuses the click naming it, and the card is redrawn with the criteria as they
    stand and what changed."""
    results, _ = store.governance.scale_history([state.playbook.id])[state.playbook.id]
    made_at = int((proposal.figures or {}).get("cycle", 0))
    changed = []
    missed = [r for r in results if r.cycle > made_at and not r.hit]  # a cycle closed since missed
    if missed:
        lines = ", ".join(_result_line(r) for r in results[-3:])
        changed.append(f"the scale rule no longer holds ({scale_rule_words(state)}): {lines}")
    criteria = criteria_now(store, [state], now, {state.playbook.id: proposal})[state.playbook.id]
    was_met = {c["name"] for c in (proposal.figures or {}).get("criteria", []) if c.get("met")}
    changed += [criterion_phrase(c) for c in criteria if not c["met"] and c["name"] in was_met]
    if not changed:
        return
    figures = {**proposal.figures, "criteria": criteria}
    curators = store.org.setting(CURATORS_CHANNEL)
    assessment = registry_list.assessed_now(store, [state.playbook.id])[state.playbook.id]
    redrawn = scale_messages(
        state,
        figures,
        proposal.key,
        curators,
        update=True,
        changed=changed,
        redrawn=now.isoformat(),
        assessment=assessment,
    )
    with store.unit_of_work() as uow:
        uow.governance.apply(Change(messages=redrawn), now)
        uow.commit()
    raise Refusal.of("scale_changed", changed=Lines(tuple(changed)))
