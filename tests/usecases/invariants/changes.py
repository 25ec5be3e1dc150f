"""What the invariants' machine draws: weeks' outcomes, actors, steps and modes, and the
definition changes a file loaded with `rollout playbook load` may carry (`FILE_CHANGES`),
the findings issue 109 names drawn more often than the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from tests.fakes import ADMIN, CURATOR, MEMBER, OWNER
from tests.usecases.invariants.world import CURATOR2, MODES, PEOPLE, STEP_NAMES

outcomes = st.sampled_from(["pass", "pass", "pass", "fail", "clear-over", "small", "missing", "between", "low-rubric"])
sizes = st.sampled_from([20, 20, 40])
actors = st.sampled_from(PEOPLE)
deciders = st.sampled_from((OWNER, CURATOR, CURATOR, CURATOR2, CURATOR2, ADMIN, MEMBER))
steps_ = st.sampled_from((*STEP_NAMES, "verify"))  # verify: once the edit form adds it
modes = st.sampled_from(MODES)

# Definition changes a file may carry (a name, and what it does to the definition).
FILE_CHANGES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _file_change(name: str) -> Callable[[Callable[[dict[str, Any]], None]], None]:
    def keep(change: Callable[[dict[str, Any]], None]) -> None:
        def changed(definition: dict[str, Any]) -> dict[str, Any]:
            copy = json.loads(json.dumps(definition))
            change(copy)
            return copy

        FILE_CHANGES[name] = changed

    return keep


def _step(definition: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in definition["steps"] if s["name"] == name), None)


def _set_mode(name: str, mode: str) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        step = _step(d, name)
        if step is not None:
            step["mode"] = mode

    return change


for _name in STEP_NAMES:
    for _mode in MODES:
        _file_change(f"{_name}:{_mode}")(_set_mode(_name, _mode))


@_file_change("refunds:unpinned")
def _unpin(d: dict[str, Any]) -> None:
    step = _step(d, "refunds")
    if step is not None:
        step["pinned"] = False


@_file_change("refunds:removed")
def _remove_refunds(d: dict[str, Any]) -> None:
    d["steps"] = [s for s in d["steps"] if s["name"] != "refunds"]


@_file_change("tool:gemini")
def _another_tool(d: dict[str, Any]) -> None:
    d["tool"] = "gemini"  # no usage source covers it: a standing usage hold would lift


@_file_change("draft:tool-gemini")
def _draft_own_tool(d: dict[str, Any]) -> None:
    step = _step(d, "draft")
    if step is not None:
        step["tool"] = "gemini"


@_file_change("min_cases:100000")
def _huge_min_cases(d: dict[str, Any]) -> None:
    d.setdefault("rules", {})["min_cases"] = 100000


@_file_change("min_cases:30")
def _min_cases_30(d: dict[str, Any]) -> None:
    d.setdefault("rules", {})["min_cases"] = 30


@_file_change("draft:calibration-none")
def _draft_no_set(d: dict[str, Any]) -> None:
    step = _step(d, "draft")
    if step is not None:
        step["calibration"] = "none"
        step["reason"] = "a person reads every draft"


@_file_change("calibration:removed")
def _no_calibration(d: dict[str, Any]) -> None:
    d.pop("calibration", None)


@_file_change("cap:20%")
def _looser_cap(d: dict[str, Any]) -> None:
    d["exception_cap"] = 0.2


@_file_change("cap:5%")
def _tighter_cap(d: dict[str, Any]) -> None:
    d["exception_cap"] = 0.05


@_file_change("threshold:80%")
def _lower_threshold(d: dict[str, Any]) -> None:
    d["rubric_threshold"] = 0.8


@_file_change("pulse:off")
def _pulse_off(d: dict[str, Any]) -> None:
    d.setdefault("rules", {})["pulse"] = "off"


@_file_change("pulse_min_answers:10")
def _pulse_floor_raised(d: dict[str, Any]) -> None:
    d.setdefault("rules", {})["pulse_min_answers"] = 10


@_file_change("send:demote-to-review")
def _send_to_review(d: dict[str, Any]) -> None:
    step = _step(d, "send")
    if step is not None:
        step["demote_to"] = "human-led"  # declared tightens; its recovery back is automatic


@_file_change("draft:demote-to-review-1")
def _draft_to_review(d: dict[str, Any]) -> None:
    step = _step(d, "draft")
    if step is not None:
        step["demote_to"], step["recover_after"] = "human-led", 1


@_file_change("send:demote-one-level")
def _send_one_level(d: dict[str, Any]) -> None:
    step = _step(d, "send")
    if step is not None:  # removing it loosens: a request
        step.pop("demote_to", None)
        step.pop("recover_after", None)


@_file_change("send:recover-after-1")
def _send_shorter_review(d: dict[str, Any]) -> None:
    step = _step(d, "send")
    if step is not None and step.get("demote_to"):  # lowering it loosens: a request
        step["recover_after"] = 1


# the findings issue 109 names, drawn more often than the rest
_FAVOURED = [
    "draft:ai-led",
    "triage:collaborative",
    "refunds:unpinned",
    "min_cases:100000",
    "draft:calibration-none",
    "tool:gemini",
    "send:demote-to-review",
    "draft:demote-to-review-1",
]
file_changes = st.lists(
    st.one_of(st.sampled_from(_FAVOURED), st.sampled_from(sorted(FILE_CHANGES))), min_size=1, max_size=3, unique=True
)
whys = st.sampled_from([None, "December's tickets are noisier"])


def _edited(name: str, line: str | None) -> Callable[[dict[str, str]], dict[str, str]]:
    """The steps field's lines (a step: its line) with `name`'s line set (None: removed)."""

    def edit(lines: dict[str, str]) -> dict[str, str]:
        changed = dict(lines)
        if line is None:
            changed.pop(name, None)
        else:
            changed[name] = line
        return changed

    return edit


# The steps field of `/rollout edit`'s form, changed (its modes change through `/rollout mode`:
# the form refuses a step's mode changed, so a step is added, removed, pinned or unpinned).
STEP_EDITS: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "as it is": lambda lines: lines,
    "verify added ai-led": _edited("verify", "verify: ai-led"),
    "verify added ai-led (2)": _edited("verify", "verify: ai-led"),
    "verify added collaborative": _edited("verify", "verify: collaborative"),
    "verify removed": _edited("verify", None),
    "refunds unpinned": _edited("refunds", "refunds: human-led"),
    "refunds removed": _edited("refunds", None),
    "refunds2 added ai-led": _edited("refunds2", "refunds2: ai-led"),
    "triage pinned": _edited("triage", "triage: human-led pinned"),
    "triage pinned (2)": _edited("triage", "triage: human-led pinned"),
}
