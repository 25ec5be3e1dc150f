"""The rooms and the direction of their imports (docs/architecture.md, "How the code is laid out"):
cadence/ imports nothing of ours; storage/ and templates/ only what is further in; the
outbound adapters (slack_api/, outbound/) nothing of the application; the application layer
(usecases/) nothing of the listeners or the wiring; the listeners (handlers/) the
application layer and nothing of storage. And no two modules import each other, however
far round."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from cadence.report_kinds import ReportKind

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "usecases", "slack_api", "outbound", "sources", "handlers", "cadence", "storage", "templates")

# module prefix -> the packages of ours it may import
ALLOWED = {
    "cadence": {"cadence"},
    "templates": {"templates", "cadence"},
    "storage": {"storage", "cadence"},
    "slack_api": {"slack_api", "outbound.lane", "storage", "cadence"},  # the loop of every outbound lane
    "outbound": {"outbound", "storage", "cadence"},  # delivery that is not Slack's: webhooks
    "sources": {"sources", "outbound.http", "cadence"},  # the systems numbers are pulled from; HTTP as webhooks' is
    "usecases": {"usecases", "slack_api", "sources", "cadence", "storage", "templates"},
    # the work the entry use cases share calls none of them
    "usecases.shared": {"usecases.shared", "slack_api", "sources", "cadence", "storage", "templates"},
    "handlers": {"handlers", "usecases", "cadence", "templates"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in OURS}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _room(module: str) -> str | None:
    matches = [prefix for prefix in ALLOWED if module == prefix or module.startswith(prefix + ".")]
    return max(matches, key=len) if matches else None


MODULES = sorted(p for package in OURS for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_inward(path):
    room = _room(_module(path))
    if room is None:
        return  # the wiring (bot.app, bot.cli, ...) may import anything
    allowed = ALLOWED[room] | {room}
    for name in _imports(path):
        assert any(name == a or name.startswith(a + ".") for a in allowed), f"{_module(path)} imports {name}"


def _graph() -> dict[str, set[str]]:
    """Each module of ours and the modules of ours it imports, at the top or in a function."""
    modules = {_module(path): path for path in MODULES}
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in _imports(path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def test_no_import_cycles():
    graph = _graph()
    finished: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, "import cycle: " + " -> ".join([*path[path.index(module) :], module])
        if module not in finished:
            for target in sorted(graph[module]):
                visit(target, [*path, module])
            finished.add(module)

    for module in sorted(graph):
        visit(module, [])


@pytest.mark.parametrize(
    "path", [p for p in MODULES if _module(p).split(".")[0] == "usecases"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_use_case_holds_the_database(path):
    """The use cases reach the database through the store's repositories and its unit of
    work (storage/store.py), never through SQLAlchemy's connections or sessions."""
    tree = ast.parse(path.read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
    }
    for name in imported:
        assert name.split(".")[0] not in ("sqlalchemy", "sqlmodel"), f"{_module(path)} imports {name}"


# Use cases, listeners and the Slack adapters get the database's repositories from what
# they are built with (services.store.<area>): none of them builds one on the spot.
BUILT_WITH_REPOSITORIES = ("usecases", "handlers", "slack_api", "outbound")


