"""Adopting a registry version: a curator starts another team on it, with the team's own
numbers and zone where the version's kit lets them differ, within the version's wave
(publishing and the registry's list are usecases/shared/registry.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import (
    calendar,
    champion_gate,
    cycle_decisions,
    keys,
    registry_decisions,
    replication,
    setup_decisions,
    similarity,
)
from cadence.change import Change, Message
from cadence.decisions import Decision
from cadence.definition import MODES, PlaybookSpec, read_spec
from cadence.definition_compare import Compare
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.inputs import names
from storage.models.governance import RegistryVersion
from storage.store import CURATORS_CHANNEL, Conflict, RequestDecided, Store, WaveFull
from templates import notices_registry
from templates.refusals import Refusal, close_matches
from usecases.shared import adopt_offer, champions, phases, registry_list, team_load, waves
from usecases.shared.life import check_start, first_cycle
from usecases.shared.listings import HISTORY_LEARNINGS, PLAYBOOK_LEARNINGS, playbook_page
from usecases.shared.messages import Adopt
from usecases.shared.roles import channel, require_curator

HUMAN_LED = MODES[0]
_SLUG_CLEAN = re.compile(r"[^a-z0-9-]+")
LEARNINGS_SHOWN = 5  # in the adoption message: the origin's newest, and where to read the rest
# How `adopt` names each override (handlers/grammar_adopt.py ADOPT_OPTIONS).
_OPTION_WORDS = dict(
    baseline="baseline:", target="target:", timezone="tz:", exception_cap="cap:", rubric_threshold="rubric:"
)


@dataclass(frozen=True)
class LearningsAt:
    """Where the adopting team reads the origin's learnings that its adoption message
    leaves out: the origin's page of the web view (`link`), or else `/rollout history
    <origin>`, which list the origin's newest `lists`; `all` when that is every one."""

    link: str | None
    lists: int
    all: bool


def learnings_at(store: Store, version: RegistryVersion, web_url: str | None) -> LearningsAt:
    """The place that lists the most of the origin's learnings. Both list the origin's
    learnings as they are now, newest first: the version's, and any added since."""
    shown = sum(store.learnings.counts(version.playbook_id).values())
    if web_url:
        return LearningsAt(playbook_page(web_url, version.slug), PLAYBOOK_LEARNINGS, shown <= PLAYBOOK_LEARNINGS)
    return LearningsAt(None, HISTORY_LEARNINGS, shown <= HISTORY_LEARNINGS)


def find_version(store: Store, slug: str, version_number: int | None, usage: str) -> RegistryVersion:
    """Version `version_number` of `slug` (the latest if None), or a refusal naming what exists."""
    version = store.registry.version(slug, version_number)
    if version is not None:
        return version
    published = store.registry.versions()
    numbers = [v.version for v in published if v.slug == slug]
    if numbers and version_number is not None:  # v0 included: the versions that do exist are named
        raise Refusal.of(
            "no_version_number",
            usage=usage,
            number=version_number,
            slug=slug,
            versions=", ".join(f"{slug}@v{n}" for n in numbers),
        )
    slugs = sorted({v.slug for v in published})
    raise Refusal.of("no_version", usage=usage, suggestions=close_matches(slug, slugs), which=slug)


def check_overrides(version: RegistryVersion, cmd: Any, usage: str) -> None:
    """The team's own numbers and zone (`cmd`'s overrides that are set) only where the
    version's kit lets them differ (`may_change`)."""
    may_change = tuple(read_spec(version.definition).replication.may_change)  # () allows nothing
    given = {name for name in _OPTION_WORDS if getattr(cmd, name, None) is not None}
    refused = replication.refused_overrides(given, may_change)
    if refused:
        raise Refusal.of(
            "adopt_not_allowed",
            usage=usage,
            slug=version.slug,
            version=version.version,
            refused=", ".join(_OPTION_WORDS[name] for name in refused),
            allowed=", ".join(_OPTION_WORDS[name] for name in may_change) or "nothing",
        )


@dataclass(frozen=True)
class Approval:
    """An adoption that approves a pending request (usecases/shared/requests.py): the
    request, and what goes with the adoption, given the new playbook's slug: its
    decision row and its card's update."""

    request_id: int
    outcome: Callable[[str], tuple[Decision, list[Message]]]


def overrides_needed(store: Store, cmd: Adopt, now: datetime) -> list[str]:
    """What a curator's `override` would pass of this adoption now, in words: the wave, the
    team's load, close matches (empty: nothing; the override passes nothing). Storing
    nothing: `/rollout adopt … override` past any of them is a second person's decision
    (usecases/shared/requests.py `ask_past`)."""
    version = find_version(store, cmd.playbook, cmd.version, "adopt")
    needed = []
    if phases.needed(store, version):
        needed.append("its phase")
    if waves.past(store, version):
        needed.append("its wave")
    if team_load.full_for(store, version, cmd.channel_id, now):
        needed.append("the team's load")
    if adopt_offer.matched(store, version, cmd):
        needed.append("close matches")
    return needed


def adopt(
    store: Store,
    cmd: Adopt,
    by: str,
    now: datetime,
    org_timezone: str,
    web_url: str | None = None,
    approval: Approval | None = None,
) -> dict[str, Any]:
    """A curator starts a team on a registry version, with the team's own numbers and
    zone where the version's kit lets them differ (`may_change`), and its first cycle if
    `starts_on`. Past the version's wave (usecases/shared/waves.py) only with `override` (a curator's reason);
    into a function new to the team with close matches, the offer (adopt_offer.CloseMatches)
    unless a reason, or a match chosen from it.
    Returns the announcement, which also goes to the team channel, the curators and, with
    the kit, the new owner; past the origin's newest learnings it names where to read the
    rest (the web view's page of the origin, with `web_url`). (That the bot is in the
    channel is commands.adopt's to check: Slack says so.)"""
    version = _adoptable(store, cmd, by, approval)
    adopt_offer.refuse_if_answered(store, cmd)
    channel_id = cmd.channel_id
    adopter = f"{cmd.channel_name or channel_id} ({channel_id})"
    pilot = phases.check(store, version, cmd.override)  # before phase 2: its second pilot only (cadence/phases.py)
    wave = waves.check(store, version, by, now, cmd.override, adopter)
    loaded = team_load.check(store, version, channel_id, by, now, cmd.override, adopter)
    new_slug = _free_slug(store, version.slug, cmd.channel_name or channel_id)
    spec = _adopted_spec(version, cmd, new_slug, by)
    if cmd.starts_on is not None:  # a Monday from this week's on, in the team's own zone
        check_start(cmd.starts_on, calendar.local_date(now, spec.timezone or org_timezone), "adopt")
    # the same learning may be paid for already: the offer of the matches, unless a reason
    anyway = adopt_offer.check(store, version, cmd, approving=approval is not None)
    shown = _Shown(version, spec, cmd, by, org_timezone, wave.overridden is not None, wave.learned)
    message, messages = _announcements(store, shown, web_url)
    also = [d for d in (wave.overridden, loaded) if d is not None]
    if approval is not None:
        approved, told = approval.outcome(new_slug)
        also.append(approved)
        messages += told
    champion_id = champion_gate.champion_of(cmd.champion_id, spec.owner)[0]
    try:
        # One action, one transaction: the playbook, its decisions and messages, the request
        # it approves and its first cycle, or none of them.
        with store.unit_of_work() as uow:
            playbook = uow.registry.adopt(
                spec,
                version,
                org_timezone,
                by,
                now,
                wave_limit=min((n for n in (wave.limit, pilot) if n is not None), default=None),
                champion_id=champion_id,
                request_id=approval.request_id if approval else None,
            )
            started = []
            if cmd.starts_on is not None:
                first, baseline = first_cycle(cmd.starts_on, _compared(spec))
                try:
                    uow.playbooks.add_cycle(playbook.id, 1, first, by, now, baseline_week=baseline)
                except Conflict as err:  # no one else can start a playbook this unit of work made: a fault
                    raise RuntimeError(f"the first cycle of {spec.playbook} was not written: {err}") from err
                started.append(cycle_decisions.of_cycle_started(playbook.id, 1, first, by))
            adopted = _adoption_decisions(playbook.id, spec, version, champion_id, by)
            if anyway is not None:
                adopted.append(similarity.created_anyway(playbook.id, spec.playbook, *anyway, by))
            uow.governance.apply(Change(decisions=adopted + also + started, messages=messages), now)
            uow.commit()
    except RequestDecided:
        raise Refusal.of("request_decided_now") from None
    except WaveFull:  # another adoption took the wave's last place a moment ago: asked again, refused
        return adopt(store, cmd, by, now, org_timezone, web_url, approval)
    except Conflict:
        # Adopted at the same moment by someone else: the database let one adoption through.
        _refuse_if_adopted(store, channel_id, version)
        # only the slug was taken meanwhile: adopt under the next free one
        return adopt(store, cmd, by, now, org_timezone, web_url, approval)
    return message


def _compared(spec: PlaybookSpec) -> bool:
    return Compare.of(spec.canonical()) is not None


def _adoption_decisions(
    playbook_id: int, spec: PlaybookSpec, version: RegistryVersion, champion_id: str | None, by: str
) -> list[Decision]:
    """An adoption's decision rows: the adopter's, the origin's, and the champion named."""
    made = [
        registry_decisions.of_adoption(
            playbook_id, spec.playbook, version.slug, version.version, version.id, spec.canonical(), by
        ),
        registry_decisions.of_adopted_by(version.playbook_id, spec.playbook, spec.channel, version.id, by),
    ]
    if champion_id is not None:
        made.append(setup_decisions.of_champion(playbook_id, spec.playbook, None, champion_id, by))
    return made


def _adoptable(store: Store, cmd: Adopt, by: str, approval: Approval | None) -> RegistryVersion:
    """The version to adopt, once the caller is a curator, the team's own values are ones
    its kit lets differ, the channel does not run
    the origin already and the request approved (if any) exists."""
    require_curator(store, by, Refusal.of("curators_adopt", usage="adopt"))
    version = find_version(store, cmd.playbook, cmd.version, "adopt")
    check_overrides(version, cmd, "adopt")
    _refuse_if_adopted(store, cmd.channel_id, version)
    if approval is not None and store.registry.request(approval.request_id) is None:
        raise Refusal.of("request_unknown")
    return version


def _refuse_if_adopted(store: Store, channel_id: str, version: RegistryVersion) -> None:
    """A channel runs one adoption of an origin (not retired) at a time."""
    running = store.registry.adoption_in(channel_id, version.playbook_id)
    if running is not None:
        raise Refusal.of("adopt_twice", usage="adopt", channel=channel(channel_id), slug=running, origin=version.slug)


def _free_slug(store: Store, origin: str, channel_name: str) -> str:
    """`<origin>-<channel>`, at most 60 characters, or with `-2`, `-3`… if it is taken."""
    base = _SLUG_CLEAN.sub("-", f"{origin}-{channel_name.lower()}").strip("-")[:60]
    taken = set(store.playbooks.slugs())
    new_slug = base
    n = 2
    while new_slug in taken:
        new_slug = f"{base[:57]}-{n}"
        n += 1
    return new_slug


# The team's own values `adopt` takes: the KPI's, and the rules' at the definition's top.
_OWN_KPI = ("baseline", "target")
_OWN_RULES = ("exception_cap", "rubric_threshold")


def _adopted_spec(version: RegistryVersion, cmd: Adopt, new_slug: str, by: str) -> PlaybookSpec:
    """The version's definition as the team's: its slug, channel and owner, and its own
    numbers and zone where given. The origin's zone is the origin's: the team runs on the
    org's unless it says. A kit that requires a champion with training to do starts every
    step human-led."""
    kpi = read_spec(version.definition).kpi.model_copy(
        update={name: getattr(cmd, name) for name in _OWN_KPI if getattr(cmd, name) is not None}
    )
    raw = {
        **version.definition,
        "playbook": new_slug,
        "channel": cmd.channel_id,
        "owner": cmd.owner_id or by,
        "kpi": kpi.model_dump(mode="json", by_alias=True, exclude_none=True),
    }
    raw.update({name: getattr(cmd, name) for name in _OWN_RULES if getattr(cmd, name) is not None})
    if cmd.timezone is not None:
        raw["timezone"] = cmd.timezone
    else:
        raw.pop("timezone", None)
    try:
        spec = parse_playbook(raw)
    except DefinitionError as err:
        raise Refusal.of("not_adoptable", usage="adopt", problem=err.problems[0]) from None
    if not champions.waits_on_training(spec.replication):
        return spec
    # a trained champion before access: every step starts human-led, and goes up by the
    # rules once the champion's training is done (cadence/champion_gate.py)
    return spec.model_copy(update={"steps": [step.model_copy(update={"mode": HUMAN_LED}) for step in spec.steps]})


def target_ask(version: RegistryVersion, baseline: float | None, target: float | None) -> dict[str, Any] | None:
    """What the team's own target (the version's where not given) asks against the origin's
    change in the cycle the version was published from, when it asks less than the
    version's `replicate_share` of it; else None. Told at adopt and request, not refused."""
    if version.override_reason is not None:
        return None  # published by override: no origin change to ask against
    spec = read_spec(version.definition)
    kpi = spec.kpi
    origin = replication.origin_change(version.cycle_results, kpi.baseline)
    if origin is None:
        return None
    own = (kpi.baseline if baseline is None else baseline, kpi.target if target is None else target)
    ask = replication.target_ask(*own, kpi.direction, origin[1], spec.rules.replicate_share)
    return None if ask is None else ask.figures()


@dataclass(frozen=True)
class _Shown:
    """What the adoption's announcement is about."""

    version: RegistryVersion
    spec: PlaybookSpec
    cmd: Adopt
    by: str
    org_timezone: str
    overridden: bool
    learned: dict[str, Any] | None = None  # the note of the wave before the team's (usecases/shared/waves.py)


def _announcements(store: Store, shown: _Shown, web_url: str | None) -> tuple[dict[str, Any], list[Message]]:
    """The announcement, and its messages: to the team channel, the curators, the new
    owner (with the kit) and the champion (the checklist)."""
    version, spec, cmd, by = shown.version, shown.spec, shown.cmd, shown.by
    champion, by_default = champion_gate.champion_of(cmd.champion_id, spec.owner)
    starts_on, baseline_week = (None, None) if cmd.starts_on is None else first_cycle(cmd.starts_on, _compared(spec))
    learnings = version.learnings
    where = learnings_at(store, version, web_url) if len(learnings) > LEARNINGS_SHOWN else None

    assessment = registry_list.carried(
        store.assessments.carried([(version.id, version.playbook_id, version.published_at)]).get(version.id)
    )

    def say(dm: bool) -> dict[str, Any]:
        return notices_registry.adopted(
            slug=spec.playbook,
            channel=cmd.channel_id,
            origin=version.slug,
            version=version.version,
            by=by,
            owner=spec.owner,
            steps=spec.steps,
            inputs=names(spec.inputs),
            outputs=spec.outputs,
            kpi=spec.kpi,
            exception_cap=spec.exception_cap,
            rubric_threshold=spec.rubric_threshold,
            timezone=spec.timezone or shown.org_timezone,
            starts_on=starts_on.isoformat() if starts_on else None,
            baseline_week=baseline_week.isoformat() if baseline_week else None,
            baseline_to_come=cmd.starts_on is None and not _compared(spec),  # life.start_cycle's baseline week
            kit=spec.replication,
            results=version.cycle_results,
            learnings=learnings[:LEARNINGS_SHOWN],
            more_learnings=max(0, len(learnings) - LEARNINGS_SHOWN),
            learnings_at=where,
            override=cmd.override if shown.overridden else None,
            over_readiness=notices_registry.over_readiness(version.over_readiness),
            assessment=assessment,
            learned=shown.learned,
            champion=champion,
            champion_default=by_default,
            training_first=champions.waits_on_training(spec.replication),
            champion_ask=champion == spec.owner and champions.waits_on_training(spec.replication),
            dm=dm,
            ask=target_ask(version, spec.kpi.baseline, spec.kpi.target),
            declared=replication.declared(
                spec.kpi.baseline,
                read_spec(version.definition).kpi.baseline,
                Compare.of(version.definition) is not None,
            ),
        )

    message = say(dm=False)
    unit = keys.adopt(spec.playbook)
    curators = store.org.setting(CURATORS_CHANNEL)
    messages = [Message(keys.to_audience(unit, "team"), "chat.postMessage", cmd.channel_id, message)]
    if curators and curators != cmd.channel_id:
        messages.append(Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators, message))
    messages.append(Message(keys.to_audience(unit, "owner"), "chat.postMessage", spec.owner, say(dm=True)))
    checklist = champions.items(spec.playbook, spec.replication, {})
    if checklist:  # every adopting team has a champion: the one named, else the new owner
        dm = champions.checklist_message(spec.playbook, spec.title, cmd.channel_id, by, checklist)
        messages.append(Message(keys.to_audience(unit, "champion"), "chat.postMessage", champion, dm))
    return message, messages
