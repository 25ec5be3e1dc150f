"""The bench's programs are imported harmlessly (issue 108, item 16): `bench.bare_app` read
its port and secret from sys.argv as it was imported, so importing it without them (a
tool that walks the modules, a test, a docstring's reader) failed with an IndexError."""

import importlib
import sys

import pytest


@pytest.mark.parametrize("module", ["bench.bare_app", "bench.floor_app"])
def test_importing_a_bench_program_without_its_arguments_does_nothing(monkeypatch, module):
    monkeypatch.setattr(sys, "argv", ["python"])  # no PORT, SIGNING_SECRET or WEB_API_URL
    monkeypatch.delitem(sys.modules, module, raising=False)
    imported = importlib.import_module(module)
    assert callable(getattr(imported, "main", None) or getattr(imported, "create", None))
