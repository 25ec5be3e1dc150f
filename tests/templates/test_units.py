"""A number that measures something is written with its unit and the minus sign (U+2212),
by one function (templates.measure) on every surface; a chart's legend says its unit once."""

import json
import re

from cadence.digest import summarize
from templates import MINUS, _number, measure, render
from templates.web_charts import depth_charts, kpi_chart, org_trend_charts
from tests.cadence.test_digest import week
from tests.templates.contexts import contexts
from tests.templates.test_templates import _mrkdwn_texts

# a KPI's baseline or target, a guardrail's bound, then a number with nothing after it that says its unit
UNITLESS = re.compile(r"\b(baseline|target|mean|min|max) \*?[−-]?\d[\d,.]*+\*?+(?! ?(?:min\b|plain words|%))")


def test_a_measure_has_its_unit_and_its_sign():
    assert measure(-7, "min", signed=True) == f"{MINUS}7 min"
    assert measure(2.5, "min", signed=True) == "+2.5 min"
    assert measure(0, "min", signed=True) == "0 min"
    assert measure(40.0, "") == "40" and measure(None, "min") == "–"
    assert _number(-1234.5) == f"{MINUS}1,234.5" and _number(-0.001) == "0"


def test_the_digest_says_each_measure_with_its_unit_and_the_minus_sign():
    """Issue 54: "−7 on last week" and "from baseline 40 to target 24" said no unit, and a hyphen."""
    digest = summarize(week(baseline=40.0, target=24.0, kpi_series=[None] * 6 + [38.0, 31.0]))
    text = json.dumps(render("digest_function", function="Support", digests=[digest], total=1, part=1, parts=1))
    text = json.loads(text)["blocks"][1]["text"]["text"]
    assert "*31 min*, 56% of the way from baseline 40 min to target 24 min · −7 min on last week" in text
    assert not re.search(r"(?<![\w-])-\d", text)  # no hyphen for a minus
    grew = summarize(week(kpi_series=[30.0, 32.5]))
    rendered = render("digest_function", function="Support", digests=[grew], total=1, part=1, parts=1)
    assert "· +2.5 min on last week" in rendered["blocks"][1]["text"]["text"]


def test_status_a_recorded_kpi_a_week_close_and_the_registry_say_the_unit_of_every_baseline_target_and_bound():
    ctx = contexts("plain words")
    for name in ("status", "kpi_recorded", "week_closed", "digest_function", "registry_list", "history", "adopted"):
        for text in _mrkdwn_texts(render(name, **ctx[name])):
            assert not UNITLESS.search(text), (name, UNITLESS.search(text).group(0), text[:300])


def test_a_legend_says_its_unit_once():
    labels = ["W1", "W2"]
    rows = [dict(cases=10, share=0.5, people=3), dict(cases=12, share=0.6, people=4)]
    cases, share, people = depth_charts(labels, rows, "Support")
    assert [s.legend for c in (cases, share, people) for s in c.series] == [
        "cases",
        "AI-led or collaborative (%)",
        "people",
    ]
    assert cases.label == "Support: cases per week" and share.label.endswith("(%)")
    ratio, _ = org_trend_charts(labels, [0.1, 0.2], [0.8, 0.9])
    assert ratio.series[0].legend == "exception ratio (%)"
    kpi = kpi_chart("Reply time", labels, [40.0, -3.0], baseline=42, target=15, unit="min")
    assert kpi.series[0].legend == "Reply time (min)"
    assert [r.name for r in kpi.references] == ["baseline 42 min", "target 15 min"]
    assert kpi.series[0].points[1].text == f"W2: {MINUS}3 min"


def test_a_cycles_mean_in_history_and_in_the_adoption_message_has_its_unit():
    """Issue 54: history's cycle result ("mean 14.2, target 15") and an adoption's origin
    results ("(mean 14.2)") were the last measures said without their unit."""
    ctx = contexts("plain words")
    result = dict(ctx["history"]["rows"][0], kind="cycle-result", f={"kpi_weeks": 3, "mean": 14.2, "target": 15})
    history = render("history", **{**ctx["history"], "unit": "min", "rows": [result]})
    assert any("mean 14.2 min, target 15 min" in t for t in _mrkdwn_texts(history))
    adopted = ctx["adopted"]
    results = [dict(cycle=1, mean=14.2, kpi_weeks=4, hit=False)]
    kpi = dict(vars(adopted["kpi"]), unit="min")
    texts = _mrkdwn_texts(render("adopted", **{**adopted, "results": results, "kpi": kpi}))
    assert any("cycle 1 missed (mean 14.2 min)" in t for t in texts), texts
