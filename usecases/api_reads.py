"""The reporting API's reads, for BI tools and spreadsheets (`GET /api/v1/playbooks`,
`/api/v1/playbooks/<slug>`, `/api/v1/registry`): a token with the read scope sees the
playbooks of its scope, as plain JSON data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cadence import calendar
from cadence.judgement import Interval, ratio_interval, rubric_interval
from storage.models.access import ApiToken
from storage.store import PlaybookState
from usecases import sources as pulled
from usecases import value as worth
from usecases.api_reports import note_use
from usecases.shared import depth, readiness, registry
from usecases.shared.governance import thresholds
from usecases.shared.services import Services

WEEKS_SHOWN = 12  # a playbook's weekly figures and verdicts, newest last


class NotReadable(Exception):
    """The token may not read, or not this playbook: 403."""


class NotFound(Exception):
    """No playbook by that name in the token's scope: 404."""


def _visible(token: ApiToken, slug: str) -> bool:
    return token.playbooks is None or slug in token.playbooks


def playbooks(services: Services, token: ApiToken) -> list[dict[str, Any]]:
    if not token.can_read:
        raise NotReadable(f"token {token.name} may not read")
    note_use(services, token)
    now = services.clock()
    with services.store.reading() as store:
        states = [state for state in store.playbooks.states() if _visible(token, state.playbook.slug)]
        flagged = depth.plateaus(store, states, now)
    return [_summary(state, now, flagged[state.playbook.id]) for state in states]


def playbook(services: Services, token: ApiToken, slug: str) -> dict[str, Any]:
    """One playbook: its definition, its state, and its last weeks' figures and verdicts."""
    if not token.can_read:
        raise NotReadable(f"token {token.name} may not read")
    note_use(services, token)
    with services.store.reading() as store:
        state = store.playbooks.state(slug) if _visible(token, slug) else None
        if state is None:
            raise NotFound(f"no playbook {slug}")
        now = services.clock()
        summary = _summary(state, now, depth.plateaus(store, [state], now)[state.playbook.id])
        today = calendar.local_date(now, state.playbook.timezone)
        monday = calendar.monday_of(today)
        weeks = [monday - timedelta(days=7 * i) for i in range(WEEKS_SHOWN - 1, -1, -1)]
        figures = store.reports.week_figures_many([(state, w) for w in weeks])
        history = store.governance.histories([state], max(WEEKS_SHOWN, thresholds(state).lookback_weeks))
        sourced = pulled.provenance(store, state, weeks)
        reliable = pulled.reliability(store, state, now)
        judged = readiness.latest(store.governance.history(state.playbook.id, None, 100))
        measure = worth.of_playbook(store, state, services.currency)
    verdicts = {(step.name, v.week_start): v.outcome for step in state.steps for v in history.states[step.id].verdicts}
    summary["definition"] = state.playbook.definition
    summary["input_reliability"] = None if reliable is None else reliable.share
    # the value measure: each closed week's hours saved, an estimate with its inputs (null: no value measure)
    summary["value"] = None if measure is None else dict(measure.as_data(), said=worth.words(measure))
    # the latest judgement of readiness (a scale proposal, "not yet ready" or a publish), if any
    summary["readiness"] = None if judged is None else dict(judged, at=judged["at"].isoformat())
    summary["weeks"] = [
        dict(
            week=w.isoformat(),
            kpi=figures[(state.playbook.id, w)].kpi,
            guardrail=figures[(state.playbook.id, w)].guardrail,
            steps=[
                dict(
                    step=s.name,
                    cases=s.cases,
                    exceptions=s.total_exceptions,
                    rubric=s.rubric,
                    reviewed=s.reviewed,
                    review_asked=s.asked,
                    verdict=verdicts.get((s.name, w)),
                    # each with its 95% Wilson interval on the week's cases (docs/judgement.md)
                    exception_ratio=s.total_exceptions / s.cases if s.cases else None,
                    exception_ratio_ci=_bounds(ratio_interval(s.total_exceptions, s.cases)),
                    rubric_ci=_bounds(rubric_interval(s.rubric, s.cases, s.reviewed)),
                )
                for s in figures[(state.playbook.id, w)].steps
            ],
            # provenance of its sourced numbers: the value, the source and the fetch instant, or the error
            sources=[
                dict(
                    number=item["number"],
                    source=item["source"],
                    value=item["value"],
                    fetched_at=item["at"].isoformat() if item["at"] is not None else None,
                    typed=item["typed"],
                    error=item["error"],
                )
                for item in sourced.get(w, [])
            ],
        )
        for w in weeks
    ]
    return summary


def registry_entries(services: Services, token: ApiToken) -> list[dict[str, Any]]:
    """The versions of the playbooks in the token's scope, with their adopters in it."""
    if not token.can_read:
        raise NotReadable(f"token {token.name} may not read")
    note_use(services, token)
    visible = [e for e in registry.entries(services.store, None) if _visible(token, e["slug"])]
    # the wave names adopters the token may not see, and the API's schema has no wave yet
    return [
        dict(
            {k: v for k, v in e.items() if k != "wave"},
            adopters=[a for a in e["adopters"] if _visible(token, a["slug"])],
        )
        for e in visible
    ]


def _bounds(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else dict(lower=interval.low, upper=interval.high)


def _summary(state: PlaybookState, now: Any, plateau: bool) -> dict[str, Any]:
    playbook = state.playbook
    week = None
    if state.anchor is not None:
        week = calendar.week_containing(state.running(), calendar.local_date(now, playbook.timezone))
    return dict(
        slug=playbook.slug,
        title=playbook.title,
        function=playbook.function,
        status=playbook.status,
        owner=playbook.owner_id,
        timezone=playbook.timezone,
        kpi=dict(
            name=playbook.kpi_name,
            unit=playbook.kpi_unit,
            direction=playbook.kpi_direction,
            baseline=playbook.kpi_baseline,
            target=playbook.kpi_target,
        ),
        cycle=week.cycle if week else None,
        week=week.week if week else None,
        modes={s.name: s.mode for s in state.steps},
        plateau=plateau,  # cases not grown in 8 weeks while the KPI is off target (usecases/shared/depth.py)
    )
