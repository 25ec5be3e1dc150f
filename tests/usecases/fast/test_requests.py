"""Requests to adopt (usecases/shared/requests.py, usecases/requests.py) on the fakes: one
card to the curators; Approve runs the same adopt (the requester its owner, the champion,
the team's numbers), its card updated in the adoption's Change; a refusal is drawn on the
card only while the request is pending; Decline tells the requester and the champion;
one pending request a channel and version, also when two arrive at once; a champion who
is a bot or unknown refused before anything is stored; the web view's registry listing
each version's requests."""

from __future__ import annotations

import secrets

from starlette.testclient import TestClient

from handlers import replies
from handlers.web_view import make_web_view
from slack_api.members import Person
from tests.committed import committed
from tests.fakes import CURATOR, NOW, OWNER
from tests.fakes.registry import FakeRegistry
from tests.usecases.fast.registry_world import (
    CHAMPION,
    CURATORS,
    KIT,
    OPS,
    OPS_OWNER,
    SALES,
    SALES_OWNER,
    keys_to,
    published,
    refusal,
    replicated,
    said,
    summaries,
    text,
)
from usecases import commands
from usecases import requests as buttons
from usecases.shared import requests
from usecases.shared.messages import Registry, RequestAdoption

WHY = "We answer the same refund tickets"


def ask(made, channel=SALES, name="sales", by=SALES_OWNER, champion=CHAMPION, **more):
    cmd = RequestAdoption("support-replies", None, channel, name, champion, why=WHY, **more)
    return commands.request(made.caller(by), cmd)[0]


def card_of(made, request):
    """The card as it stands: the last message under the request's card key."""
    return [m for m in made.sent(CURATORS) if m.key.startswith(request.card_key)][-1]


def test_a_request_is_one_card_with_its_answers_and_a_decision_on_the_origin():
    made = published(replication=KIT, adoption_wave=1)
    request = ask(made, similar="Same refund tickets", baseline=40.0)
    assert (request.status, request.requester_id, request.champion_id) == ("pending", SALES_OWNER, CHAMPION)
    assert request.answers == {"why": WHY, "similar": "Same refund tickets", "baseline": 40.0}
    assert summaries(made.change) == [("adoption-requested", "#sales asked to adopt support-replies v1.")]
    assert made.change.decisions[0].playbook_id == made.origin.playbook.id
    [card] = made.change.messages
    assert (card.key, card.channel) == (request.card_key, CURATORS)
    shown = text(card)
    assert "Requested by <@USALESOWN1>, who would own it; champion <@UCHAMPION1>" in shown
    assert f"*Why:* {WHY}" in shown and "baseline 40" in shown and "*Similar workflow:* Same refund tickets" in shown
    assert "*Wave:* wave 1: 0 of 1 teams; wave 2 opens when one replicates" in shown
    assert "request_approve" in shown and "request_decline" in shown


def test_one_pending_request_a_channel_and_version():
    made = published()
    ask(made)
    shown = said(lambda: ask(made, by=CHAMPION))
    assert f"<#{SALES}> already asked for support-replies v1: <@{SALES_OWNER}>'s request of 2026-03-11" in shown
    assert len(made.changes) == 3  # the request to publish over readiness, the publication's and the first request's


def test_a_request_made_a_moment_ago_refuses_the_second_and_writes_nothing_of_it(monkeypatch):
    """Both past the check at once: the registry keeps one (RequestPending)."""
    made = published()
    cmd = RequestAdoption("support-replies", None, SALES, "sales", CHAMPION, similar="Same")
    checked = requests.check(made.store, cmd)
    requests.submit(made.store, cmd, SALES_OWNER, NOW)
    monkeypatch.setattr(requests, "check", lambda *_: checked)  # the second saw no request either
    assert refusal(lambda: requests.submit(made.store, cmd, SALES_OWNER, NOW)).key == "request_pending"
    assert [r.status for r in made.store.registry.requests([made.version().id])] == ["pending"]
    assert [summaries(c) for c in made.changes[2:]] == [
        [("adoption-requested", "#sales asked to adopt support-replies v1.")]
    ]
    assert len([m for m in made.sent() if m.key.startswith("request:")]) == 1


