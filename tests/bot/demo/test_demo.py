"""`rollout demo` tells the whole story, through the real handlers, and draws it."""

import pytest

from bot.demo.story import run

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


def test_the_demo_runs_the_whole_story(tmp_path):
    result = run(tmp_path, say=lambda _: None)
    transcript = result.transcript
    assert "refund-triage · classify: ai-led → collaborative. Exceptions 6/20 = 30% > 2 × cap 10%" in transcript
    assert "Gia clicked Approve: refused" in transcript
    assert "Approved by @Chloé (owner, sales): research is now ai-led." in transcript
    assert "Support reply drafting (support-replies, Support) is ready to scale: 2 cycles in a row hit" in transcript
    assert "support-replies v1 is in the registry" in transcript
    # in the order it happened: the proposal, then the curator's click on it
    assert transcript.index("is ready to scale: 2 cycles") < transcript.index("Cora (curator) clicked Publish")
    assert "support-replies-support-apac now runs in #support-apac, adopted from support-replies v1" in transcript
    assert transcript.count("ROLLOUT DIGEST") == 13  # every Monday, cycle 1 week 1 to after the adopter's cycle
    # replication: learnings, readiness, the kit reaching the adopting team, and its verdict
    assert "Added to support-replies, cycle 1 (1 learning now)" in transcript
    assert "answered the week-4 DM with a learning" in transcript
    assert "✅ Attestation 75% (24 of 32 check-ins answered) ≥ 75%" in transcript
    assert "does not let an adopting team set rubric:" in transcript
    assert "Runbook: https://wiki.example.com/support-replies" in transcript
    assert "What support-replies learned (newest first)" in transcript
    assert "adopted by support-replies-support-apac (cycle 1: replicated)" in transcript
    # numbers from another system: the refunds KPI over the reporting API, and its provenance
    assert "refunds-export (reporting API): kpi refund-triage 4.6 → 201" in transcript
    assert "reported by token refunds-export" in transcript
    assert "/rollout attest support-replies yes week:" in transcript  # a late check-in, by command
    assert "Withdrew your exception (“Sent a refund promise outside policy”) for step send" in transcript  # undo
    assert "Step send now has 1 exception in that week" in transcript
    assert "History of refund-triage · step classify" in transcript and "rule critical" in transcript
    assert "Week 3 of cycle 1 closed on Mon" in transcript and "its verdicts stand" in transcript
    assert "the guardrail Bounce rate was 7.4 % in week 2 of cycle 1, above its maximum of 5 %: BREACHED" in transcript
    assert "lead-research is paused: “team offsite”" in transcript and "Cycle 3" in transcript  # a pause, a resume
    page = result.html.read_text(encoding="utf-8")
    # the page opens with the story's outcome and a table of contents; direct messages fold away
    outcome = page[page.index('<section class="outcome">') : page.index("</section>")]
    for kind, what in (
        ("demotion", "refund-triage / classify: ai-led → collaborative"),
        ("promotion", "lead-research / research: collaborative → ai-led"),
        ("publication", "support-replies v1 is in the registry"),
        ("adoption", "support-replies-support-apac adopted from support-replies v1"),
        ("replication verdict", "support-replies-support-apac (cycle 1: replicated)"),
    ):
        assert f"<b>{kind}</b>: {what}" in outcome, kind
    assert page.index('<section class="outcome">') < page.index('id="week-0"') and 'href="#week-12"' in page
    assert '<details class="dms"><summary>Direct messages' in page and ":rotating_light:" not in page
    assert page.count('<img class="chart"') >= 14 and 'class="btn primary"' in page
    assert "<!channel>" not in page and "<script" not in page
    assert result.messages > 150
