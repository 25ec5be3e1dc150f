"""One request's caller, and the lookups that authorize it: shared by every listener."""

from __future__ import annotations

from datetime import date

from slack_sdk import WebClient

from bot.members import DirectoryUnavailable
from bot.rollout import roles
from cadence import calendar
from handlers import grammar
from handlers.context import Services
from storage.models import Step
from storage.store import PlaybookState
from templates import mrkdwn
from templates.refusals import Refusal, close_matches


class Request:
    """One command's caller and the lookups that authorize it."""

    def __init__(self, services: Services, client: WebClient, user_id: str, channel_id: str = ""):
        self.services = services
        self.store = services.store
        self.client = client
        self.user_id = user_id
        self.channel_id = channel_id
        self.now = services.clock()

    # ---- lookups ----

    def playbook(self, slug: str, usage: str) -> PlaybookState:
        state = self.store.playbook_state(slug)
        if state is None:
            slugs = self.store.playbook_slugs()
            raise Refusal(
                f"There is no playbook “{grammar.plain_text(slug)[:64]}”.",
                usage=usage,
                suggestions=close_matches(slug, slugs),
            )
        return state

    @staticmethod
    def step(state: PlaybookState, name: str, usage: str | None) -> Step:
        step = state.step(name)
        if step is None:
            names = [s.name for s in state.steps]
            raise Refusal(
                f"Playbook {state.playbook.slug} has no step “{grammar.plain_text(name)[:40]}”. "
                f"Its steps: {', '.join(names)}.",
                usage=usage,
                suggestions=close_matches(name, names),
            )
        return step

    def today(self, state: PlaybookState) -> date:
        return calendar.local_date(self.now, state.playbook.timezone)

    def current_week(self, state: PlaybookState, usage: str) -> calendar.WeekRef:
        week = None
        if state.anchor is not None:
            week = calendar.week_containing(_anchor(state), self.today(state))
        if week is None:
            when = f" It starts on {state.anchor.starts_on.isoformat()}." if state.anchor else ""
            raise Refusal(
                f"Playbook {state.playbook.slug} has no cycle running yet, so there is no week to "
                f"report for.{when} The owner starts one with `/rollout cycle start "
                f"{state.playbook.slug}`.",
                usage=usage,
            )
        return week

    def week(self, state: PlaybookState, number: int | None, usage: str) -> calendar.WeekRef:
        """The current week, or week `number` of the current cycle if it is not in the future."""
        current = self.current_week(state, usage)
        if number is None:
            return current
        wanted = calendar.week_of_cycle(current, number)
        if wanted.week_start > current.week_start:
            raise Refusal(
                f"week:{number} of cycle {current.cycle} starts on {wanted.week_start.isoformat()}, "
                f"in the future; it is week {current.week} now.",
                usage=usage,
            )
        return wanted

    # ---- roles ----

    def is_admin(self) -> bool:
        return self.user_id in self.services.admins

    def is_owner(self, state: PlaybookState) -> bool:
        return roles.is_owner(state, self.user_id)

    def is_member(self, state: PlaybookState) -> bool:
        try:
            return self.services.directory.is_member(self.client, state.playbook.channel_id, self.user_id)
        except DirectoryUnavailable as err:
            if err.reason in ("not_in_channel", "channel_not_found"):
                raise Refusal(
                    mrkdwn(
                        "I can't see who is in {} (Slack says {}). Invite me there with "
                        "`/invite @Rollout Cadence`; nothing was stored.",
                        _channel(state.playbook.channel_id),
                        err.reason,
                    )
                ) from err
            raise Refusal(
                "Slack is busy and didn't tell me who is on the team in time; nothing was stored. "
                "Try again in a minute."
            ) from err

    def require_member_or_owner(self, state: PlaybookState, usage: str) -> None:
        if not (self.is_owner(state) or self.is_member(state)):
            raise Refusal(
                mrkdwn(
                    "Only members of {} and the owner of {} can report its KPI.",
                    _channel(state.playbook.channel_id),
                    state.playbook.slug,
                ),
                usage=usage,
            )

    def require_member(self, state: PlaybookState, usage: str) -> None:
        if not self.is_member(state):
            raise Refusal(
                mrkdwn(
                    "Only members of {}, the team running {}, check in for it.",
                    _channel(state.playbook.channel_id),
                    state.playbook.slug,
                ),
                usage=usage,
            )

    def require_owner_or_curator(self, state: PlaybookState, usage: str | None) -> None:
        roles.require_owner_or_curator(self.store, state, self.user_id, usage)

    def require_admin(self, usage: str) -> None:
        if not self.is_admin():
            raise Refusal("Only admins (listed in ROLLOUT_ADMINS) can do that.", usage=usage)


def _anchor(state: PlaybookState) -> calendar.CycleAnchor:
    return calendar.CycleAnchor(state.anchor.number, state.anchor.starts_on)


_channel = roles.channel