def _storage_names(tree: ast.Module) -> dict[str, str]:
    """The names a module binds to something of storage's, with that thing's dotted path."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "storage" or node.module.startswith("storage."):
                names |= {alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("storage."):
                    names[alias.asname or "storage"] = alias.name if alias.asname else "storage"
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute) and (head := _dotted(node.value)) is not None:
        return [*head, node.attr]
    return None


def _resolve(path: str) -> object | None:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part, None)
        return found
    return None


def _is_repository(thing: object) -> bool:
    """A storage class built on an engine: it opens the database."""
    if not inspect.isclass(thing):
        return False
    parameters = inspect.signature(thing).parameters.values()
    return any(p.name == "engine" or "Engine" in str(p.annotation) for p in parameters)


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if _module(p).split(".")[0] in BUILT_WITH_REPOSITORIES],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_repository_built_on_the_spot(path):
    tree = ast.parse(path.read_text())
    names = _storage_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (called := _dotted(node.func)) and called[0] in names:
            target = ".".join([names[called[0]], *called[1:]])
            assert not _is_repository(_resolve(target)), (
                f"{_module(path)}:{node.lineno} builds {target}: take it from the services' store"
            )


MOST_LINES = 450  # a product module longer than this holds more than one job: split it by what it does
# The tests' and the bench's modules: 13 test modules are over 450 lines today (the longest 599).
MOST_LINES_ELSEWHERE = 600


def test_no_module_is_longer_than_a_room_should_hold():
    """No product module over MOST_LINES lines, no other (the tests', the bench's) over
    MOST_LINES_ELSEWHERE; the migrations alone are exempt (each is a record of one change,
    never edited). tests/test_limits.py holds the functions' complexity."""
    long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.glob("**/*.py")
        if not {".venv", "migrations", ".cache", "build"} & set(path.relative_to(ROOT).parts)
        and (lines := len(path.read_text().splitlines()))
        > (MOST_LINES if path.relative_to(ROOT).parts[0] in OURS else MOST_LINES_ELSEWHERE)
    }
    assert long == {}


# ---- one way to write (issue 79) ----------------------------------------------------------
# A use case opens the unit of work, writes its own area through that area's repository,
# records its decisions, messages and webhook events as one Change (uow.governance.apply)
# and commits once. So a repository takes only its own area's rows: no decision, message,
# Change or callback rides along, and only governance.py writes decision rows and announces
# events, and only it and outbox.py enqueue messages. Governance and Outbox own those rows.
OWNERS_OF_THE_RIDE = {
    "Governance",
    "Outbox",
    "Change",
    "GovernanceWrites",
    "OutboxWrites",
}  # and their Protocols (storage/ports.py)
RIDING = re.compile(r"\b(Decision|DecisionRecord|Message|Change|Callable|Tell)\b")
RIDING_NAMES = {"decision", "decisions", "record", "records", "messages", "change", "tell", "also"}
# Still the old way, each to move to its use case's Change; never to be added to.
RIDE_LEFT: set[str] = set()
STORAGE = sorted(p for p in (ROOT / "storage").rglob("*.py") if "migrations" not in p.parts)


def test_repositories_take_only_their_own_rows():
    riding = set()
    for path in STORAGE:
        for cls in (n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)):
            if cls.name in OWNERS_OF_THE_RIDE or cls.name == "_Area":  # _Area: how the Store makes a repository
                continue
            for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                arguments = method.args.args[1:] + method.args.kwonlyargs
                if any(
                    a.arg in RIDING_NAMES or (a.annotation is not None and RIDING.search(ast.unparse(a.annotation)))
                    for a in arguments
                ):
                    riding.add(f"{cls.name}.{method.name}")
    assert riding - RIDE_LEFT == set(), "record decisions and messages as the use case's Change (uow.governance.apply)"
    assert RIDE_LEFT - riding == set(), "moved to the one way: take it off RIDE_LEFT"


WRITES_DECISIONS = re.compile(r"Decision\(\*\*decision_columns|insert\(DECISION\)|\bdecision_columns\(")


def test_decisions_messages_and_events_are_written_by_governance_alone():
    written = set()
    for path in STORAGE:
        text, name = path.read_text(), path.name
        if name not in ("governance.py", "governance_rows.py") and WRITES_DECISIONS.search(text):
            written.add((name, "decisions"))
        if name not in ("governance.py", "outbox.py") and re.search(r"\benqueue_in\(", text):
            written.add((name, "messages"))
        if name not in ("governance.py", "webhooks.py") and re.search(r"(?<!def )\bannounce\(", text):
            written.add((name, "events"))
    assert written == set(), "write them in the use case's Change (uow.governance.apply)"


# Repositories open no transaction of their own: the use case's unit of work is theirs.
# What is left counts down; the few that decide by their own commit stay (each says why).
OWN_TRANSACTIONS_AT_MOST = 12


def test_repositories_open_ever_fewer_transactions_of_their_own():
    opened = sum(len(re.findall(r"\b(?:unit_of_work|own_transaction)\(self\.bind", p.read_text())) for p in STORAGE)
    assert opened <= OWN_TRANSACTIONS_AT_MOST, "write in the use case's unit of work instead"


