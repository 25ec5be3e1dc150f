"""The owner's week in one form (issue 58): `/rollout week` opens it; a submission records
each changed field as its own report, or nothing, with its refusals on their fields.
Signed requests and view submissions against the real endpoint, Slack played by the
stand-in; SQLite and PostgreSQL. Who may open it, a week to come or closed meanwhile are
tests/usecases/fast/test_week_form.py's; each refusal on its field, two submissions racing,
a number a value event carries, a step removed since the form opened and the Friday DM's
*Report this week*, tests/usecases/fast/test_week_form_slack.py's (the listeners on the
fakes)."""

import json

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from storage.models.reports import CaseCount, KpiReading, RubricScore
from tests.conftest import OWNER
from tests.handlers.test_commands import row_counts
from tests.usecases.fast.test_week_form_slack import fields
from tests.usecases.test_governance import wednesday


def open_form(bot, slack, text="week support-replies", user=OWNER):
    reply = bot.command(text, user=user)
    assert reply.status == 200 and not reply.body, reply.body  # a form opened: no reply
    view = slack.opened_views[-1]
    assert view["callback_id"] == "week_form"
    return view


def submit(bot, view, changed, user=OWNER):
    """The form sent back with every field as it opened, but those in `changed`."""
    values = {block: initial for block, (_, initial) in fields(view).items()}
    values.update(changed)
    state = {"values": {block: {"value": {"type": "plain_text_input", "value": v}} for block, v in values.items()}}
    return bot.interaction(
        {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, **view_identity()}}
    )


def ids(playbook):
    return {s.name: s.id for s in playbook.steps}


def latest(engine, table, column, **where):
    with Session(engine) as s:
        rows = s.exec(select(table).filter_by(withdrawn_at=None, **where).order_by(table.id)).all()
    return [getattr(r, column) for r in rows]


def test_the_form_opens_filled_in_and_records_only_what_changed(bot, slack, playbook, engine, clock):
    clock.set(wednesday(1))
    step = ids(playbook)
    bot.command("cases support-replies draft 40", user=OWNER)
    bot.command("rubric support-replies draft 18/20", user=OWNER)
    bot.command("kpi support-replies 14", user=OWNER)
    view = open_form(bot, slack)
    shown = fields(view)
    assert shown[f"cases:{step['draft']}"][1] == "40"
    assert (shown[f"reviewed:{step['draft']}"][1], shown[f"passed:{step['draft']}"][1]) == ("20", "18")
    assert shown[f"cases:{step['send']}"][1] == "" and shown["kpi"][1] == "14" and shown["guardrail"][1] == ""
    assert "draft: review at least 8 of this week's 40 cases" in json.dumps(view["blocks"])
    before = row_counts(engine)
    reply = submit(
        bot,
        view,
        {
            f"cases:{step['draft']}": "45",
            f"cases:{step['send']}": "20",
            f"reviewed:{step['send']}": "2",
            f"passed:{step['send']}": "2",
            "kpi": "13.5",
        },
    )
    assert reply.body["response_action"] == "update"
    said = json.dumps(reply.body["view"]["blocks"], ensure_ascii=False)
    for line in ("*draft*: 45 cases", "*send*: 20 cases", "*send*: 2 of 2 reviewed passed (100%)", ": 13.5 min"):
        assert line in said, said
    after = row_counts(engine)
    assert after["case_count"] - before["case_count"] == 2
    assert after["rubric_score"] - before["rubric_score"] == 1  # draft's review was left as it was
    assert after["kpi_reading"] - before["kpi_reading"] == 1
    assert latest(engine, RubricScore, "reviewed", step_id=step["send"]) == [2]
    # each field is its own report: undo withdraws one of them, the others still count
    assert "Withdrew your" in bot.command("undo support-replies", user=OWNER).text
    with Session(engine) as s:
        withdrawn = sum(
            len(s.exec(select(t).where(t.withdrawn_at.is_not(None))).all())
            for t in (CaseCount, RubricScore, KpiReading)
        )
    assert withdrawn == 1


def test_minutes_spent_reviewing_are_refused_in_words_of_their_own(bot, slack, store, engine, clock):
    """Issue 91, item 5: -5 in the minutes field said "A case count can't be negative";
    the minutes say what they are, on their own field, and nothing of the form is stored."""
    import copy
    from datetime import date

    from cadence.definition_load import parse_playbook
    from tests.committed import loaded
    from tests.conftest import SUPPORT_REPLIES
    from usecases.shared.life import begin_cycle

    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["value"] = {"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    clock.set(wednesday(1))
    draft = ids(state)["draft"]
    bot.command("cases support-replies draft 40", user=OWNER)
    view = open_form(bot, slack)
    assert f"minutes:{draft}" in fields(view)
    review = {f"reviewed:{draft}": "20", f"passed:{draft}": "18"}
    before = row_counts(engine)
    for typed, said in (
        ("-5", "Minutes spent reviewing can't be negative (-5): give the minutes this step's review took."),
        ("2.5", "Minutes spent reviewing are a whole number, not 2.5."),
        ("lots", "“lots” is not a number of minutes. Write the minutes spent reviewing as a whole number, such as 30."),
    ):
        reply = submit(bot, view, {**review, f"minutes:{draft}": typed})
        assert reply.body["response_action"] == "errors"
        assert reply.body["errors"] == {f"minutes:{draft}": said}
    assert row_counts(engine) == before
    reply = submit(bot, view, {**review, f"minutes:{draft}": "95"})
    assert reply.body["response_action"] == "update"
    assert latest(engine, RubricScore, "review_minutes", step_id=draft) == [95]
