"""Week 3's *Package it* names what readiness still lacks, judged as `/rollout publish`
judges it (usecases/shared/publish_criteria.py, criteria_now), for every playbook the tick nudges
at once: its statements are counted here, not timed, on both databases."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event

from cadence.definition_load import parse_playbook
from tests.committed import loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Clock, Engine
from usecases.shared.life import begin_cycle


def test_week_3s_readiness_is_read_in_as_many_statements_for_three_playbooks_as_for_one(engine, slack, store):
    """Issue 78, item 3: each nudge's criteria come from batched reads, none a playbook.
    One playbook, then three more, each nudged in week 3 of its second cycle (the first
    closed: its weeks' figures, check-ins and learnings are read)."""
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    at = datetime(2026, 11, 18, tzinfo=UTC)
    world = Engine(engine, slack, Clock(at))
    selects, statements = [], []
    event.listen(engine, "before_cursor_execute", lambda _conn, _cursor, sql, *_: statements.append(sql))
    for many, starts_on in ((1, date(2026, 11, 16)), (3, date(2027, 1, 4))):
        for index in range(many):
            slug = f"replies-{many}-{index}"
            loaded(store, [parse_playbook({**SUPPORT_REPLIES, "playbook": slug})], "UTC", "test", at)
            begin_cycle(store, store.playbooks.state(slug).playbook.id, 1, starts_on, OWNER, at)
        monday = datetime.combine(starts_on + timedelta(weeks=6), time(7), UTC)  # week 3 of cycle 2
        world.run(monday)  # the weeks before close
        statements.clear()
        nudged = world.cadence.tick(monday + timedelta(hours=1))  # 09:00 in Berlin: the nudges
        assert nudged.counts[("nudge", "done")] >= many, nudged.summary()  # the first's own week too, the 2nd time
        selects.append(sum(sql.lstrip().upper().startswith("SELECT") for sql in statements))
    assert selects[0] == selects[1], selects
    world.dispatcher.drain(max_wait=0)
    week_3 = [m for m in slack.posted(CHANNEL) if "week 3 of cycle 2." in m["text"]]
    assert len(week_3) == 4 and all("Still missing for readiness" in str(m["blocks"]) for m in week_3)
