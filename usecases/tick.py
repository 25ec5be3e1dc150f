"""One idempotent tick: every piece of cadence work due at an instant.

`Cadence.tick(at)` reads the state from the database, asks cadence.schedule what is due,
fills in the messages, and records each unit of work under its idempotency key with its
messages in the outbox (storage/cadence_log.py). Work recorded before, by an earlier tick
or a concurrent one in another process, is dropped by the database's unique key: a tick
run twice, or two at once, does everything once. Delivery is slack_api/dispatch.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from cadence import calendar, judgement, keys, review
from cadence.inputs import name_of
from cadence.schedule import (
    DIGEST_SLOT,
    EXCEPTION_QUEUE,
    LEARNING_PROMPT,
    OWNER_REMINDER,
    Due,
    Member,
    PlaybookClock,
    Slot,
    digest_work,
    exception_queue_work,
    learning_work,
    member_timezone,
    member_work,
    owner_work,
    playbook_work,
)
from slack_api.answers import TOKEN_REFUSED
from slack_api.members import GONE, DirectoryUnavailable, TeamDirectory
from storage.cadence_log import Work
from storage.governance_rows import StaleState
from storage.outbox import Message
from storage.store import PlaybookState, Store
from templates import load_all, notices_close
from usecases import bar_requests, escalation, exception_queue, learned_back, learnings, names, tick_reads
from usecases.digest import Digest
from usecases.readiness_news import tell_once
from usecases.shared import life, registry, weeks
from usecases.shared import work as work_log
from usecases.shared.collector import collector_paused
from usecases.shared.queue import exception_owner
from usecases.sources import SourceClock
from usecases.tick_reads import TickReport, playbook_clock

log = logging.getLogger(__name__)


def _owner(state: PlaybookState) -> str:
    return state.playbook.owner_id


class Cadence:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        directory: TeamDirectory,
        org_timezone: str,
        clock: Callable[[], datetime],
        charts: bool = True,
        admins: frozenset[str] = frozenset(),
        environ: Mapping[str, str] | None = None,
        currency: str = "USD",
        hourly_rate: float | None = None,
    ):
        """`clock` is the real time, for the record; `tick(at)` plans for the instant `at`. On a store built as a
        dry run (`Store(engine, dry_run=True)`) it plans and renders everything, asks the database what it would
        accept, and keeps nothing (every write is rolled back). Week closes of a catch-up are each judged on the
        modes of now, since the earlier ones were not kept."""
        self.clock = clock
        self.store = store
        self.dry_run = store.dry_run
        self.digest = Digest(store, charts=charts, currency=currency, hourly_rate=hourly_rate)
        self.client = client
        self.directory = directory
        self.org_timezone = org_timezone
        self.admins = admins  # told when a digest has no curators channel to go to
        # numbers pulled from sources: a pass of its own beside the tick, never inside it (usecases/sources.py)
        self.sources = SourceClock(store, clock, environ)
        load_all()
        judgement.warm()  # the statistics of the week close's intervals, loaded at start as the templates are

    def tick(self, at: datetime) -> TickReport:
        with collector_paused():  # a tick makes objects by the hundred thousand (usecases/shared/collector.py)
            return self._tick(at)

    def _tick(self, at: datetime) -> TickReport:
        report = TickReport()
        reads = tick_reads.read(self.store, at)  # a quiet tick's whole cost (usecases/tick_reads.py)
        # Slack refuses the token: closes and the digest are still made (their messages wait in the outbox), nudges and
        # DMs not even planned: when Slack takes the token again the usual rule skips the stale ones and sends the rest.
        report.held = reads.lost
        cursors = reads.cursors
        plans = [(state, playbook_clock(state, reads.holidays)) for state in reads.states]
        member_weeks = []
        pending_closes: list[tuple[PlaybookState, list[Due]]] = []
        simple: list[Work] = []  # nudges and lapsed weeks of every playbook: one transaction
        nudges: list[tuple[PlaybookState, Due]] = []
        for state, clock in plans:
            work = playbook_work(clock, cursors.get(state.playbook.id, {}), at)
            if work.closes:
                pending_closes.append((state, work.closes))
            if state.playbook.status != "active" or report.held:
                continue  # paused or retired: its last week still closes, and nothing goes out
            nudges += [(state, due) for due in work.nudges]
            simple += [
                _skipped(due, "a holiday" if due.holiday else "the bot was not running during this week's slots")
                for due in work.lapsed
            ]
            member_weeks += [(state, clock, kind, week) for kind, weeks in work.member_weeks.items() for week in weeks]
        simple = self._nudges(nudges, at) + simple
        report.add(simple, work_log.record(self.store, simple, self.clock()))
        if pending_closes:
            self._close_weeks(pending_closes, report)
            if not self.dry_run:  # after the close: an approved bar change from the week now open
                bar_requests.apply_due(self.store, self.org_timezone, self.clock())
        if member_weeks:
            self._member_work(member_weeks, at, report)
        if not report.held:
            active = [(s, c) for s, c in plans if s.playbook.status == "active"]
            self._owner_reminders(active, cursors, at, report)
            self._learning_prompts(active, cursors, at, report)
            self._exception_queues(active, cursors, at, report)
            # exception items unanswered past their SLA (usecases/escalation.py); first, once,
            # a summary of those logged before a playbook's handoff terms began
            running = [s for s, _ in active]
            summaries = escalation.tell_backlogs(self.store, running, reads.curators_channel, at)
            if summaries:
                report.counts[("escalation summary", "done")] += summaries
            escalated = escalation.escalate_due(self.store, running, reads.curators_channel, at)
            if escalated:
                report.counts[("escalation", "done")] += escalated
            fell = escalation.fallbacks(self.store, running, at)  # an ai-led step's fallback mode, and its end
            if fell:
                report.counts[("fallback", "done")] += fell
            back = learned_back.due(
                self.store, cursors, at, reads.adopters, lambda states: self._owner_zones(states, report)
            )
            report.add(back, work_log.record(self.store, back, self.clock()))  # usecases/learned_back.py
            tell_once(self.store, reads.owed, at, self.clock(), report)  # usecases/readiness_news.py
        self._digests(at, reads, report)
        if not self.dry_run and not report.held:  # the names pages show, asked of Slack (usecases/names.py)
            # Every report's author on the hour, unless this tick closed weeks: that read grows
            # with the years, and a close does not wait on it (the next hour's tick makes it).
            everyone = at.minute == 0 and not pending_closes
            named = names.name_people_and_channels(
                self.store, self.client, self.directory, at, self.clock(), everyone=everyone
            )
            if named.people or named.channels:
                report.counts[("name", "kept")] += named.people + named.channels
        if at.minute == 0 and not self.dry_run:  # hourly: forget requests Slack would refuse anyway
            with self.store.unit_of_work() as uow:
                uow.request_keys.forget(self.clock() - timedelta(days=1))
                uow.commit()
        return report

    # ---- team channel ----

    def _nudges(self, nudges: list[tuple[PlaybookState, Due]], at: datetime) -> list[Work]:
        """Monday's nudges. Week 3's *Package it* names each criterion of readiness still
        missing, judged as `/rollout publish` judges it at `at`: for all of them at once."""
        packaging = {s.playbook.id: s for s, due in nudges if _sent(due) and due.week and due.week.week == 3}
        judged = registry.criteria_now(self.store, list(packaging.values()), at) if packaging else {}
        return [self._nudge(state, due, judged.get(state.playbook.id, [])) for state, due in nudges]

    def _nudge(self, state: PlaybookState, due: Due, criteria: list[dict[str, Any]]) -> Work:
        if due.holiday:
            return _skipped(due, "a holiday, and no working day left in the week")
        if due.stale:
            return _skipped(due, f"{_late(due)}: stale nudges are not sent")
        playbook = state.playbook
        message = notices_close.stage_nudge(
            slug=playbook.slug,
            title=playbook.title,
            week=due.week,
            steps=state.steps,
            kpi_name=playbook.kpi_name,
            baseline=playbook.kpi_baseline,
            target=playbook.kpi_target,
            unit=playbook.kpi_unit,
            checkin_at=_slot_words(state.settings.checkin_at),
            inputs=[name_of(given) for given in state.spec.inputs],
            outputs=state.spec.outputs,
            # the first cycle's first week names the team's champion and their checklist
            champion=playbook.champion_id if due.week and (due.week.cycle, due.week.week) == (1, 1) else None,
            playbook_id=playbook.id,  # week 3's *Package it* (usecases/kit_form.py)
            missing=[c for c in criteria if not c["met"]],
        )
        return _done(due, [Message(keys.only_message(due.key), "chat.postMessage", playbook.channel_id, message)])

    def _close_weeks(self, pending: list[tuple[PlaybookState, list[Due]]], report: TickReport) -> None:
        """Week closes, in rounds: the oldest pending close of every playbook, then the next,
        so a catch-up evaluates each playbook week by week in order, and each round costs
        the same few queries however many playbooks close at once."""
        depth = max(len(dues) for _, dues in pending)
        states = {state.playbook.id: state for state, _ in pending}
        for index in range(depth):
            batch = [(states[s.playbook.id], dues[index]) for s, dues in pending if index < len(dues)]
            if index:
                fresh = self.store.playbooks.states_by_ids(
                    [s.playbook.id for s, _ in batch]
                )  # modes changed last round
                batch = [(fresh[s.playbook.id], due) for s, due in batch]
                states.update(fresh)
            try:
                self._close_round(batch, report)
            except StaleState as err:
                log.warning("week close deferred to the next tick: %s", err)
                return

    def _close_round(self, batch: list[tuple[PlaybookState, Due]], report: TickReport) -> None:
        """One round's closes in one unit of work: close the weeks to reports first, then
        read their figures in it (so no report acknowledged is left out), judge them, and
        record what was decided. A dry run commits nothing."""
        closing = [(state.playbook.id, due.week.week_start) for state, due in batch if due.week is not None]
        with self.store.unit_of_work() as uow:
            uow.governance.close_weeks(closing)
            # a cycle's last week closing seals its pulse: its key and keyed hashes destroyed (storage/pulse.py)
            uow.pulses.seal([(s.playbook.id, d.week.cycle) for s, d in batch if d.week and d.week.week == 4])
            closes = [
                (
                    _done(
                        c.due,
                        [
                            Message(
                                keys.only_message(c.due.key), "chat.postMessage", c.state.playbook.channel_id, c.summary
                            )
                        ],
                    ),
                    c.change,
                )
                for c in weeks.close_round(uow, batch, beside=self.store)
            ]
            recorded = uow.governance.record_judged(closes, self.clock())
            uow.commit()
        report.add([work for work, _ in closes], recorded)

    # ---- owners ----

    def _owner_reminders(
        self,
        plans: list[tuple[PlaybookState, PlaybookClock]],
        cursors: dict[int, dict[str, date]],
        at: datetime,
        report: TickReport,
    ) -> None:
        """Friday's DM to each owner with what is missing for the week; nothing missing,
        no DM (the week is recorded either way, so it is decided once)."""
        dues = self._owner_dues(plans, cursors, at, report, OWNER_REMINDER, owner_work)
        if not dues:
            return
        work, sending = self._owners_to_reach(dues, "stale reminders are not sent", "a holiday")
        figures = self.store.reports.week_figures_many(
            [(state, due.week.week_start) for state, due in sending if due.week]
        )
        for state, due in sending:
            assert due.week is not None
            week = figures[(state.playbook.id, due.week.week_start)]
            steps = [] if due.week.baseline else week.steps  # the baseline week asks the KPI alone, not the guardrail
            missing_cases = [s.name for s in steps if s.cases is None]
            unscored = [s for s in steps if s.counted_rubric is None and s.name not in state.no_rubric_steps]
            missing_rubric = [s.name for s in unscored]
            # how many to review, by the review rate of each step's mode (cadence/review.py)
            to_review = [review.ask_words(s.name, s.cases, s.asked) for s in unscored]
            missing_kpi = week.kpi is None
            missing_guardrail = state.playbook.guardrail_name if week.guardrail is None and steps else None
            if not (missing_cases or missing_rubric or missing_kpi or missing_guardrail):
                work.append(_skipped(due, "nothing missing"))
                continue
            playbook = state.playbook
            message = notices_close.owner_missing(
                slug=playbook.slug,
                title=playbook.title,
                week=due.week,
                kpi_name=playbook.kpi_name,
                missing_cases=missing_cases,
                missing_rubric=missing_rubric,
                to_review=[words for words in to_review if words],
                form_value=keys.checkin_button(playbook.id, due.week.week_start),  # *Report this week*
                missing_kpi=missing_kpi,
                missing_guardrail=missing_guardrail,
                closes=calendar.closing_words(due.week.week_start, playbook.timezone, state.settings.grace_hours),
            )
            work.append(
                _done(due, [Message(keys.only_message(due.key), "chat.postMessage", playbook.owner_id, message)])
            )
        report.add(work, work_log.record(self.store, work, self.clock()))

    def _learning_prompts(
        self,
        plans: list[tuple[PlaybookState, PlaybookClock]],
        cursors: dict[int, dict[str, date]],
        at: datetime,
        report: TickReport,
    ) -> None:
        """Monday of each cycle's fourth week, 09:00 in the owner's zone: "what did it
        teach?", with the cycle's facts and an *Add a learning* button."""
        dues = self._owner_dues(plans, cursors, at, report, LEARNING_PROMPT, learning_work)
        if not dues:
            return
        work, sending = self._owners_to_reach(
            dues, "the cycle's fourth week is over", "holidays, and no working day left in the week"
        )
        messages = learnings.prompts(self.store, [(s, d.week) for s, d in sending if d.week])
        for state, due in sending:
            message = Message(
                keys.only_message(due.key), "chat.postMessage", state.playbook.owner_id, messages[state.playbook.id]
            )
            work.append(_done(due, [message]))
        report.add(work, work_log.record(self.store, work, self.clock()))

    def _exception_queues(
        self,
        plans: list[tuple[PlaybookState, PlaybookClock]],
        cursors: dict[int, dict[str, date]],
        at: datetime,
        report: TickReport,
    ) -> None:
        """Monday 09:00 in the exception owner's zone: the playbook's open exception items,
        with buttons to move them; nothing open, no DM (the week is recorded either way)."""
        dues = self._owner_dues(plans, cursors, at, report, EXCEPTION_QUEUE, exception_queue_work, exception_owner)
        if not dues:
            return
        work, sending = self._owners_to_reach(
            dues,
            "its week is over",
            "holidays, and no working day left in the week",
            exception_owner,
            "the exception owner",
        )
        messages = exception_queue.monday_messages(self.store, [state for state, _ in sending], at)
        for state, due in sending:
            message = messages[state.playbook.id]
            if message is None:
                work.append(_skipped(due, "no exception item open"))
                continue
            to = exception_owner(state)
            work.append(_done(due, [Message(keys.only_message(due.key), "chat.postMessage", to, message)]))
        report.add(work, work_log.record(self.store, work, self.clock()))

    def _owners_to_reach(
        self,
        dues: list[tuple[PlaybookState, Due]],
        stale: str,
        holiday: str,
        person: Callable[[PlaybookState], str] = _owner,
        who: str = "the owner",
    ) -> tuple[list[Work], list[tuple[PlaybookState, Due]]]:
        """The owners' DMs (or another `person`'s) that are skipped (recorded with why:
        stale, a holiday, the person deactivated or away), and those to send."""
        gone = self.store.people.deactivated([person(state) for state, _ in dues])
        away = self._away([due.week.week_start for _, due in dues if due.week])
        skipped, sending = [], []
        for state, due in dues:
            if due.stale:
                skipped.append(_skipped(due, f"{_late(due)}: {stale}"))
            elif due.holiday:
                skipped.append(_skipped(due, holiday))
            elif person(state) in gone:
                skipped.append(_skipped(due, f"{who} is deactivated in Slack"))
            elif self._is_away(away, person(state), due):
                skipped.append(_skipped(due, f"{who} is away"))
            else:
                sending.append((state, due))
        return skipped, sending

    def _owner_dues(
        self,
        plans: list[tuple[PlaybookState, PlaybookClock]],
        cursors: dict[int, dict[str, date]],
        at: datetime,
        report: TickReport,
        kind: str,
        work: Callable[[PlaybookClock, date | None, str, datetime], list[Due]],
        person: Callable[[PlaybookState], str] = _owner,
    ) -> list[tuple[PlaybookState, Due]]:
        """The owners' DMs of `kind` due at `at`, each in its owner's zone (Slack is asked
        for the zones only when one may be due somewhere)."""
        earliest = "Etc/GMT-14"  # no zone is ahead of it: if nothing is due there, nothing is due
        candidates = [
            (state, clock)
            for state, clock in plans
            if work(clock, cursors.get(state.playbook.id, {}).get(kind), earliest, at)
        ]
        if not candidates:
            return []
        zones = self._owner_zones([state for state, _ in candidates], report, person)
        if zones is None:
            return []
        return [
            (state, due)
            for state, clock in candidates
            for due in work(clock, cursors.get(state.playbook.id, {}).get(kind), zones[state.playbook.id], at)
        ]

    def _owner_zones(
        self, states: list[PlaybookState], report: TickReport, person: Callable[[PlaybookState], str] = _owner
    ) -> dict[int, str] | None:
        """Each playbook's owner's (or `person`'s) time zone (else the playbook's, else the
        org's); None when Slack refuses the token."""
        try:
            people = self.directory.people(self.client, {person(state) for state in states})
        except DirectoryUnavailable as err:
            if self._token_refused(err.reason, report):
                return None
            log.warning("tick: cannot look up owners' time zones (%s); using the playbooks' zones", err.reason)
            people = {}
        zones = {}
        for state in states:
            owner = people.get(person(state))
            zones[state.playbook.id] = member_timezone(
                owner.timezone if owner else None, state.playbook.timezone, self.org_timezone
            )
        return zones

    # ---- members ----

    def _member_work(self, member_weeks: list[Any], at: datetime, report: TickReport) -> None:
        recorded = self.store.cadence_log.recorded_members(
            [(s.playbook.id, kind, w.week_start) for s, _, kind, w in member_weeks]
        )
        checked_in = self.store.cadence_log.checked_in(
            [(s.playbook.id, w.week_start) for s, _, kind, w in member_weeks if kind == "reminder"]
        )
        teams = self._teams(sorted({s.playbook.channel_id for s, _, _, _ in member_weeks}), report)
        work: list[Work] = []
        rendered: dict[tuple[int, date, str], dict[str, Any]] = {}
        away = self._away([week.week_start for _, _, _, week in member_weeks])
        gone = self.store.people.deactivated()  # few: people who left, kept until they come back
        for state, clock, kind, week in member_weeks:
            pid, channel = state.playbook.id, state.playbook.channel_id
            team = teams.get(channel)
            if team is None:
                continue  # Slack did not answer: the next tick tries again
            for due in member_work(clock, kind, week, team, at, self.org_timezone):
                if (pid, kind, week.week_start, due.user_id) in recorded:
                    continue
                if due.stale:
                    work.append(_skipped(due, f"{_late(due)}: stale reminders and DMs are not sent"))
                elif due.user_id in gone:
                    work.append(_skipped(due, "deactivated in Slack"))
                elif due.user_id is not None and self._is_away(away, due.user_id, due):
                    work.append(_skipped(due, "away"))
                elif kind == "reminder" and (pid, week.week_start, due.user_id) in checked_in:
                    work.append(_skipped(due, "already checked in"))
                else:
                    work.append(self._dm(state, due, rendered))
        report.add(work, work_log.record(self.store, work, self.clock()))

    def _away(self, weeks: list[date]) -> dict[str, tuple[date, date]]:
        """Who is away on some day of these weeks or after (one query; none without weeks)."""
        return self.store.people.away(through=min(weeks)) if weeks else {}

    def _is_away(self, away: dict[str, tuple[date, date]], user_id: str, due: Due) -> bool:
        """Whether `user_id` said they are away on the day `due` falls on (an org day)."""
        if user_id not in away:
            return False
        first, last = away[user_id]
        return first <= calendar.local_date(due.due_at, self.org_timezone) <= last

    def _teams(self, channels: list[str], report: TickReport) -> dict[str, list[Member] | None]:
        try:
            teams = self.directory.teams(self.client, channels)
        except DirectoryUnavailable as err:
            if self._token_refused(err.reason, report):
                return {}
            if err.reason in GONE and err.channel_id in channels:
                self._lost(err.channel_id, err.reason, report)
            else:
                log.warning("tick: cannot list team members (%s: %s); will retry", err.channel_id, err.reason)
                report.unreachable += channels
            return {}
        for channel, people in teams.items():
            if people is None:
                self._lost(channel, "not_in_channel", report)
        return {
            c: None if people is None else [Member(p.user_id, p.timezone) for p in people]
            for c, people in teams.items()
        }

    def _token_refused(self, reason: str, report: TickReport) -> bool:
        """Slack refused the bot's token itself (not a channel or a person): delivery is held
        for every process (slack_api/dispatch.py), said once, and this tick plans no more
        person-facing work. False for any other reason."""
        if reason not in TOKEN_REFUSED:
            return False
        report.held = reason
        if not self.dry_run and self.store.health.lose_slack_access(reason, self.clock()):
            log.error("tick: Slack refuses the bot's token (%s): nudges and DMs wait until it works again", reason)
        return True

    def _lost(self, channel: str, error: str, report: TickReport) -> None:
        """Slack will not list a team channel: its playbooks pause, their owners and the
        curators are told (usecases/shared/life.py), and nothing retries in a loop."""
        log.warning("tick: Slack says %s for team channel %s; pausing its playbooks", error, channel)
        report.unreachable.append(channel)
        if not self.dry_run:
            life.channel_lost(self.store, channel, error, self.clock())

    def _dm(self, state: PlaybookState, due: Due, rendered: dict[tuple[int, date, str], dict[str, Any]]) -> Work:
        """A check-in DM or reminder. Every member of a playbook gets the same one for a week,
        so it is rendered once per playbook, week and kind (`rendered` is the cache)."""
        playbook = state.playbook
        assert due.week is not None and due.user_id is not None, "a DM is for one member and one week"
        cache_key = (playbook.id, due.week.week_start, due.kind)
        if cache_key not in rendered:
            rendered[cache_key] = notices_close.checkin_dm(
                slug=playbook.slug,
                title=playbook.title,
                week=due.week,
                steps=state.steps,
                kpi_name=playbook.kpi_name,
                value=keys.checkin_button(playbook.id, due.week.week_start),
                reminder=due.kind == "reminder",
                pulse=due.week.week == calendar.WEEKS_PER_CYCLE and state.settings.pulse == "on",
            )
        return _done(due, [Message(keys.only_message(due.key), "chat.postMessage", due.user_id, rendered[cache_key])])

    # ---- curators ----

    def _digests(self, at: datetime, reads: tick_reads.TickReads, report: TickReport) -> None:
        """Monday's digest to the curators channel, once an active playbook has closed a week
        (before, nothing goes to anyone). Without a channel the digest waits: the admins hear
        weekly that it is ready; once it is set the latest waiting digest goes out."""
        posted, waiting = reads.org_cursors.get("digest"), reads.org_cursors.get(WAITING)
        cursor = max((d for d in (posted, waiting) if d is not None), default=None)
        dues = digest_work(cursor, self.org_timezone, at)
        channel = reads.curators_channel
        if channel is None:
            work = [self._waiting(due) for due in dues]
            report.add(work, work_log.record(self.store, work, self.clock()))
            return
        if not dues and waiting is not None and (posted is None or waiting > posted):
            slot = Slot.parse(DIGEST_SLOT).instant(waiting, self.org_timezone)
            dues = [Due(keys.digest(waiting), "digest", slot)]
        for due in dues:  # oldest first: a catch-up posts each missed week's digest in order
            monday = keys.parse_work(due.key).week_start
            messages = self.digest.messages(monday, due.key, channel, due.due_at)
            status, note = ("done", None) if messages else ("skipped", NOTHING_CLOSED)
            work = [Work(due.key, "digest", due.due_at, status, week_start=monday, note=note, messages=messages)]
            report.add(work, work_log.record(self.store, work, self.clock()))

    def _waiting(self, due: Due) -> Work:
        monday = keys.parse_work(due.key).week_start
        key = keys.digest_waiting(monday)
        if not self.admins:
            return Work(key, WAITING, due.due_at, "skipped", week_start=monday, note="no curators channel, no admins")
        if not self.digest.reports_anything(monday):  # nothing is waiting: the admins hear nothing
            return Work(key, WAITING, due.due_at, "skipped", week_start=monday, note=NOTHING_CLOSED)
        message = notices_close.digest_waiting(week_of=(monday - timedelta(days=7)).isoformat())
        messages = [
            Message(keys.to_audience(key, admin), "chat.postMessage", admin, message) for admin in sorted(self.admins)
        ]
        return Work(key, WAITING, due.due_at, "done", week_start=monday, messages=messages)


WAITING = "digest-waiting"
NOTHING_CLOSED = "no playbook has closed a week yet: nothing to report"


def _done(due: Due, messages: list[Message]) -> Work:
    return Work(due.key, due.kind, due.due_at, "done", due.playbook_id, due.week_start, due.user_id, messages=messages)


def _skipped(due: Due, note: str) -> Work:
    return Work(due.key, due.kind, due.due_at, "skipped", due.playbook_id, due.week_start, due.user_id, note=note)


def _sent(due: Due) -> bool:
    return not (due.holiday or due.stale)


def _late(due: Due) -> str:
    return f"due {due.due_at.isoformat(timespec='minutes')}"


_DAY_NAMES = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}


def _slot_words(slot: str) -> str:
    day, clock = slot.split(" ")
    return f"{_DAY_NAMES[day]} {clock}"
