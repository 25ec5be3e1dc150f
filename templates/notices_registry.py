"""The catalogue of the registry's messages (templates/notices.py has the team's): a
version published or ready to be, a newer version offered and an upgrade done, an
adoption and its champion's checklist, a request to adopt and its answer, and what
adopters learned. One typed function per message, rendering its template with exactly
the names it declares (as templates/notices.py's do)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cadence.definition import KpiSpec, StepSpec
from cadence.definition_parts import ReplicationSpec
from cadence.versions import Change
from templates import render
from templates.notices import Payload

Results = Sequence[Mapping[str, Any]]  # a version's cycle results, as published


# ---- publishing -------------------------------------------------------------------------


def scale_proposal(
    *,
    slug: str,
    title: str,
    function: str,
    results: Results,
    criteria: Sequence[Mapping[str, Any]],
    kpi_name: str,
    kpi_unit: str,
    target: float,
    baseline: float,
    direction: str,
    status: str,
    key: str,
    version: int | None,
    decided_by: str | None,
    pulse: Mapping[str, Any] | None = None,
    changed: Sequence[str] = (),
    out_of_scope: str | None = None,
    assessment: Mapping[str, Any] | None = None,
) -> Payload:
    """ "Ready to scale", with its Publish button while `status` is open, else its outcome;
    the last cycle's pulse beside the criteria, as information (None: none). `changed`:
    what refused the last click to publish, read at the click (the card redrawn with it).
    `assessment`: the post-pilot assessment a version published now carries, each core item
    and pilot condition by its text (usecases/shared/registry_list.py, carried; None: none yet)."""
    return render("scale_proposal", **locals())


def not_ready(
    *,
    slug: str,
    title: str,
    results: Results,
    criteria: Sequence[Mapping[str, Any]],
    kpi_name: str,
    kpi_unit: str,
    target: float,
    direction: str,
    pulse: Mapping[str, Any] | None = None,
    out_of_scope: str | None = None,
) -> Payload:
    """ "KPI sustained, not yet ready": the criteria of readiness, naming the missing, and
    the last cycle's pulse and the bounded steps' out-of-scope shares beside them, as
    information (None: none)."""
    return render(
        "not_ready",
        slug=slug,
        title=title,
        results=results,
        criteria=criteria,
        missing=[c["name"] for c in criteria if not c["met"]],
        kpi_name=kpi_name,
        kpi_unit=kpi_unit,
        target=target,
        direction=direction,
        pulse=pulse,
        out_of_scope=out_of_scope,
    )


def assess_offer(*, slug: str, title: str, playbook_id: int) -> Payload:
    """To the owner, the first time a playbook is ready to scale: *Assess the pilot*
    (usecases/shared/close/assessment_offer.py)."""
    return render("assess_offer", **locals())


def published(
    *,
    slug: str,
    version: int,
    definition: Mapping[str, Any],
    results: Results,
    scale_rule_held: bool,
    by: str,
    override: str | None = None,
    over_readiness: str | None = None,
    assessment: Mapping[str, Any] | None = None,
) -> Payload:
    """A version in the registry: its mode map, numbers and results, and how to adopt it.
    `override`: a curator's reason for publishing it though the scale rule never held;
    `over_readiness`: "published over readiness: N criteria not met — <reason>";
    `assessment`: the post-pilot assessment it carries (usecases/shared/registry_list.py, carried)."""
    return render("published", **locals())


def publish_card(
    *,
    id: str,
    slug: str,
    title: str,
    owner: str,
    asked_by: str,
    criteria: Sequence[str],
    reason: str,
    state: str,
    nobody: bool,
    decided_by: str | None = None,
    version: int | None = None,
    found: Sequence[str] = (),
    void_reason: str | None = None,
    assessment: Mapping[str, Any] | None = None,
) -> Payload:
    """The curators' card of a request to publish over readiness: the criteria not met (in
    words), why, who asked; Publish and Decline while open, else the outcome. `nobody`: no
    one may decide yet (it waits); `found`: criteria not met at the last click that the card
    did not show (the click refused, the card redrawn). `assessment`: the post-pilot
    assessment a version published now carries, item by item (None: none yet)."""
    return render("publish_card", **locals())


def publish_asked(
    *, slug: str, criteria: Sequence[str], channel: str, nobody: bool = False, declined_by: str | None = None
) -> Payload:
    """The asker's reply: publishing over readiness waits for a second person (or, with
    `declined_by`, was declined)."""
    return render("publish_asked", **locals())


def over_readiness(over: Mapping[str, Any] | None) -> str | None:
    """How a version published over readiness says so wherever it is listed: "published over
    readiness: 3 criteria not met — <reason>"; None for a version published ready."""
    if not over:
        return None
    n = len(over.get("not_met") or ())
    return f"published over readiness: {n} criteri{'on' if n == 1 else 'a'} not met — {over.get('reason') or ''}"


