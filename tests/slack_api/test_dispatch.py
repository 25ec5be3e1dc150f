"""The outbox dispatcher against the Slack stand-in: limits, failures, restarts."""

import itertools
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.demo.standin.faults import Fault
from cadence.change import Message
from slack_api.dispatch import Dispatcher
from slack_api.pacing import Pacer
from storage.outbox import Outbox
from tests.committed import enqueue
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OWNER, Clock

T0 = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)


class FakeTime:
    """A clock and a sleep that moves it: waiting costs no real time."""

    def __init__(self):
        self.clock = Clock(T0)
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.clock.advance(seconds=seconds)


@pytest.fixture
def fake():
    return FakeTime()


@pytest.fixture
def outbox(engine):
    return Outbox(engine)


def dispatcher(outbox, slack, fake, timeout=5, **kwargs):
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, timeout=timeout, retry_handlers=[])
    return Dispatcher(outbox, client, clock=fake.clock, sleep=fake.sleep, **kwargs)


def post(key, channel=CHANNEL, text="hello"):
    return Message(key=key, method="chat.postMessage", channel=channel, payload={"text": text})


def test_delivers_and_records_where_it_went(outbox, slack, fake):
    enqueue(outbox.bind, [post("a"), post("b", channel=MEMBER, text="hi you")], T0)
    assert dispatcher(outbox, slack, fake).drain() == 0
    a, b = outbox.find("a"), outbox.find("b")
    assert (a.status, a.slack_channel, a.attempts) == ("sent", CHANNEL, 1)
    assert (b.status, b.slack_channel) == ("sent", "DMEMBER001")
    assert slack.posted(CHANNEL)[0]["metadata"] == {"event_type": "rollout_outbox", "event_payload": {"key": "a"}}
    assert [m["text"] for m in slack.posted(MEMBER)] == ["hi you"]


def test_enqueueing_the_same_key_twice_sends_once(outbox, slack, fake):
    enqueue(outbox.bind, [post("once")], T0)
    enqueue(outbox.bind, [post("once", text="again")], T0)
    dispatcher(outbox, slack, fake).drain()
    assert [m["text"] for m in slack.posted(CHANNEL)] == ["hello"]


def test_one_message_per_second_per_channel(outbox, slack, fake):
    enqueue(outbox.bind, [post(f"m{i}") for i in range(4)] + [post("dm", channel=MEMBER)], T0)
    dispatcher(outbox, slack, fake, pacer=Pacer(per_channel_seconds=1.0, workspace_per_second=100)).drain()
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 5
    sent = sorted(m.sent_at for m in outbox.all() if m.channel == CHANNEL)
    assert all(b - a >= timedelta(seconds=1) for a, b in itertools.pairwise(sent))
    assert [m["text"] for m in slack.posted(CHANNEL)] == ["hello"] * 4


def test_429_is_honoured_with_its_retry_after(outbox, slack, fake):
    enqueue(outbox.bind, [post("a"), post("b", channel=MEMBER)], T0)
    slack.fail_next("chat.postMessage", Fault(status=429, retry_after=7))
    dispatcher(outbox, slack, fake).drain()
    assert len(slack.posted()) == 2
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert fake.slept >= 7 - 1e-6  # held for its Retry-After
    assert all(m.status == "sent" for m in outbox.all())


def test_5xx_backs_off_then_delivers_once(outbox, slack, fake):
    enqueue(outbox.bind, [post("a")], T0)
    slack.fail_next("chat.postMessage", Fault(status=503), times=4)
    dispatcher(outbox, slack, fake).drain()
    message = outbox.find("a")
    assert message.status == "sent" and message.attempts == 5
    assert len(slack.posted(CHANNEL)) == 1
    assert fake.slept >= 4 * 5 - 1e-3  # a 5xx may have been accepted: each retry first waits, then looks


