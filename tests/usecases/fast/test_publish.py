"""Publishing a playbook to the registry (usecases/shared/registry.py) on the fakes: curators
only, refused while not ready unless overridden, version N+1 with the playbook's modes now
and its learnings, one decision and its messages as one Change; a "ready to scale"
proposal's Publish settles it; a number taken meanwhile is refused."""

from __future__ import annotations

from datetime import date, timedelta

from cadence import cycle_rules
from cadence.change import Change, ModeChange, NewCycleResult, NewProposal
from tests.committed import committed
from tests.fakes import ADMIN, CURATOR, MEMBER, NOW, OWNER
from tests.usecases.fast.registry_world import (
    CURATORS,
    SALES,
    adopt,
    keys_to,
    publish,
    published,
    refusal,
    said,
    summaries,
    text,
    world,
)
from usecases.shared import readiness, registry, registry_list


def test_only_curators_publish():
    made = world()
    assert refusal(lambda: publish(made, by=OWNER)).key == "curators_publish"
    assert made.store.registry.versions() == [] and made.changes == []


def test_a_playbook_whose_scale_rule_never_held_is_refused_naming_it_and_nothing_written():
    made = world()
    shown = said(lambda: publish(made, override=None))
    assert (
        "support-replies's scale rule never held (the KPI target hit in 2 cycles in a row, 3 of 4 weeks each)" in shown
    )
    assert "no cycle closed yet" in shown and "override &lt;reason&gt;" in shown
    assert made.store.registry.versions() == [] and made.changes == [] and made.sent() == []


def test_not_ready_is_refused_with_what_is_missing_and_nothing_written():
    from datetime import date

    from cadence import cycle_rules
    from cadence.change import NewCycleResult

    made = world(scale_after_cycles=1)
    result = cycle_rules.CycleResult(1, 4, 15.0, 15.0, "down", True, 4)  # the rule held: readiness is next
    committed(made.store).governance.apply(
        Change(cycle_results=[NewCycleResult(made.origin.playbook.id, date(2026, 2, 2), result)]), NOW
    )
    shown = said(lambda: publish(made, override=None))
    assert "*support-replies* is not yet ready to scale" in shown and "❌ Attestation" in shown
    assert made.store.registry.versions() == [] and made.changes[1:] == [] and made.sent() == []


def test_a_version_published_by_override_says_so_where_listed_and_has_no_origin_change():
    from cadence.definition import read_spec
    from usecases.shared import registry_list
    from usecases.shared.close.replication import origin_change

    made = world()
    announcement = text(publish(made, override="the <pilot> team wants it"))
    assert "Published by override: the KPI was not sustained — the &lt;pilot&gt; team wants it" in announcement
    version = made.version()
    kpi = read_spec(version.definition).kpi
    assert version.override_reason == "the <pilot> team wants it" and origin_change(version, kpi) is None
    [entry] = registry_list.entries(made.store, None)
    assert entry["override"] == "the <pilot> team wants it"


def test_published_over_what_is_missing_as_one_decision_and_its_messages():
    made = world()
    pid = made.origin.playbook.id
    step = made.origin.steps[0]
    committed(made.store).governance.apply(
        Change(mode_changes=[ModeChange(step.id, step.mode, "ai-led", cleared=True)]), NOW
    )
    committed(made.store).learnings.add(pid, 1, "Quote the refund policy", OWNER, NOW - timedelta(days=2))
    announcement = publish(made)
    assert "support-replies v1" in text(announcement)
    version = made.version()
    # over readiness: published by the second person's click (an admin: the workspace's one curator asked)
    assert (version.version, version.published_by, version.scale_rule_held) == (1, ADMIN, False)
    assert version.over_readiness is not None and version.over_readiness["asked_by"] == CURATOR
    assert version.definition["steps"][0] == {
        "name": "draft",
        "mode": "ai-led",
        "pinned": False,
        "rubric": None,
    }  # its mode now
    assert [x["text"] for x in version.learnings] == ["Quote the refund policy"]
    [(kind, summary)] = summaries(made.change)
    assert kind == "publish" and summary.startswith("support-replies v1 published over ")
    assert summary.endswith("missing: sharing it early")
    [decision] = made.change.decisions
    assert decision.figures["override"] == "sharing it early" and decision.figures["missing"]
    *told, (card, channel) = keys_to(made.change)  # and the request's card, redrawn published
    assert told == [
        (f"publish:{pid}:v1#team", made.origin.playbook.channel_id),
        (f"publish:{pid}:v1#curators", CURATORS),
    ]
    assert card.startswith("publish-request:") and ":published:" in card and channel == CURATORS
    assert made.sent()[-len(made.change.messages) :] == made.change.messages  # after the request's card
    publish(made)
    assert made.version().version == 2 and summaries(made.change)[0][1].startswith("support-replies v2 published")


