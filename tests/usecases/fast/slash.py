"""`/rollout ...` typed, on the fakes: handlers/commands.py's answer (the grammar's row, its
use case through usecases/bus.py, its reply or its refusal) without Bolt or HTTP; what the
person reads, as the Slack stand-in's Reply.text has it."""

from __future__ import annotations

import json
from typing import Any, cast

from handlers.commands import answer
from tests.fakes import CHANNEL, MEMBER
from usecases.shared.services import Services


def slash(services: Services, text: str, user: str = MEMBER, channel: str = CHANNEL) -> str:
    reply, _ = answer(services, cast(Any, None), {"text": text, "user_id": user, "channel_id": channel})
    return json.dumps(reply, ensure_ascii=False)
