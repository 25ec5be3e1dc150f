"""Playbooks made where the team works: `/rollout new` and `/rollout edit` open a form,
submitted as Slack sends it; every refusal on its field, nothing stored."""

import json
import uuid
from datetime import date

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from bot.app import create_app
from bot.demo.standin.slack_requests import view_identity
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from bot.web import make_asgi
from storage.models.governance import Decision
from storage.models.playbooks import Cycle, Playbook
from tests.committed import committed, loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SlackRequests, settings_for
from tests.handlers.test_forms import deliver

NEW_VALUES = {
    "title": "Refund triage",
    "function": "Support",
    "channel": CHANNEL,
    "cases_per_week": "120",
    "minutes_per_case": "9",
    "structured": "structured",
    "value_event": "refund_done",
    "kpi_name": "Refund cycle time",
    "kpi_unit": "days",
    "direction": "down",
    "baseline": "5",
    "target": "2",
    "steps": "classify: ai-led\napprove: collaborative\npayout: human-led pinned",
    "cap": "10%",
    "rubric": "90%",
    "timezone": "Europe/Berlin",
    "guardrail_name": "",
    "guardrail_bound": "min",
    "guardrail_value": "",
    "start": "2026-11-23",
}


def count(engine, table):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def state_of(view, values):
    """The view's `state.values` as Slack sends them, each field by its element's type."""
    out = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in values:
            continue
        value = values[block["block_id"]]
        kind = block["element"]["type"]
        if kind == "conversations_select":
            element = {"type": kind, "selected_conversation": value or None}
        elif kind == "static_select":
            element = {"type": kind, "selected_option": {"value": value} if value else None}
        elif kind == "checkboxes":  # ticked: its options, as Slack sends them
            chosen = [o for o in block["element"]["options"] if value and o["value"] in value.split(",")]
            element = {"type": kind, "selected_options": chosen}
        elif kind == "datepicker":
            element = {"type": kind, "selected_date": value or None}
        else:
            element = {"type": kind, "value": value or None}
        out[block["block_id"]] = {"value": element}
    return out


def submit(bot, view, values, user):
    state = {"values": state_of(view, values)}
    return bot.interaction(
        {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, **view_identity()}}
    )


def shown(view):
    """What a form shows, by field, as a person reads it."""
    out = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        e = block["element"]
        out[block["block_id"]] = (
            e.get("initial_value")
            or e.get("initial_conversation")
            or (e.get("initial_option") or {}).get("value")
            or e.get("initial_date")
            or ",".join(o["value"] for o in e.get("initial_options") or [])
            or ""
        )
    return out


def open_new(bot, slack, user=MEMBER):
    reply = bot.command("new", user=user)
    assert reply.status == 200 and not reply.body, reply.text
    view = slack.opened_views[-1]
    assert view["callback_id"] == "playbook_new" and len(view["blocks"]) <= 100
    return view


def test_new_opens_a_form_with_the_defaults_and_creates_the_playbook(bot, slack, store, engine, clock):
    slack.add_user(MEMBER, tz="America/New_York")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", ADMIN, clock())
    slack.add_channel("CCURATORS1", [ADMIN])
    view = open_new(bot, slack)
    defaults = shown(view)
    assert defaults["timezone"] == "America/New_York"
    assert defaults["start"] == "2026-11-23" and defaults["cap"] == "10%" and defaults["rubric"] == "90%"
    assert defaults["channel"] == CHANNEL  # the channel it was typed in

    reply = submit(bot, view, NEW_VALUES, MEMBER)
    assert reply.status == 200 and reply.body["response_action"] == "update", reply.body
    assert "refund-triage" in json.dumps(reply.body["view"])
    state = store.playbooks.state("refund-triage")
    assert state.playbook.owner_id == MEMBER and state.playbook.timezone == "Europe/Berlin"
    assert [(s.name, s.mode, s.pinned) for s in state.steps] == [
        ("classify", "ai-led", False),
        ("approve", "collaborative", False),
        ("payout", "human-led", True),
    ]
    assert state.anchor.starts_on == date(2026, 11, 23) and state.playbook.status == "active"  # the first cycle is set
    deliver(engine, slack, clock)
    team = json.dumps(slack.posted(CHANNEL))
    assert "Mode map" in team and "2026-11-23" in team and MEMBER in team
    curators = slack.posted("CCURATORS1")
    assert len(curators) == 1 and "nothing to approve" in json.dumps(curators)

    # the same title again: a slug of its own
    again = submit(bot, open_new(bot, slack), NEW_VALUES, MEMBER)
    assert "refund-triage-2" in json.dumps(again.body["view"])


