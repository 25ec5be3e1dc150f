"""The webhooks' lane against a real receiver on a loopback port, which verifies every
event with the Standard Webhooks library: retries on the schedule (the bot's clock moved,
nothing waits hours), order per playbook, the same id on every attempt, failures kept
and counted, and a hanging receiver that holds no Slack message and no week's close."""

import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from bot.metrics import exposition
from bot.processes import Clockwork
from cadence import mode_decisions, webhooks
from cadence.change import Message
from outbound.webhooks import WebhookLane
from storage.db import unit_of_work
from storage.models.webhooks import Webhook
from storage.store import Store
from storage.webhook_events import announce
from tests.committed import committed, loaded
from tests.conftest import CHANNEL, Engine
from tests.webhook_receiver import Receiver, self_signed
from usecases.webhooks import new_secret


@pytest.fixture
def receiver():
    secret = new_secret()
    server = Receiver(secret, hang_seconds=1.5).start()
    yield server
    server.release()
    server.stop()


def add_hook(store, receiver, clock, name="crm", playbooks=None, wanted=webhooks.EVENTS):
    return committed(store).webhooks.add(name, receiver.url, list(wanted), playbooks, receiver.secret, "test", clock())


def mode_changes(store, engine, clock, state, count, step=0):
    """`count` mode changes of one playbook, each written as a decision writes its events."""
    s = state.steps[step]
    with unit_of_work(engine) as session:
        for i in range(count):
            decision = mode_decisions.of_declared_mode(
                state.playbook.id, s.id, s.name, f"mode-{i}", f"mode-{i + 1}", "test"
            )
            announce(session, [decision], clock())


def lane_for(store, clock, timeout=5.0, workers=8):
    """A lane whose deadline a receiver that answers always meets, however loaded the
    machine; tests of a receiver that does not answer give it theirs."""
    return WebhookLane(store.webhooks, clock, timeout=timeout, sleep=lambda s: None, workers=workers)


def test_500_twice_then_a_hang_then_200_delivers_every_event_verified_in_order_once_by_id(
    store, engine, clock, playbook, receiver
):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 5)
    sent = [d.event_id for d in store.webhooks.deliveries()]
    receiver.script = ["500", "500", "hang"]
    receiver.hang_seconds = 120  # until the test ends (the fixture releases it): past any deadline
    # 2 s: a 500 is answered in time on a loaded machine (0.5 s was not, now and then), the hang not
    lane = lane_for(store, clock, timeout=2.0)

    assert lane.run_once() == 5  # the lane claimed whole; the first failed, the rest wait behind it
    head = store.webhooks.deliveries()[0]
    assert (head.status, head.attempts, head.error) == ("pending", 1, "HTTP 500")
    assert head.available_at == clock() + timedelta(seconds=5)
    assert receiver.ids == [] and lane.run_once() == 0  # not due yet: nothing goes, the rest neither

    clock.advance(seconds=5)
    assert lane.run_once() == 5 and store.webhooks.deliveries()[0].error == "HTTP 500"
    assert store.webhooks.deliveries()[0].available_at == clock() + timedelta(minutes=5)

    clock.advance(minutes=5)
    lane.run_once()  # the receiver takes it, then answers too late
    head = store.webhooks.deliveries()[0]
    assert (head.attempts, head.error) == (3, "no answer within 2 s")
    assert head.available_at == clock() + timedelta(minutes=30)

    clock.advance(minutes=30)
    lane_for(store, clock).run_once()  # the receiver answers now: the deadline any machine meets
    assert receiver.wait_for(5)
    assert receiver.ids == sent  # in order, each the id it had from the start
    assert [e["data"]["to_mode"] for e in receiver.events] == [f"mode-{i + 1}" for i in range(5)]
    assert receiver.unverified == 0
    assert set(receiver.repeats) <= {sent[0]}  # the hung attempt had arrived: a repeat, dropped by id
    assert all(d.status == "delivered" for d in store.webhooks.deliveries())
    assert [d.attempts for d in store.webhooks.deliveries()] == [4, 1, 1, 1, 1]
    event = receiver.events[0]
    assert set(event) == {"type", "at", "playbook", "data"}
    assert (event["type"], event["playbook"]) == ("mode_changed", "support-replies")
    assert event["data"]["step"] == "draft" and event["data"]["decision"] == "mode-change"


