"""The two implementations of storage/ports.py's WriteAreas the contract suite runs, typed
as the protocol: mypy (pyproject.toml's files) checks that the database's unit of work and
the fakes' each satisfy every write Protocol, signature for signature."""

from __future__ import annotations

from storage.ports import WriteAreas
from storage.store import UnitOfWork
from tests.fakes.store import FakeUnitOfWork


def real(uow: UnitOfWork) -> WriteAreas:
    return uow


def fake(uow: FakeUnitOfWork) -> WriteAreas:
    return uow
