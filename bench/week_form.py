"""The owner's week in one form (issue 58): a submission of the week form as Slack sends
it (a signed `view_submission`), measured beside `/rollout kpi` in the acknowledgement
benchmark's subcommand table (bench/ack.py), whose budget holds every entry to 3× kpi's
p99 (bench/budgets.py, SUBCOMMAND_P99).

The workload is what owners do (issue 95): each load client is the owner of a playbook
of its own (`bench-week-NN`, one step) and reports its week again and again, one form
after another. Each time it opens the form as Slack would, `/rollout week bench-week-NN`
(untimed; the bot answers it with views.open on the stand-in, which keeps the view), then
submits that view as Slack sends it: every input with what it opened with, four of them
typed anew (draft's cases, its review (reviewed, passed) and the KPI). So the form opens
on the week as it stands, the stale check passes, and each submission writes three reports
(the cases, the review with who reviewed, the KPI) in one unit of work and answers with
their list ("Week recorded"): the work of an owner's Friday, which took three commands. Only the submission is timed."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.slack_requests import filled, view_identity
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from cadence.calendar import local_date, monday_of
from cadence.definition_load import parse_playbook
from storage.store import Store
from usecases.shared.life import begin_cycle

NAME = "week form (submit)"
CHANNEL = "CBENCHWEEK"  # the form playbooks' own channel: nothing of bench-kpi's reads them

OPEN_ATTEMPTS = 5
# Sends a signed body to the bot on the load client's kept-alive connection: its answer.
Post = Callable[[str], bytes]


def slug(index: int) -> str:
    return f"bench-week-{index:02d}"


class Owners:
    """The form playbooks, one per load client, and the forms their owner opens."""

    def __init__(self, slack: SlackStandIn, owner: str, playbooks: list[int]):
        self.slack, self.owner, self.playbooks = slack, owner, playbooks
        self._scanned = [0] * len(playbooks)  # where each client's look for its views goes on from
        self._lock = threading.Lock()

    @classmethod
    def made(cls, store: Store, slack: SlackStandIn, owner: str, clients: int) -> Owners:
        """`clients` playbooks owned by `owner`, each with its first cycle running."""
        now = datetime.now(UTC)
        slack.add_channel(CHANNEL, [owner])
        slack.add_user(owner)  # the form's reviewers picker starts with them: Slack must know them
        specs = [
            parse_playbook(
                {
                    "playbook": slug(i),
                    "title": f"Bench week {i}",
                    "function": "Bench",
                    "channel": CHANNEL,
                    "owner": owner,
                    "timezone": "UTC",
                    "rubric_threshold": 0.9,
                    "exception_cap": 0.1,
                    "kpi": {"name": "Minutes", "unit": "min", "direction": "down", "baseline": 40, "target": 15},
                    "guardrail": {"name": "CSAT", "min": 4.0},
                    "steps": [{"name": "draft", "mode": "collaborative"}],
                }
            )
            for i in range(clients)
        ]
        with store.unit_of_work() as uow:
            uow.playbooks.load(specs, "UTC", "bench", now)
            uow.commit()
        week_start = monday_of(local_date(now, "UTC"))
        ids = []
        for i in range(clients):
            state = store.playbooks.state(slug(i))
            assert state is not None
            begin_cycle(store, state.playbook.id, 1, week_start, owner, now)
            ids.append(state.playbook.id)
        return cls(slack, owner, ids)

    def body(self, post: Post, index: int, n: int) -> str:
        """The n-th submission, by load client `index`: its form opened now, on its own
        playbook's week as it stands, and four fields typed anew."""
        view = self._open(post, index)
        before = json.loads(view["private_metadata"])["f"]
        step = next(field.partition(":")[2] for field in before if field.startswith("cases:"))
        wanted = {
            f"cases:{step}": str(40 + n % 40),
            f"reviewed:{step}": "20",
            f"passed:{step}": str(10 + n % 6),
            "kpi": f"{10 + n % 40}.5",
        }
        # each typed anew: a field left as it opened is not recorded (handlers/week_form.py)
        typed = {field: _other(words, before[field]) for field, words in wanted.items()}
        return submission(self.owner, view, filled(view, typed))

    def _open(self, post: Post, index: int) -> dict[str, Any]:
        """`/rollout week <its playbook>` as Slack sends it; the view the bot opened with it.
        The form opens with an empty acknowledgement; words are a refusal. On a loaded
        machine views.open on the stand-in may outlast the request's budget ("Slack is busy
        ... Try again"): the owner tries again, as a person would, a few times."""
        for _attempt in range(OPEN_ATTEMPTS):
            answer = post(command(f"week {slug(index)}", self.owner, CHANNEL))
            if not answer.strip():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"/rollout week {slug(index)} did not open the form: {answer[:300]!r}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self._lock:  # the stand-in appends to the list from its own threads
                views = list(self.slack.opened_views)
            for position in range(len(views) - 1, self._scanned[index] - 1, -1):
                metadata = json.loads(views[position].get("private_metadata") or "{}")
                if views[position].get("callback_id") == "week_form" and metadata.get("p") == self.playbooks[index]:
                    self._scanned[index] = position + 1
                    return views[position]
            time.sleep(0.01)
        raise RuntimeError(f"no form was opened for {slug(index)}")


def _other(words: str, opened: str) -> str:
    """`words`, unless the field opened with them: then a number one more."""
    if words != opened:
        return words
    whole, dot, fraction = words.partition(".")
    return f"{int(whole) + 1}{dot}{fraction}"


def command(text: str, user: str, channel: str) -> str:
    """A `/rollout` command's body as Slack sends it over HTTP."""
    return urlencode(
        {
            "command": "/rollout",
            "text": text,
            "user_id": user,
            "channel_id": channel,
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1.x",
            "response_url": "https://hooks.slack.com/commands/x",
        }
    )


def submission(user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> str:
    """A form's `view_submission` as Slack sends it: the view with Slack's id and hash for
    it, new each time, and every input's state (each input's action is `value`)."""
    state = {"values": {block: {"value": element} for block, element in values.items()}}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "view": {**view, **view_identity(), "state": state},
    }
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
