"""A step's prompt and rubric as text (cadence/step_texts.py, issue 112 item 1): kept in
the definition (left out where unset), lines taken, at most 20,000 characters; neutral to
the bar and, as `prompt`, a stale calibration; a revision's words and its diff (difflib)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from cadence import bar_fields, step_texts
from cadence.calibration import basis
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.revisions import compare
from cadence.versions import changes
from templates.playbook_yaml import playbook_yaml

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _support(**texts):
    data = yaml.safe_load(Path("examples/support-replies.yaml").read_text())
    data["steps"][0].update(texts)
    return parse_playbook(data).canonical()


def test_texts_are_kept_with_lines_left_out_unset_and_bounded():
    plain = _support()
    assert "prompt_text" not in plain["steps"][0] and "rubric_text" not in plain["steps"][0]
    kept = _support(prompt_text="One.\n\tTwo.\n", rubric_text="Tone")
    assert kept["steps"][0]["prompt_text"] == "One.\n\tTwo." and kept["steps"][0]["rubric_text"] == "Tone"
    with pytest.raises(DefinitionError, match="at most 20000"):
        _support(prompt_text="x" * 20_001)
    with pytest.raises(DefinitionError, match="U\\+0000"):
        _support(prompt_text="a\x00")
    with pytest.raises(DefinitionError, match="U\\+000A"):
        _support(prompt="a\nb")  # the label takes no lines


def test_a_text_is_neutral_to_the_bar_and_stales_the_calibration():
    before, after = _support(), _support(prompt_text="Be brief.")
    assert bar_fields.judge_of("steps[draft].prompt_text") == bar_fields.NEUTRAL
    assert bar_fields.judge_of("steps[draft].rubric_text") == bar_fields.NEUTRAL
    assert basis(before, "draft") != basis(after, "draft")
    assert basis(after, "draft") != basis(_support(prompt_text="Be brief!"), "draft")
    assert basis(before, "send") == basis(after, "send")


def test_a_revision_words_a_text_s_change_in_lines_never_the_text():
    before, after = _support(prompt_text="a\nb"), _support(prompt_text="a\nc\nd")
    assert compare(before, after).words == ["step draft prompt text revised: 2 lines added, 1 removed"]
    assert compare(_support(), before).words == ["step draft prompt text added (2 lines)"]
    assert compare(before, _support()).words == ["step draft prompt text removed"]
    assert [(c.part, c.after) for c in changes(before, after)] == [("step draft prompt text", "revised")]


def test_the_diff_is_difflib_s_and_the_revisions_are_read_newest_first():
    lines = step_texts.diff("a\nb\nc", "a\nB\nc")
    assert [(line.kind, line.text) for line in lines] == [
        ("hunk", "@@ -1,3 +1,3 @@"),
        ("kept", " a"),
        ("removed", "-b"),
        ("added", "+B"),
        ("kept", " c"),
    ]
    one, two, three = _support(), _support(prompt_text="a"), _support(prompt_text="a\nb", rubric_text="r")
    rows = [
        (2, "UANA000001", AT, {"before": one, "after": two, "why": "first"}),
        (5, "file:x.yaml", AT, {"before": two, "after": three}),
    ]
    found = step_texts.revisions(rows)
    assert [(r.step, r.key, r.why, r.before, r.after) for r in found] == [
        ("draft", "prompt_text", None, "a", "a\nb"),
        ("draft", "rubric_text", None, None, "r"),
        ("draft", "prompt_text", "first", None, "a"),
    ]


def test_export_writes_a_block_scalar_that_loads_back_unchanged():
    kept = _support(prompt_text="You draft.\n  Indented: 'quoted' & <b>\nEnd.")
    text = playbook_yaml([kept])
    assert "prompt_text: |-\n" in text
    assert parse_playbook(yaml.safe_load(text)).canonical() == kept
