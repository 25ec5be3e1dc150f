"""The oracle of the invariants' machine (tests/usecases/invariants/): after every step,
the five invariants (docs/judgement.md) read from what the store holds (`Seen`), compared with the
world before the step (`Snapshot`). Where it must judge (a week's verdict under another
bar, a promotion's gates at an instant) it uses the domain's pure functions
(cadence/verdicts.py; cadence/promotion_gates.py through usecases/shared/promotion_gates.py's
reading of the gates now)."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from hypothesis.stateful import invariant, precondition

from cadence.definition_rules import RuleSettings
from cadence.verdicts import FAIL, INCONCLUSIVE, PASS, Thresholds, WeekNumbers, judge
from tests.fakes import CURATOR, MEMBER, OWNER
from tests.usecases.invariants.world import CURATOR2, CURATOR_LIKE, MODES
from usecases.shared import promotion_gates

# ---- a broken invariant, named so Hypothesis tells the findings apart ----


class Broken(AssertionError):
    pass


# Findings to step over while exploring past them (a comma-separated list of their names,
# e.g. Invariant2_load_probe_week_eased): each is noted, not raised. Empty in the suite.
KNOWN = frozenset(n for n in os.environ.get("ROLLOUT_MACHINE_KNOWN", "").split(",") if n)


_BROKEN: dict[str, type[Broken]] = {}


def broken(invariant_: int, path: str, why: str, detail: str) -> Broken:
    name = f"Invariant{invariant_}_{path}_{why}".replace("-", "_").replace(":", "_").replace(" ", "_")
    kind = _BROKEN.setdefault(name, type(name, (Broken,), {}))
    return kind(f"invariant {invariant_} broken on the {path} path ({why}): {detail}")


# how a shown pulse figure reads in a message (templates/pulse_words.py)
SHOWN_TRUST = re.compile(r"trust \d+(?:\.\d+)? of 5")
SHOWN_AROUND = re.compile(r"worked around a step sometimes or often \d+%")

# ---- the domain's pure judges, on what the store holds ----


def thresholds(definition: dict[str, Any]) -> Thresholds:
    rules = {k: v for k, v in (definition.get("rules") or {}).items() if v is not None}
    return Thresholds.of(
        RuleSettings.model_validate(rules), float(definition["exception_cap"]), float(definition["rubric_threshold"])
    )


_ORDER = {FAIL: 0, INCONCLUSIVE: 1, PASS: 2}


def easier(old: str, new: str) -> bool:
    """A verdict moved toward PASS (FAIL or INCONCLUSIVE → PASS, FAIL → INCONCLUSIVE)."""
    return old in _ORDER and new in _ORDER and _ORDER[new] > _ORDER[old]


def wilson_low(hits: int, n: int, z: float = 1.959964) -> float:
    """The lower bound of the 95% Wilson interval of hits/n (written out here, not the
    product's, so the oracle does not share its arithmetic)."""
    p = min(hits / n, 1.0)  # exceptions logged beyond the cases reported count as all of them
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n)


@dataclass(frozen=True)
class StepSeen:
    id: int
    mode: str
    pinned: bool


def steps_of(state: Any) -> dict[str, StepSeen]:
    return {s.name: StepSeen(s.id, s.mode, bool(s.pinned)) for s in state.steps}


@dataclass
class Snapshot:
    """What the invariants compare a step against: the world before it."""

    steps: dict[str, StepSeen]
    definition: dict[str, Any]
    decisions: int  # how many decision rows there were
    requests: dict[int, str]  # bar change request id: its state
    proposals: dict[str, str]  # proposal key: its status
    state: Any  # the playbook's state (its definition, steps, settings)
    gates: dict[str, frozenset[str]]  # step: the gates a move to ai-led did not pass then


