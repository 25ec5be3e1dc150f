"""Days off: a person's away days, the workspace's holidays: the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "away_arguments": "Say the last day you are away (or the first and the last), or `away off` when you are back.",
    "away_past": "{day} is in the past: name today ({today}) or a later day.",
    "away_backwards": "{last} is before {first}: name the first day, then the last.",
    "away_too_far": "{day} is more than a year ahead; name a day until {latest} (you can extend it later).",
    "away_not_away": "You are not marked away, so there is nothing to turn off.",
    "holiday_arguments": "Say `holiday add` and the day (and a name), `holiday remove` and the day, or `holiday list`.",
    "holiday_past": "{day} is in the past: holidays change what goes out from now on.",
    "holiday_too_far": "{day} is more than a year ahead; add holidays up to {latest}.",
    "holiday_already": "{day} is a holiday already{name}.",
    "holiday_unknown": "{day} is not a holiday, so there is nothing to remove.",
    "curators_holidays": "Only curators add and remove holidays; `/rollout holiday list` shows them to anyone.",
}
