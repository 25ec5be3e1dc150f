"""What a template writes is escaped for Slack unless built as mrkdwn, whatever the value."""

import json

from templates import mrkdwn, slack_escape


def test_escaping_is_the_default_and_mrkdwn_is_explicit():
    assert slack_escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert mrkdwn("{} asked {}", "<!here>", mrkdwn("<@{}>", "U0123ABC")) == "&lt;!here&gt; asked <@U0123ABC>"


def test_every_kind_of_value_is_written_escaped_for_slack_and_json():
    """The finalizer's fast paths (plain str, int, float) write what the general one would."""
    from enum import IntEnum

    from templates import Mrkdwn, PlainText, _finalize

    class Level(IntEnum):
        AI = 3

    def general(value):
        return json.dumps(slack_escape(str(value)), ensure_ascii=False)[1:-1]

    for value in [
        "plain",
        'a "quote" \\ \t\n <!here> & é',
        "",
        0,
        -12,
        10**20,
        2.5,
        -0.0,
        1e-7,
        float("inf"),
        Level.AI,
    ]:
        assert _finalize(value) == general(value), value
    assert (_finalize(None), _finalize(True), _finalize(False)) == ("", "yes", "no")
    assert _finalize(Mrkdwn("<@U0123ABC>")) == "<@U0123ABC>" and _finalize(PlainText('<b> "x"')) == '<b> \\"x\\"'
