"""What the demo's people do in the story (bot/demo/story.py), hour by hour of its script:
the owners' week forms and reports (by form, by API, from the CRM), the commands they type,
a proposal decided, a version published and adopted, an item resolved, the pulse answered,
a learning added; each told as an event of the page. `Acts` is a base of `Demo`, which sets
up what they act through (the Slack stand-in, the HTTP server, the dispatcher) and the
simulated clock (`SimClock`)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.demo import against_the_rest, evidence, review, week_forms
from bot.demo.cast import (
    APAC,
    APAC_OWN,
    APAC_OWNER,
    CHAMPION,
    CURATOR,
    CURATORS,
    INVOICE_HOURS,
    LEADS,
    LEARNINGS,
    PEOPLE,
    PILOT_CONDITION,
    SUPPORT_OWNER,
)
from bot.demo.page import Event
from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.slack_requests import SlackRequests
from bot.demo.value import report_accepted, report_matched
from cadence.report_kinds import ReportKind
from slack_api.dispatch import Dispatcher

START = date(2027, 1, 4)  # the Monday cycle 1 starts
ORIGIN_WEEKS = 8  # the origin's two cycles; then it is published and adopted
# The adopting team's KPI as it works today, in its baseline week: their mean, 45 (the
# baseline it declared), is its baseline, measured.
BASELINE_READINGS = (46, 44, 45)


class SimClock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Acts:
    """What the demo's people do, hour by hour of the script, as a base of Demo (story.py),
    which sets up what they act through."""

    directory: Path
    clock: SimClock
    events: list[Event]
    api_token: str
    tally: week_forms.Tally
    http: SlackRequests
    slack: SlackStandIn
    dispatcher: Dispatcher

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=UTC)

    def did(self, what: str) -> None:
        self.events.append(Event(self.clock(), what))

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str:
        self.clock.at += timedelta(seconds=1)  # people type one command after another, not all at once
        self.tally.commands += user in week_forms.OWNERS
        reply = self.http.command(text, user, channel)
        shown = reply.body if show_reply and isinstance(reply.body, dict) else None  # the ephemeral answer
        self.events.append(Event(self.clock(), f"{PEOPLE[user][0]}: /rollout {text}", PEOPLE[user][0], shown))
        return json.dumps(reply.body or {}, ensure_ascii=False)

    def _owners_report(self, week: int) -> None:
        kpis = {
            "support-replies": [16, 14, 14, 13, 13, 12, None, 12, 12, 11, 12, 11, 11][week],
            "refund-triage": [4.6, 4.2, 3.9, 3.7, 3.5, 3.1, 2.9, 2.8, 2.8, 2.7, 2.6, 2.6, 2.5][week],
            "lead-research": LEADS[week],
        }
        # Each owner reports the week's step numbers in one form (bot/demo/week_forms.py has them).
        if week == ORIGIN_WEEKS:  # the adopting team in Singapore, in its baseline week: the KPI as it works today
            week_forms.report(self, week_forms.ADOPTER, week)  # the form takes the baseline week as any week
            for reading in BASELINE_READINGS:
                self.command("UEVE000001", APAC, f"kpi support-replies-support-apac {reading}")
        elif week > ORIGIN_WEEKS:  # in its first cycle
            week_forms.report(self, week_forms.ADOPTER, week)
            # its own target met, and the origin's change against its measured baseline: replicated
            apac = [22, 19, 18, 17][week - ORIGIN_WEEKS - 1]
            self.command("UEVE000001", APAC, f"kpi support-replies-support-apac {apac}")
            self.command("UEVE000001", APAC, "guardrail support-replies-support-apac 4.8")
        ana, ben = "UANA000001", "UBEN000001"
        week_forms.report(self, "support-replies", week)
        report_accepted(self, week)  # the helpdesk's accepted replies, which its value measure counts
        if week == 3:
            self.command(ana, "CSUPPORT01", "exception support-replies send Sent a refund promise outside policy")
            # The same exception logged twice by mistake: undo takes the duplicate back.
            self.command(ana, "CSUPPORT01", "exception support-replies send Sent a refund promise outside policy")
            self.command(ana, "CSUPPORT01", "undo support-replies", show_reply=True)
        if kpis["support-replies"] is not None:
            self.command("UBEA000001", "CSUPPORT01", f"kpi support-replies {kpis['support-replies']}")
            self.command("UBEA000001", "CSUPPORT01", "guardrail support-replies 4.7")
        week_forms.report(self, "refund-triage", week)
        for i in range(6 if week == 2 else 1):
            self.command(ben, "CREFUNDS01", f"exception refund-triage classify Misfiled claim #{1040 + i}")
        self._api_report("refund-triage", ReportKind.KPI, float(kpis["refund-triage"] or 0))
        report_matched(self, week)  # the ERP's matched invoices, which its value measure counts
        week_forms.report(self, "invoice-matching", week)  # match below the 90% threshold, every week
        self.command("UJON000001", "CFINANCE01", f"kpi invoice-matching {INVOICE_HOURS[week]}")
        week_forms.report(self, "lead-research", week)
        review.exceptions(self, week)  # research over its cap once: demoted to human-led review
        if week == 0:  # typed, it is refused: the CRM feeds it
            self.command("UGIA000001", "CSALES0001", f"kpi lead-research {kpis['lead-research']}", show_reply=True)
        # Week 2 would complete research's PASS streak, but the bounce rate jumps past its
        # guardrail: no proposal that week, and the streak starts over.
        bounce = [3.1, 7.4, 3.0, 2.8, 2.9, 3.2, 3.0, 2.7, 2.8, 2.6, 2.9, 2.7, 2.8][week]
        self.command("UGIA000001", "CSALES0001", f"guardrail lead-research {bounce}", show_reply=week == 1)

    def _sourced_from_the_crm(self, document: dict[str, Any]) -> dict[str, Any]:
        """lead-research as its example file says, with its KPI pulled from the sales team's
        CRM: an SQLite file the demo writes, a row per qualified lead (docs/sources.md)."""
        import sqlite3

        crm = self.directory / "crm.db"
        crm.unlink(missing_ok=True)
        connection = sqlite3.connect(crm)
        connection.execute("create table leads (qualified_at text)")
        against_the_rest.add_leads(connection, "insert into leads values (?)", LEADS, START, 9)
        document = evidence.with_evidence(document, connection, START)  # research's evidence (bot/demo/evidence.py)
        connection.commit()
        connection.close()
        query = "select count(*) from leads where qualified_at >= :week_start and qualified_at < :week_end"
        return {
            **document,
            "sources": {"crm": {"kind": "sql", "url": f"sqlite:///{crm.resolve()}"}},
            "kpi": {**document["kpi"], "from": {"source": "crm", "query": query}},
        }

    def _api_report(self, playbook: str, kind: ReportKind, value: float) -> None:
        """What the ticketing system reports, as a scheduled job would (docs/api.md)."""
        self.clock.at += timedelta(seconds=1)
        body = json.dumps(
            {"playbook": playbook, "kind": kind, "value": value, "key": f"{kind}-{self.clock():%Y-%m-%d}"}
        )
        headers = {"Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json"}
        reply = self.http.post("/api/v1/reports", body, headers)
        counts_for = (reply.body or {}).get("accepted", [{}])[0].get("counts_for", reply.body)
        self.did(
            f"refunds-export (reporting API): {kind} {playbook} {value:g} → {reply.status}, counts for {counts_for}"
        )

    def _proposal(self, channel: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The first proposal posted to `channel`, and its Approve button."""
        message = next(m for m in self.slack.posted(channel) if m["text"].startswith("Proposal:"))
        approve = next(
            e
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "proposal_approve"
        )
        return message, approve

    def _decide_proposal(self) -> None:
        message, approve = self._proposal("CSALES0001")
        self.http.click("UGIA000001", "proposal_approve", approve["value"], "CSALES0001", message["ts"], "proposal")
        self.did("Gia clicked Approve: refused, only the owner or a curator decides")
        self.http.click("UCHLOE0001", "proposal_approve", approve["value"], "CSALES0001", message["ts"], "proposal")
        self.did("Chloé (owner) clicked Approve: research becomes ai-led")

    def _promote_send(self) -> None:
        """Ana approves the promotion of send, proposed after its passing weeks, as cycle 2 begins."""
        message, approve = self._proposal("CSUPPORT01")
        self.http.click("UANA000001", "proposal_approve", approve["value"], "CSUPPORT01", message["ts"], "proposal")
        self.did("Ana (owner) clicked Approve: send becomes ai-led, and half as many of its replies are checked")

    def _assess_the_pilot(self) -> None:
        """Ana, told support-replies is ready to scale, assesses its pilot from her DM: the
        form filled in with what the bot measured, and one pilot condition of her own."""
        offer = next(m for m in self.slack.posted(SUPPORT_OWNER) if m["text"].endswith("say what made the pilot work"))
        button = next(e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"])
        self.http.click(SUPPORT_OWNER, "assess_open", button["value"], "D" + SUPPORT_OWNER[1:], offer["ts"], "assess")
        view = self.slack.opened_views[-1]
        filled = {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"] if b["type"] == "input"}
        manual = "\n".join(filter(None, [filled["manual_pilot"], PILOT_CONDITION]))
        self.http.submit_filled(SUPPORT_OWNER, view, {"manual_pilot": manual})
        self.did(f"Ana assessed support-replies' pilot from her DM; one pilot condition of her own: {PILOT_CONDITION}")

    def _caught_as_a_near_duplicate(self, monday: str) -> None:
        """Dan starts his team's own reply drafting with /rollout new; the form shows the
        published version that measures the same KPI, and he asks to adopt it instead."""
        self.command(APAC_OWNER, APAC, "new")
        view = self.slack.opened_views[-1]
        reply = self.http.submit_filled(APAC_OWNER, view, {**APAC_OWN, "channel": APAC, "start": monday})
        shown = json.dumps(reply.body, ensure_ascii=False) if isinstance(reply.body, dict) else ""
        if "support-replies v1 (Support), same KPI First-response time (min)" not in shown:
            raise RuntimeError("the demo's near-duplicate was not caught")
        self.did(
            "Dan began /rollout new for his team's replies; the form showed support-replies v1 (Support), same KPI "
            "First-response time (min): he asks to adopt it instead, and nothing was made"
        )

    def _publish_and_adopt(self) -> None:
        self._assess_the_pilot()
        self._publish()
        monday = (START + timedelta(days=7 * ORIGIN_WEEKS)).isoformat()
        self.command(
            CURATOR,
            CURATORS,
            f"adopt support-replies@v1 <#{APAC}|support-apac> owner <@{APAC_OWNER}|dan> baseline:45 target:28 "
            f"tz:Asia/Singapore rubric:0.8",
            show_reply=True,  # refused: the kit does not let an adopting team change the rubric threshold
        )
        self._caught_as_a_near_duplicate(monday)
        # Dan's team asks for it; Cora approves the request's card, which runs the adopt.
        self._request_adoption()
        self._approve_the_request()
        # Dan starts it this Monday: an adopter's first cycle comes after a baseline week
        # (docs/judgement.md, "The baseline week"), so this week is its baseline week, in which
        # the team reports its KPI as it works today, and cycle 1 starts next Monday.
        self.command(APAC_OWNER, APAC, f"cycle start support-replies-support-apac {monday}", show_reply=True)
        self.dispatcher.drain(max_wait=0)
        self._first_training_item()

    def _publish(self) -> None:
        """Cora publishes the playbook ready to scale from its card."""
        ready = next(m for m in self.slack.posted(CURATORS) if m["text"].endswith("is ready to scale"))
        publish = next(e for b in ready["blocks"] if b["type"] == "actions" for e in b["elements"])
        self.http.click(CURATOR, "scale_publish", publish["value"], CURATORS, ready["ts"], "scale")
        self.did("Cora (curator) clicked Publish: support-replies v1 is in the registry")

    def _request_adoption(self) -> None:
        """Dan's team asks to adopt it, answering the expansion criteria in the request's form."""
        self.command(
            APAC_OWNER,
            APAC,
            f"request support-replies@v1 <#{APAC}|support-apac> champion <@{CHAMPION}|eve> baseline:45 target:28 "
            "tz:Asia/Singapore why Same helpdesk and refund policy, Singapore hours",
            show_reply=True,
        )
        answers = {
            "similar": "The same helpdesk, macros and refund policy",
            "context": "Singapore hours, English and Mandarin tickets",
            "capacity": "Two agents can pilot it for four weeks",
        }
        self.http.submit_filled(APAC_OWNER, self.slack.opened_views[-1], answers)
        self.did("Dan answered the expansion criteria in the request's form: similar workflow, other context, capacity")

    def _approve_the_request(self) -> None:
        """Cora sees where it rolls next, then approves the request's card, which runs the adopt."""
        self.dispatcher.drain(max_wait=0)
        self.command(CURATOR, CURATORS, "next", show_reply=True)  # where it rolls next: the request ranked first
        card = next(m for m in self.slack.posted(CURATORS) if "asks to adopt" in m["text"])
        approve = next(
            e
            for b in card["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "request_approve"
        )
        self.http.click(CURATOR, "request_approve", approve["value"], CURATORS, card["ts"], "request")
        self.did("Cora (curator) approved support-apac's request: the same adopt, Dan owns it, Eve is its champion")

    def _first_training_item(self) -> None:
        """Eve, the champion, marks the first training item of her checklist done."""
        checklist = next(m for m in self.slack.posted(CHAMPION) if "Your checklist as champion" in m["text"])
        first = next(b["accessory"] for b in checklist["blocks"] if "accessory" in b)
        self.http.click(CHAMPION, "checklist_mark", first["value"], "D" + CHAMPION[1:], checklist["ts"], "item-0")
        self.did("Eve (champion) marked the first training item of her checklist done")

    def _resolve_item(self, dm: dict[str, Any]) -> None:
        """The owner, who answers for the exception queue, resolves the item of the Monday DM."""
        user = "UANA000001"
        button = next(
            e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "item_resolve"
        )
        self.http.click(user, "item_resolve", button["value"], "D" + user[1:], dm["ts"], "item")
        view = self.slack.opened_views[-1]
        note = "Refund promises now go through the refunds step; the macro was fixed"
        self.http.submit(user, view, {"note": {"type": "plain_text_input", "value": note}})
        self.did(f"Ana (owner, support) resolved the open exception item from her Monday DM: “{note}”")

    def _answer_the_pulse(self) -> None:
        """Week 4's Thursday: the support team answers the cycle's anonymous pulse with
        `/rollout pulse`; four people are too few to show (the floor is five)."""
        answers = {
            "UANA000001": ("4", "never", "5", "quality"),
            "UBEA000001": ("3", "sometimes", "4", "new"),
            "UCEM000001": ("4", "never", "4", "same"),
            "UDIA000001": ("2", "sometimes", "3", "none"),
        }
        for user, picked in answers.items():
            self.clock.at += timedelta(seconds=1)
            self.http.command("pulse support-replies", user, "CSUPPORT01")  # not an owner's report: not tallied
            view = self.slack.opened_views[-1]
            values = {
                block: {"type": "radio_buttons", "selected_option": {"value": value}}
                for block, value in zip(("trust", "around", "safety", "freed"), picked, strict=True)
            }
            self.http.submit(user, view, values)
        self.did("the support team answered the cycle's anonymous pulse (/rollout pulse): 4 of 4, too few to show")

    def _add_learning(self, dm: dict[str, Any]) -> None:
        """The owner answers the week-4 DM with its *Add a learning* form."""
        user = "UANA000001"
        button = next(e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"])
        self.http.click(user, "learning_add", button["value"], "D" + user[1:], dm["ts"], "learning")
        view = self.slack.opened_views[-1]
        cycle = dm["text"].split(" ", 2)[1]  # "Cycle 3 of support-replies ends on Sunday: ..."
        text = LEARNINGS[f"owner-{cycle}"]  # each cycle's own: cycle 3 once added cycle 2's again
        self.http.submit(user, view, {"text": {"type": "plain_text_input", "value": text}})
        self.did(f"Ana (owner, support) answered the week-4 DM with a learning: “{text}”")
