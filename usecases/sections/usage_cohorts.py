"""Usage cohorts' section (docs/usage-records.md, "Usage cohorts"; cadence/usage_cohorts.py):
a thread under the curators' digest comparing the KPI's movement across the cohorts of
teams by their AI tools' use, each active playbook's team in its last closed week.

Where no usage source is loaded, nothing is read past the setting and nothing is said: the
digest is the one it was. Where no team is in a cohort yet (no counts kept, every team
under its floor), nothing is said either. Team figures only: a team under its
`pulse_min_answers` people is in no cohort."""

from __future__ import annotations

from datetime import datetime

from cadence import keys, usage_cohorts
from cadence.change import Message
from cadence.state import PlaybookState
from cadence.usage_cohorts import Comparison
from storage.store import Store
from templates import notices_usage_cohorts
from usecases.sections.base import DigestOrgPart, Reading
from usecases.shared import usage_weeks
from usecases.shared.reliability import closed_weeks


def _moved(store: Store, states: list[PlaybookState], now: datetime) -> list[tuple[str | None, float | None]]:
    """Each playbook's (cohort, KPI movement) in its last closed week: the usage kept read
    once for all, their KPIs in one read."""
    weeks = {s.playbook.id: found[0] for s in states if (found := closed_weeks(s, now, 1))}
    shown = [s for s in states if s.playbook.id in weeks]
    if not shown:
        return []
    reading = usage_weeks.read(store, shown, min(weeks.values()))
    kpis = store.readouts.kpi_series(sorted(weeks), sorted(set(weeks.values())))
    moved = []
    for state in shown:
        p, week = state.playbook, weeks[state.playbook.id]
        counts = usage_cohorts.counted(reading.kept, reading.through, reading.covered, p.channel_id, week)
        cohort = usage_cohorts.team_cohort(counts or [], state.settings.pulse_min_answers)
        moved.append((cohort, usage_cohorts.movement(kpis.get((p.id, week)), p.kpi_baseline, p.kpi_target)))
    return moved


def compared(store: Store, now: datetime) -> Comparison | None:
    """The KPI's movement across the usage cohorts as of `now`; None where no usage source
    is loaded or no team is in a cohort (nothing to say)."""
    if not usage_weeks.sources_of(store):
        return None
    comparison = usage_cohorts.compare(_moved(store, store.playbooks.active_states(), now))
    return comparison if any(c.teams for c in comparison.cohorts) else None


class UsageCohortsSection(DigestOrgPart):
    name = "usage_cohorts"

    def digest_messages(self, reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
        comparison = compared(reading.store, reading.now)
        if comparison is None:
            return []
        message = notices_usage_cohorts.digest_usage_cohorts(comparison=comparison)
        return [
            Message(keys.digest_usage_cohorts(unit), "chat.postMessage", channel, {"thread_of": summary_key, **message})
        ]


SECTION = UsageCohortsSection()
