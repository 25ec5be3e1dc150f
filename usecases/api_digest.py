"""The curators' weekly digest as data (`GET /api/v1/digest`, and an assistant's `digest`
tool): the figures Monday's digest is made of (usecases/digest.py, cadence/digest.py),
as of now, for the playbooks the reader may read, by function, stalled and at risk first,
each on its latest closed week; and the org's header, for a reader of every playbook
(the header counts the whole org, which a token scoped to some playbooks may not see).
Nothing is drawn, nothing is sent."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from cadence import calendar, sponsor
from cadence.digest import OrgWeek, PlaybookDigest, by_function
from usecases import sections
from usecases.api_reads import Reader, may_read, of_function, visible
from usecases.digest import Digest
from usecases.shared.services import Services


def digest(services: Services, token: Reader, function: str | None = None) -> dict[str, Any]:
    """The digest's figures as of now (of one function, or all)."""
    may_read(services, token)
    now = services.clock()
    monday = calendar.monday_of(calendar.local_date(now, services.org_timezone))
    wanted = of_function(function)
    with services.store.reading() as store:
        org, digests, _weeks = Digest(
            store, charts=False, currency=services.currency, hourly_rate=services.hourly_rate
        ).figures(monday, now)
    shown = [d for d in digests if visible(token, d.slug) and wanted(d.week.function)]
    return dict(
        week_of=(monday - timedelta(days=7)).isoformat(),
        org=_org(org, digests) if token.playbooks is None else None,
        functions=[
            dict(function=name, playbooks=[_playbook(d) for d in members])
            for name, members in by_function(shown).items()
        ],
    )


def _org(org: OrgWeek, digests: list[PlaybookDigest]) -> dict[str, Any]:
    return dict(
        active_playbooks=org.active_playbooks,
        at_risk=sum(1 for d in digests if d.standing == sponsor.AT_RISK),
        stalled=sum(1 for d in digests if d.standing == sponsor.STALLED),
        cycles_completed_week=org.cycles_completed_week,
        cycles_completed_total=org.cycles_completed_total,
        versions_published_week=org.versions_published_week,
        versions_published_total=org.versions_published_total,
        adoptions=org.adoptions,
        exception_ratio=org.exception_ratio,
        exception_ratios=list(org.exception_ratios),
        dms_sent=org.dms_sent,
        checked_in=org.checked_in,
        attestation=org.attestation,
        value_measured=org.value_measured,
        hours_saved=org.hours_saved,
        cost_per_hour=org.cost_per_hour,
        no_cost_per_hour=org.no_cost_per_hour,
        cost_left_out=org.cost_left_out,
        currency=org.currency,
        net_hours=org.net_hours,
        oversight_hours=org.oversight_hours,
        cost_per_net_hour=org.cost_per_net_hour,
        net_value=org.net_value,
        net_said=org.net_said,
        carried_by_one=[dict(playbook=slug, person=person, share=share) for slug, person, share, _, _ in org.heroes],
        **sections.digest_api(org.parts),  # the fields of the header parts that carry their own model
    )


def _playbook(d: PlaybookDigest) -> dict[str, Any]:
    w = d.week
    origin = w.origin
    return dict(
        slug=w.slug,
        title=w.title,
        function=w.function,
        status=w.status,
        standing=d.standing,
        kpi=dict(
            name=w.kpi_name,
            unit=w.unit,
            direction=w.direction,
            baseline=w.baseline,
            target=w.target,
            latest=d.latest,
            change=d.change,
            progress=d.progress,
            weeks=list(w.kpi_series),
            cycle_mean=d.cycle_mean,
            met_weeks=list(d.met_weeks),
            rest=w.rest,
        ),
        exception_cap=w.exception_cap,
        steps=[
            dict(step=s.name, mode=s.mode, cases=s.cases, exceptions=s.exceptions, ratio=s.ratio, frozen=s.frozen)
            for s in w.steps
        ],
        dms_sent=w.dms_sent,
        checked_in=w.checked_in,
        attestation=d.attestation,
        guardrail=None
        if w.guardrail is None
        else dict(name=w.guardrail, value=w.guardrail_value, unit=w.guardrail_unit, state=w.guardrail_state),
        risks=[asdict(r) for r in d.risks],
        mode_changes=[asdict(m) for m in w.mode_changes],
        open_proposals=[asdict(p) for p in w.open_proposals],
        origin=None
        if origin is None
        else dict(
            slug=origin.slug,
            version=origin.version,
            baseline=origin.baseline,
            target=origin.target,
            latest=origin.latest,
            progress=origin.progress,
            verdict=origin.verdict,
            verdict_cycle=origin.verdict_cycle,
        ),
        stalled=w.stalled,
        plateau=w.plateau,
        owner_deactivated=w.owner_deactivated,
        last_cycle_hit=w.last_cycle_hit,
    )
