"""The same learning, not paid twice (docs/programme.md): before a playbook is made (`/rollout
new`, the intake) or adopted into a new function, the published versions and active playbooks
it closely matches. A close match measures the same KPI (name and unit) or shares most of its
steps. Pure: the candidates come in as data, the matches and their words go out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cadence.decisions import Decision, DecisionKind

_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Described:
    """What is compared of a playbook or a version: its name, title, function, KPI and steps."""

    slug: str
    title: str
    function: str
    kpi_name: str
    kpi_unit: str
    steps: tuple[str, ...]
    version: int | None = None  # a published version's number; None: an active playbook


@dataclass(frozen=True)
class Match:
    other: Described
    same_kpi: bool
    shared_steps: tuple[str, ...]

    @property
    def words(self) -> str:
        """ "support-replies v2 (Support) measures the same First-response time" """
        o = self.other
        name = f"{o.slug} v{o.version}" if o.version is not None else o.slug
        said = [f"measures the same {o.kpi_name}"] if self.same_kpi else []
        if self.shared_steps:
            said.append(f"shares {len(self.shared_steps)} of its {len(o.steps)} steps ({', '.join(self.shared_steps)})")
        return f"{name} ({o.function}) {' and '.join(said)}"


def key(text: str) -> str:
    """A name as compared: case, spacing and punctuation left out ("First-response time" is
    "first response time")."""
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def match(new: Described, other: Described) -> Match | None:
    """A close match, or None: the same KPI name and unit, or more than half of the new
    playbook's steps among the other's."""
    same_kpi = key(new.kpi_name) == key(other.kpi_name) and key(new.kpi_unit) == key(other.kpi_unit)
    theirs = {key(s) for s in other.steps}
    shared = tuple(s for s in new.steps if key(s) in theirs)
    most = bool(new.steps) and len(shared) * 2 > len(new.steps)
    if not (same_kpi or most):
        return None
    return Match(other, same_kpi, shared if most else ())


def matches(new: Described, others: list[Described]) -> list[Match]:
    """Every close match, the closest first: the same KPI before steps alone, more steps in
    common first, then published versions before active playbooks, then by name."""
    found = [m for other in others if other.slug != new.slug and (m := match(new, other)) is not None]
    return sorted(
        found,
        key=lambda m: (
            not m.same_kpi,
            -len(m.shared_steps),
            m.other.version is None,
            m.other.slug,
            m.other.version or 0,
        ),
    )


def created_anyway(playbook_id: int, slug: str, shown: list[str], reason: str, by: str) -> Decision:
    """Kept beside a playbook's creation: the close matches it was shown, and why it was made
    all the same."""
    return Decision(
        kind=DecisionKind.CREATED_ANYWAY,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} created though {'; '.join(shown)}: {reason}",
        figures={"similar": shown, "reason": reason},
    )
