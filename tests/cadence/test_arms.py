"""The holdout's assignment (cadence/arms.py): 32-bit FNV-1a against its published test
vectors, and the double hash against 50 case ids computed by an independent reference
(arms_table_make.py, which wrote arms_table.json); the same answer forever, about
`share` of cases held out."""

import json
from pathlib import Path

import pytest

from cadence.arms import arm, bucket, case_fault, fnv1a32

TABLE = json.loads(Path(__file__).with_name("arms_table.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, expected",
    [("", 0x811C9DC5), ("a", 0xE40C292C), ("b", 0xE70C2DE5), ("foobar", 0xBF9CF968)],
)
def test_fnv1a32_matches_the_published_vectors(text, expected):
    assert fnv1a32(text) == expected


def test_the_table_holds_fifty_ids():
    assert len(TABLE) == 50 and len({(r["slug"], r["case"]) for r in TABLE}) == 50


@pytest.mark.parametrize("row", TABLE, ids=[f"{r['slug']}:{r['case'][:20]}" for r in TABLE])
def test_each_precomputed_id_lands_in_its_bucket(row):
    assert bucket(row["slug"], row["case"]) == row["bucket"]
    for share in (0.05, 0.1, 0.25, 0.5, 0.9):
        expected = "holdout" if row["bucket"] < share * 10000 else "run"
        assert arm(row["slug"], row["case"], share) == expected


def test_the_slug_is_part_of_the_hash():
    assert bucket("sales-deals", "deal-1") == bucket("sales-deal", "sdeal-1")  # slug + case, concatenated
    assert bucket("sales-deals", "deal-1") != bucket("other", "deal-1")


def test_about_share_of_many_cases_are_held_out():
    held = sum(arm("sales-deals", f"case-{n}", 0.1) == "holdout" for n in range(20_000))
    assert 1_800 <= held <= 2_200


@pytest.mark.parametrize("case, fault", [(None, "missing"), ("", "missing"), ("x" * 201, "too_long")])
def test_a_case_id_is_1_to_200_characters(case, fault):
    assert case_fault(case) == fault  # worded by the catalogue (tests/bot/test_compare_arm.py)


def test_200_characters_of_any_script_pass():
    assert case_fault("é" * 200) is None and case_fault("日" * 200) is None
