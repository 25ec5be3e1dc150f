"""Gates at the click for a "ready to scale" proposal (issue 93, item 4): its *Publish* reads
readiness and the scale rule again at the click; what changed since the proposal (here an
exception item left open past 14 days) refuses the click naming it, nothing is published,
and the card is redrawn with it and keeps its button. Signed commands, block_actions and
the clock's closes over HTTP, on SQLite and PostgreSQL."""

import json
from datetime import timedelta

from sqlmodel import Session, select

from storage.models.governance import RegistryVersion
from tests.conftest import OWNER
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, wednesday
from tests.usecases.test_replication import ready, run_weeks  # noqa: F401 (ready: the fixture)

PROPOSAL = "support-replies is ready to scale"


def test_an_item_overdue_since_the_proposal_refuses_publish_naming_it_and_redraws_the_card(
    bot,
    ready,  # noqa: F811
    slack,
    store,
    engine,
):
    run_weeks(bot, ready, range(1, 9))
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == PROPOSAL)
    assert "✅ Exception queue" in json.dumps(proposal["blocks"], ensure_ascii=False)
    ready.clock.set(wednesday(9))
    bot.command("exception support-replies send a refund over the limit", user=OWNER)  # an item opens
    ready.clock.set(wednesday(9) + timedelta(days=16))  # and is left open past 14 days
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])
    refusal = json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)
    assert "it is not ready to scale now" in refusal and "Exception queue" in refusal, refusal
    with Session(engine) as s:
        assert s.exec(select(RegistryVersion)).all() == []
    ready.dispatcher.drain(max_wait=0)
    redrawn = next(m for m in slack.posted(CURATORS) if m["text"] == PROPOSAL)
    body = json.dumps(redrawn["blocks"], ensure_ascii=False)
    assert "Read again at the last click to publish, it is not ready now" in body and "❌ Exception queue" in body
    assert buttons(redrawn)  # still open: the next click decides on what it shows
