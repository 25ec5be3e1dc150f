"""`/rollout new`'s and `/rollout edit`'s modal as templates/playbook_form.py draws it:
which fields show in which order, the intro, the hints and what is optional."""

from templates.playbook_form import playbook_form
from usecases.playbook_form import FIELDS


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_new_form_asks_the_start_and_no_reason():
    view = playbook_form({"title": "Refunds"}, FIELDS, {"n": 1}, [], currency="EUR")
    fields = inputs(view)
    assert list(fields) == list(FIELDS)
    assert view["callback_id"] == "playbook_new" and view["submit"]["text"] == "Create"
    assert view["blocks"][0]["text"]["text"].startswith("Start a playbook for your team: you become its owner")
    assert fields["title"]["element"]["initial_value"] == "Refunds"
    assert "hint" not in fields["function"]  # no function in use yet
    assert (
        fields["cost"]["hint"]["text"] == "In EUR (this deployment's ROLLOUT_CURRENCY), e.g. 1200; leave empty for none"
    )
    assert not fields["cases_per_week"]["optional"] and fields["cost"]["optional"]
    assert view["private_metadata"] == '{"n":1}'


def test_the_edit_of_an_adopted_playbook_opens_at_its_focus_and_asks_the_override_and_why_last():
    view = playbook_form(
        {}, FIELDS, {}, ["Support", "Finance"], slug="refunds", adopted_from="support-replies", focus=("steps", "cap")
    )
    fields = inputs(view)
    assert list(fields)[:2] == ["steps", "cap"] and list(fields)[-2:] == ["override", "why"]
    assert "start" not in fields
    intro = view["blocks"][0]["text"]["text"]
    assert intro.startswith("Change *refunds*: a change is a revision, applied from the open week.")
    assert intro.endswith(" It is adopted from *support-replies*: its kit's `may_change` says what may change here.")
    assert fields["function"]["hint"]["text"] == "In use: Support, Finance; or name a new one"
    assert fields["cases_per_week"]["optional"] and fields["why"]["optional"]  # optional on an edit
    assert view["callback_id"] == "playbook_edit" and view["submit"]["text"] == "Save"
