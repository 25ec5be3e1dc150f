"""The refusals of the owner's week in one form (usecases/week_form.py, handlers/week_form.py),
each shown on its field: part of the catalogue, TEXTS (templates/refusals.py), kept here
so that it stays a module a room holds."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "form_none_reviewed": "No case reviewed: give how many were reviewed (at least 1), or leave both fields empty.",
    "form_passed_over": "{passed} passed is more than the {reviewed} reviewed.",
    "form_review_half": "Give both how many cases were reviewed and how many of them passed.",
    "minutes_negative": "Minutes spent reviewing can't be negative ({word}): give the minutes this step's review took.",
    "minutes_fraction": "Minutes spent reviewing are a whole number, not {word}.",
    "not_minutes": "“{word}” is not a number of minutes. Write the minutes spent reviewing as a whole number, such as 30.",
    "form_minutes_no_review": "Give this week's review (cases reviewed, and passed) with the minutes spent on it.",
    "form_minutes_over": (
        "{minutes} minutes is more than a week has ({limit}): give the minutes spent reviewing this step this week."
    ),
    "form_review_dimensions_half": "Give how many cases were reviewed and how many of them passed on each dimension.",
    "week_form_gone": "This playbook no longer exists; nothing was stored.",
    "week_form_step_removed": "{step} was removed {when}; open the form again. Nothing was stored.",
    "week_form_too_long": (
        "{slug} has {steps} steps: the week's form would need {blocks} blocks, and Slack shows at most {limit}. "
        "Report its numbers with `/rollout cases`, `/rollout rubric`, `/rollout kpi` and `/rollout guardrail`."
    ),
}
