"""A file of Copilot's report (its signed link) asked again as the module docstring says:
streamed on the first ask and on every retry, a rate limit's Retry-After waited from its
first answer on (measured at the stand-in, between the requests' arrivals), a server's
failure asked again once, and a wait asked too long failing the pull at once."""

import threading
import time
from datetime import date

import pytest

from bot.demo.standin.usage_base import Fault, Reply, Request
from bot.demo.standin.usage_copilot import CopilotStandIn
from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage.copilot import Copilot
from sources.usage.http_get import PATIENCE, Patience
from tests.sources.usage.conftest import FAST, pull

MON = date(2026, 3, 2)
DOWNLOAD = "/download/"


class TimedStandIn(CopilotStandIn):
    """The Copilot stand-in, noting when each request came, at its arrival: by
    time.monotonic (for a gap) and by the wall clock (for an HTTP date)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[str, float, float]] = []
        self._times_lock = threading.Lock()

    def _reply(self, request: Request) -> Reply:
        with self._times_lock:
            self.arrivals.append((request.path, time.monotonic(), time.time()))
        return super()._reply(request)

    def arrived(self, prefix: str) -> list[float]:
        with self._times_lock:
            return [at for path, at, _ in self.arrivals if path.startswith(prefix)]

    def arrived_by_the_wall(self, prefix: str) -> list[float]:
        with self._times_lock:
            return [at for path, _, at in self.arrivals if path.startswith(prefix)]


@pytest.fixture
def github():
    standin = TimedStandIn().start()
    yield standin
    standin.stop()


def source(github: CopilotStandIn, patience: Patience = PATIENCE) -> Copilot:
    return Copilot(github.token, org="acme", base=github.url, seats=False, patience=patience)


def failure(github: CopilotStandIn, patience: Patience = PATIENCE) -> str:
    with pytest.raises(SourceFailed) as err:
        pull(source(github, patience), MON)
    said = str(err.value)
    assert github.token not in said and "sig=" not in said and DOWNLOAD not in said
    return said


@pytest.mark.parametrize("status", [429, 403])  # 403 with Retry-After: GitHub's secondary limit
def test_a_files_first_rate_limit_is_waited_its_retry_after_before_asking_again(github, status):
    github.add_use(MON, "ada")
    github.add_use(MON, "bob")
    github.fail_next(Fault(status, retry_after="1", prefix=DOWNLOAD))

    pulled = pull(source(github), MON)

    assert sorted(r.login for r in pulled.records) == ["ada", "bob"]
    first, second = github.arrived(DOWNLOAD)
    assert second - first >= 1.0  # a lower bound only: a slow machine waits longer


def test_a_files_retry_after_as_an_http_date_is_waited_too(github):
    github.add_use(MON, "ada")
    until = int(time.time()) + 2  # an HTTP date is whole seconds
    github.fail_next(Fault(429, retry_after=_http_date(until), prefix=DOWNLOAD))

    assert pull(source(github), MON).records == [UsageRecord("copilot", "ada", MON)]
    _, second = github.arrived_by_the_wall(DOWNLOAD)
    assert second >= until - 0.01  # asked again once the date is past (a slow machine's later)


def test_a_file_failing_with_a_5xx_then_answering_streams_its_rows(github):
    github.files_per_day = 2
    for login in ("ada", "bob", "cy"):
        github.add_use(MON, login)
    github.fail_next(Fault(503, prefix=DOWNLOAD))

    pulled = pull(source(github, FAST), MON)

    assert sorted(r.login for r in pulled.records) == ["ada", "bob", "cy"]
    assert len(github.arrived(DOWNLOAD)) == 3  # the failed file asked twice, the other once


def test_a_files_rows_after_a_5xx_are_read_by_their_newlines_as_they_stream(github):
    rows = b'{"day": "2026-03-02", "user_login": "ada", "user_initiated_interaction_count": 1}\r\n' * 4000
    github.fail_next(Fault(500, prefix=DOWNLOAD))
    github.fail_next(Fault(200, body=rows, prefix=DOWNLOAD))

    assert len(pull(source(github, FAST), MON).records) == 4000


def test_a_file_failing_with_a_5xx_twice_fails_the_pull(github):
    github.add_use(MON, "ada")
    github.fail_next(Fault(502, prefix=DOWNLOAD), times=2)

    said = failure(github, FAST)

    assert "a file of the report of 2026-03-02: the service failed: HTTP 502 twice" in said
    assert len(github.arrived(DOWNLOAD)) == 2


def test_a_file_rate_limited_past_a_few_waits_fails(github):
    github.add_use(MON, "ada")
    github.rate_limit("0", times=4, prefix=DOWNLOAD)

    said = failure(github)

    assert "a file of the report of 2026-03-02: rate limited (HTTP 429) still after 3 waits" in said
    assert len(github.arrived(DOWNLOAD)) == 4


@pytest.mark.parametrize("status", [429, 403])
def test_a_files_retry_after_above_max_wait_fails_the_pull_at_once(github, status):
    github.add_use(MON, "ada")
    github.fail_next(Fault(status, retry_after="3600", prefix=DOWNLOAD))

    said = failure(github)

    assert (
        f"a file of the report of 2026-03-02: rate limited: asked to wait 3600 s, more than 60 s (HTTP {status})"
        in said
    )
    assert len(github.arrived(DOWNLOAD)) == 1  # not asked again


def _http_date(at: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(at))
