"""Every write of storage/ports.py's Protocols is run by this suite on both sides: a write
added to a repository (and so to its Protocol, or mypy fails the fake) fails here until a
contract test calls it, as `<store or uow>.<area>.<method>(` in tests/storage/contract/."""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path

from storage import ports

HERE = Path(__file__).parent


def writes() -> set[tuple[str, str]]:
    """(area, method) of every write Protocol that WriteAreas names."""
    found = set()
    for area, member in vars(ports.WriteAreas).items():
        if isinstance(member, property) and member.fget is not None:
            protocol = typing.get_type_hints(member.fget, vars(ports))["return"]
            methods = [name for name, f in vars(protocol).items() if inspect.isfunction(f) and not name.startswith("_")]
            found |= {(area, name) for name in methods}
    return found


def called() -> set[tuple[str, str]]:
    """(area, method) called in the contract tests as `<x>.<area>.<method>(`, or as
    `<name>.<method>(` where the test bound `<name> = <x>.<area>`."""
    found = set()
    for path in HERE.glob("test_*.py"):
        tree = ast.parse(path.read_text())
        bound = {
            node.targets[0].id: node.value.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            if isinstance(node.value, ast.Attribute)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                of = node.func.value
                if isinstance(of, ast.Attribute):
                    found.add((of.attr, node.func.attr))
                elif isinstance(of, ast.Name) and of.id in bound:
                    found.add((bound[of.id], node.func.attr))
    return found


def test_every_write_has_a_contract_test():
    assert writes() - called() == set(), "no contract test runs these writes on both sides"


def test_the_protocols_are_the_stores_areas():
    assert len(writes()) >= 75 and {area for area, _ in writes()} >= {"playbooks", "reports", "governance"}
