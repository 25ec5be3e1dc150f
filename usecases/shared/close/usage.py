"""Attested and used, in the week's close (docs/usage-records.md, "In the week's close"):
each closing week's attestations checked against the usage records of the tools its
playbook's collaborative and ai-led steps declare (usecases/shared/usage_weeks.py,
cadence/usage.py `check_week`). Its outcome, the week's `UsageWeek`, is the summary's,
which says it (`said`): a week attested "followed" while no one in the team used a
declared tool is "attested without usage". Two such weeks in a row (this one and the one
before, as the team is shown them) hold the playbook's promotions to ai-led, as the
pulse's trust hold does: the steps' rule drops them (`Checked.holds`), and the click and
a move taking effect read the same hold (cadence/promotion_gates.py, usage_weeks.hold_now).

Its read costs nothing where no closing playbook declares a tool (most do not): neither
the usage sources nor their counts are read then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cadence.figures import WeekFigures
from cadence.usage import HOLD_WEEKS, NOT_CHECKED, TOO_FEW, UNKNOWN, USED, WITHOUT_USAGE, TeamWeek, check_week
from usecases.shared import usage_weeks
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, Round, WeekClose, week_of
from usecases.shared.usage_weeks import UsageReading, UsageWeek

NOTHING_READ = UsageReading(frozenset(), {})


@dataclass(frozen=True)
class Read:
    """The round's usage reading, the closing weeks' figures (their attestations) and
    the weeks' before them of the playbooks that declare a tool (the hold reads them)."""

    usage: UsageReading
    weeks: reads.Weeks
    before: dict[tuple[int, date], WeekFigures]
    modes: dict[tuple[int, date], dict[int, str]] = field(default_factory=dict)  # the weeks before: their modes


def _read(round: Round) -> Read:
    """One reading for the round: the batch's playbooks that declare a tool, from the
    week before the earliest closing on. The weeks' figures are the round's own
    (reads.weeks), read once for every rule that asks; the weeks before, only theirs."""
    declaring = [(state, due) for state, due in round.batch if usage_weeks.declares(state)]
    if not declaring:
        return Read(NOTHING_READ, round.read(reads.weeks), {})
    earlier = [
        (state, week_of(due).week_start - timedelta(days=7 * back))
        for state, due in declaring
        for back in range(1, HOLD_WEEKS)
    ]
    since = min(start for _, start in earlier)
    found = usage_weeks.read(round.store, [state for state, _ in declaring], since)
    if not found.covered:
        return Read(found, round.read(reads.weeks), {})
    before = round.store.reports.week_figures_many(earlier)
    modes = round.store.usage.week_modes([(state.playbook.id, start) for state, start in earlier])
    return Read(found, round.read(reads.weeks), before, modes)


@dataclass(frozen=True)
class Checked:
    """The closing week checked, and whether it and the weeks before hold the playbook's
    promotions to ai-led (the steps' rule reads it)."""

    week: UsageWeek
    holds: bool


def _close(week: WeekClose, read: Read) -> Checked | None:
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
    if check.verdict == NOT_CHECKED:
        return None
    pid, monday = week.state.playbook.id, week.week.week_start
    earlier = [monday - timedelta(days=7 * back) for back in range(HOLD_WEEKS - 1, 0, -1)]
    weeks = [
        (m, (f := read.before.get((pid, m))) is not None and f.followed > 0, read.modes.get((pid, m))) for m in earlier
    ]
    return Checked(UsageWeek(check, counts), read.usage.holds(week.state, [*weeks, (monday, followed, None)]))


@dataclass(frozen=True)
class Said:
    """What the week's summary says of usage (templates/week_closed.json.j2): the team's
    figures only, never a person's name, login or use."""

    verdict: str  # WITHOUT_USAGE, UNKNOWN, USED or, under the floor, TOO_FEW (cadence/usage.py)
    tools: tuple[str, ...]  # without usage: those no one used; unknown: those not pulled; used: those checked
    people: int | None  # the team's people counted; None under the floor, where no figure is shown
    counts: tuple[TeamWeek, ...] = ()  # used, at the floor or above: each tool's week
    holds: bool = False  # without usage this week and the week before: promotions to ai-led held


def said(week: WeekClose, round: Round) -> Said | None:
    """The week's usage as its summary says it: None where nothing is said (no tool
    checked, or no one attested "followed": no claim to check). A team's figures are shown
    only where it counts at least the pulse's floor of people (`pulse_min_answers`), as
    the pulse's are: under it, a figure of a handful is a person's, and so is its verdict
    ("no one used it" of two people is each one's use): TOO_FEW is said in its place."""
    checked = week.outcome(RULE)
    found = checked.week if checked is not None else None
    if found is None or found.check.verdict not in (WITHOUT_USAGE, UNKNOWN, USED):
        return None
    counts = found.counts
    people = found.people if found.people >= week.state.settings.pulse_min_answers else None
    if people is None and found.check.verdict != UNKNOWN:
        return Said(TOO_FEW, (), None)
    if found.check.verdict == WITHOUT_USAGE:
        return Said(WITHOUT_USAGE, found.check.unused, people, holds=checked is not None and checked.holds)
    if found.check.verdict == UNKNOWN:
        covered = round.read(_read).usage.covered
        unknown = tuple(t for t in usage_weeks.tools_of(week.state) if t in covered and t not in counts)
        return Said(UNKNOWN, unknown, people)
    return Said(USED, tuple(sorted(counts)), people, tuple(counts[tool] for tool in sorted(counts)))


# Beside the pulse's hold, before the steps: two weeks in a row attested without usage
# hold promotions to ai-led as the pulse's hold does; the steps read `Checked.holds`.
RULE = CloseRule("usage", _read, _close, check_week, after=("pulse hold",), before=("steps",))
