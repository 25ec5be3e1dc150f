"""Refusals: the requests the bot will not carry out, and every sentence that says why.

Every refusal a person can read is worded here, in `TEXTS`, so the product's voice is
in one place next to the message templates. Code raises `Refusal.of(key, **values)`
wherever the reason is found (the grammar, a listener, the application layer): a key
and its values, nothing rendered, and nothing is stored. Each edge renders it: Slack's
listeners with `slack` (TEXTS' mrkdwn, values escaped for Slack, so `<!channel>` in a
person's text pings no one), in the `refusal` template with the subcommand's usage; the
reporting API and the command line with `plain` (no markup, values as sent). A value
is a person's text, a number or a day, or what the bot built: a `Mention` of an id it
checked, a `Phrase` of TEXTS, its own `Lines`. tests/templates/test_refusals.py checks
that every key is used and every use has its key.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from templates import Mrkdwn, one_line, slack_escape, typed
from templates.refusals_publish import PUBLISH_REQUESTS
from templates.refusals_week import WEEK_FORM

TEXTS: dict[str, str] = {
    # ---- the shape of the command (handlers/grammar.py) ----
    "too_long": (
        "That command is {length:,} characters long; I accept at most {limit:,}. "
        "Keep notes and reasons under {free} characters."
    ),
    "control_character": (
        "Your text contains {what}, which I can't store. Retype it without that character "
        "(it often comes from pasting)."
    ),
    # the same, as the reporting API says it of a report's field (usecases/api_reports.py)
    "unstorable_field": "contains {what}, which can't be stored: retype it without that character",
    "unknown_subcommand": "I don't know the subcommand “{word}”.",
    "status_arguments": "`status` takes at most one playbook.",
    "kpi_arguments": "`kpi` needs a playbook and one value.",
    "kpi_extra": "`kpi` takes one value and nothing after it (and, compared with the rest, `rest <value>`).",
    "kpi_rest_value": "`rest` takes the rest's value after it, and nothing more: `/rollout kpi <playbook> 18.5 rest 24.1`.",
    "kpi_no_compare": "{slug}'s KPI is not compared with the rest, so it takes no `rest` value. "
    "Its definition can ask for it: `kpi: {{…, compare: rest}}` (the setting kpi.compare).",
    "attest_arguments": "`attest` needs a playbook and `yes` or `no`.",
    "deviation_arguments": "A deviation needs the step you deviated on and a reason.",
    "attest_answer": "Answer `yes` (you followed the mode map) or `no` (you deviated), not “{word}”.",
    "exception_arguments": "`exception` needs a playbook, a step and a reason.",
    "cases_arguments": "`cases` needs a playbook, a step and a count.",
    "week_arguments": "`week` needs a playbook, and takes only `week:N` after it.",
    "rubric_arguments": "`rubric` needs a playbook, a step and a score.",
    "calibrate_arguments": "`calibrate` needs a playbook, a step and the run's score as passed/cases (37/40).",
    "calibrate_score": "“{word}” is not a calibration run's score: write passed/cases, e.g. 37/40.",
    "calibrate_over_total": "{passed} passed of {total} cases: no more cases can pass than the set holds.",
    "calibrate_undeclared": (
        "Step {step} of {slug} has no calibration set: declare one with `calibration: {{cases: N}}` "
        "in its definition first."
    ),
    "calibrate_total": (
        "Step {step} of {slug} has a calibration set of {cases} cases, not {total}: a run is scored out of the whole set."
    ),
    "cycle_arguments": "Say `cycle start`, the playbook and, if not next Monday, the Monday it starts.",
    "cycle_not_monday": "Cycles start on a Monday; {day} is a {weekday}.",
    "away_arguments": "Say the last day you are away (or the first and the last), or `away off` when you are back.",
    "away_past": "{day} is in the past: name today ({today}) or a later day.",
    "away_backwards": "{last} is before {first}: name the first day, then the last.",
    "away_too_far": "{day} is more than a year ahead; name a day until {latest} (you can extend it later).",
    "away_not_away": "You are not marked away, so there is nothing to turn off.",
    "holiday_arguments": "Say `holiday add` and the day (and a name), `holiday remove` and the day, or `holiday list`.",
    "holiday_past": "{day} is in the past: holidays change what goes out from now on.",
    "holiday_too_far": "{day} is more than a year ahead; add holidays up to {latest}.",
    "holiday_already": "{day} is a holiday already{name}.",
    "holiday_unknown": "{day} is not a holiday, so there is nothing to remove.",
    "curators_holidays": "Only curators add and remove holidays; `/rollout holiday list` shows them to anyone.",
    "mode_arguments": "`mode` needs a playbook, a step, the mode and a reason (the reason is recorded).",
    "not_a_mode": "“{word}” is not a mode: say human-led, collaborative or ai-led (or unfreeze).",
    "publish_arguments": "Name the one playbook to publish (and `override` and a reason to publish what is not yet ready).",
    "override_reason": "Say why after `override`: the reason is recorded with the decision.",
    "web_arguments": "`web` takes nothing: it answers with your sign-in link.",
    "web_not_configured": (
        "The web view's address is not set, so I can't make you a link. "
        "Ask your Rollout admin to set ROLLOUT_WEB_URL to the web view's address."
    ),
    "learn_arguments": "`learn` needs a playbook and what the team learned.",
    "not_a_cycle": "“{word}” is not a cycle number: say `cycle:2`.",
    "stall_reason_missing": "Say why: the reason is kept with the decision.",
    # ---- playbooks made and changed in Slack (usecases/playbook_form.py) ----
    "creators_curators": (
        "Only curators create playbooks in this workspace (ROLLOUT_CREATORS=curators). "
        "Ask a curator, or `/rollout request` a published one."
    ),
    "made_bot_not_in_channel": (
        "I'm not in {channel} (Slack says {error}), so I can't run a playbook there. Invite me with "
        "`/invite @Rollout Cadence` in that channel, then submit again."
    ),
    "made_changed_since": "Changed by {who} at {when} since this form opened; open the form again.",
    "made_outside_kit": (
        "{slug} is adopted from {origin}, whose kit lets a team change only {allowed}: not {changes}. "
        "A curator may give an override reason."
    ),
    "made_override_not_curator": "Only a curator may change an adopted playbook past its kit.",
    "made_step_mode": (
        "Step {step} is {mode} now: `/rollout mode {slug} {step} <mode> <reason>` changes it, not this form."
    ),
    "made_too_long": (
        "{slug} is too long for Slack's form ({what}): export it with `rollout playbook export {slug}`, "
        "change the YAML and load it with `rollout playbook load`."
    ),
    "made_steps": (
        "Line {line}: write a step as `name: mode` (human-led, collaborative or ai-led; `human-led pinned`); "
        "a step renamed as `new-name (was old-name): mode`."
    ),
    "made_step_was_new": "A new playbook has no step to rename: write {step} as `name: mode`.",
    "made_step_was": (
        "Step {step} says it was {was}, but {slug} has no step {was}: rename a step it has, "
        "or write {step} as a new step."
    ),
    "new_arguments": "`/rollout new` takes nothing more: it opens a form.",
    "edit_arguments": "Name the playbook to change: `/rollout edit <playbook>`.",
    "kit_arguments": "Name the playbook to package: `/rollout kit <playbook>`.",
    "learning_form_late": (
        "Cycle {named} of {slug} takes no more learnings: week 1 of the next cycle has passed. "
        "`/rollout learn {slug} <text>` adds one to cycle {cycle}."
    ),
    "learning_cycle": (
        "*{slug}* is in week {week} of cycle {cycle}, so a learning can't go to cycle {named}: "
        "leave `cycle:` out, or name {allowed} (in week 1, the cycle that just ended takes learnings too)."
    ),
    "adopt_arguments": "`adopt` needs the playbook (and version) to adopt and the new team's channel.",
    "adopt_version": "“{word}”: name a version as playbook@v2.",
    "adopt_owner": (
        "After the channel, say `owner @person` and `champion @person`, and the team's own `baseline:`, `target:`, `tz:`, `cap:`, "
        "`rubric:` and `start:` if they differ (and `override` with a reason last, past a wave)."
    ),
    "adopt_option_twice": "`{option}:` is given twice.",
    "adopt_twice": (
        "{channel} already runs {slug}, adopted from {origin}. One channel runs one adoption of a playbook: "
        "its team would get every nudge and DM twice."
    ),
    "curator_arguments": "Say `curator add` or `curator remove` and mention one person.",
    "curators_channel_arguments": "Name one channel.",
    "week_last": "Put `week:N` last.",
    "not_a_week": "`week:{word}` is not a week of a cycle: use week:1 to week:4.",
    "decimal_comma": "“{word}” uses a comma. Write numbers with a dot and no thousands separator, e.g. {hint}.",
    "not_a_number": "“{word}” is not a number. Write a plain number such as 14.5.",
    "too_large": "{word} is too large to be a weekly figure.",
    "count_separator": "“{word}”: write counts without separators, e.g. {hint}.",
    "count_negative": "A case count can't be negative ({word}).",
    "count_fraction": "A case count is a whole number, not {word}.",
    "not_a_count": "“{word}” is not a count. Write a whole number such as 20.",
    "count_too_large": "{count:,} cases in a week is more than I accept ({limit:,}).",
    "score_negative": "A rubric score can't be negative ({word}).",
    "score_over_100": "A rubric score can't be above 100% ({word}).",
    "score_not_fraction": "A rubric score is a fraction (0.93) or a percentage (93%), not {word}.{hint}",
    # reviews that sample (`18/20`: passed of reviewed; cadence/review.py)
    "sample_not_counts": (
        "“{word}”: a review's {what} is a whole number of cases, not {part}. "
        "Write passed/reviewed, e.g. 18/20 (18 of 20 reviewed cases passed)."
    ),
    "sample_none_reviewed": "“{word}”: no case was reviewed, so there is no score. Write passed/reviewed, e.g. 18/20.",
    "sample_passed_over_reviewed": (
        "“{word}”: {passed} passed is more than the {reviewed} reviewed. Write passed/reviewed, e.g. 18/20."
    ),
    # a review by rubric dimension (handlers/grammar_review.py, usecases/shared/recording.py)
    "reviewers_none": "Mention who reviewed after `by`, e.g. `by @ben @ida`, or leave `by` out (you reviewed).",
    "dimension_word": (
        "“{word}” is not a dimension's count: after the reviewed count, write each dimension as name:passed, "
        "e.g. 20 tone:19 accuracy:18 policy:20."
    ),
    "dimension_not_count": "“{word}”: {what} is a whole number of cases, e.g. 20 tone:19 accuracy:18.",
    "dimension_twice": "Dimension {dimension} is given twice: give each dimension once.",
    "dimension_over_reviewed": (
        "{dimension}: {passed} passed is more than the {reviewed} reviewed. Each dimension counts what passed "
        "of the one reviewed count."
    ),
    "dimension_unknown": ("Step {step} of {slug} has no rubric dimension “{dimension}”: {declared}."),
    "dimension_missing": (
        "Step {step} of {slug} scores its rubric by dimension, and {dimension} is not given: give each of "
        "{declared} out of the reviewed count, e.g. `/rollout rubric {slug} {step} 20 {example}`."
    ),
    **WEEK_FORM,  # the owner's week in one form (templates/refusals_week.py)
    **PUBLISH_REQUESTS,  # publishing over readiness (templates/refusals_publish.py)
    "reviewed_over_cases": (
        "{reviewed} reviewed is more than step {step}'s {cases} cases this week: "
        "report the cases first, or review at most {cases}."
    ),
    "not_a_date": "“{word}” is not a date: write it as YYYY-MM-DD, e.g. 2026-11-30.",
    "not_a_mention": "Mention the person with @ so Slack sends their id (got “{word}”).",
    "not_a_channel": "Name the channel with # so Slack sends its id (got “{word}”).",
    "not_a_user_id": (
        "“{word}” is not a Slack user id (U or W, then 6 to 19 capital letters and digits). "
        "Mention the person with @ so Slack sends theirs."
    ),
    "not_a_channel_id": (
        "“{word}” is not a Slack channel id (C or G, then 6 to 19 capital letters and digits). "
        "Name the channel with # so Slack sends its id."
    ),
    "free_text_too_long": "That {what} is {length:,} characters long; keep it under {limit}.",
    # ---- what the data says (usecases/shared/caller.py, commands.py) ----
    "no_playbook": "There is no playbook “{slug}”.",
    "cli_defined_twice": "Playbook {slug} is defined in {first} and again in {second}; neither file was loaded: keep it in one.",
    # A change whose loosened part waits (docs/playbooks.md, "The bar moves by decision") and
    # whose tightened part would not fit the bar in force until then: a file's load
    # (usecases/bar_loaded.py). The edit form cannot make one: it changes one bound of a
    # section, and checks the whole change first.
    "publish_scale_rule": (
        "{slug}'s scale rule never held ({rule}), and a playbook that doesn't move its one number doesn't "
        "scale:\n{results}\nReadiness:\n{criteria}\nA curator may publish it anyway with `/rollout publish {slug} override <reason>`: "
        "the version says it was published by override, and its adopters have no origin change to replicate against."
    ),
    "bar_load_why": (
        "{slug}: this file loosens the bar ({changes}), so it needs a reason: load it again with "
        '--why "…" (rollout playbook load FILE --why "why the bar moves").'
    ),
    "bar_now_invalid": (
        "{slug}: {problem} in what would apply now. The loosened part of this change ({waiting}) "
        "waits for the next cycle, and the bar in force until then does not fit the rest of it. "
        "Make the change in two steps: the loosening first, the rest once it applies."
    ),
    # ---- the playbook form's intake and the kit form (usecases/intake_form.py, kit_form.py) ----
    "intake_cases_missing": "Give how many cases a week the work happens, e.g. 120.",
    "intake_minutes_missing": "Give the minutes one case takes today, e.g. 9.",
    "kit_step_model": "Line {line}: write `step | model | prompt` for a step of this playbook ({step} is not one).",
    "kit_escalate_both": "Escalate to a person or to a channel, not both: empty one of them.",
    "kit_not_a_number": "“{text}” is not a number: write one such as 24.",
    "kit_not_a_person": "Pick a person: a bot or a deactivated account can't be named here.",
    "no_step": "Playbook {slug} has no step “{step}”. Its steps: {steps}.",
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
    "week_in_future": "week:{number} of cycle {cycle} starts on {day}, in the future; it is week {current} now.",
    "no_value_event": "{slug} declares no value event “{event}” (its events: {declared}).",
    "event_step_gone": "event {event} counts step {step}, which is no longer a step of the playbook",
    "day_in_no_cycle": "{day} is in no cycle of {slug}.",
    "week_closed": "Week {week} of cycle {cycle} closed on {when}; its verdicts stand. Nothing was stored.",
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
    "nothing_to_undo": (
        "You have no report on {slug} in a week that is still open, so there is nothing to undo. "
        "A closed week's reports stand."
    ),
    "history_arguments": "Name the playbook, and if you like one of its steps and how many decisions to show.",
    "history_limit": "Show between 1 and {limit} decisions at a time.",
    "no_guardrail": "{slug} declares no guardrail. Its definition can name one, e.g. `guardrail: {{name: CSAT, min: 4.6}}`.",
    "guardrail_arguments": "`guardrail` needs a playbook and one value.",
    "undo_arguments": "Name the one playbook whose latest report of yours to withdraw.",
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
    "already_owner": "They already own {slug}.",
    "life_race": "{slug} changed a moment ago; see `/rollout status {slug}`.",
    "use_resume": "{slug} is paused: `/rollout resume {slug}` starts its next cycle.",
    "pause_arguments": "Name the playbook and say why (the reason is recorded and shown).",
    "resume_arguments": "Name the playbook, and the Monday to resume on if not the next one.",
    "owner_arguments": "Name the playbook and mention its new owner.",
    "champion_arguments": "Name the playbook and mention its champion.",
    "request_arguments": (
        "Name the version, the team's channel and `champion @person` (the requester becomes the owner), "
        "or type `/rollout request` alone for the form."
    ),
    "request_pending": (
        "{channel} already asked for {slug} v{version}: {requester}'s request of {day} is waiting for the curators."
    ),
    "request_no_curators": "No curators channel is set, so no one would see the request. Ask an admin to set one.",
    "curators_decide_requests": "Only curators approve or decline a request to adopt.",
    "request_unknown": "I don't know that request any more.",
    "request_decided": "That request was {status} already, by {by}.",
    "request_decided_now": "That request was decided a moment ago by someone else; nothing more was done.",
    "bar_why": "These changes loosen the bar, so a curator decides on them: say why ({changes}).",
    "bar_no_curators": "These changes loosen the bar ({changes}), and no curators channel is set to decide on them. "
    "Ask an admin to set one, or leave the bar as it is.",
    "bar_curators_only": "Only a curator other than the asker (with a single curator, an admin) approves or "
    "declines a change to a playbook's bar.",
    "bar_own_request": "You asked for this change to the bar, and the asker never decides their own: "
    "another curator (with a single curator, an admin) decides on it.",
    "bar_unknown": "I don't know that request to change the bar any more.",
    "bar_decided": "That request to change the bar is {state} already.",
    "bar_found_since": "Not approved: read again now, the replay finds more made easier: {found} The card shows it.",
    "gates_shut": "Not approved: {step} to {mode} does not pass its gates now, read at your click: {gates}",
    "bar_decided_now": "That request to change the bar was decided a moment ago by someone else; nothing more was done.",
    "adopt_twice_role": "Say `{role} @person` once.",
    "already_champion": "They are {slug}'s champion already.",
    "adopt_needs_champion": (
        "{slug} v{version}'s kit asks each adopting team for a champion, who gets its training and checks "
        "as a checklist: add `champion @person`."
    ),
    "checklist_champion_only": (
        "Only {slug}'s champion, {champion}, marks its checklist; the owner or a curator names another "
        "with `/rollout champion {slug} @person`."
    ),
    "checklist_item_gone": "That item is no longer on {slug}'s checklist.",
    "no_forms_yet": "No playbook has a cycle running yet, so there is nothing to check in for.",
    # ---- who may do it (usecases/shared/caller.py, roles.py) ----
    "adopt_bot_not_in_channel": (
        "I'm not in {channel} (Slack says {error}), so I can't run a playbook there. Invite me with "
        "`/invite @Rollout Cadence` in that channel, then adopt again."
    ),
    "bot_not_in_channel": (
        "I can't see who is in {channel} (Slack says {error}). Invite me there with "
        "`/invite @Rollout Cadence`; nothing was stored."
    ),
    "slack_busy_members": (
        "Slack is busy and didn't tell me who is on the team in time; nothing was stored. Try again in a minute."
    ),
    "slack_busy_channel": (
        "Slack is busy and didn't tell me in time whether I'm in that channel; nothing was stored. "
        "Try again in a minute."
    ),
    "slack_busy_person": (
        "Slack is busy and didn't tell me in time who that is; nothing was stored. Try again in a minute."
    ),
    "person_unknown": "Slack knows no user {user} in this workspace, so they can't be {role}.",
    "person_deactivated": "{user} is deactivated in Slack, so they can't be {role}.",
    "person_not_human": "{user} is a bot or an app, not a person: only a person can be {role}.",
    "members_or_owner_only": "Only members of {channel} and the owner of {slug} can report its KPI.",
    "members_only": "Only members of {channel}, the team running {slug}, check in for it.",
    "owner_or_curator_only": "Only the owner of {slug} ({owner}) or a curator can do that.",
    "admins_only": "Only admins (listed in ROLLOUT_ADMINS) can do that.",
    # ---- the exception queue (usecases/exception_queue.py) ----
    "item_not_yours": (
        "Only the exception owner of *{slug}* ({exception_owner}), its owner ({owner}) or a curator "
        "can move its exception items; nothing was changed."
    ),
    "item_gone": "That exception item no longer exists; nothing was changed.",
    "item_withdrawn": "That item was withdrawn: the report it came from was undone. Nothing was changed.",
    "item_closed": "That item was {state} already; nothing was changed.",
    "item_acknowledged": "That item is acknowledged already; resolve or accept it with a note.",
    "item_unknown_move": "An exception item can be acknowledged, resolved or accepted, not “{to}”.",
    "item_note": "Say why in a note: it is what the team reads later.",
    "item_escalated": "That item was escalated already ({on}); nothing was changed.",
    "escalation_why": "Say why you escalate it: it is what the people it goes to read first.",
    "escalation_not_yours": (
        "Only the exception owner of *{slug}* ({exception_owner}), its owner ({owner}), whoever it was "
        "escalated to or a curator can acknowledge this escalation; nothing was changed."
    ),
    "escalation_answered": "That escalation was answered already; nothing was changed.",
    "item_moved": "Someone moved that item a moment ago; nothing was changed. Open the list again to see it.",
    "curators_publish": "Only curators publish to the registry.",
    "adopt_not_allowed": (
        "*{slug} v{version}* does not let an adopting team set {refused}; it may set {allowed} "
        "(and `start:`). The version's `replication: may_change` says so."
    ),
    "adopt_wave": (
        "*{slug}* runs in its wave {number} already: {running} (a playbook's waves go on across its versions; "
        "you asked for v{version}). Its next wave opens when one of them has replicated and the wave's "
        "learnings are reviewed with a note (by the origin's owner or a curator: *Learnings reviewed*, or "
        "`/rollout wave {slug} reviewed <note>`): {opens}. A curator may adopt it all "
        "the same by adding `override <reason>`; the reason is recorded."
    ),
    "wave_who": "Only {slug}'s owner ({owner}) or a curator marks a wave's learnings reviewed.",
    "wave_gone": "That version is no longer in the registry; nothing was marked.",
    "wave_marked": "Wave {wave}'s learnings of *{slug}* were marked reviewed already, by {by} on {at}.",
    "wave_no_teams": "No team runs any version of *{slug}* yet: there is no wave to review.",
    "wave_arguments": (
        "Say which playbook, `reviewed` and what the next wave should know, e.g. "
        "`/rollout wave support-replies reviewed drafts need the refund policy`."
    ),
    "wave_note": (
        "Say what wave {wave} of *{slug}* taught, for the next wave: "
        "`/rollout wave {slug} reviewed <note>`. Its teams get the note with their adoption; nothing was marked."
    ),
    "publish_not_ready": (
        "*{slug}* is not yet ready to scale:\n{criteria}\nA curator may publish it all the same with "
        "`/rollout publish {slug} override <reason>`, once a curator who is neither its owner nor the asker approves."
    ),
    "curators_adopt": "Only curators start a team on a registry playbook.",
    "curators_unfreeze": "Only curators can unfreeze a step.",
    # ---- Slack's side (handlers/checkins.py) ----
    # ---- the pulse (usecases/pulse.py) ----
    "pulse_arguments": "`pulse` needs a playbook, and nothing after it.",
    "pulse_off": "{slug} asks no pulse: its definition says `pulse: off`.",
    "pulse_not_open": (
        "The pulse of {slug}'s cycle {cycle} opens on {day}, week 4's Thursday, and stays open until the cycle closes."
    ),
    "pulse_closed": "Cycle {cycle} of {slug} has closed, and its pulse with it; nothing was stored.",
    "pulse_no_cycle": "{slug} has no cycle running, so no pulse to answer.",
    "pulse_members_only": "Only members of {channel}, the team running {slug}, and its owner answer its pulse.",
    "pulse_empty": "Answer at least one question; nothing was stored.",
    "form_refused": "Slack wouldn't open the form ({error}). Type the command in full instead.",
    "slack_busy_form": "Slack is busy and didn't open the form in time. Try again in a minute, or type the command in full.",
    # ---- reports (usecases/shared/recording.py) ----
    "fed_by_source": (
        "{slug} takes {what} from the source {source}, which the clock asks each week; it can't be typed in. "
        "The owner or a curator may type it in its place with `override <reason>` at the end."
    ),
    "override_not_sourced": "`override` is for a number a source feeds, and no source feeds this one of {slug}'s: send it without `override`.",
    "fed_by_event": (
        "{slug} takes {what} from the value event {event}, reported by the system that holds it; it can't be typed in."
    ),
    "no_rubric_by_design": (
        "Step {step} of {slug} has no rubric by design (`rubric: none` in its definition), so it takes no "
        "rubric score: it is judged on its cases and exceptions alone."
    ),
    "kpi_not_percent": "{kpi} is measured {unit}; send the number without “%”.",
    "guardrail_not_percent": "The guardrail {metric} is measured {unit}; send the number without “%”.",
    # ---- governance (usecases/shared/governance.py, registry.py) ----
    "proposal_unknown": "I don't know that proposal any more.",
    "step_gone": "That step is no longer part of the playbook.",
    "proposal_decided": "This proposal is already {status}.",
    "proposal_decided_by": "This proposal is already {status} (by {by}).",
    "proposal_race": "Someone decided this proposal (or changed the step) a moment ago; see the channel.",
    "not_frozen": "{step} is not frozen.",
    "pinned": "{step} is pinned: human-led by design. Unpin it in the playbook's definition first.",
    "already_mode": "{step} already is {mode}.",
    "mode_race": "{step} changed a moment ago; check `/rollout status {slug}` and try again.",
    "publish_race": "{problem}; run the command again for the next version.",
    "scale_decided": "This playbook was already {status}.",
    "playbook_gone": "That playbook is gone.",
    "no_version": "The registry has no {which}.",
    "no_version_number": "The registry has no v{number} of {slug}. Its versions: {versions}.",
    "not_adoptable": "That version can't be adopted as it is: {problem}",
    # ---- upgrades: an adopter moving to a newer version (usecases/versions.py) ----
    "learnings_words": "Search with at most {most} words, each under 100 characters.",
    "upgrade_arguments": "`upgrade` needs a playbook, and a version if not the newest: `/rollout upgrade <playbook> v3`.",
    "upgrade_not_adopter": (
        "*{slug}* was not adopted from the registry: only a playbook adopted from a version upgrades to a newer one."
    ),
    "upgrade_retired": "*{slug}* is retired; a retired playbook runs no version.",
    "upgrade_not_newer": "*{slug}* runs *{origin} v{runs}*; v{number} is not newer.",
    "upgrade_newest": "*{slug}* runs *{origin} v{runs}*, the newest version.",
    "upgrade_not_allowed": (
        "*{origin} v{number}* no longer lets an adopting team set {refused}, which *{slug}* set; it stays on "
        "v{runs}. The version's `replication: may_change` says so: ask the origin's owner or a curator."
    ),
    "upgrade_moved": "*{slug}* runs *{origin} v{runs}* now: it moved since this message. Nothing was changed.",
    "upgrade_not_adoptable": "*{origin} v{number}* can't run as *{slug}*: {problem}. It stays on v{runs}.",
    # ---- the holdout's arm: the API's 409 and `rollout arm` (usecases/arms.py) ----
    "arm_not_compared": (
        "{slug} is not compared with the rest: its KPI needs `{setting}: {{rest: holdout, share: 0.1}}` "
        "for the bot to assign cases"
    ),
    "arm_holds_nothing_out": (
        "{slug} compares with the rest it reports, holding nothing out: its KPI needs "
        "`{setting}: {{rest: holdout, share: 0.1}}` for the bot to assign cases"
    ),
    # ... and its 422s, of the case id (cadence/arms.py case_fault)
    "arm_case_missing": "give the case's id: any text of 1 to {most} characters",
    "arm_case_too_long": "a case id is at most {most} characters; this one has {length:,}",
}


@dataclass(frozen=True)
class Phrase:
    """Part of a refusal's sentence worded by TEXTS[key] (`phrase`), given to it as a value:
    rendered with it, in the same form."""

    key: str
    values: Mapping[str, Any]


def phrase(key: str, **values: Any) -> Phrase:
    """TEXTS[key] with `values`, to fill in another refusal's sentence."""
    if key not in TEXTS:
        raise KeyError(key)
    return Phrase(key, values)


