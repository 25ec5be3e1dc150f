"""Cycles and a playbook's life: starting, pausing, resuming, retiring (usecases/cycles.py,
usecases/life.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "cycle_arguments": "Say `cycle start`, the playbook and, if not next Monday, the Monday it starts.",
    "cycle_not_monday": "Cycles start on a Monday; {day} is a {weekday}.",
    # To the person who asked: a cycle already set is only waited for; none set, they start
    # one (the owner or a curator) or hear who does.
    "cycle_scheduled": (
        "{slug} has no cycle running yet, so there is no week to report for: "
        "its cycle {cycle} starts on {day}, and you can report from then."
    ),
    "no_cycle_yet": (
        "{slug} has no cycle running yet, so there is no week to report for. "
        "Start one with `/rollout cycle start {slug}`."
    ),
    "no_cycle_yet_ask_owner": (
        "{slug} has no cycle running yet, so there is no week to report for. "
        "Its owner, {owner}, starts one with `/rollout cycle start {slug}`."
    ),
    "day_in_no_cycle": "{day} is in no cycle of {slug}.",
    "cycle_already_set": (
        "Cycle {cycle} of {slug} is already set to start on {day}. "
        "To move it before it begins, name the new Monday: `/rollout cycle start {slug} YYYY-MM-DD`."
    ),
    "baseline_week_running": (
        "{slug}'s baseline week began on {day}: it measures the KPI as the team works today, "
        "and cycle 1 starts on {starts_on}."
    ),
    "cycle_running": "{slug} is in week {week} of cycle {cycle}; cycles follow one another without being started again.",
    "cycle_over": (
        "{day} is in the past: nobody could have reported for a cycle's weeks before it was started. "
        "Pick this week's Monday ({monday}) or a later one."
    ),
    "start_too_far": "{day} is more than a year ahead: a cycle starts on {latest} at the latest.",
    "cycle_race": "Someone started a cycle of {slug} at the same moment; see `/rollout status {slug}`.",
    "retired": "{slug} was retired on {since}: “{reason}”. Its history, status and registry versions stay readable.",
    "paused": (
        "{slug} is paused since {since} (“{reason}”): no week takes reports until it resumes. "
        "The owner or a curator resumes it with `/rollout resume {slug}`."
    ),
    "already_paused": "{slug} is already paused, since {since}.",
    "not_running": "{slug} is not running yet: its first cycle has not been started.",
    "not_begun": "{slug}'s first cycle starts on {day}; there is nothing to pause yet.",
    "not_paused": "{slug} is not paused.",
    "resume_too_early": "A new cycle can start on {earliest} at the earliest (a Monday after its last week), not {day}.",
    "life_race": "{slug} changed a moment ago; see `/rollout status {slug}`.",
    "use_resume": "{slug} is paused: `/rollout resume {slug}` starts its next cycle.",
    "pause_arguments": "Name the playbook and say why (the reason is recorded and shown).",
    "resume_arguments": "Name the playbook, and the Monday to resume on if not the next one.",
}
