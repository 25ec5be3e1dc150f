"""The `kind: csv` usage source against real files."""

from datetime import date

import pytest

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage.csv_file import CsvFile
from tests.sources.usage.conftest import pull

MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)


def written(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "usage.csv"
    path.write_text(text, encoding=encoding)
    return path


def failure(source: CsvFile) -> str:
    with pytest.raises(SourceFailed) as failed:
        pull(source, MONDAY)
    return str(failed.value)


def test_only_rows_of_the_days_asked_count(tmp_path):
    path = written(
        tmp_path,
        "user,day,email,seats\nada,2026-11-02,ada@example.com,1\nbo,2026-11-03,,1\n\ncy,2026-11-04,cy@example.com,1\n",
    )

    pulled = pull(CsvFile(tool="windsurf", path=path), MONDAY, TUESDAY)

    assert pulled.days == (MONDAY, TUESDAY) and pulled.seats is None
    assert pulled.records == [
        UsageRecord("windsurf", "ada", MONDAY, "ada@example.com"),
        UsageRecord("windsurf", "bo", TUESDAY, None),
    ]


def test_columns_named_as_configured_a_bom_and_date_times(tmp_path):
    path = written(
        tmp_path,
        "Login;When\n".replace(";", ",")
        + "ada,2026-11-02T09:00:00Z\n"
        + "bo,2026-11-02T23:30:00-02:00\n",  # Tuesday in UTC
        encoding="utf-8-sig",
    )

    source = CsvFile(tool="windsurf", path=path, user_column="Login", day_column="When", email_column="Mail")

    assert pull(source, MONDAY).records == [UsageRecord("windsurf", "ada", MONDAY, None)]


def test_an_empty_day_is_an_empty_result(tmp_path):
    path = written(tmp_path, "user,day\nada,2026-11-04\n")

    assert pull(CsvFile(tool="windsurf", path=path), MONDAY).records == []


def test_a_missing_file_fails(tmp_path):
    assert failure(CsvFile(tool="windsurf", path=tmp_path / "none.csv")) == f"no file at {tmp_path / 'none.csv'}"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (",2026-11-02", "line 3: no user (column 'user')"),
        ("bo,", "line 3: no day (column 'day')"),
        ("bo,yesterday", "line 3: its day (column 'day') is not a date (YYYY-MM-DD or ISO 8601)"),
        ("bo", "line 3: 1 cells, the header has 2"),
        ("bo,2026-11-02,extra", "line 3: 3 cells, the header has 2"),
    ],
)
def test_one_malformed_row_fails_the_pull_naming_its_line(tmp_path, line, said):
    path = written(tmp_path, f"user,day\nada,2026-11-02\n{line}\ncy,2026-11-02\n")

    assert failure(CsvFile(tool="windsurf", path=path)) == f"{path}, {said}"


def test_a_header_without_the_columns_fails(tmp_path):
    path = written(tmp_path, "login,day\nada,2026-11-02\n")

    assert failure(CsvFile(tool="windsurf", path=path)) == f"{path}: the header has no 'user' column"


def test_an_empty_file_or_one_not_utf8_fails(tmp_path):
    assert "empty, not even a header row" in failure(CsvFile(tool="w", path=written(tmp_path, "")))
    path = tmp_path / "latin.csv"
    path.write_bytes("user,day\nJosé,2026-11-02\n".encode("latin-1"))
    assert failure(CsvFile(tool="w", path=path)) == f"{path}: not UTF-8 text"


def test_a_malformed_rows_error_names_no_person(tmp_path):
    # the day column mapped to one holding the email, by mistake: the error quotes no cell
    path = written(tmp_path, "user,email\nbo,bo@example.com\n")

    said = failure(CsvFile(tool="windsurf", path=path, day_column="email"))

    assert said == f"{path}, line 2: its day (column 'email') is not a date (YYYY-MM-DD or ISO 8601)"
    assert "bo@example.com" not in said
