"""The playbook form's intake (`/rollout new`, `/rollout edit`; docs/playbooks.md,
"Intake"): how often the work happens, what one case costs today and whether it is
structured, made into the YAML's `intake:` and checked by `rollout playbook load`'s checks
(cadence/definition_intake.py). `/rollout new` asks all three; an edit of a playbook
without them may leave both numbers empty (no intake, as a YAML without `intake:`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cadence import self_check
from cadence.definition import PlaybookSpec
from cadence.definition_intake import IntakeSpec, demo_warning
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.refusals import Refusal

# The form's intake fields (their block ids), before the KPI's; the self-check's on a new
# playbook's form only (docs/programme.md): an edit keeps what `/rollout new` was told.
SELF_CHECK = ("contract", "trust", "operator", "template")
FIELDS = ("cases_per_week", "minutes_per_case", "structured", *SELF_CHECK)
STRUCTURED = "structured"  # the checkbox's option value


@dataclass(frozen=True)
class IntakeAnswers:
    """What the intake fields said: cases a week, minutes a case (None: not given) and
    whether the work is structured."""

    cases_per_week: float | None = None
    minutes_per_case: float | None = None
    structured: bool = False
    # the self-check's answers as typed ("" left empty); None: not asked (an edit)
    self_check: dict[str, str] | None = None

    @property
    def given(self) -> bool:
        return self.cases_per_week is not None or self.minutes_per_case is not None


def problems(answers: IntakeAnswers, new: bool) -> dict[str, Refusal]:
    """Both numbers, or (on an edit) neither."""
    found = {}
    if answers.cases_per_week is None and (new or answers.given):
        found["cases_per_week"] = Refusal.of("intake_cases_missing")
    if answers.minutes_per_case is None and (new or answers.given):
        found["minutes_per_case"] = Refusal.of("intake_minutes_missing")
    return found


def with_template(store: Store, answers: IntakeAnswers) -> IntakeAnswers:
    """The answers with the replication template as the registry names it ("support-replies
    v2", "new"): a version named otherwise (support-replies@v2, or support-replies for its
    newest) is found and kept by its name; one the registry has not is refused, so that what
    the playbook says it replicates is a version (empty: kept, and vague)."""
    said = answers.self_check or {}
    typed = said.get("template") or ""
    if not typed:
        return answers
    named = self_check.version_named(typed)
    version = version_of(store, typed)
    if named != self_check.NEW and version is None:
        raise Refusal.of("intake_no_template", which=typed[:80])
    kept = self_check.NEW if version is None else version_name(version)
    return replace(answers, self_check={**said, "template": kept})


def version_of(store: Store, template: str | None) -> RegistryVersion | None:
    """The published version a template answer names (None: "new", empty or none)."""
    named = self_check.version_named(template or "")
    if not isinstance(named, tuple):
        return None
    return store.registry.version(*named)


def version_name(version: RegistryVersion) -> str:
    return f"{version.slug} v{version.version}"


def applied(raw: dict[str, Any], base: dict[str, Any], answers: IntakeAnswers) -> dict[str, Any]:
    """`raw` (the definition the form makes) with `intake:` from the answers."""
    if not answers.given:
        raw["intake"] = None
    else:
        raw["intake"] = {
            **(base.get("intake") or {}),
            "cases_per_week": answers.cases_per_week,
            "minutes_per_case": answers.minutes_per_case,
            "structured": answers.structured,
            **(answers.self_check or {}),
        }
    return prefilled(raw, answers.self_check or {})


def prefilled(raw: dict[str, Any], said: dict[str, str]) -> dict[str, Any]:
    """What the self-check's answers fill in of the playbook, where the form set nothing:
    its operational owner as both named owners (its input contract fills in the kit form's
    inputs: usecases/kit_form.py)."""
    if said.get("operator") and not raw.get("owners"):
        raw["owners"] = {"business_rules": said["operator"], "model_updates": said["operator"]}
    return raw


def shown(intake: IntakeSpec | None) -> dict[str, str]:
    """The intake fields as the edit form shows them ("" for none)."""
    if intake is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "cases_per_week": f"{intake.cases_per_week:g}",
        "minutes_per_case": f"{intake.minutes_per_case:g}",
        "structured": STRUCTURED if intake.structured else "",
    }


def field_of(path: tuple[str | int, ...]) -> str | None:
    """The intake field a problem of `intake:` shows on (None: not one of theirs)."""
    if not path or path[0] != "intake":
        return None
    return {"minutes_per_case": "minutes_per_case", "structured": "structured"}.get(
        str(path[1]) if len(path) > 1 else "", "cases_per_week"
    )


def warning(spec: PlaybookSpec) -> str | None:
    """ "funding a demo? …" for a playbook made by the form (cadence/definition_intake.py)."""
    intake = spec.intake.model_dump() if spec.intake else None
    event = spec.value.event if spec.value else None
    return demo_warning(intake, spec.rules.intake_min_cases, spec.rules.intake_min_minutes, event)


def replicates(spec: PlaybookSpec) -> str | None:
    """The published version a playbook made by the form replicates, by its name (None:
    "new", or not said)."""
    template = spec.intake.template if spec.intake else None
    return template if template and template != self_check.NEW else None
