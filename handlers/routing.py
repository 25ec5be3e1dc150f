"""Declared routes: each HTTP surface lists what it answers in one table of `Route`s (a
method, a path, a handler) and asks `Routes.match` which one a request is for. bot/web.py
hands `/api` and `/web` on to their own tables (`Mount`); handlers/api.py writes its
OpenAPI document from its table (handlers/openapi.py).

A path is written as OpenAPI writes it: `/api/v1/playbooks/{slug}`. A parameter matches
within one segment, never a `/`, by the pattern its name has in PARAMETERS: every
`{slug}` is a playbook's slug, so `/api/v1/playbooks/x/decisions` is a path of its own,
never the slug `x/decisions`. A path no route has is NotFound; a path some route has,
asked with another method, is MethodNotAllowed, with the methods it has. A GET route
answers HEAD too (the server sends no body).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from cadence.definition import SLUG_RE

H = TypeVar("H")


@dataclass(frozen=True)
class Parameter:
    pattern: str  # a regular expression that never matches a `/`
    description: str


PARAMETERS = {
    "slug": Parameter(SLUG_RE.removeprefix("^").removesuffix("$"), "A playbook's slug."),
    "table": Parameter(r"[a-z][a-z0-9-]*", "The name of one of a page's tables."),
}


@dataclass(frozen=True)
class Route(Generic[H]):
    method: str  # GET (and so HEAD), POST
    path: str  # literal text and {parameters}
    handler: H

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)


@dataclass(frozen=True)
class Mount(Generic[H]):
    """Every path under `prefix` (the prefix itself, or it and `/...`), any method:
    another surface, with a table of its own."""

    prefix: str
    handler: H


class NotFound(Exception):
    """No route has this path: 404."""


class MethodNotAllowed(Exception):
    """Routes have this path, not with this method: 405."""

    def __init__(self, allowed: tuple[str, ...]):
        super().__init__(allowed)
        self.allowed = allowed

    @property
    def allow(self) -> str:
        """The `Allow` header."""
        return ", ".join(self.allowed)

    @property
    def only(self) -> str:
        """In words: "GET only"."""
        return " or ".join(self.allowed) + " only"


_PARAMETER = re.compile(r"\{([a-z_]+)\}")


class Routes(Generic[H]):
    """One surface's table. Each method and path is declared once."""

    def __init__(self, *entries: Route[H] | Mount[H]):
        self.mounts = [e for e in entries if isinstance(e, Mount)]
        self.routes = [e for e in entries if isinstance(e, Route)]
        self._patterns = [_compile(route.path) for route in self.routes]
        declared = [(route.method, route.path) for route in self.routes]
        twice = {d for d in declared if declared.count(d) > 1}
        if twice:
            raise ValueError(f"routes declared twice: {sorted(twice)}")

    def __iter__(self) -> Iterator[Route[H]]:
        return iter(self.routes)

    def match(self, method: str, path: str) -> tuple[H, dict[str, str]]:
        """The handler for this request and the path's parameters (raises NotFound or
        MethodNotAllowed)."""
        for mount in self.mounts:
            if path == mount.prefix or path.startswith(mount.prefix + "/"):
                return mount.handler, {}
        allowed: list[str] = []
        for pattern, route in zip(self._patterns, self.routes, strict=True):
            found = pattern.fullmatch(path)
            if found is None:
                continue
            if method == route.method or (method == "HEAD" and route.method == "GET"):
                return route.handler, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(tuple(dict.fromkeys(allowed)))
        raise NotFound(path)


def _compile(path: str) -> re.Pattern[str]:
    """`path` as a regular expression: its text as it is, each parameter by its pattern."""
    pieces = _PARAMETER.split(path)  # text, a name, text, a name, ..., text
    for name in pieces[1::2]:
        if name not in PARAMETERS:
            raise ValueError(f"{path}: no parameter {{{name}}} in handlers.routing.PARAMETERS")
    if any(brace in text for text in pieces[::2] for brace in "{}"):
        raise ValueError(f"{path}: a parameter is written {{name}}, in lowercase")
    return re.compile(
        "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>{PARAMETERS[piece].pattern})"
            for i, piece in enumerate(pieces)
        )
    )