def _areas() -> dict[str, str]:
    """The store's areas and their repositories' classes (storage/store.py, Store)."""
    return dict(re.findall(r"self\.(\w+) = (\w+)\(", (ROOT / "storage" / "store.py").read_text()))


def _writers() -> dict[str, set[str]]:
    """Each repository's methods that write: they open a transaction (their own, or joined
    to the unit of work they are called in), or call one of their class's that does, or
    inherit one (storage/pulled.py's PulledNumbers)."""
    methods: dict[str, dict[str, str]] = {}
    bases: dict[str, list[str]] = {}
    for path in STORAGE:
        for cls in (n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)):
            bases[cls.name] = [b.value.id if isinstance(b, ast.Subscript) else ast.unparse(b) for b in cls.bases]  # type: ignore[attr-defined]
            methods[cls.name] = {n.name: ast.unparse(n) for n in cls.body if isinstance(n, ast.FunctionDef)}

    def own(name: str) -> dict[str, str]:
        inherited = {m: s for base in bases.get(name, []) if base in methods for m, s in own(base).items()}
        return inherited | methods[name]

    found: dict[str, set[str]] = {}
    for name in methods:
        every = own(name)
        writes = {m for m, s in every.items() if re.search(r"\b(?:unit_of_work|own_transaction|joined)\(self\.bind", s)}
        while more := {
            m for m, s in every.items() if m not in writes and set(re.findall(r"self\.(\w+)\(", s)) & writes
        }:
            writes |= more
        found[name] = {m for m in writes if not m.startswith("_")}
    return found


# Writes from use cases outside a unit of work, by module: those that decide by their own
# commit (a claim, a compare-and-set that tells another process it was first), each named
# with why. Every other write goes through the use case's unit of work.
WRITES_ALONE = {
    ("usecases/events.py", "health.lose_slack_access"),  # the first to hear says so once
    ("usecases/events.py", "health.regain_slack_access"),
    ("usecases/clock/reach.py", "health.lose_slack_access"),  # said once, by the first tick to meet it
}


def test_use_cases_write_in_their_unit_of_work():
    """A write from a use case goes through `uow.<area>` of the unit of work it opened."""
    areas, writers = _areas(), _writers()
    found = set()
    for path in sorted((ROOT / "usecases").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            called = _dotted(node.func) if isinstance(node, ast.Call) else None
            if not called or len(called) < 3 or called[-3] in ("uow", "together"):
                continue
            area, method = called[-2], called[-1]
            if method in writers.get(areas.get(area, ""), set()):
                found.add((str(path.relative_to(ROOT)), f"{area}.{method}"))
    assert found - WRITES_ALONE == set(), "open the unit of work and write through it (uow.<area>)"


# ---- report kinds are an enum (issue 79) ----------------------------------------------------
# A report's kind is cadence.report_kinds.ReportKind: compared, filtered on and passed as its
# member, never as its bare string (`kind == "rubric"`, `kinds=["kpi"]`). cadence/ defines it.
KNOWN_KINDS = "|".join(kind.value for kind in ReportKind)
KIND_AS_STRING = re.compile(rf'\bkinds?\s*(?:[!=]=|\bnot in\b|\bin\b|=)\s*[(\[{{]?\s*"(?:{KNOWN_KINDS})"')
# Where `kind` is a form field's (the week form's `cases:<step>`, `reviewed:<step>`), not a report's.
NOT_REPORT_KINDS = {"handlers/week_form.py", "bot/demo/week_forms.py"}


def test_report_kinds_are_compared_as_the_enum():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in MODULES
        if path.relative_to(ROOT).parts[0] != "cadence" and str(path.relative_to(ROOT)) not in NOT_REPORT_KINDS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if KIND_AS_STRING.search(line)
    ]
    assert found == [], "a report's kind is a ReportKind member (cadence/report_kinds.py)"


# ---- the playbook definition, typed (issue 79) ------------------------------------------------
# Outside cadence/ a stored definition is read as its typed value (PlaybookState.spec,
# cadence.definition.read_spec), never as a dict by key; a query may still ask the database
# for a part of the column (`.c.definition[...]`, a JSON path).
DEFINITION_BY_KEY = re.compile(r'(?<!\.c\.)definition\w*(\["|\.get\(")')


