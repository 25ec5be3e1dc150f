"""A playbook revised where the team works: `/rollout edit`'s form, and a stall card's
*Refine* and *Re-scope*, submitted (`revise`) and applied (`apply_revision`) with every
check of `rollout playbook load`, refused if the playbook changed since the form was opened,
and told to its curators. Opening the forms, and creating a playbook, is
usecases/playbook_form.py's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadence import bar, bar_sort, cycle_decisions, decisions, revisions
from cadence.change import Change, Message
from cadence.definition_load import parse_playbook
from cadence.state import PlaybookState
from storage.made import Stale, fingerprint
from templates.refusals import Refusal
from usecases import bar_requests
from usecases.playbook_answers import Answers, FormProblems, field_of, shown, spec_of
from usecases.playbook_form import Revised, as_read_now, by_id, origin_of, require_bot_in
from usecases.shared import life, replay_reads, told
from usecases.shared.caller import Caller


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
    state = by_id(caller, playbook_id)
    caller.require_owner_or_curator(state, "edit")
    life.refuse_unless_running(state, "edit")
    before = as_read_now(state)
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
    before = as_read_now(state)
    spec = spec_of(raw, field_of)
    after = spec.canonical()
    revision = revisions.compare(before, after)
    if not revision.changes:
        return Revised(playbook.slug, [])
    override = _override(caller, state, before, revision, override_given)
    if after.get("channel") != before.get("channel"):
        require_bot_in(caller, spec.channel)
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
                kept_why = (why or "").strip() or None  # kept with the row: a text's diff shows it
                record = revisions.of_revision(
                    playbook.id,
                    playbook.slug,
                    revision,
                    previous,
                    after,
                    caller.user_id,
                    stall_words,
                    override,
                    kept_why,
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
        return not revisions.compare(as_read_now(state), spec_of(raw, field_of).canonical()).changes
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
            kept = {k: v for k, v in kept.items() if k != "boundaries"} | line.bounded()  # as the form says them
            steps.append({**kept, "pinned": line.pinned} if line.pinned or kept.get("pinned") else dict(kept))
        else:
            steps.append(line.declared())
    return steps


def _override(
    caller: Caller, state: PlaybookState, before: dict[str, Any], revision: revisions.Revision, given: str | None
) -> str | None:
    """An adopted playbook changes outside its kit's `may_change` only by a curator
    giving a reason (the override, recorded with the revision); None when within it."""
    origin = origin_of(caller, state)
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
