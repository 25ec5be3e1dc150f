"""A champion's checklist button: an item of the kit's training and checks marked done or
undone (usecases/shared/champions.py); the champion's Home tab shows it after."""

from __future__ import annotations

from cadence.change import Change
from usecases import home
from usecases.shared import champions
from usecases.shared.caller import Caller


def mark(caller: Caller, slug: str, index: int, done: bool, dm: tuple[str, str] | None) -> None:
    if champions.mark(caller.store, slug, index, done, caller.user_id, caller.now, dm):
        refresh = home.refresh(caller.store, caller.user_id, caller.now)  # the Home tab as it is now
        if refresh is not None:
            with caller.store.unit_of_work() as uow:
                uow.governance.apply(Change(messages=[refresh]), caller.now)
                uow.commit()
