"""What people read shows emoji, never a `:code:`."""

import re
from pathlib import Path

import pytest

from templates import render, template_names
from tests.templates.contexts import contexts


@pytest.mark.parametrize("name", template_names())
def test_what_people_read_has_no_raw_emoji_code(name):
    """Every message, as the demo's page and the terminal show it, and in each of its
    variants the contexts hold (a pause and a retirement, a breach and a holding guardrail):
    emoji, never a `:code:` a template built from parts."""
    from templates.terminal import to_text

    variants = [contexts("x")[name]]
    if name == "paused":
        variants.append({**variants[0], "status": "retired"})
    if name == "source_failed":
        variants.append({**variants[0], "owner_gone": None})
    if name == "guardrail_recorded":
        variants.append({**variants[0], "breached": not variants[0].get("breached")})
    for context in variants:
        shown = to_text(render(name, **context))
        assert not re.search(r":[a-z][a-z0-9_+-]*:", shown), shown


def test_every_emoji_code_the_templates_use_has_its_emoji():
    """The demo's page and the terminal show emoji, not `:codes:` (templates/terminal.py)."""
    from templates.terminal import EMOJI

    folder = Path(__file__).resolve().parents[2] / "templates"
    used = {code for path in folder.glob("*.j2") for code in re.findall(r":[a-z_]+:", path.read_text())}
    assert used - set(EMOJI) == set()