@dataclass(frozen=True)
class Mention:
    """A person or a channel the bot checked, by id (usecases/shared/roles.py): a mention
    in Slack, `@U…` or `#C…` in plain text."""

    sigil: str  # "@" a person, "#" a channel
    ident: str


@dataclass(frozen=True)
class Lines:
    """The bot's own lines (figures it worked out, ✅ and ❌), one under the other: they
    hold no markup and nothing a person typed, so plain text shows them as they are and
    Slack with its `<`, `>` and `&` escaped ("40% < 80%" is no link)."""

    lines: tuple[str, ...]


class Refusal(Exception):
    """A request the bot will not carry out, as data: `key` names its sentence in TEXTS,
    `values` fill it in, `usage` names the subcommand whose usage to show, `suggestions`
    are close matches. Each edge renders it: `slack` for Slack, `plain` for the reporting
    API and the command line."""

    def __init__(
        self, key: str, values: Mapping[str, Any], usage: str | None = None, suggestions: tuple[str, ...] = ()
    ):
        if key not in TEXTS:
            raise KeyError(key)
        super().__init__(key)  # what a traceback shows: the key, not what people typed
        self.key = key
        self.values = dict(values)
        self.usage = usage
        self.suggestions = suggestions

    @classmethod
    def of(cls, key: str, usage: str | None = None, suggestions: tuple[str, ...] = (), **values: Any) -> Refusal:
        """The refusal worded by TEXTS[key], with `values` to fill in."""
        return cls(key, values, usage=usage, suggestions=suggestions)


