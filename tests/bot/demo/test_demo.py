"""`rollout demo` tells the whole story, through the real handlers, and draws it."""

import re
from datetime import date, datetime, timedelta

import pytest

from bot.demo.acts import ORIGIN_WEEKS, START
from bot.demo.cast import CHANNELS
from bot.demo.story import WEEKS, DemoResult
from slack_api.members import TeamDirectory

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out

DMS = re.compile(r'<details class="dms"><summary>.*?</details>', re.S)


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    """The run's one story (tests/bot/conftest.py), for every test here."""
    return demo_result


@pytest.fixture(scope="module")
def page(demo) -> str:
    return demo.html.read_text(encoding="utf-8")


def weeks(page: str) -> list[tuple[date, str]]:
    """Each week's section of the page, with its first day."""
    sections = page.split('<h2 id="week-')[1:]
    return [(START + timedelta(days=7 * int(s.split('"')[0])), s) for s in sections]


def times(html: str) -> list[datetime]:
    return [datetime.fromisoformat(at) for at in re.findall(r'data-at="([^"]+)"', html)]


def test_the_demo_runs_the_whole_story(demo, page):
    transcript = demo.transcript
    assert "refund-triage · classify: ai-led → collaborative. Exceptions 6/20 = 30% > 2 × cap 10%" in transcript
    assert "Gia clicked Approve: refused" in transcript
    assert "support-replies · send: collaborative → ai-led, approved by @Ana (owner, support)." in transcript
    assert "Approved by @Chloé (owner, sales): research is now ai-led." in transcript
    assert "Support reply drafting (support-replies, Support) is ready to scale: 2 cycles in a row hit" in transcript
    assert "support-replies v1 is in the registry" in transcript
    # in the order it happened: the proposal, then the curator's click on it
    assert transcript.index("is ready to scale: 2 cycles") < transcript.index("Cora (curator) clicked Publish")
    assert "support-replies-support-apac now runs in #support-apac, adopted from support-replies v1" in transcript
    # teams opt in: Dan's request, its card approved by the curator, and the champion's checklist
    assert "Dan answered the expansion criteria in the request's form" in transcript
    assert "#support-apac asks to adopt support-replies v1. Requested by @Dan (owner, support APAC)" in transcript
    assert "Similar workflow: The same helpdesk, macros and refund policy" in transcript
    # the exception queue: an item resolved from its owner's Monday DM, with a note
    assert "Ana (owner, support) resolved the open exception item from her Monday DM" in transcript
    assert "Approved by @Cora (curator): support-replies-support-apac now runs in #support-apac." in transcript
    assert "Eve (champion) marked the first training item of her checklist done" in transcript
    assert '🏆 Champion <span class="mention">@Eve</span>: checklist 1 of 3 done' in page  # in Dan's App Home
    # every Monday from cycle 1 week 2 (the first closed week) to after the adopter's cycle: none before (issue 54, item 10)
    assert transcript.count("ROLLOUT DIGEST") == 13
    # replication: learnings, readiness, the kit reaching the adopting team, and its verdict
    assert "Added to support-replies, cycle 1 (1 learning now)" in transcript
    assert "answered the week-4 DM with a learning" in transcript
    # versions and learnings both ways: the adopter's learning reaches the origin's owner, v2 tells the adopter, it upgrades
    assert (
        "from teams that adopted <b>support-replies</b>" in page and "Singapore customers read a draft faster" in page
    )
    assert "support-replies v2 is in the registry. support-replies-support-apac runs v1" in transcript
    assert "Dan (owner, support APAC) clicked Upgrade in his DM" in transcript
    assert "support-replies-support-apac now runs support-replies v2 (was v1)" in transcript
    assert "✅ Attestation 75% (24 of 32 check-ins answered) ≥ 75%" in transcript
    assert "does not let an adopting team set rubric:" in transcript
    # ready means its rubric too: draft met 90% in 3 of 4 weeks of each cycle (issue 42), and
    # the AI-led send has scores to show it (no evidence is not a pass, issue 70)
    assert (
        "✅ Output accuracy (3 of 4 weeks needed in each cycle): draft: 3 of 4, 3 of 4 weeks ≥ 90%; "
        "send: 4 of 4, 4 of 4 weeks ≥ 90%; refunds: 4 of 4, 4 of 4 weeks ≥ 90%"
    ) in transcript
    # invoice-matching held its KPI too, but match missed its rubric in both cycles: not yet ready, publish refused
    short = (  # how far match was: its score beside the threshold (issue 54, item 11)
        "❌ Output accuracy (3 of 4 weeks needed in each cycle): match: 0 of 4, 0 of 4 weeks ≥ 90% (score 85%); "
        "no evidence: pay reviewed in 0 of 8 weeks; extract: none: no rubric by design"
    )
    not_ready = "Invoice matching (invoice-matching): KPI sustained, not yet ready to scale."
    assert not_ready in transcript and "but 3 of the 8 criteria are missing" in transcript
    # silence is never a pass (issue 81): a bare input is ❌, a declared none shows its reason
    assert "❌ Input contract: open purchase orders: no owner, refresh or when-missing" in transcript
    assert "open purchase orders: no check or check: none, invoice PDF: none: the ERP's import" in transcript
    assert "➖ Input reliability: none: ticket text: typed by the customer" in transcript
    assert transcript.index(not_ready) < transcript.index(short)
    refused = transcript[transcript.index("Cora (curator): /rollout publish invoice-matching") :]
    assert "(only to them) ⚠️ invoice-matching is not yet ready to scale:" in refused and short in refused
    assert "invoice-matching v1" not in transcript
    assert "Step extract of invoice-matching has no rubric by design (`rubric: none` in its definition)" in transcript
    assert "Runbook: https://wiki.example.com/support-replies" in transcript
    assert "What support-replies learned (newest first)" in transcript
    # issue 69, item 3: the verdict shows the adopter's relative change against the origin's
    # issue 81: the adopter's baseline measured in its baseline week (45 min, the mean of its 3 readings), its
    # first cycle meets its own target (28 min) and the origin's change against it: replicated. (Before every
    # adopter's first cycle took a baseline week, its declared baseline kept it "on track": −39%, 56%.)
    both = "−58% against the origin's −71%: 82% (needs 80%)"
    assert f"adopted by support-replies-support-apac (cycle 1: replicated, {both})" in transcript
    assert "Your target asks −38% where the origin reached −71%: you may hit it and" in transcript
    # issue 69, item 1: a loosening waits for a curator, and applies from the next cycle
    assert "asks to change the bar of refund-triage" in transcript and "• exception cap 10% → 15%" in transcript
    # its card names what the replay found under the asked bar (issue 93)
    assert "What the replay found" in transcript and "under the asked bar, " in transcript
    assert "approved @Ben (owner, refunds)'s change to the bar of" in transcript
    assert "refund-triage, from week 1 of cycle 4 (29 Mar)" in transcript
    # numbers from another system: the refunds KPI over the reporting API, and its provenance
    assert "refunds-export (reporting API): kpi refund-triage 4.6 → 201" in transcript
    assert "reported by token refunds-export" in transcript
    # and the ERP's matched invoices, which invoice-matching's value measure counts (its YAML's value:)
    assert "erp-export (reporting API): event invoice-matching invoice_matched 140 → 201" in transcript
    # and pulled by the clock: the sales KPI from the CRM (an SQLite source), a typed one refused
    assert "the KPI (Qualified leads a week): 24 leads, from crm at 2027-01-11 00:30" in transcript
    assert "lead-research takes the KPI (Qualified leads a week) from the source crm" in transcript
    assert "/rollout attest support-replies yes week:" in transcript  # a late check-in, by command
    # the owner's week in one form (issue 58): every owner reports the week's step numbers in one form a
    # Friday, none by command (the one rubric typed is extract's deliberate refusal); lead-research's
    # form does not open in the week between its interrupted cycle and the next
    for who, slug, numbers, forms in (
        ("Ana (owner, support)", "support-replies", 6, WEEKS),
        ("Ben (owner, refunds)", "refund-triage", 5, WEEKS),
        ("Ida (owner, finance)", "invoice-matching", 4, WEEKS),
        ("Chloé (owner, sales)", "lead-research", 5, WEEKS - 1),  # with research's cases out of scope
        ("Dan (owner, support APAC)", "support-replies-support-apac", 5, WEEKS - ORIGIN_WEEKS),
    ):
        formed = f"{who} reported the week of {slug} in one form: {numbers} numbers recorded"
        assert transcript.count(formed) == forms, slug
    # resumed, its next cycle already set: the form says when, to her, and to start nothing (issue 67, item 8)
    assert (
        "Chloé (owner, sales)'s week form for lead-research did not open: lead-research has no cycle running yet, "
        "so there is no week to report for: its cycle 3 starts on 2027-02-22, and you can report from then."
    ) in transcript
    typed = [e.split(": /rollout ", 1)[1] for e in demo.events if ": /rollout cases " in e or ": /rollout rubric " in e]
    assert typed == ["rubric invoice-matching extract 97%"] and "was refused" not in transcript
    # the closing note's figures: 56 forms and 54 other commands (3 of them the calibration set's two runs and
    # the edit form of issue 70, 1 the rest's typed KPI of issue 72, 2 the finance owner's exception and match's
    # calibration run of bot/demo/trust.py, 1 Dan's `cycle start` of issue 81, 1 Cora's `next` of issue 97), where one
    # command a number took 326
    # (issue 81's 13th week: 5 more forms, the four origins' and Dan's baseline week's, and Ben's exception and
    # late check-in; it was 51, 51 and 299 in 12 weeks)
    assert (demo.owners.forms, demo.owners.commands - demo.owners.opened, demo.owners.before) == (56, 54, 326)
    assert "in 56 forms (a /rollout week and its submission each) and sent 54 other commands" in demo.owners.said()
    assert "Withdrew your exception (“Sent a refund promise outside policy”) for step send" in transcript  # undo
    # the support team's pulse (issue 82): four answers, too few to show, said at the week-4 close
    # (the finance team's, shown, in test_the_finance_teams_pulse_falls_and_holds_a_promotion)
    support = transcript[transcript.index("Week 4 of cycle 1 of support-replies is closed") :]
    assert "Pulse of cycle 1 (anonymous): too few answers to show (4; 5 needed)" in support.split("━━━")[0]
    assert "Step send now has 1 exception in that week" in transcript
    assert "History of refund-triage · step classify" in transcript and "rule critical" in transcript
    assert "Week 3 of cycle 1 closed on Mon" in transcript and "its verdicts stand" in transcript
    assert "the guardrail Bounce rate was 7.4 % in week 2 of cycle 1, above its maximum of 5 %: BREACHED" in transcript
    assert "lead-research is paused: “team offsite”" in transcript and "Cycle 3" in transcript  # a pause, a resume
    assert "  ↳ (only to them) REFUND TRIAGE" in transcript  # the status answer, in the transcript too
    # the page opens with the story's outcome and a table of contents; direct messages fold away
    outcome = page[page.index('<section class="outcome">') : page.index("</section>")]
    for kind, what in (
        ("demotion", "refund-triage / classify: ai-led → collaborative"),
        ("promotion", "lead-research / research: collaborative → ai-led"),
        ("not yet ready", "invoice-matching: KPI sustained, not yet ready to scale"),
        ("publish refused", "invoice-matching is not yet ready to scale"),
        ("publication", "support-replies v1 is in the registry"),
        ("pulse hold", "invoice-matching: promotions to ai-led wait through cycle 3"),
        ("fallback", "invoice-matching: extract falls back to collaborative while 1 escalated item waits"),
        ("fallback ended", "invoice-matching: extract is ai-led again: the escalated items closed"),
        ("adoption", "support-replies-support-apac adopted from support-replies v1"),
        (
            "replication verdict",
            "support-replies-support-apac (cycle 1: replicated, −58% against the origin&#x27;s −71%: 82% (needs 80%))",
        ),
    ):
        assert f"<b>{kind}</b>: {what}" in outcome, kind
    assert page.index('<section class="outcome">') < page.index('id="week-0"') and f'href="#week-{WEEKS}"' in page
    assert '<details class="dms"><summary>Direct messages' in page and ":rotating_light:" not in page
    assert page.count('<img class="chart"') >= 14 and 'class="btn primary"' in page
    assert "<!channel>" not in page and "<script" not in page
    # what people typed is escaped: the curator's command names a channel as Slack sends it
    assert "/rollout adopt support-replies@v1 &lt;#CSUPAPAC01|support-apac&gt;" in page
    assert demo.messages > 150


