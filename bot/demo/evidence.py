"""Evidence of quality in the demo (docs/playbooks.md, "Rubric dimensions", "Calibration",
"Heroics"; docs/sources.md, "Input checks"), told through the real handlers.

- lead-research's `research` step is scored on two rubric dimensions (its week form has
  a field for each) and keeps a calibration set of 40 researched accounts. Chloé runs it
  in cycle 1; in week 3 the team moves research to a new model, written as research's
  `model` in the kit form, so the run is stale when research's promotion to ai-led
  comes due: the proposal waits (Chloé told why), she runs the set again, and the next
  close proposes it.
- Its prospect list, which the AI reads, is an input with a check: a table of the CRM's
  SQLite file, asked by the clock each week; in week 5 of the story a stale list falls
  below its minimum and the owner is told what to do (Hal wrote to them by hand).
- support-replies' reviews name who reviewed: Dia, who never checks in, reviews the
  drafts and the refunds every week, and the digest's heroics flag names her.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

CHLOE, HAL, DIA = "UCHLOE0001", "UHAL000001", "UDIA000001"
SALES = "CSALES0001"
DIMENSIONS = ("accuracy", "fit")  # research's rubric: the facts right, the account a fit
CALIBRATION = 40  # research's calibration set: 40 accounts with known answers
# Who reviewed, by playbook and step (the week form's people picker); unnamed, the owner.
REVIEWERS = {"support-replies": {"draft": DIA, "refunds": DIA}}
# The prospect list's freshness each week of the story: the share of its 20 records
# refreshed that week; week 4 (0-based, when Hal deviated) it was stale.
FRESH = [1.0, 0.95, 1.0, 1.0, 0.6, 1.0, 1.0, 0.95, 1.0, 1.0, 1.0, 0.95, 1.0]
PROSPECTS = 20
WHEN_MISSING = "Write to the prospects by hand until the list is refreshed"
BOUNDARIES = ("accounts over 10,000 seats", "existing customers")  # research's: routed to people
OUT_OF_SCOPE = 2  # research's accounts a week outside them, counted in the week form beside its cases


class Story(Protocol):
    http: Any
    slack: Any
    dispatcher: Any

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...

    def did(self, what: str) -> None: ...


def with_evidence(document: dict[str, Any], connection: sqlite3.Connection, start: date) -> dict[str, Any]:
    """lead-research's document with research's rubric dimensions and calibration set, and
    its prospect list as a checked input; the check's table written to the CRM file."""
    connection.execute("create table prospects (refreshed_at text, fresh integer)")
    for week, share in enumerate(FRESH):
        wednesday = datetime.combine(start + timedelta(days=7 * week + 2), time(8), tzinfo=UTC)
        fresh = round(share * PROSPECTS)
        connection.executemany(
            "insert into prospects values (?, ?)",
            [((wednesday + timedelta(minutes=i)).isoformat(), int(i < fresh)) for i in range(PROSPECTS)],
        )
    steps = [
        {
            **step,
            "rubric": {"dimensions": list(DIMENSIONS)},
            "calibration": {"cases": CALIBRATION},
            # strict boundaries (docs/programme.md): what research never takes, routed to people;
            # with them, a set of clean cases may still lead research to ai-led
            "boundaries": list(BOUNDARIES),
        }
        if step["name"] == "research"
        else step
        for step in document["steps"]
    ]
    query = "select avg(fresh) from prospects where refreshed_at >= :week_start and refreshed_at < :week_end"
    check = {"source": "crm", "query": query, "min": 0.9}
    prospect_list = {"name": "prospect list", "owner": HAL, "refresh": "weekly", "when_missing": WHEN_MISSING}
    return {**document, "steps": steps, "inputs": [{**prospect_list, "check": check}]}


def week_form_answers(slug: str, blocks: list[dict[str, Any]], reviews: dict[str, tuple[int, int]]) -> dict[str, str]:
    """What the owner fills in beyond cases and reviews: each rubric dimension's passed
    count (research: every reviewed account a fit, `accuracy` the review's passed count,
    so the lowest dimension gives the score it always had), who reviewed, and the cases
    outside research's boundaries (status tells their share)."""
    answers: dict[str, str] = {}
    for block in blocks:
        if block.get("type") != "input":
            continue
        answer = _answer(slug, block, reviews)
        if answer is not None:
            answers[block["block_id"]] = answer
    return answers


def _answer(slug: str, block: dict[str, Any], reviews: dict[str, tuple[int, int]]) -> str | None:
    """One input of the week form beyond cases and reviews, as the owner fills it in; None: left as it is."""
    kind, _, rest = str(block["block_id"]).partition(":")
    step = block["label"]["text"].split(":")[0]
    if kind == "dim" and step in reviews:
        passed, reviewed = reviews[step]
        return str(passed if rest.rsplit(":", 1)[1] == "accuracy" else reviewed)
    if kind == "by" and step in REVIEWERS.get(slug, {}) and step in reviews:
        return REVIEWERS[slug][step]
    if kind == "out" and step == "research":
        return str(OUT_OF_SCOPE)
    return None


def _calibrate(passed: int, note: str) -> Callable[[Story], None]:
    def run(story: Story) -> None:
        story.command(CHLOE, SALES, f"calibrate lead-research research {passed}/{CALIBRATION} {note}", show_reply=True)

    return run


NEW_MODEL = "gpt-5.1 2026-12"


def _new_model(story: Story) -> None:
    """Chloé moves research to a new model: its `model` in the kit form (no box to tick)."""
    opened = len(story.slack.opened_views)
    story.command(CHLOE, SALES, "kit lead-research")
    if len(story.slack.opened_views) == opened:
        raise RuntimeError("the demo's kit form for lead-research did not open")
    story.http.submit_saved(CHLOE, story.slack.opened_views[-1], {"step_models": f"research | {NEW_MODEL}"}, "kit form")
    story.did(
        f"Chloé (owner, sales) moved research to a new model: `research | {NEW_MODEL}` in the kit form;"
        " research's calibration run is stale"
    )


# The hours of this part of the script, as story.py's _ACTED: (week from 0, weekday, hour UTC).
ACTED: dict[tuple[int, int, int], Callable[[Story], None]] = {
    (1, 2, 10): _calibrate(38, "the first 40 accounts with known answers"),
    (3, 2, 10): _new_model,
    (4, 0, 11): _calibrate(37, "run again on the new model"),  # the proposal waited for it
}


def act(story: Story, when: tuple[int, int, int]) -> None:
    if when in ACTED:
        ACTED[when](story)
