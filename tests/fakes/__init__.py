"""In-memory fakes for use-case tests without a database, HTTP or Bolt (issue 68, item 6;
issue 79, item 4; issue 94, item 6: every write of storage/ports.py's Protocols, which mypy
holds them to and tests/storage/contract/ runs against the database; the reads the
use-case tests need, reach.py counts them):

- store.py: FakeStore, what it holds (Held), FakeUnitOfWork / FakeReading, and the small
  areas (sources, outbox, tokens' reads);
- playbooks.py: `a_playbook(...)`, a PlaybookState built as storage loads a definition,
  and the playbooks' reads;
- reports.py: the reports repository (add_reports' closed weeks and keys, undo, figures);
- governance.py: apply keeps each Change (decisions and messages as data), proposals,
  cycle results, histories; registry.py: versions, requests, adoptions, waves, upgrades;
- learnings.py, org.py (curators, settings, people, names), teams.py (champions' marks,
  calibrations, input checks, readouts), queue.py (exception items, escalations),
  clock.py (cadence log, health, request keys, web sign-ins, webhooks), bars.py (bar
  requests, depth), value.py (each playbook's value measure, the hero's quality work),
  usage.py (each team's weeks of the AI tools, counts only; the usage sources' pulls);
- slack.py: FakeDirectory (slack_api/members.py's TeamDirectory) and FixedClock.

`services(...)` wires them into the use cases' Services, `caller(...)` a person asking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from cadence.state import PlaybookState
from storage.store import Store
from tests.fakes.playbooks import CHANNEL, OWNER, a_playbook, definition
from tests.fakes.reports import FakeReports, Row
from tests.fakes.slack import FakeDirectory, FixedClock
from tests.fakes.store import FakeStore, FakeUnitOfWork, Held
from usecases.shared.caller import Caller, Reporter
from usecases.shared.services import Services

__all__ = [
    "ADMIN",
    "CHANNEL",
    "CURATOR",
    "MEMBER",
    "NOW",
    "OUTSIDER",
    "OWNER",
    "FakeDirectory",
    "FakeReports",
    "FakeStore",
    "FakeUnitOfWork",
    "FixedClock",
    "Held",
    "Row",
    "a_playbook",
    "caller",
    "definition",
    "reporter",
    "services",
]

ADMIN = "UADMIN0001"
MEMBER = "UMEMBER001"
CURATOR = "UCURATOR01"
OUTSIDER = "UOUTSIDE01"
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # a Wednesday: week 2 of a cycle begun on Monday 2 March


def services(
    *states: PlaybookState,
    now: datetime = NOW,
    members: Iterable[str] = (MEMBER, OWNER),
    curators: Iterable[str] = (CURATOR,),
    admins: Iterable[str] = (ADMIN,),
    directory: FakeDirectory | None = None,
    org_timezone: str = "Europe/Berlin",
    **more: Any,
) -> Services:
    """The use cases' Services over a FakeStore holding `states` (each playbook's channel
    has `members`), a FixedClock at `now`, and a FakeDirectory."""
    store = FakeStore(*states)
    store.held.curators.update(curators)
    if directory is None:
        directory = FakeDirectory({s.playbook.channel_id: members for s in states})
    return Services(
        store=cast(Store, store),
        clock=FixedClock(now),
        admins=frozenset(admins),
        org_timezone=org_timezone,
        directory=cast(Any, directory),
        **more,
    )


def caller(services: Services, user_id: str = MEMBER, channel_id: str = CHANNEL) -> Caller:
    """A person asking through Slack: no Slack client is needed (the directory is a fake)."""
    return Caller(services, cast(Any, None), user_id, channel_id)


def reporter(services: Services, by: str = "token:warehouse") -> Reporter:
    return Reporter(services, by)


def store_of(services: Services) -> FakeStore:
    return cast(FakeStore, services.store)


def published(
    services: Services, asker: Caller, slug: str, override: str | None, decider: str = ADMIN, assessed: bool = True
) -> Any:
    """`/rollout publish <slug> [override <reason>]` by `asker`; over readiness, its request
    (usecases/shared/publish_requests.py) approved by `decider`'s click: the announcement.
    `assessed`: its owner kept a post-pilot assessment before (unless one is kept already),
    so that the version it publishes is in phase 1 (cadence/phases.py) and takes a team."""
    from usecases import commands, publish_over
    from usecases.shared import messages

    if assessed:
        assess_kept(services, slug)
    before = set(store_of(services).held.publish_requests)
    reply = commands.publish(asker, messages.Publish(slug, override=override))
    asked = [r for i, r in store_of(services).held.publish_requests.items() if i not in before and r.state == "open"]
    if not asked:
        return reply
    return publish_over.approve(caller(services, decider), str(asked[0].id))


ASSESSED_BEFORE = 60  # seconds before now: an assessment kept before the version is published


def assess_kept(services: Services, slug: str) -> None:
    """The post-pilot assessment of `slug` kept by its owner (the decision row `assess` writes,
    cadence/assessment.py's), unless one is kept already."""
    from datetime import timedelta

    from cadence.assessment import assessed

    held = store_of(services).held
    state = store_of(services).playbooks.state(slug)
    assert state is not None
    if any(d["kind"] == "assessed" and d["playbook_id"] == state.playbook.id for d in held.decisions):
        return
    answers = {"manual": {"core": [], "pilot": ["a senior reviewer on every case"]}}
    kept = assessed(state.playbook.id, slug, 1, answers, state.playbook.owner_id)
    held.decide([kept], services.clock() - timedelta(seconds=ASSESSED_BEFORE))