def test_refused_before_anything_is_stored():
    made = published(replication={"may_change": ["baseline", "target"]}, curators_channel=None)
    assert refusal(lambda: ask(made, exception_cap=0.2)).key == "adopt_not_allowed"
    assert "No curators channel is set, so no one would see the request." in said(lambda: ask(made))
    assert made.store.registry.requests([made.version().id]) == [] and len(made.changes) == 2


def test_approve_is_the_same_adopt_with_the_requester_as_owner():
    made = published(replication=KIT)
    request = ask(made, baseline=40.0)
    assert refusal(lambda: buttons.approve(made.caller(SALES_OWNER), str(request.id))).key == "curators_decide_requests"
    buttons.approve(made.caller(CURATOR), str(request.id))
    state = made.state("support-replies-sales")
    assert (state.playbook.owner_id, state.playbook.champion_id, state.playbook.kpi_baseline) == (
        SALES_OWNER,
        CHAMPION,
        40,
    )
    approved = made.store.registry.request(request.id)
    assert (approved.status, approved.decided_by, approved.adopted_slug) == (
        "approved",
        CURATOR,
        "support-replies-sales",
    )
    assert [k for k, _ in summaries(made.change)] == ["adopted", "adopted-by", "champion-named", "request-approved"]
    assert summaries(made.change)[-1] == ("request-approved", "#sales's request to adopt support-replies v1 approved.")
    [card] = [m for m in made.change.messages if m.method == "chat.update"]
    assert card.payload["ts_of"] == request.card_key and card.channel == CURATORS
    assert "Approved by <@UCURATOR01>: *support-replies-sales* now runs in <#CSALES0001>" in text(card)
    assert "request_approve" not in text(card)
    assert any("Your checklist as champion" in text(m) for m in made.change.messages if m.channel == CHAMPION)
    assert made.sent()[-1].method == "views.publish"  # the curator's Home tab, redrawn
    assert "approved already" in said(lambda: buttons.approve(made.caller(CURATOR), str(request.id)))


def test_a_refusal_on_approve_is_drawn_on_the_card_which_stays_pending():
    made = published()
    request = ask(made)
    made.services.directory.absent[SALES] = "not_in_channel"
    assert refusal(lambda: buttons.approve(made.caller(CURATOR), str(request.id))).key == "adopt_bot_not_in_channel"
    card = card_of(made, request)
    assert card.method == "chat.update" and "I'm not in <#CSALES0001>" in text(card) and "request_approve" in text(card)
    assert made.state("support-replies-sales") is None
    assert made.store.registry.request(request.id).status == "pending"


def test_past_the_wave_the_card_offers_an_override_that_adopts_with_a_reason():
    made = published(adoption_wave=1)
    buttons.approve(made.caller(CURATOR), str(ask(made).id))
    replicated(made, "support-replies-sales")  # verified: its wave, not its phase, waits
    ops = ask(made, OPS, "ops", OPS_OWNER, OPS_OWNER)
    assert refusal(lambda: buttons.approve(made.caller(CURATOR), str(ops.id))).key == "adopt_wave"
    card = text(card_of(made, ops))
    assert "runs in its wave 1 already: support-replies-sales (replicated)" in card
    assert "request_override" in card
    assert made.state("support-replies-ops") is None
    assert buttons.reason_form(made.caller(CURATOR), str(ops.id)).slug == "support-replies"
    buttons.approve(made.caller(CURATOR), str(ops.id), override="Ops runs the same queue")
    assert made.state("support-replies-ops").playbook.owner_id == OPS_OWNER
    assert "wave-overridden" in [k for k, _ in summaries(made.change)]


def test_an_approval_that_loses_to_another_is_refused_and_draws_nothing(monkeypatch):
    made = published()
    request = ask(made)
    seen = made.store.registry.request(request.id)
    buttons.approve(made.caller(CURATOR), str(request.id))
    replicated(made, "support-replies-sales")  # verified: its phase lets the second approval through
    drawn = list(made.sent())
    monkeypatch.setattr(
        requests, "pending", lambda store, request_id, by, admins=frozenset(): (seen, made.version())
    )  # read before
    # It saw the other's adoption: refused, and the approved card is not drawn over.
    assert refusal(lambda: requests.approve(made.store, request.id, CURATOR, NOW, "UTC", None)).key == "adopt_twice"
    # It saw none: the registry finds the request decided (RequestDecided), and says so.
    monkeypatch.setattr(FakeRegistry, "adoption_in", lambda self, channel_id, origin_id: None)
    assert refusal(lambda: requests.approve(made.store, request.id, CURATOR, NOW, "UTC", None)).key == (
        "request_decided_now"
    )
    assert made.sent() == drawn and len(made.store.registry.adopters([made.version().id])) == 1


