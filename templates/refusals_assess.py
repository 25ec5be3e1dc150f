"""The post-pilot assessment (usecases/assessment.py): the refusals, each a key of the
catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "assess_arguments": "Name the one playbook to assess, e.g. `/rollout assess support-replies`.",
    "assess_owner": "Only {slug}'s owner ({owner}) assesses its pilot: they ran it.",
    "assess_too_early": (
        "*{slug}* has not closed its first cycle yet: the assessment asks what a whole cycle taught. "
        "`/rollout assess {slug}` opens once its week 4 has closed."
    ),
    "assess_empty": "Every answer is empty: keep at least one item (one a line); nothing was stored.",
}
