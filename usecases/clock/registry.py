"""The clock's jobs, listed once, in the order a tick runs them (usecases/tick.py). A new
job is a module of usecases/clock/jobs/ with its `JOB`, and one line here.

The order is the product's: nudges first (their unit of work is the tick's first write);
the week closes before the bar changes they make due and before the members' DMs of the
week now open; the owners' and the curators' work next; the digest after the closes it
reports; Slack's names last (a close does not wait on them); then, hourly, the requests'
keys forgotten."""

from __future__ import annotations

from typing import Any

from usecases.clock.job import ClockJob
from usecases.clock.jobs import (
    bar_changes,
    closes,
    digests,
    escalation_summaries,
    escalations,
    exception_queues,
    fallbacks,
    learned_back,
    learning_prompts,
    member_weeks,
    names,
    nudges,
    owner_reminders,
    readiness_news,
    request_keys,
)

JOBS: list[ClockJob[Any]] = [
    nudges.JOB,
    closes.JOB,
    bar_changes.JOB,
    member_weeks.JOB,
    owner_reminders.JOB,
    learning_prompts.JOB,
    exception_queues.JOB,
    escalation_summaries.JOB,
    escalations.JOB,
    fallbacks.JOB,
    learned_back.JOB,
    readiness_news.JOB,
    digests.JOB,
    names.JOB,
    request_keys.JOB,
]
