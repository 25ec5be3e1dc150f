"""Refusals: the requests the bot will not carry out, and why.

A refusal is raised wherever the reason is found (the grammar, a listener, the
application layer) and rendered once, by the `refusal` template, as an ephemeral
message with the subcommand's usage; nothing is stored.
"""

from __future__ import annotations

import difflib


class Refusal(Exception):
    """A request the bot will not carry out: `problem` says why, `usage` names the
    subcommand whose usage to show, `suggestions` are close matches."""

    def __init__(self, problem: str, usage: str | None = None, suggestions: tuple[str, ...] = ()):
        super().__init__(problem)
        self.problem = problem
        self.usage = usage
        self.suggestions = suggestions


def close_matches(word: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> tuple[str, ...]:
    """Candidates that look like `word`: similar spelling, or containing it: the
    suggestions of a refusal for an unknown playbook, step or subcommand."""
    word = word.lower()
    found = difflib.get_close_matches(word, [c.lower() for c in candidates], n=n, cutoff=0.6)
    lookup = {c.lower(): c for c in candidates}
    result = [lookup[f] for f in found]
    for candidate in candidates:
        if len(result) >= n:
            break
        if len(word) >= 3 and word in candidate.lower() and candidate not in result:
            result.append(candidate)
    return tuple(result)
