"""The words of a `/rollout` command and what one word can be: a number, a share, a
count, a date, a week, a mention, a channel, free text. Each is read or refused here (a
Refusal naming the usage to show); handlers/grammar.py puts them together per subcommand.

Pure: no Slack, no database.
"""

from __future__ import annotations

import re
from datetime import date

from cadence.definition import CHANNEL_RE, USER_RE
from cadence.limits import MAX_COUNT, MAX_TEXT_CHARS, MAX_VALUE
from cadence.text import plain_text
from templates.refusals import Refusal

_TOKEN = re.compile(r"\S+")
_WEEK = re.compile(r"^week:(.*)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(?:,\d+)+%?$")
_USER = re.compile(r"^<@([^|>]*)(?:\|[^>]*)?>$")  # a mention; its id's shape is checked apart
_USER_ID = re.compile(USER_RE)
_CHANNEL = re.compile(r"^<#([^|>]*)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(CHANNEL_RE)
_CHANNEL_LIKE = re.compile(r"^[CG][A-Z0-9]+$")  # a bare channel id, of any length
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Words:
    """The command's words, with the original text kept for free-text tails."""

    def __init__(self, text: str):
        self.text = text
        self.matches = list(_TOKEN.finditer(text))
        self.words = [m.group() for m in self.matches]

    def __len__(self) -> int:
        return len(self.words)

    def rest(self, start: int, end: int | None = None) -> str:
        """The original text of words[start:end], inner spacing kept."""
        end = len(self.words) if end is None else end
        if start >= end:
            return ""
        return self.text[self.matches[start].start() : self.matches[end - 1].end()]


def split_override(w: Words, usage: str) -> tuple[Words, str | None]:
    """Take a trailing `override <reason>` off the words: a number typed in place of the
    one its source gives (owners and curators; docs/sources.md). The reason is free text."""
    lowered = [word.lower() for word in w.words]
    if "override" not in lowered[2:]:
        return w, None
    at = lowered.index("override", 2)
    reason = free_text(w.rest(at + 1), "reason", usage)
    if not reason:
        raise Refusal.of("override_reason", usage=usage)
    return Words(w.rest(0, at)), reason


def split_week(w: Words, usage: str) -> tuple[list[str], int | None]:
    """Take a trailing `week:N` off the words."""
    words = list(w.words)
    if words and (m := _WEEK.match(words[-1])):
        words.pop()
        return words, parse_week(m.group(1), usage)
    for word in words:
        if _WEEK.match(word):
            raise Refusal.of("week_last", usage=usage)
    return words, None


def parse_week(text: str, usage: str) -> int:
    if text in ("1", "2", "3", "4"):
        return int(text)
    raise Refusal.of("not_a_week", usage=usage, word=clip(text))


def playbook_name(word: str) -> str:
    """A playbook's name as typed: Slack's escaping of the command's text undone here, at
    its edge, so what comes after (a lookup, a refusal naming it) has the words as typed."""
    return plain_text(word.lower())


def step_name(word: str) -> str:
    """A step's name as typed (as `playbook_name`)."""
    return plain_text(word)


def parse_value(text: str, usage: str = "kpi") -> tuple[float, bool]:
    """A decimal number with a dot, optionally a percentage. Returns (value, was_percent)."""
    percent = text.endswith("%")
    body = text[:-1] if percent else text
    if _DECIMAL_COMMA.match(text):
        whole, _, tail = text.partition(",")
        if text.count(",") > 1 or len(tail.rstrip("%")) == 3:  # looks like a thousands separator
            hint = text.replace(",", "") + (
                f" (or {whole}.{tail} if you meant a decimal)" if text.count(",") == 1 else ""
            )
        else:
            hint = f"{whole}.{tail}"
        raise Refusal.of("decimal_comma", usage=usage, word=clip(text), hint=hint)
    if not _NUMBER.match(body):
        raise Refusal.of("not_a_number", usage=usage, word=clip(text))
    value = float(body) + 0.0  # -0 is 0: "-0" would show as "-0%"
    if abs(value) > MAX_VALUE:
        raise Refusal.of("too_large", usage=usage, word=clip(text))
    return value, percent


def parse_count(text: str) -> int:
    if _DECIMAL_COMMA.match(text):
        raise Refusal.of("count_separator", usage="cases", word=clip(text), hint=text.replace(",", ""))
    if re.fullmatch(r"-\d+(?:\.\d+)?", text):
        raise Refusal.of("count_negative", usage="cases", word=clip(text))
    if re.fullmatch(r"\+?\d+\.\d*|\.\d+", text):
        raise Refusal.of("count_fraction", usage="cases", word=clip(text))
    if not re.fullmatch(r"\+?\d+", text):
        raise Refusal.of("not_a_count", usage="cases", word=clip(text))
    count = int(text)
    if count > MAX_COUNT:
        raise Refusal.of("count_too_large", usage="cases", count=count, limit=MAX_COUNT)
    return count


def parse_minutes(text: str) -> int:
    """The minutes spent reviewing a step this week (the week form's, net value): a whole
    number, not negative, said as minutes rather than as a case count; at most a week's
    (usecases/week_form.py MAX_REVIEW_MINUTES) is the use case's to say."""
    if re.fullmatch(r"-\d+(?:\.\d+)?", text):
        raise Refusal.of("minutes_negative", word=clip(text))
    if re.fullmatch(r"\+?\d+\.\d*|\.\d+", text):
        raise Refusal.of("minutes_fraction", word=clip(text))
    if not re.fullmatch(r"\+?\d{1,9}", text):
        raise Refusal.of("not_minutes", word=clip(text))
    return int(text)


def parse_sample(text: str, usage: str = "rubric") -> tuple[int, int]:
    """A review of a sample, `passed/reviewed` (18/20): two whole counts, at least one
    case reviewed, no more passed than reviewed."""
    said = clip(text)
    parts = text.split("/")
    if len(parts) != 2:
        raise Refusal.of("sample_not_counts", usage=usage, word=said, what="sample", part=said)
    counts = []
    for what, part in zip(("passed count", "reviewed count"), parts, strict=True):
        if not re.fullmatch(r"\+?\d+", part):
            raise Refusal.of("sample_not_counts", usage=usage, word=said, what=what, part=f"“{clip(part)}”")
        counts.append(int(part))
    passed, reviewed = counts
    if reviewed > MAX_COUNT:
        raise Refusal.of("count_too_large", usage=usage, count=reviewed, limit=MAX_COUNT)
    if reviewed == 0:
        raise Refusal.of("sample_none_reviewed", usage=usage, word=said)
    if passed > reviewed:
        raise Refusal.of("sample_passed_over_reviewed", usage=usage, word=said, passed=passed, reviewed=reviewed)
    return passed, reviewed


def parse_score(text: str, usage: str = "rubric") -> float:
    """A share: 0.93 or 93%, within 0..1 (0%..100%): a rubric score, a cap, a threshold."""
    value, percent = parse_value(text, usage=usage)
    if value < 0:
        raise Refusal.of("score_negative", usage=usage, word=clip(text))
    if percent:
        if value > 100:
            raise Refusal.of("score_over_100", usage=usage, word=clip(text))
        return round(value / 100, 6)
    if value > 1:
        hint = f" Did you mean {clip(text)}%?" if value <= 100 else ""
        raise Refusal.of("score_not_fraction", usage=usage, word=clip(text), hint=hint)
    return value


def parse_date(text: str, usage: str = "cycle") -> date:
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise Refusal.of("not_a_date", usage=usage, word=clip(text))


def parse_monday(text: str, usage: str) -> date:
    """A date that is a Monday, as a cycle starts on one (`resume`, `cycle start`, `adopt
    ... start:`); a word that is no date is refused as parse_date refuses it."""
    day = parse_date(text)
    if day.weekday() != 0:
        raise Refusal.of("cycle_not_monday", usage=usage, day=day.isoformat(), weekday=day.strftime("%A"))
    return day


def parse_user(text: str, usage: str) -> str:
    """A mention's user id, of Slack's shape (U or W, capitals and digits, at most 20)."""
    m = _USER.match(text)
    if not m:
        raise Refusal.of("not_a_mention", usage=usage, word=clip(text))
    if not _USER_ID.match(m.group(1)):
        raise Refusal.of("not_a_user_id", usage=usage, word=clip(m.group(1)))
    return m.group(1)


def parse_channel(text: str, usage: str) -> str:
    """A channel link's id, or a bare channel id, of Slack's shape (C or G, at most 20)."""
    m = _CHANNEL.match(text)
    ident = m.group(1) if m else text if _CHANNEL_LIKE.match(text) else None
    if ident is None:
        raise Refusal.of("not_a_channel", usage=usage, word=clip(text))
    if not _CHANNEL_ID.match(ident):
        raise Refusal.of("not_a_channel_id", usage=usage, word=clip(ident))
    return ident


def free_text(text: str, what: str, usage: str) -> str:
    text = plain_text(text).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise Refusal.of("free_text_too_long", usage=usage, what=what, length=len(text), limit=MAX_TEXT_CHARS)
    return text


def clip(text: str, limit: int = 40) -> str:
    text = plain_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kpi_arms(words: list[str]) -> tuple[str | None, str | None]:
    """`18.5`, `18.5 rest 24.1` or `rest 24.1`: the run's value and the rest's, as typed."""
    own = None if words[0].lower() == "rest" else words[0]
    after = words[1:] if own is not None else words
    if not after:
        return own, None
    if after[0].lower() != "rest":
        raise Refusal.of("kpi_extra", usage="kpi")
    if len(after) != 2:
        raise Refusal.of("kpi_rest_value", usage="kpi")
    return own, after[1]
