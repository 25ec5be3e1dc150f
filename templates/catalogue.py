"""A catalogue: entries by key, each contributed by the one capability that owns it.

The refusals' sentences (templates/refusals.py), the templates' filters (templates/__init__.py)
and the `/rollout` grammar's rows (handlers/grammar.py) are each a catalogue. A capability
keeps its entries in its own module and the catalogue lists the module once (its
registration line); no shared module words them all. Registering a key a second time, by
the same capability or another, is an error at import, never a silent overwrite
(pluggy's and Django's app registries refuse the same).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class RegisteredTwice(KeyError):
    """A key two registrations contributed."""


class Catalogue(Mapping[str, V], Generic[V]):
    """Entries by key in the order registered, and which capability registered each."""

    def __init__(self, what: str) -> None:
        self.what = what  # what an entry is, for the error: "refusal", "filter", "subcommand"
        self._entries: dict[str, V] = {}
        self.owners: dict[str, str] = {}  # key -> the capability that registered it

    def register(self, capability: str, entries: Mapping[str, V]) -> None:
        """Add `capability`'s entries; a key already registered raises RegisteredTwice."""
        for key, value in entries.items():
            if key in self._entries:
                raise RegisteredTwice(f"{self.what} {key!r} registered by {self.owners[key]} and by {capability}")
            self._entries[key] = value
            self.owners[key] = capability

    def capabilities(self) -> tuple[str, ...]:
        """The capabilities registered, in their order."""
        return tuple(dict.fromkeys(self.owners.values()))

    def __getitem__(self, key: str) -> V:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
