"""Learnings: adding one to a cycle, searching them (usecases/learnings.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "learn_arguments": "`learn` needs a playbook and what the team learned.",
    "not_a_cycle": "“{word}” is not a cycle number: say `cycle:2`.",
    "learning_form_late": (
        "Cycle {named} of {slug} takes no more learnings: week 1 of the next cycle has passed. "
        "`/rollout learn {slug} <text>` adds one to cycle {cycle}."
    ),
    "learning_cycle": (
        "*{slug}* is in week {week} of cycle {cycle}, so a learning can't go to cycle {named}: "
        "leave `cycle:` out, or name {allowed} (in week 1, the cycle that just ended takes learnings too)."
    ),
    "learnings_words": "Search with at most {most} words, each under 100 characters.",
}
