"""The owners told once what readiness now misses (issue 81). The readiness rules changed
(three states, evidence needs cases, the input contract's fields, input checks 7 weeks in
8, operational owners named); no closed week's verdict changes, and the next evaluation
uses them. Each playbook running at the upgrade owes its owner one DM (migration 0063,
`readiness_notice`): the clock judges its readiness as `/rollout publish` would now
(usecases/shared/publish_criteria.py, criteria_now, asked afresh, not an open proposal's kept
criteria) and, if a criterion is ❌, DMs the owner those lines; none ❌, nothing is said.
The DM's record (its key, usecases/shared/work.py) and the debt's deletion go in one unit
of work, so a restart or two clocks tell each owner once.

A paused playbook's debt waits until it is active again (a paused playbook's clock sends
nothing); a retired one's is cleared unsaid. An owner Slack calls deactivated is skipped
with that said in the record, as the clock's other owner DMs (usecases/clock/reach.py,
owners_to_reach); the curators were told of them (usecases/people.py)."""

from __future__ import annotations

from datetime import datetime

from cadence import keys
from cadence.change import Message
from cadence.state import PlaybookState
from storage.cadence_log import Work
from storage.store import Store
from templates import notices_registry
from usecases.shared import publish_criteria
from usecases.shared import work as work_log
from usecases.tick_reads import TickReport

KIND = "readiness-news"


def tell_once(store: Store, owed: list[int], at: datetime, recorded_at: datetime, report: TickReport) -> None:
    """The tick's part: the notice of each playbook `owed` one (the tick's reads,
    usecases/tick_reads.py), sent or settled in one unit of work, added to `report`."""
    if not owed:
        return
    states = store.playbooks.states_by_ids(owed)
    settled = [pid for pid in owed if pid not in states or states[pid].playbook.status not in ("active", "paused")]
    running = [states[pid] for pid in owed if pid in states and states[pid].playbook.status == "active"]
    work = notices(store, running, at)
    with store.unit_of_work() as uow:
        recorded = work_log.claim(uow, work, recorded_at)
        # recorded now or by another clock before: either way the debt is paid
        uow.cadence_log.readiness_told(settled + [state.playbook.id for state in running])
        uow.commit()
    report.add(work, recorded)


def notices(store: Store, states: list[PlaybookState], at: datetime) -> list[Work]:
    """Each of these playbooks' notice: its owner's DM of the criteria now ❌, skipped when
    none is or the owner is deactivated in Slack."""
    if not states:
        return []
    judged = publish_criteria.criteria_now(store, states, at, settled={state.playbook.id: None for state in states})
    gone = store.people.deactivated(sorted({state.playbook.owner_id for state in states}))
    work = []
    for state in states:
        playbook = state.playbook
        key = keys.readiness_news(playbook.id)
        criteria = judged[playbook.id]
        if all(c["met"] for c in criteria):
            work.append(Work(key, KIND, at, "skipped", playbook.id, note="nothing missing under the new rules"))
        elif playbook.owner_id in gone:
            work.append(Work(key, KIND, at, "skipped", playbook.id, note="the owner is deactivated in Slack"))
        else:
            message = notices_registry.readiness_news(slug=playbook.slug, title=playbook.title, criteria=criteria)
            to = Message(keys.only_message(key), "chat.postMessage", playbook.owner_id, message)
            work.append(Work(key, KIND, at, "done", playbook.id, user_id=playbook.owner_id, messages=[to]))
    return work
