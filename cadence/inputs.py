"""The AI's inputs, checked (docs/playbooks.md, "Inputs"; docs/sources.md, "Input checks").

An input of `inputs:` is a name, or a contract: who owns it, how often it is refreshed,
what the team does when it is missing, and a `check` the clock asks a source once a week
(from Sunday 12:00 to the week's close, in the playbook's zone) with the `min` its value
must reach, or `check: none` with a `reason`. Readiness's (3) wants every input's owner,
refresh and when-missing; its (7) input reliability, every input checked or declared
`check: none`, and each checked input at its min in at least 7 in 8 of the weeks checked
(rounded up), at least 4 of them. Plain Python: the schema, what a stored definition's
contracts say, and the rules."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from cadence.limits import MAX_VALUE
from cadence.sources import SOURCE_RE, Entry, FromSpec

SHARE_NEEDED = (7, 8)  # of the weeks checked, each checked input met its min in at least 7 in 8 (rounded up)
MIN_WEEKS_CHECKED = 4  # and it was checked in at least this many weeks of the cycles counted
CHECK_OPENS = (6, time(12))  # Sunday 12:00 of the week, in the playbook's zone
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{6,19})(\|[^>]*)?>$")
_USER = re.compile(r"^[UW][A-Z0-9]{6,19}$")


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)


class CheckSpec(_Plain):
    """What the clock asks about an input each week: a source's query (prometheus, sql) or
    the path of a number in its JSON answer (http), and the least value that passes."""

    source: str = Field(pattern=SOURCE_RE)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    path: str | None = Field(default=None, min_length=1, max_length=200)
    min: float = Field(ge=-MAX_VALUE, le=MAX_VALUE)

    @field_validator("min")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("min must be a number")
        return value

    def asks(self) -> FromSpec:
        return FromSpec(source=self.source, query=self.query, path=self.path)


class InputSpec(_Plain):
    """An input as a contract (a plain name stays valid)."""

    name: str = Field(min_length=1, max_length=200)
    owner: str | None = None
    refresh: str | None = Field(default=None, min_length=1, max_length=40)
    when_missing: str | None = Field(default=None, min_length=1, max_length=300)
    check: CheckSpec | Literal["none"] | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=300)  # why `check: none`

    @model_validator(mode="after")
    def _reasoned(self) -> InputSpec:
        """`check: none` is declared on purpose, with its reason; a reason goes with nothing else."""
        if self.check == "none" and self.reason is None:
            raise ValueError(f'input {self.name!r} says check: none: give its reason (reason: "…")')
        if self.check != "none" and self.reason is not None:
            raise ValueError(f"input {self.name!r}: reason goes with check: none")
        return self

    @field_validator("owner")
    @classmethod
    def _a_user(cls, value: str | None) -> str | None:
        """`U…` or Slack's mention `<@U…>` (`<@U…|name>`), kept as the id."""
        if value is None:
            return None
        found = _MENTION.match(value)
        if found is not None:
            return found.group(1)
        if not _USER.match(value):
            raise ValueError(f"owner {value[:40]!r} is not a Slack user: write U0123456789 or <@U0123456789>")
        return value


def _kind(given: object) -> str:
    return "name" if isinstance(given, str) else "contract"


# A line of `inputs:`: a name, or a contract (a refusal names only the one it was written as).
InputLine = Annotated[
    Annotated[str, Field(min_length=1, max_length=200), Tag("name")] | Annotated[InputSpec, Tag("contract")],
    Discriminator(_kind),
]


def name_of(given: object) -> str:
    """An input's name, whether it is written as a name or as a contract (plain data or a model)."""
    if isinstance(given, InputSpec):
        return given.name
    if isinstance(given, Mapping):
        return str(given.get("name", ""))
    return str(given)


def names(inputs: Sequence[object] | None) -> list[str]:
    return [name_of(given) for given in inputs or []]


def unique(inputs: Sequence[object]) -> str | None:
    """The problem with a list of inputs, in words: a name listed twice."""
    seen: set[str] = set()
    for name in names(inputs):
        if name.lower() in seen:
            return f"input {name!r} is listed twice"
        seen.add(name.lower())
    return None