def test_a_receiver_that_trickles_its_answer_is_cut_at_the_deadline_of_the_whole_delivery(
    store, engine, clock, playbook, receiver
):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    sent = [d.event_id for d in store.webhooks.deliveries()]
    receiver.script = ["trickle"]  # each byte within a socket's timeout; the whole answer would take ~38 s
    lane = lane_for(store, clock, timeout=2.5)
    started = time.monotonic()
    assert lane.run_once() == 2
    assert time.monotonic() - started >= 2.5  # not given up before its deadline (a slow machine only adds)
    whole = len(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert 1 <= receiver.trickled < whole  # it was trickling, and was cut before the answer ended
    head, second = store.webhooks.deliveries()
    assert (head.status, head.attempts, head.error) == ("pending", 1, "no answer within 2.5 s")
    assert (second.status, second.attempts) == ("pending", 0)  # behind it, in order

    clock.advance(seconds=5)
    assert lane.run_once() == 2 and receiver.wait_for(2)
    assert [d.status for d in store.webhooks.deliveries()] == ["delivered", "delivered"]
    assert receiver.ids == sent and receiver.repeats[sent[0]] == 1  # sent again, same id: the receiver drops it


def test_a_failing_lane_holds_only_its_own_playbook(store, engine, clock, playbook, receiver):
    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "playbook": "other-one"})], "UTC", "test", clock())
    other = store.playbooks.state("other-one")
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    mode_changes(store, engine, clock, other, 2)
    receiver.script = ["500"]
    lane = lane_for(store, clock, workers=1)  # support-replies' lane first, to meet the 500
    lane.run_once()
    lane.run_once()
    assert receiver.wait_for(2)
    assert [e["playbook"] for e in receiver.events] == ["other-one", "other-one"]


def test_after_the_last_retry_a_delivery_fails_is_counted_and_the_next_goes(store, engine, clock, playbook, receiver):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    receiver.script = ["503"] * 7
    lane = lane_for(store, clock)
    waits = []
    for _ in range(7):
        before = clock()
        lane.run_once()
        head = store.webhooks.deliveries()[0]
        waits.append(head.available_at - before)
        clock.set(head.available_at)
    head, second = store.webhooks.deliveries()
    assert waits[:6] == list(webhooks.RETRY_DELAYS)
    assert sum(waits[:6], timedelta()) < timedelta(hours=24)
    assert (head.status, head.attempts, head.error) == ("failed", 7, "HTTP 503")
    assert second.status == "delivered"  # the next went at once, in the same run: run_once posts until none is due
    assert receiver.wait_for(1)
    [listed] = store.webhooks.listed()
    assert (listed.failed, listed.pending, listed.webhook.last_error) == (1, 0, "HTTP 503")
    assert listed.last_delivery is not None
    page = exposition(store, clock).decode()
    assert 'rollout_webhook_deliveries_failed{webhook="crm"} 1.0' in page
    assert 'rollout_webhook_deliveries_pending{webhook="crm"} 0.0' in page


def test_a_lane_keeps_its_connection_to_a_receiver_between_posts(store, engine, clock, playbook, receiver):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 5)
    receiver.script = ["200", "201", "204"]
    assert lane_for(store, clock).run_once() == 5 and receiver.wait_for(5)
    assert receiver.connections == 1


def test_an_answer_longer_than_the_lane_reads_is_not_waited_for_nor_its_connection_kept(
    store, engine, clock, playbook, receiver
):
    """A receiver that answers 200 and then a body without end (it holds the connection
    past the deadline): the lane reads ANSWER_READ_LIMIT of it, counts the 2xx and posts
    the next event on a new connection."""
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    receiver.script = ["endless"]
    assert lane_for(store, clock, timeout=1.0).run_once() == 2 and receiver.wait_for(2)
    assert [(d.status, d.attempts) for d in store.webhooks.deliveries()] == [("delivered", 1), ("delivered", 1)]
    assert receiver.connections == 2 and receiver.repeats == {}


