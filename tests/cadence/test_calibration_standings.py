"""A playbook's calibration standings from its runs and revisions as read, in batch
(cadence/calibration.py), pure."""

from cadence import calibration
from cadence.calibration import MISSING, STALE, Run, Standing, basis, since, standing
from tests.cadence.test_calibration_hold import AT, D, run_of


def test_revisions_are_wanted_after_the_earliest_run():
    assert since([run_of(revision=9), None, run_of(revision=4)]) == 4
    assert since([run_of(revision=None)]) == 0  # run before any revision: all of them
    assert since([None]) is None  # only marks: none wanted


def test_a_playbooks_standings_judge_each_step_on_the_revisions_after_its_own_run():
    changed = {**D, "steps": [D["steps"][0], D["steps"][1], {**D["steps"][2], "mode": "collaborative"}]}
    revisions = [(3, D, changed), (7, changed, D)]  # refunds changed and changed back
    latest = {"draft": (run_of(revision=8), False), "refunds": (Run(9, 10, basis(D, "refunds"), "U", AT, 2), False)}
    found = calibration.standings(D, ["draft", "send", "refunds"], latest, revisions, 0.9)
    assert set(found) == {"draft", "refunds"}  # no set declared for send
    assert found["draft"] == Standing(40, latest["draft"][0], True, 0.9)  # run after both revisions
    assert found["draft"] == standing(D, "draft", latest["draft"][0], False, 0.9)
    refunds = latest["refunds"][0]
    assert (found["refunds"].holds, found["refunds"].latest) == (STALE, refunds)  # ran before them
    assert found["refunds"] == standing(D, "refunds", refunds, False, 0.9, [(D, changed), (changed, D)])


def test_a_mark_after_the_run_or_no_run_at_all():
    found = calibration.standings(D, ["Draft", "refunds"], {"draft": (run_of(), True)}, [], 0.9)
    assert found["Draft"].holds == STALE  # by its name lowercased
    assert found["refunds"].holds == MISSING