class _Slack(string.Formatter):
    """A value in Slack's form: as typed (templates.typed), since a refusal's values are
    the words, names and reasons people sent; a mention as a mention."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Phrase):
            return slack(value)
        if isinstance(value, Mention):
            return f"<{value.sigil}{value.ident}>"
        if isinstance(value, Lines):
            return "\n".join(slack_escape(line) for line in value.lines)
        return str(typed(format(value, format_spec)))


class _Plain(string.Formatter):
    """A value in plain text: as sent (on one line, templates.one_line), unescaped and
    unmarked; a mention as `@U…` or `#C…`."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Phrase):
            return plain(value)
        if isinstance(value, Mention):
            return value.sigil + value.ident
        if isinstance(value, Lines):
            return "\n".join(value.lines)
        return one_line(format(value, format_spec))


# TEXTS is written in Slack's mrkdwn. Its only markup is `*bold*`, around names; plain text
# drops the asterisks. Backticks stay: they mark what to type, literally, in plain text too.
_BOLD = re.compile(r"\*([^*\n]+)\*")
_PLAIN_TEXTS = {key: _BOLD.sub(r"\1", text) for key, text in TEXTS.items()}


def slack(said: Refusal | Phrase) -> Mrkdwn:
    """A refusal (or phrase) for Slack: TEXTS' mrkdwn with its values filled in, escaped
    for Slack (`<!channel>` in a person's text pings no one, their `*` makes nothing bold);
    the `refusal` and `modal_notice` templates and a form's field errors show it."""
    return Mrkdwn(_Slack().format(slack_escape(TEXTS[said.key]), **said.values))


def plain(said: Refusal | Phrase) -> str:
    """A refusal (or phrase) as plain text, for the reporting API and the command line:
    the sentence without Slack's markup and its values as sent, nothing escaped (a web
    page would escape it for HTML, as Jinja does every value)."""
    return _Plain().format(_PLAIN_TEXTS[said.key], **said.values)


def close_matches(word: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> tuple[str, ...]:
    """Candidates that look like `word`: similar spelling, or containing it: the
    suggestions of a refusal for an unknown playbook, step or subcommand."""
    word = word.lower()
    found = difflib.get_close_matches(word, [c.lower() for c in candidates], n=n, cutoff=0.6)
    lookup = {c.lower(): c for c in candidates}
    result = [lookup[f] for f in found]
    for candidate in candidates:
        if len(result) >= n:
            break
        if len(word) >= 3 and word in candidate.lower() and candidate not in result:
            result.append(candidate)
    return tuple(result)
