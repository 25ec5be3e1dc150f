"""A step removed and added back under another name in YAML (no `was:`) through `rollout
playbook load`: a new step row, the one removed retired with its history kept under its id
(the renames themselves: tests/usecases/fast/test_step_rename.py). SQLite and PostgreSQL."""

from sqlmodel import Session, select

from storage.models.playbooks import Step
from tests.conftest import SUPPORT_REPLIES
from tests.handlers.test_bar_loaded import load


def steps_of(engine):
    with Session(engine) as s:
        rows = s.exec(select(Step).order_by(Step.position)).all()
        return {r.name: (r.id, r.mode, r.retired_at is None) for r in rows}


def test_removed_and_added_back_at_ai_led_in_yaml_is_a_request_and_a_new_row(store, engine, world):
    before = steps_of(engine)
    swapped = [
        {"name": "reply-draft", "mode": "ai-led"} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]
    ]
    done = load(store, world.clock, {**SUPPORT_REPLIES, "steps": swapped})
    assert done.waiting  # a bar change request, with the file's why
    after = steps_of(engine)
    assert after["reply-draft"][0] != before["draft"][0] and after["reply-draft"][1] == "collaborative"
    assert after["draft"][2] is False  # the step removed is retired, its history kept under its id
