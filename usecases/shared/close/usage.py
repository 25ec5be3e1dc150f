"""Attested and used, in the week's close (docs/usage-records.md, "In the week's close"):
each closing week's attestations checked against the usage records of the tools its
playbook's collaborative and ai-led steps declare (usecases/shared/usage_weeks.py,
cadence/usage.py `check_week`). Its outcome, the week's `UsageWeek`, is the summary's,
which says it (`said`): a week attested "followed" while no one in the team used a
declared tool is "attested without usage". It decides nothing and tells no one else.

Its read costs nothing where no closing playbook declares a tool (most do not): neither
the usage sources nor their counts are read then."""

from __future__ import annotations

from dataclasses import dataclass

from cadence.usage import NOT_CHECKED, TOO_FEW, UNKNOWN, USED, WITHOUT_USAGE, TeamWeek, check_week
from usecases.shared import usage_weeks
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, Round, WeekClose, week_of
from usecases.shared.usage_weeks import UsageReading, UsageWeek

NOTHING_READ = UsageReading(frozenset(), {})


@dataclass(frozen=True)
class Read:
    """The round's usage reading, and the closing weeks' figures (their attestations)."""

    usage: UsageReading
    weeks: reads.Weeks


def _read(round: Round) -> Read:
    """One reading for the round: the batch's playbooks that declare a tool, from the
    earliest week closing on. The weeks' figures are the round's own (reads.weeks), read
    once for every rule that asks."""
    declaring = [state for state, _ in round.batch if usage_weeks.tools_of(state)]
    found = NOTHING_READ
    if declaring:
        since = min(week_of(due).week_start for _, due in round.batch)
        found = usage_weeks.read(round.store, declaring, since)
    return Read(found, round.read(reads.weeks))


def _close(week: WeekClose, read: Read) -> UsageWeek | None:
    """The week checked, or None where no source covers a tool the playbook declares:
    then nothing is said of usage, and the summary is as it was without it. The check is
    `UsageReading.week`'s, judged here by the rule's own judge (tests/test_layers.py);
    tests/usecases/fast/test_usage_close.py holds the two to one answer."""
    tools = usage_weeks.tools_of(week.state)
    if not tools or not read.usage.covered:
        return None
    counts, used = read.usage.used(week.state, week.week.week_start)
    followed = read.weeks.figures[reads.of_week(week)].followed > 0
    check = check_week(followed, tools, read.usage.covered, used)
    return None if check.verdict == NOT_CHECKED else UsageWeek(check, counts)


@dataclass(frozen=True)
class Said:
    """What the week's summary says of usage (templates/week_closed.json.j2): the team's
    figures only, never a person's name, login or use."""

    verdict: str  # WITHOUT_USAGE, UNKNOWN, USED or, under the floor, TOO_FEW (cadence/usage.py)
    tools: tuple[str, ...]  # without usage: those no one used; unknown: those not pulled; used: those checked
    people: int | None  # the team's people counted; None under the floor, where no figure is shown
    counts: tuple[TeamWeek, ...] = ()  # used, at the floor or above: each tool's week


def said(week: WeekClose, round: Round) -> Said | None:
    """The week's usage as its summary says it: None where nothing is said (no tool
    checked, or no one attested "followed": no claim to check). A team's figures are shown
    only where it counts at least the pulse's floor of people (`pulse_min_answers`), as
    the pulse's are: under it, a figure of a handful is a person's, and so is its verdict
    ("no one used it" of two people is each one's use): TOO_FEW is said in its place."""
    found = week.outcome(RULE)
    if found is None or found.check.verdict not in (WITHOUT_USAGE, UNKNOWN, USED):
        return None
    counts = found.counts
    counted = max((c.people for c in counts.values()), default=0)
    people = counted if counted >= week.state.settings.pulse_min_answers else None
    if people is None and found.check.verdict != UNKNOWN:
        return Said(TOO_FEW, (), None)
    if found.check.verdict == WITHOUT_USAGE:
        return Said(WITHOUT_USAGE, found.check.unused, people)
    if found.check.verdict == UNKNOWN:
        covered = round.read(_read).usage.covered
        unknown = tuple(t for t in usage_weeks.tools_of(week.state) if t in covered and t not in counts)
        return Said(UNKNOWN, unknown, people)
    return Said(USED, tuple(sorted(counts)), people, tuple(counts[tool] for tool in sorted(counts)))


# Beside the pulse's hold, before the steps: two weeks in a row attested without usage
# are to hold promotions to ai-led as the pulse's hold does, which the steps would read
# (issue 111, not built yet). Today it decides nothing.
RULE = CloseRule("usage", _read, _close, check_week, after=("pulse hold",), before=("steps",))
