"""Each capability is declared once (cadence/capabilities.py) and every host's list is
derived from the declarations: each part module of the product is named by one entry, each
host loads only its own room's parts, and the order each host runs or shows its parts in is
today's (a change of it is a change of the product, made here on purpose)."""

import ast
import re
from importlib import import_module
from pathlib import Path

import pytest

from cadence import capabilities
from cadence.capabilities import WHERE, Capability, modules, ordered

ROOT = Path(__file__).resolve().parents[1]

# What makes a module one of a part's, by the part's folder and what the module defines.
DEFINES = {
    "commands": re.compile(r"^ROWS\b\s*[:=]", re.M),
    "refusals": re.compile(r"^REFUSALS\b\s*[:=]", re.M),
    "filters": re.compile(r"^FILTERS\b\s*[:=]", re.M),
    "listeners": re.compile(r"^def register\(", re.M),
    "jobs": re.compile(r"^JOB\b\s*[:=]", re.M),
    "rules": re.compile(r"^RULE\b\s*[:=]", re.M),
    "sections": re.compile(r"^SECTION\b\s*[:=]", re.M),
}
# the host that loads each part, the one module that calls `load` for it
HOSTS = {
    "commands": "handlers/grammar.py",
    "refusals": "templates/refusals.py",
    "filters": "templates/__init__.py",
    "listeners": "bot/app.py",
    "jobs": "usecases/clock/registry.py",
    "rules": "usecases/shared/close/registry.py",
    "sections": "usecases/sections/__init__.py",
}


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("part", sorted(DEFINES))
def test_each_part_module_is_declared_by_one_capability(part):
    folder = ROOT / Path(*WHERE[part].split(".")[:-1])
    prefix = WHERE[part].rpartition(".")[2]
    found = {
        _dotted(p)
        for p in folder.glob(f"{prefix}*.py")
        if p.name != "__init__.py" and DEFINES[part].search(p.read_text())
    }
    declared = [module for _, module in modules(part)]
    assert len(declared) == len(set(declared)), f"a {part} module declared twice"
    assert set(declared) == found, (
        f"{part}: undeclared {sorted(found - set(declared))}, declared but not one {sorted(set(declared) - found)}"
    )


def test_capabilities_have_one_name_each():
    names = [c.name for c in capabilities.CAPABILITIES]
    assert len(names) == len(set(names))


def _loaders() -> dict[str, set[str]]:
    """The modules that call `load` or `modules` for each part."""
    found: dict[str, set[str]] = {part: set() for part in HOSTS}
    for package in ("bot", "handlers", "usecases", "templates", "storage", "cadence", "slack_api", "outbound"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            if "load(" not in text and "modules(" not in text:
                continue
            for node in ast.walk(ast.parse(text)):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("load", "modules")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value in found
                ):
                    found[node.args[0].value].add(str(path.relative_to(ROOT)))
    return found


def test_only_its_host_loads_a_part():
    assert _loaders() == {part: {host} for part, host in HOSTS.items()}


# ---- each host's order, today's -------------------------------------------------------------
# A new capability's parts may go anywhere they declare; today's keep their order among them.


def _kept(found: list[str], today: list[str]) -> list[str]:
    return [name for name in found if name in today]


def test_the_clock_runs_its_jobs_in_today_s_order():
    from usecases.clock.registry import JOBS

    found = [job.due.__module__.rpartition(".")[2] for job in JOBS]
    assert _kept(found, TODAY_JOBS) == TODAY_JOBS


TODAY_JOBS = [
    "nudges",
    "closes",
    "bar_changes",
    "member_weeks",
    "owner_reminders",
    "learning_prompts",
    "exception_queues",
    "escalation_summaries",
    "escalations",
    "fallbacks",
    "learned_back",
    "readiness_news",
    "digests",
    "names",
    "request_keys",
]


def test_the_close_decides_in_today_s_order():
    from usecases.shared.close.registry import RULES

    found = [rule.close.__module__.rpartition(".")[2] for rule in RULES]
    assert _kept(found, TODAY_RULES) == TODAY_RULES


