"""A real Prometheus (Debian's package), started by the tests: samples written as
OpenMetrics, backfilled with promtool into a temporary data folder, served on a free
loopback port with a long retention, and stopped after the session."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from tests import prometheus as prometheus_server
from tests.json_server import JsonServer

# Weeks in Europe/Berlin (CET, UTC+1): Monday 00:00 local is Sunday 23:00 UTC.
WEEKS = {  # the week's Monday -> first_response_minutes through it
    "2026-11-02": 30.0,
    "2026-11-09": 22.0,
    "2026-11-16": 20.0,
    "2026-11-23": 14.5,
}


def _week_start_utc(monday: str) -> datetime:
    return datetime.fromisoformat(monday).replace(tzinfo=UTC) - timedelta(hours=1)


def openmetrics() -> str:
    """Hourly samples at half past, so a week's [1w] range holds exactly its own."""
    samples: dict[str, list[str]] = {"first_response_minutes": [], "replies_total": [], "broken": []}
    for monday, value in WEEKS.items():
        start = _week_start_utc(monday)
        for hour in range(7 * 24):
            at = int((start + timedelta(hours=hour, minutes=30)).timestamp())
            samples["first_response_minutes"].append(f"first_response_minutes {value} {at}")
            samples["replies_total"] += [f'replies_total{{team="a"}} 1 {at}', f'replies_total{{team="b"}} 2 {at}']
            samples["broken"].append(f"broken NaN {at}")
    out = []  # OpenMetrics wants each family's lines together, its TYPE first
    for name in ("first_response_minutes", "replies_total", "broken"):
        out.append(f"# TYPE {name} gauge")
        out += samples[name]
    return "\n".join(out) + "\n# EOF\n"


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory):
    if not prometheus_server.installed():
        missing = "prometheus/promtool are not installed (Debian's `prometheus` package; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)  # as PostgreSQL: CI runs every test against the real thing, or fails
        pytest.skip(missing)
    try:
        with prometheus_server.running(tmp_path_factory.mktemp("prometheus"), openmetrics()) as url:
            yield url
    except prometheus_server.NotStarted as err:
        pytest.fail(str(err))


@pytest.fixture
def json_server():
    server = JsonServer().start()
    yield server
    server.stop()
