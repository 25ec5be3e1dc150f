"""The contract of `calibrations.revision_rows` (storage/calibration.py), the read a step's
texts' diffs come from (cadence/step_texts.py), on the database and on the fake alike
(conftest.py's `side`): a playbook's revisions only (not its creation, another kind of
decision or another playbook's), oldest first, each with who made it, when (aware, as
written) and its figures whole (the definitions before and after, and its why)."""

from __future__ import annotations

from datetime import timedelta

from cadence import step_texts
from cadence.change import Change
from cadence.definition_load import parse_playbook
from cadence.revisions import compare, of_revision
from cadence.setup_decisions import of_curator
from tests.committed import committed, loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.storage.contract.conftest import AT

FIRST = "You draft the reply.\nNever promise a refund."
SECOND = "You draft the reply.\nPromise a refund only under 500 EUR.\n<b>Sign</b> as the team & no more."


def _with(slug: str = "support-replies", **texts: str):
    steps = [
        {"name": "draft", "mode": "collaborative", **texts},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ]  # SUPPORT_REPLIES's, draft with `texts`
    other = {} if slug == "support-replies" else {"playbook": slug, "channel": "C0OTHER001"}
    return parse_playbook({**SUPPORT_REPLIES, **other, "steps": steps})


def test_revision_rows(side):
    pid = side.playbook.playbook.id
    assert side.store.calibrations.revision_rows(pid) == []  # created only: no revision yet

    one, two, three = AT + timedelta(hours=1), AT + timedelta(hours=2), AT + timedelta(hours=3)
    loaded(side.store, [_with(prompt_text=FIRST)], "UTC", actor="file:support.yaml", at=one)
    loaded(side.store, [_with("refund-triage", prompt_text="other")], "UTC", actor="file:other.yaml", at=one)
    before = side.playbook.playbook.definition
    after = _with(prompt_text=SECOND, rubric_text="Tone: plain.").canonical()
    revised = of_revision(
        pid, "support-replies", compare(before, after), before, after, OWNER, why="week 2's exceptions"
    )
    committed(side.store).governance.apply(Change(decisions=[revised, of_curator("UCUR", True, OWNER)]), two)
    loaded(side.store, [_with("refund-triage", prompt_text="other, again")], "UTC", actor="file:other.yaml", at=three)

    rows = side.store.calibrations.revision_rows(pid)
    assert [(actor, at) for _, actor, at, _ in rows] == [("file:support.yaml", one), (OWNER, two)]
    assert all(at.utcoffset() == timedelta(0) for _, _, at, _ in rows)
    assert rows[0][0] < rows[1][0]  # oldest first
    [first, second] = [figures for *_, figures in rows]
    assert "why" not in first and second["why"] == "week 2's exceptions"
    assert first["after"]["steps"][0]["prompt_text"] == FIRST == second["before"]["steps"][0]["prompt_text"]
    assert second["after"] == after and second["changes"] == compare(before, after).words

    found = step_texts.revisions(rows)  # what the web page reads from them
    assert [(r.key, r.by, r.at, r.why, r.before, r.after) for r in found] == [
        ("prompt_text", OWNER, two, "week 2's exceptions", FIRST, SECOND),
        ("rubric_text", OWNER, two, "week 2's exceptions", None, "Tone: plain."),
        ("prompt_text", "file:support.yaml", one, None, None, FIRST),
    ]
    other = side.store.playbooks.state("refund-triage").playbook.id
    assert [actor for _, actor, _, _ in side.store.calibrations.revision_rows(other)] == ["file:other.yaml"]
    assert side.store.calibrations.revision_rows(other + 1000) == []  # no such playbook