TODAY_RULES = [
    "baseline_week",
    "bar",
    "guardrail",
    "source_failures",
    "pulse_hold",
    "steps",
    "week_closed",
    "cycle_result",
    "readiness_news",
    "assessment_offer",
    "replication",
    "stall",
    "pulse",
    "sources_missing",
]


def test_the_sections_show_in_today_s_order():
    from usecases.sections import SECTIONS

    assert _kept([s.name for s in SECTIONS], TODAY_SECTIONS) == TODAY_SECTIONS


TODAY_SECTIONS = [
    "sourced",
    "baseline",
    "calibration",
    "escalation",
    "adopted",
    "intake",
    "inputs",
    "queue",
    "value",
    "hero",
    "readiness",
    "comparison",
    "pulse",
    "stall",
    "depth",
    "bar request",
    "setup",
    "champion",
    "next_steps",
    "learned",
    "boundaries",
    "team_load",
]


def test_help_lists_the_subcommands_in_today_s_order():
    from handlers import grammar

    names = [str(sub.name) for sub in grammar.SUBCOMMANDS]
    assert names[: len(grammar.HELP_ORDER)] == list(grammar.HELP_ORDER)  # then the unnamed, in the entries' order


# ---- the order of parts that declare what they come after ------------------------------------


def _named(*pairs: tuple[str, tuple[str, ...]]) -> list[tuple[str, tuple[str, ...]]]:
    return list(pairs)


def _order(parts):
    return [name for name, _ in ordered(parts, lambda p: p[0], lambda p: p[1])]


def test_parts_keep_their_given_order_but_for_what_they_come_after():
    parts = _named(("a", ()), ("b", ("d",)), ("c", ()), ("d", ()))
    assert _order(parts) == ["a", "c", "d", "b"]
    assert _order(_named(("a", ()), ("b", ()))) == ["a", "b"]


def test_a_part_may_declare_what_it_comes_before():
    parts = [("a", (), ()), ("b", (), ()), ("new", (), ("b",))]
    assert [p[0] for p in ordered(parts, lambda p: p[0], lambda p: p[1], lambda p: p[2])] == ["a", "new", "b"]
    with pytest.raises(ValueError, match="no part is"):
        ordered([("a", (), ("z",))], lambda p: p[0], lambda p: p[1], lambda p: p[2])


def test_a_part_after_an_unknown_name_or_a_circle_is_refused():
    with pytest.raises(ValueError, match="no part is"):
        ordered(_named(("a", ("z",))), lambda p: p[0], lambda p: p[1])
    with pytest.raises(ValueError, match="wait on each other"):
        ordered(_named(("a", ("b",)), ("b", ("a",))), lambda p: p[0], lambda p: p[1])
    with pytest.raises(ValueError, match="twice"):
        ordered(_named(("a", ()), ("a", ())), lambda p: p[0], lambda p: p[1])


def test_a_part_that_is_not_what_its_host_takes_is_refused(monkeypatch):
    monkeypatch.setattr(capabilities, "CAPABILITIES", (Capability("odd", sections=("base",)),))
    with pytest.raises(AttributeError):
        capabilities.load("sections", "SECTION", object)
    monkeypatch.setattr(capabilities, "CAPABILITIES", (Capability("odd", jobs=("nudges",)),))
    with pytest.raises(TypeError, match="not a str"):
        capabilities.load("jobs", "JOB", str)


def test_a_part_a_module_may_leave_out_is_passed_over_where_optional(monkeypatch):
    """A section shows on the surfaces it has a part for: a module without a surface's
    part is passed over for that surface, and only where the host says it may be."""
    monkeypatch.setattr(capabilities, "CAPABILITIES", (Capability("odd", sections=("base", "pulse")),))
    assert capabilities.load("sections", "SECTION", object, optional=True) == [
        import_module("usecases.sections.pulse").SECTION
    ]
    with pytest.raises(AttributeError):
        capabilities.load("sections", "SECTION", object)