def test_without_a_curators_channel_the_team_hears_it():
    made = world(curators_channel=None)
    publish(made)
    # the request's card (redrawn published) and the announcement: the team's channel only
    assert {channel for _, channel in keys_to(made.change)} == {made.origin.playbook.channel_id}


def test_a_newer_version_is_offered_to_the_adopters_of_earlier_ones():
    made = published(replication={"may_change": ["baseline", "target", "timezone", "exception_cap"]})
    adopt(made, baseline=40.0)
    adopter = made.state("support-replies-sales")
    publish(made)
    offers = [(key, channel) for key, channel in keys_to(made.change) if "newer" in key]
    assert [channel for _, channel in offers] == [SALES, adopter.playbook.owner_id]
    [team] = [m for m in made.change.messages if m.channel == SALES]
    assert "support-replies-sales" in text(team) and "upgrade_now" in text(team)


def ready(made):
    """Readiness's criteria as a proposal keeps them, every one met."""
    judged = readiness.as_figures(readiness.criteria(made.store, made.origin, []))
    return [{**c, "met": True} for c in judged]


def test_a_ready_to_scale_proposals_publish_settles_it():
    made = world()
    pid = made.origin.playbook.id
    figures = {"cycle": 2, "results": [], "criteria": ready(made)}
    for cycle in (1, 2):
        result = cycle_rules.CycleResult(cycle, 4, 14.0, 15.0, "down", True, 4)
        start = date(2026, 1, 5) + timedelta(days=28 * (cycle - 1))
        committed(made.store).governance.apply(Change(cycle_results=[NewCycleResult(pid, start, result)]), NOW)
    scale = NewProposal("scale:support-replies:2", "scale", pid, date(2026, 2, 2), figures=figures)
    committed(made.store).governance.apply(Change(new_proposals=[scale]), NOW)

    registry.publish_from_proposal(made.store, scale.key, CURATOR, NOW)
    proposal = made.store.governance.proposal(scale.key)
    assert (proposal.status, proposal.decided_by) == ("published", CURATOR)
    version = made.version()
    assert version.scale_rule_held and [r["cycle"] for r in version.cycle_results] == [1, 2]
    [updated] = [m for m in made.change.messages if m.method == "chat.update"]
    assert updated.channel == CURATORS and updated.payload["ts_of"] == f"{scale.key}#curators"
    assert summaries(made.change)[0][1] == "support-replies v1 published"  # the rule held: no override
    assert refusal(lambda: registry.publish_from_proposal(made.store, scale.key, CURATOR, NOW)).key == "scale_decided"
    assert (
        refusal(lambda: registry.publish_from_proposal(made.store, "nothing", CURATOR, NOW)).key == "proposal_unknown"
    )


def test_by_command_it_settles_the_open_proposal_too():
    made = world()
    pid = made.origin.playbook.id
    figures = {"cycle": 2, "results": [], "criteria": ready(made)}
    scale = NewProposal("scale:x", "scale", pid, date(2026, 2, 2), figures=figures)
    committed(made.store).governance.apply(Change(new_proposals=[scale]), NOW)
    publish(made, override=None)  # an open proposal: the rule held when it was made
    assert made.store.governance.proposal("scale:x").status == "published"


