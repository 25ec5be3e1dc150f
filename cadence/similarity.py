"""The same learning, not paid twice (docs/programme.md): before a playbook is made (`/rollout
new`, the intake) or adopted into a new function, the published versions and active playbooks
it closely matches. A close match measures the same KPI (name and unit, in any function) or,
within the same function, shares most of its steps: generic step names (draft, send) match
nothing across functions. Its words say why it matched. Pure: the candidates come in as data,
the matches and their words go out."""

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
    """A close match and why: the same KPI, and the steps in common (of the new playbook's
    `of` steps; () unless most of them, in the same function)."""

    other: Described
    same_kpi: bool
    shared_steps: tuple[str, ...]
    of: int = 0  # the new playbook's steps, the count "most" is of

    @property
    def words(self) -> str:
        """ "support-replies v2 (Support), same KPI First-response time (min)", "sales-desk
        (Support), 3 of 3 steps in common (draft, send, refunds)", or both, joined by "and"."""
        o = self.other
        name = f"{o.slug} v{o.version}" if o.version is not None else o.slug
        said = [f"same KPI {o.kpi_name} ({o.kpi_unit})"] if self.same_kpi else []
        if self.shared_steps:
            said.append(f"{len(self.shared_steps)} of {self.of} steps in common ({', '.join(self.shared_steps)})")
        return f"{name} ({o.function}), {' and '.join(said)}"


def key(text: str) -> str:
    """A name as compared: case, spacing and punctuation left out ("First-response time" is
    "first response time")."""
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def match(new: Described, other: Described) -> Match | None:
    """A close match, or None: the same KPI name and unit (as `key` compares them: "First
    response time" is "first-response time", "Response time" is not), in any function; or,
    in the same function, more than half of the new playbook's steps among the other's. Step
    names alone say little (every team drafts and sends), so across functions they match
    nothing; a KPI named and measured alike says the same learning is being paid for."""
    same_kpi = key(new.kpi_name) == key(other.kpi_name) and key(new.kpi_unit) == key(other.kpi_unit)
    shared: tuple[str, ...] = ()
    if key(new.function) == key(other.function):
        theirs = {key(s) for s in other.steps}
        shared = tuple(s for s in new.steps if key(s) in theirs)
    most = bool(new.steps) and len(shared) * 2 > len(new.steps)
    if not (same_kpi or most):
        return None
    return Match(other, same_kpi, shared if most else (), len(new.steps))


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
