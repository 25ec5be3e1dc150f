"""Words by capability: each refusal's sentence lives in its capability's module
(templates/refusals_<capability>.py, named by its entry in cadence/capabilities.py) and is
registered once; no two capabilities register
the same key, and a key written twice in one module (which a dict literal would silently
keep the last of) is found here."""

import ast
from pathlib import Path

import pytest

from templates.catalogue import Catalogue, RegisteredTwice
from templates.refusals import TEXTS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MODULES = sorted(TEMPLATES.glob("refusals_*.py"))


def _keys(path: Path) -> list[str]:
    """The keys a capability's module writes, in its dict literals, as written (repeats kept)."""
    keys = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Dict):
            keys += [k.value for k in node.keys if isinstance(k, ast.Constant)]
    return keys


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_a_capability_writes_each_of_its_keys_once(path):
    keys = _keys(path)
    assert keys, f"{path.name} words no refusal"
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_key_is_registered_exactly_once_by_the_capability_that_writes_it():
    written = {key: path.stem for path in MODULES for key in _keys(path)}
    assert sum(len(_keys(path)) for path in MODULES) == len(written), "a key written by two capabilities"
    assert set(TEXTS) == set(written), "written and not registered, or registered and not written"
    owners = {
        module: {TEXTS.owners[key] for key, m in written.items() if m == module} for module in set(written.values())
    }
    assert all(len(capabilities) == 1 for capabilities in owners.values()), owners  # a module is one capability
    assert len(set(map(frozenset, owners.values()))) == len(owners), "two modules registered as one capability"


def test_registering_a_key_twice_is_refused_whoever_does_it():
    catalogue: Catalogue[str] = Catalogue("refusal")
    catalogue.register("pulse", {"pulse_off": "a"})
    with pytest.raises(RegisteredTwice, match="'pulse_off' registered by pulse and by value"):
        catalogue.register("value", {"pulse_off": "b"})
    with pytest.raises(RegisteredTwice):
        catalogue.register("pulse", {"pulse_off": "a"})
    assert dict(catalogue) == {"pulse_off": "a"} and catalogue.capabilities() == ("pulse",)


def test_each_capabilitys_filters_are_registered_once_and_every_filter_a_template_uses_is():
    import re

    import templates

    for module in ("verdict_words", "readiness", "waves", "compare_words", "pulse_words"):
        assert {k for k, c in templates.FILTERS.owners.items() if c == module} == set(
            __import__(f"templates.{module}", fromlist=["FILTERS"]).FILTERS
        )
    used = {m for p in TEMPLATES.glob("*.j2") for m in re.findall(r"\|\s*([a-z_]+)", p.read_text())}
    assert used - set(templates._env.filters) == set()


def test_a_capabilitys_words_and_rows_are_reached_through_their_catalogue_only():
    """Refusals are named by key (Refusal.of), never imported from a capability's module; a
    capability's rows are read through the grammar. Only the catalogue imports them."""
    from tests.test_layers import MODULES, _imports, _module

    registries = {"templates.refusals_": "templates.refusals", "handlers.grammar_": "handlers.grammar"}
    rows = {p.stem for p in (TEMPLATES.parent / "handlers").glob("grammar_*.py") if "\nROWS = (" in p.read_text()}
    for path in MODULES:
        importer = _module(path)
        for name in _imports(path):
            for prefix, registry in registries.items():
                module = name if name.count(".") == 1 else name.rpartition(".")[0]
                if module.startswith(prefix) and (prefix == "templates.refusals_" or module[9:] in rows):
                    assert importer in (registry, module), f"{importer} imports {name}: reach it through {registry}"