def test_the_definition_is_read_as_its_typed_value():
    found = [
        f"{_module(path)}:{number}"
        for path in MODULES
        if not _module(path).startswith("cadence.")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DEFINITION_BY_KEY.search(line)
    ]
    assert found == [], "read the typed definition: state.spec, or cadence.definition.read_spec(stored)"


# ---- the pulse's one gate (issue 92) ----------------------------------------------------------
# Every surface gets the pulse's figures from storage/pulse.py's Pulses.shown, aggregates only:
# nothing else reads the pulse's tables (by their models or their names), a reader of every
# table leaves them out (GATED), and the pulse's module hands out no answer.
PULSE_TABLES = re.compile(r"\bPulse(?:Answer|Voter|Key)\b|\bpulse_(?:answer|voter|key)\b|\bstorage\.models\.pulse\b")
PULSE_OWN = {"storage/pulse.py", "storage/models/pulse.py", "storage/models/__init__.py"}
EVERY_TABLE = re.compile(r"\bsorted_tables\b|\bmetadata\.tables\b")


def test_nothing_but_the_pulse_s_gate_reads_its_tables():
    readers, unguarded = set(), set()
    for path in MODULES + sorted((ROOT / "bench").rglob("*.py")):
        name, text = str(path.relative_to(ROOT)), path.read_text()
        imports_gated_only = re.sub(r"from storage\.models\.pulse import GATED\b", "", text)
        if name not in PULSE_OWN and PULSE_TABLES.search(imports_gated_only):
            readers.add(name)
        if EVERY_TABLE.search(text) and "GATED" not in text:
            unguarded.add(name)
    assert readers == set(), "read the pulse through store.pulses.shown (storage/pulse.py): aggregates only"
    assert unguarded == set(), "a reader of every table leaves the pulse's out: `if table.info.get(GATED)`"
    tree = ast.parse((ROOT / "storage" / "pulse.py").read_text())
    handed = {
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef)
        and not f.name.startswith("_")
        and f.returns is not None
        and "Answer" in ast.unparse(f.returns)
    }
    assert handed == set(), "the pulse's module hands out aggregates (cadence.pulse.Pulse), never an answer"


# ---- the clock's jobs, registered (issue 94) ---------------------------------------------
# Each job of the clock is a module of usecases/clock/jobs/ with its JOB, named by its
# capability's entry (cadence/capabilities.py); only the registry (usecases/clock/registry.py)
# loads them; the tick imports the registry and the shape of a job (usecases/clock/job.py),
# no job's internals.
CLOCK_JOBS = "usecases.clock.jobs"
CLOCK_REGISTRY = "usecases.clock.registry"


def test_the_clock_s_jobs_are_only_registered():
    graph = _graph()
    jobs = {m for m in graph if m.startswith(CLOCK_JOBS + ".")}
    assert jobs, "the clock's jobs are modules of usecases/clock/jobs/"
    reaching = {(m, t) for m, targets in graph.items() if m != CLOCK_REGISTRY for t in targets & jobs}
    assert reaching == set(), "a clock job is loaded by the registry alone: name it in its capability's entry"
    ticks = {t for t in graph["usecases.tick"] if t.startswith("usecases.clock")}
    assert ticks <= {CLOCK_REGISTRY, "usecases.clock.job"}, "the tick runs the registry's jobs, not a job's internals"
    from usecases.clock.registry import JOBS

    listed = [job.due.__module__ for job in JOBS]
    assert sorted(listed) == sorted(jobs), (
        "each job module named once by the capabilities, and each named is a job module"
    )


# ---- the close as registered rules (issue 94, item 2; issue 110, item 3) ---------------------
# A rule of the week's close (usecases/shared/close/) is named once, by its capability's entry
# (cadence/capabilities.py), loaded by its registry alone, and no other module of ours names
# it: close_round runs the registry's list. A rule names another
# only to read its outcome, which it declares (`needs`), and the week's summary
# (close/summary.py) the rules whose outcomes it shows. Each rule's judge is a function of
# cadence/'s, which imports nothing outside cadence/, and its module calls it.


