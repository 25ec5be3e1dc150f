"""The built wheel, installed as an operator installs it: into a fresh virtual
environment with the constraints, run from an empty folder. Everything the code reads at
run time (templates, pages, the demo's playbooks, migrations) must ship in the package."""

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot import guide
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.ports import serve_on_a_free_port

pytestmark = pytest.mark.slow  # builds and installs the package

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin` folder of a fresh venv holding the wheel built from this tree, with its demo extra."""
    where = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(where / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((where / "dist").glob("rollout_cadence_bot-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True, timeout=120)
    # --no-compile: pip would compile every module it installs (scipy's, numpy's and matplotlib's
    # thousands) where the tests import a small part of them, each compiled as first imported
    python = str(where / "venv" / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    installed = subprocess.run(
        [*pip, "-c", str(ROOT / "constraints.txt"), f"{wheel}[demo]"], capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stderr
    return where / "venv" / "bin"


def _outside_the_tree(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment that cannot reach this tree: no PYTHONPATH, no .env, an empty folder."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_", "PYTHON"))}
    return {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'rollout.db'}", **extra}


def _run_outside(installed, tmp_path, command: list[str], timeout: float = 60, **extra):
    """One of the installed wheel's programs (`command[0]` in its venv's bin), run from an
    empty folder with an environment that cannot reach this tree."""
    return subprocess.run(
        [str(installed / command[0]), *command[1:]],
        cwd=tmp_path,
        env=_outside_the_tree(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_demo_runs_from_the_installed_wheel(installed, tmp_path):
    result = _run_outside(installed, tmp_path, ["rollout", "demo", "--quiet"], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "demo-output" / "rollout-demo.html").exists()
    # --quiet: only where the page is (tests/bot/demo/test_demo.py holds the rest of what it prints)
    assert result.stdout.strip().startswith("Open demo-output/rollout-demo.html in a browser"), result.stdout[-600:]
    assert "forms" not in result.stdout
    assert "Traceback" not in result.stderr


def test_serve_from_the_installed_wheel_shows_the_sign_in_page(installed, tmp_path, slack):
    env = _outside_the_tree(
        tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.url
    )

    made = _run_outside(installed, tmp_path, ["rollout", "db", "upgrade"], timeout=120)  # serve opens, not makes
    assert made.returncode == 0, made.stderr

    def start(port: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(installed / "rollout"), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    server, port = serve_on_a_free_port(start, lambda port: _answers(port, "/healthz"))
    try:
        status, body = _get(port, "/web/signin")
        assert status == 200 and "Sign in" in body, body
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output and "TemplateNotFound" not in output, output


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _answers(port: int, path: str) -> bool:
    try:
        return _get(port, path)[0] == 200
    except (OSError, http.client.HTTPException):
        return False


# One Python in the wheel's venv asks `rollout` for each command's words (click's CliRunner
# over the installed package): a process each costs a second and more of CPU to import the bot,
# for words only. The console script and what a process does (its exit, its stderr, the files
# it leaves) are asked of `rollout` itself.
_ASK = """import json, sys
from click.testing import CliRunner
from bot.cli import cli
from bot import guide
said = [CliRunner().invoke(cli, args) for args in json.loads(sys.argv[1])]
print(json.dumps({"said": [r.output for r in said], "stdout": [r.stdout for r in said], "hint": guide.demo_install()}))
"""


def _asked_in_one_process(installed, tmp_path, commands: list[list[str]]) -> dict:
    import json

    result = _run_outside(installed, tmp_path, ["python", "-c", _ASK, json.dumps(commands)], timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_from_the_installed_wheel_help_and_errors_point_only_to_what_it_has(installed, tmp_path):
    """Issue 54, item 7: a wheel has no docs/ and no .env.example, and `-e '.[demo]'` means
    nothing outside a checkout. What it says names the guides and the extra as they are found."""
    pages = [page.removesuffix(".md") for page in guide.GUIDES]  # each the guides link to (tests/test_repository.py)
    asked = _asked_in_one_process(
        installed,
        tmp_path,
        [["source", "--help"], ["webhook", "--help"], ["token", "--help"], ["manifest"], *(["docs", p] for p in pages)],
    )
    top = _run_outside(installed, tmp_path, ["rollout", "--help"], timeout=120)
    serve = _run_outside(installed, tmp_path, ["rollout", "serve"], timeout=120)  # no credentials: where to put them
    # as read, not as click wraps it: `rollout --help`, the three groups' help, then `rollout serve`
    said = [
        " ".join(text.split()) for text in (top.stdout + top.stderr, *asked["said"][:3], serve.stdout + serve.stderr)
    ]
    assert not any("Traceback" in words for words in said), said
    playbook = tmp_path / "typo.yaml"
    playbook.write_text("playbook: typo\nkpi: {name: x, directon: up, baseline: 1, target: 2}\n")
    loaded = _run_outside(installed, tmp_path, ["rollout", "playbook", "load", str(playbook)], timeout=120)
    said.append(" ".join((loaded.stdout + loaded.stderr).split()))
    text = "\n".join(said)
    assert "docs/" not in text and ".env.example" not in text and "manifest.yml" not in text, text
    # Issue 66, item 8: what they name, the package has, and prints
    assert "To connect a workspace, follow the setup guide, `rollout docs setup`." in said[0], said[0]
    assert "Missing SLACK_BOT_TOKEN" in said[-2] and "a .env file in this folder" in said[-2], said[-2]
    assert "paste what `rollout manifest` prints" in said[-2], said[-2]
    assert "kpi.directon: not a key here; did you mean direction?" in said[-1], said[-1]
    assert "what a playbook takes: the playbook reference, `rollout docs playbooks`" in said[-1]
    assert asked["stdout"][3] == (ROOT / "manifest.yml").read_text()
    for page, printed in zip(pages, asked["stdout"][4:], strict=True):
        assert printed == (ROOT / "docs" / f"{page}.md").read_text(), page
    assert asked["hint"] == "pip install 'rollout-cadence-bot[demo]'", asked["hint"]
    # the demo's extra brings the assistant's (issue 96), so `rollout mcp` starts: with no
    # database where it is run, it names the one it would open and refuses, making none
    # (without the extra, tests/bot/test_mcp.py: the sentence on how to add it)
    assistant = _run_outside(installed, tmp_path, ["rollout", "mcp"], timeout=120)
    assert assistant.returncode == 1 and assistant.stdout == "", assistant.stdout
    assert assistant.stderr.startswith(f"Database: {tmp_path / 'rollout.db'} (SQLite)\n"), assistant.stderr
    assert "there is no database at" in assistant.stderr and "rollout db upgrade" in assistant.stderr
    assert "Traceback" not in assistant.stderr and not (tmp_path / "rollout.db").exists()
