"""The commands: what a person (or a system) asks the bot to do, one typed value each,
defined here, in the application layer, once. The `/rollout` grammar (handlers/grammar.py)
parses text into them, and the reporting API's model (handlers/api.py, `Report.command`)
validates JSON into the reports among them; the use cases (usecases/commands.py,
status.py, learnings.py, api_reports.py) take them. They say the shape of a request only:
what a value may be (cadence/limits.py, cadence/definition.py MODES) each edge checks as
it parses, and what needs data (does the playbook exist, is the week open) the use cases
check.

Pure: no Slack, no database, nothing of the listeners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class History:
    playbook: str
    step: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class Pause:
    playbook: str
    reason: str
    retire: bool = False  # retire: like a pause, but final


@dataclass(frozen=True)
class Resume:
    playbook: str
    starts_on: date | None


@dataclass(frozen=True)
class HandOver:
    playbook: str
    owner_id: str


@dataclass(frozen=True)
class Undo:
    playbook: str


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class OpenForm:
    """Bare `attest` or `kpi`: open the matching form; `new`, `edit <playbook>`: the
    playbook's form (usecases/playbook_form.py); `week <playbook> [week:N]`: the owner's
    week in one form (handlers/week_form.py)."""

    form: str  # attest | kpi | request | new | edit | kit | week | pulse | assess
    playbook: str | None = None  # edit's, kit's and week's
    week: Week = None  # week's


@dataclass(frozen=True)
class Status:
    playbook: str | None


@dataclass(frozen=True)
class Sent:
    """What comes with a report a system sends (the API's): its idempotency key, and the
    report as sent, hashed (handlers/api.py `fingerprint`): sent again under the same key,
    the same report is answered as the first time, another one refused."""

    key: str
    fingerprint: str


# The reports. Each says its week as `week:N` does (1-4: the most recent week N that has
# begun) or, from the API, as a day of the week; with neither, the week of `at` (when it
# was measured, given by the API only), and without that, the current week.
Week = int | date | None


@dataclass(frozen=True)
class Kpi:
    playbook: str
    value: float | None  # None: only the rest's was given (`kpi <playbook> rest 24.1`)
    percent: bool = False  # written as "93%"
    week: Week = None
    at: datetime | None = None
    sent: Sent | None = None
    override: str | None = None  # `override <reason>`: typed in place of its source's number
    rest: float | None = None  # the rest of the work's KPI, the same week (a KPI with `compare`)
    rest_percent: bool = False


@dataclass(frozen=True)
class GuardrailReport:
    playbook: str
    value: float
    week: Week = None
    percent: bool = False  # written as "93%": only for a guardrail measured in %
    at: datetime | None = None
    sent: Sent | None = None
    override: str | None = None  # `override <reason>`: typed in place of its source's number


@dataclass(frozen=True)
class Attest:
    playbook: str
    followed: bool
    step: str | None
    note: str | None
    week: int | None


@dataclass(frozen=True)
class LogException:
    playbook: str
    step: str
    reason: str
    week: Week = None  # `/rollout exception` logs in the current week
    at: datetime | None = None
    sent: Sent | None = None


@dataclass(frozen=True)
class Cases:
    playbook: str
    step: str
    count: int
    week: Week = None
    at: datetime | None = None
    sent: Sent | None = None
    override: str | None = None  # `override <reason>`: typed in place of its source's number
    out: int | None = None  # `out:N`: the week's cases out of the step's boundaries (usecases/boundaries.py)


@dataclass(frozen=True)
class Rubric:
    playbook: str
    step: str
    score: float  # 0..1
    week: Week = None
    at: datetime | None = None
    sent: Sent | None = None
    override: str | None = None  # `override <reason>`: typed in place of its source's number
    reviewed: int | None = None  # `18/20`: the sample the score is of; None: every case reviewed
    # `20 tone:19 accuracy:18`: what passed per rubric dimension of the `reviewed` cases, as typed
    dimensions: tuple[tuple[str, int], ...] = ()
    reviewers: tuple[str, ...] = ()  # `by @ben @ida`: who reviewed; none named, the reporter
    minutes: float | None = None  # the week form's minutes spent reviewing (net value's oversight)


@dataclass(frozen=True)
class Calibrate:
    """`/rollout calibrate <playbook> <step> 37/40 [note]`: a run of the step's calibration set."""

    playbook: str
    step: str
    passed: int
    total: int
    note: str | None = None


@dataclass(frozen=True)
class ValueEvent:
    """A value event of the playbook's (`value_events`), sent by a system: `count` of it
    added to a step's cases or the KPI, or that many exceptions of a step."""

    playbook: str
    event: str
    count: int = 1
    reason: str | None = None
    week: Week = None
    at: datetime | None = None
    sent: Sent | None = None


ReportCommand = Kpi | GuardrailReport | LogException | Cases | Rubric | ValueEvent
"""What the API takes: the reports a system may send (handlers/api.py validates its JSON
into them); `/rollout` makes the same ones but the value event."""


@dataclass(frozen=True)
class CycleStart:
    playbook: str
    starts_on: date | None


@dataclass(frozen=True)
class SetMode:
    playbook: str
    step: str
    mode: str  # a level, or "unfreeze"
    reason: str


@dataclass(frozen=True)
class Publish:
    playbook: str
    override: str | None = None  # a curator publishing what is not yet ready, and why


@dataclass(frozen=True)
class WebLink:
    """`/rollout web`: a one-time link to the web view."""


@dataclass(frozen=True)
class Learn:
    playbook: str
    text: str
    cycle: int | None = None  # default: the running cycle


@dataclass(frozen=True)
class Upgrade:
    """`/rollout upgrade <playbook> [vN]`: an adopting playbook moves to version N of its
    origin (the newest if None)."""

    playbook: str
    version: int | None = None


@dataclass(frozen=True)
class FindLearnings:
    """`/rollout learnings [words]`: learnings across playbooks holding every word."""

    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    function: str | None


@dataclass(frozen=True)
class Offered:
    """An adopt asked from its offer of close matches (usecases/shared/adopt_offer.py): the
    versions the offer showed by id, the one asked first, then each match it offered to
    adopt instead; `anyway`: why the one asked is adopted all the same."""

    versions: tuple[int, ...]
    anyway: str | None = None


@dataclass(frozen=True)
class Adopt:
    playbook: str
    version: int | None
    channel_id: str
    channel_name: str | None
    owner_id: str | None
    baseline: float | None = None  # the adopting team's own numbers and zone
    target: float | None = None
    timezone: str | None = None
    starts_on: date | None = None  # start the first cycle on this Monday
    exception_cap: float | None = None
    rubric_threshold: float | None = None
    override: str | None = None  # a curator adopting past the version's wave, and why
    champion_id: str | None = None  # the team's champion: gets the kit's checklist
    offered: Offered | None = None  # a click on the offer of close matches the command got


@dataclass(frozen=True)
class RequestAdoption:
    """`/rollout request`: a team asks the curators to adopt a version in its channel, with
    its champion, its answers to the expansion criteria and its own numbers (those the
    version's `may_change` allows)."""

    playbook: str
    version: int | None
    channel_id: str
    channel_name: str | None
    champion_id: str
    why: str | None = None
    similar: str | None = None  # the expansion criteria, as the form asks them
    context: str | None = None
    capacity: str | None = None
    baseline: float | None = None
    target: float | None = None
    timezone: str | None = None
    starts_on: date | None = None
    exception_cap: float | None = None
    rubric_threshold: float | None = None

    @property
    def answered(self) -> bool:
        """Whether it carries the answers to the expansion criteria (only its form asks them)."""
        return self.similar is not None


@dataclass(frozen=True)
class NameChampion:
    """`/rollout champion <playbook> <@user>`."""

    playbook: str
    champion_id: str


@dataclass(frozen=True)
class WaveReviewed:
    """`/rollout wave <playbook>[@vN] reviewed [note]`: the newest wave's learnings of the
    version (the latest published if no vN) marked reviewed."""

    playbook: str
    version: int | None
    note: str | None = None


@dataclass(frozen=True)
class CuratorChange:
    add: bool
    user_id: str


@dataclass(frozen=True)
class CuratorsChannel:
    channel_id: str


@dataclass(frozen=True)
class HolidayChange:
    action: str  # add | remove | list
    day: date | None = None
    name: str = ""


@dataclass(frozen=True)
class Away:
    first: date | None  # None: from today
    last: date | None  # the last day away; None with `off`: back now
