"""Every write of storage/ports.py's Protocols is run by this suite on both sides: a write
added to a repository (and so to its Protocol, or mypy fails the fake) fails here until a
contract test calls it, as `<store or uow>.<area>.<method>(` in tests/storage/contract/."""

from __future__ import annotations

import ast
import inspect
import re
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


# How a repository's method writes: in the use case's unit of work (joined, in_unit_of_work,
# or on its session itself, refusing with a TypeError outside one), or by its own commit.
WRITES = re.compile(r"\b(joined|unit_of_work|own_transaction|in_unit_of_work|writers_in_turn|TypeError)\(")


def _writes(cls: type, name: str, seen: tuple[str, ...] = ()) -> bool:
    """Whether `cls.name` writes, itself or through a method of its own it calls."""
    function = getattr(cls, name, None)
    if name in seen or not inspect.isfunction(function):
        return False
    text = inspect.getsource(function)
    return bool(WRITES.search(text)) or any(_writes(cls, n, (*seen, name)) for n in re.findall(r"self\.(\w+)\(", text))


def test_every_write_the_fakes_stand_in_for_is_in_a_protocol():
    """A write of a repository that the fake store has too is in its area's Protocol, so
    mypy holds the fake to its signature and the test above to a contract test."""
    from sqlalchemy import create_engine

    from storage.store import Store
    from tests.fakes import FakeStore

    real, fake = Store(create_engine("sqlite://")), FakeStore()
    areas = {area for area in vars(fake) if type(getattr(fake, area)).__name__.startswith("Fake")}
    unlisted = {
        (area, name)
        for area in areas
        for name in vars(type(getattr(fake, area)))
        if not name.startswith("_") and _writes(type(getattr(real, area)), name)
    } - writes()
    assert unlisted == set(), "add these writes to their Protocol in storage/ports.py"


def test_the_protocols_are_the_stores_areas():
    assert len(writes()) >= 75 and {area for area, _ in writes()} >= {"playbooks", "reports", "governance"}