def canonical(inputs: list[Any]) -> list[Any]:
    """The inputs as plain data, as written: names stay names, a contract keeps only the
    fields it gives."""
    return [
        given
        if isinstance(given, str)
        else {
            key: ({k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else value)
            for key, value in given.items()
            if value is not None
        }
        for given in inputs
    ]


@dataclass(frozen=True)
class InputCheck:
    """A checked input of a stored definition: its name, the DM's addressee and words, and
    what the source is asked."""

    name: str
    owner: str | None
    when_missing: str | None
    source: str
    query: str | None
    path: str | None
    min: float

    @property
    def key(self) -> str:
        """The name its results are stored under, as a sourced number's key."""
        return self.name

    @property
    def entry(self) -> Entry:
        """The check as a sourced number the fetchers ask (cadence.sources.Entry)."""
        return Entry("input", None, self.source, self.query, self.path)

    @property
    def asked(self) -> str:
        return self.entry.asked


def checks(definition: Mapping[str, Any]) -> list[InputCheck]:
    """The checked inputs of a definition (as stored: plain data), in order."""
    found = []
    for given in definition.get("inputs") or []:
        check = given.get("check") if isinstance(given, Mapping) else None
        if isinstance(check, Mapping) and check.get("source"):
            found.append(
                InputCheck(
                    str(given["name"]),
                    given.get("owner"),
                    given.get("when_missing"),
                    str(check["source"]),
                    check.get("query"),
                    check.get("path"),
                    float(check["min"]),
                )
            )
    return found


def opens_at(week_start: date, tz: str) -> datetime:
    """When a week's checks are first asked: its Sunday 12:00 in the playbook's zone."""
    days, at = CHECK_OPENS
    return datetime.combine(week_start + timedelta(days=days), at, tzinfo=ZoneInfo(tz))


def met(value: float | None, minimum: float) -> bool:
    return value is not None and value >= minimum


@dataclass(frozen=True)
class InputWeeks:
    """A checked input over readiness's weeks: its value in each week it was checked (None:
    the check failed), oldest first; a week it was not asked in is not among them."""

    name: str
    min: float
    values: list[float | None]

    def weeks_met(self) -> int:
        return sum(1 for value in self.values if met(value, self.min))

    def needed(self) -> int:
        """7 in 8 of the weeks checked, rounded up, and never under MIN_WEEKS_CHECKED's worth."""
        share, of = SHARE_NEEDED
        return -(-max(len(self.values), MIN_WEEKS_CHECKED) * share // of)

    def holds(self) -> bool:
        return len(self.values) >= MIN_WEEKS_CHECKED and self.weeks_met() >= self.needed()


# The fields of an input's contract readiness's (3) wants, as they are shown.
CONTRACT_FIELDS = {"owner": "owner", "refresh": "refresh", "when_missing": "when-missing"}


def lacking(declared: Sequence[object] | None) -> list[dict[str, Any]]:
    """Readiness's (3): each input without its whole contract, with the fields it lacks
    (a bare name lacks them all)."""
    found = []
    for given in declared or []:
        entry = _fields(given)
        gone = [words for key, words in CONTRACT_FIELDS.items() if not entry.get(key)]
        if gone:
            found.append(dict(name=name_of(given), missing=gone))
    return found


def lacking_words(missing: Sequence[str]) -> str:
    """What an input's contract lacks, in words: "no owner, refresh or when-missing"."""
    said = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
    return f"no {said}"


def declared_none(given: object) -> str | None:
    """An input's reason when it declares `check: none`, else None."""
    entry = _fields(given)
    if entry.get("check") == "none":
        return str(entry.get("reason") or "")
    return None


def _fields(given: object) -> Mapping[str, Any]:
    """An input's contract fields, whether a model or plain data (a bare name has none)."""
    if isinstance(given, InputSpec):
        return given.model_dump()
    return given if isinstance(given, Mapping) else {}


def reliability(
    declared: Sequence[object] | None, checked: list[InputWeeks] | None, weeks: int = 8
) -> tuple[bool, str | None, dict[str, Any]]:
    """Readiness's (7): every one of the `declared` inputs has a check or `check: none`
    with a reason, and each checked input (`checked`: its weeks checked in the cycles
    counted) met its min in at least 7 in 8 of them (rounded up), at least
    MIN_WEEKS_CHECKED of them. (met, the reason when every input is `check: none`, figures):
    no inputs at all is not met."""
    shown, nones, unchecked = _by_check(declared, checked)
    below = [s["name"] for s in shown if not s["met"]]
    figures = dict(
        checks=True,
        applies=bool(declared),
        inputs=shown,
        below=below,
        none_inputs=nones,
        unchecked=unchecked,
        min_weeks=MIN_WEEKS_CHECKED,
        share="{} in {}".format(*SHARE_NEEDED),
        weeks=weeks,
    )
    met = bool(declared) and not below and not unchecked
    return met, _by_design(nones, shown, met), figures


def _by_check(
    declared: Sequence[object] | None, checked: list[InputWeeks] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The declared inputs by their check: each checked one's figures, each `check: none`
    with its reason, and the names of those without either."""
    by_name = {c.name: c for c in checked or []}
    shown, nones, unchecked = [], [], []
    for given in declared or []:
        name, reason = name_of(given), declared_none(given)
        if reason is not None:
            nones.append(dict(name=name, reason=reason))
        elif name in by_name:
            c = by_name[name]
            shown.append(
                dict(
                    name=name,
                    min=c.min,
                    weeks_met=c.weeks_met(),
                    checked=len(c.values),
                    needed=c.needed(),
                    met=c.holds(),
                )
            )
        else:
            unchecked.append(name)
    return shown, nones, unchecked


def _by_design(nones: list[dict[str, Any]], shown: list[dict[str, Any]], met: bool) -> str | None:
    """The reasons of the `check: none` inputs, where every input is one and the criterion is met."""
    return "; ".join(f"{n['name']}: {n['reason']}" for n in nones) if nones and not shown and met else None
