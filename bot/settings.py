"""Configuration from the environment and a `.env` file (see .env.example)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cadence.currencies import check_currency
from cadence.definition import check_timezone
from storage.db import check_database_url

SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")  # a Slack member id, as a profile's "Copy member ID" gives it
# the settings a check of their own takes as they are, or refuses (Settings._checked)
_CHECKED: dict[str, Callable[[str], object]] = {
    "database_url": check_database_url,
    "rollout_timezone": check_timezone,
    "rollout_currency": check_currency,
}


def check_log_level(value: str) -> str:
    """LOG_LEVEL in capitals, or ValueError naming the levels there are."""
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"'{value}' is not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value.upper()


def check_http_url(value: str, what: str) -> str:
    """`value` if it is an http or https address with a host, else ValueError saying what
    it should be (`what`). The value is never repeated: a proxy's address may hold a password."""
    try:
        parts = urlsplit(value)
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed [ of an IPv6 host
        usable = False
    if not usable:
        raise ValueError(f"is not an http:// or https:// address: set it to {what}")
    return value


def check_admins(value: str) -> str:
    """ROLLOUT_ADMINS: Slack member ids, comma-separated, or ValueError naming the first that is not one."""
    for admin in (a.strip() for a in value.split(",")):
        if admin and not USER_ID.fullmatch(admin):
            raise ValueError(
                f"holds '{admin[:40]}', which is not a Slack member id: list ids such as U0123456789, comma-"
                "separated (a profile's ⋯ menu → Copy member ID)"
            )
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite:///rollout.db"
    rollout_admins: str = ""
    rollout_timezone: str = "UTC"
    rollout_currency: str = "USD"  # playbooks' costs (`cost: {per_month}`) are in it: an ISO 4217 code
    rollout_hourly_rate: float | None = (
        None  # an hour of work in ROLLOUT_CURRENCY: net value = net hours × rate − spend
    )
    rollout_creators: str = "anyone"  # who may `/rollout new`: anyone, or curators
    rollout_web_url: str | None = None  # the web view's public address, for /rollout web's links
    rollout_session_secret: str | None = None  # signs the web view's sessions (default: the signing secret)
    slack_client_id: str | None = None  # "Sign in with Slack" on the web view (with the secret)
    slack_client_secret: str | None = None
    rollout_metrics_token: str | None = None  # GET /metrics for this bearer token only; unset, loopback's only
    rollout_secret_key: str | None = None  # encrypts webhooks' signing secrets at rest (storage/webhooks.py)
    port: int = 3000
    log_level: str = "INFO"
    log_format: str = "text"

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return check_log_level(value)

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError(f"'{value}' is not a log format: use text or json")
        return value.lower()

    @field_validator(*_CHECKED)
    @classmethod
    def _checked(cls, value: str, info: ValidationInfo) -> str:
        """A setting its own check takes as it is, or refuses (ValueError, its words)."""
        _CHECKED[info.field_name or ""](value)
        return value

    @field_validator("rollout_creators")
    @classmethod
    def _creators(cls, value: str) -> str:
        if value.strip().lower() not in ("anyone", "curators"):
            raise ValueError(f"'{value[:40]}' is not who may create playbooks: use anyone or curators")
        return value.strip().lower()

    @field_validator("rollout_hourly_rate")
    @classmethod
    def _rate(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and 0 < value <= 1_000_000):
            raise ValueError(f"an hour of work in ROLLOUT_CURRENCY, more than 0 and at most 1,000,000, got {value:g}")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        check_http_url(value, f"Slack's Web API, {SLACK_API_URL} (or a proxy's or GovSlack's address)")
        # slack_sdk joins base URL and method name by plain concatenation
        return value if value.endswith("/") else value + "/"

    @field_validator("rollout_web_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if not value:
            return None  # empty: unset, no sign-in links
        return check_http_url(value, "the web view's public address, e.g. https://rollout.example.com")

    @field_validator("rollout_admins")
    @classmethod
    def _admins(cls, value: str) -> str:
        return check_admins(value)

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.rollout_admins.split(",") if a.strip())

    def missing(self, *names: str) -> list[str]:
        """Which of the named variables are unset or empty."""
        return [name for name in names if not getattr(self, name.lower())]