def _close_rules() -> list:
    from usecases.shared.close.registry import RULES

    return list(RULES)


def test_close_rules_are_listed_once_and_referenced_only_by_their_registry():
    rules = _close_rules()
    modules = [rule.close.__module__ for rule in rules]
    assert len(set(modules)) == len(modules) and len({r.name for r in rules}) == len(rules), "a rule listed twice"
    package = ROOT / "usecases" / "shared" / "close"
    defined = {_module(p) for p in package.glob("*.py") if re.search(r"^RULE = ", p.read_text(), re.M)}
    assert defined == set(modules), f"rules not registered: {sorted(defined - set(modules))}"
    readers = {"usecases.shared.close.registry", "usecases.shared.close.summary"}
    by_name = {rule.name: rule.close.__module__ for rule in rules}
    needs = {rule.close.__module__: {by_name[n] for n in rule.needs} for rule in rules}
    for path in MODULES:
        if _module(path) not in readers:
            named = {m for name in _imports(path) for m in modules if name == m or name.startswith(m + ".")}
            named |= {f"usecases.shared.close.{n}" for n in _from_close(path)} & set(modules)
            undeclared = named - needs.get(_module(path), set())
            assert not undeclared, (
                f"{_module(path)} names the close rules {sorted(undeclared)}: only their registry may, "
                "or a rule that declares it needs their outcomes"
            )


def _from_close(path: Path) -> set[str]:
    """The names imported from the close's package (`from usecases.shared.close import steps`)."""
    tree = ast.parse(path.read_text())
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "usecases.shared.close"
        for alias in node.names
    }


@pytest.mark.parametrize("rule", _close_rules(), ids=lambda r: r.name)
def test_each_close_rule_is_judged_in_cadence(rule):
    judge = rule.judge
    assert judge.__module__.split(".")[0] == "cadence", f"{rule.name}: its judge {judge.__qualname__} is not cadence's"
    source = ROOT / Path(*judge.__module__.split(".")).with_suffix(".py")
    outside = {name for name in _imports(source) if name.split(".")[0] != "cadence"}
    assert not outside, f"{rule.name}: {judge.__module__} imports {sorted(outside)}"
    calls = inspect.getsource(importlib.import_module(rule.close.__module__))
    assert f"{judge.__name__}(" in calls, f"{rule.name}: its module never calls its judge {judge.__name__}"


# ---- each surface a loop over the registered sections (issue 94, item 3) ---------------------
# A capability that shows something does it through its section (usecases/sections/); the
# surfaces import the sections' list, never a section's module nor a capability's internals.
SURFACES = [
    "usecases/status.py",
    "handlers/present_status.py",
    "usecases/digest.py",
    "usecases/web.py",
    "usecases/web_signin.py",
    "usecases/web_overview.py",
    "handlers/present_overview.py",
    "usecases/overview_pages.py",
    "handlers/web_overview_pages.py",
    "handlers/web_playbook.py",
    "handlers/web_view.py",
    "handlers/web_answers.py",
    "usecases/api_reads.py",
    "handlers/api.py",
    "handlers/api_access.py",
    "handlers/api_read_routes.py",
    "handlers/api_refusals.py",
    "handlers/mcp_tools.py",
    "usecases/operator.py",
]
# The shared core a surface may import (issue 110, item 1: an allow-list): the domain's
# values, the store, the templates' mechanism and their tables and charts, the sections'
# list, the use cases' shared plumbing, and the surfaces' own modules. A capability's modules
# are not in it, so a new capability is shown through its section without a line here.
SURFACE_CORE = {
    # the domain's values
    *("cadence", "cadence.arms", "cadence.calendar", "cadence.change", "cadence.cycle_rules", "cadence.definition"),
    *("cadence.definition_owners", "cadence.digest", "cadence.figures", "cadence.judgement", "cadence.keys"),
    *("cadence.mode_move", "cadence.replication", "cadence.sponsor", "cadence.state", "cadence.text"),
    "cadence.verdicts",
    # the store and what the edges read of Slack
    *("storage.store", "storage.models.access", "storage.models.governance", "storage.playbook_definitions"),
    "slack_api.members",
    # the templates' mechanism, tables and charts
    *("templates", "templates.charts", "templates.notices_digest", "templates.pages", "templates.playbook_yaml"),
    *("templates.refusals", "templates.tables", "templates.web_charts"),
    # the sections' list and the use cases' shared plumbing
    *("usecases", "usecases.sections", "usecases.shared.caller", "usecases.shared.collector"),
    *("usecases.shared.governance", "usecases.shared.life", "usecases.shared.listings", "usecases.shared.messages"),
    *("usecases.shared.registry_list", "usecases.shared.roles", "usecases.shared.services", "usecases.shared.told"),
    *("usecases.arms", "usecases.bar_loaded", "usecases.learnings_search", "usecases.playbook_form"),
    # the surfaces' own modules
    *("usecases.api_digest", "usecases.api_export", "usecases.api_readiness", "usecases.api_reads"),
    *("usecases.api_reports", "usecases.status", "usecases.web", "usecases.web_overview", "usecases.web_signin"),
    *("handlers", "handlers.api_access", "handlers.api_models", "handlers.api_playbook_models"),
    *("handlers.api_read_models", "handlers.api_read_routes", "handlers.api_refusals", "handlers.http_errors"),
    *("handlers.paths", "handlers.present_overview", "handlers.web_answers", "handlers.web_learnings"),
    *("handlers.web_playbook", "handlers.web_overview_pages", "usecases.overview_pages"),
}
SECTION_MODULES = sorted(
    p for p in (ROOT / "usecases" / "sections").glob("*.py") if p.name not in ("__init__.py", "base.py")
)


