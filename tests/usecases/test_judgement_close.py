"""`judgement: confident` end to end (docs/judgement.md): a playbook file loaded as the
command line loads it keeps the setting and `rubric: none`; SQLite and PostgreSQL. A
confident playbook waiting for evidence, and an adopting team's first cycle, are
tests/usecases/fast/test_judgement_close.py's."""

from datetime import date

import pytest
import yaml

from cadence.definition_load import parse_playbook
from tests.conftest import OWNER, SUPPORT_REPLIES, SUPPORT_REPLIES_NO_SET
from usecases.shared.life import begin_cycle


@pytest.fixture
def playbook(store, clock):
    """support-replies as a file that opts into confident verdicts and says `send` has no
    rubric by design; loaded by the command line's use case, cycle 1 from 2026-11-16."""
    from usecases import operator

    steps = [{**s, "rubric": "none"} if s["name"] == "send" else s for s in SUPPORT_REPLIES_NO_SET["steps"]]
    text = yaml.safe_dump({**SUPPORT_REPLIES, "steps": steps, "judgement": "confident"})
    list(operator.load(store, [("confident.yaml", [parse_playbook(yaml.safe_load(text))])], "UTC", clock()))
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def test_the_setting_and_rubric_none_are_stored_with_the_playbook(playbook, store):
    state = store.playbooks.state("support-replies")
    assert state.settings.judgement == "confident"
    assert [s.get("rubric") for s in state.playbook.definition["steps"]] == [None, "none", None]
