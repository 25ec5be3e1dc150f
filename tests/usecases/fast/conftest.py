"""The fast use-case tests: plain calls on the fakes (tests/fakes/), no database, HTTP or
Bolt. tests/conftest.py's one autouse fixture (request_budget) only sets a number, and a
database is made only for a test that asks for `database_url` (through `engine`, `store`
or `bot`); the guard below fails any test here that asks for one."""

from __future__ import annotations

import pytest

from tests import fakes

NO_DATABASE = {"database_url", "engine", "store", "bot", "postgres_url", "sqlite_template", "slack", "http_server"}


@pytest.fixture(autouse=True)
def no_database(request):
    asked = NO_DATABASE & set(request.fixturenames)
    assert not asked, f"a fast use-case test asks for {sorted(asked)}: use tests/fakes instead"


@pytest.fixture
def playbook():
    return fakes.a_playbook()


@pytest.fixture
def services(playbook):
    return fakes.services(playbook)


@pytest.fixture
def held(services):
    """What the fake database holds."""
    return fakes.store_of(services).held


@pytest.fixture
def reports(services):
    """The fake reports repository, read as the store sees it now."""
    return _Reports(fakes.store_of(services))


class _Reports:
    def __init__(self, store):
        self.store = store

    def __call__(self, kind=None):
        return self.store.reports.stored(kind)
