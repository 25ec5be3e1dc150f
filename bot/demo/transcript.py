"""The demo's transcript, as `rollout demo` prints it: week by week, what people did and
the bot's messages to channels in the order they happened, then how many DMs went out,
with the first as an example (bot/demo/story.py tells the story; page.py draws it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.demo.cast import CHANNELS, PEOPLE
from bot.demo.page import Event
from templates.terminal import plain, to_text

# An entry of a week: when, 0 for what people did or 1 for the bot's (people first), its lines.
_Entry = tuple[datetime, int, list[str]]


def week_by_week(posted: list[dict[str, Any]], events: list[Event], start: date, weeks: int, origin_weeks: int) -> str:
    """The story's `weeks` from the Monday `start`, and the week after them; from
    `origin_weeks` on, an adopting team runs its baseline week, then its first cycle,
    beside the origin's."""
    display = {u: n for u, (n, _) in PEOPLE.items()} | {c: n for c, (n, _) in CHANNELS.items()}
    names = {c: f"#{name}" for c, (name, _) in CHANNELS.items()}
    names.update({"D" + u[1:]: f"DM to {n}" for u, (n, _) in PEOPLE.items()})
    lines = []
    messages = sorted(posted, key=lambda m: (m.get("at") or "", m["ts"]))
    for week in range(weeks + 1):
        first = start + timedelta(days=7 * week)
        lines.append(_week_heading(week, first, weeks, origin_weeks))
        lines += _week_lines(messages, events, first, names, display)
    return "\n".join(lines)


def _week_lines(
    messages: list[dict[str, Any]], events: list[Event], first: date, names: dict[str, str], display: dict[str, str]
) -> list[str]:
    """The week from `first`: what people did and what the bot posted, in time order, then
    the DMs summed up with one of them shown."""
    end = first + timedelta(days=7)
    this_week = [m for m in messages if m.get("at") and first <= datetime.fromisoformat(m["at"]).date() < end]
    dms = [m for m in this_week if m["channel"].startswith("D")]
    entries = _people_entries(events, first, display)
    entries += [_message_entry(m, names, display) for m in this_week if not m["channel"].startswith("D")]
    lines = []
    for _at, _order, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        lines += entry
    return lines + _dm_lines(dms, names, display)


def _dm_lines(dms: list[dict[str, Any]], names: dict[str, str], display: dict[str, str]) -> list[str]:
    """A week's DMs: how many to how many people, and the first of them."""
    if not dms:
        return []
    return [
        f"  DMs: {len(dms)} check-ins and reminders to {len({m['channel'] for m in dms})} people, "
        f"e.g. {names.get(dms[0]['channel'])}:",
        to_text(dms[0], indent="      ", names=display),
    ]


def _week_heading(week: int, first: date, weeks: int, origin_weeks: int) -> str:
    label = f"Week {week % 4 + 1} of cycle {week // 4 + 1}" if week < weeks else "After it"
    if week == origin_weeks:
        label += " (support-apac's baseline week)"
    elif origin_weeks < week < weeks:
        label += f" (support-apac's week {week - origin_weeks} of its first cycle)"
    return f"\n━━━ {label} · {first:%a %d %b} to {first + timedelta(days=6):%a %d %b %Y} ━━━"


def _people_entries(events: list[Event], first: date, display: dict[str, str]) -> list[_Entry]:
    """What people did in the week from `first`: one line per person and minute, the
    commands they typed in it together; after each, the answer only they saw."""
    grouped = _by_person_and_minute(events, first, display)

    def typed(commands: list[str]) -> str:  # as Slack shows what was typed: mentions by name
        return "; ".join(plain(command, display) for command in commands)

    return [
        (at, 0, [f"  {at:%a %H:%M} UTC  ⟶ {who}" + (f": /rollout {typed(commands)}" if commands else "")])
        for at, who, commands in grouped
    ]


def _by_person_and_minute(
    events: list[Event], first: date, display: dict[str, str]
) -> list[tuple[datetime, str, list[str]]]:
    """The week's events from `first`: a person's commands in one minute together, each
    answer only they saw after them."""
    grouped: list[tuple[datetime, str, list[str]]] = []
    for event in events:
        at, what = event.at, event.what
        if not first <= at.date() < first + timedelta(days=7):
            continue
        who, _, did = what.partition(": /rollout ")
        if did and grouped and grouped[-1][0] == at and grouped[-1][1] == who:
            grouped[-1][2].append(did)
        else:
            grouped.append((at, who if did else what, [did] if did else []))
        if event.reply is not None:  # the answer only they saw, on lines of its own
            answer = to_text(event.reply, indent="      ", names=display).strip()
            grouped.append((at, "  ↳ (only to them) " + answer, []))
    return grouped


def _message_entry(m: dict[str, Any], names: dict[str, str], display: dict[str, str]) -> _Entry:
    """A message to a channel: a chart by its title, any other in words (a thread's reply
    and a message since updated say so)."""
    when = datetime.fromisoformat(m["at"])
    where = names.get(m["channel"], m["channel"])
    if m.get("subtype") == "file_share":
        return (when, 1, [f"  {when:%a %H:%M} UTC  {where}  [chart] {m['files'][0]['title']}"])
    head = f"  {when:%a %H:%M} UTC  {where}{'  (thread reply)' if m.get('thread_ts') else ''}"
    text = to_text(m, indent="      ", names=display)
    return (when, 1, [head + ("  (since updated)" if m.get("edited") else ""), text])