def test_one_team_makes_its_playbook_in_slack(demo):
    """The refunds team starts with `/rollout new` on the first Monday morning, not from a
    file: the form's playbook runs the same story the file's did (its first cycle set by
    the form, its mode map in the team channel)."""
    transcript = demo.transcript
    assert "/rollout new" in transcript and "refund-triage made in Slack, no YAML; cycle 1 on" in transcript
    assert "runs in this channel, owned by" in transcript and "Mode map" in transcript
    assert transcript.index("/rollout new") < transcript.index("refund-triage made in Slack")
    # and once it stalls, its owner refines it through the stall's Refine button
    assert "clicked Refine on refund-triage's stall" in transcript
    # a new step at ai-led and an unpinned step are bar change requests, as the cap is:
    # they wait for the curator, who approves them from the next cycle
    assert "payout unpinned and the cap raised to 15% loosen the bar" in transcript
    assert "• step payout pinned → unpinned" in transcript
    assert "• step payout pinned → unpinned" in transcript


def test_the_sales_kpi_is_compared_with_the_rest_of_its_leads(demo, page):
    """Issue 72: lead-research's KPI against the rest of the sales team's leads, both from
    the CRM (a `rest_query`). Cycle 1 is better than the rest but short of its target;
    cycle 3 meets its target every week, but the rest rose as much (a good season): "no
    better than the rest, within noise", a miss, so lead-research stalls where it hit before."""
    from pathlib import Path

    from bot.demo.against_the_rest import LEARNED, REST_LEADS, SAID
    from bot.demo.cast import LEADS

    transcript = demo.transcript
    assert any(e.endswith(SAID) for e in demo.events)  # said before week 1, with the CRM
    assert "the rest's KPI (Qualified leads a week): 19, from crm at 2027-01-11 00:30" in transcript  # status
    assert "Qualified leads a week: 24 leads vs the rest 19 leads (target 35 leads" in transcript  # week 1 closed
    # cycle 1: deltas +5, +7, +9, +10: mean +7.75, s 2.217, t(3) 3.182 × s/√4 = 3.53; the run's
    # change from its baseline (28 − 20) minus the rest's (20.25 − 18) is +5.75
    one = transcript[transcript.index("Week 4 of cycle 1 of lead-research is closed") :]
    assert "Cycle 1 missed the target: no week's KPI met the target of 35 leads" in one
    assert (
        "Against the rest over cycle 1: +7.75 leads against the rest, 95% CI 4.22 to 11.28 "
        "(difference-in-differences +5.75 leads): better than the rest."
    ) in one
    # cycle 3 (the story's weeks 7 to 10): its own target met in every week, the rest as high
    deltas = [LEADS[week] - REST_LEADS[week] for week in range(7, 11)]
    assert deltas == [2, -1, 2, -1] and min(LEADS[7:11]) >= 35
    # mean +0.5, s √3, t(3) 3.182 × √3/2 = 2.756: −2.26 to 3.26, zero inside
    three = transcript[transcript.index("Week 4 of cycle 3 of lead-research is closed") :]
    assert (
        "Cycle 3 missed the target (not better than the rest: see below): the KPI met 35 leads in weeks 1, 2, 3, 4 (4 of 4)"
    ) in three
    assert transcript.count("not better than the rest: see below") == 1  # not cycle 1 (better), nor 2 (too few)
    assert (
        "Against the rest over cycle 3: +0.5 leads against the rest, 95% CI −2.26 to 3.26 "
        "(difference-in-differences −1.5 leads): no better than the rest, within noise. "
        "With `compare`, a cycle hits its target only when it is also better than the rest."
    ) in three
    assert "Cycle 3 hit the target: the KPI met 35 leads" not in transcript
    # counted as missed for stalls: cycles 1 and 3 (2 was interrupted by the pause), each
    # with its own reason: cycle 3 met its target (issue 108, item 1)
    why = "cycle 1 missed the target, and cycle 3 met its target but was no better than the rest, within noise"
    stalled = (
        f"Lead research (lead-research) is stalled at the end of cycle 3: {why} (Qualified leads a week ≥ 35 leads)"
    )
    assert stalled in three
    # the curators' card says why the cycle of a KPI past its target stalled (issue 96, item 4)
    card = three[three.index(stalled) :]
    assert "Cycle 3 missed it compared with the rest: no better than the rest, within noise." in " ".join(
        card[: card.index("[ Refine ]")].split()
    )
    assert f"<b>stall</b>: lead-research is stalled at the end of cycle 3: {why}" in page
    assert f"Stalled since the end of cycle 3 (2027-03-21): {why}" in transcript  # digest
    assert "cycles 1 and 3" not in transcript
    assert "Qualified leads a week 37 leads vs the rest 35 leads, 113% of the way" in transcript  # the digest too
    # what the owner made of it, in her own words
    assert f"Added to lead-research, cycle 3 (1 learning now): “{LEARNED}”" in three
    readme = " ".join((Path(__file__).resolve().parents[3] / "README.md").read_text().split())
    assert "its third cycle meets its target but is no better than the rest, so it stalls" in readme


