"""The registry's use cases on the fakes: an origin playbook (support-replies) with its
curators and curators channel, published and adopted through the use cases themselves,
and reads of what they wrote as data (the Changes governance.apply kept, the outbox)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from cadence import cycle_decisions
from cadence.change import Change, Message
from cadence.definition_load import parse_playbook
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from storage.store import CURATORS_CHANNEL
from templates.refusals import Refusal, slack
from tests import fakes
from tests.fakes import ADMIN, CURATOR, FakeStore
from tests.fakes.playbooks import clone, rewritten
from usecases import commands
from usecases import requests as adopt_requests
from usecases.shared import messages
from usecases.shared.requests import AskedPast
from usecases.shared.services import Services

CURATORS = "CCURATORS1"
CURATOR2 = "UCURATOR02"  # a second curator, who decides what the first asks past a wave or a team's load
SALES, SALES_OWNER, CHAMPION = "CSALES0001", "USALESOWN1", "UCHAMPION1"
OPS, OPS_OWNER = "COPS000001", "UOPSOWNER1"
KIT = {"training": ["Shadow the origin team for one week"], "checks": ["Draft 10 sample tickets"]}
MONDAY = date(2026, 3, 16)  # the Monday after fakes.NOW


@dataclass
class World:
    services: Services
    origin: PlaybookState

    @property
    def store(self) -> FakeStore:
        return fakes.store_of(self.services)

    def caller(self, user: str = CURATOR) -> Any:
        return fakes.caller(self.services, user)

    def version(self, number: int | None = None) -> RegistryVersion:
        found = self.store.registry.version(self.origin.playbook.slug, number)
        assert found is not None
        return found

    def state(self, slug: str) -> PlaybookState | None:
        return self.store.playbooks.state(slug)

    @property
    def changes(self) -> list[Change]:
        return self.store.held.governance.changes

    @property
    def change(self) -> Change:
        """The last Change applied."""
        return self.changes[-1]

    def sent(self, channel: str | None = None) -> list[Message]:
        return self.store.held.sent(channel)


def world(curators_channel: str | None = CURATORS, **definition: Any) -> World:
    """support-replies (its definition changed by `definition`), its curator and, unless
    None, the curators channel."""
    origin = fakes.a_playbook(**definition)
    services = fakes.services(origin)
    if curators_channel is not None:
        fakes.store_of(services).held.settings[CURATORS_CHANNEL] = curators_channel
    return World(services, origin)


def published(curators_channel: str | None = CURATORS, **definition: Any) -> World:
    """`world`, with support-replies v1 published (its readiness overridden)."""
    made = world(curators_channel, **definition)
    publish(made)
    return made


def publish(
    made: World,
    override: str | None = "sharing it early",
    by: str = CURATOR,
    decider: str = ADMIN,
    assessed: bool = True,
) -> dict[str, Any]:
    """`/rollout publish`; over readiness, the request it makes approved by `decider` (a
    second person: the asker never publishes over readiness alone): the announcement.
    `assessed`: its post-pilot assessment kept before (fakes.published)."""
    return fakes.published(made.services, made.caller(by), made.origin.playbook.slug, override, decider, assessed)


def adopt(
    made: World, channel: str = SALES, name: str = "sales", owner: str = SALES_OWNER, **more: Any
) -> dict[str, Any]:
    by = more.pop("by", CURATOR)
    decider = more.pop("decider", CURATOR2)
    cmd = messages.Adopt(made.origin.playbook.slug, more.pop("version", None), channel, name, owner, **more)
    reply = commands.adopt(made.caller(by), cmd)
    if not isinstance(reply, AskedPast):
        return reply
    # past its wave, the team's load or close matches with a reason: another curator's click decides
    made.store.held.curators.add(decider)
    version = made.store.registry.version(cmd.playbook, cmd.version)
    assert version is not None
    asked = made.store.registry.pending_request(version.id, channel)
    assert asked is not None
    adopt_requests.approve(made.caller(decider), str(asked.id))
    return reply


def replicated(made: World, slug: str, cycle: int = 1) -> None:
    """`slug`'s cycle `cycle` replicated its origin (the week close's decision row)."""
    state = made.state(slug)
    assert state is not None
    verdict = cycle_decisions.of_replication(state.playbook.id, MONDAY, cycle, "replicated", {})
    made.store.held.decide([verdict], fakes.NOW)


def kinds(change: Change) -> list[str]:
    return [str(d.kind) for d in change.decisions]


def summaries(change: Change) -> list[tuple[str, str]]:
    return [(str(d.kind), d.summary) for d in change.decisions]


def keys_to(change: Change) -> list[tuple[str, str]]:
    """Each message's key and where it goes."""
    return [(m.key, m.channel) for m in change.messages]


def text(message: Message | dict[str, Any]) -> str:
    """What a message shows: its text and its blocks, as JSON."""
    payload = message.payload if isinstance(message, Message) else message
    return json.dumps([payload.get("text"), payload.get("blocks")], ensure_ascii=False)


def refusal(call: Callable[[], Any]) -> Refusal:
    with pytest.raises(Refusal) as raised:
        call()
    return raised.value


def said(call: Callable[[], Any]) -> str:
    """The refusal `call` raises, as Slack shows it."""
    return str(slack(refusal(call)))


def load(made: World, **changes: Any) -> None:
    """The origin's definition loaded again with `changes` (`rollout playbook load`)."""
    state = made.store.playbooks.state_by_id(made.origin.playbook.id)
    assert state is not None
    raw = {**state.playbook.definition, **changes}
    moved, outcome = rewritten(state, parse_playbook(raw), "Europe/Berlin", "test", fakes.NOW)
    ups = {m.step_id: m for m in outcome.ups}  # a fixture: the moves up it declares, as if cleared
    steps = [clone(s, mode=ups[s.id].to_mode, pinned=ups[s.id].to_pinned) if s.id in ups else s for s in moved.steps]
    made.store.held.put(replace(moved, steps=steps))
    made.store.held.decide([*outcome.declared, *([outcome.decision] if outcome.decision else [])], fakes.NOW)
