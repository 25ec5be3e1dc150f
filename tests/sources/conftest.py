"""A real Prometheus (Debian's package), started by the tests: samples written as
OpenMetrics, backfilled with promtool into a temporary data folder, served on a free
loopback port with a long retention, and stopped after the session."""

import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory):
    binary, tool = shutil.which("prometheus"), shutil.which("promtool")
    if binary is None or tool is None:
        pytest.skip("prometheus/promtool are not installed (Debian's `prometheus` package; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("prometheus")
    data = folder / "data"
    (folder / "samples.om").write_text(openmetrics())
    subprocess.run(
        [tool, "tsdb", "create-blocks-from", "openmetrics", str(folder / "samples.om"), str(data)],
        check=True,
        capture_output=True,
    )
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=10y",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "prometheus.log", "w"),  # noqa: SIM115
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("prometheus did not start: " + (folder / "prometheus.log").read_text()[-2000:])
        time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def json_server():
    server = JsonServer().start()
    yield server
    server.stop()
