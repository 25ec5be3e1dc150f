"""`/rollout kpi <playbook> 18.5 rest 24.1`: the run's value, the rest's, or both, parsed
as every KPI value is (docs/usage.md)."""

import pytest

from handlers.grammar import Refusal, parse
from usecases.shared.messages import Kpi


@pytest.mark.parametrize(
    "text, value, rest",
    [
        ("kpi sales 18.5", 18.5, None),
        ("kpi sales 18.5 rest 24.1", 18.5, 24.1),
        ("kpi sales rest 24.1", None, 24.1),
        ("kpi sales 18.5 REST 24.1 week:2", 18.5, 24.1),
    ],
)
def test_either_arm_or_both(text, value, rest):
    cmd = parse(text)
    assert isinstance(cmd, Kpi) and (cmd.value, cmd.rest) == (value, rest)


def test_a_percentage_is_said_per_arm():
    cmd = parse("kpi sales 18.5% rest 24")
    assert isinstance(cmd, Kpi) and (cmd.percent, cmd.rest_percent) == (True, False)


@pytest.mark.parametrize(
    "text, key",
    [
        ("kpi sales 18.5 rest", "kpi_rest_value"),
        ("kpi sales rest", "kpi_rest_value"),
        ("kpi sales 18.5 rest 1 2", "kpi_rest_value"),
        ("kpi sales 18.5 19", "kpi_extra"),
        ("kpi sales rest 24,1", "decimal_comma"),
        ("kpi sales rest nan", "not_a_number"),
        ("kpi sales rest 1e999", "not_a_number"),
    ],
)
def test_a_bad_rest_is_refused(text, key):
    with pytest.raises(Refusal) as refused:
        parse(text)
    assert refused.value.key == key
