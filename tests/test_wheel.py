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


# What only the wheel can show of the demo, in one Python in its venv: that every file the
# package's code reads (pyproject.toml's package data, through bot/'s links to docs/ and
# examples/) was installed as it is in this tree, every module too; that what reads them
# finds them where the wheel put them (every message and page template compiles, the demo's
# playbooks parse); and that its extras brought what the demo and the assistant import. The
# story itself, the same code, runs once a run from this tree (`demo_result`, tests/bot/demo/):
# running it again from the wheel cost a minute and a half of CPU and proved nothing more.
# .ci/container runs the same in the image, to show that it holds this tree's package.
SHIPPED = """import base64, hashlib, importlib.util, json, sys
from importlib import metadata
import yaml
import templates, templates.pages
from bot.cli_demo import DEMO_PACKAGES
from bot.demo.story import DEMO_PLAYBOOKS, EXAMPLES
from cadence.definition_load import parse_playbook
templates.load_all()
pages = [templates.pages._env.get_template(name).name for name in templates.pages._env.list_templates(extensions=["html"])]
playbooks = [parse_playbook(yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())).playbook for name in DEMO_PLAYBOOKS]
files = {
    str(f): base64.urlsafe_b64encode(hashlib.sha256(f.locate().read_bytes()).digest()).rstrip(b"=").decode()
    for f in metadata.files("rollout-cadence-bot")
    if ".dist-info" not in str(f) and "__pycache__" not in str(f)
}
missing = [name for name in (*DEMO_PACKAGES, "mcp") if importlib.util.find_spec(name) is None]
print(json.dumps({"files": files, "pages": pages, "playbooks": playbooks, "missing": missing}))
"""


def tree_files() -> dict[str, str]:
    """Each file of this tree the wheel should hold (the packages' modules and pyproject.toml's
    package data, links followed) by its path in the wheel, with its sha256 as RECORD writes it."""
    import base64
    import hashlib
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    tops = {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]}
    paths = [p for top in tops for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts]
    for package, patterns in setuptools["package-data"].items():
        folder = ROOT.joinpath(*package.split("."))
        paths += [p for pattern in patterns for p in folder.glob(pattern)]
    return {
        p.relative_to(ROOT).as_posix(): base64.urlsafe_b64encode(hashlib.sha256(p.read_bytes()).digest())
        .rstrip(b"=")
        .decode()
        for p in paths
    }


def test_the_installed_wheel_holds_what_the_demo_and_the_messages_read(installed, tmp_path):
    import json

    result = _run_outside(installed, tmp_path, ["python", "-c", SHIPPED], timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    shipped = json.loads(result.stdout)
    tree = tree_files()
    assert any(path.startswith("bot/demo/examples/") for path in tree) and "bot/docs/setup.md" in tree
    assert {path for path, digest in tree.items() if shipped["files"].get(path) != digest} == set()
    assert shipped["missing"] == []  # the demo's extra, which brings the assistant's
    assert sorted(shipped["pages"]) == sorted(
        p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.html")
    )
    assert shipped["playbooks"] == ["support-replies", "refund-triage", "lead-research", "invoice-matching"]
    # and `rollout demo` is the console script's: asked to serve a run that is not there, it
    # says so in one sentence
    served = _run_outside(installed, tmp_path, ["rollout", "demo", "--serve", "--from", "nowhere"], timeout=120)
    assert served.returncode == 1 and "nowhere holds no run of the demo" in served.stderr, served.stderr
    assert "Traceback" not in served.stderr


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
