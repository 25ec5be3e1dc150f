"""`rollout export csv DIR` through the CLI: every table, or nothing at all."""

import json

from click.testing import CliRunner
from sqlmodel import SQLModel

from bot.cli import cli
from storage.models.pulse import GATED
from tests import reported
from tests.bot.test_web_view import HYPERLINK, formula_cells, load_formulas
from tests.committed import committed
from tests.conftest import OWNER, past_the_database

# every table but the pulse's, whose figures are pulse.csv (issue 92: no answer-level file)
TABLES = {f"{t.name}.csv" for t in SQLModel.metadata.sorted_tables if not t.info.get(GATED)} | {"pulse.csv"}


def _export(database_url, monkeypatch, tmp_path, directory):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner().invoke(cli, ["export", "csv", str(directory)])


def _failed_in_one_sentence(result, *phrases):
    assert result.exit_code == 1, result.output
    said = past_the_database(result.output)
    assert said.count("\n") == 1 and "Traceback" not in said, result.output
    assert "nothing was exported" in said
    for phrase in phrases:
        assert phrase in said, result.output


def test_an_export_that_fails_writes_no_file(database_url, monkeypatch, tmp_path, playbook):
    out = tmp_path / "exports" / "out"
    (out / "kpi_reading.csv").mkdir(parents=True)  # in the way of one of the files
    result = _export(database_url, monkeypatch, tmp_path, out)
    _failed_in_one_sentence(result, "kpi_reading.csv", "Is a directory")
    assert sorted(p.name for p in out.iterdir()) == ["kpi_reading.csv"]  # nothing else was written
    assert list((out / "kpi_reading.csv").iterdir()) == []
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # and no scratch folder left beside it


def test_an_export_that_fails_leaves_the_earlier_export_intact(database_url, monkeypatch, tmp_path, store, playbook):
    out = tmp_path / "exports" / "out"
    assert _export(database_url, monkeypatch, tmp_path, out).exit_code == 0
    earlier = {p.name: (p.stat().st_ino, p.read_bytes()) for p in out.iterdir()}
    assert set(earlier) == TABLES
    committed(store).org.add_curator(OWNER, "test", playbook.playbook.created_at)  # new rows in role_grant and decision
    (out / "kpi_reading.csv").unlink()
    (out / "kpi_reading.csv").mkdir()  # a folder where the next export's file goes
    del earlier["kpi_reading.csv"]
    _failed_in_one_sentence(_export(database_url, monkeypatch, tmp_path, out), "kpi_reading.csv")
    now = {p.name: (p.stat().st_ino, p.read_bytes()) for p in out.iterdir() if p.is_file()}
    assert now == earlier  # not one file replaced
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_an_export_over_an_earlier_one_replaces_every_file(database_url, monkeypatch, tmp_path, store, playbook):
    out = tmp_path / "exports" / "out"
    assert _export(database_url, monkeypatch, tmp_path, out).exit_code == 0
    (out / "notes.txt").write_text("an analyst's own file")
    reported.add_kpi_reading(
        store, playbook.playbook.id, playbook.anchor.starts_on, 30.0, OWNER, playbook.playbook.created_at
    )
    result = _export(database_url, monkeypatch, tmp_path, out)
    assert result.exit_code == 0, result.output
    assert "kpi_reading.csv: 1 row" in result.output
    assert {p.name for p in out.iterdir()} == TABLES | {"notes.txt"}
    assert (out / "kpi_reading.csv").read_text().count("\n") == 2  # the header and the new reading
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_an_export_into_a_new_folder_makes_it_and_its_parents(database_url, monkeypatch, tmp_path, playbook):
    out = tmp_path / "exports" / "2026" / "out"
    assert _export(database_url, monkeypatch, tmp_path, out).exit_code == 0
    assert {p.name for p in out.iterdir()} == TABLES
    assert [p.name for p in (tmp_path / "exports" / "2026").iterdir()] == ["out"]