def test_a_proxy_in_the_environment_is_not_used(store, engine, clock, playbook, receiver, monkeypatch):
    """A post goes where its URL says: a proxy named in the environment (here, one that
    is not there) is not taken."""
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 1)
    assert lane_for(store, clock).run_once() == 1 and receiver.wait_for(1)
    assert [d.status for d in store.webhooks.deliveries()] == ["delivered"]


def test_an_https_receiver_is_posted_to_once_its_certificate_is_trusted(store, engine, clock, playbook, tmp_path):
    serving, trusting = self_signed(tmp_path)
    receiver = Receiver(new_secret(), tls=serving).start()
    try:
        add_hook(store, receiver, clock)
        mode_changes(store, engine, clock, playbook, 3)
        sent = [d.event_id for d in store.webhooks.deliveries()]
        lane_for(store, clock).run_once()  # the system's authorities: none of them signed it
        head = store.webhooks.deliveries()[0]
        assert head.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in (head.error or "")
        assert receiver.attempts == 0
        clock.set(head.available_at)
        lane = WebhookLane(store.webhooks, clock, timeout=2, sleep=lambda s: None, tls=trusting)
        assert lane.run_once() == 3 and receiver.wait_for(3)
        assert receiver.ids == sent and receiver.unverified == 0
    finally:
        receiver.stop()


def test_a_path_a_request_line_cannot_carry_is_percent_encoded(store, engine, clock, playbook, receiver):
    committed(store).webhooks.add(
        "crm", receiver.url + "/a b/ü", list(webhooks.EVENTS), None, receiver.secret, "test", clock()
    )
    mode_changes(store, engine, clock, playbook, 1)
    assert lane_for(store, clock).run_once() == 1 and receiver.wait_for(1)
    assert receiver.paths == ["/hooks/rollout/a%20b/%C3%BC"]
    assert [d.status for d in store.webhooks.deliveries()] == ["delivered"]


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("☃.example", "the URL cannot be posted to: InvalidURL: Invalid IDNA hostname"),  # IDNA 2008 refuses it
        ("xn--.example", "the URL cannot be posted to: IDNAError"),  # an A-label with nothing in it
        (f"{'a' * 64}.example", ""),  # a label over 63 characters: the resolver refuses it
    ],
)
def test_a_url_that_cannot_be_posted_to_is_a_failed_attempt_not_a_held_lane(
    store, engine, clock, playbook, host, error
):
    """A host that cannot be looked up: each attempt fails and is counted, so the delivery
    fails after the last retry and the playbook's next event goes."""
    committed(store).webhooks.add(
        "crm", f"https://{host}/hook", list(webhooks.EVENTS), None, "whsec_" + "A" * 32, "t", clock()
    )
    mode_changes(store, engine, clock, playbook, 1)
    lane_for(store, clock, timeout=0.5).run_once()  # a lookup that hangs is a failed attempt too
    [delivery] = store.webhooks.deliveries()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert (delivery.error or "").startswith(error) and delivery.error


def test_lanes_longer_than_a_claim_are_claimed_again_in_the_same_round(store, engine, clock, playbook, receiver):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 7)
    sent = [d.event_id for d in store.webhooks.deliveries()]
    lane = WebhookLane(store.webhooks, clock, timeout=5.0, sleep=lambda s: None, per_lane=2)
    assert lane.run_once() == 7 and receiver.wait_for(7)
    assert receiver.ids == sent  # four claims of the one lane, in order
    assert all(d.status == "delivered" for d in store.webhooks.deliveries())


def test_a_redirect_is_not_followed_but_retried(store, engine, clock, playbook, receiver):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 1)
    receiver.script = ["307"]
    lane_for(store, clock).run_once()
    [delivery] = store.webhooks.deliveries()
    assert (delivery.status, delivery.error, receiver.attempts) == ("pending", "HTTP 307", 1)


