"""Learnings across playbooks (`/rollout learnings [words]` and the web view's learnings
page): every word must occur, case-insensitive, newest first, each with its playbook,
cycle, who and when. Learnings are shown to anyone, as `status` and `history` show a
playbook's to anyone ("What people can see" keeps only reasons and names of deviations
and exceptions to the owner and the curators); a withdrawn one is never found. The
search is a bounded scan of the newest learnings (storage/learnings.py `search`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cadence.text import unstorable
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared import messages
from usecases.shared.caller import Caller

IN_SLACK = 10
PER_PAGE = 50  # on the web
SCANNED = 20_000  # the newest learnings a search reads at most


@dataclass(frozen=True)
class Hit:
    playbook: str
    cycle: int
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Found:
    """A page of learnings found, whether there are more after it, and whether learnings
    older than the newest SCANNED were left out."""

    words: tuple[str, ...]
    hits: list[Hit]
    more: bool
    bounded: bool
    page: int = 1


def find(store: Store, words: tuple[str, ...], shown: int, page: int = 1, slugs: list[str] | None = None) -> Found:
    """Page `page` (from 1) of `shown` learnings holding every word, newest first; of the
    playbooks `slugs` only, if given (a reporting token's scope, one playbook)."""
    for word in words:
        problem = unstorable(word, line_breaks=False)
        if problem is not None:
            raise Refusal.of("control_character", usage="learnings", what=problem)
    found = store.learnings.search(list(words), shown + 1, (page - 1) * shown, SCANNED, slugs=slugs)
    hits = [Hit(slug, x.cycle, x.text, x.added_by, x.added_at) for x, slug in found.rows]
    return Found(words, hits[:shown], len(hits) > shown, found.bounded, page)


def learnings(caller: Caller, cmd: messages.FindLearnings) -> Found:
    """`/rollout learnings [words]`: anyone; the newest ten that hold every word."""
    return find(caller.store, cmd.words, IN_SLACK)
