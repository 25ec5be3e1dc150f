"""`/rollout new` racing another: a slug read as free and taken before the write. The write
is refused whole (the taken slug spoils its unit of work, on PostgreSQL every statement
after it too), and the playbook is made under the next free slug, its decisions and its
announcements once."""

import json

from sqlmodel import Session, select

from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from storage.playbooks import Playbooks
from tests.conftest import MEMBER
from tests.handlers.test_playbook_form import NEW_VALUES, open_new, submit


def test_a_slug_taken_a_moment_ago_makes_the_playbook_under_the_next_free_one(bot, slack, engine, monkeypatch):
    submit(bot, open_new(bot, slack), NEW_VALUES, MEMBER)
    read, asked = Playbooks.slugs, []

    def stale(self):  # the first read misses refund-triage, as a read just before it was made would
        asked.append(self)
        return [] if len(asked) == 1 else read(self)

    view = open_new(bot, slack)
    monkeypatch.setattr(Playbooks, "slugs", stale)
    # the same KPI as refund-triage: made with a reason (tests/handlers/test_similar.py)
    asked_why = submit(bot, view, NEW_VALUES, MEMBER).body["view"]
    again = submit(bot, asked_why, {**NEW_VALUES, "anyway": "a second region"}, MEMBER)
    assert "refund-triage-2" in json.dumps(again.body["view"]) and len(asked) == 2
    with Session(engine) as s:
        made = {p.id: p.slug for p in s.exec(select(Playbook)).all()}
        decided = sorted((made[d.playbook_id], d.kind) for d in s.exec(select(Decision)).all())
        keys = sorted(m.key for m in s.exec(select(OutboxMessage)).all() if m.key.startswith("made:"))
    assert sorted(made.values()) == ["refund-triage", "refund-triage-2"]
    assert decided == [
        ("refund-triage", "cycle-started"),
        ("refund-triage", "playbook-created"),
        ("refund-triage-2", "created-anyway"),
        ("refund-triage-2", "cycle-started"),
        ("refund-triage-2", "playbook-created"),
    ]
    assert keys == ["made:refund-triage-2>team", "made:refund-triage>team"]
