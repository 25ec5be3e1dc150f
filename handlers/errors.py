"""What a listener may raise besides a refusal."""

from __future__ import annotations


class Malformed(Exception):
    """A signed request whose content Slack could not have sent (a button value the bot
    never wrote, a form's metadata it never wrote): answered 400 with one log line (bot/app.py), nothing done."""
