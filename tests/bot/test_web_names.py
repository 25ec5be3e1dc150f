"""The web view shows people and channels by the names the clock kept, never as raw ids
unless Slack has no name, and its CSVs keep each id with the name beside it: over HTTP,
on SQLite and PostgreSQL. No page asks Slack."""

import csv
import io

from tests.bot.test_web_view import NOW, fetch, signed_in, view  # noqa: F401  (view: the fixture)
from tests.conftest import MEMBER, OWNER, Engine


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_pages_and_csvs_show_names_with_the_ids_kept_and_an_unnamed_person_by_id(view, engine, slack, clock):  # noqa: F811
    slack.add_user(MEMBER, name="Max Moreau", display_name="Max")
    slack.add_user(OWNER)  # Slack has no name for the owner
    view.command("kpi support-replies 15")
    view.command("learn support-replies Quote the refund policy")
    view.command("exception support-replies draft the customer is a lawyer", user=OWNER)
    Engine(engine, slack, clock).run(NOW)  # the clock's tick asks Slack for the names
    asked = len(slack.calls)
    cookie = signed_in(view, OWNER)
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200
    assert MEMBER not in page  # by name everywhere: the reports, who reported, the learnings
    assert '<td>Max</td><td data-label="What">KPI</td>' in page and "(Max, " in page
    assert (
        f'<td>{OWNER}</td><td data-label="What">exception</td>' in page and f"exception by {OWNER}" in page
    )  # no name: the id
    reports = _rows(fetch(view.base_url + "/web/playbooks/support-replies/reports.csv", cookie)[2])
    header = reports[0]
    assert header[-4:] == ["reported by", "reported by (name)", "withdrawn by", "withdrawn by (name)"]
    by = {row[header.index("what")]: row[header.index("reported by") :] for row in reports[1:]}
    assert by["KPI"][:2] == [MEMBER, "Max"] and by["exception"][:2] == [OWNER, ""]
    sources = _rows(fetch(view.base_url + "/web/playbooks/support-replies/sources.csv", cookie)[2])
    assert sources[0][:2] == ["reported by", "reported by (name)"] and [MEMBER, "Max"] in [r[:2] for r in sources]
    learnings = _rows(fetch(view.base_url + "/web/playbooks/support-replies/learnings.csv", cookie)[2])
    assert learnings[0][2:4] == ["by", "by (name)"] and learnings[1][2:4] == [MEMBER, "Max"]
    fetch(view.base_url + "/web/", cookie)
    fetch(view.base_url + "/web/registry", cookie)
    assert [c.method for c in slack.calls[asked:] if c.method in ("users.info", "conversations.info")] == []


def test_a_new_name_from_slack_shows_on_the_next_page(view, slack, clock):  # noqa: F811
    view.command("kpi support-replies 15")
    cookie = signed_in(view, MEMBER)
    page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)[2]
    assert f'<td>{MEMBER}</td><td data-label="What">KPI</td>' in page  # not named yet: the id
    profile = {"display_name": "Maxi", "real_name": "Max Moreau"}
    view.event({"type": "user_change", "user": {"id": MEMBER, "deleted": False, "profile": profile}})
    page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)[2]
    assert '<td>Maxi</td><td data-label="What">KPI</td>' in page and MEMBER not in page
