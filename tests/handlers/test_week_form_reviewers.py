"""The week form's people picker per step (docs/playbooks.md, "Value", heroics): who
reviewed, a Block Kit `multi_users_select` starting with the submitter, kept with the
review it came with. View submissions as Slack sends them; SQLite and PostgreSQL. A person
Slack does not know, refused on the picker, is tests/usecases/fast/test_week_form.py's."""

from sqlmodel import Session, select

from storage.models.reports import RubricScore
from tests.conftest import OWNER
from tests.handlers.test_week_form import fields, ids, open_form
from tests.usecases.test_governance import wednesday

BEN, IDA = "UBEN00001", "UIDA00001"


def send(bot, view, typed, picked):
    """The form sent back as Slack sends it: every text field as it opened but those
    typed, and each picker's people (`picked`: block id to user ids)."""
    values = {block: {"value": {"type": "plain_text_input", "value": v}} for block, (_, v) in fields(view).items()}
    values.update({block: {"value": {"type": "plain_text_input", "value": v}} for block, v in typed.items()})
    for block, users in picked.items():
        values[block] = {"value": {"type": "multi_users_select", "selected_users": users}}
    from bot.demo.standin.slack_requests import view_identity

    state = {"values": values}
    return bot.interaction(
        {"type": "view_submission", "user": {"id": OWNER}, "view": {**view, "state": state, **view_identity()}}
    )


def reviews(engine):
    with Session(engine) as s:
        return [(r.reviewed, r.reviewers, r.reported_by) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


def test_each_step_has_a_picker_starting_with_the_submitter_and_it_names_the_reviewers(
    bot, slack, playbook, engine, clock, store
):
    clock.set(wednesday(1))
    for user, name in ((BEN, "Ben Reviewer"), (IDA, "Ida Reviewer")):
        slack.add_user(user, name=name)
    step = ids(playbook)
    view = open_form(bot, slack)
    pickers = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("block_id", "").startswith("by:")}
    assert set(pickers) == {f"by:{step['draft']}", f"by:{step['send']}", f"by:{step['refunds']}"}
    assert pickers[f"by:{step['draft']}"]["type"] == "multi_users_select"
    assert pickers[f"by:{step['draft']}"]["initial_users"] == [OWNER]
    typed = {f"reviewed:{step['draft']}": "20", f"passed:{step['draft']}": "18"}
    typed |= {f"reviewed:{step['send']}": "10", f"passed:{step['send']}": "9"}
    reply = send(bot, view, typed, {f"by:{step['draft']}": [BEN, IDA], f"by:{step['send']}": [OWNER]})
    assert reply.body["response_action"] == "update", reply.body
    assert reviews(engine) == [(20, f"{BEN} {IDA}", OWNER), (10, OWNER, OWNER)]
    assert store.people.names([BEN, IDA]) == {BEN: "Ben Reviewer", IDA: "Ida Reviewer"}  # the pages name them
