"""The web view shows a rubric with its sample (issue 58): the grid's title over the
reviewed cases, and the steps CSV's reviewed count and bounds. Real HTTP, both databases."""

import csv
import io
import re

from tests.bot.test_web_view import fetch, signed_in, view  # noqa: F401  (a fixture)
from tests.conftest import OWNER, Engine
from tests.usecases.test_governance import close_of, report_week


def test_a_judged_week_shows_its_rubric_with_its_sample(view, engine, slack, clock):  # noqa: F811
    report_week(view, clock, 1, draft=(40, 1, "18/20"))
    Engine(engine, slack, clock).run(close_of(1))
    _, _, page = fetch(view.base_url + "/web/playbooks/support-replies", signed_in(view, OWNER))
    grid = page[page.index("Steps × weeks") : page.index("This week")]
    title = re.search(r'<td class="(?:PASS|FAIL|INCONCLUSIVE)" title="([^"]*)" data-week="[^"]*">', grid).group(1)
    assert "rubric 90% of 20 reviewed (95% CI 70–97%, threshold 90%)" in title, title
    _, _, steps = fetch(view.base_url + "/web/playbooks/support-replies/steps.csv", signed_in(view, OWNER))
    draft = next(r for r in csv.DictReader(io.StringIO(steps)) if r["step"] == "draft" and r["week"] == "2026-11-16")
    assert draft["rubric cases reviewed"] == "20"
    assert (draft["rubric 95% CI low %"], draft["rubric 95% CI high %"]) == ("69.9", "97.2")
