"""The governance buttons: Approve or Reject on a promotion proposal, Publish on a "ready
to scale" proposal. The decisions are governance.py's and registry.py's; after one, the
clicker's Home tab shows a proposal fewer."""

from __future__ import annotations

from usecases import home
from usecases.shared import governance, registry
from usecases.shared.caller import Caller


def decide(caller: Caller, key: str, approve: bool) -> None:
    governance.decide_proposal(caller.store, key, approve, caller.user_id, caller.now)
    # Built once the decision is made: a Home that can't be built (logged) leaves the
    # decision standing.
    refresh = home.refresh(caller.store, caller.user_id, caller.now)
    if refresh is not None:
        with caller.store.unit_of_work() as uow:
            uow.outbox.enqueue([refresh], caller.now)
            uow.commit()


def publish(caller: Caller, key: str) -> None:
    registry.publish_from_proposal(caller.store, key, caller.user_id, caller.now)
