"""The web overview's first screen on the fakes (usecases/web_overview.py, worded by
handlers/present_overview.py): the active playbooks on track, at risk and not yet judged,
counted from reports and weeks closed by the clock (tests/usecases/fast/ticking.py); the
funnel; each active playbook's way to its target week by week, from its first week with a
KPI; the org's trend from its first week with data; titles told apart by their slugs; the
digest judging each playbook as the overview does. The page served is tests/usecases/
test_web_overview.py's."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from handlers import present_overview, web_playbook
from tests import fakes
from tests.fakes import OWNER
from tests.usecases.fast.slash import report_week as typed_week
from tests.usecases.fast.slash import slash
from tests.usecases.fast.test_close_modes import CURATORS, NO_SET, close_of, report_week, wednesday
from tests.usecases.fast.ticking import Ticking
from usecases import commands, web, web_overview
from usecases.shared import messages

AT_RISK, LATER, PAUSED = "missing-target", "starts-later", "paused-one"


def a_playbook(slug, starts, **more):
    channel = "C" + slug.upper().replace("-", "")[:9]
    return fakes.a_playbook(slug, cycle_started=starts, channel=channel, title=slug.replace("-", " ").title(), **more)


def org(*more):
    """support-replies meets its target (15 min, lower is better) in weeks 2 and 3, after
    a week 1 without a KPI; missing-target reports 30 min in weeks 1 to 3; starts-later
    begins its first cycle in week 4; paused-one is paused. Weeks 1 to 3 closed; it is
    Wednesday of week 4."""
    states = [
        fakes.a_playbook(cycle_started=date(2026, 11, 16)),
        a_playbook(AT_RISK, date(2026, 11, 16)),
        a_playbook(LATER, date(2026, 12, 7)),
        a_playbook(PAUSED, date(2026, 11, 16)),
        *more,
    ]
    services = fakes.services(*states, now=wednesday(1), org_timezone="UTC")
    clock = Ticking(services)
    for week in (1, 2, 3):
        report_week(services, clock, week, kpi=None if week == 1 else 14.0)
        commands.kpi(fakes.caller(services, OWNER, "CMISSINGTA"), messages.Kpi(AT_RISK, 30))
        clock.run(close_of(week))
    clock.clock.at = wednesday(4)
    commands.pause(fakes.caller(services, OWNER, "CPAUSEDONE"), messages.Pause(PAUSED, "a quiet month"))
    return services


def test_the_first_screen_counts_the_active_playbooks_by_standing_and_charts_each_ones_way():
    services = org()
    shown = present_overview.shown(web_overview.overview(services, web.Viewer(OWNER)))
    # support-replies met 15 in 2 of its 3 closed weeks: on track; missing-target in none:
    # at risk; starts-later has no closed week to judge; the paused one is not counted.
    assert shown["standings"] == {"on track": 1, "at risk": 1, "stalled": 0, "not judged yet": 1}
    by_slug = {p["slug"]: p for p in shown["progress"]}
    assert set(by_slug) == {"support-replies", AT_RISK, LATER}
    ours = by_slug["support-replies"]
    assert ours["standing"] == "on track"
    # from its first week with a KPI (week 2), not the empty week 1 before it
    assert ours["weeks"] == ["C1W2", "C1W3", "C1W4"]
    assert ours["shares"] == [pytest.approx(28 / 27), pytest.approx(28 / 27), None]
    assert ours["latest"] == pytest.approx(28 / 27)
    assert by_slug[AT_RISK]["standing"] == "at risk" and by_slug[AT_RISK]["weeks"][0] == "C1W1"
    assert by_slug[AT_RISK]["shares"][0] == pytest.approx((30 - 42) / (15 - 42))
    assert by_slug[LATER] == dict(
        slug=LATER,
        title="Starts Later",
        standing="not judged yet",
        weeks=[],
        shares=[],
        latest=None,
        known=0,
        lowest=None,
        highest=None,
    )
    # Issue 67, item 2: each playbook's own page says the standing the overview counts it by
    for slug in ("support-replies", AT_RISK, LATER, PAUSED):
        page = web.playbook_page(services, web.Viewer(OWNER), slug)
        assert page is not None
        assert web_playbook.shown(page)["standing"] == (
            by_slug[slug]["standing"] if slug in by_slug else "not judged yet"
        ), slug
    assert (ours["known"], ours["lowest"], ours["highest"]) == (2, pytest.approx(28 / 27), pytest.approx(28 / 27))
    # every playbook, paused too, counted once at its furthest stage: all pilots here
    assert [(f["stage"], f["at"], f["reached"]) for f in shown["funnel"]] == [
        ("pilot", 4, 4),
        ("ready", 0, 0),
        ("published", 0, 0),
        ("adopted", 0, 0),
        ("replicated", 0, 0),
    ]
    # the org's trend starts at its first closed week with data: none of the empty half year before
    assert [t["week"] for t in shown["trend"]] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert all(t["exceptions"] is not None for t in shown["trend"])


def test_playbooks_of_one_title_are_told_apart_by_their_slugs():
    """An adopter keeps its origin's title: where a title repeats, the small charts'
    headings add each one's slug; a title of its own is shown as it is."""
    sales = fakes.a_playbook("support-replies-sales", cycle_started=date(2026, 11, 30), channel="CSALESTEAM")
    services = org(sales)
    titles = {p.slug: p.title for p in web_overview.overview(services, web.Viewer(OWNER)).progress}
    assert titles["support-replies"] == "Support reply drafting (support-replies)"
    assert titles["support-replies-sales"] == "Support reply drafting (support-replies-sales)"
    assert titles[AT_RISK] == "Missing Target"