def test_a_commands_answer_is_a_card_only_that_person_saw(page):
    label = "<h3>/rollout status — only Ben (owner, refunds) saw this</h3>"
    assert page.count(label) == 1
    action = page[: page.index(label)].rsplit("<li ", 1)[1]
    assert action.startswith('data-at="') and action.endswith(
        "Ben (owner, refunds): /rollout status refund-triage" + '<div class="ch reply">'
    )
    card = page[page.index(label) : page.index("</li>", page.index(label))]
    # drawn from the status template's blocks: its header, the KPI line, the steps
    assert '<div class="header">Refund triage</div>' in card
    assert "<b>Refund cycle time</b> this week: <b>4.2 days</b>" in card and "<b>classify</b> · ai-led" in card
    assert page.count('<div class="ch reply">') >= 8  # the other answers the story shows, each a card


def test_the_last_section_shows_the_owners_and_the_curators_app_home(page):
    before, last = page.split(f'<h2 id="week-{WEEKS}"')
    for who in ("Ana (owner, support)", "Ben (owner, refunds)", "Chloé (owner, sales)", "Dan (owner, support APAC)"):
        assert f"<h3>App Home · {who}</h3>" in last, who
        card = last.split(f"<h3>App Home · {who}</h3>")[1].split('<div class="ch home">')[0]
        assert '<div class="header">Your rollout</div>' in card and "You own this playbook." in card, who
        assert f"App Home · {who}" not in before
    assert "<h3>App Home · Cora (curator)</h3>" in last
    curator = last.split("<h3>App Home · Cora (curator)</h3>")[1]
    assert '<div class="header">The registry</div>' in curator and "support-replies v1" in curator
    # Issue 42, a second pilot: the adopting team's first cycle once ended with a proposal to
    # make draft AI-led waiting here, a step above its mode in v1; no longer proposed. (What
    # waits is the origins' cycle 4's first close: match, its pulse hold over, and payout.)
    waiting = curator.split("Waiting for your decision")[1].split("Exception items open")[0]
    assert "support-replies-support-apac" not in waiting and "make <b>draft</b>" not in waiting


