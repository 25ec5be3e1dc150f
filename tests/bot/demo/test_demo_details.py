"""`rollout demo` tells two details through the real code paths (bot/demo/details.py): a
step's prompt kept in the kit and revised with its why, shown as a diff on the playbook's
web page; and the adopting team's champion saying how setup went, in the registry."""

import html
import re
import urllib.request

import pytest

from bot.demo.story import DemoResult

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    """The run's one story (tests/bot/conftest.py)."""
    return demo_result


def test_a_prompt_kept_in_the_kit_is_revised_with_its_why_and_shown_as_a_diff(demo, demo_site):
    """docs/playbooks.md, "Prompts and rubrics as text": Ben keeps classify's prompt in the
    kit form he packages refund-triage with, then, from cycle 2's week-3 nudge, revises it
    with his why; the channel's revision notice says the change in
    lines, and the web page's texts block shows both edits, newest first, as diffs."""
    from bot.demo.details import KEPT_WHY, PROMPT, REVISED, REVISED_WHY

    transcript = demo.transcript
    kept = f"Ben (owner, refunds) kept classify's prompt in the same kit form: 3 lines, with its why, “{KEPT_WHY}”"
    revised = (
        "Ben (owner, refunds) clicked Refine the texts on cycle 2's week-3 nudge and revised classify's prompt, why: "
        f"“{REVISED_WHY}”; the playbook's web page shows the diff, newest first: "
        "-Pick one category: wrong item, late delivery, changed mind. / "
        "+Pick one category: wrong item, damaged item, late delivery, changed mind. / "
        "+A photo of damage: damaged item, whatever the customer picked."
    )
    assert ": /rollout kit refund-triage" not in transcript  # the nudges' buttons open the kit form: no command typed
    assert kept in transcript and revised in transcript
    assert transcript.index(kept) < transcript.index(revised)
    assert "• step classify prompt text added (3 lines)" in transcript
    assert "• step classify prompt text revised: 2 lines added, 1 removed" in transcript
    assert f"Why: {REVISED_WHY} · `/rollout history refund-triage` lists every revision." in transcript
    assert "what the misfiled claims taught went into the prompt itself" in transcript
    assert PROMPT.splitlines()[1] not in transcript.split(revised)[1]  # the notices never quote the text

    base, _ = demo_site
    with urllib.request.urlopen(f"{base}/web/playbooks/refund-triage", timeout=30) as response:
        web = response.read().decode()
    block = web[web.index('<h2 id="texts">') :]
    assert '<h3 id="text-1">classify: prompt text</h3>' in block
    assert html.escape(REVISED.splitlines()[2], quote=False) in block  # the text as it is now
    diffs = re.findall(r'<pre class="diff".*?</pre>', block, re.S)
    assert len(diffs) == 2  # both edits, newest first
    newest, first = diffs
    assert '<del><span class="sr">removed: </span>-Pick one category: wrong item, late delivery' in newest
    assert '<ins><span class="sr">added: </span>+A photo of damage' in newest
    assert "<del>" not in first and first.count("<ins>") == 3
    assert block.index(html.escape(REVISED_WHY, quote=False)) < block.index(html.escape(KEPT_WHY, quote=False))


def test_the_champion_says_how_setup_went_and_the_registry_shows_it(demo):
    """docs/programme.md, "Setup in under an hour": support-apac's first check-in answered
    brings Eve, its champion, the DM; she clicks *Tell us how setup went* and sends the form,
    and the registry shows the minutes said beside the minutes in the forms."""
    from bot.demo.details import SETUP_MINUTES

    transcript = demo.transcript
    said = (
        "Eve (champion) clicked Tell us how setup went on the DM support-apac's first check-in brought, "
        f"and sent the form: {SETUP_MINUTES} min all in, no meeting was needed"
    )
    assert transcript.count(said) == 1
    first_checkin = transcript.index("Eve checked in: followed the mode map (DM button)")
    assert first_checkin < transcript.index(said)
    registry = next(line for line in transcript.splitlines() if line.strip().startswith("• support-replies v1 ("))
    assert "median setup 40 min over 1 team; under an hour: 1 of 1" in registry
    assert f"setup: {SETUP_MINUTES} min said, 40 min in forms; a meeting needed by 0 of 1 team" in registry
    v2 = next(line for line in transcript.splitlines() if line.strip().startswith("• support-replies v2 ("))
    assert "min said" not in v2  # counted for the version the team adopted first


def test_research_is_demoted_to_human_led_review_and_recovers(demo):
    """docs/judgement.md, "Demoted to human-led review" (bot/demo/review.py): research,
    declaring `demote_to: human-led` and `recover_after: 2`, AI-led, fails cycle 3's week 2
    with 4 exceptions of 15 and is demoted straight to human-led; Gia's status after its
    first PASS week under review says how far it has come, and the second returns it to
    collaborative at cycle 3's last close, with no new promotion proposal after."""
    transcript = demo.transcript
    demoted = (
        "🔻 lead-research · research: ai-led → human-led. "
        "Exceptions 4/15 = 26.7% > 2 × cap 10% in week 2 of cycle 3 (critical)."
    )
    assert transcript.count(demoted) == 2  # the curators channel and the team's
    assert "human-led review (demote_to) until 2 PASS weeks in a row return it to collaborative" in transcript
    recovering = transcript.index("research: human-led review, recovering: 1 of 2 PASS weeks")
    recovered = (
        "⬆️ lead-research · research: human-led → collaborative, recovered: PASS 2 weeks in a row "
        "under human-led review (2 asked), up to week 4 of cycle 3."
    )
    assert transcript.count(recovered) == 2
    assert transcript.index(demoted) < recovering < transcript.index(recovered)
    assert transcript.index("Week 4 of cycle 3 of lead-research is closed") < transcript.index(recovered)
    assert transcript.count("⬆️ Proposal for lead-research") == 2  # the one of cycle 2, no other
