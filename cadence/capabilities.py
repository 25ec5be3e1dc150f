"""The product's capabilities, each declared once: what it adds to each host, by name.

A capability (the pulse, value, readiness...) is its own modules in the rooms they belong
to (its words in templates/, its judges in cadence/, its use cases, its clock jobs, its
close rules and its section in usecases/, its commands and forms in handlers/) and one
`Capability(...)` entry below. Each host loops over the entries and imports the parts of
its own room by module name, in the entries' order, as Django's app registry reads
INSTALLED_APPS:

- `commands`: handlers/grammar_<name>.py, its `/rollout` rows (`ROWS`): handlers/grammar.py;
- `refusals`: templates/refusals_<name>.py, its refusals' sentences (`REFUSALS`):
  templates/refusals.py;
- `filters`: templates/<name>.py, its templates' filters (`FILTERS`): templates/__init__.py;
- `listeners`: handlers/<name>.py, its Slack listeners (`register(app, services)`): bot/app.py;
- `jobs`: usecases/clock/jobs/<name>.py, its clock job (`JOB`): usecases/clock/registry.py;
- `rules`: usecases/shared/close/<name>.py, its rule of the week's close (`RULE`):
  usecases/shared/close/registry.py;
- `sections`: usecases/sections/<name>.py, what it shows on each surface (`SECTION`):
  usecases/sections/__init__.py.

Order: a host takes the parts in the entries' order, each capability's in its own, except
where a part declares what it comes after or before (a clock job's or a close rule's
`after` and `before`, a close rule's `needs`, by the other part's `name`): `ordered` below. The sections' order is the entries' (their fields' order
in the API's JSON, their columns in playbooks.csv). tests/test_capabilities.py pins each
host's order and holds every part module to one entry.

Declared here, in the innermost room, because every room's host reads it and every room
may import cadence/: it holds names, and imports a room's parts only when that room's host
asks (`load`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Literal, TypeVar

T = TypeVar("T")

Part = Literal["commands", "refusals", "filters", "listeners", "jobs", "rules", "sections"]

# Each part's module, by the host's package and the prefix of its name.
WHERE: dict[Part, str] = {
    "commands": "handlers.grammar_",
    "refusals": "templates.refusals_",
    "filters": "templates.",
    "listeners": "handlers.",
    "jobs": "usecases.clock.jobs.",
    "rules": "usecases.shared.close.",
    "sections": "usecases.sections.",
}


@dataclass(frozen=True)
class Capability:
    name: str
    commands: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    listeners: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "cadence",  # the host's own: the weeks and their check-ins, reports, modes and people
        commands=("status", "reports", "life", "modes", "people", "forms", "calendar"),
        refusals=("words", "status", "reports", "week", "cycles", "calendar", "people", "modes", "playbooks"),
        filters=("verdict_words",),
        listeners=("commands", "actions", "governance", "views", "playbook_form", "week_form", "home", "events"),
        jobs=("nudges", "closes", "member_weeks", "owner_reminders", "names", "request_keys"),
        rules=("guardrail", "steps", "week_closed", "cycle_result"),
    ),
    Capability("sourced", rules=("source_failures", "sources_missing"), sections=("sourced",)),
    Capability("recovery", sections=("recovery",)),  # a demote_to step's way back from human-led review
    Capability("baseline", rules=("baseline_week",), sections=("baseline",)),
    Capability(
        "calibration", commands=("calibrate",), refusals=("calibration",), sections=("calibration", "step_texts")
    ),
    Capability(
        "escalation",
        listeners=("escalation",),
        jobs=("escalation_summaries", "escalations", "fallbacks"),
        sections=("escalation",),
    ),
    Capability(
        "registry",  # publishing, adopting, versions and waves
        commands=("registry", "adopt"),
        refusals=("registry", "publish", "adoption"),
        filters=("waves",),
        listeners=("adopt_offer", "kit_form", "upgrades"),
        rules=("replication",),
        sections=("adopted",),
    ),
    Capability("intake", sections=("intake",)),
    Capability("inputs", sections=("inputs",)),
    Capability(
        "queue", refusals=("exceptions",), listeners=("queue",), jobs=("exception_queues",), sections=("queue",)
    ),
    Capability("value", refusals=("value",), sections=("value",)),
    Capability("hero", sections=("hero",)),
    Capability(
        "readiness",
        filters=("readiness",),
        jobs=("readiness_news",),
        rules=("readiness_news",),
        sections=("readiness",),
    ),
    Capability("comparison", filters=("compare_words",), sections=("compare",)),
    Capability(
        "pulse",
        commands=("pulse",),
        refusals=("pulse",),
        filters=("pulse_words",),
        listeners=("pulse_form",),
        rules=("pulse_hold", "pulse"),
        sections=("pulse",),
    ),
    Capability("stall", rules=("stall",), sections=("stall",)),
    Capability("depth", sections=("depth",)),
    Capability("bar", refusals=("bar",), jobs=("bar_changes",), rules=("bar",), sections=("bar_request",)),
    Capability("setup", refusals=("setup_said",), listeners=("setup_said_form",), sections=("setup",)),
    Capability("champion", sections=("champion",)),
    Capability("next steps", commands=("next",), refusals=("next",), sections=("next_steps",)),
    Capability(
        "learnings",
        commands=("learn",),
        refusals=("learnings", "similar"),
        jobs=("learning_prompts", "learned_back"),
        sections=("learned",),
    ),
    Capability("boundaries", refusals=("boundaries",), sections=("boundaries",)),
    Capability("team load", refusals=("team_load",), sections=("team_load",)),
    Capability(
        "assessment",
        commands=("assess",),
        refusals=("assess",),
        listeners=("assess_form",),
        rules=("assessment_offer",),
    ),
    Capability("assistant", refusals=("assistant",)),
    Capability("digest", jobs=("digests",)),
    Capability("usage", rules=("usage",), sections=("usage", "usage_cohorts", "licenses")),
)


def modules(part: Part) -> list[tuple[str, str]]:
    """Each capability's modules of `part`, (capability, dotted module name), in the
    entries' order."""
    return [(c.name, WHERE[part] + name) for c in CAPABILITIES for name in getattr(c, part)]