def test_a_number_taken_a_moment_ago_is_refused(monkeypatch):
    made = published()
    monkeypatch.setattr(type(made.store.registry), "next_version", lambda self, pid: 1)  # read before v1 was
    before = list(made.changes)
    shown = refusal(lambda: publish(made))
    assert shown.key == "publish_race" and "version 1 was published by someone else" in str(shown.values["problem"])
    # only the request to publish over readiness was written (its card), no version
    assert made.changes[: len(before)] == before and len(made.store.registry.versions()) == 1
    assert [d.kind for c in made.changes[len(before) :] for d in c.decisions] == ["publish-requested"]


def test_the_registry_lists_versions_with_their_adopters_and_requests():
    made = published()
    adopt(made)
    [entry] = registry_list.entries(made.store, None)
    assert (entry["slug"], entry["version"], entry["function"]) == ("support-replies", 1, "Support")
    assert [(a["slug"], a["status"]) for a in entry["adopters"]] == [("support-replies-sales", "draft")]
    assert entry["wave"]["number"] == 1 and entry["requests"] == []
    assert registry_list.entries(made.store, "sales") == [] and len(registry_list.entries(made.store, "SUPPORT")) == 1
    assert MEMBER  # anyone lists the registry


def test_silence_is_never_a_pass_publish_names_what_is_not_declared():
    """Issue 81: a bare input and unnamed operational owners are ❌, naming what is missing;
    an input declared `check: none` shows its reason; no "n/a" anywhere."""
    declared = {"name": "ticket text", "check": "none", "reason": "typed by the customer"}
    made = world(inputs=["ticket history", declared], outputs=["reply"])
    shown = said(lambda: publish(made, override=None))
    assert "❌ Input contract: ticket history: no owner, refresh or when-missing; ticket text: no owner" in shown
    assert "❌ Ownership: no business rules owner named; no model updates owner named" in shown
    assert "ticket history: no check or check: none, ticket text: none: typed by the customer" in shown
    assert "n/a" not in shown and made.changes == []
    owned = world(owners={"business_rules": OWNER, "model_updates": OWNER})
    assert "no business rules owner named" not in said(lambda: publish(owned, override=None))


def test_a_newer_version_of_a_playbook_whose_number_moved_once_needs_no_override_of_the_rule():
    from datetime import date

    from cadence import cycle_rules
    from cadence.change import NewCycleResult

    made = world(scale_after_cycles=1)
    result = cycle_rules.CycleResult(1, 4, 15.0, 15.0, "down", True, 4)
    committed(made.store).governance.apply(
        Change(cycle_results=[NewCycleResult(made.origin.playbook.id, date(2026, 2, 2), result)]), NOW
    )
    publish(made, override="readiness later")  # v1: the rule held
    publish(made, override="readiness later")  # v2: no cycle since, but the rule held once
    v1, v2 = made.version(1), made.version(2)
    assert (v1.scale_rule_held, v1.override_reason) == (True, None)
    assert (v2.scale_rule_held, v2.override_reason) == (False, None)


def test_publishing_over_a_scale_rule_that_never_held_is_a_second_persons_decision():
    """Issue 109, item 5: one curator's `override` published a version whose KPI was never
    sustained. Now it is a request on the curators' card, naming the rule; the asker (and
    the owner) may not decide it; another's click publishes it, saying so where listed."""
    from usecases import commands, publish_over
    from usecases.shared import messages

    made = world()
    commands.publish(made.caller(CURATOR), messages.Publish("support-replies", override="the pilot team wants it"))
    assert made.store.registry.versions() == []
    [request] = [r for r in made.store.held.publish_requests.values() if r.state == "open"]
    assert request.criteria[0] == {"name": "scale_rule", "met": False, "rule": request.criteria[0]["rule"]}
    assert "scale rule never held" in str(made.sent(CURATORS))
    assert refusal(lambda: publish_over.approve(made.caller(CURATOR), str(request.id))).key == "publish_own_request"
    assert refusal(lambda: publish_over.approve(made.caller(OWNER), str(request.id))).key == "publish_owner_decides"
    announcement = text(publish_over.approve(made.caller(ADMIN), str(request.id)))
    assert "Published by override: the KPI was not sustained — the pilot team wants it" in announcement
    assert [v.version for v in made.store.registry.versions()] == [1]