def test_no_cell_of_any_exported_file_starts_a_formula(database_url, monkeypatch, tmp_path, store, clock, playbook):
    state = load_formulas(store, clock)
    reported.add_kpi_reading(store, state.playbook.id, state.anchor.starts_on, -3.0, OWNER, clock())
    out = tmp_path / "out"
    result = _export(database_url, monkeypatch, tmp_path, out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == TABLES
    for path in out.iterdir():
        assert formula_cells(path.read_text(encoding="utf-8")) == [], path.name
    playbooks = (out / "playbook.csv").read_text(encoding="utf-8")
    assert "'" + HYPERLINK.replace('"', '""') in playbooks and "'+SUM(1,1)" in playbooks
    assert ",-3.0," in (out / "kpi_reading.csv").read_text() or ",-3," in (out / "kpi_reading.csv").read_text()


def test_export_csv_writes_every_table_with_a_header(run, store, playbook, clock, tmp_path):
    import csv

    reported.add_kpi_reading(store, playbook.playbook.id, playbook.anchor.starts_on, 30.0, OWNER, clock())
    result = run("export", "csv", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == TABLES and "pulse_answer.csv" not in files
    with (tmp_path / "out" / "kpi_reading.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "id": "1",
            "playbook_id": str(playbook.playbook.id),
            "week_start": "2026-11-16",
            "value": "30.0",
            "reported_by": OWNER,
            "reported_by_name": "",  # the name Slack gives, beside the id: none known here
            "reported_at": "2026-11-18T10:00:00+00:00",
            "withdrawn_at": "",
            "withdrawn_by": "",
            "withdrawn_by_name": "",
        }
    ]
    with (tmp_path / "out" / "playbook.csv").open() as handle:
        playbook_row = next(csv.DictReader(handle))
    assert json.loads(playbook_row["definition"])["playbook"] == "support-replies"
    assert "kpi_reading.csv: 1 row" in result.output


def test_export_neutralizes_spreadsheet_formulas(run, store, playbook, clock, tmp_path):
    import csv

    week, pid = playbook.anchor.starts_on, playbook.playbook.id
    committed(store).reports.add_checkin(pid, week, "UMEMBER001", "followed", None, '=HYPERLINK("http://x")', clock())
    reported.add_exception(store, pid, playbook.steps[0].id, week, "@SUM(A1)", OWNER, clock())
    reported.add_kpi_reading(store, pid, week, -3.5, OWNER, clock())
    assert run("export", "csv", str(tmp_path / "out")).exit_code == 0
    with (tmp_path / "out" / "checkin.csv").open() as handle:
        assert next(csv.DictReader(handle))["note"] == '\'=HYPERLINK("http://x")'
    with (tmp_path / "out" / "exception_report.csv").open() as handle:
        assert next(csv.DictReader(handle))["reason"] == "'@SUM(A1)"
    with (tmp_path / "out" / "kpi_reading.csv").open() as handle:
        assert next(csv.DictReader(handle))["value"] == "-3.5"  # a number stays a number


def test_export_to_a_path_that_cannot_be_written_fails_in_one_line(run, playbook, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["export", "csv", str(blocker / "out")])
    assert result.exit_code == 1
    assert past_the_database(result.output).count("\n") == 1 and "cannot write the export" in result.output
    assert "nothing was exported" in result.output and "Traceback" not in result.output
    assert not (blocker.parent / "out").exists()


def test_export_is_one_snapshot_even_while_others_write(run, store, playbook, engine, clock, tmp_path):
    """Rows written while the export runs, after it has begun, are in none of its files: a
    decision and the setting it names never disagree across two files."""
    from sqlalchemy import event, text
    from sqlalchemy.engine import Engine

    written = []

    def write_meanwhile(_conn, _cursor, statement, *_args) -> None:
        if written or "FROM api_token" not in statement:  # right after the first table is read
            return
        with engine.begin() as other:  # another connection, committed before the next table is read
            other.execute(
                text(
                    "INSERT INTO setting (key, value, updated_by, updated_at) "
                    "VALUES ('written-meanwhile', 'x', 'test', :at)"
                ),
                {"at": clock()},
            )
        written.append(True)

    event.listen(Engine, "after_cursor_execute", write_meanwhile)  # the command's own engine too
    try:
        assert run("export", "csv", str(tmp_path / "out")).exit_code == 0
    finally:
        event.remove(Engine, "after_cursor_execute", write_meanwhile)
    assert written
    assert "written-meanwhile" not in (tmp_path / "out" / "setting.csv").read_text()
