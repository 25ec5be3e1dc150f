"""A real Prometheus on a free loopback port, holding samples written as OpenMetrics and
backfilled with promtool (Debian's `prometheus` package): the sources tests' and
bench.sources' one way to start it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NotStarted(RuntimeError):
    """Prometheus or promtool is missing, or the server did not come up."""


def installed() -> bool:
    return shutil.which("prometheus") is not None and shutil.which("promtool") is not None


@contextmanager
def running(folder: Path, samples: str) -> Iterator[str]:
    """Prometheus serving `samples` (OpenMetrics text) from `folder`; its URL. Stopped after."""
    binary, tool = shutil.which("prometheus"), shutil.which("promtool")
    if binary is None or tool is None:
        raise NotStarted("prometheus and promtool are not installed (Debian's `prometheus` package)")
    (folder / "samples.om").write_text(samples)
    subprocess.run(
        [tool, "tsdb", "create-blocks-from", "openmetrics", str(folder / "samples.om"), str(folder / "data")],
        check=True,
        capture_output=True,
    )
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = _free_port()
    with open(folder / "prometheus.log", "w") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={folder / 'prometheus.yml'}",
                f"--storage.tsdb.path={folder / 'data'}",
                "--storage.tsdb.retention.time=10y",  # the backfilled weeks are kept
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, process, folder / "prometheus.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise NotStarted("prometheus did not start: " + log.read_text()[-2000:])
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
