"""The demo's HTML page: week by week, what people did and what the bot posted, in the
order it happened, drawn the way Slack draws Block Kit (sections, fields, buttons,
context), with the charts; a command's answer that only its person saw is a card of its
own, and the owners' and the curator's App Home close the page. One self-contained
file: styles inline, charts as data URIs, no script."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any

from templates.terminal import EMOJI, to_text


@dataclass(frozen=True)
class Event:
    """What a person did, when; for a command they ran, who they are and, if the story
    shows it, the answer only they saw (Slack's response: its text and blocks)."""

    at: datetime
    what: str
    who: str = ""
    reply: dict[str, Any] | None = None


STYLE = """
body{font:15px/1.46 -apple-system,'Segoe UI',Lato,sans-serif;background:#f4f4f5;color:#1d1c1d;margin:0;overflow-wrap:anywhere}
header{background:#3f0e40;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:8px 28px 40px}.week{max-width:880px}
h2{margin:28px 0 6px;font-size:18px;border-bottom:2px solid #ddd;padding-bottom:4px}
.log{font-size:13px;color:#555;margin:8px 0;padding-left:16px}.log li{margin:2px 0}.at{color:#616061}
.ch{background:#fff;border:1px solid #ddd;border-radius:8px;overflow:hidden;margin:8px 0}
.ch h3{margin:0;padding:8px 12px;font-size:14px;background:#f8f8f8;border-bottom:1px solid #eee}
.log .reply{font-size:15px;color:#1d1c1d;border-style:dashed;margin:6px 0 10px}
.reply h3{background:#fff8e5;font-weight:400;color:#616061}
.msg{display:flex;gap:8px;padding:8px 12px;border-bottom:1px solid #f1f1f1}.msg>div{min-width:0}
.avatar{width:32px;height:32px;border-radius:6px;background:#2eb67d;color:#fff;font-weight:700;
display:flex;align-items:center;justify-content:center;flex:none}
.who{font-weight:700}.when{color:#616061;font-size:12px;margin-left:6px}.edited{color:#616061;font-size:12px}
.section{margin:4px 0;white-space:normal}.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin:4px 0}
.context{color:#616061;font-size:12.5px;margin:4px 0}.header{font-weight:900;font-size:17px;margin:4px 0}
.actions{margin:6px 0}.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;
margin:2px 6px 2px 0;font-weight:700;font-size:13px;background:#fff}
.btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}.btn.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
hr{border:none;border-top:1px solid #e8e8e8;margin:6px 0}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{background:#f6f6f6;border:1px solid #e4e4e4;border-radius:3px;padding:0 3px;font-size:12.5px;color:#e01e5a}
pre{white-space:pre-wrap}blockquote{border-left:4px solid #ddd;margin:4px 0;padding-left:8px;color:#444}
.thread{margin:2px 0 6px 40px;border-left:2px solid #e0e0e0;padding-left:8px}
.thread .msg{border-bottom:none;padding:6px 4px}img.chart{max-width:min(100%,820px);border:1px solid #eee;border-radius:4px}
.empty{color:#999;padding:10px 12px;font-size:13px}
.outcome{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 16px;margin:14px 0}
.outcome h2{border:none;margin:4px 0}.outcome li{margin:3px 0}nav.toc{font-size:14px;margin:8px 0 0}
nav.toc{display:flex;flex-wrap:wrap;gap:2px 12px}nav.toc a{color:#fff;white-space:nowrap}details.dms{margin:10px 0}
details.dms>summary{cursor:pointer;color:#1264a3;font-weight:700;margin:6px 0}
h3.sub{font-size:16px;margin:22px 0 4px}.homes{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr));gap:0 14px}
.home .view{padding:8px 12px}
@media (max-width:600px){header{padding:14px 12px}main{padding:8px 10px 30px}.fields{grid-template-columns:1fr}
.thread{margin-left:12px}}
"""

# What the story comes to, found in what the bot said (its first line, the message's text)
# and what people did: the headline of the page, each linking to its week.
MODE_CHANGE = re.compile(r"^(\S+) / (\S+): (human-led|collaborative|ai-led) → (human-led|collaborative|ai-led)$")
LEVELS = ("human-led", "collaborative", "ai-led")
OUTCOMES = (
    ("ready to scale", re.compile(r"is ready to scale$")),
    ("not yet ready", re.compile(r"^\S+: KPI sustained, not yet ready to scale$")),
    ("publish refused", re.compile(r"[\w-]+ is not yet ready to scale")),
    ("publication", re.compile(r"v\d+ is in the registry$")),
    ("adoption", re.compile(r"adopted from \S+ v\d+$")),
    # the verdict, and its change against the origin's: "(cycle 1: replicated, −58% against … 91% (needs 80%))"
    (
        "replication verdict",
        re.compile(r"\S+ \(cycle \d+: (replicated|on track|not yet)(, [^()\n]*(\([^()\n]*\))?[^()\n]*)?\)"),
    ),
    ("stall", re.compile(r"^\S+ is stalled at the end of cycle \d+")),
    # the people's pulse holding promotions, and a step in its fallback mode and back (bot/demo/trust.py)
    ("pulse hold", re.compile(r"^\S+: promotions to ai-led wait through cycle \d+$")),
    ("fallback", re.compile(r"^\S+: \S+ falls back to \S+ while \d+ escalated items? waits?$")),
    ("fallback ended", re.compile(r"^\S+: \S+ is ai-led again: .*")),
)
# And what people did that the story turns on: the owner's answer to the stall.
DEEDS = (("refinement", re.compile(r"clicked Refine on \S+ stall")),)


class _Names:
    def __init__(self, people: dict[str, tuple[str, str | None]], channels: dict[str, tuple[str, list[str]]]):
        self.people = {u: n for u, (n, _) in people.items()}
        self.channels = {c: n for c, (n, _) in channels.items()}


def mrkdwn(text: str, names: _Names) -> str:
    """Slack mrkdwn to HTML. The text is already escaped for Slack (&amp; &lt; &gt;), which
    HTML reads the same way; what remains are the bot's own mentions, links and marks."""
    text = text.replace('"', "&quot;")

    def link(m: re.Match[str]) -> str:
        sigil, target, label = m.group(1), m.group(2), m.group(3)
        if sigil == "@":
            return f'<span class="mention">@{html.escape(names.people.get(target, label or target))}</span>'
        if sigil == "#":
            return f'<span class="mention">#{html.escape(names.channels.get(target, label or target))}</span>'
        return f'<a href="{target}">{label or target}</a>'

    text = re.sub(r"<([@#]?)([^<>|]+)(?:\|([^<>]*))?>", link, text)
    text = re.sub(r"```(.+?)```", r"<pre>\1</pre>", text, flags=re.S)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", text)
    text = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"<s>\1</s>", text)
    for code, emoji in EMOJI.items():
        text = text.replace(code, emoji)
    lines = []
    for line in text.split("\n"):
        lines.append(f"<blockquote>{line[5:]}</blockquote>" if line.startswith("&gt; ") else line)
    return "<br>".join(lines)


