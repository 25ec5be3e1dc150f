"""The *Learnings reviewed* button on the message that tells the origin's owner a team of
a playbook's wave replicated: it asks for a note of what the next wave should know
(`form`, refused at the click for anyone but the origin's owner or a curator, or a wave
marked already), and the note submitted marks the wave reviewed (`reviewed`,
usecases/shared/waves.py), which opens the next wave once a team of it replicated. A
second mark changes nothing and tells the clicker who marked it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models.governance import RegistryVersion, WaveReview
from templates.refusals import Refusal
from usecases.shared import roles, waves
from usecases.shared.caller import Caller


@dataclass(frozen=True)
class Form:
    """What the note's form is about: the version the button was sent for and the wave."""

    version: RegistryVersion
    wave: int


def _version(caller: Caller, version_id: int) -> RegistryVersion:
    version = caller.store.registry.versions_by_id([version_id]).get(version_id)
    if version is None:
        raise Refusal.of("wave_gone")
    return version


def _marked(version: RegistryVersion, wave: int, mark: WaveReview) -> Refusal:
    at = mark.reviewed_at
    return Refusal.of(
        "wave_marked", slug=version.slug, wave=wave, by=roles.user(mark.reviewed_by), at=f"{at.day} {at:%b %Y}"
    )


def form(caller: Caller, version_id: int, wave: int) -> Form:
    """The click: the note's form, once the clicker may mark the wave and it is not marked."""
    version = _version(caller, version_id)
    line, number = waves.may_review(caller.store, version, wave, caller.user_id)
    if number in line.marks:
        raise _marked(version, number, line.marks[number])
    return Form(version, number)


def reviewed(caller: Caller, version_id: int, wave: int, note: str) -> None:
    """The note submitted: the wave marked reviewed with it (refused without one)."""
    version = _version(caller, version_id)
    done = waves.review(caller.store, version, wave, caller.user_id, note, caller.now)
    if not done.stored:
        raise _marked(version, wave, done.mark)
