"""The demo's owners report their week in one form: `/rollout week <playbook>`, then the
form filled in and submitted as Slack sends it, through the real handlers.

Every owner who reports step numbers does it this way each Friday: a case count per step
and each review as (passed, reviewed). Typed number by number, the same weeks took one
command each (three case counts and three rubric scores a week for support-replies); the
closing note of `rollout demo` says how many commands and forms the owners sent, and how
many commands the same numbers took before the form (`Tally`). Exceptions, undo,
learnings and the story's deliberate refusals stay commands, and the KPIs and guardrails
are reported by members, the reporting API or a source, not by the owners
(docs/judgement.md, "The owner's week in one form")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from bot.demo import evidence, trust
from bot.demo.cast import APAC, APAC_OWNER, DRAFTS, PEOPLE

ANA, BEN, CHLOE, IDA = "UANA000001", "UBEN000001", "UCHLOE0001", "UIDA000001"
ADOPTER = "support-replies-support-apac"
# Who reports each playbook's week, and where: its owner, in its channel.
FORMS = {
    "support-replies": (ANA, "CSUPPORT01"),
    "refund-triage": (BEN, "CREFUNDS01"),
    "invoice-matching": (IDA, "CFINANCE01"),
    "lead-research": (CHLOE, "CSALES0001"),
    ADOPTER: (APAC_OWNER, APAC),
}
OWNERS = frozenset(user for user, _ in FORMS.values())

Cases = dict[str, int]
Reviews = dict[str, tuple[int, int]]  # step: (passed, reviewed)


def figures(slug: str, week: int) -> tuple[Cases, Reviews]:
    """What the owner of `slug` fills in on the Friday of the story's week `week` (0-based).

    A review is a sample of at least what its step's mode asks (review_rate: collaborative
    0.2, ai-led 0.1 of the week's cases); a human-led step is not asked, and as a person
    decides each of its cases, the owner reviews them all. Each score stays on the side
    of the 90% threshold, and of the 80% floor below it, where the bare score of the
    per-step command was, so every verdict of the story is as it was: the demo's
    playbooks are judged `classic` (the score decides, not its interval), so the wider
    Wilson intervals of the samples change no verdict and no readiness criterion."""
    if slug == "support-replies":  # cast.DRAFTS: draft's sample each week
        drafts, review = DRAFTS[week]
        # send, collaborative in cycle 1: 6 of its 30 sent replies checked (0.2 asked); AI-led once
        # promoted in cycle 2, 3 (0.1 asked); all right: readiness wants a counted score for
        # every step with a rubric, AI-led ones too. Its oversight halves (net value).
        sent = (6, 6) if week < 4 else (3, 3)
        return {"draft": drafts, "send": 30, "refunds": 12}, {"draft": review, "send": sent, "refunds": (11, 12)}
    if slug == "refund-triage":
        # approve: 6 of 7 = 86% (it was 0.85): between floor and threshold, INCONCLUSIVE every
        # week as before; 7 reviewed of 20, 4 asked. payout: every case, all passed (0.97 of 11).
        # check, added in cycle 3, is never counted: made.UNCOUNTED says so, and why it is demoted.
        return {"classify": 20, "approve": 20, "payout": 11}, {"approve": (6, 7), "payout": (11, 11)}
    if slug == "invoice-matching":
        # match: 17 of 20 = 85% every week (it was 86%, which no sample of at most 40 gives
        # exactly): below the 90% threshold every week, so "not yet ready", its readiness line
        # saying "score 85%" (12 of 14 would say "85.7%"); 20 reviewed of 40, 8 asked.
        # extract has no rubric by design: the form asks none. In cycle 3, fixed, 19 of 20 (trust.py).
        return {"extract": 60, "match": 40, "pay": 35}, {"match": trust.match_review(week)}
    if slug == "lead-research":
        # research: 10 of 11 = 91% (it was 93%): a PASS every week, collaborative (3 asked) and
        # once promoted AI-led (2 asked). outreach, human-led: 10 of its 12 = 83% (it was 0.85).
        return {"research": 15, "outreach": 12}, {"research": (10, 11), "outreach": (10, 12)}
    if slug == ADOPTER:
        # draft: 10 of 11 = 91%, as the typed 91% (5 asked of 25). refunds, human-led: all 10
        # passed (it was 0.93, which read as 9 of 10: right at the threshold, so not that).
        return {"draft": 25, "send": 20, "refunds": 10}, {"draft": (10, 11), "refunds": (10, 10)}
    raise KeyError(slug)


@dataclass
class Tally:
    """What the demo's owners sent: their slash commands, and their week forms."""

    commands: int = 0  # every slash command an owner sent, each `/rollout week` included
    opened: int = 0  # of those, `/rollout week`
    forms: int = 0  # week forms submitted
    numbers: int = 0  # the step numbers the forms were to carry: without the form, one command each

    @property
    def before(self) -> int:
        """The slash commands the same story took with one command a number, and no form."""
        return self.commands - self.opened + self.numbers

    def said(self) -> str:
        return (
            f"The owners reported their weeks in {self.forms} forms (a /rollout week and its submission each) "
            f"and sent {self.commands - self.opened} other commands; one command a number, as before the "
            f"week form, the same story took them {self.before} commands."
        )