def test_permanent_errors_are_recorded_and_not_retried(outbox, slack, fake):
    enqueue(outbox.bind, [post("gone", channel="CGONE00001"), post("ok")], T0)
    slack.add_user("UDEACTIVE1", deleted=True)
    enqueue(outbox.bind, [post("inactive", channel="UDEACTIVE1")], T0)
    dispatcher(outbox, slack, fake).drain()
    assert (outbox.find("gone").status, outbox.find("gone").error) == ("failed", "channel_not_found")
    assert (outbox.find("inactive").status, outbox.find("inactive").error) == ("failed", "account_inactive")
    assert outbox.find("ok").status == "sent"
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_gives_up_after_retrying_for_long_enough(outbox, slack, fake):
    enqueue(outbox.bind, [post("a")], T0)
    slack.fail_next("chat.postMessage", Fault(status=500), times=1000)
    d = dispatcher(outbox, slack, fake, give_up_after=timedelta(hours=1))
    assert d.drain(max_wait=86400) == 0
    message = outbox.find("a")
    assert message.status == "failed" and message.error == "gave up after 1 h of retries: internal_error"
    assert slack.posted() == []


def test_an_answer_lost_after_slack_accepted_is_not_sent_twice(outbox, slack, fake):
    enqueue(outbox.bind, [post("a"), post("b", channel=MEMBER)], T0)
    slack.fail_next("chat.postMessage", Fault(accept_then_delay=1.5))
    dispatcher(outbox, slack, fake, timeout=0.5).drain()
    assert len(slack.posted(CHANNEL)) == 1  # delivered by the first attempt, found by its key
    assert len(slack.calls_to("conversations.history")) == 1
    assert outbox.find("a").status == "sent" and outbox.find("a").slack_ts == slack.posted(CHANNEL)[0]["ts"]
    assert fake.slept >= 5 - 1e-3  # looked up only after Slack had time to finish
    assert outbox.find("b").status == "sent"


def test_without_the_history_scopes_an_answer_lost_is_sent_again_once(outbox, slack, fake, caplog):
    """The manifest asks for no *:history scope (issue 96, item 6): a send whose answer was
    lost cannot be looked up, so it is sent again (at most twice in all), not retried
    until the dispatcher gives up on it."""
    enqueue(outbox.bind, [post("a")], T0)
    slack.fail_next("chat.postMessage", Fault(accept_then_delay=1.5))
    slack.fail_next("conversations.history", Fault(error="missing_scope"))
    dispatcher(outbox, slack, fake, timeout=0.5).drain()
    assert len(slack.posted(CHANNEL)) == 2 and outbox.find("a").status == "sent"
    assert "no history scope to look for it" in caplog.text


def test_a_request_that_never_got_through_is_sent_again(outbox, slack, fake):
    enqueue(outbox.bind, [post("a", channel=MEMBER)], T0)
    slack.fail_next("chat.postMessage", Fault(stall=1.0))
    dispatcher(outbox, slack, fake, timeout=0.5).drain()
    assert len(slack.posted(MEMBER)) == 1
    assert len(slack.calls_to("conversations.open")) == 1  # the DM's channel, to look it up


KILLABLE = """
import sys
from datetime import datetime, timezone
from slack_sdk import WebClient
from slack_api.dispatch import Dispatcher, Pacer
from storage.db import make_engine
from storage.outbox import Outbox
outbox = Outbox(make_engine(sys.argv[1]))
client = WebClient(token=sys.argv[3], base_url=sys.argv[2], timeout=60, retry_handlers=[])
Dispatcher(outbox, client, clock=lambda: datetime.now(timezone.utc),
           pacer=Pacer(per_channel_seconds=0, workspace_per_second=1000), worker="doomed").drain()
"""