def test_a_refusal_is_drawn_on_the_card_only_while_the_request_is_pending():
    """Two curators at once: one approval commits while the other's refusal, read while
    the request was pending, is about to be drawn: it is not drawn over the approved card."""
    from cadence.change import Message

    made = published()
    request = ask(made)
    refused = Message("card-refusal-1", "chat.update", CURATORS, {"text": "refused"})
    assert requests.redraw_card(made.store, request.id, refused, NOW)  # pending: drawn
    requests.approve(made.store, request.id, CURATOR, NOW, "UTC", None)
    late = Message("card-refusal-2", "chat.update", CURATORS, {"text": "refused"})
    assert not requests.redraw_card(made.store, request.id, late, NOW)  # approved meanwhile: not drawn
    assert [m.key for m in made.sent() if m.key.startswith("card-refusal-")] == ["card-refusal-1"]


def test_decline_tells_the_requester_and_the_champion_and_the_team_may_ask_again():
    made = published()
    request = ask(made)
    reason = "Wait until support-replies has replicated once"
    assert refusal(lambda: buttons.decline(made.caller(OWNER), str(request.id), reason)).key == (
        "curators_decide_requests"
    )
    buttons.decline(made.caller(CURATOR), str(request.id), reason)
    assert summaries(made.change) == [("request-declined", "#sales's request to adopt support-replies v1 declined.")]
    told = f"<@{CURATOR}> declined the request to adopt *support-replies v1* in <#{SALES}>: “{reason}”"
    for person in (SALES_OWNER, CHAMPION):
        [dm] = [m for m in made.change.messages if m.channel == person]
        assert told in text(dm)
    [card] = [m for m in made.change.messages if m.method == "chat.update"]
    assert "Declined by <@UCURATOR01>: “Wait until" in text(card) and "request_decline" not in text(card)
    declined = made.store.registry.request(request.id)
    assert (declined.status, declined.decided_by, declined.reason) == ("declined", CURATOR, reason)
    assert "declined already" in said(lambda: buttons.decline(made.caller(CURATOR), str(request.id), "twice"))
    cmd = Registry(None)
    listed = replies.registry(made.caller(OWNER), cmd, commands.registry_entries(made.caller(OWNER), cmd))
    assert f"declined by <@{CURATOR}>: “Wait until" in text(listed)  # `/rollout registry`
    assert ask(made).status == "pending"  # declined: the team may ask again


def test_a_decline_that_loses_to_another_decision_is_refused(monkeypatch):
    made = published()
    request = ask(made)
    seen = made.store.registry.request(request.id)
    buttons.approve(made.caller(CURATOR), str(request.id))
    monkeypatch.setattr(requests, "pending", lambda store, request_id, by, admins=frozenset(): (seen, made.version()))
    before = list(made.changes)
    assert refusal(lambda: requests.decline(made.store, request.id, CURATOR, "no", NOW)).key == "request_decided_now"
    assert made.changes == before


def test_the_registry_lists_each_versions_requests_pending_first():
    from usecases.shared import registry_list

    made = published()
    ask(made)
    ops = ask(made, OPS, "ops", OPS_OWNER, OPS_OWNER)
    buttons.decline(made.caller(CURATOR), str(ops.id), "Not this quarter")
    [entry] = registry_list.entries(made.store, None)
    assert [(r["channel"], r["status"], r["why"], r["reason"]) for r in entry["requests"]] == [
        (SALES, "pending", WHY, None),
        (OPS, "declined", WHY, "Not this quarter"),
    ]
    assert keys_to(made.change)[0][1] == CURATORS