def test_each_week_tells_what_people_did_among_what_the_bot_posted_in_time_order(page):
    interleaved = 0
    for first, section in weeks(page):
        story = DMS.sub("", section)
        at = times(story)
        assert at == sorted(at), first
        assert all(first <= t.date() < first + timedelta(days=7) for t in at), first
        for dms in DMS.findall(section):
            assert times(dms) == sorted(times(dms)), first
        # an action after a bot message, or the actions would merely come first
        if story.find('<div class="ch">') < story.rfind('<ul class="log">'):
            interleaved += 1
    assert interleaved >= WEEKS - 1


def test_direct_messages_are_folded_away(page):
    folded = DMS.findall(page)
    assert len(folded) >= WEEKS and all(d.startswith('<details class="dms"><summary>') for d in folded)
    assert "<details open" not in page and '<details class="dms" open' not in page
    assert all("Direct messages · " in d for d in folded)
    assert "Direct messages · " not in DMS.sub("", page)  # no DM card outside them


def test_the_clock_keeps_team_lists_as_a_running_bot_does(demo):
    """The demo's clock asks Slack for a channel's members as a running bot's does: kept a
    few minutes, dropped when a membership changes. Asked afresh at each of the story's
    2,000 simulated hours, they cost the demo a tenth of its time and told it nothing new
    (none of its channels changes members). Kept by the process's own minutes, so a demo
    that ran longer than one keeping (TeamDirectory's ttl_seconds) asks again in each."""
    asked = demo.slack_calls.get("conversations.members", 0)
    keepings = 1 + int(demo.seconds // TeamDirectory().ttl)  # a loaded machine's demo spans more than one
    assert 0 < asked <= 2 * len(CHANNELS) * keepings, (demo.seconds, demo.slack_calls)  # the clock's, the handlers'


def test_the_sponsor_sees_hours_saved_on_the_first_screen(demo_site):
    """invoice-matching's matched invoices × 9 minutes, week by week, and the cost per hour saved."""
    import urllib.request

    base, _ = demo_site
    with urllib.request.urlopen(f"{base}/web/", timeout=30) as response:
        overview = response.read().decode()
    glance = overview[overview.index('<h2 id="value">') : overview.index('<h2 id="funnel">')]
    assert "saved in the last 4 closed weeks (estimate)" in glance and "USD</strong> per hour saved" in glance
    # invoice-matching, support-replies and its adopter (whose kit carries the measure) measure value
    assert "<strong>3</strong> of " in glance
    assert "Net of oversight: " in glance and " h net (" in glance
    weekly = overview[overview.index('<h2 id="hours">') : overview.index("</section>")]
    assert "<svg" in weekly and "Hours saved (estimate)</th>" in weekly  # the chart and its table
    with urllib.request.urlopen(f"{base}/web/playbooks/invoice-matching", timeout=30) as response:
        page = response.read().decode()
    assert "invoices matched × 9 min, the owner&#39;s estimate = " in page
    with urllib.request.urlopen(f"{base}/web/value.csv", timeout=30) as response:
        assert response.read().decode().splitlines()[0] == "week,hours saved (estimate),playbooks with events"
    # support-replies: hours saved, the oversight its reviews and closed exception items cost, and net
    with urllib.request.urlopen(f"{base}/web/playbooks/support-replies", timeout=30) as response:
        page = response.read().decode()
    assert " replies accepted × 6 min = " in page and " reviews × 4 min − " in page
    assert " exceptions × 15 min = " in page and " h oversight → " in page and " h net" in page
    # send, promoted as cycle 2 began: half as many of its replies checked, its oversight a cycle before and since
    # (0.9 h a cycle over the 12 weeks before issue 81's 13th; its cycle 4's first week draws the mean to 0.7)
    assert "send ai-led since cycle 2: oversight 1.6 h → 0.7 h a cycle" in page


def test_the_readme_and_the_help_say_what_the_demo_ran(demo, page):
    """The README's sentence about the demo (the same as `rollout demo --help`'s, by
    tests/bot/test_cli.py) read back against the run: its weeks, its playbooks and their
    functions, and the cycle each reached (issue 67, item 10)."""
    from pathlib import Path

    from cadence import calendar
    from storage.db import make_engine
    from storage.store import Store

    readme = " ".join((Path(__file__).resolve().parents[3] / "README.md").read_text().split())
    claim = re.search(
        r"(\d+) simulated weeks: (\d+) playbooks in (\d+) functions run (\d+) four-week cycles; then the one ready "
        r"to scale is published, a fifth team adopts it for a baseline week and its first cycle, and the others run "
        r"cycle (\d+) and begin cycle (\d+) \((\S+), paused in cycle (\d+), a week ahead\)",
        readme,
    )
    assert claim, "the README no longer says what the demo runs"
    weeks_, playbooks, functions, before, others, begun, paused, paused_in = claim.groups()
    engine = make_engine(f"sqlite:///{demo.database}")
    try:
        states = {slug: Store(engine).playbooks.state(slug) for slug in Store(engine).playbooks.slugs()}
    finally:
        engine.dispose()
    last_day = START + timedelta(days=7 * int(weeks_) - 1)  # the Sunday the story's last week ends

    def cycle(slug: str) -> int:
        week = calendar.week_containing(states[slug].running(), last_day)
        assert week is not None, slug
        return week.cycle

    sections = re.findall(r"━━━ Week (\d) of cycle (\d)[ ]", demo.transcript)
    assert len(sections) == int(weeks_) and sections[-2:] == [("4", others), ("1", begun)]  # the transcript's weeks
    origins = [slug for slug, s in states.items() if s.playbook.adopted_origin_id is None]
    (adopter,) = set(states) - set(origins)
    assert len(origins) == int(playbooks) and len({states[s].playbook.function for s in origins}) == int(functions)
    assert {slug: cycle(slug) for slug in origins} == dict.fromkeys(origins, int(begun))
    assert (int(others), int(begun)) == (3, 4) and cycle(adopter) == 1

    # a week ahead: its cycle 4 began a week before the others'
    def began(slug: str) -> date:
        week = calendar.week_containing(states[slug].running(), last_day)
        assert week is not None, slug
        return week.cycle_start

    assert {began(slug) - began(paused) for slug in origins if slug != paused} == {timedelta(days=7)}
    adopted = states[adopter].running()
    adopted_on = START + timedelta(days=7 * 4 * int(before))  # after the origins' cycles: its baseline week
    assert (adopted.baseline, adopted.starts_on) == (adopted_on, adopted_on + timedelta(days=7))
    assert re.search(rf"{paused} is paused: .*? Week \d of cycle {paused_in} still closes", demo.transcript)
    # "What happened" shows the stall and its Refine, which the README's story features.
    outcome = page[page.index('<section class="outcome">') : page.index("</section>")]
    assert "<b>stall</b>: refund-triage is stalled at the end of cycle 2: cycles 1 and 2 both missed" in outcome
    assert "<b>refinement</b>: Ben (owner, refunds) clicked Refine on refund-triage&#x27;s stall" in outcome
    assert "stall" in readme and "Refine" in readme


def test_what_the_terminal_shows_fits_its_width_and_quiet_says_only_where_the_page_is(demo):
    """`rollout demo` at a terminal: a progress line a week while it runs, then where the
    page and the transcript are, no line wider than the terminal but a word longer than it
    (an address), every word kept; the transcript in its file, a reply on lines of its own;
    --quiet says where the page is and nothing more (issue 67, item 9; issue 96, item 5)."""
    from bot.cli_demo import demo_output

    assert demo.transcript_file is not None
    assert demo.transcript_file.read_text(encoding="utf-8") == demo.transcript + "\n"
    for width in (60, 80, 132):
        shown = demo_output(demo, quiet=False, width=width)
        wide = [line for line in shown.splitlines() if len(line) > width and len(line.split()) > 1]
        assert wide == [], (width, wide[:3])
        assert str(demo.transcript_file) in shown and str(demo.html) in shown
        assert "ROLLOUT DIGEST" not in shown and len(shown.splitlines()) < 15  # not the transcript's 4,000 lines
        assert demo.owners.said().split()[-4:] == shown.split()[-4:]
    assert re.search(r"↳ \(only to them\) REFUND TRIAGE[^\n]*\n {6,}\S", demo.transcript)  # not one flat line
    quiet = demo_output(demo, quiet=True, width=80)
    assert str(demo.html) in quiet and "forms" not in quiet and "messages in" not in quiet


def test_the_readmes_picture_is_of_a_first_screen_with_no_count_to_go_stale(demo, page):
    """The README shows one picture, the demo page's first screen (taken by
    tests/bot/test_web_browser.py with ROLLOUT_README_PICTURE=write). Its header counts nothing
    the run counts, such as the messages (the picture said 487 when the demo sent 501), and
    it shows what the README's caption says: the story's weeks and what happened (issue 67, item 11)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    pictures = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", readme)
    assert [where for _, where in pictures] == ["docs/demo-first-screen.png"]
    assert pictures[0][0] == "The demo's page, its first screen: the story's weeks and what happened in them"
    header = re.sub(r"<[^>]+>", " ", page[page.index("<body>") : page.index("<main>")])
    assert "messages" not in header and str(demo.messages) not in header
    assert set(re.findall(r"\d+", header)) <= {str(WEEKS), "04", "2027", "1", "2", "3", "4"}, header
    assert "Week 4 of cycle 3" in header and "After the story" in header
    assert page.index("<h2>What happened</h2>") < page.index('id="week-0"')


def test_evidence_of_quality(demo, page):
    """Issue 70: research is scored on rubric dimensions and keeps a calibration set: a new
    model makes its run stale, the promotion waits for a fresh run, then goes; the prospect
    list research reads is a checked input (a table of the CRM file); and support-replies'
    reviews name who reviewed, so the heroics flag names the reviewer, not the reporter."""
    transcript = " ".join(demo.transcript.split())  # one line, however it is printed
    assert "✅ Calibration run 38/40 (95.0%) recorded" in transcript
    assert "`research | gpt-5.1 2026-12` in the kit form; research's calibration run is stale" in transcript
    waits = transcript.index("Step research of lead-research has earned a promotion to ai-led, but the")
    assert "its calibration is stale (the step changed since the" in transcript[waits:]
    fresh = transcript.index("✅ Calibration run 37/40 (92.5%) recorded")
    proposal = transcript.index("⬆️ Proposal for lead-research: make research ai-led")
    assert fresh < proposal and transcript.count("⬆️ Proposal for lead-research") == 2  # channel and curators
    shown = transcript[proposal : transcript.index("research is now ai-led", proposal)]
    assert "PASS 3 weeks in a row" in shown and "rubric accuracy 10/11 = 90.9%, lowest of 2, ≥ 90%" in shown
    assert "Calibration set: 37/40 = 92.5%, current." in shown
    assert "Calibration set: no run of its 40 cases yet" in transcript  # status, before the first run
    # the input check: met each week but one, and that week its owner told what the contract says
    assert "prospect list: 1 ≥ min 0.9 (week of 2027-01-04, from crm)" in transcript
    assert (
        "the input <b>prospect list</b> checked 0.6 against its min 0.9 for the week of 2027-02-01, below it."
        "<br>When it is missing, the contract says: “Write to the prospects by hand until the list is refreshed”"
    ) in page
    # Dia never checks in but reviews support's drafts and refunds: the digest names her (85%: the
    # others check send's replies, 6 a week while it is collaborative)
    flag = "⚠️ support-replies: one reviewer carries the quality checks: @Dia, 85% of 159 reviewed cases"
    assert flag in transcript
    # heroics in small teams too (issue 81): in a team of 3 or fewer, a scaling constraint
    small = "⚠️ lead-research: a scaling constraint: @Chloé (owner, sales), 100% of 92 reviewed cases: "
    assert small + "teams that adopt this need a reviewer of their own" in transcript
    assert 'carries the quality checks: <span class="mention">@Dia</span>, 85% of 159 reviewed cases' in page


def test_the_refunds_team_packages_its_playbook_and_one_item_is_escalated_after_its_sla(demo):
    """Issue 71: the refunds team, whose playbook was made with `/rollout new`, packages it
    from week 3's *Package it* (inputs, outputs, a runbook, an SLA of 72 h escalating to the
    curators channel, and the rubric its self-check named), so readiness's input contract is
    met without YAML; the one Monday its owner does not answer his queue, that item is
    escalated by the clock, once, and the curator acknowledges it; still open 3 days later,
    it is escalated again, once. The playbook still stalls later."""
    transcript = demo.transcript
    packaged = transcript.index("Ben (owner, refunds) clicked Package it on week 3's nudge")
    assert "refund-triage's readiness, criterion 3 (an input contract): ✅ met, 2 inputs, 2 outputs" in transcript
    assert "• inputs none → “refund request”, “ledger export”" in transcript
    assert "• handoff none → sla hours 72" in transcript
    # the rubric his /rollout new answer named ("a rubric of accuracy …") started the form; he kept it
    assert "kept the rubric dimension his /rollout new answer named (accuracy)" in transcript
    assert "• rubric dimensions none → accuracy" in transcript
    assert "Input contract: takes refund request, ledger export; hands over approved refund" in transcript
    assert "resolved 6 exception items of refund-triage from his Monday DM, within its SLA" in transcript
    # one item escalated, by the clock after its SLA, to the curators channel; acknowledged and
    # still open 3 days later (issue 81: `resolve_hours`, 72 by default), escalated again, once
    assert transcript.count("🚨 Escalated: refund-triage") == 2
    escalated = transcript.index("🚨 Escalated: refund-triage")
    again = re.sub(r"\s+", " ", transcript).index("Acknowledged 3 days ago, still open: escalated again by the clock")
    assert re.sub(r"\s+", " ", transcript).index("Acknowledged by @Cora (curator), 2027-02-09 08:00 UTC") < again
    assert "Neither acknowledged nor closed within its SLA of 72 h: escalated by the" in transcript
    assert "escalated 2027-02-08 17:00 UTC: “unanswered for" in re.sub(r"\s+", " ", transcript)
    acknowledged = transcript.index("Cora (curator) acknowledged the escalated refund-triage item")
    assert "Acknowledged by @Cora (curator), 2027-02-09 08:00 UTC" in transcript
    assert packaged < escalated < acknowledged < transcript.index("clicked Refine on refund-triage's stall")


def _decisions(demo: DemoResult, slug: str) -> list[tuple[str, datetime, dict]]:
    """The playbook's decisions of the run, as (kind, when, figures), oldest first."""
    import json

    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{demo.database}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "select d.kind, d.decided_at, d.figures from decision d join playbook p on p.id = d.playbook_id"
                    " where p.slug = :slug order by d.id"
                ),
                {"slug": slug},
            ).all()
    finally:
        engine.dispose()
    return [
        (kind, datetime.fromisoformat(str(at)), json.loads(f) if isinstance(f, str) else f or {})
        for kind, at, f in rows
    ]


