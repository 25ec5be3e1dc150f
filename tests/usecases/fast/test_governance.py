"""Mode governance's long run on the fakes, typed as people type it (tests/usecases/fast/
slash.py) and closed by the clock (tests/usecases/fast/ticking.py): two cycles on target
lead to publish by override and adoption; history says why a step was demoted. A proposal
approved by its button, through Slack, is tests/usecases/test_governance.py's."""

from __future__ import annotations

from cadence import cycle_decisions
from tests.fakes import CURATOR, MEMBER, FakeDirectory
from tests.usecases.fast.slash import publish_over, report_week, slash
from tests.usecases.fast.test_close_modes import CURATORS, close_of, wednesday, world


def test_two_cycles_on_target_lead_to_publish_and_adoption():
    """The KPI holds for two cycles, but nobody was asked to check in, no input contract is
    declared and no learning kept: "not yet ready", and a curator publishes by override.
    (tests/usecases/fast/test_replication.py follows a ready playbook.)"""
    services, clock = world()
    directory: FakeDirectory = services.directory
    for week in range(1, 9):
        # 3 of 4 weeks with a value, all on target: median 14, mean 12.97
        report_week(services, week, kpi={1: "14", 2: "10", 3: "14.9"}.get(week % 4))
        clock.run(close_of(week))
    assert [p for p in clock.store.held.governance.proposals.values() if p.kind == "scale"] == []
    [not_ready] = [m for m in clock.store.held.sent(CURATORS) if "not yet ready" in m.payload["text"]]
    body = str(not_ready.payload["blocks"])
    assert "2 cycles in a row hit the target" in body and "❌ Input contract: no inputs and no outputs declared" in body

    clock.clock.at = wednesday(9)
    assert "Only curators publish" in slash(services, "publish support-replies override x", MEMBER)
    assert "not yet ready" in slash(services, "publish support-replies", CURATOR)
    publish_over(services, "publish support-replies override the team asked to share it now")
    version = clock.store.registry.version("support-replies", None)
    assert (version.slug, version.version, version.scale_rule_held) == ("support-replies", 1, True)
    assert [r["hit"] for r in version.cycle_results] == [True, True]
    assert {s["name"]: s["mode"] for s in version.definition["steps"]}["draft"] == "collaborative"
    assert "support-replies v1 is in the registry" in clock.texts(CURATORS)

    registry = slash(services, "registry Support")
    # The registry's result is the statistic the replication verdict judges by: the median.
    assert "*support-replies v1*" in registry and "cycle 2 ✓ median 14 min (104% of the way)" in registry
    assert "12.97" not in registry
    directory.members["CSALES0001"] = frozenset(["USALESOWN1"])
    adopted = slash(services, "adopt support-replies@v1 <#CSALES0001|sales-team> owner <@USALESOWN1|sam>", CURATOR)
    assert "*support-replies-sales-team* now runs in <#CSALES0001>" in adopted
    new = clock.store.playbooks.state("support-replies-sales-team")
    assert (new.playbook.owner_id, new.playbook.channel_id, new.playbook.adopted_from_id) == (
        "USALESOWN1",
        "CSALES0001",
        version.id,
    )
    assert "adopted by support-replies-sales-team" in slash(services, "registry")
    assert "adopted from support-replies v1" in slash(services, "status support-replies-sales-team")
    assert "Registry: v1" in slash(services, "status support-replies")
    assert clock.texts("CSALES0001") == ["support-replies-sales-team adopted from support-replies v1"]
    assert "The registry has no v7" in slash(services, "adopt support-replies@v7 <#CSALES0001>", CURATOR)
    assert "Only curators" in slash(services, "adopt support-replies <#CSALES0001>", "UOWNER0001")
    again = slash(services, "adopt support-replies <#CSALES0001|sales-team>", CURATOR)
    assert "already runs support-replies-sales-team, adopted from support-replies" in again

    # Its second pilot replicated (the week close's decision row): verified, a wave opens (cadence/phases.py).
    pilot = clock.store.playbooks.state("support-replies-sales-team")
    clock.store.held.decide(
        [cycle_decisions.of_replication(pilot.playbook.id, wednesday(9).date(), 1, "replicated", {})], wednesday(9)
    )
    # Another team, in New York, with its own numbers and first Monday; the bot must be there.
    directory.members["CNYC000001"] = frozenset(["UNYCOWNER1"])
    directory.absent["CNYC000001"] = "not_in_channel"
    command = (
        "adopt support-replies <#CNYC000001|support-nyc> owner <@UNYCOWNER1|nia> baseline:50 target:20 "
        "tz:America/New_York start:2027-01-18"
    )
    refused = slash(services, command, CURATOR)
    assert "I'm not in <#CNYC000001>" in refused and "/invite @Rollout Cadence" in refused
    assert clock.store.playbooks.state("support-replies-support-nyc") is None
    del directory.absent["CNYC000001"]
    reply = slash(services, command, CURATOR)
    # its own baseline, typed at adopt, stands until its baseline week measures one (issue 81):
    # the week of `start:` is that week, and its first cycle starts the Monday after
    declared = "(declared until the baseline week measures it)"
    assert (
        f"baseline 50 min {declared}, target 20 min · exception cap 10% · rubric threshold 90% · America/New_York"
        in (reply)
    )
    assert "The baseline week starts on 2027-01-18" in reply and "first cycle starts on 2027-01-25" in reply
    nyc = clock.store.playbooks.state("support-replies-support-nyc")
    assert (nyc.playbook.timezone, nyc.playbook.kpi_baseline, nyc.playbook.kpi_target) == ("America/New_York", 50, 20)
    assert nyc.anchor is not None and nyc.anchor.starts_on.isoformat() == "2027-01-25"
    directory.members["CNYC000002"] = frozenset(["UNYCOWNER1"])
    backwards = slash(services, "adopt support-replies <#CNYC000002|x> baseline:20 target:25", CURATOR)
    assert "can't be adopted as it is" in backwards and "must be below the baseline" in backwards


def test_history_says_why_a_step_was_demoted():
    services, clock = world()
    report_week(services, 1)
    clock.run(close_of(1))
    report_week(services, 2, send=(20, 5))
    clock.run(close_of(2))
    text = slash(services, "history support-replies send", MEMBER)
    assert "History of support-replies · step send" in text
    assert "send: demotion (ai-led → collaborative); rule critical" in text
    assert "Exceptions 5/20 = 25% (cap 10%)" in text and "decided by the rule “critical”" in text
    assert ": FAIL (" not in text and ": PASS (" not in text  # weekly verdicts are status's
    one = slash(services, "history support-replies 1", MEMBER)
    assert one.count("decided by") == 1
    assert "Show between 1 and 25" in slash(services, "history support-replies 99")
    assert "has no step" in slash(services, "history support-replies nope")