def test_a_request_whose_target_asks_less_than_the_origin_reached_is_told_and_goes():
    """Moved from test_replicate_share.py: the origin's version is published after a
    completed cycle whose mean 15 is (15 - 42) / 42 = -64% of its baseline; a team asking
    with baseline 40 and target 30 (-25%) is told on its form's answer and on the
    curators' card, and its request goes."""
    from datetime import date

    from cadence import cycle_rules
    from cadence.change import Change, NewCycleResult
    from templates import render
    from tests.usecases.fast.registry_world import publish, world

    made = world(scale_after_cycles=1)  # the rule held: the version keeps its origin change
    result = cycle_rules.CycleResult(1, 4, 15.0, 15.0, "down", True, 4)
    committed(made.store).governance.apply(
        Change(cycle_results=[NewCycleResult(made.origin.playbook.id, date(2026, 2, 2), result)]), NOW
    )
    publish(made, override="after one cycle")
    cmd = RequestAdoption("support-replies", None, SALES, "sales", CHAMPION, why=WHY, baseline=40.0, target=30.0)
    request, version, asked = commands.request(made.caller(SALES_OWNER), cmd)
    assert request.status == "pending"
    sent = render(
        "modal_request_sent", slug=version.slug, version=version.version, channel=SALES, champion=CHAMPION, ask=asked
    )
    assert "Asked the curators to adopt *support-replies v1*" in text(sent)
    assert "Your target asks −25% where the origin reached −64%: you may hit it and still not replicate" in text(sent)
    card = text(card_of(made, request))
    assert "The team's target asks −25% where the origin reached −64%: it may hit it and still not replicate" in card


def test_a_champion_who_is_no_active_person_is_refused_before_anything_is_stored():
    made = published()
    directory = made.services.directory
    directory.known["UROBOT0001"] = Person("UROBOT0001", "UTC", is_bot=True)
    directory.known["UNOBODY001"] = Person("UNOBODY001", "UTC", found=False)
    for champion, words in (
        ("UROBOT0001", "<@UROBOT0001> is a bot or an app, not a person: only a person can be its champion."),
        ("UNOBODY001", "Slack knows no user UNOBODY001 in this workspace, so they can't be its champion."),
    ):
        assert words in said(lambda champion=champion: ask(made, champion=champion))
    assert made.store.registry.requests([made.version().id]) == [] and len(made.changes) == 2


def test_the_web_views_registry_lists_each_versions_requests():
    """The web view's registry (served in process as the demo serves it): each request with
    its channel, requester, champion, why and outcome, a reason escaped."""
    made = published()
    ask(made)
    ops = ask(made, OPS, "ops", OPS_OWNER, OPS_OWNER, similar="Ops too")
    buttons.decline(made.caller(CURATOR), str(ops.id), "Not <b>this</b> quarter")
    web = TestClient(make_web_view(made.services, secrets.token_hex(16), secure=False, signed_in_as=OWNER))
    page = web.get("/registry")
    assert page.status_code == 200 and "<h3>Requests to adopt</h3>" in page.text
    assert (
        f'<td data-label="Channel">{SALES}</td><td data-label="By">{SALES_OWNER}</td>'
        f'<td data-label="Champion">{CHAMPION}</td><td class="says" data-label="Why">{WHY}</td>'
        f'<td class="says" data-label="Outcome">waiting</td>' in page.text
    )
    assert f"declined by {CURATOR}: “Not &lt;b&gt;this&lt;/b&gt; quarter”" in page.text


def test_an_approved_request_into_a_full_team_is_refused_naming_its_load_unless_overridden():
    """A team's load (issue 97, item 4): Approve runs the same adopt, so the same check."""
    from tests.fakes import a_playbook

    made = published(team_load_max={"playbooks": 1})
    running = a_playbook("ops-desk", channel=OPS, owner=OPS_OWNER)
    made.store.held.states[running.playbook.slug] = running
    ops = ask(made, OPS, "ops", OPS_OWNER, OPS_OWNER)
    before = len(made.store.held.decisions)
    refused = refusal(lambda: buttons.approve(made.caller(CURATOR), str(ops.id)))
    assert refused.key == "adopt_load" and "1 active playbook (max 1)" in said(
        lambda: buttons.approve(made.caller(CURATOR), str(ops.id))
    )
    assert made.state("support-replies-ops") is None and len(made.store.held.decisions) == before
    buttons.approve(made.caller(CURATOR), str(ops.id), override="Ops asked for it")
    assert made.state("support-replies-ops") is not None
    assert "load-overridden" in [k for k, _ in summaries(made.change)]
