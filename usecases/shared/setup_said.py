"""Setup as the seed means it (cadence/setup_said.py): the one DM that asks an adopting
playbook's champion (else its owner) how its setup went, enqueued with its first check-in
answered (usecases/shared/recording.py, record_attestation), keyed by the playbook so that
it goes once however many check-ins race or the bot restarts; and each version's
answering teams summed up for the registry, beside the measured form time
(usecases/shared/setup_effort.py)."""

from __future__ import annotations

from typing import Any

from cadence import keys, setup_said
from cadence.change import Message
from cadence.state import Playbook
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.setup_said_words import ask as asking
from templates.setup_said_words import line


def asker(playbook: Playbook) -> str:
    """Who is asked, and may answer: the champion, else the owner."""
    return playbook.champion_id or playbook.owner_id


def ask(store: Store, playbook: Playbook) -> list[Message]:
    """The DM to send with this check-in: none but for an adopting playbook's first one."""
    if playbook.adopted_from_id is None or store.form_times.first_checkins([playbook.id]):
        return []
    payload = asking(slug=playbook.slug, title=playbook.title, playbook_id=playbook.id)
    return [Message(keys.setup_asked(playbook.id), "chat.postMessage", asker(playbook), payload)]


def by_version(
    store: Store, versions: list[RegistryVersion], measured: dict[int, dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Each version's answering teams (Said.figures), with the registry's line beside the
    measured form time (`measured`: setup_effort.by_version) and the mark; a team counts
    for the version it adopted first. Three reads however many versions."""
    adopting = store.registry.adopters([v.id for v in versions])
    said = store.form_times.said_of([p.id for p in adopting])
    answered = [p for p in adopting if p.id in said]
    ran = store.registry.versions_run([p.id for p in answered])
    answers: dict[int, list[tuple[int, bool]]] = {}
    for p in answered:
        run = ran.get(p.id) or []
        version = run[0] if run else p.adopted_from_id
        if version is not None:
            answers.setdefault(version, []).append(said[p.id])
    found = {v: s.figures() for v, each in answers.items() if (s := setup_said.summed_up(each)) is not None}
    return {v: dict(figures, line=line(figures, measured.get(v))) for v, figures in found.items()}