def blocks(message: dict[str, Any], names: _Names) -> str:
    out = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            out.append(f'<div class="header">{html.escape(block["text"]["text"])}</div>')
        elif kind == "section":
            if block.get("text"):
                out.append(f'<div class="section">{_text(block["text"], names)}</div>')
            if block.get("fields"):
                out.append(
                    '<div class="fields">'
                    + "".join(f"<div>{_text(f, names)}</div>" for f in block["fields"])
                    + "</div>"
                )
        elif kind == "context":
            out.append(
                '<div class="context">' + " ".join(_text(e, names) for e in block.get("elements", [])) + "</div>"
            )
        elif kind == "actions":
            buttons = "".join(
                f'<span class="btn {e.get("style", "")}">{html.escape(e["text"]["text"])}</span>'
                for e in block.get("elements", [])
                if e.get("type") == "button"
            )
            out.append(f'<div class="actions">{buttons}</div>')
        elif kind == "divider":
            out.append("<hr>")
    if not out:
        out.append(f'<div class="section">{mrkdwn(message.get("text", ""), names)}</div>')
    return "".join(out)


def _text(obj: dict[str, Any], names: _Names) -> str:
    if obj.get("type") == "plain_text":
        return html.escape(obj.get("text", ""))
    return mrkdwn(obj.get("text", ""), names)


