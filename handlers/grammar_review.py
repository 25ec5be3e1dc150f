"""A review by rubric dimension, as `/rollout rubric` takes it after the step: the reviewed
count, then each dimension's passed count (`20 tone:19 accuracy:18 policy:20`). Whether
they are the step's dimensions is the use case's to say (usecases/shared/recording.py).
And who reviewed, `by @ben @ida` after the score (whether Slack knows them: the use case).

Pure: no Slack, no database.
"""

from __future__ import annotations

import re

from cadence.limits import MAX_COUNT
from handlers.words import clip, parse_user
from templates.refusals import Refusal

_DIMENSION = re.compile(r"^([^:\s]+):(.*)$")
_COUNT = re.compile(r"^\+?\d+$")


def _count(text: str, word: str, what: str) -> int:
    if not _COUNT.fullmatch(text):
        raise Refusal.of("dimension_not_count", usage="rubric", word=clip(word), what=what)
    count = int(text)
    if count > MAX_COUNT:
        raise Refusal.of("count_too_large", usage="rubric", count=count, limit=MAX_COUNT)
    return count


def dimensions(words: list[str]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The reviewed count and each dimension's passed count, as typed. Refuses a word that
    is not `name:count`, a count that is not whole, a dimension given twice and a passed
    count above the reviewed one (naming the dimension)."""
    reviewed = _count(words[0], words[0], "the reviewed count")
    if reviewed == 0:
        raise Refusal.of("sample_none_reviewed", usage="rubric", word=clip(words[0]))
    given: list[tuple[str, int]] = []
    for word in words[1:]:
        found = _DIMENSION.match(word)
        if found is None:
            raise Refusal.of("dimension_word", usage="rubric", word=clip(word))
        name, said = found.group(1), found.group(2)
        passed = _count(said, word, f"{clip(name)}'s passed count")
        if any(name.lower() == seen.lower() for seen, _ in given):
            raise Refusal.of("dimension_twice", usage="rubric", dimension=clip(name))
        if passed > reviewed:
            raise Refusal.of(
                "dimension_over_reviewed", usage="rubric", dimension=clip(name), passed=passed, reviewed=reviewed
            )
        given.append((name, passed))
    return reviewed, tuple(given)


def reviewers(words: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Take `by <@U…> …` off the words after the score: the reviewers' ids, each once, in
    the order named. Every word after `by` is a mention."""
    lowered = [word.lower() for word in words]
    if "by" not in lowered[4:]:
        return words, ()
    at = lowered.index("by", 4)
    if at == len(words) - 1:
        raise Refusal.of("reviewers_none", usage="rubric")
    named = [parse_user(word, "rubric") for word in words[at + 1 :]]
    return words[:at], tuple(dict.fromkeys(named))
