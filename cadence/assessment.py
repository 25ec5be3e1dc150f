"""The post-pilot assessment (docs/programme.md): seed 001's four questions, each pre-filled
with what the bot measured, the owner confirming or correcting them and marking each item
**core** (it travels with a version) or a **pilot condition** (it does not: an adopter must
replace it). Pure: what was measured comes in as data (usecases/assessment.py reads it), the
form's pre-fill, the answers' shape and their words go out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cadence.decisions import Decision, DecisionKind

# (key, the question): the form's order, and the record's keys
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("manual", "What manual work did the pilot team do that won't scale?"),
    ("changed", "Which parts of the workflow were changed to fit the AI?"),
    ("knowledge", "What institutional knowledge will new teams not have?"),
    ("feedback", "What feedback kept it improving?"),
)
KINDS = ("core", "pilot")  # core travels with a version; a pilot condition does not
MAX_ITEMS, MAX_CHARS = 20, 300  # items an answer, characters an item
BULLETS = "•-*–· \t"

Answers = dict[str, dict[str, list[str]]]  # question -> kind -> items


@dataclass(frozen=True)
class Measured:
    """What the bot measured of a pilot, for the form's pre-fill."""

    oversight_hours: float | None = None  # review and exception time over the last 4 closed weeks
    carried: list[tuple[str, float, str]] = field(default_factory=list)  # (person's name, share, what): one carried it
    exception_minutes: float | None = None  # handling the exceptions, over the same weeks
    overrides: int = 0  # sourced numbers typed over by hand
    revisions: list[str] = field(default_factory=list)  # each revision since cycle 1, with its why
    learnings: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)  # the replication kit's
    checks: list[str] = field(default_factory=list)
    review_rates: dict[str, float] = field(default_factory=dict)  # by mode
    calibration_runs: int = 0
    pulse: bool = True  # asked each cycle (pulse: on)


def _hours(hours: float) -> str:
    return f"{hours:.1f}".rstrip("0").rstrip(".")


def prefill(m: Measured) -> Answers:
    """Each question's items as measured: manual work marked pilot conditions (it is what
    won't scale), the rest core; the owner moves, corrects or deletes any of them."""
    knowledge = [*m.learnings, *(f"training: {t}" for t in m.training), *(f"check: {c}" for c in m.checks)]
    found: Answers = {
        "manual": {"core": [], "pilot": _manual(m)},
        "changed": {"core": list(m.revisions), "pilot": []},
        "knowledge": {"core": knowledge, "pilot": []},
        "feedback": {"core": _feedback(m), "pilot": []},
    }
    return {q: {k: [_item(i) for i in items][:MAX_ITEMS] for k, items in kinds.items()} for q, kinds in found.items()}


def _manual(m: Measured) -> list[str]:
    """The manual work measured: oversight, who carried the work, exceptions' handling, numbers typed over."""
    manual = []
    if m.oversight_hours is not None:
        manual.append(
            f"oversight: {_hours(m.oversight_hours)} h of review and exception handling over the last 4 weeks"
        )
    manual += [f"{who} carried {share:.0%} of the {what}" for who, share, what in m.carried]
    if m.exception_minutes:
        manual.append(f"exceptions took {m.exception_minutes:,.0f} min of handling over the last 4 weeks")
    if m.overrides:
        manual.append(f"{m.overrides} sourced number{'s' if m.overrides != 1 else ''} typed over by hand")
    return manual


def _feedback(m: Measured) -> list[str]:
    """The feedback loops measured: review rates, calibration runs, the pulse."""
    feedback = [f"reviews sampled at {rate:.0%} of {mode} cases" for mode, rate in sorted(m.review_rates.items())]
    if m.calibration_runs:
        feedback.append(f"{m.calibration_runs} calibration run{'s' if m.calibration_runs != 1 else ''}")
    feedback.append("the pulse, each cycle" if m.pulse else "no pulse (turned off)")
    return feedback


def _item(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…"


def items(typed: str | None) -> list[str]:
    """The items of a box of the form: one a line, bullets and blank lines left out."""
    lines = [_item(line.strip().lstrip(BULLETS)) for line in (typed or "").splitlines()]
    return [line for line in lines if line][:MAX_ITEMS]


def answers_of(typed: dict[str, dict[str, str | None]]) -> Answers:
    """The form's boxes (question -> kind -> text) as the record keeps them."""
    return {q: {k: items((typed.get(q) or {}).get(k)) for k in KINDS} for q, _ in QUESTIONS}


def empty(answers: Answers) -> bool:
    return not any(items for kinds in answers.values() for items in kinds.values())


def pilot_conditions(answers: dict[str, Any] | None) -> list[str]:
    """What an adopter must replace: every item marked a pilot condition, in the questions' order."""
    if not answers:
        return []
    return [item for q, _ in QUESTIONS for item in ((answers.get(q) or {}).get("pilot") or [])]


def core_items(answers: dict[str, Any] | None) -> list[str]:
    """What travels with a version: every item marked core, in the questions' order."""
    if not answers:
        return []
    return [item for q, _ in QUESTIONS for item in ((answers.get(q) or {}).get("core") or [])]


def counts(answers: Answers) -> tuple[int, int]:
    """(core items, pilot conditions)."""
    core = sum(len(kinds.get("core", [])) for kinds in answers.values())
    return core, len(pilot_conditions(answers))


def offered(proposals: Iterable[Any], playbook_id: int) -> bool:
    """Whether a week's close offers the playbook's owner the assessment: it made the
    playbook's "ready to scale" proposal (cadence.change.NewProposal, kind `scale`)."""
    return any(p.kind == "scale" and p.playbook_id == playbook_id for p in proposals)


def assessed(playbook_id: int, slug: str, number: int, answers: Answers, by: str) -> Decision:
    """The assessment's version `number` as its owner kept it: a decision row of its own."""
    core, pilot = counts(answers)
    return Decision(
        kind=DecisionKind.ASSESSED,
        actor=by,
        playbook_id=playbook_id,
        summary=(
            f"Post-pilot assessment v{number} of {slug}: "
            f"{core} core item{'s' if core != 1 else ''}, {pilot} pilot condition{'s' if pilot != 1 else ''}."
        ),
        figures={"number": number, "answers": answers},
    )
