"""Who is asking, and the lookups every use case starts with: the playbook and step by
name (with close matches when there is none), the week a report is for (refused when it
has closed or not begun), and whether the caller may do it (a member, the owner, a
curator, an admin). Shared by every use case a person asks for: a command, a click, a
form."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Self

from slack_sdk import WebClient

from cadence import calendar
from cadence.state import PlaybookState, Step
from slack_api.members import DirectoryUnavailable, Person
from storage.replay import Claim, Repeated
from storage.store import Store
from templates.refusals import Refusal, close_matches
from usecases.shared import life, messages, recording, roles
from usecases.shared.services import Services

# What the listeners need of the use cases' answers and failures, named here so that
# handlers/ never imports storage/ (tests/test_layers.py): the state of a playbook a use
# case returns, a step of it, a request's claim (bot/app.py makes it, a listener passes it
# on) and a request found to be Slack's retry of one handled.
__all__ = ["Caller", "Claim", "PlaybookState", "Refusal", "Repeated", "Step"]


class Reporter:
    """Whoever reports, a person through Slack or a system through the API (`by`: a Slack
    user id, or `token:<name>`), and the lookups every report starts with."""

    def __init__(self, services: Services, by: str, claim: Claim | None = None):
        self.services = services
        # On behalf of a request (its `claim`, made by the edge): every write records the
        # request's keys with it, so a repeat of the request writes nothing (storage/replay.py).
        self.store = services.store.for_request(claim) if claim is not None else services.store
        self.user_id = by
        self.now = services.clock()

    def on(self, store: Store) -> Self:
        """This caller, working on `store` (a Reading's or a UnitOfWork's, storage/store.py)."""
        moved = copy.copy(self)
        moved.store = store
        return moved

    # ---- lookups ----

    def playbook(self, slug: str, usage: str) -> PlaybookState:
        state = self.store.playbooks.state(slug)
        if state is None:
            slugs = self.store.playbooks.slugs()
            raise Refusal.of("no_playbook", usage=usage, suggestions=close_matches(slug, slugs), slug=slug[:64])
        return state

    @staticmethod
    def step(state: PlaybookState, name: str, usage: str | None) -> Step:
        step = state.step(name)
        if step is None:
            names = [s.name for s in state.steps]
            raise Refusal.of(
                "no_step",
                usage=usage,
                suggestions=close_matches(name, names),
                slug=state.playbook.slug,
                step=name[:40],
                steps=", ".join(names),
            )
        return step

    def today(self, state: PlaybookState) -> date:
        return calendar.local_date(self.now, state.playbook.timezone)

    def current_week(self, state: PlaybookState, usage: str | None) -> calendar.WeekRef:
        life.refuse_unless_running(state, usage)
        week = None
        if state.anchor is not None:
            week = calendar.week_containing(state.running(), self.today(state))
        if week is None and state.playbook.status == "paused":
            since = state.playbook.status_since
            raise Refusal.of(
                "paused",
                usage=usage,
                slug=state.playbook.slug,
                since=since.date().isoformat() if since else "?",
                reason=state.playbook.status_reason or "",
            )
        if week is None:
            raise self._no_cycle_yet(state, usage)
        return week

    def _no_cycle_yet(self, state: PlaybookState, usage: str | None) -> Refusal:
        """To whoever asked: the cycle already set and when it starts, or how one starts:
        theirs to start (the owner, a curator), or who does."""
        slug = state.playbook.slug
        if state.anchor is not None and state.anchor.starts_on > self.today(state):
            day = state.anchor.starts_on.isoformat()
            return Refusal.of("cycle_scheduled", usage=usage, slug=slug, cycle=state.anchor.number, day=day)
        if roles.is_owner(state, self.user_id) or self.store.org.is_curator(self.user_id):
            return Refusal.of("no_cycle_yet", usage=usage, slug=slug)
        return Refusal.of("no_cycle_yet_ask_owner", usage=usage, slug=slug, owner=roles.user(state.playbook.owner_id))

    def week(
        self, state: PlaybookState, week: messages.Week, usage: str | None, at: datetime | None = None
    ) -> calendar.WeekRef:
        """The week a report is for (messages.Week): `week:N`, the most recent week N that
        has begun; a day of a week; or the week containing `at` (when it was measured), and
        by default the current week. Refused if its playbook does not run, if it is in the
        future, or if its grace is over: its verdicts stand."""
        current = self.current_week(state, usage)
        if week is None and at is None:
            return current
        if not isinstance(week, int):
            day = week if week is not None else calendar.local_date(at or self.now, state.playbook.timezone)
            found = calendar.week_containing(state.running(), day)
            if found is None:
                raise Refusal.of("day_in_no_cycle", usage=usage, day=day.isoformat(), slug=state.playbook.slug)
            return self.open_week(state, found, usage)
        number = week
        wanted = calendar.most_recent_week(state.running(), self.today(state), number)
        if wanted is None:
            future = calendar.week_of_cycle(current, number)
            raise Refusal.of(
                "week_in_future",
                usage=usage,
                number=number,
                cycle=current.cycle,
                day=future.week_start.isoformat(),
                current=current.week,
            )
        return self.open_week(state, wanted, usage)

    def open_week(self, state: PlaybookState, week: calendar.WeekRef, usage: str | None) -> calendar.WeekRef:
        """`week`, if it still takes reports: its playbook runs (the check every path shares:
        slash commands, DM buttons and forms), and the week has begun and not closed."""
        life.refuse_unless_running(state, usage)
        playbook, grace = state.playbook, state.settings.grace_hours
        if week.week_start > self.today(state):
            current = self.current_week(state, usage)
            raise Refusal.of(
                "week_in_future",
                usage=usage,
                number=week.week,
                cycle=week.cycle,
                day=week.week_start.isoformat(),
                current=current.week,
            )
        if calendar.is_closed(week.week_start, playbook.timezone, grace, self.now):
            raise recording.week_closed(state, week, usage)
        return week


class Caller(Reporter):
    """One person asking, through Slack, and the lookups that authorize them."""

    def __init__(
        self, services: Services, client: WebClient, user_id: str, channel_id: str = "", claim: Claim | None = None
    ):
        super().__init__(services, user_id, claim)
        self.client = client
        self.channel_id = channel_id

    # ---- roles ----

    def is_admin(self) -> bool:
        return self.user_id in self.services.admins

    def is_owner(self, state: PlaybookState) -> bool:
        return roles.is_owner(state, self.user_id)

    def is_owner_or_curator(self, state: PlaybookState) -> bool:
        return self.is_owner(state) or self.store.org.is_curator(self.user_id)

    def is_member(self, state: PlaybookState) -> bool:
        try:
            members = self.services.directory.channel_members(
                self.client, state.playbook.channel_id, state.channel_changes
            )
            return self.user_id in members
        except DirectoryUnavailable as err:
            if err.reason in ("not_in_channel", "channel_not_found"):
                raise Refusal.of(
                    "bot_not_in_channel", channel=roles.channel(state.playbook.channel_id), error=err.reason
                ) from err
            raise Refusal.of("slack_busy_members") from err

    def require_bot_in(self, channel_id: str, usage: str) -> None:
        """The bot must be in a channel to run a playbook there: conversations.info says
        so (Slack lists a public channel's members to anyone, so that can't tell)."""
        try:
            absence = self.services.directory.bot_absence(self.client, channel_id)
        except DirectoryUnavailable as err:
            raise Refusal.of("slack_busy_channel", usage=usage) from err
        if absence is not None:
            raise Refusal.of("adopt_bot_not_in_channel", usage=usage, channel=roles.channel(channel_id), error=absence)

    def require_person(self, user_id: str, role: str, usage: str) -> Person:
        """Only an active person of the workspace can be named owner or curator: Slack's
        users.info says so now. Not a bot, an app, Slackbot or a deactivated account, and
        not an id Slack does not know; if Slack does not answer, nothing is stored."""
        try:
            person = self.services.directory.person(self.client, user_id)
        except DirectoryUnavailable as err:
            raise Refusal.of("slack_busy_person", usage=usage) from err
        if not person.found:
            raise Refusal.of("person_unknown", usage=usage, user=user_id, role=role)
        if person.deleted:
            raise Refusal.of("person_deactivated", usage=usage, user=roles.user(user_id), role=role)
        if not person.is_human:
            raise Refusal.of("person_not_human", usage=usage, user=roles.user(user_id), role=role)
        return person

    def keep_names(self, people: list[Person]) -> None:
        """The names of people a report names (a review's reviewers) as Slack just said
        them: the pages show them by name though they may report nothing themselves (the
        clock names the people who report; usecases/names.py). Slack's names, not the
        request's data: kept on the store every request shares."""
        if people:
            named = [(p.user_id, p.display_name, p.real_name) for p in people]
            with self.services.store.unit_of_work() as uow:  # beside the request's own work
                uow.people.keep_names(named, self.now)
                uow.commit()

    def require_member_or_owner(self, state: PlaybookState, usage: str | None) -> None:
        if not (self.is_owner(state) or self.is_member(state)):
            raise Refusal.of(
                "members_or_owner_only",
                usage=usage,
                channel=roles.channel(state.playbook.channel_id),
                slug=state.playbook.slug,
            )

    def require_member(self, state: PlaybookState, usage: str | None) -> None:
        if not self.is_member(state):
            raise Refusal.of(
                "members_only", usage=usage, channel=roles.channel(state.playbook.channel_id), slug=state.playbook.slug
            )

    def require_owner_or_curator(self, state: PlaybookState, usage: str | None) -> None:
        roles.require_owner_or_curator(self.store, state, self.user_id, usage)

    def require_admin(self, usage: str) -> None:
        if not self.is_admin():
            raise Refusal.of("admins_only", usage=usage)
