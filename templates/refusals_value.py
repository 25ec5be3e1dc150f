"""Value: value events, the KPI compared with the rest, the holdout's arms (usecases/arms.py,
cadence/arms.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "kpi_rest_value": "`rest` takes the rest's value after it, and nothing more: `/rollout kpi <playbook> 18.5 rest 24.1`.",
    "kpi_no_compare": "{slug}'s KPI is not compared with the rest, so it takes no `rest` value. "
    "Its definition can ask for it: `kpi: {{…, compare: rest}}` (the setting kpi.compare).",
    "no_value_event": "{slug} declares no value event “{event}” (its events: {declared}).",
    "event_step_gone": "event {event} counts step {step}, which is no longer a step of the playbook",
    "fed_by_event": (
        "{slug} takes {what} from the value event {event}, reported by the system that holds it; it can't be typed in."
    ),
    "arm_not_compared": (
        "{slug} is not compared with the rest: its KPI needs `{setting}: {{rest: holdout, share: 0.1}}` "
        "for the bot to assign cases"
    ),
    "arm_holds_nothing_out": (
        "{slug} compares with the rest it reports, holding nothing out: its KPI needs "
        "`{setting}: {{rest: holdout, share: 0.1}}` for the bot to assign cases"
    ),
    # ... and its 422s, of the case id (cadence/arms.py case_fault)
    "arm_case_missing": "give the case's id: any text of 1 to {most} characters",
    "arm_case_too_long": "a case id is at most {most} characters; this one has {length:,}",
}
