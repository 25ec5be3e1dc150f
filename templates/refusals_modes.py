"""A step's mode and the proposals that change it (usecases/shared/governance.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "mode_arguments": "`mode` needs a playbook, a step, the mode and a reason (the reason is recorded).",
    "not_a_mode": "“{word}” is not a mode: say human-led, collaborative or ai-led (or unfreeze).",
    "curators_unfreeze": "Only curators can unfreeze a step.",
    "proposal_unknown": "I don't know that proposal any more.",
    "step_gone": "That step is no longer part of the playbook.",
    "proposal_decided": "This proposal is already {status}.",
    "proposal_decided_by": "This proposal is already {status} (by {by}).",
    "proposal_race": "Someone decided this proposal (or changed the step) a moment ago; see the channel.",
    "not_frozen": "{step} is not frozen.",
    "pinned": "{step} is pinned: human-led by design. Unpin it in the playbook's definition first.",
    "already_mode": "{step} already is {mode}.",
    "mode_no_streak": "{step} cannot be asked at {mode} yet: a move up needs the evidence a promotion "
    "proposal needs, and it has {weeks}. Report its cases, exceptions and reviews; when it has the "
    "streak, ask again.",
    "mode_race": "{step} changed a moment ago; check `/rollout status {slug}` and try again.",
}
