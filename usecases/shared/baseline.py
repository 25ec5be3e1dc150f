"""An adopter's baseline week closing (docs/judgement.md, "The baseline week"): the week
before its first cycle, in which the team reported its KPI as it works today. Its close
judges no step: the week's mean KPI becomes the adopter's baseline, measured (a decision
row and the team channel told, written with the close by the tick's unit of work); a week
with no KPI reported leaves the declared baseline, declared, not measured."""

from __future__ import annotations

from datetime import timedelta

from cadence import registry_decisions, replication
from cadence.definition import read_spec
from cadence.definition_compare import Compare
from cadence.schedule import Due
from storage.governance_rows import Change, MeasuredBaseline
from storage.store import PlaybookState, Store
from templates import notices_registry
from usecases.shared.close_reads import week_of


def close(store: Store, state: PlaybookState, due: Due) -> tuple[Change, dict[str, object]]:
    """The baseline week's close, read in the close's unit of work (`store`), which has
    closed the week to reports: its change and its summary for the team channel."""
    playbook, week = state.playbook, week_of(due)
    measured, reports = store.reports.week_mean(playbook.id, week.week_start)
    declared = playbook.kpi_baseline
    change = Change(
        decisions=[
            registry_decisions.of_baseline_week(
                playbook.id, week.week_start, playbook.kpi_name, declared, measured, reports
            )
        ]
    )
    if measured is not None:
        change.baselines.append(MeasuredBaseline(playbook.id, measured))
    summary = notices_registry.baseline_closed(
        slug=playbook.slug,
        kpi_name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        declared=declared,
        measured=measured,
        reports=reports,
        cycle_starts=(week.week_start + timedelta(days=7)).isoformat(),
    )
    return change, summary


def declared(store: Store, states: list[PlaybookState]) -> dict[int, bool]:
    """Each playbook's KPI baseline: declared, not measured (cadence.replication.declared,
    the rule the registry's replication verdicts keep): an adopter's own baseline other than
    its version's, which no baseline week measured. Status, the web view's page and the API
    read say it from here; one read of the versions however many playbooks."""
    adopted = [s.playbook.adopted_from_id for s in states if s.playbook.adopted_from_id]
    versions = store.registry.versions_by_id(adopted) if adopted else {}
    found = {}
    for state in states:
        playbook = state.playbook
        version = versions.get(playbook.adopted_from_id or 0)
        found[playbook.id] = version is not None and replication.declared(
            playbook.kpi_baseline,
            read_spec(version.definition).kpi.baseline,
            Compare.of(playbook.definition) is not None,
            playbook.baseline_measured,
        )
    return found
