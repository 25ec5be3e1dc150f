"""What a word of a command can be, and the command's shape (handlers/grammar.py,
handlers/words.py), and the forms Slack would not open: the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
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
    "no_playbook": "There is no playbook “{slug}”.",
    "no_step": "Playbook {slug} has no step “{step}”. Its steps: {steps}.",
    "form_refused": "Slack wouldn't open the form ({error}). Type the command in full instead.",
    "slack_busy_form": "Slack is busy and didn't open the form in time. Try again in a minute, or type the command in full.",
}
