"""The weekly digest end to end: summary, one thread reply per function, a chart uploaded
into it, and a failed upload leaving the text. Its figures, Block Kit limits and the weeks
each Monday's digest reports are tests/usecases/fast/test_digest.py's."""

import json
from datetime import UTC, datetime

from tests.committed import committed
from tests.conftest import MEMBER, OWNER, Engine


def test_the_digest_end_to_end(engine, slack, store, playbook, clock, bot):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    world = Engine(engine, slack, clock)
    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    bot.command("kpi support-replies 30", user=MEMBER)
    bot.command("cases support-replies send 20", user=OWNER)
    bot.command("exception support-replies send one refund over limit", user=OWNER)
    world.run(datetime(2026, 11, 19, 14, 0, tzinfo=UTC))  # Thursday DMs: 2 members asked
    clock.set(datetime(2026, 11, 19, 18, 0, tzinfo=UTC))
    bot.command("attest support-replies yes", user=MEMBER)
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 Berlin = 08:00 UTC; the digest is UTC 13:00
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    posted = slack.posted("CCURATORS1")
    summary = next(m for m in posted if m["text"] == "Rollout digest: week of 2026-11-16")
    text = json.dumps(summary["blocks"], ensure_ascii=False)
    assert "*1* active playbook" in text and "50% (1 of 2 checked in)" in text
    reply = next(m for m in posted if m["text"].startswith("Support: 1 playbook"))
    assert reply["thread_ts"] == summary["ts"]
    body = json.dumps(reply["blocks"], ensure_ascii=False)
    # The one measure of progress every surface uses: the share of the way from baseline to
    # target (30 from 42 towards 15 is 12 of 27), not a change relative to the baseline.
    assert "*30 min*, 44% of the way from baseline 42 min to target 15 min" in body and "-28.6%" not in body
    assert "worst step send 1 of 20 = 5% (95% CI 1–24%, cap 10%)" in body  # with its cases and interval
    assert "Check-ins 1 of 2 (50%)" in body
    (chart,) = slack.files
    assert chart["thread_ts"] == summary["ts"] and chart["channel"] == "CCURATORS1"
    assert chart["content"].startswith(b"\x89PNG") and chart["size"] > 5000


def test_a_failed_chart_upload_leaves_the_text_digest(engine, slack, store, playbook, clock):
    from bot.demo.standin.faults import Fault

    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    slack.fail_next("files.getUploadURLExternal", Fault(error="not_allowed_token_type"))
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    texts = [m["text"] for m in slack.posted("CCURATORS1")]
    assert texts == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]
    assert slack.files == []
    failed = [m for m in world.outbox.all() if m.status == "failed"]
    assert [m.key.split("#")[1] for m in failed] == ["chart:support"]
