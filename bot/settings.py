"""Configuration from the environment and a `.env` file (see .env.example)."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cadence.definition import check_timezone
from storage.db import check_database_url

SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def check_log_level(value: str) -> str:
    """LOG_LEVEL in capitals, or ValueError naming the levels there are."""
    if value.upper() not in LOG_LEVELS:
        raise ValueError(f"'{value}' is not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value.upper()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite:///rollout.db"
    rollout_admins: str = ""
    rollout_timezone: str = "UTC"
    rollout_web_url: str | None = None  # the web view's public address, for /rollout web's links
    rollout_session_secret: str | None = None  # signs the web view's sessions (default: the signing secret)
    slack_client_id: str | None = None  # "Sign in with Slack" on the web view (with the secret)
    slack_client_secret: str | None = None
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

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        check_database_url(value)
        return value

    @field_validator("rollout_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        check_timezone(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base URL and method name by plain concatenation
        return value if value.endswith("/") else value + "/"

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.rollout_admins.split(",") if a.strip())

    def missing(self, *names: str) -> list[str]:
        """Which of the named variables are unset or empty."""
        return [name for name in names if not getattr(self, name.lower())]
