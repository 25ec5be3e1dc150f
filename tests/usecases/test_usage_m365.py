"""Microsoft 365 Copilot through the pass (usecases/usage.py), on both databases, against
Graph's stand-in over loopback (bot/demo/standin/usage_m365.py): a report of last activity
dates is whole only for its refresh date, so a team's week holding a day the source never
saw as a refresh date is "unknown", never "without usage", even once pulled through its
Sunday; a week whose seven days were each a refresh date seen counts, its 0 included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.demo.standin.usage_m365 import CLIENT_ID, CLIENT_SECRET, TENANT, M365StandIn
from cadence.definition_load import parse_playbook
from cadence.usage import UNKNOWN, USED, WITHOUT_USAGE
from cadence.usage_sources import UsageFile
from tests.committed import loaded
from tests.conftest import CHANNEL, SUPPORT_REPLIES
from usecases import usage
from usecases.shared import usage_weeks

WEEK = date(2026, 11, 16)  # a Monday
DAYS = tuple(WEEK + timedelta(days=n) for n in range(7))
ADA, BOB = "ada@contoso.example", "bob@contoso.example"
TEAM = {CHANNEL: [("U1", ADA), ("U2", BOB)]}
ENV = {"M365_TENANT": TENANT, "M365_CLIENT_ID": CLIENT_ID, "M365_SECRET": CLIENT_SECRET}


@pytest.fixture
def m365():
    standin = M365StandIn().start()
    yield standin
    standin.stop()


def morning(day: date) -> datetime:
    return datetime.combine(day, time(6), tzinfo=UTC)


def ready(store, standin: M365StandIn):
    at = morning(WEEK - timedelta(days=10))
    loaded(store, [parse_playbook(SUPPORT_REPLIES | {"tool": "m365-copilot"})], "UTC", actor="test", at=at)
    source = {
        "kind": "m365-copilot",
        "tenant_env": "M365_TENANT",
        "client_id_env": "M365_CLIENT_ID",
        "secret_env": "M365_SECRET",
        "url": standin.origin,
        "login_url": standin.origin,
    }
    assert usage.load(store, UsageFile(usage={"m365-copilot": source}).model_dump_json(), ENV, "t", at) == []
    return store.playbooks.state("support-replies")


def pulled(store, standin: M365StandIn, refreshed: date) -> None:
    """A pull the morning after the report's refresh date."""
    standin.refreshed = refreshed
    (passed,) = usage.run(store, ENV, TEAM, morning(refreshed + timedelta(days=1)))
    assert passed.error is None


def verdict(store, state):
    return usage_weeks.read(store, [state], WEEK).week(state, WEEK, True)


def test_a_week_holding_a_skipped_refresh_is_unknown_never_without_usage(store, m365):
    state = ready(store, m365)
    m365.use(ADA, DAYS[0])  # Monday: she used it
    m365.use(ADA, DAYS[0] + timedelta(days=7))  # and the next Monday: the report shows that day alone

    pulled(store, m365, DAYS[1])  # the first pull: Tuesday's refresh, the days before it lost
    week = verdict(store, state)
    assert week.check.verdict == USED and week.counts["m365-copilot"].active == 1  # Monday's proof, short
    pulled(store, m365, DAYS[0] + timedelta(days=7))  # the refreshes of Wednesday to Sunday skipped

    assert store.usage.pulls()["m365-copilot"].last_day == DAYS[0] + timedelta(days=7)  # through its Sunday
    week = verdict(store, state)
    assert week.counts["m365-copilot"].active == 0  # recounted from a report that no longer shows her Monday
    assert week.check.verdict == UNKNOWN  # its 0 is unknown: never "without usage" of a team that used it
    assert set(DAYS[2:]) <= store.usage.pulls()["m365-copilot"].lost  # kept: just the days


def test_a_week_whose_seven_days_were_each_a_refresh_seen_counts(store, m365):
    state = ready(store, m365)
    m365.licensed += [ADA, BOB]  # licensed, and neither uses it this week
    m365.use(ADA, DAYS[0] - timedelta(days=3))  # before the week

    pulled(store, m365, DAYS[0] - timedelta(days=1))  # the first pull: up to the Sunday before
    for day in DAYS:  # then each day's refresh, seen the morning after
        assert verdict(store, state).check.verdict == UNKNOWN  # not all in yet
        pulled(store, m365, day)

    week = verdict(store, state)
    assert store.usage.pulls()["m365-copilot"].lost.isdisjoint(DAYS)
    assert week.check.verdict == WITHOUT_USAGE and week.counts["m365-copilot"].active == 0


def test_a_use_seen_on_its_refresh_date_counts_in_a_whole_week(store, m365):
    state = ready(store, m365)
    m365.licensed.append(BOB)
    pulled(store, m365, DAYS[0] - timedelta(days=1))
    for day in DAYS:
        if day == DAYS[2]:
            m365.use(ADA, day)
        pulled(store, m365, day)

    week = verdict(store, state)
    assert week.check.verdict == USED
    assert (week.counts["m365-copilot"].people, week.counts["m365-copilot"].active) == (2, 1)
