"""Where it rolls next, and why (docs/programme.md): what could scale next, ranked by its
expected value, its fit and its risk, each with its reason. A recommendation, never a gate:
nothing here refuses anything. Pure: the candidates come in as data (usecases/next_steps.py
reads them), the ranking and its words go out.

- **Expected value** a cycle (4 weeks): the origin's net hours over its last 4 closed weeks
  where its value and oversight are measured; else the most its intake says the work could
  save (cases a week × minutes a case × 4 weeks); else unknown, ranked after every known one.
- **Fit** multiplies it: the same function as the origin ×1.25, a champion named ×1.25, the
  team over its load ×0.5 (each said; what is not known changes nothing).
- **Risk** discounts it: the origin's exception share over its last 4 closed weeks (at most
  90% off), and each open escalation at the origin ×0.8.
"""

from __future__ import annotations

from dataclasses import dataclass

from cadence import value

WEEKS_A_CYCLE = 4
SAME_FUNCTION, CHAMPION, OVER_LOAD = 1.25, 1.25, 0.5
ESCALATION = 0.8  # each open escalation at the origin
MOST_RISK = 0.9  # an exception share discounts at most this much


@dataclass(frozen=True)
class Candidate:
    """One thing that could scale next: a pending request (a team asked for a version) or a
    published version a function runs nothing of yet."""

    kind: str  # "request" | "version"
    slug: str  # the version's
    version: int
    origin_function: str
    target: str  # the requesting team's channel id, or the function not running it yet
    target_function: str | None  # the team's function (None: the team runs no playbook yet)
    champion_id: str | None = None
    net_hours: float | None = None  # the origin's over its last 4 closed weeks whose net is known
    intake_cases: float | None = None  # cases a week, the version's intake
    intake_minutes: float | None = None  # minutes a case today
    exception_share: float | None = None  # the origin's, its last 4 closed weeks
    open_escalations: int = 0
    over_load: str | None = None  # the team's load over its max, in words
    net_parts: tuple[float, float] | None = None  # net_hours' weeks' (saved, oversight) hours: the net said from them


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    value_hours: float | None  # expected hours a cycle
    weight: float  # fit × what risk keeps: the order of those whose value is unknown
    score: float | None  # value × weight; None when the value is unknown
    value: str  # each part in words, for the reason
    fit: str
    risk: str

    @property
    def reason(self) -> str:
        return f"{self.value}; {self.fit}; {self.risk}"


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def expected_value(c: Candidate) -> tuple[float | None, str]:
    """The hours a cycle it could save, and how they were found."""
    if c.net_hours is not None:
        # said as the origin's page and the overview say it: one rounding (cadence.value.net_sum)
        net = value.net_sum(*c.net_parts)[0] if c.net_parts is not None else f"{_num(c.net_hours)} h"
        return c.net_hours, f"value: {net} net a cycle at the origin"
    if c.intake_cases is not None and c.intake_minutes is not None:
        hours = c.intake_cases * c.intake_minutes / 60 * WEEKS_A_CYCLE
        return hours, (
            f"value: up to {_num(hours)} h a cycle ({_num(c.intake_cases)} cases a week × {_num(c.intake_minutes)} min)"
        )
    return None, "value: not measured (no net hours, no intake)"


def fit(c: Candidate) -> tuple[float, str]:
    factor, said = 1.0, []
    if c.target_function is None:
        said.append("a team new to playbooks")
    elif c.target_function.casefold() == c.origin_function.casefold():
        factor *= SAME_FUNCTION
        said.append(f"same function ({c.origin_function})")
    else:
        said.append(f"another function ({c.target_function}, from {c.origin_function})")
    if c.champion_id is not None:
        factor *= CHAMPION
        said.append("champion named")
    elif c.kind == "request":
        said.append("no champion named")
    if c.over_load is not None:
        factor *= OVER_LOAD
        said.append(f"over its load: {c.over_load}")
    return factor, "fit: " + ", ".join(said)


def risk(c: Candidate) -> tuple[float, str]:
    """What is kept of the value (1: no risk seen), and the risk in words."""
    kept, said = 1.0, []
    if c.exception_share is None:
        said.append("no exception share at the origin yet")
    else:
        kept *= 1 - min(c.exception_share, MOST_RISK)
        said.append(f"{c.exception_share:.0%} exceptions at the origin")
    if c.open_escalations:
        kept *= ESCALATION**c.open_escalations
        said.append(f"{c.open_escalations} open escalation{'s' if c.open_escalations != 1 else ''}")
    else:
        said.append("no open escalations")
    return kept, "risk: " + ", ".join(said)


def rank(candidates: list[Candidate]) -> list[Ranked]:
    """Best first: by score (value × fit × what risk keeps); those of unknown value after,
    by fit and risk; ties by slug, version, target and kind, so the order never wobbles."""
    ranked = []
    for c in candidates:
        hours, value_words = expected_value(c)
        factor, fit_words = fit(c)
        kept, risk_words = risk(c)
        score = None if hours is None else hours * factor * kept
        ranked.append(Ranked(c, hours, factor * kept, score, value_words, fit_words, risk_words))
    return sorted(
        ranked,
        key=lambda r: (
            r.score is None,
            -(r.score or 0.0),
            -r.weight,
            r.candidate.slug,
            r.candidate.version,
            r.candidate.target,
            r.candidate.kind,
        ),
    )
