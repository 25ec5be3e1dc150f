"""Limits held by rules (issue 110, item 7): McCabe's complexity as ruff counts it. ruff's
C901 (pyproject.toml, [tool.ruff.lint.mccabe]) refuses a function over 20; over 15 is
a ratchet: no more product functions than today's, and a new one is named. The module
size is tests/test_layers.py's MOST_LINES."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.test_layers import OURS

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")  # the dev dependency, beside the venv's python
WATCHED = 15
# How many product functions may be over WATCHED: today's count, none since issue 110's
# splits. A split may lower it; nothing may raise it.
OVER_WATCHED_AT_MOST = 0
NAMED = re.compile(r"^`(?P<name>[^`]+)` is too complex \((?P<count>\d+) > \d+\)$")


def _over(limit: int) -> dict[str, int]:
    """The product functions (migrations excepted, as ruff's config excludes them) whose
    complexity by ruff is over `limit`: "path name" -> the count."""
    command = [str(RUFF), "check", "--select", "C901", "--config", f"lint.mccabe.max-complexity = {limit}"]
    found = subprocess.run(
        [*command, "--output-format", "json", "--exit-zero", "--no-cache", *OURS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    over = {}
    for problem in json.loads(found.stdout):
        path = Path(problem["filename"]).resolve().relative_to(ROOT)
        if "migrations" in path.parts:
            continue
        named = NAMED.match(problem["message"])
        assert named, f"ruff's message changed: {problem['message']}"
        over[f"{path} {named['name']}"] = int(named["count"])
    return over


def test_no_more_functions_over_15_than_today():
    over = _over(WATCHED)
    assert len(over) <= OVER_WATCHED_AT_MOST, (
        f"{len(over)} product functions over complexity {WATCHED} by ruff, at most {OVER_WATCHED_AT_MOST}: "
        f"split these by what they do: {over}"
    )


def test_ruff_refuses_a_function_over_20():
    """The bound itself is ruff's, read by `ruff check .` with the rest of the lint."""
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "C901" in lint["select"] and lint["mccabe"]["max-complexity"] == 20
