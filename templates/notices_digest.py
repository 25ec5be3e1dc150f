"""The curators' weekly digest's messages (usecases/digest.py, digest_learned.py): one
typed function per message, which renders its template (templates/<name>.json.j2), so
what each message takes is declared here once and checked by mypy at every call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from cadence.digest import OrgWeek, PlaybookDigest
from cadence.pulse import Pulse
from templates import render

Payload = dict[str, Any]


class Fragment(NamedTuple):
    """A section's own lines of a message: its fragment (`template`, templates/_*.j2) and
    what the fragment is given as `model`, the section's own model."""

    template: str
    model: object


def digest_summary(
    *,
    week_of: date,
    org: OrgWeek,
    at_risk: int,
    stalled: int,
    charts: bool,
    pulse: Pulse | None = None,
    parts: Sequence[Fragment] = (),
) -> Payload:
    """The digest's top-level message: the org's week (`week_of`, its Monday), how many
    playbooks are at risk and stalled, whether charts follow in the threads, the pulse
    pooled over the cycles completed this week (None: hidden, or none), and the sections'
    own lines of the header (`parts`, in their order)."""
    return render(
        "digest_summary",
        week_of=week_of.isoformat(),
        org=org,
        at_risk=at_risk,
        stalled=stalled,
        charts=charts,
        pulse=pulse,
        parts=parts,
    )


def digest_function(
    *,
    function: str,
    digests: Sequence[PlaybookDigest],
    total: int,
    part: int,
    parts: int,
    pulse: Pulse | None = None,
) -> Payload:
    """A thread reply: `digests`, part `part` of `parts` of a function's `total` playbooks,
    with the function's pooled pulse (None: hidden, or none)."""
    return render(
        "digest_function", function=function, digests=digests, total=total, part=part, parts=parts, pulse=pulse
    )


@dataclass(frozen=True)
class Learned:
    """A learning the digest's "learned this week" thread lists."""

    playbook: str  # its slug
    cycle: int
    by: str
    text: str
    on: date


def digest_learned(*, items: Sequence[Learned], more: int) -> Payload:
    """The "learned this week" thread: `items`, newest first, and how many `more` it left out."""
    return render(
        "digest_learned",
        items=[dict(playbook=x.playbook, cycle=x.cycle, by=x.by, text=x.text, on=x.on) for x in items],
        more=more,
    )