@pytest.mark.slow  # starts a dispatcher as a process and kills it
def test_a_dispatcher_killed_mid_batch_loses_nothing_and_doubles_nothing(database_url, outbox, slack):
    now = datetime.now(UTC)
    channels = [f"CKILL{i:05d}" for i in range(6)]
    for channel in channels:
        slack.add_channel(channel, [OWNER])
    enqueue(outbox.bind, [post(f"k{i}", channel=c) for i, c in enumerate(channels)], now)
    slack.fail_next("chat.postMessage", Fault())  # the first goes through untouched
    slack.fail_next("chat.postMessage", Fault())
    slack.fail_next("chat.postMessage", Fault(accept_then_delay=60))  # the third hangs after Slack accepted it
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, database_url, slack.url, BOT_TOKEN],
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        deadline = time.time() + 30
        while len(slack.posted()) < 3 and time.time() < deadline:
            time.sleep(0.05)
        assert len(slack.posted()) == 3
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    states = {m.key: (m.status, m.in_flight_since is not None) for m in outbox.all()}
    assert sum(1 for s in states.values() if s == ("sent", False)) == 2
    assert sum(1 for s in states.values() if s == ("pending", True)) == 1  # died mid-call

    later = Clock(now + timedelta(minutes=3))  # after the dead dispatcher's lease ran out
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, timeout=5, retry_handlers=[])
    Dispatcher(outbox, client, clock=later, sleep=lambda s: later.advance(seconds=s)).drain()
    assert all(m.status == "sent" for m in outbox.all())
    for channel in channels:
        assert len(slack.posted(channel)) == 1, channel