def test_a_receiver_that_is_not_there_is_retried(store, engine, clock, playbook, receiver):
    hook = add_hook(store, receiver, clock)
    receiver.stop()
    mode_changes(store, engine, clock, playbook, 1)
    lane_for(store, clock).run_once()
    [delivery] = store.webhooks.deliveries()
    assert delivery.status == "pending" and "ConnectionRefusedError" in (delivery.error or "")
    assert hook.id == delivery.webhook_id


def test_the_secret_is_encrypted_at_rest_with_the_key_and_signs_only_with_it(engine, clock, playbook, receiver):
    sealed = Store(engine, secret_key="a long random key for the tests")
    add_hook(sealed, receiver, clock)
    with Session(engine) as s:
        stored = s.execute(select(Webhook.secret)).scalar_one()
    assert stored.startswith("fernet:") and receiver.secret not in stored
    assert receiver.secret.removeprefix("whsec_") not in stored
    mode_changes(sealed, engine, clock, playbook, 1)
    for key, error in (
        (None, "ROLLOUT_SECRET_KEY is not set"),
        ("another key", "another ROLLOUT_SECRET_KEY"),
    ):
        lane_for(Store(engine, secret_key=key), clock).run_once()
        [delivery] = sealed.webhooks.deliveries()
        assert error in (delivery.error or "") and receiver.attempts == 0
        clock.set(delivery.available_at)
    lane_for(sealed, clock).run_once()
    assert receiver.wait_for(1) and receiver.unverified == 0


@contextmanager
def held_by_a_hanging_receiver(store, engine, slack, clock, playbook, receiver):
    """The clock process's threads running, the webhooks' lane waiting on a receiver that
    hangs until the test is done with it (the lane's deadline, 60 s, is never reached).
    The test's work happens while the lane still waits: no wall-clock bound is needed to
    show that the lane held nothing up."""
    add_hook(store, receiver, clock)
    receiver.hang_seconds = 120
    receiver.script = ["hang"]
    mode_changes(store, engine, clock, playbook, 1)
    parts = Engine(engine, slack, clock)
    clockwork = Clockwork(
        parts.cadence, parts.dispatcher, clock, webhooks=WebhookLane(store.webhooks, clock, timeout=60)
    )
    clockwork.start_dispatcher()
    try:
        assert _eventually(lambda: receiver.attempts == 1)  # the lane is waiting on the receiver now
        yield clockwork
        assert store.webhooks.deliveries()[0].attempts == 0  # still waiting on the receiver
    finally:
        receiver.release()
        clockwork.stop()


