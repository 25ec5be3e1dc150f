"""The registry's decisions: a version published, adopted (on the adopter and on the
origin), let past its wave or refused, and a team's request to adopt with its outcome.
Built as every `Decision` is (cadence/decisions.py), one row of the audit trail each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from cadence.decisions import Decision, DecisionKind, DecisionRule


def of_adoption(
    playbook_id: int, slug: str, origin: str, version: int, version_id: int, definition: dict[str, Any], by: str
) -> Decision:
    """On the adopting playbook: where it came from, the version named as people name it
    ("support-replies v1"); `version_id`, the registry's row, only in the figures."""
    return Decision(
        kind=DecisionKind.ADOPTED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} adopted from {origin} v{version}.",
        figures={"version_id": version_id, "origin": origin, "version": version, "definition": definition},
    )


def of_adopted_by(origin_id: int, adopter: str, channel: str, version_id: int, by: str) -> Decision:
    """On the origin: who adopted it, where."""
    return Decision(
        kind=DecisionKind.ADOPTED_BY,
        actor=by,
        playbook_id=origin_id,
        summary=f"Adopted by {adopter} in {channel}.",
        figures={"version_id": version_id, "adopter": adopter, "channel": channel},
    )


def of_request(origin_id: int, slug: str, version: int, channel: str, by: str, figures: dict[str, Any]) -> Decision:
    """On the origin: a team asks to adopt `slug` v`version` in `channel` (its answers in the figures)."""
    return Decision(
        kind=DecisionKind.ADOPTION_REQUESTED,
        actor=by,
        playbook_id=origin_id,
        summary=f"{channel} asked to adopt {slug} v{version}.",
        figures=figures,
    )


def of_request_outcome(
    origin_id: int, slug: str, version: int, channel: str, approved: bool, by: str, figures: dict[str, Any]
) -> Decision:
    """On the origin: a request approved (the adoption ran) or declined (with its reason)."""
    return Decision(
        kind=DecisionKind.REQUEST_APPROVED if approved else DecisionKind.REQUEST_DECLINED,
        actor=by,
        playbook_id=origin_id,
        summary=f"{channel}'s request to adopt {slug} v{version} {'approved' if approved else 'declined'}.",
        figures={**figures, **({} if channel.startswith("#") else {"channel": channel})},
    )


def of_publication(
    playbook_id: int,
    slug: str,
    version: int,
    results: list[dict[str, Any]],
    scale_rule_held: bool,
    by: str,
    criteria: list[dict[str, Any]] | None = None,
    override: str | None = None,
) -> Decision:
    """A publication, with the readiness criteria it was published on; `override`: a
    curator's reason for publishing what was not ready (the rule is then "override")."""
    missing = [c["name"] for c in criteria or [] if not c["met"]]
    summary = f"{slug} v{version} published"
    rule = DecisionRule.SCALE if scale_rule_held else DecisionRule.CURATOR
    if override is not None:
        summary += f" over {', '.join(missing) or 'nothing'} missing: {override}"
        rule = DecisionRule.OVERRIDE
    return Decision(
        kind=DecisionKind.PUBLISH,
        rule=rule,
        actor=by,
        playbook_id=playbook_id,
        summary=summary,
        figures={
            "version": version,
            "cycle_results": results,
            "scale_rule_held": scale_rule_held,
            "criteria": criteria or [],
            "missing": missing,
            "override": override,
        },
    )


def of_wave(
    playbook_id: int,
    slug: str,
    version: int,
    wave: int,
    running: list[dict[str, Any]],
    by: str,
    override: str | None,
    adopter: str = "",
) -> Decision:
    """An adoption past a version's wave, on the origin (`playbook_id`): refused, or
    overridden by a curator; `adopter` names the team's channel it was for."""
    names = ", ".join(r["slug"] for r in running)
    figures = {"version": version, "wave": wave, "running": running, "override": override, "adopter": adopter}
    if override is None:
        return Decision(
            kind=DecisionKind.WAVE_REFUSED,
            rule=DecisionRule.WAVE,
            actor=by,
            playbook_id=playbook_id,
            summary=f"{slug} v{version}: adoption by {adopter} refused, {len(running)} of {wave} running ({names})",
            figures=figures,
        )
    return Decision(
        kind=DecisionKind.WAVE_OVERRIDDEN,
        rule=DecisionRule.OVERRIDE,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} v{version} adopted by {adopter} past its wave of {wave}: {override}",
        figures=figures,
    )


