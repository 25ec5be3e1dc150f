"""Attested and used, in the database (storage/usage.py): the tools' records of who used
them are counted and dropped, so neither a login nor an email of a tool's user is left in
any table, page or log file of the database; the mapping file's logins are kept in their
own table (usage_login), and nowhere else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from cadence.usage import Seat, UsageRecord, match, team_weeks
from storage.usage import monday

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
WEEK = date(2026, 11, 9)
DAYS = tuple(WEEK + timedelta(days=n) for n in range(12))  # a week and five days of the next
TEAM = "CZQ0001"  # a team's channel: what the counts are kept under


def _counted(store, records, seats, by_email, by_login, days=DAYS, source="copilot"):
    """A pull as the usage job makes it: the records matched, counted, dropped; the counts
    recorded in one unit of work. How many of the tools' users no person matched."""
    user_of = lambda login, email: match(login, email, by_email, by_login)  # noqa: E731
    teams = {TEAM: frozenset({"UZQ4471", "UZQ5582", "UZQ0000"})}
    weeks, unmatched = team_weeks(records, seats, user_of, teams, monday)
    with store.unit_of_work() as uow:
        uow.usage.record(days, weeks, source, days[-1], AT)
        uow.commit()
    return unmatched


def _settled(store) -> None:
    """What the database holds, in its files: SQLite's log copied in and emptied;
    PostgreSQL's buffers written."""
    with store.engine.connect() as c:
        if store.engine.dialect.name == "sqlite":
            busy, _, _ = c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            assert not busy
        else:
            c.execute(text("CHECKPOINT"))


def _files(store) -> dict[str, bytes]:
    """What an administrator with the database's files could read, by what holds it: on
    SQLite each page of the file by the table or index it belongs to (the free pages
    under "free"), and the write-ahead log; on PostgreSQL each relation's file (tables,
    indexes, their TOAST) of the bot's schema, read raw."""
    _settled(store)
    engine = store.engine
    found: dict[str, bytes] = {}
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            path = Path(engine.url.database)
            size = c.exec_driver_sql("PRAGMA page_size").scalar()
            owner = dict(c.exec_driver_sql("SELECT pageno, name FROM dbstat").all())
            data = path.read_bytes()
            for n in range(len(data) // size):
                name = owner.get(n + 1, "free")
                found[name] = found.get(name, b"") + data[n * size : (n + 1) * size]
            wal = path.with_name(path.name + "-wal")
            found["-wal"] = wal.read_bytes() if wal.exists() else b""
            return found
        relations = c.execute(
            text(
                "SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'i', 't') AND (c.relnamespace = 'public'::regnamespace OR c.oid IN "
                "(SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace))"
            )
        ).all()
        for name, file in relations:
            if file is not None:
                found[name] = c.execute(text("SELECT pg_read_binary_file(:p)"), {"p": file}).scalar() or b""
    return found


def _holding(files: dict[str, bytes], *strings: str) -> dict[str, set[str]]:
    """Of `strings`, which each file part holds (those holding none left out)."""
    held = {name: {s for s in strings if s.encode() in data} for name, data in files.items()}
    return {name: found for name, found in held.items() if found}


def test_no_login_no_email_of_a_tool_s_user_is_left_in_the_database(store):
    logins = ["zq-login-4471", "zq-login-4472", "zq-login-9902"]
    emails = ["zq4471@example.com", "zq4472@example.com", "zq9902@example.com"]
    records = [UsageRecord("copilot", logins[0], WEEK + timedelta(days=n), emails[0]) for n in (0, 1, 2, 8)] + [
        UsageRecord("copilot", logins[1], WEEK + timedelta(days=9), emails[1].upper()),  # matched without case
        UsageRecord("copilot", logins[2], WEEK, emails[2]),  # no Slack person: counted as unmatched
    ]
    seats = [Seat("copilot", logins[0], emails[0]), Seat("copilot", logins[2], emails[2])]
    by_email = {emails[0]: "UZQ4471", emails[1]: "UZQ5582"}
    unmatched = _counted(store, records, seats, by_email, {})
    assert unmatched == 1
    assert [(w.week, w.people, w.active, w.active_days, w.seats) for w in store.usage.weeks([TEAM], WEEK)] == [
        (WEEK, 3, 1, 3, 1),
        (WEEK + timedelta(days=7), 3, 2, 2, 1),
    ]
    files = _files(store)
    assert _holding(files, TEAM) != {}  # the scan can find what is kept: the team's counts
    assert _holding(files, *logins, *emails, *(e.upper() for e in emails), "UZQ4471", "UZQ5582") == {}


def test_the_mapping_file_s_logins_are_kept_in_their_table_alone(store):
    logins = ["zq-login-5582", "zq-login-5583"]
    emails = ["zq5582@example.com", "zq5583@example.com"]
    with store.unit_of_work() as uow:
        uow.usage.map_logins([("copilot", logins[0], "UZQ5582"), ("copilot", logins[1], "UZQ0000")])
        uow.commit()
    records = [
        UsageRecord("copilot", login, WEEK + timedelta(days=3), email)
        for login, email in zip(logins, emails, strict=True)
    ]
    _counted(store, records, [Seat("copilot", logins[0], emails[0])], {}, store.usage.logins("copilot"))
    assert [(w.active, w.seats) for w in store.usage.weeks([TEAM], WEEK)] == [(2, 1)]
    holding = _holding(_files(store), *logins, *emails)
    mapping = {"usage_login", "pk_usage_login", "sqlite_autoindex_usage_login_1"}
    assert holding and set(holding) <= mapping, holding  # the logins, in the mapping's table and its key alone
    assert all(found <= set(logins) for found in holding.values())  # and no email anywhere


def test_a_tool_s_seats_are_kept_as_counts_never_whose_seat(store):
    """Licenses against results: the seats of a pull, the org's and a function's, leave no
    login, email or Slack id of a seat's holder in the database, only the counts."""
    from cadence.licenses import seat_weeks

    logins = ["zq-seat-4471", "zq-seat-4472", "zq-seat-9902"]
    emails = ["zs4471@example.com", "zs4472@example.com", "zs9902@example.com"]
    seats = [Seat("copilot", login, email) for login, email in zip(logins, emails, strict=True)]
    records = [UsageRecord("copilot", logins[0], WEEK + timedelta(days=1), emails[0])]
    by_email = {emails[0]: "UZS4471", emails[1]: "UZS5582"}
    user_of = lambda login, email: match(login, email, by_email, {})  # noqa: E731
    functions = {"Zq-function": frozenset({"UZS4471", "UZS5582", "UZS0000"})}
    kept = seat_weeks("copilot", records, seats, user_of, functions, [WEEK], monday)
    with store.unit_of_work() as uow:
        uow.usage.record(DAYS[:7], [], "copilot", DAYS[6], AT, kept)
        uow.commit()
    assert [(w.function, w.seats, w.active) for w in store.usage.seat_weeks(WEEK)] == [
        ("", 3, 1),
        ("Zq-function", 2, 1),
    ]
    files = _files(store)
    assert _holding(files, "Zq-function") != {}  # the scan can find what is kept: the function's counts
    assert _holding(files, *logins, *emails, "UZS4471", "UZS5582") == {}
