"""`judgement: confident` on the fakes (docs/judgement.md): a confident playbook waits for
evidence, then proposes; an adopting team's first cycle proposes no step above the adopted
mode, and its promotions wait for its champion's training. Reports typed (tests/usecases/
fast/slash.py), weeks closed by the clock (tests/usecases/fast/ticking.py). The setting stored as the command line loads a file is
tests/usecases/test_judgement_close.py's."""

from __future__ import annotations

import json
from datetime import date, timedelta

from cadence import keys
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, CURATOR, OWNER, FakeDirectory
from tests.usecases.fast.slash import publish_over, report_week, slash
from tests.usecases.fast.test_close_modes import CURATORS, NO_SET, close_of, wednesday
from tests.usecases.fast.ticking import Ticking
from usecases import champions

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"
KPI = {1: 30, 2: 31, 3: 29, 4: 32}
SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"


def draft_no_set(steps):
    return [{**s, **NO_SET} if s["name"] == "draft" else s for s in steps]


def world(state):
    directory = FakeDirectory({state.playbook.channel_id: [OWNER, "UMEMBER001"], SALES: [SALES_OWNER]})
    services = fakes.services(state, now=wednesday(1), org_timezone="UTC", directory=directory)
    fakes.store_of(services).org.set_setting("curators_channel", CURATORS, ADMIN, wednesday(1))
    return services, Ticking(services)


def verdicts(clock, step):
    return [
        (d["week_start"].isoformat() if d["week_start"] else None, d["rule"])
        for d in clock.store.held.decisions
        if d["kind"] == "verdict" and d["summary"].startswith(step)
    ]


def closed(clock, week):
    [message] = [
        m
        for m in clock.store.held.sent(CHANNEL)
        if m.payload["text"] == f"support-replies: week {week} of cycle 1 closed"
    ]
    return json.dumps(message.payload["blocks"], ensure_ascii=False)


def test_a_confident_playbook_waits_for_evidence_then_proposes():
    """20 cases without an exception and a 95% rubric, two weeks running: classic proposes
    (test_governance's first test); confident cannot tell 0 of 20 (CI 0–16%) from the 10%
    cap, so both weeks are INCONCLUSIVE and no proposal is made. 200 cases with 2
    exceptions and a 99% rubric, two weeks running: PASS, PASS, and the proposal."""
    steps = [{**s, "rubric": "none"} if s["name"] == "send" else s for s in draft_no_set(fakes.definition()["steps"])]
    services, clock = world(fakes.a_playbook(steps=steps, judgement="confident", cycle_started=date(2026, 11, 16)))
    state = clock.store.playbooks.state("support-replies")
    assert state.settings.judgement == "confident"
    assert [s.get("rubric") for s in state.playbook.definition["steps"]] == [None, "none", None]
    for week in (1, 2):
        report_week(services, week, kpi=str(KPI[week]))
        clock.run(close_of(week))
    assert PROPOSAL not in clock.texts(CHANNEL)
    assert (
        ":white_circle: *draft* (collaborative) INCONCLUSIVE: too few cases to be sure: exceptions 95% CI 0–16% "
        "(cap 10%), rubric 95% CI 76–99% (threshold 90%); 20 cases, 0 exceptions = 0% (95% CI 0–16%, cap 10%), "
        "rubric 95% (every case reviewed, 95% CI 76–99%)\\n"
    ) in closed(clock, 1)
    for week in (3, 4):
        report_week(services, week, draft=(200, 2, "99%"), kpi=str(KPI[week]))
        if week == 3:  # status: each ratio with its interval, and the cycle's KPI change so far
            status = slash(services, "status support-replies")
            assert "200 cases · 2 exceptions = 1% (95% CI 0–4%, cap 10%)" in status
            assert "rubric 99% (every case reviewed, 95% CI 96–100%, threshold 90%)" in status
            assert "KPI change in cycle 1 so far: −12.0 min from baseline, 95% CI −14.5 to −9.5." in status
        clock.run(close_of(week))
    assert PROPOSAL in clock.texts(CHANNEL)
    # the cycle's KPI change: mean of 30, 31, 29, 32 = 30.5, minus 42; t(3 df) on sd 1.29
    assert "KPI change over cycle 1: −11.5 min from baseline, 95% CI −13.6 to −9.4." in closed(clock, 4)
    assert verdicts(clock, "draft") == [
        ("2026-11-16", "5c-interval-spans-a-bound"),
        ("2026-11-23", "5c-interval-spans-a-bound"),
        ("2026-11-30", "4c-surely-within-cap-rubric-met"),
        ("2026-12-07", "4c-surely-within-cap-rubric-met"),
    ]
    # send: AI-led without a rubric, 20 cases a week: the ratio alone. 0 of 20 is not sure
    # (CI 0-16%); pooled with the week before, 0 of 40 is (CI 0-8.8%)
    assert verdicts(clock, "send") == [
        ("2026-11-16", "5c-interval-spans-a-bound"),
        ("2026-11-23", "4c-surely-within-cap-ai-led-no-rubric"),
        ("2026-11-30", "4c-surely-within-cap-ai-led-no-rubric"),
        ("2026-12-07", "4c-surely-within-cap-ai-led-no-rubric"),
    ]
    body = closed(clock, 2)
    assert "*send* (ai-led) PASS: sure over the last 2 weeks: exceptions 0 of 40, 95% CI 0–9%; 20 cases" in body
    # draft's rubric is pooled too: 38 of 40 passing review reach down to 83%, short of 90%
    assert (
        "*draft* (collaborative) INCONCLUSIVE: not sure yet over the last 2 weeks: exceptions 0 of 40, "
        "95% CI 0–9% (cap 10%), rubric 95% CI 83–99% (threshold 90%)"
    ) in body


