"""Playbooks made where the team works: `/rollout new` creates a playbook from a form, and
`/rollout edit` (or a stall card's *Refine* and *Re-scope*) revises one. Every check of
`rollout playbook load` applies (cadence/definition.py; the answers and the definition
they make: usecases/playbook_answers.py); a problem is raised as `FormProblems`, each on
the form's field that can fix it, and nothing is stored."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from cadence import bar, bar_sort, calendar, cycle_decisions, decisions, revisions, setup_decisions
from cadence.definition import CHANNEL_RE, PlaybookSpec
from cadence.definition_load import parse_playbook
from slack_api.members import DirectoryUnavailable
from storage.governance_rows import Change
from storage.made import Stale, fingerprint
from storage.outbox import Message
from storage.playbooks import CURATORS_CHANNEL, Conflict
from storage.store import PlaybookState
from templates import notices
from templates.refusals import Refusal
from usecases import bar_requests, operator
from usecases import intake_form as pilot
from usecases import value_form as worth
from usecases.playbook_answers import Answers, FormProblems, field_of, shown, slug_for, spec_of
from usecases.shared import life, replay_reads, told
from usecases.shared.caller import Caller
from usecases.shared.roles import channel as channel_mention
from usecases.shared.services import Services

# The form's fields (their block ids), in the order a stall's answer opens them at.
FIELDS = (
    "title",
    "function",
    "channel",
    *pilot.FIELDS,  # before the KPI: is the work worth a pilot?
    *worth.FIELDS[:2],  # the value event (required on new) and the minutes each saves
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
    state = caller.playbook(slug, "edit") if stall is None else _by_id(caller, stall[0])
    return _edit_form(caller, state, focus, stall)


def _by_id(caller: Caller, playbook_id: int) -> PlaybookState:
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("no_playbook", slug=str(playbook_id))
    return state


def _edit_form(caller: Caller, state: PlaybookState, focus: str | None, stall: tuple[int, int] | None) -> Form:
    caller.require_owner_or_curator(state, "edit")
    life.refuse_unless_running(state, "edit")
    spec = state.spec
    modes = {s.name: s.mode for s in state.steps}
    steps = "\n".join(f"{s.name}: {modes.get(s.name, s.mode)}" + (" pinned" if s.pinned else "") for s in spec.steps)
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
    origin = _origin(caller, state)
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


def _as_read_now(state: PlaybookState) -> dict[str, Any]:
    return parse_playbook(state.playbook.definition).canonical()


def _origin(caller: Caller, state: PlaybookState) -> str | None:
    origin_id = state.playbook.adopted_origin_id
    if origin_id is None:
        return None
    origin = caller.store.playbooks.state_by_id(origin_id)
    return origin.playbook.slug if origin is not None else "its origin"


# ---- submitting ----


def create(caller: Caller, answers: Answers) -> Created:
    """`/rollout new`'s submission: the playbook with its first cycle, the mode map to the
    team channel and one line to the curators, in one unit of work."""
    require_creator(caller)
    renamed = next((s for s in answers.steps if s.was is not None), None)
    if renamed is not None:  # nothing to rename yet
        raise FormProblems({"steps": Refusal.of("made_step_was_new", step=renamed.name)})
    steps = [{"name": s.name, "mode": s.mode, **({"pinned": True} if s.pinned else {})} for s in answers.steps]
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
        _require_bot_in(caller, spec.channel)
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
                uow.governance.apply(Change(decisions=created, messages=messages), caller.now)
                uow.commit()
        except Conflict:  # outside the unit of work, which the taken slug spoiled
            if attempt == 4:
                raise
            continue  # the slug was taken a moment ago: the next free one
        return Created(spec.playbook, starts_on, spec.channel, pilot.warning(spec))
    raise AssertionError("unreachable")


def _require_bot_in(caller: Caller, channel_id: str) -> None:
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


def revise(
    caller: Caller,
    playbook_id: int,
    opened_on: str,
    answers: Answers,
    stall: tuple[int, int, str] | None = None,
) -> Revised:
    """`/rollout edit`'s submission: a revision (one decision row listing each change),
    applied from the open week; what the form does not show is kept, and existing steps
    keep their modes. Nothing changed: nothing recorded."""
    state = _by_id(caller, playbook_id)
    caller.require_owner_or_curator(state, "edit")
    life.refuse_unless_running(state, "edit")
    before = _as_read_now(state)
    raw = shown(caller, answers, {**before, "steps": _revised_steps(state, before, answers)})
    if before.get("timezone") is None and answers.timezone == state.playbook.timezone:
        raw["timezone"] = None  # the org's zone, shown in the form, stays the org's
    refuse_if_changed(caller, state, opened_on, raw)
    return apply_revision(caller, state, opened_on, raw, answers.why, answers.override, stall)


def apply_revision(
    caller: Caller,
    state: PlaybookState,
    opened_on: str,
    raw: dict[str, Any],
    why: str | None,
    override_given: str | None,
    stall: tuple[int, int, str] | None = None,
    field_of: Callable[[tuple[str | int, ...]], str] = field_of,
) -> Revised:
    """`raw` (the playbook as a form leaves it) checked as `playbook load` checks it, each
    problem on `field_of` its path, and recorded as a revision of `state` (the edit form's
    and the kit form's, usecases/kit_form.py): a bar change waits for a curator. The
    caller has refused a form opened on an older definition (`refuse_if_changed`)."""
    playbook = state.playbook
    before = _as_read_now(state)
    spec = spec_of(raw, field_of)
    after = spec.canonical()
    revision = revisions.compare(before, after)
    if not revision.changes:
        return Revised(playbook.slug, [])
    override = _override(caller, state, before, revision, override_given)
    if after.get("channel") != before.get("channel"):
        _require_bot_in(caller, spec.channel)
    sorting = bar_sort.sort(before, after, replay_reads.history(caller.store, state, caller.now))
    waiting = sorting.waiting
    curators = _curators_for(caller, waiting, why)
    if waiting:  # what makes anything easier waits for a curator; the rest applies now
        spec = parse_playbook(bar_sort.apply_now(before, after, sorting))
        after = spec.canonical()
        revision = revisions.compare(before, after)
    stall_words = f"cycle {stall[1]} stalled" if stall is not None else None
    also = []
    if stall is not None:
        answered = "; ".join([*revision.words, *(c.words for c in waiting)])
        also.append(
            cycle_decisions.of_stall_answer(
                playbook.id, playbook.slug, stall[1], stall[2], "revised: " + answered, caller.user_id
            )
        )
    try:
        with caller.store.unit_of_work() as uow:
            rewritten = uow.made.revise(
                playbook.id, opened_on, spec, caller.services.org_timezone, caller.user_id, caller.now
            )
            previous = rewritten.before if rewritten is not None else None
            if rewritten is not None and rewritten.declared:  # before the revision's row, as always
                uow.governance.apply(Change(decisions=rewritten.declared), caller.now)
            records = also if waiting else []
            messages: list[Message] = []
            if previous is not None:  # the revision's decision row, with the definitions as stored
                record = revisions.of_revision(
                    playbook.id, playbook.slug, revision, previous, after, caller.user_id, stall_words, override
                )
                records = [record, *also]
                told_why = _why(why, stall, override)
                message = told.revision(state, previous, after, caller.user_id, told_why, caller.now)
                if message is not None:
                    messages = [message]
            uow.governance.apply(Change(decisions=records, told_of_first=messages), caller.now)
            if curators is not None:  # in the revision's unit of work: a stale form stores neither
                bar_requests.ask(
                    uow, state, waiting, why or "", curators, caller.user_id, caller.now, caller.services.admins
                )
            uow.commit()
    except Stale as stale:  # changed between the check and the write
        raise _changed_since(caller, stale) from None
    words = revision.words if previous is not None else []
    named = decisions.named_ids({"before": before, "after": after})
    return Revised(playbook.slug, words, [c.words for c in waiting], named)


def refuse_if_changed(caller: Caller, state: PlaybookState, opened_on: str, raw: dict[str, Any] | None = None) -> None:
    """A form opened on an older definition than `state`'s is refused, naming who changed
    it, before the bar's classification: someone else's change would read as the form's
    own (a cap they tightened, as the form loosening it). Not a form that says what the
    playbook is now (`raw`: the same form sent again after its own save): nothing changed."""
    if fingerprint(state.playbook.definition) == opened_on or (raw is not None and _says_what_is(state, raw)):
        return
    raise _changed_since(caller, caller.store.made.last_change(state.playbook.id))


def _says_what_is(state: PlaybookState, raw: dict[str, Any]) -> bool:
    try:
        return not revisions.compare(_as_read_now(state), spec_of(raw, field_of).canonical()).changes
    except FormProblems:
        return False


def _changed_since(caller: Caller, stale: Stale) -> FormProblems:
    who = caller.store.people.names([stale.by]).get(stale.by, stale.by)
    when = f"{stale.at:%Y-%m-%d %H:%M} UTC" if stale.at else "a moment ago"
    return FormProblems({"title": Refusal.of("made_changed_since", who=who, when=when)})


def _curators_for(caller: Caller, waiting: list[bar.BarChange], why: str | None) -> str | None:
    """The curators channel a bar change request goes to (None: no request); refused on
    the form's *Why* field, nothing stored, without a reason or a curators channel."""
    if not waiting:
        return None
    try:
        return bar_requests.check(caller.store, waiting, why)
    except Refusal as refusal:
        raise FormProblems({"why": refusal}) from None


def _why(given: str | None, stall: tuple[int, int, str] | None, override: str | None) -> str | None:
    """Why a revision was made, as its team is told: the form's *Why*, the stall it answers
    (*Refine* or *Re-scope*) and a curator's reason for changing past the kit."""
    parts = [given.strip()] if given and given.strip() else []
    if stall is not None:
        parts.append(f"{STALL_ANSWERS[stall[2]]}, answering the stall of cycle {stall[1]}")
    if override:
        parts.append(f"past the kit's may_change, by a curator: {override}")
    return "; ".join(parts) or None


STALL_ANSWERS = {"refine": "Refine", "rescope": "Re-scope"}


def _revised_steps(state: PlaybookState, before: dict[str, Any], answers: Answers) -> list[dict[str, Any]]:
    """The steps as the form gives them: a step the playbook has keeps its declaration
    (pinned as the form says, once either pins it) and its mode, which the form cannot
    change (refused); a new step is declared as given."""
    modes = {s.name.lower(): s for s in state.steps}
    declared = {s["name"].lower(): s for s in before["steps"]}
    steps = []
    for line in answers.steps:
        named = line.name.lower()
        if line.was is not None and named not in declared:  # a rename: the step it was, under its new name
            if line.was.lower() not in declared or line.was.lower() not in modes:
                refusal = Refusal.of("made_step_was", step=line.name, was=line.was, slug=state.playbook.slug)
                raise FormProblems({"steps": refusal})
            named = line.was.lower()
        kept = declared.get(named)
        step = modes.get(named)
        if kept is not None and named != line.name.lower():
            kept = {**kept, "name": line.name, "was": kept["name"]}
        if kept is not None and step is not None and line.mode != step.mode:
            refusal = Refusal.of("made_step_mode", step=step.name, mode=step.mode, slug=state.playbook.slug)
            raise FormProblems({"steps": refusal})
        if kept is not None:
            steps.append({**kept, "pinned": line.pinned} if line.pinned or kept.get("pinned") else dict(kept))
        else:
            steps.append({"name": line.name, "mode": line.mode, **({"pinned": True} if line.pinned else {})})
    return steps


def _override(
    caller: Caller, state: PlaybookState, before: dict[str, Any], revision: revisions.Revision, given: str | None
) -> str | None:
    """An adopted playbook changes outside its kit's `may_change` only by a curator
    giving a reason (the override, recorded with the revision); None when within it."""
    origin = _origin(caller, state)
    if origin is None:
        return None
    may_change = list((before.get("replication") or {}).get("may_change") or [])
    outside = revision.outside(may_change)
    if not outside:
        return None
    if not given:
        raise FormProblems(
            {
                "override": Refusal.of(
                    "made_outside_kit",
                    slug=state.playbook.slug,
                    origin=origin,
                    allowed=", ".join(may_change) or "nothing",
                    changes="; ".join(c.words for c in outside),
                )
            }
        )
    if not caller.store.org.is_curator(caller.user_id):
        raise FormProblems({"override": Refusal.of("made_override_not_curator")})
    return given


# ---- as code ----


def yaml_download(services: Services, slug: str) -> tuple[str, str] | None:
    """The web view's playbook page offers its YAML (who may see it: who may see the page,
    any signed-in person): the file's name and text, as `rollout playbook export` prints
    it; None for no such playbook (404)."""
    state = services.store.playbooks.state(slug)
    if state is None:
        return None
    return f"{slug}.yaml", operator.export_yaml(services.store, [slug])
