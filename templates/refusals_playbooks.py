"""Playbooks made and changed: the playbook form, its intake, the kit form, the files the
command line loads (usecases/playbook_form.py, intake_form.py, kit_form.py, operator.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
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
    "cli_defined_twice": "Playbook {slug} is defined in {first} and again in {second}; neither file was loaded: keep it in one.",
    "intake_cases_missing": "Give how many cases a week the work happens, e.g. 120.",
    "intake_minutes_missing": "Give the minutes one case takes today, e.g. 9.",
    "intake_no_template": (
        "The registry has no {which}: name a published version as `/rollout registry` lists it "
        "(e.g. support-replies v2), or write new."
    ),
    "kit_step_model": "Line {line}: write `step | model | prompt` for a step of this playbook ({step} is not one).",
    "kit_escalate_both": "Escalate to a person or to a channel, not both: empty one of them.",
    "kit_not_a_number": "“{text}” is not a number: write one such as 24.",
    "kit_not_a_person": "Pick a person: a bot or a deactivated account can't be named here.",
    "kit_text_why": (
        "Say why the prompt or the rubric changed: each edit is a revision with its why "
        "(what this cycle's exceptions taught, say)."
    ),
}
