"""The *Learnings reviewed* button on the message that tells the origin's owner a team of
a version's wave replicated: the wave marked reviewed (usecases/shared/waves.py), which
opens the next wave once a team of it replicated. A second click changes nothing and
tells the clicker who marked it."""

from __future__ import annotations

from templates.refusals import Refusal
from usecases.shared import roles, waves
from usecases.shared.caller import Caller


def reviewed(caller: Caller, version_id: int, wave: int) -> None:
    store = caller.store
    version = store.registry.versions_by_id([version_id]).get(version_id)
    if version is None:
        raise Refusal.of("wave_gone")
    done = waves.review(store, version, wave, caller.user_id, None, caller.now)
    if not done.stored:
        at = done.mark.reviewed_at
        raise Refusal.of(
            "wave_marked",
            slug=version.slug,
            version=version.version,
            wave=wave,
            by=roles.user(done.mark.reviewed_by),
            at=f"{at.day} {at:%b %Y}",
        )