Drawer = Callable[[str, list[Any], list[date]], tuple[bytes, str]]


@dataclass
class PhoneCharts:
    """Each digest chart drawn twice: as Slack gets it, and for a phone's width
    (templates/charts.py, `narrow`), by the PNG Slack got, so that the page shows the
    narrow one on a narrow screen (a <picture>), its text as readable as on a wide one."""

    narrow: dict[str, bytes] = field(default_factory=dict)  # sha256 of the PNG Slack got: the narrow PNG

    def wrap(self, draw: Drawer | None) -> Drawer | None:
        if draw is None:
            return None
        from templates.charts import function_chart

        def both(function: str, digests: list[Any], weeks: list[date]) -> tuple[bytes, str]:
            png, alt = draw(function, digests, weeks)
            self.narrow[hashlib.sha256(png).hexdigest()] = function_chart(function, digests, weeks, narrow=True)[0]
            return png, alt

        return both


NARROW_SCREEN = "(max-width: 960px)"  # below it the wide chart's text would fall under 11 px


def _picture(image: bytes, title: str, narrow: dict[str, bytes]) -> str:
    """A digest chart: the PNG Slack got, or on a narrow screen the one drawn for it."""
    img = (
        f'<img class="chart" alt="{html.escape(title)}" src="data:image/png;base64,{base64.b64encode(image).decode()}">'
    )
    phone = narrow.get(hashlib.sha256(image).hexdigest())
    if phone is None:
        return img
    source = f'<source media="{NARROW_SCREEN}" srcset="data:image/png;base64,{base64.b64encode(phone).decode()}">'
    return f"<picture>{source}{img}</picture>"


def _message(m: dict[str, Any], names: _Names, charts: dict[str, str]) -> str:
    when = datetime.fromisoformat(m["at"]) if m.get("at") else None
    stamp = f'<span class="when">{when:%a %d %b %H:%M} UTC</span>' if when else ""
    edited = ' <span class="edited">(edited)</span>' if m.get("edited") else ""
    # A message of the timeline carries its time (a thread reply stays under its message).
    at = f' data-at="{when.isoformat()}"' if when and not m.get("thread_ts") else ""
    if m.get("subtype") == "file_share":
        f = m["files"][0]
        image = charts.get(f["id"])  # its <picture>
        body = image or "[file]"
    else:
        body = blocks(m, names)
    return (
        f'<div class="msg"{at}><div class="avatar">R</div><div><span class="who">Rollout Cadence</span>{stamp}'
        f"{edited}{body}</div></div>"
    )


def _channel(
    title: str,
    messages: list[dict[str, Any]],
    draw: Callable[[dict[str, Any]], str],
    threads: dict[str, list[dict[str, Any]]],
) -> str:
    """Messages in a row to one channel (or person), as Slack shows them (`draw`), each with its thread."""
    out = [f'<div class="ch"><h3>{html.escape(title)}</h3>']
    for m in messages:
        out.append(draw(m))
        replies = threads.get(m["ts"], [])
        if replies:
            out.append('<div class="thread">' + "".join(draw(r) for r in replies) + "</div>")
    out.append("</div>")
    return "".join(out)


def _action(event: Event, names: _Names) -> str:
    """What a person did; a command's answer that only they saw is drawn as Slack draws it."""
    reply = ""
    if event.reply:
        command = " ".join(event.what.removeprefix(f"{event.who}: ").split()[:2])  # "/rollout status"
        reply = (
            f'<div class="ch reply"><h3>{html.escape(command)} — only {html.escape(event.who)} saw this</h3>'
            f"{_message(event.reply, names, {})}</div>"
        )
    return (
        f'<li data-at="{event.at.isoformat()}"><span class="at">{event.at:%a %H:%M} UTC</span> '
        f"{html.escape(event.what)}{reply}</li>"
    )


