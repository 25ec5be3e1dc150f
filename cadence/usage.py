"""Usage: the AI tools' own records of who used them, each day, put beside the team's
attestations (the spec's "Attested and used"). The domain's part: a record as a usage
source gives it, and a team's week of one tool as the bot keeps it, counted from the
records and never holding a person's.

A usage source (sources/usage/) yields `UsageRecord`s; the records are matched to Slack
people (by email, or a mapping file), counted per team, week and tool (`team_weeks`), and
dropped: only the counts are stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class UsageRecord:
    """One person's use of one tool on one day, as the tool's records give it."""

    tool: str  # the usage source's tool: copilot, claude-code, openai, or a name of one's own
    login: str  # the tool's own name for the person: a login, an email, an id
    day: date  # a day they used it, as the tool dates its records
    email: str | None = None  # where the tool gives one: how a person is matched to Slack


@dataclass(frozen=True)
class Seat:
    """A seat (a license) of a tool, as the tool lists it: whose, where it says."""

    tool: str
    login: str
    email: str | None = None


@dataclass(frozen=True)
class TeamWeek:
    """A team's week of one tool: how many of its people used it (on one day at least),
    their active days summed, and how many of them hold a seat. Counts only."""

    channel_id: str
    tool: str
    week: date  # the Monday
    people: int  # the team's people counted
    active: int  # of them, active on the tool on one day of the week at least
    active_days: int  # their days active, summed (at most 7 a person)
    seats: int  # of them, holding a seat of the tool


def match(login: str, email: str | None, by_email: Mapping[str, str], by_login: Mapping[str, str]) -> str | None:
    """The Slack user a tool's user is: by the mapping file's login first, else by email
    (compared without case). None: unmatched, counted as such, never guessed."""
    if login in by_login:
        return by_login[login]
    if email is not None:
        return by_email.get(email.casefold())
    return by_email.get(login.casefold()) if "@" in login else None


def team_weeks(
    records: Iterable[UsageRecord],
    seats: Iterable[Seat],
    user_of: Callable[[str, str | None], str | None],
    teams: Mapping[str, frozenset[str]],
    monday_of: Callable[[date], date],
    covered: Iterable[tuple[str, date]] = (),
) -> tuple[list[TeamWeek], int]:
    """Each team's weeks of each tool the records cover, and how many of the tools' users
    no Slack person matched. `user_of(login, email)` matches; `teams` gives each channel's
    people; `covered`, the (tool, Monday) weeks the pull asked about, which get a row for
    every team even where no one used the tool: "no one used it" is a 0 only where the
    source was asked, never where it was not."""
    days: dict[tuple[str, str, date], set[date]] = defaultdict(set)  # (user, tool, monday): days
    unmatched: set[tuple[str, str]] = set()
    for record in records:
        user = user_of(record.login, record.email)
        if user is None:
            unmatched.add((record.tool, record.login))
            continue
        days[(user, record.tool, monday_of(record.day))].add(record.day)
    seated: dict[str, set[str]] = defaultdict(set)  # tool: users
    for seat in seats:
        user = user_of(seat.login, seat.email)
        if user is None:
            unmatched.add((seat.tool, seat.login))
        else:
            seated[seat.tool].add(user)
    weeks = sorted({(tool, monday) for _, tool, monday in days} | set(covered))
    found = []
    for channel, people in sorted(teams.items()):
        for tool, monday in weeks:
            used = [len(days[(user, tool, monday)]) for user in people if (user, tool, monday) in days]
            found.append(TeamWeek(channel, tool, monday, len(people), len(used), sum(used), len(people & seated[tool])))
    return found, len(unmatched)


NOT_CHECKED = "not checked"  # no usage source covers the tools its AI steps declare
UNKNOWN = "usage unknown"  # a source covers them, but its pull of the week failed or is late
USED = "attested and used"
WITHOUT_USAGE = "attested without usage"
NOT_ATTESTED = "not attested"  # nothing said "followed": there is no claim to check
# what a team under the anonymity floor (`pulse_min_answers`) is shown in place of its week's
# verdict: "no one used it" of two people is each one's use
TOO_FEW = "too few people to show"


@dataclass(frozen=True)
class UsageCheck:
    """A team's week of attestations checked against its tools' records."""

    verdict: str  # one of the constants above
    unused: tuple[str, ...] = ()  # the declared tools no one in the team used, when WITHOUT_USAGE


def check_week(
    followed: bool, tools: Iterable[str], covered: frozenset[str], used: Mapping[str, int | None]
) -> UsageCheck:
    """Whether a week attested "followed" was used: `tools` are those declared by the
    playbook's AI-led and collaborative steps (a step's `tool:`, else the playbook's);
    `covered` the tools a usage source covers; `used` how many of the team used each that
    week (None: its pull failed or has not come). A tool no source covers is not checked;
    one unknown makes the week unknown, never "without usage": a gap is not a 0."""
    checked = sorted({tool for tool in tools if tool in covered})
    if not checked:
        return UsageCheck(NOT_CHECKED)
    if any(used.get(tool) is None for tool in checked):
        return UsageCheck(UNKNOWN)
    if not followed:
        return UsageCheck(NOT_ATTESTED)
    unused = tuple(tool for tool in checked if used[tool] == 0)
    return UsageCheck(WITHOUT_USAGE, unused) if unused else UsageCheck(USED)


# Two weeks in a row attested without usage hold the playbook's promotions to ai-led, as the
# pulse's trust hold does (cadence/promotion_gates.py `GATES`, the close's steps).
HOLD_WEEKS = 2


def shown(check: UsageCheck, people: int, floor: int) -> str:
    """The week's verdict as the team may be shown it: under the floor of people
    (`pulse_min_answers`) TOO_FEW in its place, since "no one used it" of two people is
    each one's use; an unknown week stays unknown (it says nothing of anyone)."""
    return TOO_FEW if people < floor and check.verdict != UNKNOWN else check.verdict


def holds(verdicts: Sequence[str]) -> bool:
    """Whether a playbook's last weeks (`verdicts`, as shown, oldest first, the last the
    week closing or the last one closed) hold its promotions to ai-led: the last
    HOLD_WEEKS of them each attested without usage. A week unknown, used, not attested or
    under the floor breaks the run: a gap is never a 0, and a verdict not shown holds nothing."""
    last = list(verdicts)[-HOLD_WEEKS:]
    return len(last) == HOLD_WEEKS and all(v == WITHOUT_USAGE for v in last)
