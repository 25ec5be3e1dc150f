"""Logging for every process: LOG_LEVEL (default INFO) and LOG_FORMAT (`text`, or
`json` for one JSON object per line, as log collectors want).

Whatever the format, a log line is one line: newlines and other control characters
in a message are escaped, so nobody can forge log entries through their input, and
request bodies never reach the log (Bolt's own messages would print them whole).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_BODY = re.compile(r"(body: |for the request \().*", re.S)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_MESSAGE = 2000


def _one_line(text: str) -> str:
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


class _Safe(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name.startswith("slack_bolt"):
            message = _BODY.sub(lambda m: m.group(1) + "[not logged])", message)
        record.msg, record.args = _one_line(message), None
        return True


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


# slack_sdk's ERROR lines for a request that could not reach Slack, or whose answer was
# not JSON (slack_api/client.py, not_slacks_answer, says which URL and what came back).
SAID_BY_THE_CALLER = ("Failed to send a request to Slack API server", "Failed to decode Slack API response")


class _SaidByTheCaller(logging.Filter):
    """slack_sdk logs an ERROR for every request that could not reach Slack, then raises;
    whoever called says what it means (once, at the level it deserves): this line goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(SAID_BY_THE_CALLER)


_SLACK_CLIENT = logging.getLogger("slack_sdk.web.base_client")
_SLACK_CLIENT.addFilter(_SaidByTheCaller())


def configure(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_Safe())
    handler.setFormatter(
        _Json() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Alembic says which migrations it considered on every start, and APScheduler that it
    # ran the tick, every minute: only their warnings matter, but when debugging.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING if root.level > logging.DEBUG else logging.DEBUG)
    # httpx's and httpcore's lines, which carry URLs, are kept to warnings by outbound/http.py.
