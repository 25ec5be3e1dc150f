"""docs/operations.md lists every metric family the bot exposes at /metrics, each with an
example alert rule (issue 108, item 8b): read from a live /metrics, not from the code, so
a family added anywhere fails here until the page has it; the rules are checked by
Prometheus's own promtool where it is installed (Debian's `prometheus`, as .ci/run installs)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

PAGE = Path(__file__).parents[2] / "docs" / "operations.md"


def _listed() -> set[str]:
    """The families in the page's table (its rows' first cells)."""
    return set(re.findall(r"^\| `(rollout_[a-z_]+)` \|", PAGE.read_text(), re.MULTILINE))


def _rules() -> dict:
    [block] = re.findall(r"```yaml\n(.*?)```", PAGE.read_text(), re.DOTALL)
    return yaml.safe_load(block)


def test_every_metric_family_at_metrics_is_documented_with_an_alert(bot):
    page = bot.get("/metrics")
    assert page.status == 200
    found = {f.name for f in text_string_to_metric_families(page.body) if f.name.startswith("rollout_")}
    # a histogram's `_created` sample is its own family to the text format's parser: the histogram's
    exposed = {name for name in found if not (name.endswith("_created") and name.removesuffix("_created") in found)}
    assert exposed, page.body
    assert exposed == _listed(), (
        f"at /metrics, not in docs/operations.md: {sorted(exposed - _listed())}; "
        f"in the page, not exposed: {sorted(_listed() - exposed)}"
    )
    exprs = [rule["expr"] for group in _rules()["groups"] for rule in group["rules"]]
    for family in exposed:
        used = [e for e in exprs if re.search(rf"\b{family}(_total|_bucket|_count|_sum)?\b", e)]
        assert len(used) >= 1, f"no example alert rule reads {family}"


def test_the_example_alert_rules_are_valid_prometheus_rules(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("no promtool here: apt-get install prometheus")
    rules = tmp_path / "rollout.rules.yml"
    rules.write_text(yaml.safe_dump(_rules()))
    checked = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
