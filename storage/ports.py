"""The write repositories as the use cases see them (issue 94, item 6): for each area of
storage/store.py's Store that is written, a Protocol of the writes a use case makes in its
unit of work. The Store's repository (storage/) and the fake of tests/fakes/ both satisfy
it, mypy checks both (`WriteAreas`: a UnitOfWork and a FakeUnitOfWork are each one), and
tests/storage/contract/ runs every method here against SQLite and the fake and asks the
same of both, so a fake cannot drift from what the database does. Generated once from the
repositories' signatures; a write added to a repository is added here and to the fake, and
the contract suite fails until it has a test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from cadence.change import Change, Message
from cadence.definition import PlaybookSpec
from cadence.escalation import Escalation
from cadence.exception_queue import Item
from cadence.licenses import SeatWeek
from cadence.pulse import Answer
from cadence.report_kinds import ReportKind
from cadence.usage import TeamWeek
from storage.cadence_log import Work
from storage.made import Made
from storage.models.access import ApiToken
from storage.models.bookkeeping import OutboxMessage
from storage.models.boundaries import OutOfScopeCount
from storage.models.calibration import CalibrationRun
from storage.models.governance import AdoptionRequest, BarRequest, PublishRequest, RegistryVersion, WaveReview
from storage.models.playbooks import Cycle, Playbook
from storage.models.reports import Learning
from storage.models.webhooks import Webhook
from storage.playbook_definitions import LoadOutcome, Rewritten
from storage.usage import LoginRow
from storage.weekly_reports import NewReport, Report


class PlaybooksWrites(Protocol):
    """playbooks: storage.playbooks.Playbooks; tests.fakes: FakePlaybooks."""

    def load(self, specs: Iterable[PlaybookSpec], org_timezone: str, actor: str, at: datetime) -> list[LoadOutcome]: ...
    def end_run(self, playbook_id: int, status: str, reason: str, ends_after: date | None, at: datetime) -> bool: ...
    def resume(self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime) -> Cycle: ...
    def hand_over(self, playbook_id: int, owner_id: str, at: datetime) -> bool: ...
    def add_cycle(
        self, playbook_id: int, number: int, starts_on: date, by: str, at: datetime, baseline_week: date | None = None
    ) -> Cycle: ...
    def move_cycle_start(
        self, playbook_id: int, number: int, before: date, starts_on: date, baseline_week: date | None = None
    ) -> bool: ...


class MadePlaybooksWrites(Protocol):
    """made: storage.made.MadePlaybooks; tests.fakes: FakeMade."""

    def create(
        self,
        spec: PlaybookSpec,
        org_timezone: str,
        by: str,
        at: datetime,
        starts_on: date,
    ) -> Made: ...
    def revise(
        self,
        playbook_id: int,
        opened_on: str,
        spec: PlaybookSpec,
        org_timezone: str,
        by: str,
        at: datetime,
    ) -> Rewritten | None: ...


class WeeklyReportsWrites(Protocol):
    """reports: storage.weekly_reports.WeeklyReports; tests.fakes: FakeReports."""

    def add_checkin(
        self,
        playbook_id: int,
        week_start: date,
        user_id: str,
        attestation: str,
        step_id: int | None,
        note: str | None,
        at: datetime,
    ) -> None: ...
    def add_reports(self, reports: list[NewReport], token_id: int | None = None) -> dict[str, dict[str, Any]]: ...
    def withdraw_latest(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[ReportKind], by: str, at: datetime
    ) -> tuple[Report, Report | int | None] | None: ...


class RolesAndSettingsWrites(Protocol):
    """org: storage.roles.RolesAndSettings; tests.fakes: FakeOrg."""

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool: ...
    def remove_curator(self, user_id: str) -> bool: ...
    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None: ...
    def add_holiday(self, day: date, name: str, by: str, at: datetime) -> bool: ...
    def remove_holiday(self, day: date) -> str | None: ...


class PeopleWrites(Protocol):
    """people: storage.people.People; tests.fakes: FakePeople."""

    def set_away(self, user_id: str, first: date, last: date, at: datetime) -> None: ...
    def clear_away(self, user_id: str, at: datetime) -> date | None: ...
    def deactivate(self, user_id: str, at: datetime) -> bool: ...
    def reactivate(self, user_id: str, at: datetime) -> bool: ...
    def keep_names(self, named: list[tuple[str, str | None, str | None]], at: datetime) -> None: ...
    def keep_channel_names(self, named: list[tuple[str, str | None]], at: datetime) -> None: ...


class SourceFetchesWrites(Protocol):
    """sources: storage.source_fetches.SourceFetches; tests.fakes: FakeSources."""

    def record(self, rows: list[dict[str, Any]]) -> None: ...


class GovernanceWrites(Protocol):
    """governance: storage.governance.Governance; tests.fakes: FakeGovernance."""

    def close_weeks(self, weeks: list[tuple[int, date]]) -> None: ...
    def record_judged(self, closes: list[tuple[Work, Change]], at: datetime) -> set[str]: ...
    def apply(
        self,
        change: Change,
        at: datetime,
        proposal_key: str | None = None,
        proposal_status: str | None = None,
        decided_by: str | None = None,
    ) -> bool: ...
    def add_decisions(self, rows: list[dict[str, Any]]) -> None: ...
    def lock_log(self, playbook_id: int) -> None: ...


class RegistryWrites(Protocol):
    """registry: storage.registry.Registry; tests.fakes: FakeRegistry."""

    def add_request(self, request: AdoptionRequest) -> AdoptionRequest: ...
    def decline(self, request_id: int, by: str, at: datetime, reason: str) -> bool: ...
    def still_pending(self, request_id: int) -> bool: ...
    def adopt(
        self,
        spec: PlaybookSpec,
        version: RegistryVersion,
        org_timezone: str,
        by: str,
        at: datetime,
        wave_limit: int | None = None,
        champion_id: str | None = None,
        request_id: int | None = None,
    ) -> Playbook: ...
    def mark_wave(self, review: WaveReview) -> None: ...
    def publish(
        self,
        playbook_id: int,
        number: int,
        definition: dict[str, Any],
        cycle_results: list[dict[str, Any]],
        scale_rule_held: bool,
        by: str,
        at: datetime,
        proposal_key: str | None = None,
        learnings: list[dict[str, Any]] | None = None,
        override_reason: str | None = None,
        over_readiness: dict[str, Any] | None = None,
    ) -> RegistryVersion: ...
    def upgrade(
        self,
        spec: PlaybookSpec,
        playbook_id: int,
        from_version_id: int,
        to: RegistryVersion,
        org_timezone: str,
        by: str,
        at: datetime,
    ) -> LoadOutcome: ...


class LearningsWrites(Protocol):
    """learnings: storage.learnings.Learnings; tests.fakes: FakeLearnings."""

    def add(self, playbook_id: int, cycle: int, text: str, by: str, at: datetime) -> Learning: ...
    def withdraw(self, learning_id: int, by: str, at: datetime) -> bool: ...


class OutboxWrites(Protocol):
    """outbox: storage.outbox.Outbox; tests.fakes: FakeOutbox."""

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]: ...
    def fail_undeliverable(self, channel: str, error: str, now: datetime, since: datetime) -> list[OutboxMessage]: ...


class ApiTokensWrites(Protocol):
    """tokens: storage.api_tokens.ApiTokens; tests.fakes: FakeTokens."""

    def add(self, token: ApiToken) -> ApiToken: ...
    def revoke(self, name: str, at: datetime) -> bool: ...
    def mark_used(self, token_id: int, at: datetime) -> None: ...
    def count_request(self, token_id: int, at: datetime) -> int: ...


class ExceptionItemsWrites(Protocol):
    """exception_items: storage.exception_items.ExceptionItems; tests.fakes: FakeExceptionItems."""

    def move(self, item: Item, to: str, note: str | None, by: str, at: datetime) -> None: ...


class EscalationsWrites(Protocol):
    """escalations: storage.escalations.Escalations; tests.fakes: FakeEscalations."""

    def record(self, escalations: list[Escalation]) -> set[str]: ...
    def clear(self, escalation: Escalation, by: str, at: datetime) -> bool: ...
    def backlog_told(self, playbook_id: int, since: datetime, at: datetime) -> bool: ...
    def fall_back(self, step_id: int, mode: str, at: datetime) -> bool: ...
    def fallback_ended(self, step_id: int, since: datetime) -> bool: ...


class ChampionsWrites(Protocol):
    """champions: storage.champions.Champions; tests.fakes: FakeChampions."""

    def name_champion(self, playbook_id: int, before: str | None, champion_id: str, at: datetime) -> bool: ...
    def mark_item(self, playbook_id: int, kind: str, item: str, done: bool, by: str, at: datetime) -> bool: ...


class CalibrationsWrites(Protocol):
    """calibrations: storage.calibration.Calibrations; tests.fakes: FakeCalibrations."""

    def add(self, rows: list[CalibrationRun]) -> None: ...


class PulsesWrites(Protocol):
    """pulses: storage.pulse.Pulses; tests.fakes: FakePulses."""

    def answer(self, playbook_id: int, cycle: int, last_week: date, person: str, answer: Answer) -> bool: ...
    def seal(self, cycles: list[tuple[int, int]]) -> None: ...  # (playbook id, cycle number)


class OutOfScopeWrites(Protocol):
    """out_of_scope: storage.boundaries.OutOfScope; tests.fakes: FakeOutOfScope."""

    def add(self, rows: list[OutOfScopeCount]) -> None: ...


class FormTimesWrites(Protocol):
    """form_times: storage.form_times.FormTimes; tests.fakes: FakeFormTimes."""

    def opened(self, view_id: str, user_id: str, callback_id: str, playbook_id: int | None, at: datetime) -> bool: ...
    def submitted(self, view_id: str, at: datetime, playbook_id: int | None = None) -> None: ...
    def said(self, playbook_id: int, minutes: int, meeting: bool, by: str, at: datetime) -> bool: ...


class UsageWrites(Protocol):
    """usage: storage.usage.Usage; tests.fakes: FakeUsage."""

    def record(
        self,
        pulled_days: Iterable[date],
        team_weeks: list[TeamWeek],
        source: str,
        last_day: date,
        at: datetime,
        seats: Sequence[SeatWeek] = (),
        lost: Iterable[date] = (),
    ) -> None: ...
    def failed(self, source: str, error: str, at: datetime) -> bool: ...
    def told(self, source: str) -> bool: ...
    def map_logins(self, rows: list[LoginRow]) -> None: ...


class InputChecksWrites(Protocol):
    """input_checks: storage.input_checks.InputChecks; tests.fakes: FakeInputChecks."""

    def record(self, rows: list[dict[str, Any]]) -> None: ...


class CadenceLogWrites(Protocol):
    """cadence_log: storage.cadence_log.CadenceLog; tests.fakes: FakeCadenceLog."""

    def claim(self, work: list[Work], at: datetime) -> set[str]: ...
    def readiness_told(self, playbook_ids: list[int]) -> None: ...


class HealthWrites(Protocol):
    """health: storage.health.Health; tests.fakes: FakeHealth."""

    def lose_slack_access(self, reason: str, at: datetime) -> bool: ...
    def regain_slack_access(self) -> bool: ...


class RequestKeysWrites(Protocol):
    """request_keys: storage.request_keys.RequestKeys; tests.fakes: FakeRequestKeys."""

    def first_time(self, keys: list[str], at: datetime) -> bool: ...
    def forget(self, before: datetime) -> int: ...


class WebLoginsWrites(Protocol):
    """web_logins: storage.web_logins.WebLogins; tests.fakes: FakeWebLogins."""

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None: ...
    def use(self, token_hash: str, at: datetime) -> str | None: ...
    def add_session(self, session_hash: str, user_id: str, at: datetime, expires_at: datetime) -> None: ...
    def end_sessions_of(self, user_id: str) -> int: ...
    def end_session(self, session_hash: str) -> None: ...


class BarRequestsWrites(Protocol):
    """bar_requests: storage.bar_requests.BarRequests; tests.fakes: FakeBarRequests."""

    def ask(self, request: BarRequest, at: datetime) -> BarRequest | None: ...
    def loaded(self, request: BarRequest, at: datetime, files: str) -> list[BarRequest]: ...
    def decide(self, request_id: int, state: str, at: datetime, was: str = "open", **values: Any) -> bool: ...
    def refound(self, request_id: int, found: list[Any]) -> bool: ...


class PublishRequestsWrites(Protocol):
    """publish_requests: storage.publish_requests.PublishRequests; tests.fakes: FakePublishRequests."""

    def ask(self, request: PublishRequest, at: datetime) -> PublishRequest | None: ...
    def decide(self, request_id: int, state: str, at: datetime, was: str = "open", **values: Any) -> bool: ...
    def refound(self, request_id: int, found: list[Any]) -> bool: ...


class WebhooksWrites(Protocol):
    """webhooks: storage.webhooks.Webhooks; tests.fakes: FakeWebhooks."""

    def add(
        self,
        name: str,
        url: str,
        wanted: list[str],
        playbooks: list[str] | None,
        secret: str,
        by: str,
        at: datetime,
    ) -> Webhook: ...
    def remove(self, name: str) -> bool: ...
    def enqueue_test(self, webhook: Webhook, at: datetime) -> str: ...


class WriteAreas(Protocol):
    """The written areas of a unit of work, storage/store.py's UnitOfWork or tests/fakes' FakeUnitOfWork."""

    @property
    def playbooks(self) -> PlaybooksWrites: ...
    @property
    def made(self) -> MadePlaybooksWrites: ...
    @property
    def reports(self) -> WeeklyReportsWrites: ...
    @property
    def org(self) -> RolesAndSettingsWrites: ...
    @property
    def people(self) -> PeopleWrites: ...
    @property
    def sources(self) -> SourceFetchesWrites: ...
    @property
    def governance(self) -> GovernanceWrites: ...
    @property
    def registry(self) -> RegistryWrites: ...
    @property
    def learnings(self) -> LearningsWrites: ...
    @property
    def outbox(self) -> OutboxWrites: ...
    @property
    def tokens(self) -> ApiTokensWrites: ...
    @property
    def exception_items(self) -> ExceptionItemsWrites: ...
    @property
    def escalations(self) -> EscalationsWrites: ...
    @property
    def champions(self) -> ChampionsWrites: ...
    @property
    def calibrations(self) -> CalibrationsWrites: ...
    @property
    def pulses(self) -> PulsesWrites: ...
    @property
    def input_checks(self) -> InputChecksWrites: ...
    @property
    def out_of_scope(self) -> OutOfScopeWrites: ...
    @property
    def form_times(self) -> FormTimesWrites: ...
    @property
    def usage(self) -> UsageWrites: ...
    @property
    def cadence_log(self) -> CadenceLogWrites: ...
    @property
    def health(self) -> HealthWrites: ...
    @property
    def request_keys(self) -> RequestKeysWrites: ...
    @property
    def web_logins(self) -> WebLoginsWrites: ...
    @property
    def bar_requests(self) -> BarRequestsWrites: ...
    @property
    def publish_requests(self) -> PublishRequestsWrites: ...
    @property
    def webhooks(self) -> WebhooksWrites: ...
