"""What a sponsor asks first (the web overview's first screen): how many playbooks are on
track, at risk or stalled, and how far each got on the way from a pilot to a result
other teams replicated. Plain functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable

from cadence.figures import meets_target

ON_TRACK, AT_RISK, STALLED, NOT_JUDGED = "on track", "at risk", "stalled", "not judged yet"
STANDINGS = (ON_TRACK, AT_RISK, STALLED)
SHOWN_FIRST = {STALLED: 0, AT_RISK: 1, NOT_JUDGED: 2, ON_TRACK: 3}  # the order lists show them in

PILOT, READY, PUBLISHED, ADOPTED, REPLICATED = "pilot", "ready", "published", "adopted", "replicated"
STAGES = (PILOT, READY, PUBLISHED, ADOPTED, REPLICATED)


def standing(
    closed_weeks: list[float | None],
    target: float,
    direction: str,
    last_cycle_hit: bool | None,
    stalled: bool,
    status: str = "active",
) -> str:
    """A playbook's standing, the one definition the web overview and the digest share
    (PRODUCT's "for the sponsor, at a glance"): a paused or retired playbook (`status`)
    is `not judged yet`, as nothing of it runs; else `stalled` by the stall rule
    (cadence.judgement, recorded at each cycle's close), counted there only; `on track`
    when the running cycle's closed weeks (`closed_weeks`, their KPI or None where none
    was reported) met the target in at least half of them, or the last completed cycle
    hit it; `at risk` otherwise. `not judged yet` too when no week of its first cycle has
    closed (no closed week and no completed cycle): there is nothing to judge."""
    if status != "active":
        return NOT_JUDGED
    if stalled:
        return STALLED
    if _half_met(closed_weeks, target, direction):
        return ON_TRACK
    if last_cycle_hit:
        return ON_TRACK
    if not closed_weeks and last_cycle_hit is None:
        return NOT_JUDGED
    return AT_RISK


def _half_met(closed_weeks: list[float | None], target: float, direction: str) -> bool:
    """The running cycle has closed weeks, and at least half of them met the target."""
    met = sum(1 for v in closed_weeks if v is not None and meets_target(v, target, direction))
    return bool(closed_weeks) and 2 * met >= len(closed_weeks)


def running_closed(cycle_values: list[float | None], cycle_ended: bool) -> list[float | None]:
    """The running cycle's closed weeks, from the weeks of the cycle of a playbook's last
    closed week so far (`cycle_values`): none once that week ended its cycle (the next one
    runs and has closed nothing yet; the last cycle's result judges it then)."""
    return [] if cycle_ended else cycle_values


def stage(ready: bool, published: bool, adopted: bool, replicated: bool) -> str:
    """The furthest stage a playbook reached: `replicated` (a team that adopted one of
    its versions replicated its result), `adopted` (another team adopted a version),
    `published` (a version in the registry), `ready` (proposed for scaling: the scale
    rule held and every criterion of readiness was met), else `pilot`. A later stage
    counts even where an earlier one left no record (a curator's publish with an
    override is `published`, not `ready` first)."""
    for reached, name in ((replicated, REPLICATED), (adopted, ADOPTED), (published, PUBLISHED), (ready, READY)):
        if reached:
            return name
    return PILOT


def funnel(stages: Iterable[str]) -> list[tuple[str, int, int]]:
    """Per stage, in order: how many playbooks stopped there (their furthest stage) and
    how many reached it or went further."""
    at = {name: 0 for name in STAGES}
    for s in stages:
        at[s] += 1
    rows = []
    beyond = 0
    for name in reversed(STAGES):
        beyond += at[name]
        rows.append((name, at[name], beyond))
    return list(reversed(rows))


def counts(standings: Iterable[str]) -> dict[str, int]:
    """How many playbooks stand where: every standing, zero included."""
    found = {name: 0 for name in (*STANDINGS, NOT_JUDGED)}
    for s in standings:
        found[s] += 1
    return found
