"""Decisions told to other systems: which decisions make which webhook event, what each
event says, when a delivery that failed is tried again, and which addresses may receive
them. Plain data; storage/webhooks.py writes the events, outbound/webhooks.py sends them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cadence.decisions import Decision, DecisionKind

# Every event a webhook may ask for.
EVENTS = ("week_closed", "mode_changed", "proposal", "published", "adopted", "replication", "stalled")
TEST = "test"  # `rollout webhook test`: sent to the one webhook, whatever it asked for

# The decisions that are events, by the decision's kind.
_OF_KIND = {
    DecisionKind.MODE_CHANGE: "mode_changed",
    DecisionKind.PROPOSAL: "proposal",
    DecisionKind.SCALE_PROPOSAL: "proposal",
    DecisionKind.PUBLISH: "published",
    DecisionKind.ADOPTED: "adopted",
    DecisionKind.REPLICATION: "replication",
    DecisionKind.STALLED: "stalled",
}
KINDS_TOLD = frozenset(_OF_KIND)

# After the n-th failed attempt the next waits RETRY_DELAYS[n-1]; after the last, the
# delivery has failed (seven attempts over about 17.6 hours, within the day promised).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Event:
    """One event about a playbook (`playbook_id` None: about none, as a test is). Its data,
    or `build`, which makes it only if a webhook wants the event (a close without
    webhooks builds none)."""

    type: str
    playbook_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    build: Callable[[], dict[str, Any]] | None = None

    def content(self) -> dict[str, Any]:
        return self.build() if self.build is not None else self.data


def retry_after(failed_attempts: int) -> timedelta | None:
    """How long to wait after `failed_attempts` failures; None: give up."""
    if failed_attempts < 1 or failed_attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[failed_attempts - 1]


def event_type(kind: str) -> str | None:
    """The event a decision of this kind makes, if any."""
    try:
        return _OF_KIND.get(DecisionKind(kind))
    except ValueError:
        return None


def decision_data(decision: Decision, step_name: str | None) -> dict[str, Any]:
    """A decision as `/rollout history` shows it: what was decided, by which rule, on which
    numbers, by whom."""
    return {
        "decision": str(decision.kind),
        "rule": str(decision.rule) if decision.rule is not None else None,
        "summary": decision.summary,
        "step": step_name,
        "week": decision.week_start.isoformat() if decision.week_start else None,
        "from_mode": decision.from_mode,
        "to_mode": decision.to_mode,
        "decided_by": decision.actor,
        "figures": _plain(decision.figures),
    }


def week_closed(
    playbook_id: int,
    week_start: date,
    cycle: int,
    week: int,
    kpi: dict[str, Any],
    guardrail: Decision | None,
    verdicts: list[tuple[str, Decision]],
) -> Event:
    """A closed week: its KPI, its guardrail and each step's verdict with its figures."""
    return Event(
        "week_closed",
        playbook_id,
        build=lambda: {
            "week": week_start.isoformat(),
            "cycle": cycle,
            "week_of_cycle": week,
            "kpi": kpi,
            "guardrail": _plain(guardrail.figures) if guardrail is not None else None,
            "steps": [
                {"step": name, "rule": str(d.rule) if d.rule is not None else None, **_plain(d.figures)}
                for name, d in verdicts
            ],
        },
    )


def body(event_type: str, at: datetime, playbook: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """What is POSTed: {"type", "at", "playbook", "data"}."""
    return {"type": event_type, "at": at.isoformat().replace("+00:00", "Z"), "playbook": playbook, "data": data}


def check_url(url: str) -> str:
    """The URL if events may go there: https, or http to this machine (for testing).
    ValueError with the reason otherwise."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError:
        raise ValueError(f"{url!r} is not a URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError(f"{url!r}: a webhook's URL starts with https:// and names a host")
    if parts.username or parts.password:
        raise ValueError(f"{url!r}: keep credentials out of the URL; receivers check the signature instead")
    if parts.scheme == "http" and not _loopback(host):
        raise ValueError(f"{url!r}: only https:// URLs (http:// only to this machine, for testing)")
    return url


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: the events are {', '.join(EVENTS)}")
    return [e for e in EVENTS if e in events]


def _plain(value: Any) -> Any:
    """Figures as JSON takes them (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