class Story(Protocol):
    http: Any
    slack: Any
    tally: Tally

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...

    def did(self, what: str) -> None: ...


def _field(block: dict[str, Any]) -> tuple[str, str]:
    """An input of the week form as (what, step): ("cases", "draft"), ("kpi", "")."""
    kind, _, _ = str(block["block_id"]).partition(":")
    label = block["label"]["text"]
    step = label.split(" (")[0] if kind == "cases" else label.split(":")[0] if kind in ("reviewed", "passed") else ""
    return kind, step


def report(story: Story, slug: str, week: int) -> str:
    """The owner of `slug` reports the story's week `week` in one form."""
    user, channel = FORMS[slug]
    cases, reviews = figures(slug, week)
    return report_week(story, user, channel, slug, cases, reviews)


def _numbers(view: dict[str, Any], cases: Cases, reviews: Reviews) -> dict[str, str]:
    """The week form's cases and reviews (passed, reviewed), each step's, by block."""
    answers: dict[str, str] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        kind, step = _field(block)
        if kind == "cases" and step in cases:
            answers[block["block_id"]] = str(cases[step])
        elif kind in ("passed", "reviewed") and step in reviews:
            passed, reviewed = reviews[step]
            answers[block["block_id"]] = str(passed if kind == "passed" else reviewed)
    return answers


def report_week(
    story: Story,
    user: str,
    channel: str,
    slug: str,
    cases: Cases,
    reviews: Reviews,
) -> str:
    """Open the week's form and submit it with each step's cases and review (passed,
    reviewed); returns the submission's answer (the list of what was recorded), or the
    command's refusal when no form opened."""
    story.tally.opened += 1
    story.tally.numbers += len(cases) + len(reviews)
    opened = len(story.slack.opened_views)
    answer = story.command(user, channel, f"week {slug}")
    who = PEOPLE[user][0]
    if len(story.slack.opened_views) == opened:  # refused: no cycle runs that week
        said = str(json.loads(answer).get("text", answer))
        story.did(f"{who}'s week form for {slug} did not open: {said}")
        return said
    view = story.slack.opened_views[-1]
    answers = _numbers(view, cases, reviews)
    answers.update(evidence.week_form_answers(slug, view["blocks"], reviews))  # dimensions, who reviewed
    reply = story.http.submit_filled(user, view, answers)
    body = reply.body if isinstance(reply.body, dict) else {}
    said = json.dumps(body.get("view", {}).get("blocks", body.get("errors", {})), ensure_ascii=False)
    if body.get("response_action") == "update":
        story.tally.forms += 1
        story.did(f"{who} reported the week of {slug} in one form: {said.count('• ')} numbers recorded")
    else:
        story.did(f"{who}'s week form for {slug} was refused: {said}")
    return said