def test_the_finance_teams_pulse_falls_and_holds_a_promotion(demo, page):
    """Issue 82: the finance team, six in #finance-paris, answers invoice-matching's pulse in
    cycles 1 and 2 (bot/demo/trust.py). Cycle 1 is shown at its close; cycle 2's trust falls
    clearly (the difference's interval wholly below zero), which holds promotions to ai-led
    through cycle 3, the owner told why once. In cycle 3 match, its calibration set run
    again and current, passes every week, past promote_after_weeks (2): no proposal comes,
    and it stays collaborative. (The support team's four, too few to show: the first test.)"""
    from bot.demo.trust import PULSES

    transcript = " ".join(demo.transcript.split())  # one line, however it is printed
    assert [len(PULSES[1]), len(PULSES[2])] == [6, 6] and len(CHANNELS["CFINANCE01"][1]) == 6
    one = transcript[transcript.index("Week 4 of cycle 1 of invoice-matching is closed") :]
    # the interval within the scale (issue 96, item 4: it said "4.1 to 5.2" of a mean of 1-5 answers)
    assert "Pulse of cycle 1 (anonymous): 6 answered · trust 4.7 of 5 (95% CI 4.1 to 5)" in one[:1200]
    two = transcript[transcript.index("Week 4 of cycle 2 of invoice-matching is closed") :]
    said = (
        "Pulse of cycle 2 (anonymous): 6 answered · trust 1.7 of 5 (95% CI 1.1 to 2.2)",
        "Cycle 1: 6 answered · trust 4.7 of 5",
        "Promotions to ai-led wait through cycle 3: trust fell from the cycle before (95% CI −3.66 to −2.34).",
    )
    assert all(words in two[:1200] for words in said), two[:1200]
    decisions = _decisions(demo, "invoice-matching")
    holds = [(at, figures) for kind, at, figures in decisions if kind == "pulse-hold"]
    assert len(holds) == 1 and holds[0][1]["cycle"] == 2 and holds[0][1]["through"] == 3
    assert holds[0][1]["trust"]["high"] < 0 and "safety" not in holds[0][1]  # trust fell; safety held
    assert holds[0][0].date() == START + timedelta(days=7 * ORIGIN_WEEKS)  # at cycle 2's close
    # the owner told why, once, in a DM (the page shows DMs; the transcript counts them)
    told = "the team's pulse of cycle 2 says trust fell from the cycle before (95% CI −3.66 to −2.34)"
    assert page.count(told) == 1 and "So no step of invoice-matching is proposed to ai-led through cycle 3" in page
    # match earned a promotion in cycle 3: its calibration current, PASS every week; it waits
    assert "Calibration run 38/40 (95.0%) recorded on step match of invoice-matching" in transcript
    four = transcript.index("Week 1 of cycle 4 of invoice-matching is closed")  # the story's 13th week (issue 81)
    three = transcript[transcript.index("Week 1 of cycle 3 of invoice-matching is closed") : four]
    assert three.count("🟢 match (collaborative) PASS") == 4 and "rubric 95% (19 of 20 reviewed" in three
    assert "Proposal for invoice-matching" not in three and "make match ai-led" not in transcript[:four]
    # the hold over, cycle 4's first close proposes it: PASS 5 weeks in a row
    assert "Proposal for invoice-matching: make match ai-led (now collaborative). PASS 5 weeks" in transcript[four:]
    proposed = [at for kind, at, _ in decisions if kind in ("proposal", "mode-change")]
    assert len(proposed) == 1 and proposed[0].date() == START + timedelta(days=7 * WEEKS)


