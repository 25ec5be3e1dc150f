"""Playbooks made where the team works (usecases/playbook_form.py) on the fakes: `/rollout
new` and `/rollout edit`'s forms submitted as the handler reads them; every refusal on its
field, nothing stored; a revision is one decision, a stale form is refused naming who."""

from __future__ import annotations

import json

import yaml

from cadence import keys
from cadence.definition_load import parse_playbook
from templates.playbook_form import playbook_form
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, CURATOR, MEMBER, OWNER
from tests.usecases.fast import registry_world
from tests.usecases.fast.form_world import (
    NEW_VALUES,
    a_playbook,
    command,
    decisions,
    history,
    open_edit,
    open_new,
    submit,
    world,
)
from usecases import operator
from usecases import playbook_form as forms


def test_every_check_of_playbook_load_shows_on_its_field_and_nothing_is_stored():
    services = world()
    view = open_new(services)
    cases = [
        ({"steps": "draft: collaborative\nDraft: ai-led"}, "steps", "listed twice"),
        ({"target": "5"}, "target", "must be below the baseline"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA time zone"),
        ({"steps": "draft collaborative"}, "steps", "Line 1"),
        ({"steps": "draft: collaborative pinned"}, "steps", "pinned step is human-led"),
        ({"cap": "150%"}, "cap", "above 100%"),
        ({"baseline": "4,5"}, "baseline", "comma"),
        ({"title": "Refunds\u200b"}, "title", "U+200B"),
        ({"start": "2026-11-24"}, "start", "Tuesday"),
        ({"guardrail_name": "CSAT"}, "guardrail_value", "bound"),
    ]
    for change, field, words in cases:
        reply = submit(services, view, {**NEW_VALUES, **change}, MEMBER)
        assert reply.get("response_action") == "errors", (change, reply)
        assert words in reply["errors"][field], (change, reply["errors"])
    held = fakes.store_of(services).held
    assert held.states == {} and held.decisions == [] and held.outbox == []


def test_the_same_title_again_gets_a_slug_of_its_own():
    services = world()
    assert "refund-triage" in json.dumps(submit(services, open_new(services), NEW_VALUES, MEMBER)["view"])
    again = submit(services, open_new(services), NEW_VALUES, MEMBER)  # the same KPI: asked why first
    assert "refund-triage (Support), same KPI Refund cycle time (days)" in json.dumps(again["view"])
    anyway = submit(services, open_new(services), {**NEW_VALUES, "anyway": "a second region"}, MEMBER)
    assert "refund-triage-2" in json.dumps(anyway["view"])
    assert fakes.store_of(services).playbooks.slugs() == ["refund-triage", "refund-triage-2"]


def test_a_fields_error_is_plain_text_as_typed():
    """Issue 66, item 19: a form's field errors are plain text to Slack (`response_action:
    errors`): a refusal quoting `<reason> & more` reads so, not escaped as `&lt;` nor with mrkdwn."""
    services = world()
    reply = submit(services, open_new(services), {**NEW_VALUES, "baseline": "<reason> & more"}, MEMBER)
    error = reply["errors"]["baseline"]
    assert error.startswith("“<reason> & more” is not a number"), error
    assert fakes.store_of(services).held.states == {}


def test_a_channel_without_the_bot_gets_the_invite_hint():
    services = world(directory=fakes.FakeDirectory(absent={"CNOBOT0001": "not_in_channel"}))
    reply = submit(services, open_new(services), {**NEW_VALUES, "channel": "CNOBOT0001"}, MEMBER)
    assert "/invite" in reply["errors"]["channel"]
    assert fakes.store_of(services).held.states == {}


def test_rollout_creators_curators_limits_new_to_curators():
    services = world(creators="curators")
    refused = command(services, "new", user=MEMBER)
    assert "Only curators create playbooks" in json.dumps(refused)
    fakes.store_of(services).org.add_curator(MEMBER, ADMIN, services.clock())
    assert submit(services, open_new(services), NEW_VALUES, MEMBER)["response_action"] == "update"


# ---- edit ----


def test_a_title_typed_with_a_mention_stays_text_in_history_beside_the_channel_the_bot_named():
    """Issue 66, item 13: a revision's summary holds the title as typed (`<@U…>`,
    CUSTOMER2024) and the team channels the bot wrote: only the channels become links."""
    services = world(a_playbook())
    view = open_edit(services)
    title = "Replies <@UEVIL00001> for CUSTOMER2024"
    reply = submit(services, view, {**view.values, "title": title, "channel": "CTEAM00002"}, OWNER)
    assert reply["response_action"] == "update", reply
    said = history(services, "support-replies")
    assert "“Replies @UEVIL00001 for CUSTOMER2024”" in said, said  # the form keeps a mention as words
    for link in ("<@UEVIL00001>", "<#CUSTOMER2024>"):
        assert link not in said, link
    assert f"team channel <#{CHANNEL}> → <#CTEAM00002>" in said, said


def test_edit_keeps_what_it_does_not_show_and_modes_stay_with_rollout_mode():
    inputs = ["ticket text", "customer profile", "policy constraints"]
    services = world(a_playbook(inputs=inputs, min_cases=5))
    view = open_edit(services)
    values = view.values
    mode_changed = {**values, "steps": values["steps"].replace("send: ai-led", "send: collaborative")}
    reply = submit(services, view, mode_changed, OWNER)
    assert "/rollout mode" in reply["errors"]["steps"]
    reply = submit(services, view, {**values, "title": "Support replies"}, OWNER)
    assert reply["response_action"] == "update"
    definition = fakes.store_of(services).playbooks.state("support-replies").playbook.definition
    assert definition["title"] == "Support replies"
    assert definition["inputs"] == inputs and definition["rules"]["min_cases"] == 5  # kept


def test_edit_is_for_the_owner_or_a_curator():
    services = world(a_playbook())
    assert "Only the owner" in json.dumps(command(services, "edit support-replies", user=MEMBER))
    assert "edit &lt;playbook&gt;" in json.dumps(command(services, "edit"))


def test_a_second_edit_after_a_change_is_refused_naming_who():
    services = world(a_playbook())
    first, second = open_edit(services), open_edit(services)
    values = first.values
    assert submit(services, first, {**values, "target": "12"}, OWNER)["response_action"] == "update"
    recorded = list(decisions(services))
    reply = submit(services, second, {**values, "target": "10"}, OWNER)
    assert "open the form again" in reply["errors"]["title"] and OWNER in reply["errors"]["title"]
    assert decisions(services) == recorded
    assert fakes.store_of(services).playbooks.state("support-replies").playbook.kpi_target == 12


def test_the_stall_cards_refine_opens_the_edit_form_and_the_revision_names_the_stall():
    state = a_playbook()
    services = world(state)
    assert keys.read_stall(keys.stall(state.playbook.id, 1)) == (state.playbook.id, 1)
    form = forms.edit_form(fakes.caller(services, OWNER), "", focus="refine", stall=(state.playbook.id, 1))
    view = playbook_form(
        form.values, forms.FIELDS, form.metadata, form.functions, form.slug, form.adopted_from, forms.FOCUS["refine"]
    )
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert view["callback_id"] == "playbook_edit" and inputs[:3] == ["steps", "cap", "rubric"]  # at what Refine changes
    reply = submit(services, form, {**form.values, "rubric": "95%"}, OWNER)
    assert reply["response_action"] == "update", reply
    summaries = " ".join(d["summary"] for d in decisions(services)[-2:])
    assert "rubric threshold 90% → 95%" in summaries and "cycle 1 stalled" in summaries


def test_export_after_edits_loads_back_unchanged():
    services = world(a_playbook())
    store = fakes.store_of(services)
    view = open_edit(services)
    submit(services, view, {**view.values, "cap": "7.5%"}, OWNER)
    exported = operator.export_yaml(store, ["support-replies"])
    assert yaml.safe_load(exported)["exception_cap"] == 0.075
    recorded = list(decisions(services))
    [outcome] = store.playbooks.load([parse_playbook(yaml.safe_load(exported))], "UTC", "test", services.clock())
    assert outcome.action == "unchanged" and outcome.decision is None and decisions(services) == recorded


def test_an_adopted_playbook_changes_only_what_its_kit_allows_unless_a_curator_overrides():
    made = registry_world.published()
    registry_world.adopt(made)
    [slug] = [s for s in made.store.playbooks.slugs() if s != "support-replies"]
    services = made.services

    view = forms.edit_form(fakes.caller(services, registry_world.SALES_OWNER), slug)
    assert view.adopted_from == "support-replies"  # the override field shows
    values = view.values
    recorded = list(decisions(services))
    reply = submit(services, view, {**values, "cap": "20%"}, registry_world.SALES_OWNER)
    error = reply["errors"]["override"]
    assert "adopted from support-replies" in error and "baseline, target, timezone" in error
    reply = submit(services, view, {**values, "cap": "20%", "override": "we said so"}, registry_world.SALES_OWNER)
    assert "Only a curator" in reply["errors"]["override"]
    assert decisions(services) == recorded
    # within may_change: the team's own target
    reply = submit(services, view, {**values, "target": "12"}, registry_world.SALES_OWNER)
    assert reply["response_action"] == "update", reply
    # past it, by a curator with a reason: recorded with the reason
    view = forms.edit_form(fakes.caller(services, CURATOR), slug)
    reply = submit(services, view, {**view.values, "cap": "5%", "override": "their volume is tiny"}, CURATOR)
    assert reply["response_action"] == "update", reply
    row = decisions(services)[-1]
    assert "exception cap 10% → 5%" in row["summary"] and "their volume is tiny" in row["summary"]


def test_the_web_views_yaml_download_is_the_export():
    services = world(a_playbook())
    name, text = forms.yaml_download(services, "support-replies")
    assert name == "support-replies.yaml" and text == operator.export_yaml(services.store, ["support-replies"])
    assert forms.yaml_download(services, "nothing-here") is None


def test_a_form_submitted_unchanged_changes_nothing_whatever_its_numbers():
    """Every digit of a number, and the org's zone for a playbook without its own, survive
    the form: submitted as it opened, nothing is recorded."""
    guardrail = {"name": "Bounce rate", "unit": "%", "max": 5}
    kpi = {**fakes.definition()["kpi"], "baseline": 1234567.5, "target": 0.000123}
    services = world(a_playbook(kpi=kpi, exception_cap=0.1234567, guardrail=guardrail, timezone=None))
    view = open_edit(services)
    values = view.values
    assert values["baseline"] == "1234567.5" and values["cap"] == "12.34567%" and values["guardrail_bound"] == "max"
    reply = submit(services, view, values, OWNER)
    assert "nothing changed" in json.dumps(reply["view"]), reply
    assert decisions(services) == []