def test_the_digest_and_the_overview_judge_each_playbook_alike():
    """Issue 54, item 9: one standing (cadence.sponsor.standing) for the digest and the
    web overview. support-replies meets its target in both closed weeks with a step near
    its cap: on track, the cap a thing to watch, not a risk to count; missing-target
    misses it: at risk. Then missing-target is paused and resumed in week 3: the digest
    does not judge it on the week the pause cut (no "KPI not reported"), nor does the
    overview on the cycle the pause interrupted."""
    steps = [{**s, **NO_SET} if s["name"] == "draft" else s for s in fakes.definition()["steps"]]
    states = (
        fakes.a_playbook(steps=steps, cycle_started=date(2026, 11, 16)),
        fakes.a_playbook(AT_RISK, cycle_started=date(2026, 11, 16), channel="CMISSING01", title="Missing Target"),
    )
    services = fakes.services(*states, now=wednesday(1), org_timezone="UTC")
    fakes.store_of(services).org.set_setting("curators_channel", CURATORS, OWNER, wednesday(1))
    clock = Ticking(services)

    def digest():
        """The digest's summary and its Support thread, as the curators channel got them after `before`."""
        sent = clock.store.held.sent(CURATORS)[before:]
        summary = next(m for m in sent if "Week of" in m.payload["text"] or "digest" in m.payload["text"].lower())
        [thread] = [m for m in sent if m.payload["text"].startswith("Support: ")]
        return json.dumps(summary.payload["blocks"], ensure_ascii=False), json.dumps(
            thread.payload["blocks"], ensure_ascii=False
        )

    for week in (1, 2):
        typed_week(services, week, draft=(20, 2, "95%"))  # 14 min: on target; draft at its cap
        assert "Recorded" in slash(services, f"kpi {AT_RISK} 30", OWNER)
        clock.run(close_of(week))
    before = len(clock.store.held.sent(CURATORS))
    clock.run(close_of(2) + timedelta(hours=2))  # Monday 13:00: the digest
    summary, thread = digest()
    assert "1 playbook at risk" in summary and "playbook stalled" not in summary
    assert "*support-replies* ·" in thread and ":warning: *missing-target*" in thread
    assert "· *on track* (this cycle: target met in weeks 1, 2)" in thread
    assert "· *at risk* (this cycle: target met in no week yet)" in thread
    assert "*Watch:* draft near its cap" in thread and "At risk:" not in thread
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.standings == {"on track": 1, "at risk": 1, "stalled": 0, "not judged yet": 0}

    clock.clock.at = wednesday(3)
    assert "paused" in slash(services, f"pause {AT_RISK} a quiet week", OWNER).lower()
    typed_week(services, 3)
    clock.clock.at = wednesday(3) + timedelta(days=1)
    slash(services, f"resume {AT_RISK}", OWNER)
    clock.run(close_of(3))
    before = len(clock.store.held.sent(CURATORS))
    clock.run(close_of(3) + timedelta(hours=2))
    summary, thread = digest()
    assert "at risk" not in summary and "playbook stalled" not in summary
    paused = thread[thread.index("*missing-target*") : thread.index("*support-replies*")]
    assert "paused, no KPI last week (target 15 min)" in paused and "· *not judged yet*" in paused
    assert "not reported" not in paused and "Watch:" not in paused  # a paused team was asked for nothing
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.standings == {"on track": 1, "at risk": 0, "stalled": 0, "not judged yet": 1}
