"""The fetching adapter against the real things: Debian's Prometheus (backfilled), the
test PostgreSQL and an SQLite file, and a JSON server of the tests' own. Each kind's
number for a week, and each failure in the words the owner reads."""

import logging
import sqlite3
from datetime import date

import pytest
from sqlalchemy import text

from cadence.sources import Entry
from sources import Source, SourceFailed, fetch
from storage.db import make_engine
from tests.json_server import HANG, TRICKLE, TRICKLE_HEAD, JsonServer
from usecases.sources import window

BERLIN = "Europe/Berlin"
WEEK = window(date(2026, 11, 16), BERLIN)  # 2026-11-15 23:00 UTC to 2026-11-22 23:00 UTC


def prom(url: str, query: str, token: str | None = None) -> float:
    return fetch(Source("prometheus", url, token), Entry("kpi", None, "helpdesk", query, None), WEEK, timeout=30)


# ---- prometheus ----


def test_an_instant_query_at_the_weeks_end_gives_that_weeks_number(prometheus):
    assert prom(prometheus, "avg_over_time(first_response_minutes[1w])") == pytest.approx(20.0)
    later = window(date(2026, 11, 23), BERLIN)
    entry = Entry("kpi", None, "helpdesk", "avg_over_time(first_response_minutes[1w])", None)
    assert fetch(Source("prometheus", prometheus, None), entry, later, timeout=30) == pytest.approx(14.5)


def test_a_scalar_is_one_number(prometheus):
    assert prom(prometheus, "scalar(sum(avg_over_time(replies_total[1w])))") == pytest.approx(3.0)


def test_several_series_say_how_many(prometheus):
    with pytest.raises(SourceFailed, match=r"^2 series came back, not one"):
        prom(prometheus, "avg_over_time(replies_total[1w])")


def test_no_series_is_said(prometheus):
    with pytest.raises(SourceFailed, match="no series came back"):
        prom(prometheus, "avg_over_time(nothing_by_this_name[1w])")


def test_nan_is_said_not_stored(prometheus):
    with pytest.raises(SourceFailed, match="the value is NaN"):
        prom(prometheus, "avg_over_time(broken[1w])")


def test_a_bad_query_is_refused_in_prometheus_words(prometheus):
    with pytest.raises(SourceFailed, match=r"refused: HTTP 400 \(.*parse error"):
        prom(prometheus, "avg_over_time(first_response_minutes[1w]")


def test_unreachable_and_timeout(json_server):
    with pytest.raises(SourceFailed, match=r"^unreachable \("):
        prom("http://127.0.0.1:9", "up")  # the discard port: nothing listens
    json_server.answers["/api/v1/query"] = HANG
    with pytest.raises(SourceFailed, match=r"^timeout: no answer within 1 s$"):
        fetch(Source("prometheus", json_server.url, None), Entry("kpi", None, "p", "up", None), WEEK, timeout=1)
    assert json_server.finished == []  # given up while the source still hung (for 60 s), not after


@pytest.mark.parametrize("answer", [TRICKLE, TRICKLE_HEAD])
def test_the_timeout_is_a_deadline_for_the_whole_fetch_however_slowly_bytes_trickle(json_server, answer):
    json_server.answers["/api/v1/query"] = answer  # a byte a second: no single read waits long
    with pytest.raises(SourceFailed, match=r"^timeout: no answer within 2 s$"):
        fetch(Source("prometheus", json_server.url, None), Entry("kpi", None, "p", "up", None), WEEK, timeout=2)
    assert json_server.finished == []  # cut while bytes still came (the whole takes over a minute)
    with pytest.raises(SourceFailed, match=r"^timeout: no answer within 2 s$"):
        fetch(Source("http", json_server.url + "/api/v1/query", None), Entry("kpi", None, "p", None, "a"), WEEK, 2)


def test_the_token_is_sent_as_a_bearer_and_never_said(json_server):
    json_server.answers["/api/v1/query"] = (401, {"status": "error", "error": "bad token s3cr3t-token"})
    with pytest.raises(SourceFailed) as raised:
        prom(json_server.url, "up", token="s3cr3t-token")
    assert json_server.requests[0]["headers"]["Authorization"] == "Bearer s3cr3t-token"
    assert "s3cr3t-token" not in str(raised.value)
    assert str(raised.value) == "refused: HTTP 401 (bad token [hidden])"
    query = json_server.requests[0]["query"]
    assert float(query["time"][0]) == WEEK.week_end.timestamp()


# ---- http ----


def http(server, path: str, url_path: str = "/stats", token=None) -> float:
    return fetch(Source("http", server.url + url_path, token), Entry("rubric", "draft", "ci", None, path), WEEK, 3)


