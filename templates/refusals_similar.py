"""The same learning, not paid twice (usecases/shared/similar.py, adopt_offer.py): the refusals,
each a key of the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "request_similar": (
        "*{slug} v{version}* would be the first playbook of its function in {channel}, and {matches}: "
        "*Approve with a reason* (it is kept), or *Decline* and point the team to it. Nothing was adopted."
    ),
    "adopt_offer_answered": (
        "{channel} runs *{slug}* now, one of this offer's versions: it was answered, and nothing more was adopted."
    ),
    "adopt_anyway_reason": "Say why it is not one of those the offer showed: nothing was adopted.",
    "similar_reason": "Say why it is not one of those above, or adopt one of them: nothing was created.",
}
