"""The usage sources' other sides on loopback (bot/demo/standin/usage_*.py), served for a
test, and a pull run in an event loop of its own, through the client the bot's pulls share."""

import asyncio
from collections.abc import Iterator
from datetime import date
from typing import TypeVar

import pytest

from bot.demo.standin.usage_base import StandIn
from bot.demo.standin.usage_claude_code import ClaudeCodeStandIn
from bot.demo.standin.usage_copilot import CopilotStandIn
from bot.demo.standin.usage_http import UsageStandIn
from bot.demo.standin.usage_m365 import M365StandIn
from bot.demo.standin.usage_openai import OpenAIStandIn
from sources.usage import Pulled, UsageSource, client
from sources.usage.http_get import Patience

S = TypeVar("S", bound=StandIn)
FAST = Patience(retries=3, max_wait=2.0, pause=0.0)  # Retry-After of 0 to 2 s honoured; a 5xx retried at once


def pull(source: UsageSource, *days: date) -> Pulled:
    async def run() -> Pulled:
        async with client(timeout=5.0) as shared:
            return await source.pull(shared, days)

    return asyncio.run(run())


def _served(standin: S) -> Iterator[S]:
    standin.start()
    yield standin
    standin.stop()


@pytest.fixture
def claude():
    yield from _served(ClaudeCodeStandIn())


@pytest.fixture
def usage():
    yield from _served(UsageStandIn())


@pytest.fixture
def github():
    yield from _served(CopilotStandIn())


@pytest.fixture
def openai():
    yield from _served(OpenAIStandIn())


@pytest.fixture
def m365():
    yield from _served(M365StandIn())