def _eventually(condition, seconds: float = 60.0) -> bool:
    """Whether `condition` came true within `seconds` (a hang's bound, not a speed target)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_hanging_receiver_delays_no_slack_message(store, engine, slack, clock, playbook, receiver):
    with held_by_a_hanging_receiver(store, engine, slack, clock, playbook, receiver):
        committed(store).outbox.enqueue([Message("hello", "chat.postMessage", CHANNEL, {"text": "hello"})], clock())
        assert _eventually(lambda: bool(slack.posted(CHANNEL)))  # while the receiver still hangs (on exit)


def test_a_hanging_receiver_delays_no_weeks_close(store, engine, slack, clock, playbook, receiver):
    with held_by_a_hanging_receiver(store, engine, slack, clock, playbook, receiver) as clockwork:
        clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # the Monday after a week, past its grace
        clockwork.tick()  # returns while the receiver still hangs (checked on exit)
        # closed, and told behind the event that waits on the receiver
        assert [d.type for d in store.webhooks.deliveries()] == ["mode_changed", "week_closed"]


def test_drain_returns_while_a_lane_waits_for_its_retry(store, engine, clock, playbook, receiver):
    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 3)
    receiver.script = ["500"]

    def never(seconds: float) -> None:
        raise AssertionError(f"drain(max_wait=0) waited {seconds} s for a retry")

    lane = WebhookLane(store.webhooks, clock, timeout=0.5, sleep=never)
    assert lane.drain(max_wait=0) == 3  # the oldest waits 5 s, the other two behind it
    assert store.webhooks.next_due(clock()) == clock() + timedelta(seconds=5)
    clock.advance(seconds=5)
    assert lane_for(store, clock).drain(max_wait=0) == 0
    assert receiver.wait_for(3)


def test_a_lane_told_to_stop_claims_nothing_more(store, engine, clock, playbook, receiver):
    import threading

    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 3)
    stop = threading.Event()
    stop.set()
    lane = lane_for(store, clock)
    assert lane.run_once(stop=stop) == 0 and receiver.attempts == 0
    assert [d.status for d in store.webhooks.deliveries()] == ["pending"] * 3
    assert lane.run_once() == 3 and receiver.wait_for(3)


def test_only_the_deliveries_claimed_are_marked_delivered(store, engine, clock, playbook, receiver):
    """PostgreSQL hands ids out before commit: an event committed late may carry an id
    lower than one already claimed in its lane. Recording by id leaves it waiting."""
    from storage.webhook_events import DELIVERY

    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    claimed = store.webhooks.claim("test:1", clock(), timedelta(minutes=5), 10, 10)
    assert [c.id for c in claimed] == [1, 2]
    with engine.begin() as connection:  # one committed late, under an id between them
        row = connection.execute(select(DELIVERY).where(DELIVERY.c.id == 2)).mappings().one()
        connection.execute(DELIVERY.insert().values({**row, "id": 100, "event_id": "msg_late"}))
        connection.execute(DELIVERY.update().where(DELIVERY.c.id == 2).values(id=101))
    claimed = [claimed[0], replace(claimed[1], id=101)]
    assert store.webhooks.delivered(claimed, clock()) == 2
    assert [(d.id, d.status) for d in store.webhooks.deliveries()] == [
        (1, "delivered"),
        (100, "pending"),
        (101, "delivered"),
    ]


def test_a_late_record_leaves_a_failed_delivery_failed_and_marks_none_twice(store, engine, clock, playbook, receiver):
    """A worker whose record came after its lease ran out: meanwhile another claimed the
    lane and its last retry failed one delivery. Failed stays final; one marked delivered
    already is not marked (or counted) again."""
    from storage.webhook_events import DELIVERY

    add_hook(store, receiver, clock)
    mode_changes(store, engine, clock, playbook, 2)
    claimed = store.webhooks.claim("test:1", clock(), timedelta(minutes=5), 10, 10)
    with engine.begin() as connection:
        connection.execute(DELIVERY.update().where(DELIVERY.c.id == 1).values(status="failed", attempts=7))
    assert store.webhooks.delivered(claimed, clock()) == 1
    assert store.webhooks.delivered(claimed, clock()) == 0
    assert [(d.id, d.status, d.attempts) for d in store.webhooks.deliveries()] == [
        (1, "failed", 7),
        (2, "delivered", 1),
    ]


def test_a_receivers_url_is_never_logged_even_at_debug(store, engine, clock, playbook, receiver):
    """A receiver's URL may carry its key (many hook services put it in the path or the
    query); httpx says every request's URL at INFO, so the bot's logging keeps httpx's
    and httpcore's lines to their warnings, at every level."""
    import io
    import logging

    from bot.logs import configure

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure("DEBUG")
    root.handlers[0].stream = stream
    try:
        committed(store).webhooks.add(
            "crm", receiver.url + "?key=HOOKSECRET42", list(webhooks.EVENTS), None, receiver.secret, "t", clock()
        )
        mode_changes(store, engine, clock, playbook, 1)
        assert lane_for(store, clock).run_once() == 1 and receiver.wait_for(1)
    finally:
        root.handlers[:], root.level = saved
    assert [d.status for d in store.webhooks.deliveries()] == ["delivered"]
    assert "HOOKSECRET42" not in stream.getvalue() and "127.0.0.1" not in stream.getvalue(), stream.getvalue()
