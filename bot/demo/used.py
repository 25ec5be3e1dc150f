"""Attested and used in the demo (docs/usage-records.md), told through the real code paths.

- invoice-matching runs with GitHub Copilot (`tool: copilot`, which its match and extract
  steps, collaborative and AI-led, inherit). The Copilot stand-in
  (bot/demo/standin/usage_copilot.py) plays GitHub's own day-by-day records of who used it,
  and its seats: the finance team's six (five of them use it on most weekdays) and two
  developers' on no playbook's team, who use it every weekday.
- In cycle 3's first week the admin loads the organization's usage file as `rollout usage
  load` does (usecases/usage.py `load`: a `copilot` source pointed at the stand-in, 19 USD
  a seat a month) and the finance team's GitHub logins as `rollout usage map` does (Copilot
  gives logins, not emails: docs/usage-records.md, "Matching people"). From then on the
  clock's usage pass (usecases/usage_clock.py, as `rollout tick` runs it beside the tick)
  pulls the stand-in's records each night, and each week's close sets the check-ins beside
  them: cycle 3's week 1 "Attested and used".
- An editor update signs the finance team out of Copilot for cycle 3's weeks 2 and 3, and
  nobody notices: the check-ins still say "followed", the records say no one in
  #finance-paris used it. The second such week holds promotions to ai-led (held by the
  pulse through cycle 3 anyway, bot/demo/trust.py); the team signs back in for week 4, which
  lifts it, so cycle 4's first close proposes match's promotion as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from bot.demo.cast import FINANCE, PEOPLE
from bot.demo.standin.usage_copilot import CopilotStandIn
from usecases import usage
from usecases.operator import COMMAND_LINE

TOOL, TOKEN_ENV, SEAT_PER_MONTH = "copilot", "COPILOT_TOKEN", 19
SIGNED_OUT = (9, 10)  # the story's weeks (from 0) no one in the finance team used Copilot
# The finance team's GitHub logins, in FINANCE's order; Noor holds a seat and never uses it.
LOGINS = dict(zip(FINANCE, ("ida-acme", "jon-acme", "kim-acme", "lea-acme", "max-acme", "noor-acme"), strict=True))
DEVELOPERS = ("octo-dev", "mona-dev")  # seats on no playbook's team: Copilot was used, just not by finance
USAGE_FILE = "usage:\n  {tool}: {{kind: copilot, org: acme, url: '{url}', token_env: {env}, seat_per_month: {price}}}\n"


class Story(Protocol):
    store: Any
    cadence: Any
    clock: Any
    copilot: CopilotStandIn

    def did(self, what: str) -> None: ...


def with_tool(document: dict[str, Any]) -> dict[str, Any]:
    """invoice-matching's document naming the AI tool its steps run with (the example
    file names none)."""
    return {**document, "tool": TOOL}


def standin(start: date, weeks: int) -> CopilotStandIn:
    """GitHub's Copilot records on loopback, started: a row for each day someone used it,
    from the week before the story to its end, and the seats."""
    copilot = CopilotStandIn()
    for day in (start + timedelta(days=n) for n in range(-7, 7 * (weeks + 1))):
        if day.weekday() >= 5:
            continue
        for login in DEVELOPERS:
            copilot.add_use(day, login)
        if (day - start).days // 7 in SIGNED_OUT:
            continue
        for n, login in enumerate(list(LOGINS.values())[:-1]):  # a day in four off, by turns
            if (day.weekday() + n) % 4 != 3:
                copilot.add_use(day, login, interactions=4 + n)
    for login in (*LOGINS.values(), *DEVELOPERS):
        copilot.add_seat(login)
    return copilot.start()


def environ(copilot: CopilotStandIn) -> dict[str, str]:
    """Where the clock runs: the token's variable set, as the usage file names it."""
    return {**os.environ, TOKEN_ENV: copilot.token or ""}


def _load(story: Story) -> None:
    """The admin's `rollout usage load` and `rollout usage map`, as the commands run them."""
    text = USAGE_FILE.format(tool=TOOL, url=story.copilot.url, env=TOKEN_ENV, price=SEAT_PER_MONTH)
    problems = usage.load(story.store, text, story.cadence.usage.environ, COMMAND_LINE, story.clock())
    mapping = "tool,login,slack_user\n" + "".join(f"{TOOL},{login},{user}\n" for user, login in LOGINS.items())
    mapped, refused = usage.map_logins(story.store, mapping)
    assert not problems and not refused and mapped == len(LOGINS), (problems, refused)
    story.did(
        "Ada (admin) loaded the organization's usage file (rollout usage load): copilot, GitHub's own records"
        f" of who used Copilot each day, {SEAT_PER_MONTH} USD a seat a month, and the finance team's GitHub logins"
        " (rollout usage map). invoice-matching runs with copilot: a check-in says “followed”; the tool's records,"
        " pulled by the clock each day, say whether anyone in the team used it (team figures only)"
    )


def _signed_out(story: Story) -> None:
    story.did(
        "an editor update signed the finance team out of Copilot, and nobody noticed: no one uses it, and the"
        " Thursday check-ins still say “followed”"
    )


def _signed_in(story: Story) -> None:
    story.did(f"{PEOPLE[FINANCE[1]][0]} found the lost sign-in: the finance team uses Copilot again")


# The hours of this part of the script, as story.py's _ACTED: (week from 0, weekday, hour UTC).
ACTED: dict[tuple[int, int, int], Callable[[Story], None]] = {
    (8, 1, 9): _load,  # cycle 3's first Tuesday, after its first Monday's closes and the publish
    (SIGNED_OUT[0], 0, 8): _signed_out,  # cycle 3's week 2
    (SIGNED_OUT[-1] + 1, 0, 8): _signed_in,  # cycle 3's week 4
}


def act(story: Story, when: tuple[int, int, int]) -> None:
    if when in ACTED:
        ACTED[when](story)
