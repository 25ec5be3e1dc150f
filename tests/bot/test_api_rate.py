"""The reporting API's rate, 20 requests a second per token, holds across every process
serving it on one database (docs/api.md), on SQLite and PostgreSQL: two apps, each with
its own engine as two processes have, answer through the real HTTP endpoint by turns."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.app import create_app
from bot.web import make_asgi
from storage.db import make_engine
from storage.store import Store
from tests.conftest import settings_for
from usecases.api_reports import RATE_PER_SECOND

REPORT = {"playbook": "support-replies", "kind": "kpi", "value": 1}


@pytest.fixture
def other_process(database_url, slack, clock):
    """A second app on the same database with an engine of its own, as another worker is."""
    engine = make_engine(database_url)
    store = Store(engine)
    yield make_asgi(create_app(settings_for(database_url, slack), store, clock=clock), store, clock)
    engine.dispose()


def test_twenty_requests_a_second_per_token_in_every_process_together(api, http_server, other_process, clock):
    mount, _ = http_server
    this_process = mount.app
    answers = []
    for i in range(RATE_PER_SECOND + 1):
        mount.app = this_process if i % 2 else other_process
        answers.append(api.post(REPORT))
    assert [status for status, _, _ in answers] == [201] * RATE_PER_SECOND + [429]
    _, body, headers = answers[-1]
    assert body == {"error": "at most 20 requests a second per token"} and headers["Retry-After"] == "1"
    mount.app = this_process
    assert api.post(REPORT)[0] == 429  # the other process's requests count here too
    clock.set(clock() + timedelta(seconds=1))  # the next second: both answer again
    assert api.post(REPORT)[0] == 201
    mount.app = other_process
    assert api.post(REPORT)[0] == 201


def test_requests_counted_at_once_from_two_engines_are_each_counted(store, database_url, clock):
    """The count is one UPSERT: requests racing from two processes never count as one, so
    exactly twenty of them in a second find themselves within the rate."""
    from tests.bot.conftest import API_NOW
    from usecases import tokens

    token = tokens.create(store, "racer", None, ["kpi"], False, "test", API_NOW).token
    token_id = store.tokens.by_hash(tokens.hash_of(token)).id
    other = make_engine(database_url)
    try:
        stores = [store, Store(other)]
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda i: stores[i % 2].tokens.count_request(token_id, API_NOW), range(60)))
    finally:
        other.dispose()
    assert sorted(counts) == list(range(1, 61))
    assert sum(count <= RATE_PER_SECOND for count in counts) == RATE_PER_SECOND
    # A later second starts again; a request stamped with an earlier one (a process whose
    # clock is behind) counts in the latest.
    assert store.tokens.count_request(token_id, API_NOW + timedelta(seconds=1)) == 1
    assert store.tokens.count_request(token_id, API_NOW) == 2
