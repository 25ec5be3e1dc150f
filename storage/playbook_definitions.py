"""A playbook's definition written (docs/playbooks.md): loaded from its file (created or
updated, `Playbooks.load`, an adoption's) or revised (storage/made.py): the columns it
sets, its steps (a renamed step keeps its history, a step no longer declared is retired,
a changed declared mode is set and its decision returned), and a stored definition read
as today's schema reads it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cadence import decisions, mode_decisions, mode_move, setup_decisions
from cadence.definition import PlaybookSpec, StepSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.inputs import names
from cadence.mode_move import Move
from storage import step_modes
from storage.models.calibration import CalibrationRun
from storage.models.playbooks import Playbook, Step


@dataclass(frozen=True)
class LoadOutcome:
    slug: str
    action: str  # created | updated | unchanged
    changes: list[str]
    # An update's definitions before (as read now) and after, for the caller to tell of it.
    before: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    after: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # What the caller records in its Change: the steps' declared modes that changed, then
    # the playbook's creation or change (what a message telling of it is keyed by).
    declared: list[decisions.Decision] = field(default_factory=list, compare=False, repr=False)
    decision: decisions.Decision | None = field(default=None, compare=False, repr=False)
    # The moves up the definition declares, not written (storage/step_modes.py): the caller's
    # to pass through cadence.mode_move, or to leave (the step keeps its mode and pin).
    ups: list[Move] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class Rewritten:
    """What `rewrite` did that the caller records: the definition before (as read now) and
    the decisions of the steps whose declared mode changed (their modes set); `ups`: the
    moves up it declares, not written (LoadOutcome.ups)."""

    before: dict[str, Any]
    declared: list[decisions.Decision]
    ups: list[Move] = field(default_factory=list)


def playbook_columns(spec: PlaybookSpec, org_timezone: str) -> dict[str, Any]:
    return dict(
        slug=spec.playbook,
        title=spec.title,
        function=spec.function,
        channel_id=spec.channel,
        owner_id=spec.owner,
        timezone=spec.timezone or org_timezone,
        kpi_name=spec.kpi.name,
        kpi_unit=spec.kpi.unit,
        kpi_direction=spec.kpi.direction,
        kpi_baseline=spec.kpi.baseline,
        kpi_target=spec.kpi.target,
        guardrail_name=spec.guardrail.name if spec.guardrail else None,
        guardrail_min=spec.guardrail.min if spec.guardrail else None,
        guardrail_max=spec.guardrail.max if spec.guardrail else None,
        rubric_threshold=spec.rubric_threshold,
        exception_cap=spec.exception_cap,
        rules={**spec.rules.model_dump(mode="json"), "rubric_floor": spec.rubric_floor()},
        inputs=names(spec.inputs),  # their names; a contract's whole is in the definition
        outputs=list(spec.outputs),
    )


def as_read_now(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as today's schema reads it, the defaults of fields added since
    it was stored filled in: an upgrade alone changes no playbook's definition."""
    try:
        return parse_playbook(stored).canonical()
    except DefinitionError:
        return stored


def add_steps(s: Session, playbook_id: int, spec: PlaybookSpec) -> None:
    """A new playbook's steps, in the order its definition declares them."""
    for position, step in enumerate(spec.steps):
        s.add(step_modes.new_step(playbook_id, step.name, position, step.mode, step.pinned))


def load_one(s: Session, spec: PlaybookSpec, org_timezone: str, actor: str, at: datetime) -> LoadOutcome:
    """One playbook of `Playbooks.load`, in the caller's unit of work; its decisions (the
    creation, or the change `of_definition_changed` and any declared mode) are the outcome's,
    for the caller's Change."""
    definition = spec.canonical()
    playbook = s.exec(select(Playbook).where(col(Playbook.slug) == spec.playbook)).first()
    if playbook is not None and as_read_now(playbook.definition) == definition:
        return LoadOutcome(spec.playbook, "unchanged", [])

    columns = playbook_columns(spec, org_timezone)
    if playbook is None:
        playbook = Playbook(**columns, definition=definition, created_at=at, updated_at=at)
        s.add(playbook)
        s.flush()
        add_steps(s, playbook.id, spec)
        created = setup_decisions.of_playbook_created(playbook.id, spec.playbook, definition, actor)
        return LoadOutcome(spec.playbook, "created", [], decision=created)

    rewritten = rewrite(s, playbook, spec, org_timezone, actor, at)
    previous = rewritten.before
    changes = sorted(k for k in set(previous) | set(definition) if previous.get(k) != definition.get(k))
    changed = setup_decisions.of_definition_changed(playbook.id, spec.playbook, changes, previous, definition, actor)
    return LoadOutcome(
        spec.playbook, "updated", changes, previous, definition, rewritten.declared, changed, rewritten.ups
    )


