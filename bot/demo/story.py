"""`rollout demo`: a whole simulated rollout, with no Slack workspace and nothing to configure.

Everything real runs: the HTTP handlers behind uvicorn with signed requests, the
storage on an SQLite file, the tick, the rules, the outbox dispatcher. Slack is the
local stand-in; people are a script; the clock is simulated, hour by hour, through three
four-week cycles and a week, the last five weeks an adopting team's baseline week and first
cycle (SUMMARY says it). The story: four playbooks in
three functions, members checking in (some late, some never), an AI-led step demoted for
its exceptions, a collaborative step promoted once its owner approves (after a member's
click is refused), a playbook hitting its target in both cycles with what its team
learned, its rubric met and its one exception resolved from the owner's Monday DM,
published with its replication kit and adopted by a second team, which reports its KPI as it works today for a
baseline week (its measured baseline), then whose first cycle meets its own target and the origin's change
against that baseline (replicated), tells the origin what it learned, and upgrades to the origin's v2; another that holds its KPI too but whose `match` step missed
its rubric in both cycles, so it is "not yet ready" and its publish refused, whose team's pulse falls in cycle 2 and holds
match's promotion in cycle 3, and whose AI-led extract falls back for a week (bot/demo/trust.py), and whose check-ins
GitHub Copilot's own records test from cycle 3, two weeks attested without usage (bot/demo/used.py); and each Monday's digest; the refunds KPI comes over the
reporting API, the sales KPI from the CRM, a source the clock asks each Monday, against the rest of its leads. What every channel and person received
is written week by week (rollout-demo.txt; the terminal shows a line a week) and as an HTML page that shows the messages as Slack would, among what people did and
the answers only they saw, and closes with the owners' and the curator's App Home.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.demo import against_the_rest, details, evidence, made, packaged, review, trust, used, view, week_forms
from bot.demo.acts import ORIGIN_WEEKS, START, Acts, SimClock
from bot.demo.cast import (
    ADMIN,
    CHANNELS,
    CURATOR,
    CURATORS,
    HABITS,
    HOMES,
    LEARNINGS,
    PEOPLE,
)
from bot.demo.page import Event, PhoneCharts, write_page
from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.slack_requests import SlackRequests
from bot.demo.transcript import week_by_week
from bot.demo.versions import travel
from bot.settings import Settings
from cadence.definition import PlaybookSpec
from cadence.definition_load import parse_playbook
from slack_api.dispatch import Dispatcher
from slack_api.members import TeamDirectory
from slack_api.pacing import Pacer
from storage import migrate
from storage.db import make_engine
from storage.store import Store
from usecases.tick import Cadence

UTC = UTC
WEEKS = 13  # and the adopting team's baseline week and first cycle (weeks 9 to 12 from 0)
SECRET = "demo-signing-secret"
TOKEN = "xoxb-demo"

# The demo plays the repository's example playbooks, so the examples are known to work. bot/demo/examples
# is a link to examples/ in a clone, and a copy of its playbooks in an installed wheel (pyproject.toml's package data).
EXAMPLES = Path(__file__).resolve().parent / "examples"
DEMO_PLAYBOOKS = ("support-replies", "refund-triage", "lead-research", "invoice-matching")
# What the demo runs, in the words the command line and the README use (tests hold them to it).
# tests/bot/demo/test_demo.py reads its numbers back against what the run did.
SUMMARY = (
    f"{WEEKS} simulated weeks: {len(DEMO_PLAYBOOKS)} playbooks in 3 functions run {ORIGIN_WEEKS // 4} four-week "
    f"cycles; then the one ready to scale is published, a fifth team adopts it for a baseline week and its first "
    f"cycle, and the others run cycle {ORIGIN_WEEKS // 4 + 1} and begin cycle {ORIGIN_WEEKS // 4 + 2} "
    f"(lead-research, paused in cycle 2, a week ahead)"
)


TRANSCRIPT = "rollout-demo.txt"  # what every channel and person received, week by week


@dataclass
class DemoResult:
    html: Path
    database: Path
    transcript: str
    messages: int
    seconds: float
    events: list[str] = field(default_factory=list)
    ended_at: datetime = field(default_factory=lambda: datetime.now(UTC))  # the story's last simulated hour
    slack_calls: dict[str, int] = field(default_factory=dict)  # how often the bot called each Slack method
    owners: week_forms.Tally = field(default_factory=week_forms.Tally)  # what the owners sent: commands, forms
    transcript_file: Path | None = None  # the transcript, written beside the page (the terminal shows progress)


class Demo(Acts):
    def __init__(self, directory: Path, say: Callable[[str], None] = print):
        self.directory = directory
        self.say = say
        self.clock = SimClock(datetime.combine(START - timedelta(days=3), time(9), tzinfo=UTC))
        self.events: list[Event] = []  # what people did, for the transcript and the page
        self.api_token = ""  # the refunds team's reporting API token, made once its playbook is (made.py)
        self.tally = week_forms.Tally()  # the owners' commands and week forms, for the closing note
        self.phone_charts = PhoneCharts()  # each digest chart drawn for a phone too, for the page

    # ---- set-up ----

    def run(self) -> DemoResult:
        import time as real_time

        began = real_time.monotonic()
        self.directory.mkdir(parents=True, exist_ok=True)
        database = self.directory / view.DATABASE
        for stale in self.directory.glob(f"{view.DATABASE}*"):
            stale.unlink(missing_ok=True)  # a run left half-done is never served as this one
        engine = make_engine(f"sqlite:///{database}")
        migrate.upgrade(engine)
        self.store = Store(engine)
        self.slack = SlackStandIn(token=TOKEN, clock=self.clock).start()
        self.copilot = used.standin(START, WEEKS)  # GitHub's Copilot records, for the clock's usage pass (used.py)
        for user, (name, tz) in PEOPLE.items():  # "Ana (owner, support)" goes by Ana: the pages say so
            self.slack.add_user(user, tz=tz, name=name, display_name=name.split(" ")[0])
        self.slack.add_user("UROLLOUTBOT", is_bot=True, name="Rollout Cadence")
        for channel, (channel_name, members) in CHANNELS.items():
            self.slack.add_channel(channel, [*members, "UROLLOUTBOT"], name=channel_name)
        settings = Settings(
            _env_file=None,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=self.slack.url,
            database_url=f"sqlite:///{database}",
            rollout_admins=ADMIN,
            rollout_timezone="UTC",
        )
        app = create_app(settings, self.store, clock=self.clock)
        from bot.http_server import InThread
        from bot.web import make_asgi

        server = InThread(make_asgi(app, self.store)).start()
        self.http = SlackRequests(server.url, SECRET)
        from slack_sdk import WebClient

        client = WebClient(token=TOKEN, base_url=self.slack.url, retry_handlers=[])
        directory = TeamDirectory(shared=self.store.memberships)  # team lists kept as bot/app.py keeps them
        self.cadence = Cadence(self.store, client, directory, "UTC", self.clock, environ=used.environ(self.copilot))
        self.cadence.digest.draw = self.phone_charts.wrap(self.cadence.digest.draw)  # the page's charts for a phone
        self.dispatcher = Dispatcher(
            self.store.outbox,
            client,
            clock=self.clock,
            sleep=lambda s: None,
            pacer=Pacer(per_channel_seconds=0, workspace_per_second=100_000),
        )
        try:
            self._story()
            view.keep_run(self.store, self.clock())  # the database is the demo's, read at its clock
        finally:
            server.stop()
            self.slack.stop()
            self.copilot.stop()
            engine.dispose()

        transcript = week_by_week(self.slack.posted(), self.events, START, WEEKS, ORIGIN_WEEKS)
        homes = {user: self.slack.views[user] for user in HOMES if user in self.slack.views}
        html = write_page(
            self.directory / "rollout-demo.html",
            self.slack,
            PEOPLE,
            CHANNELS,
            START,
            WEEKS,
            self.events,
            homes,
            self.phone_charts.narrow,
        )
        written = self.directory / TRANSCRIPT
        written.write_text(transcript + "\n", encoding="utf-8")
        seconds = real_time.monotonic() - began
        return DemoResult(
            html,
            database,
            transcript,
            len(self.slack.posted()),
            seconds,
            [f"{e.at:%a %d %b %H:%M} {e.what}" for e in self.events],
            self.clock(),
            dict(Counter(call.method for call in self.slack.calls)),
            self.tally,
            written,
        )

    # ---- the story ----

    def _story(self) -> None:
        refunds = self._set_up()
        pending: list[tuple[datetime, Callable[[], object]]] = [
            (self.at(START, 6), functools.partial(made.start_with_the_form, self, refunds, START))
        ]
        seen_dms: set[str] = set()
        hour = self.at(START - timedelta(days=1), 0)
        end = self.at(START + timedelta(days=7 * WEEKS + 1), 18)
        while hour <= end:
            self._hour(hour, pending, seen_dms)
            hour += timedelta(hours=1)
            if hour.hour == 0 and hour.weekday() == 0 and hour.date() > START:
                weeks_done = (hour.date() - START).days // 7
                self.say(f"  simulated week {weeks_done} of {WEEKS}: {len(self.slack.posted())} messages so far")
        self._open_homes()

    def _set_up(self) -> PlaybookSpec:
        """The curator and the playbooks before the first week: the others loaded from their
        files and their cycles started; refunds' spec returned, its team makes it in Slack."""
        self.clock.at = self.at(START - timedelta(days=3), 9)
        for text in (f"curator add <@{CURATOR}|cora>", f"curators-channel <#{CURATORS}|rollout-curators>"):
            self.command(ADMIN, CURATORS, text)
        import yaml

        documents = {
            name: yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")) for name in DEMO_PLAYBOOKS
        }
        documents["lead-research"] = self._sourced_from_the_crm(review.with_review(documents["lead-research"]))
        documents["lead-research"] = against_the_rest.compared(
            documents["lead-research"], self.directory / "crm.db", START
        )
        documents["invoice-matching"] = trust.with_terms(documents["invoice-matching"])  # a handoff, a set
        documents["invoice-matching"] = used.with_tool(documents["invoice-matching"])  # tool: copilot
        specs = [parse_playbook(documents[name]) for name in DEMO_PLAYBOOKS]
        filed = made.load_the_others(self, specs)  # from their files; one team makes its own in Slack
        self.did(
            "lead-research's KPI comes from the sales team's CRM, an SQLite file the clock asks each Monday"
            " (sources: crm, kind sql; the sources guide)"
        )
        self.did(against_the_rest.SAID)
        for spec in filed:
            self.command(spec.owner, spec.channel, f"cycle start {spec.playbook} {START.isoformat()}")
        return next(s for s in specs if s.playbook == made.IN_SLACK)  # made with /rollout new on Monday morning

    def _hour(self, hour: datetime, pending: list[tuple[datetime, Callable[[], object]]], seen_dms: set[str]) -> None:
        """One simulated hour: what is due of `pending` (which it updates), the script, the
        clock and the sources, then what people do about the DMs they got."""
        self.clock.at = hour
        for when, action in sorted((p for p in pending if p[0] <= hour), key=lambda p: p[0]):
            pending.remove((when, action))
            action()
        self._scripted(hour)
        # The clock stays where people left it (causes before effects); sources pass as the clock's do
        self.cadence.tick(hour)
        self.cadence.sources.run_due(hour)
        self.cadence.usage.run_due(hour)  # the AI tools' usage records, as `rollout tick` pulls them
        self.dispatcher.drain(max_wait=0)
        for user in HABITS:
            for message in self.slack.posted(user):
                pending += self._on_dm(user, message, seen_dms, hour)
        pending += made.refine_after_the_stall(self, seen_dms, hour)
        pending += packaged.on_the_hour(self, seen_dms, hour, START)  # the kit and the clock's escalation
        pending += details.on_the_hour(self, seen_dms, hour)  # a prompt revised, how setup went (details.py)

    def _on_dm(
        self, user: str, message: dict[str, Any], seen_dms: set[str], hour: datetime
    ) -> list[tuple[datetime, Callable[[], object]]]:
        """What `user` will do about a DM not seen before: Ana's learning and exception
        item, anyone's check-in or reminder by their habit."""
        key = f"{user}:{message['ts']}"
        if key in seen_dms:
            return []
        later: list[tuple[datetime, Callable[[], object]]] = []
        if user == "UANA000001" and message["text"].endswith("what did it teach?"):
            seen_dms.add(key)
            later.append((hour + timedelta(hours=2), functools.partial(self._add_learning, message)))
        if user == "UANA000001" and message["text"].startswith("support-replies: 1 exception item"):
            seen_dms.add(key)
            later.append((hour + timedelta(hours=2), functools.partial(self._resolve_item, message)))
        if not message["text"].startswith(("check in", "Reminder")):
            return later
        seen_dms.add(key)
        return later + self._answer(user, message, hour)

    def _open_homes(self) -> None:
        """The owners and the curator open the App Home tab once the story ends, so the page
        shows what each of them sees there."""
        for user in HOMES:
            self.clock.at += timedelta(seconds=1)
            self.http.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"})
            self.did(f"{PEOPLE[user][0]} opened the App Home tab")

    def _late(
        self, user: str, dm: dict[str, Any], playbook_id: int, week: date
    ) -> list[tuple[datetime, Callable[[], object]]]:
        """A late habit: nothing at the check-in; at its reminder, `/rollout attest` typed
        by Sunday night (the cycle's last week) or on Monday morning, within the grace."""
        if not dm["text"].startswith("Reminder"):
            return []
        state = self.store.playbooks.state_by_id(playbook_id)
        assert state is not None
        slug = state.playbook.slug
        number = (week - START).days // 7 % 4 + 1
        if number == 4:  # week:N names a week of the current cycle: the last week is answered by Sunday night
            return [(self.at(week + timedelta(days=6), 20), lambda: self.command(user, "DLATE", f"attest {slug} yes"))]
        return [
            (
                self.at(week + timedelta(days=7), 7),  # Monday morning, for last week, within the grace
                lambda: self.command(user, "DLATE", f"attest {slug} yes week:{number}"),
            )
        ]

    def _answer(self, user: str, dm: dict[str, Any], now: datetime) -> list[tuple[datetime, Callable[[], object]]]:
        habit = HABITS.get(user, "never")
        value = next(e["value"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"])
        target = json.loads(value)
        week = date.fromisoformat(target["week"])
        if habit == "never" or (dm["text"].startswith("Reminder") and habit != "late"):
            return []
        if habit == "late":
            return self._late(user, dm, target["playbook"], week)

        def by_button() -> None:
            channel = "D" + user[1:]
            deviate = user == "UHAL000001" and (week - START).days // 7 == 4
            action = "checkin_deviation" if deviate else "checkin_attest"
            self.http.click(user, action, value, channel, dm["ts"])
            view = self.slack.opened_views[-1]
            if deviate:
                self.http.submit(
                    user,
                    view,
                    {
                        "step": {"type": "static_select", "selected_option": {"value": "outreach"}},
                        "reason": {
                            "type": "plain_text_input",
                            "value": "The prospect list was stale; I wrote to them by hand",
                        },
                    },
                )
                self.did(f"{PEOPLE[user][0]} reported a deviation on outreach (DM button)")
            else:
                self.http.submit(user, view, {"note": {"type": "plain_text_input", "value": None}})
                self.did(f"{PEOPLE[user][0]} checked in: followed the mode map (DM button)")

        return [(now + timedelta(hours=1), by_button)]

    def _scripted(self, hour: datetime) -> None:
        """What owners and curators do, by the hour: Friday afternoon's reports, what
        _ACTED and _TYPED give that hour, and the versions' travels (bot/demo/versions.py)."""
        week_index = (hour.date() - START).days // 7  # 0-based
        weekday = (hour.date() - START).days % 7
        if hour.hour == 16 and weekday == 4 and 0 <= week_index < WEEKS:  # Friday afternoon: the owners report
            self._owners_report(week_index)
        when = (week_index, weekday, hour.hour)
        if when in _ACTED:
            _ACTED[when](self)
        for user, channel, text, show_reply in _TYPED.get(when, ()):
            self.command(user, channel, text, show_reply=show_reply)
        evidence.act(self, when)  # calibration runs and a new model (bot/demo/evidence.py)
        trust.act(self, when)  # the finance team's pulse, twice, and extract's fallback (bot/demo/trust.py)
        used.act(self, when)  # the usage file loaded, and Copilot's records against the check-ins (bot/demo/used.py)
        travel(self, week_index, weekday, hour)  # versions and learnings both ways (bot/demo/versions.py)


# The hours of the script, as (week of the story from 0, weekday from Monday 0, hour UTC).
# What people click and answer that hour (Demo's methods), before what they type.
_ACTED: dict[tuple[int, int, int], Callable[[Demo], None]] = {
    (4, 0, 14): Demo._promote_send,  # cycle 2's first Monday: support-replies' send promoted
    (3, 3, 16): Demo._answer_the_pulse,  # cycle 1's week 4, Thursday: the support team's pulse
    (5, 1, 10): Demo._decide_proposal,  # Tuesday of cycle 2's week 2: the proposal, which waited, is decided
    (ORIGIN_WEEKS, 0, 15): Demo._publish_and_adopt,  # cycle 2 closed: publish and adopt
}
# What people type that hour, in order: who, where, the command, whether the page shows its reply.
_TYPED: dict[tuple[int, int, int], tuple[tuple[str, str, str, bool], ...]] = {
    (0, 4, 17): (("UIDA000001", "CFINANCE01", "rubric invoice-matching extract 97%", True),),  # no rubric by design
    (1, 0, 9): (("UCHLOE0001", "CSALES0001", "status lead-research", True),),  # the sales KPI came from the CRM
    (1, 5, 11): (("UBEN000001", "CREFUNDS01", "status refund-triage", True),),  # where the refunds KPI came from
    (3, 1, 11): (("UBEN000001", "CREFUNDS01", "history refund-triage classify 3", True),),  # why was classify demoted?
    (4, 2, 11): (("UBEA000001", "CSUPPORT01", "kpi support-replies 13 week:3", True),),  # late, for a closed week
    (5, 2, 9): (("UCHLOE0001", "CSALES0001", "pause lead-research team offsite", True),),  # the sales team's week off
    (6, 3, 9): (("UCHLOE0001", "CSALES0001", "resume lead-research", True),),  # back: the next cycle starts on Monday
    (10, 0, 9): (("UGIA000001", "CSALES0001", "status lead-research", True),),  # research recovering (review.py)
    (ORIGIN_WEEKS, 0, 15): ((CURATOR, CURATORS, "publish invoice-matching", True),),  # held its KPI, not ready
    (WEEKS, 0, 15): ((CURATOR, CURATORS, "registry Support", True),),  # the adopter's first cycle closed
    (11, 0, 10): (("UCHLOE0001", "CSALES0001", f"learn lead-research {against_the_rest.LEARNED} cycle:3", True),),
    **{  # what the teams learned, by command
        (week, 2, 11): (
            ("UBEA000001", "CSUPPORT01", f"learn support-replies {LEARNINGS[week]}", True),
            ("UJON000001", "CFINANCE01", f"learn invoice-matching {LEARNINGS[f'invoice-{week}']}", False),
        )
        for week in (1, 5)
    },
}


def run(directory: Path, say: Callable[[str], None] = print) -> DemoResult:
    return Demo(directory, say).run()