def test_http_takes_the_number_at_a_dotted_path(json_server):
    json_server.answers["/stats"] = (200, {"rubric": {"draft": 0.93}, "weeks": [{"n": 4}]})
    assert http(json_server, "rubric.draft") == pytest.approx(0.93)
    assert http(json_server, "weeks.0.n") == 4
    query = json_server.requests[0]["query"]
    assert query == {"week_start": ["2026-11-16T00:00:00+01:00"], "week_end": ["2026-11-23T00:00:00+01:00"]}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"rubric": {}}, "no value at path rubric.draft of the answer"),
        ({"rubric": {"draft": "high"}}, "not a number: 'high'"),
        ({"rubric": {"draft": None}}, "not a number: null"),
        ({"rubric": {"draft": True}}, "not a number: true"),
        ({"rubric": {"draft": {"a": 1}}}, "not a number: \"{'a': 1}\""),
    ],
)
def test_http_says_what_is_not_a_number(json_server, body, said):
    json_server.answers["/stats"] = (200, body)
    with pytest.raises(SourceFailed) as raised:
        http(json_server, "rubric.draft")
    assert str(raised.value) == said


def test_a_url_password_from_the_environment_is_sent_and_never_said(json_server):
    url = json_server.url.replace("http://", "http://reader:pa55word@") + "/missing"
    with pytest.raises(SourceFailed) as raised:
        fetch(Source("http", url, None), Entry("kpi", None, "ci", None, "a"), WEEK, 3)
    assert json_server.requests[0]["headers"]["Authorization"].startswith("Basic ")
    assert "pa55word" not in str(raised.value)
    assert str(raised.value) == "refused: HTTP 404 (no such path)"


@pytest.fixture
def elsewhere():
    """Another host (127.0.0.2) that would answer anything with a number."""
    server = JsonServer("127.0.0.2").start()
    server.answers["/api/v1/query"] = (
        200,
        {"status": "success", "data": {"resultType": "scalar", "result": [0, "99"]}},
    )
    server.answers["/ok"] = (200, {"a": 99})
    yield server
    server.stop()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_the_fetchs_failure_and_no_credential_leaves_the_configured_url(json_server, elsewhere, status):
    """Prometheus with a bearer token, and http with Basic credentials from url_env: the
    redirect is said, never followed, and the other host hears nothing."""
    target = elsewhere.url + "/api/v1/query"
    json_server.answers["/api/v1/query"] = (status, {}, {"Location": target})
    with pytest.raises(SourceFailed) as raised:
        prom(json_server.url, "up", token="s3cr3t-token")
    assert str(raised.value) == f"redirected to {target}, not followed"
    json_server.answers["/stats"] = (status, {}, {"Location": elsewhere.url + "/ok"})
    url = json_server.url.replace("http://", "http://reader:pa55word@") + "/stats"
    with pytest.raises(SourceFailed) as raised:
        fetch(Source("http", url, None), Entry("kpi", None, "ci", None, "a"), WEEK, 3)
    assert str(raised.value) == f"redirected to {elsewhere.url}/ok, not followed"
    assert elsewhere.requests == []
    assert [r["path"] for r in json_server.requests] == ["/api/v1/query", "/stats"]


def test_a_relative_redirect_names_where_it_pointed_and_is_not_followed(json_server):
    json_server.answers["/stats"] = (302, {}, {"Location": "/moved"})
    json_server.answers["/moved"] = (200, {"a": 99})
    with pytest.raises(SourceFailed, match=r"^redirected to http://127\.0\.0\.1:\d+/moved, not followed$"):
        fetch(Source("http", json_server.url + "/stats", "t0ken"), Entry("kpi", None, "ci", None, "a"), WEEK, 3)
    assert [r["path"] for r in json_server.requests] == ["/stats"]


def test_a_secret_in_the_urls_query_is_never_logged(json_server, caplog):
    """A URL from url_env may carry its key in the query: httpx would log every request's
    URL at INFO."""
    caplog.set_level(logging.DEBUG)
    json_server.answers["/stats"] = (200, {"a": 3})
    url = json_server.url.replace("http://", "http://reader:pa55word@") + "/stats?key=s3cr3t-key"
    assert fetch(Source("http", url, None), Entry("kpi", None, "ci", None, "a"), WEEK, 3) == 3
    assert json_server.requests[0]["query"]["key"] == ["s3cr3t-key"]
    assert "s3cr3t-key" not in caplog.text and "pa55word" not in caplog.text


def test_an_answer_past_1_mib_is_refused(json_server):
    json_server.answers["/stats"] = (200, {"a": 1, "padding": "x" * (1 << 20)})
    with pytest.raises(SourceFailed, match=r"^the answer is larger than 1 MiB$"):
        http(json_server, "a")


