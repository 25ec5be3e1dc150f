"""A loosened bar loaded at the server (docs/playbooks.md, "The bar moves by decision"):
`rollout playbook load` stays the operator's path, but a file is no second person. The
part of a file's change to a playbook's bar that tightens it applies at once with the rest
(a revision, told to the team); the rest (a loosening, a mode moved up, as `/rollout mode`
would ask it) is a bar change request the file asks (`--why` its reason; refused without
one), decided by a curator on its card in the curators channel like any other
(usecases/bar_approval.py), from the first week of the next cycle once approved, and read
again then (usecases/bar_requests.py `apply_due`). Loading the same file again while it
waits asks nothing new; load ∘ export changes nothing (the export shows today's bar,
which asks for no change)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cadence import bar, bar_sort
from cadence.decisions import Decision, DecisionKind
from cadence.definition import PlaybookSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.state import PlaybookState
from storage.playbook_definitions import as_read_now
from storage.playbooks import CURATORS_CHANNEL
from storage.store import Store
from usecases import bar_approval, bar_requests
from usecases.shared import awaiting, replay_reads
from usecases.shared.told import FILE_ACTOR

_ACTOR_WIDTH = 32  # bar_request.asked_by / decided_by: a longer file name is cut there (the row names it whole)


@dataclass(frozen=True)
class Split:
    """One playbook of a file: the definition to apply now, and the changes to its bar that
    wait for the next cycle (empty: none, or the same as already wait)."""

    spec: PlaybookSpec
    state: PlaybookState | None = None
    waiting: list[bar.BarChange] = field(default_factory=list)


@dataclass(frozen=True)
class Waits:
    """A playbook's loosened bar, asked by the file: from which week if a curator approves
    it, and what."""

    slug: str
    effective: str  # "week 1 of cycle 2 (14 Dec)"
    changes: list[str]  # "exception cap 10% → 15%"


class NowInvalid(Exception):
    """What would apply now of a file's change is no valid playbook: its tightened part does
    not fit the bar in force until the loosened part applies (a guardrail's new max below
    the min that stays until then)."""

    def __init__(self, slug: str, problem: str, waiting: list[str]):
        super().__init__(problem)
        self.slug, self.problem, self.waiting = slug, problem, waiting


def split(uow: Store, spec: PlaybookSpec, at: datetime) -> Split:
    """What of `spec` applies now, sorted by its effect (cadence/bar_sort.py). A playbook
    the file creates, or one whose cycles have not begun (no week is judged yet), takes
    the whole file at once."""
    state = uow.playbooks.state(spec.playbook)
    if state is None or state.cycle_anchor is None:
        return Split(spec, state)
    before = as_read_now(state.playbook.definition)
    sorting = bar_sort.sort(before, spec.canonical(), replay_reads.history(uow, state, at))
    waiting = sorting.waiting
    if not waiting:
        return Split(spec, state)
    try:
        now = parse_playbook(bar_sort.apply_now(before, spec.canonical(), sorting))
    except DefinitionError as err:
        raise NowInvalid(spec.playbook, err.problems[0], [c.words for c in waiting]) from None
    return Split(now, state, [] if _waits_already(uow, state, waiting) else waiting)


def _waits_already(uow: Store, state: PlaybookState, waiting: list[bar.BarChange]) -> bool:
    """Whether the requests open or approved, not applied yet, already ask each of these values."""
    pending: dict[str, object] = {}
    opened = uow.bar_requests.open_for(state.playbook.id)
    for request in [*uow.bar_requests.approved(), *([opened] if opened is not None else [])]:
        if request.playbook_id == state.playbook.id:
            pending.update({c["field"]: c["new"] for c in request.changes})
    return all(c.field in pending and pending[c.field] == c.new for c in waiting)


def record(
    uow: Store, split: Split, actor: str, why: str, now: datetime, admins: frozenset[str] = frozenset()
) -> Waits:
    """The waiting changes of `split` as a request the file (`actor`) asks for the operator's
    reason (`why`, `--why`), in the load's unit of work: replacing the playbook's open request
    and what an earlier file left waiting, its decision row and the curators' card (Approve
    and Decline, for any curator: the file is nobody's own request)."""
    assert split.state is not None
    state = uow.playbooks.state_by_id(split.state.playbook.id) or split.state  # as the load left it
    playbook, file = state.playbook, actor.removeprefix(FILE_ACTOR)
    cycle, monday = bar_approval.next_cycle(state, now)
    effective = f"week 1 of cycle {cycle} ({monday:%-d %b})"
    words = [c.words for c in split.waiting]
    channel = uow.org.setting(CURATORS_CHANNEL) or playbook.channel_id
    reason = f"{bar_requests.LOADED_FROM}{file}\n{why}"  # read back by bar_requests.loaded_from and why_of
    changes = [c.to_json() for c in split.waiting]
    request = awaiting.asked(bar_requests.BAR, state, actor[:_ACTOR_WIDTH], reason, channel, now, changes=changes)
    decision = Decision(
        kind=DecisionKind.BAR_REQUESTED,
        actor=actor,
        playbook_id=playbook.id,
        summary=f"Bar change asked for {playbook.slug}, waiting for a curator: {'; '.join(words)}. "
        f"Loaded from the file {file} at the server. Why: {why}",
        figures={"changes": request.changes, "file": file, "reason": why, "effective_from": monday.isoformat()},
    )
    replaced = uow.bar_requests.loaded(request, now, FILE_ACTOR)
    awaiting.opened(bar_requests.BAR, uow, request, decision, state, now, replaced, effective=effective, admins=admins)
    return Waits(playbook.slug, effective, words)
