"""The /rollout grammar, without Slack."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import grammar
from handlers.grammar import Refusal, parse
from templates.refusals import plain, slack
from tests.conftest import examples
from usecases.shared import messages
from usecases.shared.messages import (
    Attest,
    Cases,
    CuratorChange,
    CuratorsChannel,
    CycleStart,
    Help,
    Kpi,
    LogException,
    Rubric,
    Status,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("help", Help()),
        ("help kpi", Help("kpi")),
        ("status", Status(None)),
        ("status Support-Replies", Status("support-replies")),
        ("kpi support-replies 14.5", Kpi("support-replies", 14.5, False, None)),
        ("kpi support-replies -3", Kpi("support-replies", -3.0, False, None)),
        ("kpi support-replies 93% week:2", Kpi("support-replies", 93.0, True, 2)),
        ("KPI  support-replies   .5  WEEK:4", Kpi("support-replies", 0.5, False, 4)),
        ("attest sr yes", Attest("sr", True, None, None, None)),
        ("attest sr yes smooth   week week:1", Attest("sr", True, None, "smooth   week", 1)),
        ("attest sr no draft the model was down", Attest("sr", False, "draft", "the model was down", None)),
        (
            "exception sr send refund over &lt;limit&gt; &amp; more",
            LogException("sr", "send", "refund over <limit> & more"),
        ),
        ("cases sr draft 20", Cases("sr", "draft", 20, None)),
        ("cases sr draft 0 week:3", Cases("sr", "draft", 0, 3)),
        ("rubric sr draft 0.93", Rubric("sr", "draft", 0.93, None)),
        ("rubric sr draft 93%", Rubric("sr", "draft", 0.93, None)),
        ("rubric sr draft 100%", Rubric("sr", "draft", 1.0, None)),
        ("calibrate sr draft 37/40", messages.Calibrate("sr", "draft", 37, 40)),
        ("calibrate SR draft 40/40 new   prompt v3", messages.Calibrate("sr", "draft", 40, 40, "new   prompt v3")),
        ("calibrate sr draft 0/40", messages.Calibrate("sr", "draft", 0, 40)),
        (
            "rubric sr draft 20 tone:19 Accuracy:18 week:2",
            Rubric("sr", "draft", 0.9, 2, reviewed=20, dimensions=(("tone", 19), ("Accuracy", 18))),
        ),
        ("cycle start sr", CycleStart("sr", None)),
        ("cycle start sr 2026-11-30", CycleStart("sr", date(2026, 11, 30))),
        ("curator add <@U0123ABC|dana>", CuratorChange(True, "U0123ABC")),
        ("curator remove <@U0123ABC>", CuratorChange(False, "U0123ABC")),
        ("curators-channel <#C0CURATE|curators>", CuratorsChannel("C0CURATE")),
        ("curators-channel C0CURATE1", CuratorsChannel("C0CURATE1")),
        # what the fast tests of waves and upgrades are given (tests/usecases/fast, issue 79 item 4)
        (
            "wave support-replies reviewed drafts <need> the refund policy",
            messages.WaveReviewed("support-replies", None, "drafts <need> the refund policy"),
        ),
        ("upgrade support-replies-sales", messages.Upgrade("support-replies-sales", None)),
        ("upgrade support-replies-sales v2", messages.Upgrade("support-replies-sales", 2)),
        (
            "adopt support-replies@v1 <#COPS000001|ops> owner <@UOPSOWNER1> override the ops desk needs it now",
            messages.Adopt(
                "support-replies", 1, "COPS000001", "ops", "UOPSOWNER1", override="the ops desk needs it now"
            ),
        ),
    ],
)
def test_parses(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "says", "usage"),
    [
        ("kpi sr 14,5", "uses a comma", "kpi"),
        ("calibrate sr draft 41/40", "41 passed of 40 cases", "calibrate"),
        ("calibrate sr draft 37", "is not a calibration run's score", "calibrate"),
        ("calibrate sr draft 37/0", "is not a calibration run's score", "calibrate"),
        ("calibrate sr draft -1/40", "is not a calibration run's score", "calibrate"),
        ("calibrate sr draft", "needs a playbook, a step", "calibrate"),
        ("kpi sr 1,234", "e.g. 1234", "kpi"),
        ("kpi sr NaN", "is not a number", "kpi"),
        ("kpi sr inf", "is not a number", "kpi"),
        ("kpi sr -Infinity", "is not a number", "kpi"),
        ("kpi sr 1e5", "is not a number", "kpi"),
        ("kpi sr 1e999", "is not a number", "kpi"),
        ("kpi sr 99999999999999", "too large", "kpi"),
        ("kpi sr", "needs a playbook and one value", "kpi"),
        ("kpi sr 1 2", "one value and nothing after it", "kpi"),
        ("kpi sr 1 week:5", "use week:1 to week:4", "kpi"),
        ("kpi sr 1 week:0", "use week:1 to week:4", "kpi"),
        ("kpi sr week:2 1", "Put `week:N` last", "kpi"),
        ("cases sr draft -3", "can't be negative", "cases"),
        ("cases sr draft 2.5", "whole number", "cases"),
        ("cases sr draft many", "is not a count", "cases"),
        ("cases sr draft 1,000", "without separators", "cases"),
        ("cases sr draft 99999999999", "more than I accept", "cases"),
        ("rubric sr draft 101%", "can't be above 100%", "rubric"),
        ("rubric sr draft 1.5", "Did you mean 1.5%?", "rubric"),
        ("rubric sr draft 93", "Did you mean 93%?", "rubric"),
        ("rubric sr draft -0.1", "can't be negative", "rubric"),
        ("rubric sr draft 0,93", "uses a comma", "rubric"),
        ("attest sr", "`yes` or `no`", "attest"),
        ("attest sr maybe", "not “maybe”", "attest"),
        ("attest sr no draft", "the step you deviated on and a reason", "attest"),
        ("exception sr send", "a playbook, a step and a reason", "exception"),
        ("cycle start sr 2026-11-24", "2026-11-24 is a Tuesday", "cycle"),
        ("cycle start sr 2026-02-30", "is not a date", "cycle"),
        ("rubric sr draft 20 tone:21", "tone: 21 passed is more than the 20 reviewed", "rubric"),
        ("rubric sr draft 20 tone:1 tone:2", "Dimension tone is given twice", "rubric"),
        ("rubric sr draft 20 tone", "“tone” is not a dimension's count", "rubric"),
        ("rubric sr draft 20 tone:-1", "tone's passed count is a whole number", "rubric"),
        ("rubric sr draft 18/20 tone:18", "the reviewed count is a whole number", "rubric"),
        ("rubric sr draft 0 tone:0", "no case was reviewed", "rubric"),
        ("cycle stop sr", "Say `cycle start`", "cycle"),
        ("curator add dana", "Mention the person with @", "curator"),
        ("curator promote <@U0123ABC>", "`curator add` or `curator remove`", "curator"),
        ("curators-channel curators", "Name the channel with #", "curators-channel"),
        ("status a b", "at most one playbook", "status"),
        ("kpis sr 3", "I don't know the subcommand “kpis”", "help"),
        # moved from tests/usecases/test_versions.py and test_waves.py (issue 79, item 4)
        ("upgrade", "needs a playbook", "upgrade"),
        ("upgrade support-replies-sales vx", "needs a playbook", "upgrade"),
        ("wave support-replies", "Say which playbook, `reviewed` and what the next wave should know", "wave"),
        # moved from tests/usecases/test_away.py and test_holidays.py (issue 79, item 4)
        ("away soon", "is not a date", "away"),
        ("away", "Say the last day you are away", "away"),
        ("holiday add tomorrow", "is not a date", "holiday"),
        ("holiday", "`holiday list`", "holiday"),
        # moved from tests/usecases/test_review_samples.py, test_rubric_dimensions.py, test_reviewers.py
        ("rubric sr draft 21/20", "21 passed is more than the 20 reviewed", "rubric"),
        ("rubric sr draft 18/0", "no case was reviewed", "rubric"),
        ("rubric sr draft -1/20", "passed count is a whole number of cases, not “-1”", "rubric"),
        ("rubric sr draft 1.5/20", "passed count is a whole number of cases, not “1.5”", "rubric"),
        ("rubric sr draft 18/20.5", "reviewed count is a whole number of cases, not “20.5”", "rubric"),
        ("rubric sr draft 18/x", "reviewed count is a whole number", "rubric"),
        ("rubric sr draft 1/2/3", "Write passed/reviewed", "rubric"),
        ("rubric sr draft 20 tone:19 accuracy:1.5", "accuracy's passed count is a whole number", "rubric"),
        ("rubric sr draft x tone:0 accuracy:0", "the reviewed count is a whole number", "rubric"),
        ("rubric sr draft 18/20 by", "Mention who reviewed after `by`", "rubric"),
        ("rubric sr draft 18/20 by ben", "Mention the person with @", "rubric"),
        ("rubric sr draft 18/20 by <@UBEN00001> ida", "Mention the person with @", "rubric"),
        ("calibrate sr draft 0/0", "“0/0” is not a calibration run's score", "calibrate"),  # from test_calibrate.py
        ("week", "`week` needs a playbook", "week"),  # from test_week_form.py
        # moved from tests/handlers/test_people_and_ids.py: ids not of Slack's shape, refused before anything
        ("owner sr <@U" + "A" * 40 + ">", "is not a Slack user id", "owner"),
        ("owner sr <@U" + "A" * 40 + "|someone>", "is not a Slack user id", "owner"),
        ("owner sr <@u0lower001>", "is not a Slack user id", "owner"),
        ("curator add <@U" + "A" * 40 + ">", "is not a Slack user id", "curator"),
        ("adopt sr <#CNEWTEAM01> owner <@U" + "A" * 40 + ">", "is not a Slack user id", "adopt"),
        ("adopt sr <#C" + "A" * 250 + "|x>", "is not a Slack channel id", "adopt"),
        ("curators-channel C" + "A" * 250, "is not a Slack channel id", "curators-channel"),
        ("curators-channel <#C" + "A" * 250 + "|curators>", "is not a Slack channel id", "curators-channel"),
        ("curators-channel <#C12|curators>", "is not a Slack channel id", "curators-channel"),
    ],
)
def test_refuses_with_a_reason_and_the_usage(text, says, usage):
    with pytest.raises(Refusal) as info:
        parse(text)
    assert says in slack(info.value)
    assert info.value.usage == usage


def test_unknown_subcommand_suggests_close_ones():
    with pytest.raises(Refusal) as info:
        parse("atest sr yes")
    assert info.value.suggestions[0] == "attest"


def test_absurdly_long_input_is_refused_before_parsing():
    with pytest.raises(Refusal) as info:
        parse("attest sr yes " + "x" * 5000)
    assert "5,014 characters" in slack(info.value)


def test_a_long_reason_is_refused():
    with pytest.raises(Refusal) as info:
        parse("exception sr send " + "word " * 150)
    assert "keep it under 500" in slack(info.value)


def test_mentions_in_free_text_become_plain_text():
    cmd = parse(
        "attest sr no draft asked <@U0123ABC|dana> and <!channel> and <!subteam^S012|@team> in <#C0123|general>"
    )
    assert cmd.note == "asked @dana and @channel and @@team in #general"
    assert "<" not in cmd.note


def test_close_matches():
    assert grammar.close_matches("suport-replies", ["support-replies", "sales-outreach"]) == ("support-replies",)
    assert grammar.close_matches("support", ["support-replies", "sales-outreach"]) == ("support-replies",)
    assert grammar.close_matches("zzz", ["support-replies"]) == ()


@settings(max_examples=examples(400), deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused(text):
    try:
        parse(text)
    except Refusal as refusal:
        assert slack(refusal) and plain(refusal)  # every refusal renders in both forms


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(list(grammar.USAGE)), st.lists(st.text(min_size=1, max_size=20), max_size=6))
def test_any_arguments_to_a_known_subcommand_parse_or_are_refused(sub, args):
    try:
        parse(" ".join([sub, *args]))
    except Refusal as refusal:
        assert slack(refusal) and plain(refusal)  # every refusal renders in both forms


def test_learn_takes_a_text_and_an_optional_cycle_last():
    assert grammar.parse("learn support-replies Quote the policy, always") == messages.Learn(
        "support-replies", "Quote the policy, always", None
    )
    assert grammar.parse("learn support-replies late but true cycle:2").cycle == 2
    for text, key in [
        ("learn support-replies", "learn_arguments"),
        ("learn support-replies cycle:2", "learn_arguments"),
        ("learn support-replies x cycle:0", "not_a_cycle"),
    ]:
        with pytest.raises(Refusal) as info:
            grammar.parse(text)
        assert info.value.key == key, text


def test_publish_and_adopt_take_an_override_with_its_reason_as_written():
    assert grammar.parse("publish support-replies override  pilot  ahead").override == "pilot  ahead"
    adopt = grammar.parse("adopt support-replies <#C0123ABCD|x> cap:15% override agreed target: Q3, cap:0.3 with ops")
    assert adopt.override == "agreed target: Q3, cap:0.3 with ops"
    assert (adopt.exception_cap, adopt.target) == (0.15, None)
    assert grammar.parse("adopt support-replies <#C0123ABCD|x> rubric:0.85").rubric_threshold == 0.85
    for text in ("publish support-replies override", "adopt support-replies <#C0123ABCD|x> override"):
        with pytest.raises(Refusal) as info:
            grammar.parse(text)
        assert info.value.key == "override_reason"


def test_a_sourced_number_typed_in_its_place_takes_override_and_its_reason_as_written():
    kpi = grammar.parse("kpi support-replies 14.5 week:1 override the export  was down")
    assert kpi == Kpi("support-replies", 14.5, False, 1, override="the export  was down")
    assert grammar.parse("cases sr draft 20 override helpdesk gone").override == "helpdesk gone"
    assert grammar.parse("rubric sr draft 0.9 week:2 OVERRIDE ci down").override == "ci down"
    assert grammar.parse("guardrail sr 4.7 override survey late").override == "survey late"
    with pytest.raises(Refusal) as raised:
        grammar.parse("kpi support-replies 14.5 override")
    assert raised.value.key == "override_reason"


def test_a_rubric_of_minus_zero_is_zero():
    """Moved from tests/handlers/test_small_words.py: -0 is stored and said as 0, unsigned."""
    import math

    for text in ("rubric sr draft -0", "rubric sr send -0%"):
        score = parse(text).score
        assert score == 0 and math.copysign(1, score) == 1
