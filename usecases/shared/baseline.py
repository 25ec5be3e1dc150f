"""An adopter's KPI baseline: declared, or measured by its baseline week (docs/judgement.md,
"The baseline week"; its close is a rule of the close's, usecases/shared/close/baseline_week.py)."""

from __future__ import annotations

from cadence import replication
from cadence.definition import read_spec
from cadence.definition_compare import Compare
from cadence.state import PlaybookState
from storage.store import Store


def declared(store: Store, states: list[PlaybookState]) -> dict[int, bool]:
    """Each playbook's KPI baseline: declared, not measured (cadence.replication.declared,
    the rule the registry's replication verdicts keep): an adopter's own baseline other than
    its version's, which no baseline week measured. Its section (usecases/sections/baseline.py)
    shows it on status, the web page and in the API; one read of the versions however many
    playbooks."""
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
