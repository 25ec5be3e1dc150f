"""Where the operator's documentation and files are, as this install can point to them.

From a source checkout the guides are `docs/*.md` and the variables' list `.env.example`,
beside the code. A wheel installs the code only: there the messages name a guide by what
it is, and the demo's extra by the distribution's name, which pip finds."""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "rollout-cadence-bot"  # pyproject.toml's name: what pip installs
_ROOT = Path(__file__).resolve().parents[1]
# A checkout has the docs and pyproject.toml beside the packages; site-packages has neither.
FROM_SOURCE = (_ROOT / "pyproject.toml").is_file() and (_ROOT / "docs" / "setup.md").is_file()
GUIDES = {
    "setup.md": "setup guide",
    "playbooks.md": "playbook reference",
    "sources.md": "sources guide",
    "webhooks.md": "webhooks guide",
    "api.md": "reporting API's guide",
}


def doc(page: str) -> str:
    """A guide of docs/ as the operator can find it: its path in a checkout; from a wheel,
    which has no docs, its name and where it is kept."""
    if FROM_SOURCE:
        return f"docs/{page}"
    return f"the {GUIDES[page]} in the project's source (the package does not install its docs)"


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
