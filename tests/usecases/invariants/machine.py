"""The invariants' machine (issue 109, item 6): a Hypothesis RuleBasedStateMachine whose
rules are the product's entry points and whose invariant is the oracle's five
(tests/usecases/invariants/oracle.py). See tests/usecases/invariants/__init__.py."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta
from typing import Any, cast

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from cadence.definition_load import DefinitionError, parse_playbook
from cadence.usage import TeamWeek
from tests import fakes
from tests.fakes import CHANNEL, CURATOR, MEMBER, OWNER
from tests.usecases.invariants.changes import (
    FILE_CHANGES,
    STEP_EDITS,
    actors,
    deciders,
    file_changes,
    modes,
    outcomes,
    sizes,
    steps_,
    whys,
)
from tests.usecases.invariants.oracle import Oracle
from tests.usecases.invariants.world import (
    ANSWERERS,
    CURATORS,
    CYCLE_START,
    FILE,
    SLUG,
    START,
    STEP_NAMES,
    STOPS,
    TOKEN,
    TOOL,
    World,
)
from usecases import api_reports, bar_approval, operator
from usecases.shared import messages
from usecases.shared.caller import Refusal
from usecases.shared.services import Services


def _reply_text(reply: Any) -> str:
    return json.dumps(reply, ensure_ascii=False, default=str)


class Invariants(Oracle, RuleBasedStateMachine):
    """The world, driven; subclasses say what holds it (`make_world`)."""

    def make_world(self, calibration: bool) -> World:
        """The world, with the playbook's calibration set or without one: each variant's
        own (the fakes', SQLite's). Abstract, but not by abc: Hypothesis's state machines
        have a metaclass of their own, and a third one combining it with ABCMeta is more
        than this one method is worth."""
        raise NotImplementedError

    def __init__(self) -> None:
        super().__init__()
        self.world: World = cast(World, None)  # made by `begin`
        self.stop = 0  # index into the clock's stops since START: week * 3 + stop
        self.path = "setup"
        self.answers: dict[int, dict[str, dict[str, Any]]] = {}  # cycle: person: answer

    # ---- driving ----

    @property
    def services(self) -> Services:
        return self.world.services

    def _now(self) -> datetime:
        week, at = divmod(self.stop, 3)
        return START + timedelta(days=7 * week) + STOPS[at]

    def _week(self) -> tuple[int, int]:
        """(cycle, week of the cycle) the clock is in (a Monday stop is the next week's)."""
        days = (self._now().date() - CYCLE_START).days
        weeks = days // 7
        return weeks // 4 + 1, weeks % 4 + 1

    def _slash(self, text: str, user: str) -> str:
        from handlers.commands import answer

        self.world.clock.at = self._now()
        reply, _ = answer(self.services, cast(Any, None), {"text": text, "user_id": user, "channel_id": CHANNEL})
        return _reply_text(reply)

    @staticmethod
    def _numbers(outcome: str, cases: int) -> tuple[int, int, float] | None:
        """A week's cases, exceptions and rubric that give `outcome` under the first bar
        (cap 10%, threshold 90%, min_cases 10); None: not reported."""
        if outcome == "missing":
            return None
        if outcome == "small":
            cases = 5
        exceptions = {"fail": cases * 3 // 20 + 1, "clear-over": cases * 3 // 4}.get(outcome, 0)
        return cases, exceptions, {"between": 0.85, "low-rubric": 0.5}.get(outcome, 0.95)

    def _report(self, step: str, outcome: str, cases: int) -> None:
        """A step's week typed by its owner: `/rollout cases`, `rubric`, `exception` each."""
        numbers = self._numbers(outcome, cases)
        if numbers is None:
            return
        cases, exceptions, rubric = numbers
        self._slash(f"cases {SLUG} {step} {cases}", OWNER)
        self._slash(f"rubric {SLUG} {step} {rubric:.0%}", OWNER)
        for i in range(exceptions):
            self._slash(f"exception {SLUG} {step} case {i} went wrong", OWNER)

    def _post(self, weeks: dict[str, str], cases: int, kpi: int | None) -> None:
        """A week's reports sent by the team's warehouse through the reporting API, in one post."""
        reports: list[Any] = []
        for step, outcome in weeks.items():
            numbers = self._numbers(outcome, cases)
            if numbers is None:
                continue
            n, exceptions, rubric = numbers
            reports += [messages.Cases(SLUG, step, n), messages.Rubric(SLUG, step, rubric)]
            reports += [messages.LogException(SLUG, step, f"case {i} went wrong") for i in range(exceptions)]
        if kpi is not None:
            reports.append(messages.Kpi(SLUG, kpi))
        self.world.clock.at = self._now()
        # a step the definition no longer has, a week closed: refused, nothing stored
        with contextlib.suppress(api_reports.Invalid, api_reports.Forbidden):
            api_reports.post(self.services, TOKEN, reports)

    def _after_close(self) -> int:
        """The Wednesday stop after the close of the week reports made now count for (on a
        Monday stop, the week that began that Monday)."""
        week = self.stop // 3 + (1 if self.stop % 3 == 2 else 0)
        return 3 * (week + 1)

    def _tick_to(self, stop: int) -> None:
        while self.stop < stop:
            self.stop += 1
            self.world.clock.at = self._now()
            self.world.tick(self._now())

    @initialize(calibration=st.sampled_from([True, True, False]))
    def begin(self, calibration: bool) -> None:
        """The world made: support-replies in week 1 of its first cycle."""
        self.world = self.make_world(calibration)
        self.path = "setup"
        self.before = self._snapshot()

    @rule(step=steps_, outcome=outcomes, cases=sizes)
    def report(self, step: str, outcome: str, cases: int) -> None:
        """A step's week reported by its owner: cases, a rubric, exceptions one by one."""
        self.path = "report"
        self._report(step, outcome, cases)

    @rule(outcomes_=st.lists(outcomes, min_size=4, max_size=4), cases=sizes, kpi=st.sampled_from([14, 14, 30]))
    def week(self, outcomes_: list[str], cases: int, kpi: int) -> None:
        """A whole week: every step reported, the KPI, then the clock to the next Wednesday."""
        self.path = "tick"
        self._post(dict(zip(STEP_NAMES, outcomes_, strict=True)), cases, kpi)
        self._tick_to(self._after_close())

    @rule()
    def good_weeks(self) -> None:
        """Two weeks of every step within its cap and over its threshold: the rules' streak."""
        self.path = "tick"
        for _ in range(2):
            self._post(dict.fromkeys(STEP_NAMES, "pass"), 20, 14)
            self._tick_to(self._after_close())

    @rule(stops=st.integers(1, 3))
    def tick(self, stops: int) -> None:
        """The clock, to one of its next stops."""
        self.path = "tick"
        self._tick_to(self.stop + stops)

    @precondition(lambda self: self.stop < 3 * 24)
    @rule()
    def to_next_cycle(self) -> None:
        """The clock to the next cycle's first Monday (its approved requests applied)."""
        self.path = "tick"
        week = self.stop // 3
        self._tick_to(((week // 4) + 1) * 4 * 3 - 1)

    @rule(active=st.sampled_from([0, 0, 2]))
    def used(self, active: int) -> None:
        """The usage pass's pull of this week, whole: `active` of the team's five used its
        tool (0 of 5, at the floor: attested without usage where a check-in said
        "followed"; two such weeks in a row hold promotions to ai-led)."""
        self.path = "usage"
        self._used(active)

    @rule()
    def weeks_without_usage(self) -> None:
        """Two good weeks attested "followed" in which no one used the tool: the usage
        hold, which a promotion to ai-led, a tool changed and a floor raised must each respect."""
        self.path = "tick"
        for _ in range(2):
            self._post(dict.fromkeys(STEP_NAMES, "pass"), 20, 14)
            self._slash(f"attest {SLUG} yes", MEMBER)
            self._used(0)
            self._tick_to(self._after_close())

    def _used(self, active: int) -> None:
        now = self._now()
        monday = CYCLE_START + timedelta(days=7 * ((now.date() - CYCLE_START).days // 7))
        days = [monday + timedelta(days=i) for i in range(7)]
        counted = [TeamWeek(CHANNEL, TOOL, monday, len(ANSWERERS), active, 2 * active, 0)]
        self.world.clock.at = now
        with self.services.store.unit_of_work() as uow:
            uow.usage.record(days, counted, TOOL, days[-1], now)
            uow.commit()

    @rule(value=st.sampled_from([14, 30]), user=st.sampled_from((MEMBER, OWNER)))
    def kpi(self, value: int, user: str) -> None:
        self.path = "kpi"
        self._slash(f"kpi {SLUG} {value}", user)

    @rule(user=actors, step=st.sampled_from(("verify", "draft", *STEP_NAMES)), passed=st.sampled_from([38, 38, 10]))
    def calibrate(self, user: str, step: str, passed: int) -> None:
        self.path = "calibrate"
        self._slash(f"calibrate {SLUG} {step} {passed}/40", user)

    @rule(user=actors, step=steps_, mode=modes)
    def mode(self, user: str, step: str, mode: str) -> None:
        self.path = "mode"
        self._slash(f"mode {SLUG} {step} {mode} we trust it now", user)

    @rule(user=st.sampled_from(ANSWERERS), yes=st.booleans(), step=steps_)
    def attest(self, user: str, yes: bool, step: str) -> None:
        self.path = "attest"
        self._slash(f"attest {SLUG} yes" if yes else f"attest {SLUG} no {step} did it by hand", user)

    @rule(user=actors, override=st.booleans())
    def publish(self, user: str, override: bool) -> None:
        self.path = "publish"
        self._slash(f"publish {SLUG}" + (" override we need it now" if override else ""), user)

    @rule(user=actors)
    def adopt(self, user: str) -> None:
        self.path = "adopt"
        self._slash(f"adopt {SLUG} <#CADOPTER01|adopters> override they asked", user)

    @rule(changes=file_changes, why=whys)
    def load(self, changes: list[str], why: str | None) -> None:
        """`rollout playbook load` of the definition as it stands, with `changes`."""
        self.path = "load"
        state = self.world.seen.state()
        raw = state.playbook.definition
        for name in changes:
            raw = FILE_CHANGES[name](raw)
        self.world.clock.at = self._now()
        try:
            spec = parse_playbook(raw)
        except DefinitionError:  # a file the CLI refuses before the store
            return
        list(operator.load(self.services.store, [(FILE, [spec])], "UTC", self._now(), why))

    @rule(
        user=actors,
        change=st.sampled_from(sorted(STEP_EDITS)),
        cap=st.sampled_from([None, None, "15%", "5%"]),
        why=st.sampled_from([True, True, False]),
    )
    def edit(self, user: str, change: str, cap: str | None, why: bool) -> None:
        """`/rollout edit`'s form, its steps field (a step added, removed, pinned or unpinned)
        and maybe the cap changed, with or without a Why, submitted."""
        from tests.usecases.fast.form_world import open_edit, submit

        self.path = "edit"
        self.world.clock.at = self._now()
        try:
            form = open_edit(self.services, user=user)
        except Refusal:
            return
        lines = {s.name: f"{s.name}: {s.mode}" + (" pinned" if s.pinned else "") for s in self.world.seen.state().steps}
        values = {**form.values, "steps": "\n".join(STEP_EDITS[change](lines).values())}
        if cap is not None:
            values["cap"] = cap
        if why:
            values["why"] = "the team asked"
        submit(self.services, form, values, user)

    @rule(user=st.sampled_from((OWNER, CURATOR)), passed=st.sampled_from([38, 10]))
    def ask_a_new_step_ai_led(self, user: str, passed: int) -> None:
        """An owner's flow: `/rollout edit` adds a step at ai-led (a request, with its Why),
        then `/rollout calibrate` runs its set."""
        self.edit(user, "verify added ai-led", None, True)
        self.path = "calibrate"
        self._slash(f"calibrate {SLUG} verify {passed}/40", user)

    @rule(
        user=actors,
        cases=st.sampled_from([None, "", "20", "60"]),
        model=st.sampled_from([None, "draft | gpt-5.1 2026-11 | v8"]),
        why=st.booleans(),
    )
    def kit(self, user: str, cases: str | None, model: str | None, why: bool) -> None:
        """`/rollout kit`'s form: the calibration set's size (removed, lowered, raised) or a
        step's model and prompt (which stale its calibration) changed, submitted."""
        from tests.usecases.fast.form_world import open_kit, submit_kit

        self.path = "kit"
        self.world.clock.at = self._now()
        try:
            form = open_kit(self.services, user=user)
        except Refusal:
            return
        values = dict(form.values)
        if cases is not None:
            values["calibration_cases"] = cases
        if model is not None:
            values["step_models"] = model
        if why:
            values["why"] = "the set was too big to keep"
        submit_kit(self.services, form, values, user)

    def _buttons(self, *action_ids: str) -> list[tuple[str, str, str | None, str]]:
        """Every button the bot posted (its latest message of each key): (action, value,
        channel, key)."""
        latest: dict[str, tuple[str | None, dict[str, Any]]] = {}
        for channel, key, payload in self.world.seen.posted():
            latest[payload.get("ts_of") or key] = (channel, payload)
        found = []
        for key, (channel, payload) in latest.items():
            for block in payload.get("blocks") or []:
                if block.get("type") != "actions":
                    continue
                for element in block.get("elements") or []:
                    if element.get("action_id") in action_ids and "value" in element:
                        found.append((element["action_id"], element["value"], channel, key))
        return found

    CLICKS = ("proposal_approve", "proposal_reject", "bar_approve", "publish_approve", "scale_publish")

    @rule(user=deciders, which=st.integers(0, 50), kind=st.sampled_from(["any", "bar_approve", "proposal_approve"]))
    def click(self, user: str, which: int, kind: str) -> None:
        """A button of a card the bot posted (any, or one of a kind's), clicked by someone."""
        self.path = "click"
        buttons = self._buttons(*(self.CLICKS if kind == "any" else (kind,)))
        if not buttons:
            return
        action, value, channel, key = buttons[which % len(buttons)]
        self.path = f"click:{action}"
        self.world.clock.at = self._now()
        self.world.listeners.click(user, action, value, channel, key)

    @rule(user=deciders, which=st.integers(0, 50))
    def decline(self, user: str, which: int) -> None:
        """A bar change request's Decline, with its reason (the form the button opens)."""
        self.path = "decline"
        buttons = self._buttons("bar_decline")
        if not buttons:
            return
        _, value, _, _ = buttons[which % len(buttons)]
        self.world.clock.at = self._now()
        with contextlib.suppress(Refusal):
            bar_approval.decline(fakes.caller(self.services, user, CURATORS), value, "hold the line")

    @rule(
        user=st.sampled_from(ANSWERERS),
        trust=st.sampled_from([None, 1, 2, 4, 5]),
        around=st.sampled_from([None, "never", "often", "often"]),
    )
    def pulse(self, user: str, trust: int | None, around: str | None) -> None:
        """`/rollout pulse`: the form opened, answered and sent."""
        self.path = "pulse"
        self.world.clock.at = self._now()
        listeners = self.world.listeners
        opened = len(listeners.client.opened_views)
        listeners.rollout(f"pulse {SLUG}", user)
        if len(listeners.client.opened_views) == opened:
            return  # refused: not open
        view = listeners.client.opened_views[-1]
        values: dict[str, Any] = {}
        if trust is not None:
            values["trust"] = {"selected_option": {"value": str(trust)}}
        if around is not None:
            values["around"] = {"selected_option": {"value": around}}
        acked = listeners.submit(view, values, user)
        if acked.answers and acked.answers[-1].get("response_action") == "update":
            cycle, _ = self._week()
            self.answers.setdefault(cycle, {})[user] = {"trust": trust, "around": around}

    @rule(
        answers=st.lists(
            st.tuples(st.sampled_from([None, 1, 3, 5]), st.sampled_from([None, "never", "sometimes", "often"])),
            min_size=len(ANSWERERS),
            max_size=len(ANSWERERS),
        )
    )
    def pulse_round(self, answers: list[tuple[int | None, str | None]]) -> None:
        """The clock to the next week-4 Thursday if the pulse is not open, then the team
        answers it (each person's answer may leave a question blank)."""
        if not (self._week()[1] == 4 and self.stop % 3 == 1):
            self.path = "tick"
            target = self.stop + 1
            while not (((target // 3) % 4) == 3 and target % 3 == 1):
                target += 1
            self._tick_to(target)
        for user, (trust, around) in zip(ANSWERERS, answers, strict=True):
            self.pulse(user, trust, around)
