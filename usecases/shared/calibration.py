"""Calibration sets (docs/playbooks.md, "Calibration"): a step's standing as status, the
web view, readiness and the close read it, a run recorded, the marks an edit leaves, and
the promotion to ai-led that waits while the latest run is stale, missing or below the
rubric threshold (its owner told once why). The rules are cadence/calibration.py's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cadence import calibration
from cadence.calibration import Run, Standing
from cadence.change import Message
from cadence.definition_calibration import declared, none_reason
from cadence.state import PlaybookState
from storage.models.calibration import CalibrationRun
from storage.store import Store
from templates import notices_calibration


def standings(store: Store, state: PlaybookState) -> dict[str, Standing]:
    """Each step's calibration standing, by step name, for the steps with a set declared."""
    return standings_of(store, [state]).get(state.playbook.id, {})


def standings_of(store: Store, states: list[PlaybookState]) -> dict[int, dict[str, Standing]]:
    """The same, for many playbooks in two reads however many (none where none declares a
    set): their runs, then their revisions since the earliest of each one's runs."""
    with_sets = [
        s
        for s in states
        if calibration.declares_any(s.playbook.definition)
        and any(declared(s.playbook.definition, st.name) for st in s.steps)
    ]
    if not with_sets:  # most playbooks: nothing read
        return {}
    found = store.calibrations.latest([s.playbook.id for s in with_sets])
    latest: dict[int, dict[str, tuple[Run | None, bool]]] = {}
    for (pid, step), one in found.items():
        latest.setdefault(pid, {})[step] = one
    earliest = {pid: calibration.since(r for r, _ in runs.values()) for pid, runs in latest.items()}
    revisions = store.calibrations.revisions_after({pid: e for pid, e in earliest.items() if e is not None})
    return {
        s.playbook.id: calibration.standings(
            s.playbook.definition,
            [step.name for step in s.steps],
            latest.get(s.playbook.id, {}),
            revisions.get(s.playbook.id, []),
            s.playbook.rubric_threshold,
        )
        for s in with_sets
    }


def lines(store: Store, state: PlaybookState) -> dict[str, str]:
    """Each step's calibration as status and the web view show it, by step name: its
    latest run, whether it is current, when it was run, and every run kept ("37/40 =
    92.5%, current (run 2026-11-18); runs 35/40 on 2 Mar, 37/40 on 18 Nov"); a step with no
    set by design "none: <reason>"; an ai-led step without a set "no calibration set"."""
    found = standings(store, state)
    runs = store.calibrations.runs(state.playbook.id) if found else {}
    shown = {}
    for step in state.steps:
        one, reason = found.get(step.name), none_reason(state.playbook.definition, step.name)
        if one is not None:
            kept = runs.get(step.name.lower(), [])
            listed = ", ".join(f"{r.passed}/{r.total} on {r.at:%-d %b}" for r in kept)
            shown[step.name] = line(one) + (f"; runs {listed}" if len(kept) > 1 else "")
        elif reason is not None:
            shown[step.name] = f"none: {reason}"
        elif step.mode == calibration.AI_LED:
            shown[step.name] = "no calibration set"
    return shown


def line(one: Standing) -> str:
    run = one.latest
    return one.words() + (f" (run {run.at:%Y-%m-%d})" if run is not None else "")


def run_row(
    store: Store, state: PlaybookState, step: str, passed: int, total: int, note: str | None, by: str, at: datetime
) -> CalibrationRun:
    definition = state.playbook.definition
    return CalibrationRun(
        playbook_id=state.playbook.id,
        step=step,
        kind="run",
        passed=passed,
        total=total,
        basis=calibration.basis(definition, step),
        revision=store.calibrations.latest_revision(state.playbook.id),
        note=note,
        recorded_by=by,
        recorded_at=at,
    )


def wait_messages(state: PlaybookState, step: Any, waits: list[calibration.Wait]) -> list[Message]:
    """The proposals to ai-led a close held back (cadence.calibration.hold), each told its
    owner once, by DM, why it waits: once per reason and run (the message's key)."""
    return [
        Message(
            f"calibration-wait:{step.id}:{wait.why}:{wait.run_at.isoformat() if wait.run_at else 'none'}",
            "chat.postMessage",
            state.playbook.owner_id,
            notices_calibration.waits(slug=state.playbook.slug, step=step.name, why=wait.why, standing=wait.standing),
        )
        for wait in waits
    ]
