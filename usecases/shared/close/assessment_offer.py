"""The post-pilot assessment offered (usecases/assessment.py): when a cycle's close finds a
playbook ready to scale (readiness's news made its "ready to scale" proposal), its
owner gets a DM with *Assess the pilot*, which opens the assessment's form. Keyed by the
playbook alone, so it is sent the first time a playbook reaches readiness, never again."""

from __future__ import annotations

from cadence.assessment import offered
from cadence.change import Message
from templates import notices_registry
from usecases.shared.close import readiness_news
from usecases.shared.close.week import CloseRule, WeekClose, nothing


def offer_key(playbook_id: int) -> str:
    return f"assess-offer:{playbook_id}#owner"


def _close(week: WeekClose, _read: None) -> None:
    playbook, proposed = week.state.playbook, week.outcome(readiness_news.RULE)
    if not offered([proposed.proposal] if proposed is not None else [], playbook.id):
        return
    message = notices_registry.assess_offer(slug=playbook.slug, title=playbook.title, playbook_id=playbook.id)
    week.change.messages.append(Message(offer_key(playbook.id), "chat.postMessage", playbook.owner_id, message))


RULE = CloseRule("assessment offer", nothing, _close, offered, needs=("readiness news",))
