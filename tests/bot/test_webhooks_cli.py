"""`rollout webhook add|list|remove|test` as an operator runs them, and the clock process
delivering webhooks through a kill -9: against a real receiver on a loopback port that
verifies every event with the Standard Webhooks library. What `add` refuses is
tests/usecases/fast/test_webhooks.py's; one refusal here shows how the command line says it.

The `webhook` commands' words, exit statuses and what they store and deliver are asked in
this process (click's CliRunner, `run`), which keeps stdout and stderr apart as a terminal
does: a process each cost a second and more of CPU to import the bot, thirteen of them a
test, for what no process changes. What only a process shows (a clock killed mid-delivery,
a tick run from cron) starts one, the webhook it delivers to added in this process; the
console script itself is tests/test_wheel.py's."""

import csv
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import Session

from cadence import mode_decisions
from storage.db import unit_of_work
from storage.models.webhooks import Webhook
from storage.webhook_events import announce
from tests.bot.test_processes import ROOT, env, rollout  # noqa: F401  # env: the processes' environment
from tests.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_add_prints_the_secret_once_and_nothing_else_shows_it(run, engine, playbook, receiver, tmp_path, monkeypatch):
    monkeypatch.setenv("ROLLOUT_SECRET_KEY", "a long random key the operator keeps")
    added = run("webhook", "add", "crm", "--url", receiver.url, "--playbook", "support-replies")
    assert added.exit_code == 0, added.stderr
    secret = added.stdout.strip()
    assert secret.startswith("whsec_") and len(added.stdout.splitlines()) == 1
    assert "shown this once" in added.stderr and secret not in added.stderr
    receiver.secret = secret
    listed = run("webhook", "list")
    assert "crm" in listed.stdout and "every event" not in listed.stdout and secret not in listed.stdout
    assert "last delivery: never" in listed.stdout and "failed: 0" in listed.stdout
    with Session(engine) as s:
        stored = s.execute(select(Webhook.secret)).scalar_one()
    assert stored.startswith("fernet:") and secret.removeprefix("whsec_") not in stored
    exported = run("export", "csv", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.stderr
    with (tmp_path / "out" / "webhook.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert "secret" not in rows[0] and not any(secret in cell or stored in cell for row in rows for cell in row)

    tested = run("webhook", "test", "crm")
    assert tested.exit_code == 0, tested.stderr
    assert "delivered to crm" in tested.stdout
    assert receiver.wait_for(1) and receiver.unverified == 0
    assert receiver.events[0]["type"] == "test" and receiver.events[0]["data"] == {"webhook": "crm"}
    assert "last delivery: 20" in run("webhook", "list").stdout

    receiver.script = ["500"]
    failed = run("webhook", "test", "crm")
    assert failed.exit_code == 1 and "HTTP 500" in failed.stderr and "Traceback" not in failed.stderr
    assert "last error: HTTP 500" in run("webhook", "list").stdout
    for where in ("stdout", "stderr"):
        assert all(secret not in getattr(r, where) for r in (listed, exported, tested, failed))

    removed = run("webhook", "remove", "crm")
    assert removed.exit_code == 0 and "removed" in removed.stdout
    assert "No webhooks yet" in run("webhook", "list").stdout


def test_a_second_webhook_by_the_same_name_is_refused(run, engine):
    assert run("webhook", "add", "crm", "--url", "https://example.com/a").exit_code == 0
    again = run("webhook", "add", "crm", "--url", "https://example.com/b")
    assert again.exit_code == 1 and "exists" in again.stderr
    assert "no webhook 'crn' (did you mean crm?)" in run("webhook", "test", "crn").stderr


@pytest.mark.slow  # real processes
def test_a_clock_killed_mid_delivery_and_restarted_loses_no_event(env, run, engine, store, playbook, monkeypatch):  # noqa: F811
    monkeypatch.delenv("ROLLOUT_SECRET_KEY", raising=False)  # as the clock's environment (`env`) has it
    receiver = Receiver(hang_seconds=0).start()
    try:
        added = run("webhook", "add", "crm", "--url", receiver.url)
        receiver.secret = added.stdout.strip()
        receiver.script = ["200"] * 400  # each answer a little slow, so the kill lands mid-lane
        slow = receiver.answer

        def slowly(handler, body):
            time.sleep(0.01)
            slow(handler, body)

        receiver.answer = slowly
        step = playbook.steps[0]
        with unit_of_work(engine) as s:
            for i in range(300):
                d = mode_decisions.of_declared_mode(playbook.playbook.id, step.id, step.name, f"m{i}", f"m{i + 1}", "t")
                announce(s, [d], datetime.now(UTC))
        sent = [d.event_id for d in store.webhooks.deliveries()]
        first = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert receiver.wait_for(60, seconds=30)
        finally:
            first.kill()  # SIGKILL: no chance to record what it sent
            first.wait(timeout=10)
        assert len(receiver.ids) < 300
        second = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert receiver.wait_for(301, seconds=60)
            deadline = time.time() + 20
            while time.time() < deadline and any(d.status != "delivered" for d in store.webhooks.deliveries()):
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            output, _ = second.communicate(timeout=30)
        everything = [d.event_id for d in store.webhooks.deliveries()]  # the clock's own close told too
        assert everything[:300] == sent and receiver.ids == everything, output  # in order, each once by id
        assert receiver.unverified == 0
        assert all(d.status == "delivered" for d in store.webhooks.deliveries())
        assert sum(receiver.repeats.values()) <= 50  # at most the lane's claim in hand was sent again
        assert "recovered" in output
    finally:
        receiver.stop()


@pytest.mark.slow  # real processes
def test_tick_delivers_the_close_and_leaves_a_retry_to_the_next(env, run, playbook, slack, receiver, monkeypatch):  # noqa: F811
    monkeypatch.delenv("ROLLOUT_SECRET_KEY", raising=False)  # as the tick's environment (`env`) has it
    added = run("webhook", "add", "crm", "--url", receiver.url, "--events", "week_closed")
    receiver.secret = added.stdout.strip()
    receiver.script = ["500"]
    first = rollout(env, "tick", "--at", "2026-11-23T11:00:00Z")
    assert first.returncode == 0, first.stderr
    assert "webhook deliveries waiting for a retry: 1" in first.stderr
    assert receiver.attempts == 1 and receiver.ids == []
    time.sleep(5)  # the first retry is due 5 s after the failure, in real time for a tick
    second = rollout(env, "tick", "--at", "2026-11-23T11:00:00Z")
    assert second.returncode == 0 and "waiting for a retry" not in second.stderr, second.stderr
    assert receiver.wait_for(1) and receiver.unverified == 0
    assert receiver.events[0]["type"] == "week_closed" and receiver.events[0]["data"]["week"] == "2026-11-16"