# ---- versions: the offer and the upgrade ------------------------------------------------


def newer_version(
    *,
    slug: str,
    origin: str,
    runs: int,
    version: int,
    changes: Sequence[Change],
    results: Results,
    unit: str,
    owner: str,
    button: str,
    dm: bool = False,
) -> Payload:
    """Version `version` of the origin to an adopter running `runs`: what changed, its
    results, and the buttons; `dm` for the owner's copy."""
    return render("newer_version", **locals())


class Upgrade(Protocol):
    """An upgrade done (usecases/shared/versions.py Upgraded)."""

    @property
    def slug(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def before(self) -> int: ...
    @property
    def after(self) -> int: ...
    @property
    def kept(self) -> Mapping[str, Any]: ...
    @property
    def changes(self) -> Sequence[Change]: ...


def upgrade(*, done: Upgrade, by: str | None = None) -> Payload:
    """An adopter now runs a newer version, upgraded by `by` (None: the clicker is told,
    who knows): what it kept, what changed."""
    if by is None:
        return render("upgrade", done=done)
    return render("upgrade", done=done, by=by)


def upgrade_later(*, slug: str, version: int) -> Payload:
    """*Not now* on an offer: how to upgrade later."""
    return render("upgrade_later", **locals())


# ---- adoption ---------------------------------------------------------------------------


class LearningsPlace(Protocol):
    """Where the origin's learnings an adoption message leaves out are read (usecases/shared/adoption.py)."""

    @property
    def link(self) -> str | None: ...
    @property
    def lists(self) -> int: ...
    @property
    def all(self) -> bool: ...


def adopted(
    *,
    slug: str,
    channel: str,
    origin: str,
    version: int,
    by: str,
    owner: str,
    steps: Sequence[StepSpec],
    inputs: Sequence[str],
    outputs: Sequence[str],
    kpi: KpiSpec,
    exception_cap: float,
    rubric_threshold: float,
    timezone: str,
    starts_on: str | None,
    kit: ReplicationSpec,
    results: Results,
    learnings: Sequence[Mapping[str, Any]],
    more_learnings: int,
    learnings_at: LearningsPlace | None,
    override: str | None,
    champion: str | None,
    dm: bool = False,
    ask: Mapping[str, Any] | None = None,
    champion_default: bool = False,
    declared: bool = False,
    learned: Mapping[str, Any] | None = None,
    baseline_week: str | None = None,
    baseline_to_come: bool = False,
    over_readiness: str | None = None,
    assessment: Mapping[str, Any] | None = None,
    training_first: bool = False,
    champion_ask: bool = False,
) -> Payload:
    """A team runs a registry version: its contract, kit, the origin's results and newest
    learnings (and where the rest are), and `learned`, the note the wave before the team's
    left (its wave, note, who, when); `dm` for the new owner's copy. `ask`: its target
    asks less than the origin reached (cadence.replication.target_ask), told, not refused.
    `champion_default`: no champion was named, so the new owner is. `declared`: its own
    baseline is declared, not measured (cadence.replication.declared). `baseline_week`: the
    Monday of the week it measures its baseline in, before its first cycle (`starts_on`);
    `baseline_to_come`: no start yet, and `/rollout cycle start` will begin with that week.
    `assessment`: the origin's post-pilot assessment the version carries (its pilot conditions
    the team replaces; usecases/shared/registry_list.py, carried); None: published without one.
    `training_first`: its steps start human-led until the champion's training is done;
    `champion_ask`: the owner is the champion, asked to name another unless the team's only member."""
    return render("adopted", **locals())


class ChecklistItem(Protocol):
    """An item of a champion's checklist (usecases/shared/champions.py Item)."""

    @property
    def index(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def done(self) -> bool: ...
    @property
    def by(self) -> str | None: ...
    @property
    def on(self) -> str | None: ...
    @property
    def value(self) -> str: ...


def champion_checklist(
    *, slug: str, title: str, channel: str, by: str | None, items: Sequence[ChecklistItem]
) -> Payload:
    """The champion's DM: the kit's checklist, a button per item; `by` named them (None:
    the DM redrawn after a click)."""
    return render("champion_checklist", **locals())


# ---- requests to adopt ------------------------------------------------------------------


def adopt_asked(*, slug: str, version: int, channel: str, past: Sequence[str]) -> Payload:
    """The curator's reply when `adopt … override` past `past` became a request for
    another curator (usecases/shared/requests.py `ask_past`)."""
    return render("adopt_asked", **locals())


def request_card(
    *,
    id: str,
    slug: str,
    version: int,
    channel: str,
    requester: str,
    champion: str | None,
    answers: Mapping[str, Any],
    results: Results,
    wave: Mapping[str, Any],
    status: str,
    decided_by: str | None,
    reason: str | None,
    adopted: str | None,
    refusal: str | None,
    overridable: bool,
    ask: Mapping[str, Any] | None = None,
) -> Payload:
    """The curators' card of a request: the version's results and wave, the team's
    answers, and the buttons while it is pending (with a refusal on approve shown, and
    `overridable`: one a curator's reason passes, the button that asks it);
    `ask`: its target asks less than the origin reached (told, not refused)."""
    return render("request_card", **locals())


def request_declined(*, slug: str, version: int, channel: str, by: str, reason: str) -> Payload:
    """To the requester and the champion: the curators declined, and why."""
    return render("request_declined", **locals())


def learned_back(*, origin: str, items: Sequence[Mapping[str, Any]], more: int, link: str | None) -> Payload:
    """To the origin's owner: what its adopters learned since the last time."""
    return render("learned_back", **locals())


# ---- waves ------------------------------------------------------------------------------


def wave_replicated(
    *, adopter: str, channel: str, slug: str, version: int, cycle: int, wave: int, button: str
) -> Payload:
    """To the origin's owner: a team of the version's wave replicated, with *Learnings
    reviewed*, which opens the next wave."""
    return render("wave_replicated", **locals())


def wave_reviewed(
    *, slug: str, wave: int, stored: bool, by: str, note: str | None, at: str, now: Mapping[str, Any]
) -> Payload:
    """The answer to a mark of a playbook's wave's learnings reviewed (the command's, the note's form's)."""
    return render("wave_reviewed", **locals())


def baseline_closed(
    *,
    slug: str,
    kpi_name: str,
    unit: str,
    declared: float,
    measured: float | None,
    reports: int,
    cycle_starts: str,
) -> Payload:
    """To the team channel as an adopter's baseline week closes: the KPI's mean that week is
    its baseline now, measured; or nothing was reported, and the declared one stays."""
    return render("baseline_closed", **locals())


def readiness_news(*, slug: str, title: str, criteria: Sequence[Mapping[str, Any]]) -> Payload:
    """To a playbook's owner, once: the readiness rules changed (issue 81), and the
    criteria (usecases/shared/readiness.py) its readiness now misses, the ❌ lines."""
    missing = [c for c in criteria if not c["met"]]
    return render(
        "readiness_news", slug=slug, title=title, criteria=criteria, missing=missing, missing_criteria=missing
    )
