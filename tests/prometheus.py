"""A real Prometheus on a free loopback port (started again on another if the port was
taken meanwhile: tests/ports.py), holding samples written as OpenMetrics and
backfilled with promtool (Debian's `prometheus` package): the sources tests' and
bench.sources' one way to start it."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ports import NotServing, serve_on_a_free_port


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
        [
            tool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            # promtool's default cuts 2-hour blocks: 337 of them for four weeks, 7 s to write and
            # more for Prometheus to open. 31 days is Prometheus's own largest block.
            "--max-block-duration=744h",
            str(folder / "samples.om"),
            str(folder / "data"),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    log = folder / "prometheus.log"

    def start(port: int) -> subprocess.Popen[bytes]:
        with open(log, "w") as said:
            return subprocess.Popen(
                [
                    binary,
                    f"--config.file={folder / 'prometheus.yml'}",
                    f"--storage.tsdb.path={folder / 'data'}",
                    "--storage.tsdb.retention.time=10y",  # the backfilled weeks are kept
                    f"--web.listen-address=127.0.0.1:{port}",  # :0 would never say which port it got
                ],
                stdout=subprocess.DEVNULL,
                stderr=said,
            )

    try:
        process, port = serve_on_a_free_port(start, _ready, seconds=60)
    except NotServing:
        raise NotStarted("prometheus did not start: " + log.read_text()[-2000:]) from None
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as answer:
            return answer.status == 200 and b"Prometheus" in answer.read()
    except OSError:
        return False