def test_two_dispatchers_at_once_send_each_message_once(database_url, slack):
    """Two processes' dispatchers (own engines, own connections) draining one outbox."""
    import threading

    from storage.db import make_engine

    channels = [f"CPAIR{i:05d}" for i in range(40)]
    for channel in channels:
        slack.add_channel(channel, [OWNER])
    enqueue(
        make_engine(database_url), [post(f"p{i}-{j}", channel=c) for i, c in enumerate(channels) for j in range(3)], T0
    )
    clock = Clock(T0)
    barrier = threading.Barrier(2)

    def drain(name):
        client = WebClient(token=BOT_TOKEN, base_url=slack.url, timeout=5, retry_handlers=[])
        d = Dispatcher(
            Outbox(make_engine(database_url)),
            client,
            clock=clock,
            sleep=lambda s: clock.advance(seconds=s),
            pacer=Pacer(per_channel_seconds=0, workspace_per_second=10_000),
            worker=name,
            batch=7,
        )
        barrier.wait()
        d.drain(max_wait=0)

    threads = [threading.Thread(target=drain, args=(name,)) for name in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [m["metadata"]["event_payload"]["key"] for m in slack.posted()]
    assert len(keys) == 120 and len(set(keys)) == 120
    assert len(slack.calls_to("chat.postMessage")) == 120


def test_an_update_waits_for_the_message_it_updates(outbox, slack, fake):
    enqueue(outbox.bind, [Message("update", "chat.update", CHANNEL, {"ts_of": "original", "text": "decided"})], T0)
    enqueue(outbox.bind, [post("original", text="open")], T0 + timedelta(seconds=1))
    dispatcher(outbox, slack, fake).drain()
    assert [m["text"] for m in slack.posted(CHANNEL)] == ["decided"]
    assert outbox.find("update").status == "sent"


def test_a_thread_reply_goes_under_its_parent(outbox, slack, fake):
    enqueue(
        outbox.bind,
        [
            post("parent", text="digest"),
            Message("reply", "chat.postMessage", CHANNEL, {"thread_of": "parent", "text": "Support"}),
        ],
        T0,
    )
    dispatcher(outbox, slack, fake).drain()
    parent, reply = slack.posted(CHANNEL)
    assert reply["thread_ts"] == parent["ts"]


def test_an_update_of_a_message_that_failed_fails_too(outbox, slack, fake):
    enqueue(
        outbox.bind,
        [
            post("lost", channel="CNOWHERE01"),
            Message("update", "chat.update", "CNOWHERE01", {"ts_of": "lost", "text": "x"}),
        ],
        T0,
    )
    dispatcher(outbox, slack, fake).drain()
    assert outbox.find("update").status == "failed" and "never delivered" in outbox.find("update").error


def test_a_429_holds_its_channel_not_the_others(outbox, slack, fake):
    channels = [f"CHOLD{i:05d}" for i in range(5)]
    for channel in channels:
        slack.add_channel(channel, [OWNER])
    enqueue(outbox.bind, [post(f"h{i}", channel=c) for i, c in enumerate(channels)], T0)
    slack.fail_next("chat.postMessage", Fault(status=429, retry_after=30))
    dispatcher(outbox, slack, fake, pacer=Pacer(per_channel_seconds=1, workspace_per_second=1000)).drain()
    sent = {m.channel: m.sent_at for m in outbox.all()}
    held = [c for c in channels if sent[c] - T0 >= timedelta(seconds=30)]
    assert len(held) == 1  # only the limited channel waited out the Retry-After
    assert all(len(slack.posted(c)) == 1 for c in channels)


def test_many_channels_limited_at_once_hold_the_workspace():
    pacer = Pacer(per_channel_seconds=1, workspace_per_second=100)
    for channel in ("C1", "C2", "C3", "C4", "C5"):
        pacer.limited(channel, 20, now=1000.0)
    assert pacer.reserve("C9", now=1000.0) >= 20


def test_concurrent_senders_share_the_pacing(outbox, slack):
    """Four threads at once still keep one message per channel per interval, as each is
    sent, not as the outbox stamps it after Slack's answer. Each sending thread has its own
    clock, moved by its sleeps (as real time would be): a message's moment is its thread's
    time when it goes to Slack, so a loaded machine that delays one request and not the
    next cannot make the spacing look shorter or longer than the pacer made it."""
    now = datetime.now(UTC)
    enqueue(outbox.bind, [post(f"c{i}") for i in range(3)] + [post(f"d{i}", channel=MEMBER) for i in range(3)], now)
    elapsed = threading.local()
    sent: list[tuple[str, float]] = []

    def thread_clock() -> datetime:
        return now + timedelta(seconds=getattr(elapsed, "seconds", 0.0))

    def thread_sleep(seconds: float) -> None:
        elapsed.seconds = getattr(elapsed, "seconds", 0.0) + seconds

    class Sending(WebClient):
        def api_call(self, api_method, **kwargs):
            if api_method == "chat.postMessage":
                sent.append((kwargs["json"]["channel"], getattr(elapsed, "seconds", 0.0)))
            return super().api_call(api_method, **kwargs)

    client = Sending(token=BOT_TOKEN, base_url=slack.url, timeout=5, retry_handlers=[])
    Dispatcher(
        outbox,
        client,
        clock=thread_clock,
        sleep=thread_sleep,
        concurrency=4,
        pacer=Pacer(per_channel_seconds=0.2, workspace_per_second=1000),
    ).drain()
    assert len(slack.calls_to("chat.postMessage")) == 6
    for channel in (CHANNEL, MEMBER):
        moments = sorted(at for c, at in sent if c == channel)
        spaced = all(b - a >= 0.2 - 1e-5 for a, b in itertools.pairwise(moments))  # the pacer's floats
        assert len(moments) == 3 and spaced, moments


def test_slack_failing_for_minutes_then_recovering_loses_and_doubles_nothing(outbox, slack, fake):
    channels = [f"COUT{i:06d}" for i in range(20)]
    for channel in channels:
        slack.add_channel(channel, [OWNER])
    enqueue(outbox.bind, [post(f"o{i}-{j}", channel=c) for i, c in enumerate(channels) for j in range(2)], T0)
    for fault in (
        [Fault(status=503)] * 30
        + [Fault(status=429, retry_after=60)] * 15
        + [Fault(stall=0.3)] * 4
        + [Fault(status=500)] * 90
    ):
        slack.fail_next("chat.postMessage", fault)
    slack.fail_next("conversations.history", Fault(status=503), times=10)  # the lookups fail for a while too
    dispatcher(outbox, slack, fake, timeout=0.2).drain(max_wait=3600)
    assert fake.clock() - T0 > timedelta(minutes=2)  # Slack was down for minutes of (fake) time
    assert all(m.status == "sent" for m in outbox.all())
    for channel in channels:
        assert len(slack.posted(channel)) == 2, channel
    keys = [m["metadata"]["event_payload"]["key"] for m in slack.posted()]
    assert len(keys) == len(set(keys)) == 40


# ---- a token Slack refuses ------------------------------------------------------------


class Ticking:
    """A monotonic clock the test moves (the dispatcher's probe interval)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_token_holds_delivery_then_it_goes_on_once_slack_accepts_it(outbox, slack, fake, store, caplog):
    enqueue(outbox.bind, [post("a"), post("b", channel=MEMBER)], T0)
    slack.revoke("token_revoked")
    ticking = Ticking()
    held = dispatcher(outbox, slack, fake, access=store.health, monotonic=ticking)
    assert held.drain() == 2  # both wait in the outbox, neither failed
    assert store.health.slack_access_lost()[0] == "token_revoked"
    assert [m.status for m in outbox.all()] == ["pending", "pending"]
    calls = len(slack.calls)
    for _ in range(5):  # nothing is retried in a loop: no call until the probe is due
        assert held.run_once() == 0
    assert len(slack.calls) == calls
    assert sum("Slack refuses the bot's token" in r.getMessage() for r in caplog.records) == 1  # said once
    slack.restore()
    assert held.run_once() == 0  # still within the probe's interval
    ticking.now += 301  # auth.test is asked again, answers ok: delivery goes on
    assert held.drain() == 0
    assert store.health.slack_access_lost() is None
    assert len(slack.posted(CHANNEL)) == 1 and len(slack.posted(MEMBER)) == 1  # each once
    assert "accepts the bot's token again" in caplog.text


def test_a_held_dispatcher_asks_slack_again_on_a_backoff(outbox, slack, fake, store):
    """Issue 66, item 2: while Slack refuses the token, auth.test is asked again soon, then
    twice as long apart each time (5 s, 10 s, 20 s, ... up to 5 minutes), not only after
    5 minutes: a clock left up with a refused token notices a fixed one soon."""
    from slack_api.dispatch import FIRST_PROBE_SECONDS, PROBE_SECONDS

    enqueue(outbox.bind, [post("a")], T0)
    slack.revoke("invalid_auth")
    ticking = Ticking()
    held = dispatcher(outbox, slack, fake, access=store.health, monotonic=ticking)
    held.drain()
    probes = []
    for _ in range(1200):  # a second at a time, 20 minutes
        ticking.now += 1
        before = len(slack.calls_to("auth.test"))
        held.run_once()
        if len(slack.calls_to("auth.test")) > before:
            probes.append(ticking.now)
    gaps = [b - a for a, b in zip([0.0, *probes], probes, strict=False)]
    assert gaps[:4] == [FIRST_PROBE_SECONDS, 2 * FIRST_PROBE_SECONDS, 4 * FIRST_PROBE_SECONDS, 8 * FIRST_PROBE_SECONDS]
    assert max(gaps) == PROBE_SECONDS
    slack.restore()
    ticking.now += PROBE_SECONDS
    assert held.drain() == 0 and len(slack.posted(CHANNEL)) == 1


def test_another_dispatcher_holds_too_and_a_restart_with_a_working_token_goes_on(outbox, slack, fake, store):
    enqueue(outbox.bind, [post("a")], T0)
    slack.revoke("invalid_auth")
    dispatcher(outbox, slack, fake, access=store.health).drain()
    second = dispatcher(outbox, slack, fake, access=store.health, monotonic=lambda: 0.0)  # a new process probes at once
    slack.restore()
    assert second.drain() == 0
    assert len(slack.posted(CHANNEL)) == 1


def test_account_inactive_for_one_person_fails_that_message_only(outbox, slack, fake, store):
    enqueue(outbox.bind, [post("gone", channel=MEMBER), post("team")], T0)
    slack.fail_next("chat.postMessage", Fault(error="account_inactive"))
    dispatcher(outbox, slack, fake, access=store.health).drain()
    assert store.health.slack_access_lost() is None  # auth.test says the token works
    assert outbox.find("gone").status == "failed" and outbox.find("team").status == "sent"
