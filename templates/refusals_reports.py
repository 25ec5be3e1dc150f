"""A week's reports: cases, exceptions, rubric scores (by sample, by dimension), the
KPI, the guardrail, attestations, and undoing one (usecases/shared/recording.py, commands.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "kpi_arguments": "`kpi` needs a playbook and one value.",
    "kpi_extra": "`kpi` takes one value and nothing after it (and, compared with the rest, `rest <value>`).",
    "attest_arguments": "`attest` needs a playbook and `yes` or `no`.",
    "deviation_arguments": "A deviation needs the step you deviated on and a reason.",
    "attest_answer": "Answer `yes` (you followed the mode map) or `no` (you deviated), not “{word}”.",
    "exception_arguments": "`exception` needs a playbook, a step and a reason.",
    "cases_arguments": "`cases` needs a playbook, a step and a count.",
    "week_arguments": "`week` needs a playbook, and takes only `week:N` after it.",
    "rubric_arguments": "`rubric` needs a playbook, a step and a score.",
    # reviews that sample (`18/20`: passed of reviewed; cadence/review.py)
    "sample_not_counts": (
        "“{word}”: a review's {what} is a whole number of cases, not {part}. "
        "Write passed/reviewed, e.g. 18/20 (18 of 20 reviewed cases passed)."
    ),
    "sample_none_reviewed": "“{word}”: no case was reviewed, so there is no score. Write passed/reviewed, e.g. 18/20.",
    "sample_passed_over_reviewed": (
        "“{word}”: {passed} passed is more than the {reviewed} reviewed. Write passed/reviewed, e.g. 18/20."
    ),
    # a review by rubric dimension (handlers/grammar_review.py, usecases/shared/recording.py)
    "reviewers_none": "Mention who reviewed after `by`, e.g. `by @ben @ida`, or leave `by` out (you reviewed).",
    "dimension_word": (
        "“{word}” is not a dimension's count: after the reviewed count, write each dimension as name:passed, "
        "e.g. 20 tone:19 accuracy:18 policy:20."
    ),
    "dimension_not_count": "“{word}”: {what} is a whole number of cases, e.g. 20 tone:19 accuracy:18.",
    "dimension_twice": "Dimension {dimension} is given twice: give each dimension once.",
    "dimension_over_reviewed": (
        "{dimension}: {passed} passed is more than the {reviewed} reviewed. Each dimension counts what passed "
        "of the one reviewed count."
    ),
    "dimension_unknown": ("Step {step} of {slug} has no rubric dimension “{dimension}”: {declared}."),
    "dimension_missing": (
        "Step {step} of {slug} scores its rubric by dimension, and {dimension} is not given: give each of "
        "{declared} out of the reviewed count, e.g. `/rollout rubric {slug} {step} 20 {example}`."
    ),
    "reviewed_over_cases": (
        "{reviewed} reviewed is more than step {step}'s {cases} cases this week: "
        "report the cases first, or review at most {cases}."
    ),
    "week_in_future": "week:{number} of cycle {cycle} starts on {day}, in the future; it is week {current} now.",
    "week_closed": "Week {week} of cycle {cycle} closed on {when}; its verdicts stand. Nothing was stored.",
    "nothing_to_undo": (
        "You have no report on {slug} in a week that is still open, so there is nothing to undo. "
        "A closed week's reports stand."
    ),
    "no_guardrail": "{slug} declares no guardrail. Its definition can name one, e.g. `guardrail: {{name: CSAT, min: 4.6}}`.",
    "guardrail_arguments": "`guardrail` needs a playbook and one value.",
    "undo_arguments": "Name the one playbook whose latest report of yours to withdraw.",
    "no_forms_yet": "No playbook has a cycle running yet, so there is nothing to check in for.",
    "fed_by_source": (
        "{slug} takes {what} from the source {source}, which the clock asks each week; it can't be typed in. "
        "The owner or a curator may type it in its place with `override <reason>` at the end."
    ),
    "override_not_sourced": "`override` is for a number a source feeds, and no source feeds this one of {slug}'s: send it without `override`.",
    "no_rubric_by_design": (
        "Step {step} of {slug} has no rubric by design (`rubric: none` in its definition), so it takes no "
        "rubric score: it is judged on its cases and exceptions alone."
    ),
    "kpi_not_percent": "{kpi} is measured {unit}; send the number without “%”.",
    "guardrail_not_percent": "The guardrail {metric} is measured {unit}; send the number without “%”.",
}
