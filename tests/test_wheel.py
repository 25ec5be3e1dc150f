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
    pip = [str(where / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
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


def test_from_the_installed_wheel_help_and_errors_point_only_to_what_it_has(installed, tmp_path):
    """Issue 54, item 7: a wheel has no docs/ and no .env.example, and `-e '.[demo]'` means
    nothing outside a checkout. What it says names the guides and the extra as they are found."""
    said = []
    for args, env in (
        (["--help"], {}),
        (["source", "--help"], {}),
        (["webhook", "--help"], {}),
        (["token", "--help"], {}),
        (["serve"], {}),  # no credentials: the sentence on where to put them
    ):
        result = _run_outside(installed, tmp_path, ["rollout", *args], timeout=120, **env)
        said.append(" ".join((result.stdout + result.stderr).split()))  # as read, not as click wraps it
        assert "Traceback" not in said[-1], said[-1]
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
    printed = _run_outside(installed, tmp_path, ["rollout", "manifest"], timeout=120)
    assert printed.stdout == (ROOT / "manifest.yml").read_text(), printed.stderr
    for page in guide.GUIDES:  # each one the guides link to among them (tests/test_repository.py)
        printed = _run_outside(installed, tmp_path, ["rollout", "docs", page.removesuffix(".md")], timeout=120)
        assert printed.stdout == (ROOT / "docs" / page).read_text(), printed.stderr
    hint = _run_outside(installed, tmp_path, ["python", "-c", "from bot import guide; print(guide.demo_install())"])
    assert hint.stdout.strip() == "pip install 'rollout-cadence-bot[demo]'", hint.stdout + hint.stderr
    # the demo's extra brings the assistant's (issue 96), so `rollout mcp` starts: with no
    # database where it is run, it names the one it would open and refuses, making none
    # (without the extra, tests/bot/test_mcp.py: the sentence on how to add it)
    assistant = _run_outside(installed, tmp_path, ["rollout", "mcp"], timeout=120)
    assert assistant.returncode == 1 and assistant.stdout == "", assistant.stdout
    assert assistant.stderr.startswith(f"Database: {tmp_path / 'rollout.db'} (SQLite)\n"), assistant.stderr
    assert "there is no database at" in assistant.stderr and "rollout db upgrade" in assistant.stderr
    assert "Traceback" not in assistant.stderr and not (tmp_path / "rollout.db").exists()
