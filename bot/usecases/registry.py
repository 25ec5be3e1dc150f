"""The registry: publishing a playbook as an immutable version, and another team
adopting a version to start its own playbook from it."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.usecases.governance import audiences, thresholds
from bot.usecases.life import check_start
from bot.usecases.roles import channel, require_curator
from cadence import calendar, decisions, keys, rules
from cadence.definition import DefinitionError, parse_playbook
from storage.governance import Change, Governance, StaleState
from storage.outbox import Message
from storage.store import CURATORS_CHANNEL, Conflict, PlaybookState, Store
from templates import render
from templates.refusals import Refusal, close_matches


def snapshot(state: PlaybookState) -> dict[str, Any]:
    """The playbook's definition as it runs now: the file's definition with today's modes."""
    definition = dict(state.playbook.definition)
    definition["steps"] = [{"name": s.name, "mode": s.mode, "pinned": s.pinned} for s in state.steps]
    return definition


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
    """The "ready to scale" proposal with its Publish button, to the curators (or, while
    there is no curators channel, the team); `update` replaces it with its outcome."""
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
    original = keys.to_audience(key, "curators")
    if update:
        return [Message(keys.updated(original, status), "chat.update", channel, {"ts_of": original, **message})]
    return [Message(original, "chat.postMessage", channel, message)]


def publish(
    store: Store, state: PlaybookState, by: str, now: datetime, proposal_key: str | None = None
) -> dict[str, Any]:
    """The next registry version of a playbook (curators only). Returns the announcement,
    which also goes to the team and the curators."""
    require_curator(store, by, Refusal.of("curators_publish", usage="publish"))
    governance = Governance(store.engine)
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
    result_dicts = [decisions.result_figures(r) for r in results]
    curators = store.setting(CURATORS_CHANNEL)
    change = Change(
        decisions=[decisions.of_publication(state.playbook.id, state.playbook.slug, number, result_dicts, held, by)]
    )
    announcement = render(
        "published",
        slug=state.playbook.slug,
        version=number,
        definition=definition,
        results=result_dicts,
        scale_rule_held=held,
        by=by,
    )
    change.messages += [
        Message(
            keys.to_audience(keys.publish(state.playbook.id, number), audience),
            "chat.postMessage",
            channel,
            announcement,
        )
        for audience, channel in audiences(state, curators)
    ]
    if proposal_key is not None:
        proposal = governance.proposal(proposal_key)
        if proposal is not None:
            change.messages += scale_messages(
                state,
                proposal.figures,
                proposal_key,
                curators,
                status="published",
                version=number,
                decided_by=by,
                update=True,
            )
    try:
        governance.publish(
            state.playbook.id, number, definition, result_dicts, held, by, now, change, proposal_key=proposal_key
        )
    except StaleState as err:
        raise Refusal.of("publish_race", usage="publish", problem=str(err)) from None
    return announcement


def publish_from_proposal(store: Store, key: str, by: str, now: datetime) -> None:
    """The Publish button of a "ready to scale" proposal."""
    proposal = Governance(store.engine).proposal(key)
    if proposal is None or proposal.kind != "scale":
        raise Refusal.of("proposal_unknown")
    if proposal.status != "open":
        raise Refusal.of("scale_decided", status=proposal.status)
    state = store.playbook_state_by_id(proposal.playbook_id)
    if state is None:
        raise Refusal.of("playbook_gone")
    publish(store, state, by, now, proposal_key=key)