def of_upgrade(
    playbook_id: int, slug: str, origin: str, before: int, after: int, version_id: int, kept: dict[str, Any], by: str
) -> Decision:
    """On the adopting playbook: it moved from `origin` v`before` to v`after`, keeping
    the team's own values (`kept`, by name); `version_id`, the registry's row, in the figures."""
    own = ", ".join(f"{k} {v}" for k, v in kept.items())
    return Decision(
        kind=DecisionKind.UPGRADED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} upgraded from {origin} v{before} to v{after}" + (f", keeping its {own}." if own else "."),
        figures={"version_id": version_id, "origin": origin, "from": before, "version": after, "kept": kept},
    )


def of_baseline_week(
    playbook_id: int, week_start: date, kpi: str, declared: float, measured: float | None, reports: int
) -> Decision:
    """An adopter's baseline week closed (docs/judgement.md, "The baseline week"): the week's
    mean of `reports` KPI readings is its baseline now, measured; none reported, its first
    cycle runs against the `declared` baseline, declared, not measured."""
    if measured is None:
        summary = (
            f"Baseline week of {week_start.isoformat()}: no {kpi} reported, so cycle 1 runs against the"
            f" declared baseline {declared:g} (declared, not measured: never replicated)."
        )
    else:
        summary = (
            f"Baseline week of {week_start.isoformat()}: {kpi} {measured:g}, the mean of {reports} report"
            f"{'s' if reports != 1 else ''}, is the baseline now (measured; {declared:g} was declared)."
        )
    return Decision(
        kind=DecisionKind.BASELINE,
        rule=DecisionRule.REPLICATION,
        actor=f"rule:{DecisionRule.REPLICATION}",
        playbook_id=playbook_id,
        week_start=week_start,
        summary=summary,
        figures={"declared": declared, "measured": measured, "reports": reports},
    )


# The origin's decisions that name another team: its playbook by slug, or its channel (None).
_TEAM_NAMED: dict[str, Callable[[dict[str, Any]], list[str | None]]] = {
    DecisionKind.ADOPTED_BY: lambda f: [f.get("adopter")],
    DecisionKind.REQUEST_APPROVED: lambda f: [f.get("adopted")],
    DecisionKind.ADOPTION_REQUESTED: lambda f: [None],
    DecisionKind.REQUEST_DECLINED: lambda f: [None],
    DecisionKind.WAVE_REFUSED: lambda f: [None, *(r.get("slug") for r in f.get("running") or [])],
    DecisionKind.WAVE_OVERRIDDEN: lambda f: [None, *(r.get("slug") for r in f.get("running") or [])],
    DecisionKind.LOAD_OVERRIDDEN: lambda f: [None],
}


# The same, as the figure that names the other team's playbook by its slug, for a read that
# filters in its query (storage/governance.py): None for a decision naming a team by its
# channel (alone or beside others), which a reader scoped to some playbooks never sees.
TEAM_FIGURE: dict[str, str | None] = {
    DecisionKind.ADOPTED_BY: "adopter",
    DecisionKind.REQUEST_APPROVED: "adopted",
    DecisionKind.ADOPTION_REQUESTED: None,
    DecisionKind.REQUEST_DECLINED: None,
    DecisionKind.WAVE_REFUSED: None,
    DecisionKind.WAVE_OVERRIDDEN: None,
    DecisionKind.LOAD_OVERRIDDEN: None,
}


def teams_named(kind: str, figures: dict[str, Any]) -> list[str | None]:
    """The other teams a decision names, each as its playbook's slug, or None for a team
    named by its channel only (a request to adopt, the adopter past a wave); none for a
    decision about its own playbook alone."""
    named = _TEAM_NAMED.get(kind)  # a StrEnum's member is found by its stored value
    return [] if named is None else named(figures)