def _timeline(
    events: list[Event],
    messages: list[dict[str, Any]],
    titles: dict[str, str],
    names: _Names,
    charts: dict[str, str],
    threads: dict[str, list[dict[str, Any]]],
) -> str:
    """People's actions and the bot's messages in one column, in the order they happened
    (an action before what the bot posted at the same moment): actions in a row share a
    list, and messages in a row to one channel share its card."""
    entries: list[tuple[datetime, int, Any]] = [(e.at, 0, e) for e in events]
    entries += [(datetime.fromisoformat(m["at"]), 1, m) for m in messages]
    entries.sort(key=lambda e: (e[0], e[1]))
    out = []
    for channel, run in groupby(entries, key=lambda e: e[2]["channel"] if e[1] else ""):
        items = [item for _, _, item in run]
        if channel:
            out.append(
                _channel(titles.get(channel, channel), items, partial(_message, names=names, charts=charts), threads)
            )
        else:
            out.append('<ul class="log">' + "".join(_action(e, names) for e in items) + "</ul>")
    return "".join(out)


def _homes(homes: dict[str, dict[str, Any]], names: _Names) -> str:
    """The App Home tab of each owner and the curator, as it stands when the story ends."""
    cards = "".join(
        f'<div class="ch home"><h3>App Home · {html.escape(names.people.get(user, user))}</h3>'
        f'<div class="view">{blocks(view, names)}</div></div>'
        for user, view in homes.items()
    )
    return f'<h3 class="sub">The App Home tab, when the story ends</h3><div class="homes">{cards}</div>'


def _fallback(message: dict[str, Any], names: dict[str, str]) -> str:
    """A message's text as the outcome reads it: its fallback text, but a stall's first
    line says which playbook stalled at the end of which cycle, and why."""
    text = message.get("text") or ""
    if not text.endswith(" is stalled"):
        return text
    first = to_text(message, names=names).split("\n")[0]
    at = first.find(" is stalled")
    return text.removesuffix(" is stalled") + first[at:] if at >= 0 else text