def test_every_check_of_playbook_load_shows_on_its_field_and_nothing_is_stored(bot, slack, engine):
    view = open_new(bot, slack)
    decisions, cycles = count(engine, Decision), count(engine, Cycle)
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
        reply = submit(bot, view, {**NEW_VALUES, **change}, MEMBER)
        assert reply.body.get("response_action") == "errors", (change, reply.body)
        assert words in reply.body["errors"][field], (change, reply.body["errors"])
    assert count(engine, Playbook) == 0
    assert (count(engine, Decision), count(engine, Cycle)) == (decisions, cycles)


def _clicks_on_one_view(bot, slack):
    """Submissions of one `/rollout new` form, as Slack sends each click of *Create*: the
    same view id and hash, each click its own trigger (and so its own signature)."""
    view = {**open_new(bot, slack), **view_identity()}

    def send(values):
        state = {"values": state_of(view, values)}
        trigger = f"{uuid.uuid4().int % 10**12}.98765.abcd"
        return bot.interaction(
            {"type": "view_submission", "user": {"id": MEMBER}, "trigger_id": trigger, "view": {**view, "state": state}}
        )

    return send


def test_a_view_sent_again_makes_one_playbook_and_a_corrected_one_still_counts(bot, slack, engine):
    """Issue 66, item 15: Slack sends the same view (id and hash) again, as when *Create*
    is clicked twice after a slow answer: one playbook. The same view refused on a field
    and sent again corrected (Slack keeps its id and hash) is created."""
    send = _clicks_on_one_view(bot, slack)

    refused = send({**NEW_VALUES, "target": "5"})
    assert refused.body["response_action"] == "errors" and count(engine, Playbook) == 0
    made = send(NEW_VALUES)
    assert made.body["response_action"] == "update", made.body
    again = send(NEW_VALUES)
    assert again.status == 200 and not again.body, again.body
    assert count(engine, Playbook) == 1


def test_a_fields_error_is_plain_text_as_typed(bot, slack, engine):
    """Issue 66, item 19: a form's field errors are plain text to Slack (`response_action:
    errors`): a refusal quoting `<reason> & more` reads so, not escaped as `&lt;` nor with mrkdwn."""
    reply = submit(bot, open_new(bot, slack), {**NEW_VALUES, "baseline": "<reason> & more"}, MEMBER)
    error = reply.body["errors"]["baseline"]
    assert error.startswith("“<reason> & more” is not a number"), error
    assert count(engine, Playbook) == 0


def test_a_channel_without_the_bot_gets_the_invite_hint(bot, slack, engine):
    slack.add_channel("CNOBOT0001", [MEMBER])
    slack.workspace.not_in_channel.add("CNOBOT0001")
    view = open_new(bot, slack)
    reply = submit(bot, view, {**NEW_VALUES, "channel": "CNOBOT0001"}, MEMBER)
    assert "/invite" in reply.body["errors"]["channel"]
    assert count(engine, Playbook) == 0


def test_a_view_with_the_longest_id_and_hash_counts_once(bot, slack, engine):
    """The view's key fits seen_request.key (120 characters) whatever the lengths of
    the id and hash Slack sends: on PostgreSQL a longer one failed the submission."""
    view = {**open_new(bot, slack), "id": "V" * 255, "hash": "1" * 120 + "." + "f" * 134}
    state = {"values": state_of(view, NEW_VALUES)}
    replies = [
        bot.interaction(
            {
                "type": "view_submission",
                "user": {"id": MEMBER},
                "trigger_id": f"{click}.98765.abcd",
                "view": {**view, "state": state},
            }
        )
        for click in range(2)
    ]
    assert replies[0].status == 200 and replies[0].body["response_action"] == "update", replies[0].body
    assert replies[1].status == 200 and not replies[1].body
    assert count(engine, Playbook) == 1


