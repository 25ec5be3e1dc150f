"""Where the operator's documentation and files are, as this install can point to them.

From a source checkout the guides are `docs/*.md`, the app manifest `manifest.yml` and the
variables' list `.env.example`, beside the code. A wheel carries the guides and the
manifest as package data (bot/docs and bot/manifest.yml link to them in the source, so
there is one copy of each): `rollout docs NAME` and `rollout manifest` print them, and the
messages name those commands; the demo's extra is named by the distribution's name, which
pip finds."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DISTRIBUTION = "rollout-cadence-bot"  # pyproject.toml's name: what pip installs
_ROOT = Path(__file__).resolve().parents[1]
# A checkout has the docs and pyproject.toml beside the packages; site-packages has neither.
FROM_SOURCE = (_ROOT / "pyproject.toml").is_file() and (_ROOT / "docs" / "setup.md").is_file()
# The guides `rollout docs NAME` prints, by their page in docs/, and what each is.
GUIDES = {
    "setup.md": "setup guide",
    "playbooks.md": "playbook reference",
    "sources.md": "sources guide",
    "usage-records.md": "guide to the AI tools' usage records",
    "webhooks.md": "webhooks guide",
    "api.md": "reporting API's guide",
    "mcp.md": "guide to asking it from an assistant",
    "judgement.md": "guide to how weeks are judged",
    "usage.md": "guide to using the bot, week by week",
    "programme.md": "guide to growing a pilot into a programme",
    "operations.md": "guide to the metrics and their alerts",
}


def doc(page: str) -> str:
    """A guide of docs/ as the operator can find it: its path in a checkout; from a wheel,
    the command that prints it."""
    if FROM_SOURCE:
        return f"docs/{page}"
    return f"the {GUIDES[page]}, `rollout docs {page.removesuffix('.md')}`"


def text(name: str) -> str:
    """A file the package carries for the operator: a guide (`docs/setup.md`) or the app
    manifest (`manifest.yml`), from the checkout or the installed wheel alike."""
    return resources.files("bot").joinpath(*name.split("/")).read_text(encoding="utf-8")


def socket_mode_manifest(manifest: str) -> str:
    """The app manifest for Socket Mode: Slack's requests come over the app's own
    connection, so it is on, and the manifest names no request URL (a public address the
    operator has not got)."""
    kept = [
        line for line in manifest.splitlines(keepends=True) if not line.lstrip().startswith(("url:", "request_url:"))
    ]
    text = "".join(kept).replace("socket_mode_enabled: false", "socket_mode_enabled: true")
    assert "socket_mode_enabled: true" in text, "manifest.yml says socket_mode_enabled: false"
    return text


EMAIL_SCOPE = "users:read.email"
# The line the manifest asks for it with, under users:read, when usage sources are loaded
_EMAIL_SCOPE_LINE = f"      - {EMAIL_SCOPE}  # members' emails: only to match the AI tools' users to them\n"


def with_email_scope(manifest: str) -> str:
    """The app manifest asking also for `users:read.email`, after `users:read`: the bot
    reads members' emails only to match the users of the AI tools' usage records to
    Slack people, so a bot without usage sources does not ask for them."""
    lines = manifest.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.split("#")[0].strip() == "- users:read")
    return "".join([*lines[: at + 1], _EMAIL_SCOPE_LINE, *lines[at + 1 :]])


def manifest(socket_mode: bool = False) -> str:
    """The app manifest, as what the operator pastes into Slack; Socket Mode's is printed
    by `rollout manifest --socket-mode` (manifest.yml is the HTTP app's, with request URLs)."""
    if socket_mode:
        return "what `rollout manifest --socket-mode` prints"
    return "manifest.yml" if FROM_SOURCE else "what `rollout manifest` prints"


def env_file() -> str:
    """Where the settings go, and the list of them a checkout has."""
    if FROM_SOURCE:
        return "Put them in a .env file in this folder (see .env.example) or export them."
    return "Put them in a .env file in this folder (one NAME=value a line) or export them."


def demo_install() -> str:
    """The command that adds the demo's extra to this install."""
    if FROM_SOURCE:
        return "pip install -c constraints.txt -e '.[demo]'"
    return f"pip install '{DISTRIBUTION}[demo]'"
