"""Monday's nudges to each active playbook's team channel, and the member weeks that
lapsed (recorded as skipped): one unit of work for all of them. None while Slack refuses
the token: when it takes it again the usual rule skips the stale ones and sends the rest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cadence import step_texts
from cadence.inputs import name_of
from cadence.schedule import Due
from cadence.state import PlaybookState
from storage.cadence_log import Work
from templates import notices_close
from usecases.clock.job import ClockJob, Tick, late, posted, skipped
from usecases.shared import publish_criteria

Nudges = tuple[list[tuple[PlaybookState, Due]], list[Work]]


def due(tick: Tick) -> Nudges | None:
    nudges: list[tuple[PlaybookState, Due]] = []
    lapsed: list[Work] = []
    for state, _, work in tick.plans:
        if state.playbook.status != "active" or tick.reads.lost:
            continue  # paused or retired: its last week still closes, and nothing goes out
        nudges += [(state, due) for due in work.nudges]
        lapsed += [
            skipped(due, "a holiday" if due.holiday else "the bot was not running during this week's slots")
            for due in work.lapsed
        ]
    return nudges, lapsed


def run(tick: Tick, work: Nudges) -> None:
    """Week 3's *Package it* names each criterion of readiness still missing, judged as
    `/rollout publish` judges it at `at`: for all of them at once."""
    nudges, lapsed = work
    packaging = {s.playbook.id: s for s, due in nudges if _sent(due) and due.week and due.week.week == 3}
    judged = publish_criteria.criteria_now(tick.store, list(packaging.values()), tick.at) if packaging else {}
    refine = _refine(tick, [(s, due) for s, due in nudges if s.playbook.id in packaging])
    tick.record(
        [_nudge(state, due, judged.get(state.playbook.id, []), refine.get(state.playbook.id)) for state, due in nudges]
        + lapsed
    )


def _refine(tick: Tick, packaging: list[tuple[PlaybookState, Due]]) -> dict[int, int]:
    """Week 3's question to the owner (docs/playbooks.md, "Prompts and rubrics as text"):
    each playbook nudged whose steps keep a prompt or rubric as text, or that had exceptions
    this cycle, with its exceptions so far (its weeks 1 to 3, read in one go)."""
    weeks = [(s, due.week.week_start - timedelta(days=7 * n)) for s, due in packaging if due.week for n in range(3)]
    figures = tick.store.reports.week_figures_many(weeks) if weeks else {}
    found: dict[int, int] = {}
    for state, week in weeks:
        pid = state.playbook.id
        found[pid] = found.get(pid, 0) + sum(s.total_exceptions for s in figures[(pid, week)].steps)
    return {pid: n for pid, n in found.items() if n or any(_keeps(s) for s, _ in packaging if s.playbook.id == pid)}


def _keeps(state: PlaybookState) -> bool:
    return step_texts.keeps_any(state.playbook.definition)


def _nudge(state: PlaybookState, due: Due, criteria: list[dict[str, Any]], refine: int | None = None) -> Work:
    if due.holiday:
        return skipped(due, "a holiday, and no working day left in the week")
    if due.stale:
        return skipped(due, f"{late(due)}: stale nudges are not sent")
    playbook = state.playbook
    message = notices_close.stage_nudge(
        slug=playbook.slug,
        title=playbook.title,
        week=due.week,
        steps=state.steps,
        kpi_name=playbook.kpi_name,
        baseline=playbook.kpi_baseline,
        target=playbook.kpi_target,
        unit=playbook.kpi_unit,
        checkin_at=_slot_words(state.settings.checkin_at),
        inputs=[name_of(given) for given in state.spec.inputs],
        outputs=state.spec.outputs,
        # the first cycle's first week names the team's champion and their checklist
        champion=playbook.champion_id if due.week and (due.week.cycle, due.week.week) == (1, 1) else None,
        playbook_id=playbook.id,  # week 3's *Package it* (usecases/kit_form.py)
        missing=[c for c in criteria if not c["met"]],
        owner=playbook.owner_id,
        refine=refine,  # week 3: what the cycle's exceptions taught about the prompt or the rubric
    )
    return posted(due, playbook.channel_id, message)


def _sent(due: Due) -> bool:
    return not (due.holiday or due.stale)


_DAY_NAMES = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}


def _slot_words(slot: str) -> str:
    day, clock = slot.split(" ")
    return f"{_DAY_NAMES[day]} {clock}"


JOB = ClockJob("nudges and lapsed weeks", due, run)
