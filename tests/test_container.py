"""The Dockerfile and compose.yaml as files (issue 85): compose runs the Procfile's
processes as the Procfile runs them, gives each time to stop, and the build sees nothing
it must not. The image itself is built and run by .ci/container (buildah), not here."""

import fnmatch
import json
import re
from pathlib import Path

import pytest
import yaml

from bot.http_server import OPTIONS
from bot.processes import TICK_GRACE_SECONDS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
PROCFILE = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())


def test_compose_runs_the_procfiles_processes_with_its_command_lines():
    ours = {name for name, service in SERVICES.items() if service.get("image") == "rollout-cadence-bot"}
    assert ours == set(PROCFILE)
    for name, line in PROCFILE.items():
        assert SERVICES[name]["command"] == line.strip(), name


def test_the_release_runs_once_against_a_database_that_answers_before_web_and_clock_start():
    release = SERVICES["release"]
    assert release["restart"] == "no"
    assert release["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "clock"):
        assert SERVICES[name]["depends_on"] == {"release": {"condition": "service_completed_successfully"}}
    assert "healthcheck" in SERVICES["db"]


def test_settings_come_from_env_and_the_database_keeps_its_data_in_a_named_volume():
    for name in PROCFILE:
        assert SERVICES[name]["env_file"] == ".env", name
    volume, target = SERVICES["db"]["volumes"][0].split(":")
    assert volume in COMPOSE["volumes"] and target == "/var/lib/postgresql/data"
    assert SERVICES["web"]["ports"] == ["${PORT:-3000}:${PORT:-3000}"]


def _seconds(grace: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)", grace).groups()  # type: ignore[union-attr]
    return int(number) * (60 if unit == "m" else 1)


def test_the_stop_grace_outlasts_what_web_and_clock_finish_after_sigterm():
    """Past the grace, compose kills: web gets its graceful shutdown, the clock a tick in
    hand and the fetches in hand (bot/processes.py), with room left for the message in hand."""
    assert _seconds(SERVICES["web"]["stop_grace_period"]) > OPTIONS["timeout_graceful_shutdown"]
    assert _seconds(SERVICES["clock"]["stop_grace_period"]) > 2 * TICK_GRACE_SECONDS


def _ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path).parts
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(parts[0], pattern) or fnmatch.fnmatch(parts[-1], pattern)
        for pattern in patterns
    )


@pytest.mark.parametrize(
    "path",
    [
        *[".git", ".env", "tests/conftest.py", ".venv", ".venv-main", ".ci/run", "bench", "rollout.db"],
        *["radon-6.0.1-py2.py3-none-any.whl", "dist/rollout_cadence_bot-1.0-py3-none-any.whl", "backup.tar.gz"],
    ],
)
def test_the_build_never_sees_history_settings_tests_or_local_state(path):
    assert _ignored(path)


def test_the_build_sees_everything_the_wheel_is_made_of():
    """pyproject.toml's packages and package data, with what bot/'s links point at."""
    needed = ["pyproject.toml", "constraints.txt", "README.md", "LICENSE", "manifest.yml", "docs/setup.md"]
    needed += [str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.yaml")]
    needed += ["bot/cli.py", "storage/alembic.ini", "templates/notices.py", "usecases/__init__.py"]
    assert [path for path in needed if _ignored(path)] == []


def test_the_dockerfile_builds_on_a_base_argument_and_runs_web_as_a_user_who_is_not_root():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG BASE=python:3\.12-slim$", text, re.MULTILINE)
    assert re.findall(r"^FROM (\S+)", text, re.MULTILINE) == ["${BASE}", "${BASE}"]
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*/healthz", text, re.MULTILINE | re.DOTALL)
    assert re.findall(r"^CMD (.+)$", text, re.MULTILINE) == ['["rollout", "web"]']


def test_the_dependencies_are_a_layer_built_before_the_source_is_copied():
    """Issue 95: a change to the source installs no dependency again. They are resolved from
    pyproject.toml and constraints.txt alone and installed in the venv before the source is
    copied; the final stage copies that venv in a layer of its own before the project's wheel;
    .ci/container keeps the layers (--layers). The final stage takes nothing from the first
    by a bind mount, which Debian's buildah 1.28 leaves empty when the stage came from its
    cache (CI's second build failed so)."""
    text = (ROOT / "Dockerfile").read_text()
    build, final = text.split("\nFROM ${BASE}\n")
    first_copy, rest = build.split("COPY . .", 1)
    assert re.search(r"^COPY pyproject\.toml constraints\.txt \./$", first_copy, re.MULTILINE)
    assert "pip wheel" in first_copy and "/opt/rollout/bin/pip install" in first_copy
    assert "--no-deps --wheel-dir /dist" in rest and "/opt/rollout" not in rest
    copies = re.findall(r"^COPY --from=build (\S+) (\S+)$", final, re.MULTILINE)
    assert copies == [("/opt/rollout", "/opt/rollout"), ("/dist", "/tmp/dist")]
    assert "from=build" not in final.replace("COPY --from=build", "")
    assert "rm -rf /tmp/dist" in final
    assert "--layers" in (ROOT / ".ci" / "container").read_text()


# ---- a security-minded read (issue 96, item 7) -----------------------------------------


def test_compose_has_no_default_database_password_and_puts_none_in_the_url():
    """The password defaulted to `rollout` and went into DATABASE_URL as typed (a `@` or
    `/` in it broke the URL). Now compose refuses to start without POSTGRES_PASSWORD, and
    it reaches libpq as PGPASSWORD: no URL carries it, so nothing needs encoding."""
    text = (ROOT / "compose.yaml").read_text()
    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", text)
    assert uses and all(use.startswith(":?") for use in uses), uses
    environment = SERVICES["web"]["environment"]
    assert environment["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert environment["DATABASE_URL"] == "${DATABASE_URL:-postgresql://rollout@db:5432/rollout}"  # no password


@pytest.mark.parametrize("name", sorted(PROCFILE))
def test_the_bots_containers_run_without_privileges_on_a_read_only_root_within_a_memory_limit(name):
    service = SERVICES[name]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["read_only"] is True and any(mount.split(":")[0] == "/tmp" for mount in service["tmpfs"])
    assert re.fullmatch(r"\d+[mg]", str(service["mem_limit"]))
    assert "no-new-privileges:true" in SERVICES["db"]["security_opt"]


def test_compose_declares_webs_health_check_as_the_dockerfile_does():
    """buildah and podman build OCI images by default, which drop HEALTHCHECK: compose
    declares the same check for `web`."""
    text = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^HEALTHCHECK .*?\bCMD (\[.*?\])$", text, re.MULTILINE | re.DOTALL)
    assert command is not None
    check = SERVICES["web"]["healthcheck"]
    assert check["test"] == ["CMD", *json.loads(command.group(1))]
    assert _seconds(check["timeout"]) < _seconds(check["interval"])
