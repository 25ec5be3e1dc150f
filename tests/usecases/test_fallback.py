"""An ai-led step's fallback while its escalated items wait (docs/judgement.md, "Handoffs
with a fallback"), end to end through the clock on SQLite and PostgreSQL; the escalation
clock's own tests are tests/usecases/test_escalation.py, whose fixture this uses."""

from datetime import timedelta

from sqlmodel import Session, select

from storage.models.governance import Decision
from storage.models.playbooks import Step
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch, web_session
from tests.committed import committed
from tests.conftest import CHANNEL, MEMBER, OWNER, Engine
from tests.openapi_check import described
from tests.usecases.test_escalation import DEADLINE, TRIAGE, esc
from usecases import tokens

__all__ = ["esc"]  # the fixture


def test_an_ai_led_step_falls_back_while_its_escalated_item_waits_and_returns_when_it_closes(
    esc, bot, slack, engine, clock, store, http_server, database_url
):
    """Issue 81, "Handoffs with a fallback", end to end: told to the team channel once each
    way across two clocks, shown in status, a line in history each way, the step's mode
    (and its mode changes) untouched."""
    assert "Exception" in bot.command("exception support-replies send sent the wrong refund", user=OWNER).text
    esc.run(DEADLINE - timedelta(seconds=1))
    assert not [m for m in slack.posted(CHANNEL) if "falls back" in m["text"]]
    esc.run(DEADLINE)
    Engine(engine, slack, clock).run(DEADLINE + timedelta(minutes=1))  # a second clock: told once
    esc.run_through(DEADLINE + timedelta(hours=1), DEADLINE + timedelta(hours=3))
    fell = [m["text"] for m in slack.posted(CHANNEL) if "falls back" in m["text"]]
    assert fell == ["support-replies: send falls back to collaborative while 1 escalated item waits"]
    status = bot.command("status support-replies", user=OWNER).text
    assert "*send* · collaborative (falling back from ai-led)" in status
    attested = bot.command("attest support-replies no send ran it alone", user=MEMBER).text
    assert "deviation on step *send* (collaborative (falling back from ai-led))" in attested
    with Session(engine) as s:
        send = s.exec(select(Step).where(Step.name == "send")).one()
        assert (send.mode, send.fallback_mode) == ("ai-led", "collaborative")
    # the web page and the API's playbook read (the MCP tool's too) say it as status does
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    assert (
        'data-mode="collaborative (falling back from ai-led)">send<'
        in fetch(url + "/web/playbooks/support-replies", cookie)[2]
    )
    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    body = get(url, "/api/v1/playbooks/support-replies", reader)[1]
    assert body["modes"]["send"] == "ai-led" and list(body["fallbacks"]) == ["send"]
    fallback = body["fallbacks"]["send"]
    assert (fallback["fallback_mode"], fallback["shown"]) == (
        "collaborative",
        "collaborative (falling back from ai-led)",
    )
    assert fallback["fallback_since"] is not None
    described("GET", "/api/v1/playbooks/{slug}", 200, body)
    state = store.playbooks.state("support-replies")
    at = DEADLINE + timedelta(hours=4)
    for item in store.exception_items.open_of([state.playbook.id]):
        committed(store).exception_items.move(item, "resolved", "fixed", TRIAGE, at)
    esc.run_through(at + timedelta(minutes=1), at + timedelta(hours=2))
    back = [m["text"] for m in slack.posted(CHANNEL) if "again" in m["text"]]
    assert back == ["support-replies: send is ai-led again: the escalated items closed"]
    assert "*send* · ai-led" in bot.command("status support-replies", user=OWNER).text
    assert get(url, "/api/v1/playbooks/support-replies", reader)[1]["fallbacks"] == {}
    with Session(engine) as s:
        kinds = [d.kind for d in s.exec(select(Decision).order_by(Decision.id)) if d.step_id == send.id]
        assert "mode-change" not in kinds[1:] and kinds[-2:] == ["fallback", "fallback-ended"]