def entries(store: Store, function: str | None) -> list[dict[str, Any]]:
    """The published versions (of one function, or all) with their results and adopters."""
    governance = Governance(store.engine)
    versions = governance.versions(function=function)
    adopters: dict[int | None, list[str]] = {}
    for playbook in governance.adopters([v.id for v in versions]):
        adopters.setdefault(playbook.adopted_from_id, []).append(playbook.slug)
    return [
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


_SLUG_CLEAN = re.compile(r"[^a-z0-9-]+")


def adopt(
    store: Store,
    slug: str,
    version_number: int | None,
    channel_id: str,
    channel_name: str | None,
    owner_id: str | None,
    by: str,
    now: datetime,
    org_timezone: str,
    baseline: float | None = None,
    target: float | None = None,
    timezone: str | None = None,
    starts_on: date | None = None,
) -> dict[str, Any]:
    """A curator starts a team on a registry version, with the team's own baseline, target
    and time zone where they differ from the origin's, and its first cycle if `starts_on`.
    Returns the announcement, which also goes to the team channel and the curators.
    (That the bot is in the channel is commands.adopt's to check: Slack says so.)"""
    require_curator(store, by, Refusal.of("curators_adopt", usage="adopt"))
    governance = Governance(store.engine)
    version = governance.version(slug, version_number)
    if version is None:
        published = governance.versions()
        numbers = [v.version for v in published if v.slug == slug]
        if numbers and version_number is not None:  # v0 included: the versions that do exist are named
            raise Refusal.of(
                "no_version_number",
                usage="adopt",
                number=version_number,
                slug=slug,
                versions=", ".join(f"{slug}@v{n}" for n in numbers),
            )
        slugs = sorted({v.slug for v in published})
        raise Refusal.of("no_version", usage="adopt", suggestions=close_matches(slug, slugs), which=slug)
    running = store.adoption_in(channel_id, version.playbook_id)
    if running is not None:
        raise Refusal.of("adopt_twice", usage="adopt", channel=channel(channel_id), slug=running, origin=version.slug)
    base = _SLUG_CLEAN.sub("-", f"{version.slug}-{(channel_name or channel_id).lower()}").strip("-")[:60]
    taken = set(store.playbook_slugs())
    new_slug = base
    n = 2
    while new_slug in taken:
        new_slug = f"{base[:57]}-{n}"
        n += 1
    kpi = dict(version.definition.get("kpi", {}))
    if baseline is not None:
        kpi["baseline"] = baseline
    if target is not None:
        kpi["target"] = target
    raw = {**version.definition, "playbook": new_slug, "channel": channel_id, "owner": owner_id or by, "kpi": kpi}
    if timezone is not None:
        raw["timezone"] = timezone
    elif "timezone" in raw:
        del raw["timezone"]  # the origin's zone is the origin's: the team runs on the org's unless it says
    try:
        spec = parse_playbook(raw)
    except DefinitionError as err:
        raise Refusal.of("not_adoptable", usage="adopt", problem=err.problems[0]) from None
    if starts_on is not None:  # a Monday from this week's on, in the team's own zone
        check_start(starts_on, calendar.local_date(now, spec.timezone or org_timezone), "adopt")
    curators = store.setting(CURATORS_CHANNEL)
    message = render(
        "adopted",
        slug=new_slug,
        channel=channel_id,
        origin=version.slug,
        version=version.version,
        by=by,
        owner=spec.owner,
        steps=spec.steps,
        inputs=spec.inputs,
        outputs=spec.outputs,
        kpi=spec.kpi,
        timezone=spec.timezone or org_timezone,
        starts_on=starts_on.isoformat() if starts_on else None,
    )
    unit = keys.adopt(new_slug)
    messages = [Message(keys.to_audience(unit, "team"), "chat.postMessage", channel_id, message)]
    if curators and curators != channel_id:
        messages.append(Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators, message))
    try:
        playbook = store.adopt(spec, version.id, version.playbook_id, org_timezone, by, now, messages)
    except Conflict:
        # Adopted at the same moment by someone else: the database let one adoption through.
        running = store.adoption_in(channel_id, version.playbook_id)
        if running is None:  # only the slug was taken meanwhile: adopt under the next free one
            again = (store, slug, version_number, channel_id, channel_name, owner_id, by, now, org_timezone)
            return adopt(*again, baseline=baseline, target=target, timezone=timezone, starts_on=starts_on)
        raise Refusal.of(
            "adopt_twice", usage="adopt", channel=channel(channel_id), slug=running, origin=version.slug
        ) from None
    if starts_on is not None:
        store.start_cycle(playbook.id, 1, starts_on, by, now)
    return message