def _outcome(messages: list[dict[str, Any]], events: list[Event], start: date, weeks: int, names: _Names) -> str:
    """The story's outcome first: each demotion, promotion, proposal to scale,
    publication, adoption and replication verdict, once, with the week it happened in."""
    found: list[tuple[datetime, str, str]] = []
    seen: set[str] = set()
    # What the bot posted (each message's fallback text) and what people were told.
    said = names.people | names.channels  # mentions read as the people and channels' names
    sayings = [(datetime.fromisoformat(m["at"]), _fallback(m, said)) for m in messages if m.get("at")]
    sayings += [(e.at, to_text(e.reply, names=said).replace("\n", " ")) for e in events if e.reply]
    for at, text in sorted(sayings, key=lambda s: s[0]):
        line = text.split("\n")[0]
        change = MODE_CHANGE.match(line)
        if change and line not in seen:
            seen.add(line)
            up = LEVELS.index(change.group(4)) > LEVELS.index(change.group(3))
            found.append((at, "promotion" if up else "demotion", line))
            continue
        for kind, pattern in OUTCOMES:
            hit = pattern.search(line)
            if hit and hit.group(0) not in seen:
                seen.add(hit.group(0))
                found.append((at, kind, hit.group(0) if kind in ("replication verdict", "publish refused") else line))
    for event in events:
        for kind, pattern in DEEDS:
            if pattern.search(event.what) and kind not in seen:
                seen.add(kind)
                found.append((event.at, kind, event.what))
    items = []
    for at, kind, line in sorted(found, key=lambda f: f[0])[:24]:
        week = min(max((at.date() - start).days // 7, 0), weeks)
        items.append(f'<li><a href="#week-{week}">{at:%d %b}</a> · <b>{kind}</b>: {html.escape(line[:200])}</li>')
    body = "".join(items) or "<li>Nothing decided yet.</li>"
    return f'<section class="outcome"><h2>What happened</h2><ul>{body}</ul></section>'


def write_page(
    path: Path,
    slack,
    people,
    channels,
    start: date,
    weeks: int,
    events: list[Event],
    homes: dict[str, dict[str, Any]] | None = None,
    narrow: dict[str, bytes] | None = None,
) -> Path:
    """The page: the outcome, then each week as it happened; `homes` (person: App Home
    view) closes the last section; `narrow`: the digest charts drawn for a phone
    (PhoneCharts)."""
    names = _Names(people, channels)
    charts = {f["id"]: _picture(f["content"], f.get("title") or "", narrow or {}) for f in slack.files}
    messages = sorted(slack.posted(), key=lambda m: (m.get("at") or "", m["ts"]))
    threads: dict[str, list[dict[str, Any]]] = {}
    for m in messages:
        if m.get("thread_ts"):
            threads.setdefault(m["thread_ts"], []).append(m)
    titles = {c: f"#{n}" for c, n in names.channels.items()}
    titles.update({"D" + u[1:]: f"Direct messages · {n}" for u, n in names.people.items()})
    timeline = partial(_timeline, titles=titles, names=names, charts=charts, threads=threads)
    labels = [
        (
            f"Week {week % 4 + 1} of cycle {week // 4 + 1}" if week < weeks else "After the story",
            start + timedelta(days=7 * week),
        )
        for week in range(weeks + 1)
    ]
    parts = [_head(labels, start, weeks), _outcome(messages, events, start, weeks, names)]
    for week, (label, first) in enumerate(labels):
        parts.append(_week(week, label, first, events, messages, timeline))
        if week == weeks and homes:
            parts.append(_homes(homes, names))
    parts.append("</main></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _head(labels: list[tuple[str, date]], start: date, weeks: int) -> str:
    """The page's head and its header: what the page shows, and a link to each week."""
    toc = "".join(f'<a href="#week-{i}">{html.escape(label)}</a>' for i, (label, _) in enumerate(labels))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Rollout Cadence demo</title><style>{STYLE}</style></head><body><header><h1>Rollout Cadence · demo</h1>"
        # No count of messages here: the README's picture of this first screen would go stale with it.
        f"<p>{weeks} weeks of four playbooks and an adopting team, {start:%d %B %Y} on: what people did, what they "
        f"alone were told, and what each channel and person received, week by week, in the order it happened.</p>"
        f'<nav class="toc">{toc}</nav></header><main>'
    )


def _week(
    week: int,
    label: str,
    first: date,
    events: list[Event],
    messages: list[dict[str, Any]],
    timeline: Callable[[list[Event], list[dict[str, Any]]], str],
) -> str:
    """A week's section: what people did and the channels received, then the DMs folded
    away (the story is in the channels; the DMs are there to look into). Replies in a
    thread are drawn under the message they answer, not here."""
    parts = [f'<h2 id="week-{week}">{label} · {first:%a %d %b} to {first + timedelta(days=6):%a %d %b}</h2>']
    parts.append('<div class="week">')
    did = [e for e in events if first <= e.at.date() < first + timedelta(days=7)]
    sent = [
        m
        for m in messages
        if m.get("at")
        and not m.get("thread_ts")
        and first <= datetime.fromisoformat(m["at"]).date() < first + timedelta(days=7)
    ]
    dms = [m for m in sent if m["channel"].startswith("D")]
    parts.append(timeline(did, [m for m in sent if not m["channel"].startswith("D")]))
    if dms:
        people_told = len({m["channel"] for m in dms})
        parts.append(
            f'<details class="dms"><summary>Direct messages: {len(dms)} to {people_told} people</summary>'
            + timeline([], dms)
            + "</details>"
        )
    if not did and not sent:
        parts.append('<div class="empty">Nothing happened this week.</div>')
    parts.append("</div>")
    return "".join(parts)
