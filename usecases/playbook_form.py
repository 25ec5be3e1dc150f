"""Playbooks made where the team works: `/rollout new` creates a playbook from a form, and
`/rollout edit` (or a stall card's *Refine* and *Re-scope*) opens one to revise it (what
a revision does when submitted: usecases/playbook_revision.py). Every check of
`rollout playbook load` applies (cadence/definition.py; the answers and the definition
they make: usecases/playbook_answers.py); a problem is raised as `FormProblems`, each on
the form's field that can fix it, and nothing is stored."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from cadence import calendar, cycle_decisions, setup_decisions, similarity
from cadence.change import Change, Message
from cadence.definition import CHANNEL_RE, PlaybookSpec
from cadence.definition_load import parse_playbook
from cadence.similarity import Described
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable
from storage.made import fingerprint
from storage.playbooks import CURATORS_CHANNEL, Conflict
from templates import notices
from templates.refusals import Refusal
from usecases import intake_form as pilot
from usecases import operator
from usecases import value_form as worth
from usecases.playbook_answers import Answers, FormProblems, shown, slug_for, spec_of
from usecases.shared import life, similar
from usecases.shared.caller import Caller
from usecases.shared.roles import channel as channel_mention
from usecases.shared.services import Services

# The form's fields (their block ids), in the order a stall's answer opens them at.
FIELDS = (
    "title",
    "function",
    "channel",
    *pilot.FIELDS[:3],  # before the KPI: is the work worth a pilot?
    *worth.FIELDS[:2],  # the value event (required on new) and the minutes each saves
    *pilot.SELF_CHECK,  # and the rest of the self-check before a pilot (new only)
    "kpi_name",
    "kpi_unit",
    "direction",
    "baseline",
    "target",
    "steps",
    "cap",
    "rubric",
    "timezone",
    "guardrail_name",
    "guardrail_bound",
    "guardrail_value",
    *worth.FIELDS[2:],
    "start",
)
FOCUS = {  # a stall's *Refine* opens the form at the steps, cap and rubric; *Re-scope* at the KPI
    "refine": ("steps", "cap", "rubric"),
    "rescope": ("kpi_name", "kpi_unit", "direction", "baseline", "target"),
}
MAX_INPUT = 3000  # Slack's plain_text_input holds at most 3,000 characters


@dataclass(frozen=True)
class Form:
    """A form to open: its values (as the fields show them) and its metadata."""

    values: dict[str, str]
    metadata: dict[str, Any]
    functions: list[str] = field(default_factory=list)
    slug: str | None = None  # an edit's
    adopted_from: str | None = None  # an adopted playbook's origin: the override field shows
    focus: str | None = None
    currency: str = "USD"  # ROLLOUT_CURRENCY: what the cost is given in (the field's hint)


@dataclass(frozen=True)
class Created:
    slug: str
    starts_on: date
    channel: str
    warning: str | None = None  # "funding a demo? …" (cadence/definition_intake.py)
    replicates: str | None = None  # the published version its self-check names: its kit starts from it


@dataclass(frozen=True)
class Revised:
    slug: str
    changes: list[str]  # empty: nothing changed, nothing recorded
    waiting: list[str] = field(default_factory=list)  # the bar's changes asked of the curators
    # the people and channels the changes name by id, which the reply shows as mentions
    named: frozenset[str] = frozenset()


# ---- who may ----


def require_creator(caller: Caller) -> None:
    if caller.services.creators == "curators" and not caller.store.org.is_curator(caller.user_id):
        raise Refusal.of("creators_curators", usage="new")


# ---- opening ----


def new_form(caller: Caller) -> Form:
    """`/rollout new`: an empty form with the defaults (the submitter's Slack zone, the next
    Monday in it, a 10% exception cap and a 90% rubric threshold)."""
    require_creator(caller)
    zone = caller.services.org_timezone
    with contextlib.suppress(DirectoryUnavailable):  # else the org's zone, as the field says
        zone = caller.services.directory.person(caller.client, caller.user_id).timezone or zone
    values = dict.fromkeys(FIELDS, "")
    values.update(
        direction="down",
        cap="10%",
        rubric="90%",
        timezone=zone,
        guardrail_bound="min",
        channel=caller.channel_id if re.fullmatch(CHANNEL_RE, caller.channel_id) else "",  # where it was typed
        start=calendar.next_monday(calendar.local_date(caller.now, zone)).isoformat(),
    )
    return Form(values, {"new": True}, functions=_functions(caller), currency=caller.services.currency)


def edit_form(caller: Caller, slug: str, focus: str | None = None, stall: tuple[int, int] | None = None) -> Form:
    """`/rollout edit <playbook>` (owner or curator), or a stall's answer (`stall`: the
    playbook and the cycle that stalled): the form, filled in with the playbook now."""
    state = caller.playbook(slug, "edit") if stall is None else by_id(caller, stall[0])
    return _edit_form(caller, state, focus, stall)


def by_id(caller: Caller, playbook_id: int) -> PlaybookState:
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("no_playbook", slug=str(playbook_id))
    return state


def _edit_form(caller: Caller, state: PlaybookState, focus: str | None, stall: tuple[int, int] | None) -> Form:
    caller.require_owner_or_curator(state, "edit")
    life.refuse_unless_running(state, "edit")
    spec = state.spec
    modes = {s.name: s.mode for s in state.steps}
    steps = "\n".join(
        f"{s.name}: {modes.get(s.name, s.mode)}"
        + (" pinned" if s.pinned else "")
        + (f" out of scope: {'; '.join(s.boundaries)}" if s.boundaries else "")  # strict boundaries
        for s in spec.steps
    )
    if len(steps) > MAX_INPUT:
        raise Refusal.of(
            "made_too_long", slug=state.playbook.slug, what=f"its steps take {len(steps):,} characters; 3,000 fit"
        )
    kpi, guardrail, value, cost = spec.kpi, spec.guardrail, spec.value, spec.cost
    values = dict.fromkeys(FIELDS, "")
    values.update(
        title=spec.title,
        function=spec.function,
        channel=spec.channel,
        kpi_name=kpi.name,
        kpi_unit=kpi.unit,
        direction=kpi.direction,
        baseline=_written(kpi.baseline),
        target=_written(kpi.target),
        steps=steps,
        cap=_share(spec.exception_cap),
        rubric=_share(spec.rubric_threshold),
        timezone=spec.timezone or state.playbook.timezone,
        guardrail_name=guardrail.name if guardrail else "",
        guardrail_bound="max" if guardrail and guardrail.max is not None and guardrail.min is None else "min",
        guardrail_value=_written(guardrail and (guardrail.min if guardrail.min is not None else guardrail.max)),
        value_event=value.event if value else "",
        value_minutes=_written(value.minutes_saved if value else None),
        cost=_written(cost.per_month if cost else None),
        **pilot.shown(spec.intake),
    )
    metadata: dict[str, Any] = {"playbook": state.playbook.id, "opened": fingerprint(state.playbook.definition)}
    if stall is not None:
        metadata["stall"] = [stall[0], stall[1], focus]
    origin = origin_of(caller, state)
    functions = _functions(caller)
    return Form(values, metadata, functions, state.playbook.slug, origin, focus, caller.services.currency)


def _functions(caller: Caller) -> list[str]:
    return sorted({s.playbook.function for s in caller.store.playbooks.listed_states()})


def _written(value: Any) -> str:
    """A number as a person types it, every digit kept (1234567.5, not 1.23457e+06), so that
    a form submitted unchanged changes nothing."""
    if value is None:
        return ""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _share(value: Any) -> str:
    """A share as a percentage, every digit kept: 0.1234567 → 12.34567%."""
    text = format(Decimal(repr(float(value))) * 100, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def as_read_now(state: PlaybookState) -> dict[str, Any]:
    return parse_playbook(state.playbook.definition).canonical()


def origin_of(caller: Caller, state: PlaybookState) -> str | None:
    origin_id = state.playbook.adopted_origin_id
    if origin_id is None:
        return None
    origin = caller.store.playbooks.state_by_id(origin_id)
    return origin.playbook.slug if origin is not None else "its origin"


# ---- submitting ----


def similar_to(caller: Caller, answers: Answers) -> similar.Found | None:
    """The published versions and active playbooks a new playbook's answers closely match
    (usecases/shared/similar.py); None: none."""
    new = Described(
        "", answers.title, answers.function, answers.kpi_name, answers.kpi_unit, tuple(s.name for s in answers.steps)
    )
    return similar.found(caller.store, new)


def create(caller: Caller, answers: Answers, anyway: tuple[list[str], str] | None = None) -> Created:
    """`/rollout new`'s submission: the playbook with its first cycle, the mode map to the
    team channel and one line to the curators, in one unit of work; `anyway`: the close
    matches it was shown and why it is made all the same (usecases/shared/similar.py), kept."""
    require_creator(caller)
    renamed = next((s for s in answers.steps if s.was is not None), None)
    if renamed is not None:  # nothing to rename yet
        raise FormProblems({"steps": Refusal.of("made_step_was_new", step=renamed.name)})
    steps = [s.declared() for s in answers.steps]
    for attempt in range(5):
        slug = slug_for(answers.title, set(caller.store.playbooks.slugs()))
        raw = shown(caller, answers, {"playbook": slug, "owner": caller.user_id, "steps": steps})
        spec = spec_of(raw)
        zone = spec.timezone or caller.services.org_timezone
        starts_on = answers.starts_on or calendar.next_monday(calendar.local_date(caller.now, zone))
        try:
            life.check_start(starts_on, calendar.local_date(caller.now, zone), "new")
        except Refusal as refusal:
            raise FormProblems({"start": refusal}) from None
        require_bot_in(caller, spec.channel)
        messages = _announcements(caller, spec, starts_on, zone)
        try:
            with caller.store.unit_of_work() as uow:
                made = uow.made.create(spec, caller.services.org_timezone, caller.user_id, caller.now, starts_on)
                created = [
                    setup_decisions.of_playbook_created(
                        made.playbook_id, spec.playbook, spec.canonical(), caller.user_id
                    ),
                    cycle_decisions.of_cycle_started(made.playbook_id, 1, starts_on, caller.user_id),
                ]
                if anyway is not None:
                    created.append(similarity.created_anyway(made.playbook_id, spec.playbook, *anyway, caller.user_id))
                uow.governance.apply(Change(decisions=created, messages=messages), caller.now)
                uow.commit()
        except Conflict:  # outside the unit of work, which the taken slug spoiled
            if attempt == 4:
                raise
            continue  # the slug was taken a moment ago: the next free one
        return Created(spec.playbook, starts_on, spec.channel, pilot.warning(spec), pilot.replicates(spec))
    raise AssertionError("unreachable")


def require_bot_in(caller: Caller, channel_id: str) -> None:
    try:
        absence = caller.services.directory.bot_absence(caller.client, channel_id)
    except DirectoryUnavailable:
        raise FormProblems({"channel": Refusal.of("slack_busy_channel")}) from None
    if absence is not None:
        raise FormProblems(
            {"channel": Refusal.of("made_bot_not_in_channel", channel=channel_mention(channel_id), error=absence)}
        )


def _announcements(caller: Caller, spec: PlaybookSpec, starts_on: date, zone: str) -> list[Message]:
    unit = f"made:{spec.playbook}"
    made = notices.playbook_made(spec=spec, starts_on=starts_on, timezone=zone, for_curators=False)
    messages = [Message(f"{unit}>team", "chat.postMessage", spec.channel, made)]
    curators = caller.store.org.setting(CURATORS_CHANNEL)
    if curators and curators != spec.channel:
        line = notices.playbook_made(
            spec=spec, starts_on=starts_on, timezone=zone, for_curators=True, warning=pilot.warning(spec)
        )
        messages.append(Message(f"{unit}>curators", "chat.postMessage", curators, line))
    return messages


# ---- as code ----


def yaml_download(services: Services, slug: str) -> tuple[str, str] | None:
    """The web view's playbook page offers its YAML (who may see it: who may see the page,
    any signed-in person): the file's name and text, as `rollout playbook export` prints
    it; None for no such playbook (404)."""
    state = services.store.playbooks.state(slug)
    if state is None:
        return None
    return f"{slug}.yaml", operator.export_yaml(services.store, [slug])
