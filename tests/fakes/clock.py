"""What the clock and the edges keep, in memory: storage/cadence_log.py's units of work
(a key recorded once, its messages enqueued with it), storage/health.py's hold on a token
Slack refused (a process without a token, as in tests, is held by any), the request keys
forgotten (storage/request_keys.py) and the web view's links and sessions
(storage/web_logins.py), and the webhooks people add (storage/webhooks.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from storage.cadence_log import Work
from storage.health import SLACK_ACCESS_LOST
from storage.models.bookkeeping import CadenceJob
from storage.models.webhooks import Webhook
from storage.webhook_events import new_event_id
from storage.webhook_secrets import SecretBox
from storage.webhooks import Listed, NameTaken
from tests.fakes.playbooks import next_id

if TYPE_CHECKING:
    from tests.fakes.store import Held


class FakeCadenceLog:
    def __init__(self, held: Held):
        self.held = held

    def claim(self, work: list[Work], at: datetime) -> set[str]:
        """The work whose key is new: the keys recorded."""
        return self.held.record_jobs(work, at)

    def latest_weeks(self) -> tuple[dict[int, dict[str, date]], dict[str, date]]:
        cursors: dict[int, dict[str, date]] = {}
        org: dict[str, date] = {}
        for job in self.held.jobs:
            if job.week_start is None:
                continue
            kinds = org if job.playbook_id is None else cursors.setdefault(job.playbook_id, {})
            kinds[job.kind] = max(kinds.get(job.kind, job.week_start), job.week_start)
        return cursors, org

    def recorded_members(self, weeks: list[tuple[int, str, date]]) -> set[tuple[int, str, date, str]]:
        return {
            (j.playbook_id, j.kind, j.week_start, j.user_id)
            for j in self.held.jobs
            if j.user_id is not None and j.playbook_id is not None and j.week_start is not None
            if (j.playbook_id, j.kind, j.week_start) in weeks
        }

    def checked_in(self, weeks: list[tuple[int, date]]) -> set[tuple[int, date, str]]:
        return {
            (r.values["playbook_id"], r.values["week_start"], r.by)
            for r in self.held.reports.rows
            if r.kind == "checkin" and not r.withdrawn and (r.values["playbook_id"], r.values["week_start"]) in weeks
        }

    def any_close_through(self, week: date) -> bool:
        return any(j.kind == "close" and j.week_start is not None and j.week_start <= week for j in self.held.jobs)

    def readiness_owed(self) -> list[int]:
        return sorted(self.held.owed)

    def readiness_told(self, playbook_ids: list[int]) -> None:
        self.held.owed = self.held.owed - set(playbook_ids)

    def jobs(self) -> list[CadenceJob]:
        return list(self.held.jobs)


class FakeHealth:
    """The hold is the SLACK_ACCESS_LOST setting, as the real one keeps it."""

    def __init__(self, held: Held):
        self.held = held

    def slack_access_lost(self) -> tuple[str, datetime] | None:
        reason = self.held.settings.get(SLACK_ACCESS_LOST)
        return (reason, self.held.settings_at[SLACK_ACCESS_LOST][1]) if reason is not None else None

    def lose_slack_access(self, reason: str, at: datetime) -> bool:
        if SLACK_ACCESS_LOST in self.held.settings:
            return False
        self.held.settings[SLACK_ACCESS_LOST] = reason[:200]
        self.held.settings_at[SLACK_ACCESS_LOST] = ("slack", at)
        return True

    def any_hold(self) -> bool:
        return SLACK_ACCESS_LOST in self.held.settings

    def regain_slack_access(self) -> bool:
        self.held.settings_at.pop(SLACK_ACCESS_LOST, None)
        return self.held.settings.pop(SLACK_ACCESS_LOST, None) is not None


class FakeRequestKeys:
    """The keys of requests handled, when each was seen (`held.seen`)."""

    def __init__(self, held: Held):
        self.held = held

    def first_time(self, keys: list[str], at: datetime) -> bool:
        if any(key in self.held.seen for key in keys):
            return False
        self.held.seen.update(dict.fromkeys(keys, at))
        return True

    def forget(self, before: datetime) -> int:
        old = [key for key, at in self.held.seen.items() if at < before]
        for key in old:
            del self.held.seen[key]
        return len(old)


class FakeWebLogins:
    """One-time links (`held.links`: hash -> user, expiry, used) and sessions (`held.sessions`)."""

    def __init__(self, held: Held):
        self.held = held

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        self.held.links[token_hash] = (user_id, expires_at, None)

    def use(self, token_hash: str, at: datetime) -> str | None:
        user, expires, used = self.held.links.get(token_hash, (None, at, at))
        if user is None or used is not None or expires <= at:
            return None
        self.held.links[token_hash] = (user, expires, at)
        return user

    def add_session(self, session_hash: str, user_id: str, at: datetime, expires_at: datetime) -> None:
        for old in [h for h, (_, expires) in self.held.sessions.items() if expires <= at]:
            del self.held.sessions[old]
        self.held.sessions[session_hash] = (user_id, expires_at)

    def session_user(self, session_hash: str, at: datetime) -> str | None:
        user, expires = self.held.sessions.get(session_hash, (None, at))
        return user if expires > at else None

    def end_sessions_of(self, user_id: str) -> int:
        for link in [h for h, (user, _, used) in self.held.links.items() if user == user_id and used is None]:
            del self.held.links[link]
        ended = [h for h, (user, _) in self.held.sessions.items() if user == user_id]
        for session in ended:
            del self.held.sessions[session]
        return len(ended)

    def end_session(self, session_hash: str) -> None:
        self.held.sessions.pop(session_hash, None)


class FakeWebhooks:
    """The receivers of decisions (`held.webhooks`, by name; secrets kept as an unkeyed
    store keeps them, "plain:...") and the test events asked of them (`held.webhook_tests`:
    event id, webhook id, when). The events of decisions are not delivered by the fake."""

    def __init__(self, held: Held):
        self.held = held

    def add(
        self, name: str, url: str, wanted: list[str], playbooks: list[str] | None, secret: str, by: str, at: datetime
    ) -> Webhook:
        if name in self.held.webhooks:
            raise NameTaken(name)
        row = Webhook(
            id=next_id(),
            name=name,
            url=url,
            events=wanted,
            playbooks=playbooks,
            secret=SecretBox(None).seal(secret),
            created_by=by,
            created_at=at,
        )
        self.held.webhooks[name] = row
        return row

    def find(self, name: str) -> Webhook | None:
        return self.held.webhooks.get(name)

    def names(self) -> list[str]:
        return sorted(self.held.webhooks)

    def listed(self) -> list[Listed]:
        return [
            Listed(hook, None, sum(1 for _, hook_id, _ in self.held.webhook_tests if hook_id == hook.id), 0)
            for _, hook in sorted(self.held.webhooks.items())
        ]

    def remove(self, name: str) -> bool:
        hook = self.held.webhooks.pop(name, None)
        if hook is None:
            return False
        self.held.webhook_tests[:] = [t for t in self.held.webhook_tests if t[1] != hook.id]
        return True

    def enqueue_test(self, webhook: Webhook, at: datetime) -> str:
        event_id = new_event_id()
        self.held.webhook_tests.append((event_id, webhook.id, at))
        return event_id