def rewrite(
    s: Session, playbook: Playbook, spec: PlaybookSpec, org_timezone: str, actor: str, at: datetime
) -> Rewritten:
    """A stored playbook given `spec`'s definition, in the caller's unit of work: its
    columns, its steps (a step whose declared mode changes takes it) and the steps it no
    longer has retired. The decisions, the declared modes' and the change's, are the
    caller's to record."""
    definition, previous = _write_columns(s, playbook, spec, org_timezone, at)
    declared: list[decisions.Decision] = []
    existing = {step.name: step for step in s.exec(select(Step).where(col(Step.playbook_id) == playbook.id))}
    live = {name: (step.mode, step.pinned) for name, step in existing.items() if step.retired_at is None}
    moves = {m.step: m for m in mode_move.declared(previous, definition, live)}
    ups: list[Move] = []
    for position, step_spec in enumerate(spec.steps):
        step = existing.pop(step_spec.name, None)
        if step is None:
            step = _renamed(s, playbook, existing, step_spec)
        if step is None:
            s.add(step_modes.new_step(playbook.id, step_spec.name, position, step_spec.mode, step_spec.pinned))
            continue
        _placed(step, step_spec, position)
        move = moves.get(step_spec.name)
        if move is not None and move.up:
            ups.append(replace(move, step_id=step.id))
        elif (decision := _declared(playbook, step, move, actor)) is not None:
            declared.append(decision)
        s.add(step)
    _retire(s, existing.values(), at)
    return Rewritten(previous, declared, ups)


def _write_columns(
    s: Session, playbook: Playbook, spec: PlaybookSpec, org_timezone: str, at: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The playbook's columns and definition set from `spec` (its handoff terms begun or
    ended with it). The definition now, and the one before (as read now)."""
    definition = spec.canonical()
    columns = playbook_columns(spec, org_timezone)
    previous = as_read_now(playbook.definition)
    for name, value in columns.items():
        setattr(playbook, name, value)
    playbook.definition = definition
    playbook.updated_at = at
    if spec.handoff and not previous.get("handoff"):
        # its handoff terms begin now: the items logged before are told once, in a
        # summary, not escalated one by one (usecases/escalation.py)
        playbook.handoff_since, playbook.handoff_backlog_at = at, None
    elif not spec.handoff:
        playbook.handoff_since = playbook.handoff_backlog_at = None
    s.add(playbook)
    return definition, previous


def _renamed(s: Session, playbook: Playbook, existing: dict[str, Step], step_spec: StepSpec) -> Step | None:
    """The live step `step_spec` was named before (its `was`), taken from `existing` and
    renamed: its history (by its id) and mode go with it, and its calibration runs, kept by
    name. None if it has no such step."""
    was = step_spec.was
    if was is None or was not in existing or existing[was].retired_at is not None:
        return None
    step = existing.pop(was)
    step.name = step_spec.name
    s.execute(
        update(CalibrationRun)
        .where(col(CalibrationRun.playbook_id) == playbook.id, func.lower(CalibrationRun.step) == was.lower())
        .values(step=step_spec.name)
    )
    return step


def _placed(step: Step, step_spec: StepSpec, position: int) -> None:
    """A step the definition still declares, at its position; one added back starts as a new step does."""
    if step.retired_at is not None:
        step_modes.revive(step, step_spec.mode, step_spec.pinned)
    step.position, step.retired_at = position, None


def _declared(playbook: Playbook, step: Step, move: Move | None, actor: str) -> decisions.Decision | None:
    """The step's declared mode and pin set (step_modes.declare); the decision, where its mode changed."""
    if step_modes.declare(step, move) and move is not None and move.from_mode != move.to_mode:
        return mode_decisions.of_declared_mode(playbook.id, step.id, step.name, move.from_mode, move.to_mode, actor)
    return None


def _retire(s: Session, left: Iterable[Step], at: datetime) -> None:
    """The steps the definition no longer declares, retired now (those not retired already)."""
    for step in left:
        if step.retired_at is None:
            step.retired_at = at
            s.add(step)
