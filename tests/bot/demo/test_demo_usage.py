"""`rollout demo` tells what the AI tools' own usage records add to the check-ins
(docs/usage-records.md; bot/demo/used.py), through the real code paths."""

import re

import pytest

from bot.demo.story import DemoResult

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


@pytest.fixture(scope="module")
def demo(demo_result) -> DemoResult:
    """The run's one story (tests/bot/conftest.py)."""
    return demo_result


@pytest.fixture(scope="module")
def page(demo) -> str:
    return demo.html.read_text(encoding="utf-8")


def test_copilots_own_records_say_whether_the_attested_weeks_used_it(demo, page, demo_site):
    """docs/usage-records.md in the story (bot/demo/used.py): invoice-matching runs with
    copilot; in cycle 3's first week the admin loads the usage file (a copilot source, the
    Copilot stand-in's) and the finance team's logins, and the clock's usage pass pulls
    GitHub's records each night. Cycle 3's week 1 is attested and used; an editor update
    signs the team out for weeks 2 and 3, attested without usage, the second holding
    promotions to ai-led; week 4 uses it again, so cycle 4's first close still proposes
    match. Team figures only: no login in the transcript, the page or the web view."""
    import urllib.request

    from bot.demo.used import DEVELOPERS, LOGINS, SIGNED_OUT

    transcript = demo.transcript
    sections = transcript.split("\n━━━ ")[1:]  # the story's weeks from 0, then the week after
    used = "Attested and used: copilot 5 of 6 people, 19 active days."
    without = "🔍 Attested, but no one in #finance-paris used copilot this week (0 of 6 people)."
    held = "Promotions to ai-led are held: two weeks in a row attested without usage."
    loaded = "Ada (admin) loaded the organization's usage file (rollout usage load): copilot, GitHub's own records"
    assert loaded in sections[8] and loaded not in transcript.replace(loaded, "", 1)
    # each week's close, told the Monday after it: nothing before the file was loaded
    assert [(used in s, without in s, held in s) for s in sections] == (
        [(False, False, False)] * 9
        + [(True, False, False), (False, True, False), (False, True, True), (True, False, False), (True, False, False)]
    )
    assert SIGNED_OUT == (9, 10) and "signed the finance team out of Copilot" in sections[9]
    # the close says it after its check-ins, the hold under it
    close = sections[11][sections[11].index("Week 3 of cycle 3 of invoice-matching is closed") :]
    assert close.index("· check-ins: 6") < close.index(without) < close.index(held)
    # the digest: the week's playbook line, and the seats the tool's records hold against results
    assert "🔍 Attested without usage: followed, but no one in the team used copilot" in sections[10]
    assert "copilot: 8 seats, 2 active last week; 0 playbooks on it; 6 idle seats" in sections[10]
    # readiness counts only the answers of weeks attested and used: cycle 3's end says so
    assert "✅ Attestation 75% (36 of 48 check-ins answered) ≥ 75%; checked against usage: 2 weeks" in sections[12]
    # the hold lifted after week 4's use: the pulse's hold over, cycle 4's first close proposes match
    assert "Proposal for invoice-matching: make match ai-led (now collaborative)" in sections[13]
    # team figures only: no login of the tool's records anywhere the story shows
    for login in (*LOGINS.values(), *DEVELOPERS):
        assert login not in transcript and login not in page, login
    # the web view's playbook page: its Usage block, week by week, newest first
    base, _ = demo_site
    with urllib.request.urlopen(f"{base}/web/playbooks/invoice-matching", timeout=30) as response:
        web = response.read().decode()
    block = " ".join(re.sub(r"<[^>]+>", " ", web[web.index('<h2 id="usage">Usage</h2>') :]).split())
    assert block.startswith("Usage Week Attested and used? copilot: people active 2027-04-05 not attested")
    assert (
        "2027-03-22 attested and used 5 of 6, 19 days "
        "2027-03-15 attested without usage (copilot) 0 of 6, 0 days "
        "2027-03-08 attested without usage (copilot) 0 of 6, 0 days "
        "2027-03-01 attested and used 5 of 6, 19 days"
    ) in block
    assert not any(login in web for login in (*LOGINS.values(), *DEVELOPERS))
    for other in ("support-replies", "refund-triage", "lead-research"):  # no tool declared: no block
        with urllib.request.urlopen(f"{base}/web/playbooks/{other}", timeout=30) as response:
            assert '<h2 id="usage">' not in response.read().decode(), other