# ---- sql ----


def _sqlite_source(tmp_path) -> str:
    path = tmp_path / "warehouse.db"
    connection = sqlite3.connect(path)
    connection.execute("create table csat (at text, score real)")
    connection.executemany(
        "insert into csat values (?, ?)",
        [("2026-11-16T08:00:00+00:00", 4.5), ("2026-11-20T08:00:00+00:00", 4.9), ("2026-11-25T08:00:00+00:00", 1.0)],
    )
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


def sql(url: str, query: str, timeout: float = 3) -> float:
    return fetch(Source("sql", url, None), Entry("guardrail", None, "warehouse", query, None), WEEK, timeout)


def test_sqlite_reads_the_weeks_rows(tmp_path):
    url = _sqlite_source(tmp_path)
    got = sql(url, "select avg(score) from csat where at >= :week_start and at < :week_end")
    assert got == pytest.approx(4.7)


def test_sqlite_runs_read_only(tmp_path):
    url = _sqlite_source(tmp_path)
    with pytest.raises(SourceFailed, match="refused: attempt to write a readonly database"):
        sql(url, "with x as (select 1) insert into csat select 'a', 1 from x")  # load refuses this too


def test_sqlite_statement_timeout(tmp_path):
    url = _sqlite_source(tmp_path)
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    with pytest.raises(SourceFailed, match=r"^timeout: no answer within 0.5 s$"):
        sql(url, slow, timeout=0.5)  # the count never ends by itself: only the deadline stops it


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("select score from csat where at < :week_start", "no rows came back"),
        ("select score from csat", "more than one value came back: return one row of one number"),
        ("select 1, 2", "more than one value came back: return one row of one number"),
        ("select avg(score) from csat where 1 = 0", "not a number: null"),
        ("select 'abc'", "not a number: 'abc'"),
        ("select * from nowhere", "refused: no such table: nowhere"),
    ],
)
def test_sql_says_what_is_not_one_number(tmp_path, query, said):
    with pytest.raises(SourceFailed) as raised:
        sql(_sqlite_source(tmp_path), query)
    assert str(raised.value) == said


@pytest.fixture
def warehouse(postgres_url):
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("drop table if exists csat_src"))
        connection.execute(text("create table csat_src (at timestamptz, score numeric)"))
        connection.execute(
            text(
                "insert into csat_src values ('2026-11-15T23:30:00+00:00', 4.5), ('2026-11-22T22:00:00+00:00', 4.9),"
                " ('2026-11-22T23:00:00+00:00', 1.0)"
            )
        )
    yield postgres_url
    with engine.begin() as connection:
        connection.execute(text("drop table csat_src"))
    engine.dispose()


def test_postgresql_reads_the_week_with_timezone_aware_bounds(warehouse):
    got = sql(warehouse, "select avg(score) from csat_src where at >= :week_start and at < :week_end")
    assert got == pytest.approx(4.7)  # 23:30 UTC Sunday is Monday in Berlin; 23:00 the next Sunday is not


def test_postgresql_runs_read_only_with_a_statement_timeout(warehouse):
    with pytest.raises(SourceFailed, match=r"refused: cannot execute .* in a read-only transaction"):
        sql(warehouse, "with x as (insert into csat_src values (now(), 1) returning 1) select count(*) from x")
    with pytest.raises(SourceFailed, match=r"^timeout: no answer within 1 s$"):
        sql(warehouse, "select 1 from pg_sleep(5)", timeout=1)  # answered, it would be a number


def test_postgresql_unreachable_never_shows_the_password():
    url = "postgresql+psycopg://reader:hunter2secret@127.0.0.1:9/warehouse"
    with pytest.raises(SourceFailed) as raised:
        sql(url, "select 1")
    assert str(raised.value).startswith("unreachable (")
    assert "hunter2secret" not in str(raised.value)


def test_a_missing_sqlite_file_is_unreachable_and_not_made(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(SourceFailed, match=r"^unreachable \(unable to open database file\)$"):
        sql(f"sqlite:///{missing}", "select 1")
    assert not missing.exists()


def test_no_proxy_from_the_environment_sees_a_fetch_or_its_token(json_server, elsewhere, monkeypatch):
    """A proxy named by the process's environment would receive the request whole, the
    token with it: a fetch goes straight to the configured URL."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, elsewhere.url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    json_server.answers["/api/v1/query"] = (
        200,
        {"status": "success", "data": {"resultType": "scalar", "result": [0, "7"]}},
    )
    assert prom(json_server.url, "up", token="s3cr3t-token") == 7
    assert elsewhere.requests == []
    assert json_server.requests[0]["headers"]["Authorization"] == "Bearer s3cr3t-token"