def test_a_form_refused_on_a_channel_without_the_bot_counts_once_the_bot_is_invited(bot, slack, engine):
    """The check that the bot is in the channel asks Slack (conversations.info), a read:
    it must not record the view, or the same view sent again once the bot is invited
    is taken for a repeat and dropped without a word."""
    slack.add_channel("CNOBOT0002", [MEMBER])
    slack.workspace.not_in_channel.add("CNOBOT0002")
    send = _clicks_on_one_view(bot, slack)

    refused = send({**NEW_VALUES, "channel": "CNOBOT0002"})
    assert "/invite" in refused.body["errors"]["channel"] and count(engine, Playbook) == 0
    slack.workspace.not_in_channel.discard("CNOBOT0002")  # the person invites the bot
    made = send({**NEW_VALUES, "channel": "CNOBOT0002"})
    assert made.status == 200 and made.body and made.body["response_action"] == "update", made.body
    assert count(engine, Playbook) == 1


def test_a_view_sent_twice_over_socket_mode_makes_one_playbook(bot, slack, store, engine, database_url, clock):
    """Issue 66, item 15 under `rollout socket`: a Socket Mode request carries no
    signature and a view submission no event id, yet the view (id and hash) still counts
    once. The app is the one `rollout socket` runs, on the stand-in's Socket Mode server."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    view = {**open_new(bot, slack), **view_identity()}
    state = {"values": state_of(view, NEW_VALUES)}
    app = create_app(settings_for(database_url, slack, slack_app_token=slack.app_token), store, clock=clock)
    connection = SocketModeHandler(app, slack.app_token)
    connection.connect()
    try:
        assert slack.socket_mode.wait_for_connection(10)
        acks = []
        for click in range(2):
            payload = {
                "type": "view_submission",
                "team": {"id": TEAM_ID},
                "api_app_id": APP_ID,
                "user": {"id": MEMBER},
                "trigger_id": f"{click}.98765.abcd",
                "view": {**view, "state": state},
            }
            acks.append(slack.socket_mode.send("interactive", payload))
    finally:
        connection.close()
    assert acks[0] is not None and acks[0]["payload"]["response_action"] == "update", acks
    assert acks[1] is not None and not acks[1].get("payload"), acks
    assert count(engine, Playbook) == 1


def test_rollout_creators_curators_limits_new_to_curators(http_server, database_url, store, slack, clock, engine):
    mount, url = http_server
    app = create_app(settings_for(database_url, slack, rollout_creators="curators"), store, clock=clock)
    mount.app = make_asgi(app, store, clock)
    try:
        bot = SlackRequests(url)
        refused = bot.command("new", user=MEMBER)
        assert "Only curators create playbooks" in refused.text and not slack.opened_views
        committed(store).org.add_curator(MEMBER, ADMIN, clock())
        view = open_new(bot, slack)
        assert submit(bot, view, NEW_VALUES, MEMBER).body["response_action"] == "update"
    finally:
        mount.app = None


def test_views_open_errors_are_said(bot, slack):
    from bot.demo.standin.faults import Fault

    slack.fail_next("views.open", Fault(error="expired_trigger_id"))
    reply = bot.command("new")
    assert "expired_trigger_id" in reply.text and reply.body["response_type"] == "ephemeral"


def test_the_slack_stand_in_refuses_what_slack_refuses(slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token="xoxb-test-token", base_url=slack.url, retry_handlers=[])
    big = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="1.2.a", view=big)
    assert err.value.response["error"] == "invalid_arguments"
    small = {**big, "blocks": [{"type": "divider"}]}
    client.views_open(trigger_id="1.2.b", view=small)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="1.2.b", view=small)
    assert err.value.response["error"] == "exchanged_trigger_id"


# ---- edit ----


def open_edit(bot, slack, slug="support-replies", user=OWNER):
    reply = bot.command(f"edit {slug}", user=user)
    assert reply.status == 200 and not reply.body, reply.text
    view = slack.opened_views[-1]
    assert view["callback_id"] == "playbook_edit"
    return view


def test_edit_is_the_form_filled_in_and_a_change_is_one_revision(bot, slack, store, engine, playbook):
    view = open_edit(bot, slack)
    values = shown(view)
    assert values["title"] == "Support reply drafting" and values["target"] == "15"
    assert values["steps"] == "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned"
    assert "start" not in values
    decisions = count(engine, Decision)
    changed = {
        **values,
        "cap": "5%",
        "target": "12",
        "steps": values["steps"] + "\nverify: human-led",
    }
    reply = submit(bot, view, changed, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    assert count(engine, Decision) == decisions + 1
    with Session(engine) as s:
        row = s.exec(select(Decision).order_by(Decision.id.desc())).first()
    assert row.kind == "playbook-changed" and row.actor == OWNER
    assert "exception cap 10% → 5%" in row.summary
    assert "step verify added, human-led" in row.summary and "target 15 → 12 min" in row.summary
    state = store.playbooks.state("support-replies")
    assert state.playbook.exception_cap == 0.05 and state.playbook.kpi_target == 12
    assert [s.name for s in state.steps][-1] == "verify"
    # the history lists it
    assert "revised" in bot.command("history support-replies", user=OWNER).text

    # the same again: nothing changed, nothing recorded (the form opened anew)
    view = open_edit(bot, slack)
    again = submit(bot, view, shown(view), OWNER)
    assert "nothing changed" in json.dumps(again.body["view"])
    assert count(engine, Decision) == decisions + 1


def test_a_title_typed_with_a_mention_stays_text_in_history_beside_the_channel_the_bot_named(
    bot, slack, engine, playbook
):
    """Issue 66, item 13: a revision's summary holds the title as typed (`<@U…>`,
    CUSTOMER2024) and the team channels the bot wrote: only the channels become links."""
    slack.add_channel("CTEAM00002", [OWNER, "UROLLOUTBOT"])
    view = open_edit(bot, slack)
    title = "Replies <@UEVIL00001> for CUSTOMER2024"
    reply = submit(bot, view, {**shown(view), "title": title, "channel": "CTEAM00002"}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    history = json.dumps(bot.command("history support-replies", user=OWNER).body, ensure_ascii=False)
    assert "“Replies @UEVIL00001 for CUSTOMER2024”" in history, history  # the form keeps a mention as words
    for link in ("<@UEVIL00001>", "<#CUSTOMER2024>"):
        assert link not in history, link
    assert f"team channel <#{CHANNEL}> → <#CTEAM00002>" in history, history


def test_edit_keeps_what_it_does_not_show_and_modes_stay_with_rollout_mode(bot, slack, store, engine, playbook, clock):
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    inputs = ["ticket text", "customer profile", "policy constraints"]
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "inputs": inputs, "min_cases": 5})], "UTC", "test", clock())
    view = open_edit(bot, slack)
    values = shown(view)
    mode_changed = {**values, "steps": values["steps"].replace("send: ai-led", "send: collaborative")}
    reply = submit(bot, view, mode_changed, OWNER)
    assert "/rollout mode" in reply.body["errors"]["steps"]
    reply = submit(bot, view, {**values, "title": "Support replies"}, OWNER)
    assert reply.body["response_action"] == "update"
    definition = store.playbooks.state("support-replies").playbook.definition
    assert definition["title"] == "Support replies"
    assert definition["inputs"] == inputs and definition["rules"]["min_cases"] == 5  # kept


def test_edit_is_for_the_owner_or_a_curator(bot, slack, playbook):
    reply = bot.command("edit support-replies", user=MEMBER)
    assert "Only the owner" in reply.text
    assert "edit &lt;playbook&gt;" in bot.command("edit", user=OWNER).text


def test_a_second_edit_after_a_change_is_refused_naming_who(bot, slack, store, engine, playbook):
    first, second = open_edit(bot, slack), open_edit(bot, slack)
    values = shown(first)
    assert submit(bot, first, {**values, "target": "12"}, OWNER).body["response_action"] == "update"
    decisions = count(engine, Decision)
    reply = submit(bot, second, {**values, "target": "10"}, OWNER)
    assert "open the form again" in reply.body["errors"]["title"] and OWNER in reply.body["errors"]["title"]
    assert count(engine, Decision) == decisions
    assert store.playbooks.state("support-replies").playbook.kpi_target == 12


def test_the_stall_cards_refine_opens_the_edit_form_and_the_revision_names_the_stall(
    bot, slack, store, engine, playbook
):
    from cadence import keys

    value = keys.stall(playbook.playbook.id, 1)
    reply = bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": OWNER},
            "trigger_id": "77.1.stall",
            "container": {"type": "message", "channel_id": CHANNEL, "message_ts": "1.1"},
            "actions": [{"type": "button", "action_id": "stall_refine", "block_id": "stall", "value": value}],
        }
    )
    assert reply.status == 200
    view = slack.opened_views[-1]
    assert view["callback_id"] == "playbook_edit"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs[:3] == ["steps", "cap", "rubric"]  # opened at what Refine changes
    values = shown(view)
    reply = submit(bot, view, {**values, "rubric": "95%"}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    with Session(engine) as s:
        rows = list(s.exec(select(Decision).order_by(Decision.id.desc())).all())[:2]
    summaries = " ".join(r.summary for r in rows)
    assert "rubric threshold 90% → 95%" in summaries and "cycle 1 stalled" in summaries


def test_export_after_edits_loads_back_unchanged(bot, slack, store, engine, playbook, clock):
    from cadence.definition import parse_playbook
    from usecases import operator

    view = open_edit(bot, slack)
    submit(bot, view, {**shown(view), "cap": "7.5%"}, OWNER)
    exported = operator.export_yaml(store, ["support-replies"])
    assert yaml.safe_load(exported)["exception_cap"] == 0.075
    decisions = count(engine, Decision)
    [outcome] = loaded(store, [parse_playbook(yaml.safe_load(exported))], "UTC", actor="test", at=clock())
    assert outcome.action == "unchanged" and count(engine, Decision) == decisions


def test_an_adopted_playbook_changes_only_what_its_kit_allows_unless_a_curator_overrides(
    bot, slack, store, engine, clock
):
    import copy

    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES
    from tests.usecases.test_governance import CURATOR, CURATORS, wednesday

    loaded(store, [parse_playbook(copy.deepcopy(SUPPORT_REPLIES))], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel("CSALES0001", ["USALESOWN1"])
    for user in (OWNER, CURATOR, "USALESOWN1"):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    clock.set(wednesday(1))
    assert "v1" in bot.command("publish support-replies override sharing it early", user=CURATOR).text
    bot.command("adopt support-replies <#CSALES0001|sales> owner <@USALESOWN1>", user=CURATOR)
    [slug] = [s for s in store.playbooks.slugs() if s != "support-replies"]

    view = open_edit(bot, slack, slug, user="USALESOWN1")
    assert any(b.get("block_id") == "override" for b in view["blocks"])
    values = shown(view)
    decisions = count(engine, Decision)
    reply = submit(bot, view, {**values, "cap": "20%"}, "USALESOWN1")
    error = reply.body["errors"]["override"]
    assert "adopted from support-replies" in error and "baseline, target, timezone" in error
    reply = submit(bot, view, {**values, "cap": "20%", "override": "we said so"}, "USALESOWN1")
    assert "Only a curator" in reply.body["errors"]["override"]
    assert count(engine, Decision) == decisions
    # within may_change: the team's own target
    reply = submit(bot, view, {**values, "target": "12"}, "USALESOWN1")
    assert reply.body["response_action"] == "update", reply.body
    # past it, by a curator with a reason: recorded with the reason
    view = open_edit(bot, slack, slug, user=CURATOR)
    reply = submit(bot, view, {**shown(view), "cap": "5%", "override": "their volume is tiny"}, CURATOR)
    assert reply.body["response_action"] == "update", reply.body
    with Session(engine) as s:
        row = s.exec(select(Decision).order_by(Decision.id.desc())).first()
    assert "exception cap 10% → 5%" in row.summary and "their volume is tiny" in row.summary


def test_setup_time_is_measured_from_asked_to_the_first_nudge_and_the_first_closed_week(
    bot, slack, store, engine, clock
):
    from datetime import UTC, datetime

    from tests.conftest import Engine
    from usecases import setup_time

    assert submit(bot, open_new(bot, slack), NEW_VALUES, MEMBER).body["response_action"] == "update"
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin: the first nudge
    status = bot.command("status refund-triage", user=MEMBER).text
    assert "Set up: asked 2026-11-18; first nudge after 4.9 days, no week closed yet" in status
    world.run(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # week 1 closed
    shown = setup_time.overview(store, clock())
    assert shown["asked"] == 1 and shown["nudged"] == 1 and shown["closed"] == 1
    assert 4.9 <= shown["to_nudge"] < 5 and 12 <= shown["to_close"] < 12.2
    # a playbook loaded from a file was asked for by nobody in Slack: not counted
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="file:x.yaml", at=clock())
    assert setup_time.overview(store, clock())["asked"] == 1


def test_the_web_views_yaml_download_is_the_export(store, playbook):
    from types import SimpleNamespace

    from usecases import operator, playbook_form

    name, text = playbook_form.yaml_download(SimpleNamespace(store=store), "support-replies")
    assert name == "support-replies.yaml" and text == operator.export_yaml(store, ["support-replies"])
    assert playbook_form.yaml_download(SimpleNamespace(store=store), "nothing-here") is None


def test_a_form_submitted_unchanged_changes_nothing_whatever_its_numbers(bot, slack, store, engine, clock):
    """Every digit of a number, and the org's zone for a playbook without its own, survive
    the form: submitted as it opened, nothing is recorded."""
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    raw = {
        **SUPPORT_REPLIES,
        "kpi": {**SUPPORT_REPLIES["kpi"], "baseline": 1234567.5, "target": 0.000123},
        "exception_cap": 0.1234567,
        "guardrail": {"name": "Bounce rate", "unit": "%", "max": 5},
    }
    del raw["timezone"]
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    decisions = count(engine, Decision)
    view = open_edit(bot, slack)
    values = shown(view)
    assert values["baseline"] == "1234567.5" and values["cap"] == "12.34567%" and values["guardrail_bound"] == "max"
    reply = submit(bot, view, values, OWNER)
    assert "nothing changed" in json.dumps(reply.body["view"]), reply.body
    assert count(engine, Decision) == decisions


def test_the_form_stays_within_slacks_limits():
    """Block Kit's limits for a modal: a title of at most 24 characters, labels and hints
    of at most 2,000 and 150, every initial option one of its options."""
    from templates.playbook_form import playbook_form
    from usecases.playbook_form import FIELDS, FOCUS

    long = "x" * 80
    for slug, adopted, focus in ((None, None, ()), ("a" * 63, "b" * 63, FOCUS["refine"])):
        view = playbook_form(dict.fromkeys(FIELDS, ""), FIELDS, {"new": True}, [long] * 40, slug, adopted, focus)
        assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
        assert len(view["blocks"]) <= 100 and len(view["private_metadata"]) <= 3000
        ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        assert len(ids) == len(set(ids))
        for block in view["blocks"]:
            if block["type"] != "input":
                assert len(block.get("text", {}).get("text", "")) <= 3000
                continue
            assert len(block["label"]["text"]) <= 2000 and len(block.get("hint", {}).get("text", "")) <= 2000
            element = block["element"]
            if "initial_option" in element:
                assert element["initial_option"] in element["options"]
