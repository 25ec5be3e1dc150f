"""The one check on stored text (cadence/text.py): every character of Unicode categories
Cc (but the line breaks a field allows), Cf, Co, Cn (and Cs) and the filler characters is
refused, named as `U+3164 HANGUL FILLER`; what people write in any script passes. And
the one rule for a CSV cell: never the start of a formula."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadence.text import FILLERS, SEPARATORS, as_line_breaks, csv_cell, csv_row, unstorable, without_invisible
from tests.conftest import examples

REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn")
LINE_BREAKS = "\n\r"


def _every(category: str) -> list[str]:
    return [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == category]


CONTROLS = _every("Cc")
FORMATS = _every("Cf")


def named(char: str) -> str:
    name = unicodedata.name(char, None)
    if name is not None:
        return f"U+{ord(char):04X} {name}"
    label = {"Cc": "control", "Cs": "surrogate", "Co": "private use", "Cn": "unassigned"}
    return f"U+{ord(char):04X} ({label[unicodedata.category(char)]})"


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u3164", "U+3164 HANGUL FILLER"),
        ("\u115f", "U+115F HANGUL CHOSEONG FILLER"),
        ("\u1160", "U+1160 HANGUL JUNGSEONG FILLER"),
        ("\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER"),
        ("\u2800", "U+2800 BRAILLE PATTERN BLANK"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\u2061", "U+2061 FUNCTION APPLICATION"),
        ("\u2062", "U+2062 INVISIBLE TIMES"),
        ("\u2063", "U+2063 INVISIBLE SEPARATOR"),
        ("\u2064", "U+2064 INVISIBLE PLUS"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("\u061c", "U+061C ARABIC LETTER MARK"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u200d", "U+200D ZERO WIDTH JOINER"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\U000e0001", "U+E0001 LANGUAGE TAG"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\U000e007f", "U+E007F CANCEL TAG"),
        ("\U000e0000", "U+E0000 (unassigned)"),
        ("\ue000", "U+E000 (private use)"),
        ("\U0010fffd", "U+10FFFD (private use)"),
        ("\u0378", "U+0378 (unassigned)"),
        ("\uffff", "U+FFFF (unassigned)"),
        ("\ud800", "U+D800 (surrogate)"),
        ("\x00", "U+0000 (control)"),
        ("\t", "U+0009 (control)"),
        ("\x7f", "U+007F (control)"),
        ("\x85", "U+0085 (control)"),
    ],
)
def test_each_refused_character_is_named(char, name):
    for line_breaks in (False, True):
        assert unstorable(f"all fine{char}really", line_breaks=line_breaks) == name
        assert unstorable(char, line_breaks=line_breaks) == name


def test_every_tag_character_is_refused():
    for code in range(0xE0000, 0xE0080):
        assert unstorable(f"flag{chr(code)}", line_breaks=True) is not None, hex(code)


@pytest.mark.parametrize("char", CONTROLS + FORMATS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_and_format_character_is_refused_but_line_breaks_where_allowed(char):
    assert unstorable(f"a{char}b", line_breaks=False) == named(char)
    if char in LINE_BREAKS:
        assert unstorable(f"a{char}b", line_breaks=True) is None
    else:
        assert unstorable(f"a{char}b", line_breaks=True) == named(char)


def test_line_breaks_pass_only_where_the_field_allows_them():
    text = "first line\r\nsecond line\nthird"
    assert unstorable(text, line_breaks=True) is None
    assert unstorable(text, line_breaks=False) == "U+000D (control)"
    assert unstorable("one\ntwo", line_breaks=False) == "U+000A (control)"
    assert unstorable("one\vtwo", line_breaks=True) == "U+000B (control)"  # not a line break a person types


def test_unicodes_line_separators_are_line_breaks_where_the_field_allows_them_and_refused_elsewhere():
    assert unstorable("one\u2028two", line_breaks=False) == "U+2028 LINE SEPARATOR"
    assert unstorable("one\u2029two", line_breaks=False) == "U+2029 PARAGRAPH SEPARATOR"
    assert unstorable("one\u2028two\u2029three", line_breaks=True) is None
    assert as_line_breaks("one\u2028two\u2029three") == "one\ntwo\n\nthree"
    assert without_invisible("one\u2028two") == "one\ntwo"  # stored before: shown as the break it is


def test_the_first_refused_character_is_the_one_named():
    assert unstorable("a\u3164b\u202ec\x00", line_breaks=True) == "U+3164 HANGUL FILLER"
    assert unstorable("a\x00b\u3164", line_breaks=True) == "U+0000 (control)"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Quote the policy, always",
        "Café naïve résumé — Ærøskøbing, Łódź, İstanbul, ß",
        "支持回复草稿 · サポート返信 · 지원 답장",  # CJK, kana, hangul syllables (not the filler)
        "שלום مرحبا नमस्ते ภาษาไทย",
        "“typographic” ‘quotes’ «guillemets» „low“ – en — em … • ½ € №",
        "emoji 🎉👍🏽🚀 ❤️ ✅ 🇩🇪",  # skin tone (Sk), U+FE0F (Mn) and regional indicators (So) pass
        "combining e\u0301 and n\u0303",
        "no-break\u00a0space and ideographic\u3000space",
        "1 + 1 = 2, 50% of <users> & 'friends' \\ path/to`code`",
    ],
)
def test_what_people_write_passes(text):
    assert unstorable(text, line_breaks=False) is None
    assert without_invisible(text) == text


def test_an_emoji_zwj_sequence_is_refused_for_its_joiner():
    assert unstorable("pairing with 👩\u200d💻", line_breaks=True) == "U+200D ZERO WIDTH JOINER"
    assert unstorable("👩💻", line_breaks=True) is None


def test_none_and_empty_pass():
    assert unstorable(None, line_breaks=False) is None
    assert unstorable("", line_breaks=False) is None


def test_the_fillers_are_the_issues_five():
    assert frozenset("\u115f\u1160\u3164\uffa0\u2800") == FILLERS


_REFUSED = st.one_of(st.characters(categories=REFUSED_CATEGORIES), st.sampled_from(sorted(FILLERS)))
_ORDINARY = st.characters(
    codec=None, exclude_categories=REFUSED_CATEGORIES, exclude_characters=FILLERS | set(SEPARATORS)
)


@settings(max_examples=examples(500), deadline=None)
@given(st.text(_ORDINARY, max_size=60))
def test_text_without_refused_characters_passes(text):
    assert unstorable(text, line_breaks=False) is None
    assert without_invisible(text) == text


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(_ORDINARY, max_size=30), _REFUSED, st.text(_ORDINARY, max_size=30), st.booleans())
def test_any_refused_character_anywhere_is_refused_and_named(before, char, after, line_breaks):
    found = unstorable(before + char + after, line_breaks=line_breaks)
    if line_breaks and char in LINE_BREAKS:
        assert found is None
    else:
        assert found == named(char)
        assert found.startswith(f"U+{ord(char):04X} ")
    assert without_invisible(before + char + after) == before + (char if char in "\t\n\r" else "") + after


# ---- CSV cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("-3", "'-3"),  # text that looks like a number is text: a person typed it
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-3, -3),  # numbers are numbers: a spreadsheet reads -3 as minus three, nothing runs
        (-2.5, -2.5),
        (14.5, 14.5),
        (0, 0),
    ],
)
def test_a_csv_cell_never_starts_a_formula(cell, written):
    assert csv_cell(cell) == written


def test_a_csv_row_is_its_cells_each_neutralised():
    assert csv_row(["=A1", None, -3, "ok", "@x"]) == ["'=A1", "", -3, "ok", "'@x"]
