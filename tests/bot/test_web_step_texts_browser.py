"""Issue 112, item 1: a step's prompt kept as text, edited twice (a file loaded with its
`--why`), shows on the playbook's web page in a real headless Chromium as difflib's diff:
each edit with its why, a line added and a line removed, and hostile text shown as
written, never run (no element, no script)."""

from datetime import timedelta

import pytest

from cadence.definition_load import parse_playbook
from storage.db import make_engine
from storage.store import Store
from usecases import operator

pytestmark = pytest.mark.slow  # a real browser and the whole demo: `bash tests/run -m "not slow"` leaves it out

FIRST = "You draft the reply.\nNever promise a refund.\nSign as the team."
HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
SECOND = f"You draft the reply.\nPromise a refund only under 500 EUR.\nSign as the team.\n{HOSTILE}"


def _revise(database, slug: str, text: str, why: str, at) -> None:
    store = Store(make_engine(f"sqlite:///{database}"))
    written = store.playbooks.state(slug).playbook.definition
    steps = [dict(s) for s in written["steps"]]
    steps[0]["prompt_text"] = text
    spec = parse_playbook({**written, "steps": steps})
    [outcome] = list(operator.load(store, [("prompts.yaml", [spec])], "UTC", at, why=why))
    assert outcome.refused is None, outcome


def test_a_prompt_s_edits_show_as_a_diff_with_their_why(browser, demo_site):
    base, result = demo_site
    at = result.ended_at - timedelta(hours=2)
    _revise(result.database, "support-replies", FIRST, "the first prompt, as the team wrote it", at)
    _revise(result.database, "support-replies", SECOND, "week 2's exceptions: refunds over 500 EUR promised", at)
    browser.get(base + "/web/playbooks/support-replies")
    assert browser.title != "owned"
    section = browser.find_element("id", "texts")
    assert section.text == "Prompts and rubrics as text"
    diffs = browser.find_elements("css selector", "pre.diff")
    assert len(diffs) == 2
    newest = diffs[0]
    # each line with its sign, after the words a screen reader says first ("added: ", "removed: ")
    added = [e.text.split("\n")[-1] for e in newest.find_elements("css selector", "ins")]
    removed = [e.text.split("\n")[-1] for e in newest.find_elements("css selector", "del")]
    assert all(e.text.startswith("added:") for e in newest.find_elements("css selector", "ins"))
    assert "+Promise a refund only under 500 EUR." in added and f"+{HOSTILE}" in added, added
    assert removed == ["-Never promise a refund."], removed
    captions = [f.text for f in browser.find_elements("css selector", "figure.diff figcaption")]
    assert "“week 2's exceptions: refunds over 500 EUR promised”" in captions[0], captions
    assert "“the first prompt, as the team wrote it”" in captions[1], captions
    assert browser.find_elements("css selector", "pre.diff script, pre.diff img, pre.text img") == []