def test_an_escalated_item_puts_extract_in_its_fallback_mode_for_a_week(demo):
    """Issue 81: invoice-matching's handoff terms (72 h, escalating to the team channel). The
    owner logs an exception on extract, ai-led, on cycle 2's first Friday and is away; the
    clock escalates it on Monday and extract runs collaborative, the team channel told; a
    week later she resolves it and extract is ai-led again, told again. Not a demotion."""
    transcript = " ".join(demo.transcript.split())
    logged = transcript.index("/rollout exception invoice-matching extract Read the total")
    escalated = transcript.index("🚨 Escalated: invoice-matching · extract · exception · open 3 d 0 h")
    falls = transcript.index(
        "#finance-paris ⏳ extract of invoice-matching falls back to collaborative while 1 escalated item waits"
    )
    resolved = transcript.index("Ida (owner, finance), back from the month-end close, resolved the escalated")
    back = transcript.index("#finance-paris ✅ extract of invoice-matching is ai-led again: the escalated items closed")
    assert logged < escalated < falls < resolved < back
    assert transcript.count("falls back to collaborative while") == 1 and transcript.count("is ai-led again") == 1
    lines = [(kind, at) for kind, at, _ in _decisions(demo, "invoice-matching") if kind.startswith("fallback")]
    assert [kind for kind, _ in lines] == ["fallback", "fallback-ended"]
    assert timedelta(days=6) < lines[1][1] - lines[0][1] < timedelta(days=8)  # about a week
    assert "extract (ai-led) PASS" in transcript[back:]  # its mode never changed: no demotion