def report_sales(services, week):
    """The adopting team's owner reports a week that passes every step (origin week `week`)."""
    services.clock.at = wednesday(week)

    def typed(text):
        return slash(services, text, SALES_OWNER, SALES)

    assert "cases" in typed("cases support-replies-sales draft 20")
    assert "Rubric" in typed("rubric support-replies-sales draft 95%")
    typed("cases support-replies-sales send 20")
    typed("cases support-replies-sales refunds 12")
    typed("rubric support-replies-sales refunds 0.91")


def test_an_adopting_teams_first_cycle_proposes_no_step_above_the_adopted_mode():
    """A second pilot, not a copy: support-replies v1 has draft collaborative. The team
    adopting it passes draft every week; in its first cycle no proposal to make draft
    AI-led (classic would make one after two weeks), in its second cycle the proposal."""
    services, clock = world(fakes.a_playbook(steps=draft_no_set(fakes.definition()["steps"]), cycle_started=None))
    assert "support-replies v1" in publish_over(services, "publish support-replies override a second pilot")
    adopted = slash(
        services, f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-16", CURATOR
    )
    assert "*support-replies-sales* now runs in" in adopted
    proposal = "Proposal: support-replies-sales / draft collaborative → ai-led"
    for week in (2, 3, 4, 5):  # the adopting team's cycle 1
        report_sales(services, week)
        if week == 3:  # status says why
            said = slash(services, "status support-replies-sales", SALES_OWNER, SALES)
            assert "First cycle of an adoption: no step is proposed above its mode in support-replies v1" in said
        clock.run(close_of(week))
    assert proposal not in clock.texts(SALES)
    assert {rule for _, rule in verdicts(clock, "draft")} == {"4-within-cap-rubric-met"}
    for week in (6, 7):  # its cycle 2: two PASS weeks more
        report_sales(services, week)
        clock.run(close_of(week))
    assert proposal in clock.texts(SALES)
    assert "First cycle of an adoption" not in slash(services, "status support-replies-sales", SALES_OWNER, SALES)


def test_an_adopters_first_cycle_promotions_wait_for_the_champions_training():
    """A champion before autonomy (docs/playbooks.md, "Champions"): in an adopting team's
    first cycle no promotion proposal is posted while the champion's training items (the
    kit's training and checks) are not all done, and status says so; once they are, the
    next PASS week proposes. The checklist's buttons clicked through usecases/champions.py."""
    champion, proposal = "UCHAMPION1", "Proposal: support-replies-sales / draft human-led → collaborative"
    kit = {
        "runbook": "https://wiki.example.com/support-replies",
        "training": ["https://wiki.example.com/ai-drafting-101", "Shadow the origin team for one week"],
        "checks": ["Draft 10 sample tickets and review them before week 1"],
    }
    services, clock = world(fakes.a_playbook(replication=kit, cooldown_weeks=0, cycle_started=None))
    services.directory.members[SALES] = frozenset([SALES_OWNER, champion])
    assert "support-replies v1" in publish_over(services, "publish support-replies override a second pilot")
    adopt = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> champion <@{champion}> start:2026-11-16"
    assert "Champion: <@UCHAMPION1>." in slash(services, adopt, CURATOR)
    [dm] = [m for m in clock.store.held.sent(champion) if "Your checklist as champion" in m.payload["text"]]
    buttons = [
        b["accessory"] for b in dm.payload["blocks"] if b.get("accessory", {}).get("action_id") == "checklist_mark"
    ]

    def click(index):
        """The champion's click of the checklist's item `index`, in their DM."""
        target = keys.read_checklist_button(buttons[index]["value"])
        champions.mark(fakes.caller(services, champion), *target, ("D" + champion[1:], "1700000000.000100"))

    # a trained champion before access: every step starts human-led, to earn its way up
    said = slash(services, "mode support-replies-sales draft human-led start by hand", CURATOR, SALES)
    assert "draft already is human-led" in said
    for index in (0, 1):
        click(index)
    for week in (2, 3):  # two PASS weeks: a proposal but for the training
        report_sales(services, week)
        clock.run(close_of(week) + timedelta(hours=2))  # the team's zone is UTC: its weeks close later
    assert proposal not in clock.texts(SALES)
    status = slash(services, "status support-replies-sales", SALES_OWNER, SALES)
    assert "No step goes up: waiting for the champion's training (2 of 3 items), <@UCHAMPION1>'s to mark" in status

    clock.clock.at = wednesday(4)
    click(2)
    status = slash(services, "status support-replies-sales", SALES_OWNER, SALES)
    assert "waiting for the champion's training" not in status
    assert f"Champion <@{champion}>: checklist 3 of 3 done" in status
    report_sales(services, 4)
    clock.run(close_of(4) + timedelta(hours=2))
    assert clock.texts(SALES).count(proposal) == 1  # the next PASS week proposes
