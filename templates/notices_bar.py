"""The messages of a bar change request (docs/playbooks.md, "The bar moves by decision"): the curators'
card and what the team and the asker are told. One typed function per message, rendering
its template with exactly the names it declares (as templates/notices.py's do)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from templates import render
from templates.notices import Payload


def bar_card(
    *,
    id: str,
    slug: str,
    title: str,
    owner: str,
    asked_by: str,
    changes: Sequence[str],
    reason: str,
    cap: str,
    weeks: Sequence[Mapping[str, Any]],
    state: str,
    single: Sequence[str] | None,
    nobody: bool,
    decided_by: str | None,
    effective: str | None,
    decline_reason: str | None,
    void_reason: str | None,
    file: str | None = None,
    gates: Sequence[str] = (),
    found: Sequence[str] = (),
) -> Payload:
    """The curators' card: each change, the reason, who asked, each affected step's last
    closed weeks against today's bar; Approve and Decline while open, else the outcome.
    `single`: the workspace's one curator (none: empty), whom an admin other than the asker
    may stand in for; `nobody`: no one but the asker can decide yet (it waits).
    `file`: loaded from this file at the server, approved by it (no buttons, ever).
    `gates`: what kept the last click to approve it from doing so, read at the click (the
    card redrawn with it). `found`: what the replay found easier under the asked bar
    (cadence/bar_sort.py)."""
    return render("bar_card", **locals())


def bar_told(
    *,
    kind: str,
    slug: str,
    asked_by: str,
    decided_by: str,
    changes: Sequence[str],
    reason: str,
    effective: str | None,
    file: str | None = None,
    gates: Sequence[str] = (),
    gates_step: str = "",
) -> Payload:
    """`kind` approved (team channel), applied (team channel), declined (the asker, with
    the curator's reason as `reason`) or held (the owner: due, but `gates_step`'s move up
    does not pass `gates` now). `file`: applied as loaded from this file at the server."""
    return render("bar_told", **locals())
