"""A kept verdict keeps its rule (issue 54, item 17), on the fakes: why a week was
INCONCLUSIVE is said by `/rollout status` (tests/usecases/fast/slash.py) and the web view's
steps × weeks grid (each cell's title and the grid's CSV; the web view served in process as
the demo serves it) after the close that judged it; a verdict kept before the rule was
says "reason not recorded"."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import replace

from starlette.testclient import TestClient

from handlers.web_view import make_web_view
from tests.fakes import OWNER
from tests.usecases.fast.slash import slash
from tests.usecases.fast.test_close_modes import close_of, wednesday, world

WHY = "6 cases, fewer than the 10 needed"
CELL = "draft, week 2026-11-16 (cycle 1, week 1): INCONCLUSIVE: 6 cases, 0 exceptions, rubric 95%; why: "


def test_status_and_the_web_view_say_why_a_kept_week_was_inconclusive():
    services, clock = world()
    clock.clock.at = wednesday(1)
    slash(services, "cases support-replies draft 6", OWNER)  # fewer than min_cases
    slash(services, "rubric support-replies draft 95%", OWNER)
    slash(services, "cases support-replies send 20", OWNER)
    slash(services, "cases support-replies refunds 12", OWNER)
    slash(services, "rubric support-replies refunds 0.91", OWNER)
    clock.run(close_of(1))
    governance = clock.store.held.governance
    assert {(v.outcome, v.rule) for v, _ in governance.verdicts} == {
        ("INCONCLUSIVE", "2-too-few-cases"),
        ("PASS", "4-within-cap-ai-led-no-rubric"),
        ("PASS", "4-within-cap-rubric-met"),
    }

    clock.clock.at = wednesday(2)
    status = slash(services, "status support-replies", OWNER)
    assert f":white_circle: INCONCLUSIVE in the week of 2026-11-16: {WHY}" in status
    web = TestClient(make_web_view(services, secrets.token_hex(16), secure=False, signed_in_as=OWNER))
    page = web.get("/playbooks/support-replies").text
    assert f'title="{CELL}{WHY}' in page and f'<span class="sr">{CELL}{WHY}</span>' in page
    table = web.get("/playbooks/support-replies/steps.csv").text
    rows = {r["step"]: r for r in csv.DictReader(io.StringIO(table)) if r["week"] == "2026-11-16"}
    assert (rows["draft"]["why inconclusive"], rows["send"]["why inconclusive"]) == (WHY, "")

    governance.verdicts[:] = [(replace(v, rule=None), at) for v, at in governance.verdicts]  # kept before its rule was
    status = slash(services, "status support-replies", OWNER)
    assert ":white_circle: INCONCLUSIVE in the week of 2026-11-16: reason not recorded" in status
    assert f'title="{CELL}reason not recorded' in web.get("/playbooks/support-replies").text
