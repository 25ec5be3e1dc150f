"""What the self-check's answers (docs/programme.md, "The self-check before the next pilot")
name, read from their words: the published version a replication template names
("support-replies v2", "support-replies@v2", or "support-replies" for its newest; or "new"),
and the rubric's dimensions and the calibration set's size that "how outputs become
trustworthy" names ("a rubric of tone and accuracy, and a calibration set of 40 past
tickets": tone, accuracy; 40). They are starting values only: the kit form shows them and
its owner confirms them by saving. Pure."""

from __future__ import annotations

import re

from cadence.definition_calibration import MAX_CALIBRATION_CASES
from cadence.dimensions import DIMENSION_RE, MAX_DIMENSIONS

NEW = "new"  # the template's answer for a playbook that replicates none
_VERSION = re.compile(r"(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?:(?:\s*@\s*v?|\s+v)(?P<number>\d{1,9}))?")
_RUBRIC = re.compile(r"\brubrics?\s*(?::|\bof\b|\bon\b|\bfor\b|\bscoring\b|\bcovering\b)\s*(?P<listed>.+)", re.I)
_APART = re.compile(r"[,;/&]|\band\b|\bplus\b", re.I)
_CLAUSES = re.compile(r"[,;]|\band\b|\.(?!\d)", re.I)
_ARTICLE = re.compile(r"^(?:a|an|the|its|their)\s+", re.I)
_WHOLE = re.compile(r"\b\d{1,5}\b")


def version_named(answer: str) -> tuple[str, int | None] | str | None:
    """The version a template answer names: NEW, (slug, its number or None for the newest),
    or None when it names neither."""
    text = " ".join(answer.split()).lower()
    if text == NEW:
        return NEW
    named = _VERSION.fullmatch(text)
    if named is None:
        return None
    return named["slug"], int(named["number"]) if named["number"] else None


def dimensions_named(answer: str) -> list[str]:
    """The rubric's dimensions a trust answer lists after "rubric of" (or on, for, scoring,
    covering, a colon): each one word, up to the first part that is not ([] when none)."""
    listed = _RUBRIC.search(answer)
    if listed is None:
        return []
    found: list[str] = []
    for part in _APART.split(listed["listed"]):
        word = _ARTICLE.sub("", part.strip().rstrip(".")).lower()
        if not word:
            continue
        if not re.fullmatch(DIMENSION_RE, word) or word == "week":
            break
        if word not in found:
            found.append(word)
    return found[:MAX_DIMENSIONS]


def calibration_named(answer: str) -> int | None:
    """The calibration set's size a trust answer gives: the whole number in the part of it
    that speaks of calibration ("a calibration set of 40 past tickets", "40 calibration
    cases"); None when it gives none."""
    for clause in _CLAUSES.split(answer):
        if "calibrat" not in clause.lower():
            continue
        number = _WHOLE.search(clause)
        if number is not None and 1 <= int(number[0]) <= MAX_CALIBRATION_CASES:
            return int(number[0])
    return None
