"""Slack reads `<…>` in mrkdwn as a link, a mention or a ping, and `&`, `<`, `>` as its
control characters: a literal placeholder such as `<playbook>` must reach Slack as
`&lt;playbook&gt;`, or it shows as a link and its word is lost. Only the bot's own
markup may stand unescaped: `<@U…>`, `<#C…>`, `<!…>` and `<http…|…>`. plain_text is
shown literally, so it is never escaped."""

import re
import string
from pathlib import Path

import pytest

from templates import render, template_names
from templates.refusals import TEXTS, Lines, Refusal, slack
from tests.templates.contexts import contexts
from tests.templates.test_templates import _mrkdwn_texts, _text_objects

TEMPLATES = Path(__file__).parents[2] / "templates"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
SLACK_MARKUP = re.compile(r"<(?:[@#][UWC][A-Z0-9]+(?:\|[^<>]*)?|![^<>]+|https?://[^\s<>|]+\|[^<>]*)>")
# A `>` that starts a line is mrkdwn's quote, which the bot writes before what people typed.
QUOTE = re.compile(r"(^|\n)>")


def unescaped(text: str) -> list[str]:
    """Each `<` or `>` in a mrkdwn text that is not the bot's own markup, with its surroundings."""
    rest = QUOTE.sub(r"\1", SLACK_MARKUP.sub("", text))
    return [rest[max(0, m.start() - 30) : m.end() + 30] for m in re.finditer(r"[<>]", rest)]


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.j2")), ids=lambda p: p.name)
def test_no_template_writes_a_literal_angle_bracket(path):
    """Every branch of every template, rendered or not: its own words outside Jinja's tags
    (values are escaped as they are written)."""
    literal = JINJA.sub(" ", path.read_text()).replace("\\n>", "")
    assert "<" not in literal and ">" not in literal, [
        literal[max(0, m.start() - 30) : m.end() + 30] for m in re.finditer(r"[<>]", literal)
    ]


@pytest.mark.parametrize("text", ["plain words", "a <b> & c > d"])
@pytest.mark.parametrize("name", template_names())
def test_rendered_mrkdwn_has_no_angle_bracket_but_slacks_markup(name, text):
    message = render(name, **contexts(text)[name])
    for seen in _mrkdwn_texts(message):
        assert not unescaped(seen), unescaped(seen)


def test_plain_text_is_shown_as_written_never_escaped():
    """A modal's title, a button, an input's hint: Slack shows `&lt;` there as four characters."""
    for name, context in contexts("a <b> & c").items():
        for seen in _text_objects(render(name, **context), "plain_text"):
            assert "&lt;" not in seen and "&gt;" not in seen and "&amp;" not in seen, (name, seen)


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_refusal_reaches_slack_escaped(key):
    """Usage placeholders (`override <reason>`) and the bot's own lines of figures ("40% < 80%")."""
    fields = {name: spec for _, name, spec, _ in string.Formatter().parse(TEXTS[key]) if name}
    values = {
        name: 1 if spec else Lines(("❌ Attestation 40% (2 of 5) < 80%", "✅ 3 > 2")) for name, spec in fields.items()
    }
    said = slack(Refusal.of(key, **values))
    assert not unescaped(said), unescaped(said)
