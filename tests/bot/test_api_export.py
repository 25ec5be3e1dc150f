"""The analyst's CSVs over the reporting API (issue 108, item 8a): `GET
/api/v1/export/<table>.csv` with a read token serves the very files `rollout export csv`
writes (one producer, storage/csv_export.py), formulas neutralised and names beside ids;
a token scoped to some playbooks gets only their rows (and none of the decisions naming
another team); an unknown table, or one of the operator's, is 404; a token without the
read scope 403. Over HTTP with real tokens, on SQLite and PostgreSQL."""

import copy
import csv
import io
import urllib.error
import urllib.request
from datetime import date

from cadence.definition_load import parse_playbook
from tests.bot.conftest import API_NOW as NOW
from tests.bot.conftest import Client
from tests.committed import committed, loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases import api_export, tokens
from usecases.shared.life import begin_cycle

OTHER = "invoice-matching"


def fetch(base_url, path, token):
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def table(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def _two_teams(api, store, slack):
    """support-replies (the helpdesk's token) and invoice-matching, another team's, each
    with a KPI and an exception whose reason would run as a formula."""
    slack.add_channel("CINVOICES1", [OWNER, "UROLLOUTBOT"])
    other = copy.deepcopy(SUPPORT_REPLIES)
    other.update(playbook=OTHER, title="Invoice matching", channel="CINVOICES1")
    loaded(store, [parse_playbook(other)], "UTC", actor="test", at=NOW)
    begin_cycle(store, store.playbooks.state(OTHER).playbook.id, 1, date(2026, 11, 16), OWNER, NOW)
    committed(store).people.keep_names([(OWNER, "Ana", "Ana Lima")], NOW)  # as the clock keeps them
    reports = ["kpi", "cases", "exception"]
    writer = tokens.create(store, "both", [OTHER, "support-replies"], reports, False, "test", NOW).token
    for slug, kpi in (("support-replies", 14.5), (OTHER, 99.0)):
        sent = [
            {"playbook": slug, "kind": "kpi", "value": kpi},
            {"playbook": slug, "kind": "cases", "step": "draft", "value": 40},
            {"playbook": slug, "kind": "exception", "step": "draft", "reason": f'=HYPERLINK("x","{slug}")'},
        ]
        status, body, _ = Client(api.base_url, writer).post({"reports": sent})
        assert status == 201, body


def test_a_read_token_gets_the_export_s_csvs_of_its_playbooks(api, bot, store, slack, clock, run, tmp_path):
    _two_teams(api, store, slack)
    everything = tokens.create(store, "sheets", None, [], True, "test", NOW).token
    scoped = tokens.create(store, "helpdesk-sheets", ["support-replies"], [], True, "test", NOW).token

    written = tmp_path / "export"
    result = run("export", "csv", str(written))
    assert result.exit_code == 0, result.output
    for name in ("kpi_reading", "exception_report", "playbook", "decision", "pulse"):
        status, headers, body = fetch(bot.base_url, f"/api/v1/export/{name}.csv", everything)
        assert status == 200 and headers["Content-Type"].startswith("text/csv"), (name, body)
        assert body == (written / f"{name}.csv").read_bytes(), name  # the very file the shell writes

    status, _, body = fetch(bot.base_url, "/api/v1/export/exception_report.csv", scoped)
    [row] = table(body)
    assert row["reason"] == '\'=HYPERLINK("x","support-replies")'  # neutralised, the other team's not there
    assert OTHER not in body.decode()
    pid = str(store.playbooks.state("support-replies").playbook.id)
    for name in ("playbook", "kpi_reading", "case_count", "step", "cycle", "decision"):
        status, _, body = fetch(bot.base_url, f"/api/v1/export/{name}.csv", scoped)
        rows = table(body)
        assert status == 200 and rows, name
        assert {r.get("playbook_id", r.get("id")) for r in rows} == {pid}, name
    [playbook] = table(fetch(bot.base_url, "/api/v1/export/playbook.csv", scoped)[2])
    assert (playbook["owner_id"], playbook["owner_id_name"]) == (OWNER, "Ana")  # the id kept beside the name

    for unknown in ("api_token", "web_session", "outbox", "nothing", "pulse_answer"):
        status, _, body = fetch(bot.base_url, f"/api/v1/export/{unknown}.csv", everything)
        assert status == 404 and b"no table" in body, unknown
    reporter = tokens.create(store, "no-read", None, ["kpi"], False, "test", NOW).token
    assert fetch(bot.base_url, "/api/v1/export/kpi_reading.csv", reporter)[0] == 403
    assert fetch(bot.base_url, "/api/v1/export/kpi_reading.csv", "rcb_wrong")[0] == 401


def test_every_table_served_is_one_the_export_writes_and_documented():
    from pathlib import Path

    from storage.csv_export import exported

    files = {t.name for t in exported()} | {"pulse"}
    assert set(api_export.TABLES) <= files
    documented = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    assert all(f"`{name}`" in documented for name in api_export.TABLES)
