"""How the week close words a cycle's KPI change (docs/judgement.md): with its 95%
t-interval, "within noise" when the interval includes zero, no interval from one value."""

import pytest

from cadence.judgement import kpi_change
from templates import render
from tests.templates.contexts import contexts


def said(weekly, baseline=42.0):
    context = contexts("plain words")["week_closed"]
    message = render("week_closed", **{**context, "kpi_moved": kpi_change(weekly, baseline)})
    return message["blocks"][-1]["elements"][0]["text"]


@pytest.mark.parametrize(
    ("weekly", "words"),
    [
        ([30, 31, 29, 32], "−11.5 min from baseline, 95% CI −13.6 to −9.4."),
        ([38, 47, 40, 44], "+0.2 min from baseline, 95% CI −6.2 to +6.7: within noise."),
        ([None, 35, None, None], "−7.0 min from baseline (one weekly value: no interval)."),
        ([None, None, None, None], "no KPI reported."),
    ],
    ids=["moved", "within-noise", "one-value", "none"],
)
def test_a_cycles_kpi_change_is_said_with_its_interval(weekly, words):
    assert said(weekly).endswith(words)
    assert said(weekly).startswith("KPI change over cycle ")


def test_no_cycle_end_no_kpi_change():
    context = contexts("plain words")["week_closed"]
    assert "KPI change" not in str(render("week_closed", **{**context, "kpi_moved": None}))
