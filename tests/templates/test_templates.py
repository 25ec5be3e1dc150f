"""Every template renders valid Block Kit within Slack's limits, and user text pings no one:
each is rendered with its hostile context (contexts/)."""

import json
import re
from types import SimpleNamespace

import pytest

from templates import BlockKitError, check_block_limits, render, template_names
from tests.templates.contexts import contexts

HOSTILE = [
    "<!channel> <!here> <!everyone>",
    "<@U0123ABC> <#C0123ABC> <https://evil.example|click me>",
    "```code fence``` *bold* _it_ ~strike~ `tick`",
    '&amp; &lt; &gt; " \\ \n newline \t tab',
    "\u202eright-to-left override \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "x" * 10_000,
]

PINGS = re.compile(r"<[!@#]|<https?:")


def test_every_template_has_a_hostile_context():
    assert set(template_names()) == set(contexts("x"))


@pytest.mark.parametrize("text", HOSTILE, ids=["mentions", "links", "formatting", "entities", "rtl", "10k"])
@pytest.mark.parametrize("name", template_names())
def test_hostile_text_renders_safely(name, text):
    message = render(name, **contexts(text)[name])
    json.dumps(message)  # serialisable
    check_block_limits(message)
    if message.get("type") == "modal":
        assert message["title"]["text"]
    elif message.get("type") != "home":  # messages carry fallback text for notifications
        assert message["text"]
    bot_mentions = {"<@UOWNER0001>", "<#CTEAM00001>", "<@UCURATOR1>", "<#CCURATORS>"}
    for text_seen in _mrkdwn_texts(message):  # plain_text is shown literally by Slack: it cannot ping
        for mention in bot_mentions:
            text_seen = text_seen.replace(mention, "")
        text_seen = re.sub(r"<@UPERSON\d{4}>", "", text_seen)
        assert not PINGS.search(text_seen), text_seen[:300]


def _text_objects(node, kind):
    """The text of every text object of `kind` ("mrkdwn", "plain_text") in a message."""
    if isinstance(node, dict):
        if node.get("type") == kind and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _text_objects(value, kind)
    elif isinstance(node, list):
        for item in node:
            yield from _text_objects(item, kind)


def _mrkdwn_texts(message):
    """The fallback text and every mrkdwn text object in a message."""
    if isinstance(message.get("text"), str):
        yield message["text"]
    yield from _text_objects(message, "mrkdwn")


def test_limits_are_enforced():
    with pytest.raises(BlockKitError):
        check_block_limits({"blocks": [{"type": "divider"}] * 51})
    with pytest.raises(BlockKitError):
        check_block_limits({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]})


def test_the_clock_loads_every_template_when_it_starts_and_a_one_shot_tick_only_what_it_uses(store):
    """A clock that keeps running (bot/processes.py, Clockwork.run and start_in_background)
    warms its cadence: every template compiled at start, not in its first week close. A
    cadence only built (`rollout tick` from cron) compiles none until it renders one."""
    import templates
    from slack_api.members import TeamDirectory
    from usecases.tick import Cadence

    templates._templates.clear()
    cadence = Cadence(store, None, TeamDirectory(), "UTC", lambda: None, charts=False)  # type: ignore[arg-type]
    assert templates._templates == {}
    cadence.warm()
    assert sorted(templates._templates) == template_names() and len(template_names()) > 40


def test_long_kits_many_learnings_and_reasons_are_cut_never_over_block_kits_limits():
    """Links, learnings and reasons are what people wrote: however long and however many
    characters escaping grows, a section is cut with an ellipsis, never over 3,000."""
    context = contexts("plain words")  # the rest of the message as written; the kit and learnings hostile
    link = "https://wiki.example.com/" + "a&b" * 90  # 295 characters, each & five when escaped
    kit = SimpleNamespace(runbook=link, training=[link] * 20, checks=[link] * 20, requires=[link] * 20, may_change=[])
    learnings = [dict(cycle=1, text="&" * 500, by="UPERSON0001", at="2026-11-20")] * 5
    message = render("adopted", **{**context["adopted"], "kit": kit, "learnings": learnings})
    check_block_limits(message)
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts) and any(t.endswith("…") for t in texts)
    prompt = context["learning_prompt"]
    steps = [dict(s, reasons=[dict(kind="exception", text="<&>" * 170, count=3)] * 3) for s in prompt["steps"]]
    check_block_limits(render("learning_prompt", **{**prompt, "steps": steps}))


def test_compiled_templates_are_kept_for_the_next_process_and_a_cache_that_takes_nothing_costs_no_message(
    tmp_path,
):
    """Jinja's cache of compiled templates (templates.bytecode_cache): a template compiled
    once is kept for the processes after; where nothing can be kept (a full disk; here a
    file where the directory should be), the template renders all the same."""
    from jinja2 import DictLoader, Environment

    from templates import _Kept

    kept = tmp_path / "kept"
    kept.mkdir()
    Environment(loader=DictLoader({"t": "{{ 1 + 1 }}"}), bytecode_cache=_Kept(str(kept))).get_template("t")
    assert len(list(kept.iterdir())) == 1
    again = Environment(loader=DictLoader({"t": "{{ 1 + 1 }}"}), bytecode_cache=_Kept(str(kept)))
    assert again.get_template("t").render() == "2"
    not_a_directory = tmp_path / "full"
    not_a_directory.write_text("")
    broken = Environment(loader=DictLoader({"t": "{{ 2 + 2 }}"}), bytecode_cache=_Kept(str(not_a_directory)))
    assert broken.get_template("t").render() == "4"
