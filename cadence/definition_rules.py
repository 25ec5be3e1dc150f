"""A playbook's `rules:` section (docs/playbooks.md, "Rule and cadence settings"): the mode rules' and the
cadence's numbers with their defaults (`RuleSettings`, the one place they are stated), and
which of them the clock, the intake and the pulse read rather than a rule. Its own room, as
the definition's other sections are (cadence/definition_*.py): a new setting lands here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from cadence.definition_parts import Fraction, Placed, Strict
from cadence.definition_team_load import TeamLoadMax
from cadence.limits import MAX_COUNT

SLOT_RE = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01][0-9]|2[0-3]):[0-5][0-9]$"


class RuleSettings(Strict):
    """The mode-rule and cadence numbers, with their defaults (docs/playbooks.md)."""

    min_cases: int = Field(default=10, ge=1, le=MAX_COUNT)
    rubric_floor: Fraction | None = None  # default: rubric_threshold - RUBRIC_FLOOR_MARGIN
    grace_hours: float = Field(default=12, ge=0, le=72, allow_inf_nan=False)
    promote_after_weeks: int = Field(default=2, ge=1, le=12)
    cooldown_weeks: int = Field(default=4, ge=0, le=52)
    critical_multiplier: float = Field(default=2, gt=1, le=10, allow_inf_nan=False)
    demote_after_fails: int = Field(default=2, ge=1, le=52)
    demote_window_weeks: int = Field(default=4, ge=1, le=52)
    unobserved_warn_weeks: int = Field(default=2, ge=1, le=52)
    unobserved_demote_weeks: int = Field(default=3, ge=1, le=52)
    freeze_after_changes: int = Field(default=3, ge=1, le=100)
    freeze_window_weeks: int = Field(default=8, ge=1, le=52)
    scale_min_kpi_weeks: int = Field(default=3, ge=1, le=4)
    scale_after_cycles: int = Field(default=2, ge=1, le=12)
    # Replication (docs/usage.md, "Replication"): the attestation rate "ready to
    # scale" asks for, and how many teams may run a version before one has replicated.
    ready_min_attestation: Fraction = 0.75
    ready_min_reliability: Fraction = 0.9  # of sourced numbers arrived before their week closed
    adoption_wave: int = Field(default=3, ge=1, le=100)
    replicate_share: float = Field(default=0.8, gt=0, le=1, allow_inf_nan=False)  # of the origin's relative change
    # fewer cases a week: "funding a demo?" (definition_intake.py)
    intake_min_cases: int = Field(default=10, ge=1, le=MAX_COUNT)
    intake_min_minutes: float = Field(default=5, ge=0, le=10080, allow_inf_nan=False)  # less a case: a demo too
    # Judgement (docs/judgement.md): `confident` judges a week by the
    # 95% intervals of its ratio and rubric (cadence/judgement.py); `classic` by the values.
    judgement: Literal["classic", "confident"] = "classic"
    stale_after_hours: float = Field(default=12, gt=0, le=24 * 365, allow_inf_nan=False)
    # Cadence slots, local time: the nudge in the playbook's zone, DMs in each member's.
    nudge_at: str = Field(default="Mon 09:00", pattern=SLOT_RE)
    checkin_at: str = Field(default="Thu 15:00", pattern=SLOT_RE)
    reminder_at: str = Field(default="Fri 15:00", pattern=SLOT_RE)
    # The pulse (cadence/pulse.py): asked once a cycle unless `off`; shown from this many answers.
    pulse: Literal["on", "off"] = "on"
    pulse_min_answers: int = Field(default=5, ge=5, le=10_000)
    # A team's load (cadence/team_load.py): a full team takes no adoption but a curator's override.
    team_load_max: TeamLoadMax = Field(default_factory=TeamLoadMax)

    @field_validator("pulse", mode="before")
    @classmethod
    def _on_off(cls, value: Any) -> Any:
        """YAML reads a bare `off` as false and `on` as true: both mean what they say."""
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _windows(self) -> RuleSettings:
        if self.demote_after_fails > self.demote_window_weeks:
            said = f"{self.demote_after_fails} cannot exceed demote_window_weeks ({self.demote_window_weeks})"
            raise Placed.at(("demote_after_fails",), said)
        if self.unobserved_warn_weeks > self.unobserved_demote_weeks:
            said = (
                f"{self.unobserved_warn_weeks} cannot exceed unobserved_demote_weeks ({self.unobserved_demote_weeks})"
            )
            raise Placed.at(("unobserved_warn_weeks",), said)
        if not _slot_order(self.checkin_at) < _slot_order(self.reminder_at):
            said = f"{self.reminder_at} must come after checkin_at ({self.checkin_at})"
            raise Placed.at(("reminder_at",), said)
        return self

    def floor_for(self, rubric_threshold: float) -> float:
        """The rubric floor: as set, or RUBRIC_FLOOR_MARGIN under the threshold."""
        if self.rubric_floor is not None:
            return self.rubric_floor
        return max(0.0, round(rubric_threshold - RUBRIC_FLOOR_MARGIN, 6))


RUBRIC_FLOOR_MARGIN = 0.10


RULE_FIELDS = frozenset(RuleSettings.model_fields)


# The settings the cadence clock reads; every other setting is a rule threshold
# (cadence.verdicts.Thresholds). A test holds the two lists to the schema.
CADENCE_SETTINGS = frozenset({"grace_hours", "stale_after_hours", "nudge_at", "checkin_at", "reminder_at"})


INTAKE_SETTINGS = frozenset(
    {"intake_min_cases", "intake_min_minutes"}
)  # read when a playbook is made: no rule's, not the bar


PULSE_SETTINGS = frozenset({"pulse", "pulse_min_answers"})  # the pulse's (cadence/pulse.py): no rule's, not the bar


LOAD_SETTINGS = frozenset(
    {"team_load_max"}
)  # an adoption's (cadence/team_load.py): no rule's; the bar's rows of its own


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _slot_order(slot: str) -> tuple[int, str]:
    day, clock = slot.split(" ")
    return WEEKDAYS.index(day), clock