def load(part: Part, attribute: str, kind: type[T], optional: bool = False) -> list[T]:
    """Each capability's `part`, the `attribute` of its module (`JOB`, `SECTION`...), in the
    entries' order; one not of `kind` raises TypeError. With `optional`, a module without
    the attribute is passed over (a section shown on some surfaces only: `STATUS`, `PAGE`...).
    Called by the part's host alone, which is in the parts' room (tests/test_capabilities.py)."""
    found = []
    for _, module in modules(part):
        loaded = import_module(module)
        if optional and not hasattr(loaded, attribute):
            continue
        value = getattr(loaded, attribute)
        if not isinstance(value, kind):
            raise TypeError(f"{module}.{attribute} is not a {kind.__name__}")
        found.append(value)
    return found


def _predecessors(
    parts: Sequence[T],
    name: Callable[[T], str],
    after: Callable[[T], Iterable[str]],
    before: Callable[[T], Iterable[str]],
) -> dict[str, set[str]]:
    """Each part's name with the names it comes after (its own `after`, and each part
    whose `before` names it); a name declared twice, or one no part has, raises ValueError."""
    names = [name(p) for p in parts]
    if len(set(names)) != len(names):
        raise ValueError(f"a name declared twice: {sorted(n for n in names if names.count(n) > 1)}")
    wanted = {name(p): set(after(p)) for p in parts}
    for p in parts:
        for later in before(p):
            wanted.setdefault(later, set()).add(name(p))
    unknown = ({n for needs in wanted.values() for n in needs} | set(wanted)) - set(names)
    if unknown:
        raise ValueError(f"declared after or before what no part is: {sorted(unknown)}")
    return wanted


def ordered(
    parts: Sequence[T],
    name: Callable[[T], str],
    after: Callable[[T], Iterable[str]],
    before: Callable[[T], Iterable[str]] = lambda _: (),
) -> list[T]:
    """`parts` in their given order, except that each comes after the names it declares
    (`after`) and before those it declares (`before`): of the parts whose predecessors are
    all placed, the first given goes next. A name no part has, or a circle, raises ValueError."""
    wanted = _predecessors(parts, name, after, before)
    placed: list[T] = []
    done: set[str] = set()
    waiting = list(parts)
    while waiting:
        ready = next((p for p in waiting if wanted[name(p)] <= done), None)
        if ready is None:
            raise ValueError(f"parts wait on each other: {sorted(name(p) for p in waiting)}")
        placed.append(ready)
        done.add(name(ready))
        waiting.remove(ready)
    return placed