@pytest.mark.parametrize("path", SURFACES)
def test_a_surface_imports_only_the_shared_core(path):
    modules = {_module(p) for p in MODULES}
    imported = set()
    for name in _imports(ROOT / path):
        while name not in modules:
            name = name.rpartition(".")[0]
        imported.add(name)
    outside = imported - SURFACE_CORE - {_module(ROOT / path)}
    assert outside == set(), f"{path} imports {sorted(outside)}: a capability shows itself through its section"


def test_sections_are_only_registered():
    from usecases import sections

    registered = {type(s).__module__ for s in sections.SECTIONS}
    assert registered == {_module(p) for p in SECTION_MODULES}, (
        "every section module is named by one capability's entry"
    )
    assert len({s.name for s in sections.SECTIONS}) == len(sections.SECTIONS)
    importers = {
        _module(path)
        for path in MODULES
        if path.parent.name != "sections" and any(n.startswith("usecases.sections.") for n in _imports(path))
    }
    assert importers == set(), "a section is used through the list (usecases/sections/__init__.py) alone"


def test_the_surfaces_ask_the_pulse_s_gate_only_through_its_section():
    # the close's pulse hold (usecases/shared/close/pulse_hold.py) and the trust gate
    # (promotion_gates.py) judge by it
    allowed = {
        "usecases/sections/pulse.py",
        "usecases/shared/close/pulse_hold.py",
        "usecases/shared/promotion_gates.py",
    }
    askers = {
        str(path.relative_to(ROOT))
        for path in MODULES
        if path.parts[len(ROOT.parts)] in ("usecases", "handlers") and ".pulses.shown(" in path.read_text()
    }
    assert askers <= allowed, "show the pulse through its section: its floor (pulse_min_answers) is kept there"


# ---- the domain's types are cadence's (issue 94, item 5) ---------------------------------
# A playbook's state, what a decision writes and the message it sends are defined in
# cadence/ (state.py, change.py); storage/ implements and writes them, and defines none.
DOMAIN_TYPES = {"PlaybookState", "Change", "Message", "ModeChange", "NewProposal", "NewVerdict"}


def test_the_domain_types_are_defined_in_cadence_alone():
    defined = {
        (str(path.relative_to(ROOT)), node.name)
        for path in MODULES
        if path.parts[len(ROOT.parts)] != "cadence"
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef) and node.name in DOMAIN_TYPES
    }
    assert defined == set(), "the domain's types live in cadence/ (cadence/state.py, cadence/change.py)"