class Oracle:
    """The machine's invariant (`the_five_hold`) and what it reads; the machine gives it
    `world`, `path` (the rule that ran), `answers` (the pulse's, as given), `before`,
    `_now()` and `_slash()`."""

    def _raise(self, finding: Broken) -> None:
        if type(finding).__name__ not in KNOWN:
            raise finding

    def _gates(self, state: Any) -> dict[str, frozenset[str]]:
        now = self._now()
        return {
            s.name: frozenset(
                g.key for g in promotion_gates.shut_now(self.services.store, state, s.name, "ai-led", now)
            )
            for s in state.steps
        }

    def _snapshot(self) -> Snapshot:
        seen = self.world.seen
        state = seen.state()
        return Snapshot(
            steps=steps_of(state),
            definition=json.loads(json.dumps(state.playbook.definition, default=str)),
            decisions=len(seen.decisions()),
            requests={r.id: r.state for r in seen.bar_requests()},
            proposals={p.key: p.status for p in seen.proposals()},
            state=state,
            gates=self._gates(state),
        )

    @precondition(lambda self: self.world is not None)
    @invariant()
    def the_five_hold(self) -> None:
        before = self.before
        seen = self.world.seen
        state = seen.state()
        after = steps_of(state)
        decisions = seen.decisions()
        new_rows = decisions[before.decisions :]
        requests = seen.bar_requests()
        applied = [r for r in requests if r.state == "applied" and before.requests.get(r.id) != "applied"]
        approved = [
            p
            for p in seen.proposals()
            if p.kind == "promotion" and p.status == "approved" and before.proposals.get(p.key) != "approved"
        ]
        try:
            self._one_and_three(state, before, after, decisions, applied, approved)
            self._two(state, before, decisions, new_rows, applied)
            self._four(decisions)
            self._five(decisions)
        finally:
            self.before = self._snapshot()

    # invariants 1 and 3: a move up (toward ai-led, off human-led, a pin removed) is the
    # rules' proposal approved by the owner or a curator, or a request approved by a person
    # other than its asker; either way its gates open at the instant it took effect

    def _path_of(self, requests: list[Any]) -> str:
        if self.path == "tick" and requests:
            return "tick_file" if any(str(r.asked_by).startswith("file:") for r in requests) else "tick_request"
        return self.path.replace("click:", "click_")

    def _justified(self, requests: list[Any]) -> list[Any]:
        return [
            r
            for r in requests
            if r.decided_by in CURATOR_LIKE and r.decided_by != r.asked_by and not str(r.asked_by).startswith("rule:")
        ]

    def _streak(self, decisions: list[dict[str, Any]], step_ids: set[int]) -> bool:
        """The rules' streak: two consecutive closed weeks of the step PASS, no FAIL since."""
        weeks = sorted(
            (d["week_start"], d["figures"].get("outcome"))
            for d in decisions
            if d["kind"] == "verdict" and d["step_id"] in step_ids
        )
        last_pair = None
        for (w1, v1), (w2, v2) in itertools.pairwise(weeks):
            if v1 == PASS and v2 == PASS and (w2 - w1).days == 7:
                last_pair = w2
        if last_pair is None:
            return False
        return not any(w > last_pair and v == FAIL for w, v in weeks)

    def _recovered(
        self, decisions: list[dict[str, Any]], step_ids: set[int], definition: dict[str, Any], name: str
    ) -> bool:
        """A recovery (docs/judgement.md, "Demoted to human-led review"), read from the log
        alone: at a close, the step's last mode change before it a demotion to human-led by
        its `demote_to`, and its closed weeks since it `recover_after` PASS in a row (the
        definition before the step's, 2 where not given), the latest among them."""
        if self.path != "tick":
            return False
        step = next((s for s in definition.get("steps") or [] if s["name"] == name), {})
        if step.get("demote_to") != "human-led":
            return False
        needed = int(step.get("recover_after") or 2)
        ours = [d for d in decisions if d.get("step_id") in step_ids]
        changes = [d for d in ours if d["kind"] == "mode-change" and d.get("to_mode")]
        if len(changes) < 2 or changes[-1].get("to_mode") != "collaborative":
            return False
        demotion, back = changes[-2], changes[-1]
        if demotion.get("to_mode") != "human-led" or (demotion["figures"] or {}).get("demote_to") != "human-led":
            return False
        if demotion.get("week_start") is None or back.get("week_start") is None:
            return False  # a mode declared in a definition: no close's
        since = sorted(
            (d["week_start"], (d["figures"] or {}).get("outcome"))
            for d in ours
            if d["kind"] == "verdict" and demotion["week_start"] < d["week_start"] <= back["week_start"]
        )
        last = since[-needed:]
        weekly = all((w2 - w1).days == 7 for (w1, _), (w2, _) in itertools.pairwise(last))
        return len(last) == needed and weekly and all(v == PASS for _, v in last)

    def _one_and_three(
        self,
        state: Any,
        before: Snapshot,
        after: dict[str, StepSeen],
        decisions: list[dict[str, Any]],
        applied: list[Any],
        approved: list[Any],
    ) -> None:
        ids_of = {
            name: {s.id} | ({before.steps[name].id} if name in before.steps else set()) for name, s in after.items()
        }
        for name, was in before.steps.items():
            now = after.get(name)
            mentioned = [r for r in applied if name in json.dumps(r.changes, default=str)]
            path = self._path_of(mentioned)
            if was.pinned and now is None and not self._justified(mentioned):
                self._raise(
                    broken(3, path, "pinned-step-removed", f"{name} was pinned and is gone with no second person")
                )
            if now is None:
                continue
            up = MODES.index(now.mode) > MODES.index(was.mode)
            unpinned = was.pinned and not now.pinned
            if not (up or unpinned):
                continue
            invariant_ = 3 if was.pinned else 1
            moved = f"{name}: {was.mode}{' pinned' if was.pinned else ''} → {now.mode}{' pinned' if now.pinned else ''}"
            by_proposal = [
                p
                for p in approved
                if p.step_id in ids_of[name] and p.to_mode == now.mode and p.decided_by in (OWNER, CURATOR, CURATOR2)
            ]
            if was.pinned and not self._justified(mentioned):
                self._raise(broken(3, path, "no-second-person", f"{moved}, requests {self._said(mentioned)}"))
                continue
            recovered = (was.mode, now.mode) == ("human-led", "collaborative") and self._recovered(
                decisions, ids_of[name], before.definition, name
            )
            if recovered:  # the rules moved it at a close: its gates still read, its streak is its own
                shut = self._shut(before.state, state, name, now.mode)
                if shut:
                    self._raise(broken(1, path, "recovery-gates-shut", f"{moved} with its gates shut: {shut}"))
                continue
            if not by_proposal and not self._justified(mentioned):
                why = "decided-by-its-asker" if mentioned else "no-decision"
                self._raise(broken(invariant_, path, why, f"{moved}, requests {self._said(mentioned)}"))
                continue  # (stepped over while exploring: its gates are the same finding's)
            if up:
                shut = self._shut(before.state, state, name, now.mode)
                if shut:
                    keys = "-".join(sorted(g.key for g in shut))
                    self._raise(broken(invariant_, path, f"gates-shut-{keys}", f"{moved} with its gates shut: {shut}"))
                if not self._streak(decisions, ids_of[name]):
                    self._raise(broken(invariant_, path, "no-PASS-streak", f"{moved} with no streak of PASS weeks"))
        for name, now in after.items():
            if name in before.steps or now.mode != "ai-led":
                continue
            mentioned = [r for r in applied if name in json.dumps(r.changes, default=str)]
            if not self._justified(mentioned):
                self._raise(broken(1, self._path_of(mentioned), "new-step-ai-led", f"{name} added at ai-led"))

    @staticmethod
    def _said(requests: list[Any]) -> str:
        return str([(r.id, r.asked_by, r.decided_by, [c.get("words") for c in r.changes]) for r in requests])

    # invariant 2: a change of the definition that makes a kept verdict, a probe week at and
    # over the cap, or a gate easier takes effect only by a person other than its asker;
    # and a week clearly over the cap still demotes an ai-led step

    def _two(
        self,
        state: Any,
        before: Snapshot,
        decisions: list[dict[str, Any]],
        new_rows: list[dict[str, Any]],
        applied: list[Any],
    ) -> None:
        old, new = before.definition, json.loads(json.dumps(state.playbook.definition, default=str))
        path = self._path_of(applied)
        if old != new and not self._justified(applied):
            found = self._eased(old, new, decisions) + self._gates_opened(before, state)
            if found:
                self._raise(broken(2, path, found[0][0], "; ".join(f"{w}: {d}" for w, d in found)))
        for row in new_rows:  # a change applied from a request: the log names a second person
            f = row["figures"] or {}
            if row["kind"] == "playbook-changed" and f.get("asked_by") is not None:
                decider = f.get("approved_by")
                if decider not in CURATOR_LIKE or decider == f["asked_by"]:
                    self._raise(
                        broken(2, path, "applied-by-its-asker", f"{row['summary'][:200]} (approved by {decider})")
                    )
        steps = {s.id: s for s in state.steps}
        for row in new_rows:
            f = row["figures"] or {}
            if row["kind"] != "verdict" or f.get("mode") != "ai-led" or not f.get("cases"):
                continue
            cases, exceptions, cap = f["cases"], f.get("exceptions") or 0, f.get("cap")
            step = steps.get(row["step_id"])
            if cap is not None and wilson_low(exceptions, cases) > cap and step is not None and step.mode == "ai-led":
                self._raise(
                    broken(
                        2,
                        self.path,
                        "clearly-over-cap-not-demoted",
                        f"{step.name} stays ai-led after {exceptions} of {cases} (cap {cap:.0%}, "
                        f"verdict {f.get('outcome')}, min_cases {f.get('min_cases')})",
                    )
                )

    def _eased(
        self, old: dict[str, Any], new: dict[str, Any], decisions: list[dict[str, Any]]
    ) -> list[tuple[str, str]]:
        t_old, t_new = thresholds(old), thresholds(new)
        found = []
        closed = sorted({d["week_start"] for d in decisions if d["kind"] == "verdict"})
        last8 = set(closed[-8:])  # the playbook's last 8 closed weeks, as the replay reads them
        kept = [
            d
            for d in decisions
            if d["kind"] == "verdict" and d["figures"].get("cases") is not None and d["week_start"] in last8
        ]
        for d in kept:
            f = d["figures"]
            numbers = WeekNumbers(f["cases"], f.get("exceptions") or 0, f.get("rubric"))
            was, now = (
                judge(numbers, f.get("mode") or "collaborative", t_old),
                judge(numbers, f.get("mode") or "collaborative", t_new),
            )
            if easier(was, now):
                found.append(("kept-verdict-eased", f"{d['summary']} of {d['week_start']}: {was} → {now}"))
        for step in new.get("steps") or []:
            counts = [d["figures"]["cases"] for d in kept if d["figures"].get("cases")]
            cases = max([*counts, t_old.min_cases])
            for exceptions in (
                math.floor(t_old.exception_cap * cases) + 1,
                math.ceil(2 * t_old.exception_cap * cases) + 1,
            ):
                probe = WeekNumbers(cases, min(exceptions, cases), 0.95)
                was, now = judge(probe, step["mode"], t_old), judge(probe, step["mode"], t_new)
                if was == FAIL and now != FAIL:
                    found.append(("probe-week-eased", f"{step['name']}: {exceptions} of {cases} {was} → {now}"))
        return found

    def _shut(self, was: Any, state: Any, name: str, to_mode: str) -> list[Any]:
        """The gates of `name`'s move to `to_mode` shut at this instant: read now on the
        definition before the step and on the one after, a gate shut on both (so a move does
        not shut its own gate, as a calibration the move itself makes stale, and a gate a
        second person's approved change opens with the move counts as open); a calibration
        as it stood before the step (the move's own revision makes its run stale)."""
        now = self._now()
        after = promotion_gates.shut_now(self.services.store, state, name, to_mode, now)
        if was.step(name) is None:
            return after
        before = {g.key for g in promotion_gates.shut_now(self.services.store, was, name, to_mode, now)}
        # a calibration is read as it stood before the step: the move's own revision stales it
        then = self.before.gates.get(name, frozenset())
        return [g for g in after if g.key in before and (g.key != "calibration" or g.key in then)]

    @staticmethod
    def _families(gates: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        """No set and a set not passed are one gate: a set added where there was none is no
        gate opened (its runs are then what is missing)."""
        return {name: frozenset("calibration" if k == "no_set" else k for k in keys) for name, keys in gates.items()}

    def _gates_opened(self, before: Snapshot, state: Any) -> list[tuple[str, str]]:
        """The gates of a move to ai-led that the definition before the step shut and the one
        after opens, both read now (on the same runs, holds and weeks: the change's effect)."""
        was, now = self._families(self._gates(before.state)), self._families(self._gates(state))
        return [
            (f"gate-opened-{'-'.join(sorted(shut - now[name]))}", f"{name}: {sorted(shut - now[name])} no longer shut")
            for name, shut in was.items()
            if name in now and shut - now[name]
        ]

    # invariant 4: a version over a scale rule that never held, or over unmet readiness,
    # only by a second person's decision, and it says so where it is listed

    def _four(self, decisions: list[dict[str, Any]]) -> None:
        versions = self.world.seen.versions()
        if not versions:
            return
        listed = self._slash("registry", MEMBER)
        owner = self.world.seen.state().playbook.owner_id
        for v in versions:
            hits = sorted(
                (d["figures"]["cycle"], bool(d["figures"].get("hit")))
                for d in decisions
                if d["kind"] == "cycle-result"
                and d["playbook_id"] == v.playbook_id
                and d["decided_at"] <= v.published_at
            )
            held = any(h1 and h2 and c2 == c1 + 1 for (c1, h1), (c2, h2) in itertools.pairwise(hits))
            asked = [r for r in self.world.seen.publish_requests() if r.state == "published"]
            second = [r for r in asked if r.decided_by not in (None, r.asked_by) and r.version == v.version]
            if not held:
                if not second:
                    self._raise(
                        broken(
                            4, self.path, "scale-rule-never-held-one-person", f"v{v.version} by {v.published_by} alone"
                        )
                    )
                if "published by override" not in listed:
                    self._raise(broken(4, self.path, "override-not-listed", f"v{v.version} listed as {listed[:300]}"))
            over = v.over_readiness
            if over:
                if not over.get("approved_by") or over.get("approved_by") in (over.get("asked_by"), owner):
                    self._raise(broken(4, self.path, "over-readiness-one-person", f"v{v.version}: {over}"))
                if "published over readiness" not in listed:
                    self._raise(
                        broken(4, self.path, "over-readiness-not-listed", f"v{v.version} listed as {listed[:300]}")
                    )

    # invariant 5: no figure of fewer answers than the pulse's floor reaches a surface (the
    # decision log's pulse rows, and the store's one read of shown pulses)

    def _five(self, decisions: list[dict[str, Any]]) -> None:
        figures = [d["figures"] for d in decisions if d["kind"] == "pulse"]
        if self.answers:  # the one read every surface gets the pulse's figures from
            pid = self.world.seen.state().playbook.id
            shown = self.services.store.pulses.shown({(pid, cycle): None for cycle in self.answers})
            figures += [pulse.figures() for pulse in shown.values()]
        for f in figures:
            needed = max(f.get("needed") or 0, 5)
            given = self.answers.get(f.get("cycle"), {})
            counts = {
                "trust": sum(1 for a in given.values() if a["trust"] is not None),
                "worked_around": sum(1 for a in given.values() if a["around"] is not None),
            }
            for question, mine in counts.items():
                figure = f.get(question)
                if figure is None:
                    continue
                if mine < needed or (figure.get("answers") or 0) < needed:
                    self._raise(broken(5, self.path, f"{question}-shown-under-floor", f"{figure} from {mine} answers"))
        self._five_in_messages()

    def _five_in_messages(self) -> None:
        """No message the bot posted shows a trust mean or a worked-around share while no cycle
        had the floor's answers to that question (the words of templates/pulse_words.py)."""
        most = {"trust": 0, "around": 0}
        for given in self.answers.values():
            for question in most:
                most[question] = max(most[question], sum(1 for a in given.values() if a[question] is not None))
        posted = self.world.seen.posted()
        first, self.scanned = getattr(self, "scanned", 0), len(posted)
        for channel, _, payload in posted[first:]:
            text = json.dumps(payload, ensure_ascii=False)
            for question, words in (("trust", SHOWN_TRUST), ("around", SHOWN_AROUND)):
                if most[question] < 5 and words.search(text):
                    found = words.search(text)
                    self._raise(
                        broken(5, self.path, f"{question}-in-a-message", f"to {channel}: {found and found.group(0)}")
                    )
