"""`/rollout upgrade <playbook> [vN]` and the *Upgrade* and *Not now* buttons of the
message that tells an adopting team of a newer version (usecases/shared/versions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cadence.state import PlaybookState
from templates.refusals import Refusal
from usecases.shared import messages, roles, versions
from usecases.shared.caller import Caller
from usecases.shared.versions import Upgraded


def upgrade(caller: Caller, cmd: messages.Upgrade) -> Upgraded:
    """The owner or a curator moves an adopting playbook to a newer version of its origin."""
    state = caller.playbook(cmd.playbook, "upgrade")
    services = caller.services
    return versions.upgrade(
        caller.store, state, cmd.version, caller.user_id, caller.now, services.org_timezone, "upgrade"
    )


def _offered(caller: Caller, playbook_id: int) -> PlaybookState:
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("playbook_gone")
    return state


def upgrade_clicked(caller: Caller, playbook_id: int, from_version: int, number: int) -> Upgraded:
    """*Upgrade*: the same upgrade, to the version the message offered; refused, saying
    so, when the playbook moved since the message went out."""
    state = _offered(caller, playbook_id)
    services = caller.services
    return versions.upgrade(
        caller.store, state, number, caller.user_id, caller.now, services.org_timezone, None, from_version
    )


@dataclass(frozen=True)
class Postponed:
    """An offer of version `version` put off: the playbook (`slug`) runs what it ran."""

    slug: str
    version: int


def not_now(caller: Caller, playbook_id: int, from_version: int, number: int) -> Postponed:
    """*Not now*: nothing changes (owner or curator); the clicker hears how to upgrade later."""
    state = _offered(caller, playbook_id)
    roles.require_owner_or_curator(caller.store, state, caller.user_id, None)
    return Postponed(state.playbook.slug, number)
