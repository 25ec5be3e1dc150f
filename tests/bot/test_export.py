"""`rollout export csv DIR` through the CLI: every table, or nothing at all."""

from click.testing import CliRunner
from sqlmodel import SQLModel

from bot.cli import cli
from tests import reported
from tests.bot.test_web_view import HYPERLINK, formula_cells, load_formulas
from tests.conftest import OWNER

TABLES = {f"{t.name}.csv" for t in SQLModel.metadata.sorted_tables}


def _export(database_url, monkeypatch, tmp_path, directory):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner().invoke(cli, ["export", "csv", str(directory)])


def _failed_in_one_sentence(result, *phrases):
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    assert "nothing was exported" in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


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
    store.org.add_curator(OWNER, "test", playbook.playbook.created_at)  # new rows in role_grant and decision
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
