"""What the commonest requests ask of the database, counted, not timed (issue 95): the SQL
statements one signed request sends to the real endpoint and the connections it takes
from the pool (on PostgreSQL each a ping first: storage.db.make_engine), on both
databases, so a read added to the path shows here. tests/usecases/test_quiet_tick.py
counts the clock's quiet tick the same way; `python -m bench.profile --statements` lists
them for the bench's playbook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from bot.demo.standin.slack_requests import filled
from tests.conftest import MEMBER, OWNER


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0

    def starting(self, *words: str) -> int:
        return sum(" ".join(sql.split()).upper().startswith(words) for sql in self.statements)


@contextmanager
def counted(engine) -> Iterator[Sent]:
    sent = Sent()

    def statement(_conn, _cursor, sql, *_rest) -> None:
        sent.statements.append(sql)

    def checkout(*_args) -> None:
        sent.checkouts += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)


def test_a_kpi_report_reads_the_playbook_once_and_writes_in_one_transaction(bot, playbook, engine):
    """`/rollout kpi`: the playbook's state in one read (its steps, latest cycles, the
    channel's team-list version, the owner), then one unit of work: the request's key and
    the reading, whose own statement checks the week is open and takes the playbook's
    share lock. Two connections: the read's, the unit of work's."""
    assert "Recorded" in bot.command("kpi support-replies 19", user=MEMBER).text  # warm: team list, bot's ids
    with counted(engine) as sent:
        reply = bot.command("kpi support-replies 20", user=MEMBER)
    assert "Recorded" in reply.text
    assert len(sent.statements) == 3, sent.statements  # before (issue 95): 4, a lock of its own first
    assert sent.starting("SELECT") == 1
    assert sent.starting("INSERT INTO SEEN_REQUEST") == 1 and sent.starting("INSERT INTO KPI_READING") == 1
    assert sent.checkouts == 2


def test_the_week_forms_submission_takes_no_lock_of_its_own_before_its_reports(bot, slack, playbook, engine):
    """The owner's week form, submitted with three fields changed: its reports go in one
    statement a kind, each taking the playbook's share lock itself, with no statement
    before them that only locks."""
    assert not bot.command("week support-replies", user=OWNER).body  # the form opened
    view = slack.opened_views[-1]
    draft = next(s.id for s in playbook.steps if s.name == "draft")
    typed = {f"cases:{draft}": "40", f"reviewed:{draft}": "20", f"passed:{draft}": "18", "kpi": "14.5"}
    with counted(engine) as sent:
        reply = bot.submit(OWNER, view, filled(view, typed))
    assert "Week recorded" in reply.text
    # before (issue 95): a lock of its own first, and the weeks closed through read again for each kind: 14;
    # since issue 97, first the form's submission time (form_time, the active setup time), in its own unit of work
    assert len(sent.statements) == 12, "\n".join(" ".join(s.split())[:150] for s in sent.statements)
    assert sent.starting("INSERT INTO CASE_COUNT", "INSERT INTO RUBRIC_SCORE", "INSERT INTO KPI_READING") == 3
    assert not sent.starting("SELECT PLAYBOOK.ID FROM PLAYBOOK WHERE PLAYBOOK.ID =")  # a lock alone
    assert sent.starting("SELECT PLAYBOOK.ID, PLAYBOOK.CLOSED_THROUGH") == 1  # the lock, once for the three
    # the form's submission time; the view's signature key; the playbook, then the week's
    # figures (the stale check); the unit of work; the reviewer's name Slack gave, kept after
    assert sent.checkouts == 6


def test_status_reads_what_it_shows_on_one_connection(bot, playbook, engine):
    """`/rollout status`: 19 reads on one connection (the playbook; the week's figures, its
    steps' and its check-ins; recent verdicts; decisions; proposals; the KPI's weeks; the
    caller's role; the registry's versions; who is away; learnings; exceptions and their
    items; value's cases; what the sponsor said; stalls; bar requests; the team's load), then the request's
    key, recorded after the answer, on another. Pinned so that a read added to the
    path, or one repeated, shows here."""
    assert "Status of support-replies" in bot.command("status support-replies", user=MEMBER).text  # warm
    with counted(engine) as sent:
        reply = bot.command("status support-replies", user=MEMBER)
    assert "Status of support-replies" in reply.text
    assert sent.starting("INSERT") == 1 and sent.starting("INSERT INTO SEEN_REQUEST") == 1
    assert len(sent.statements) == 20, "\n".join(" ".join(s.split())[:150] for s in sent.statements)
    assert sent.checkouts == 2
