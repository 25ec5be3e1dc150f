"""The App Home tab: your playbooks, this week's check-in with its buttons, the proposals
you can decide, and for curators the registry. Built when someone opens it
(handlers/home.py) and again, through the outbox, after their data changed."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar, exception_queue, keys
from cadence.change import Message
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates import MAX_TEXT, Mrkdwn, mrkdwn
from templates.notices_home import Checkin, Home, HomePlaybook, HomeProposal, WeekAnswer, home_tab
from usecases.shared import champions, queue
from usecases.shared.queue import exception_owner
from usecases.shared.services import Services

log = logging.getLogger(__name__)


HOME_WEEKS = 8
HOME_REGISTRY_LINES = 25
# Block Kit allows 3,000 characters in a section: the lines shown, and room for "…and N more".
HOME_REGISTRY_CHARS = MAX_TEXT - 100


def home_view(store: Store, user_id: str, now: datetime) -> Home:
    """Someone's App Home: their playbooks (not retired) with this week and their last
    check-ins, the proposals they may decide, the exception items theirs to move, and
    for curators the registry."""
    states = [s for s in store.playbooks.of_person(user_id) if s.playbook.status != "retired"]
    weeks = _weeks(states, now)
    checkins = store.reports.latest_checkins(user_id, [(pid, w.week_start) for pid, w in weeks.items() if w])
    names: dict[int | None, str] = {step.id: step.name for s in states for step in s.steps}
    recent_weeks, recent = _recent(store, user_id, states, weeks)
    marks = store.champions.checklists([s.playbook.id for s in states if s.playbook.champion_id])
    playbooks = [_playbook(state, user_id, weeks, checkins, recent, recent_weeks, marks, names) for state in states]
    curator = store.org.is_curator(user_id)
    decidable = store.playbooks.states() if curator else [s for s in states if s.playbook.owner_id == user_id]
    registry, more = registry_lines(store.registry.versions()) if curator else ([], 0)
    items, items_more = _queue(store, decidable if curator else states, user_id, now, curator)
    return Home(
        playbooks=playbooks,
        proposals=_proposals(store, decidable, names),
        curator=curator,
        registry=registry,
        registry_more=more,
        items=items,
        items_more=items_more,
    )


def _playbook(
    state: PlaybookState,
    user_id: str,
    weeks: dict[int, calendar.WeekRef | None],
    checkins: dict[int, Any],
    recent: dict[tuple[int, date], Any],
    recent_weeks: dict[int, list[date]],
    marks: dict[int, Any],
    names: dict[int | None, str],
) -> HomePlaybook:
    """One of their playbooks: this week, their answer to it and to the weeks before."""
    p = state.playbook
    return HomePlaybook(
        slug=p.slug,
        title=p.title,
        status=p.status,
        playbook_id=p.id,
        week=weeks.get(p.id),
        steps=state.steps,
        owner=p.owner_id == user_id,
        kpi_name=p.kpi_name,
        champion=p.champion_id,
        checklist=champions.summary(_checklist(state, marks)),
        checkin=_answer(checkins.get(p.id), names),
        history=[WeekAnswer(day, *_said(recent.get((p.id, day)), names)) for day in recent_weeks.get(p.id, [])],
    )


def _weeks(states: list[PlaybookState], now: datetime) -> dict[int, calendar.WeekRef | None]:
    """The week each started playbook is in (None: between its runs)."""
    weeks = {}
    for state in states:
        if state.anchor is not None:
            today = calendar.local_date(now, state.playbook.timezone)
            weeks[state.playbook.id] = calendar.week_containing(
                calendar.CycleAnchor(state.anchor.number, state.anchor.starts_on), today
            )
    return weeks


def _recent(
    store: Store, user_id: str, states: list[PlaybookState], weeks: dict[int, calendar.WeekRef | None]
) -> tuple[dict[int, list[date]], dict[tuple[int, date], Any]]:
    """Their own check-ins of the last 8 weeks of each playbook (the current one
    included), and those weeks."""
    recent_weeks = {pid: _since_first(states, pid, w) for pid, w in weeks.items() if w}
    recent = store.reports.checkins_by_week(user_id, [(pid, day) for pid, days in recent_weeks.items() for day in days])
    return recent_weeks, recent


def _since_first(states: list[PlaybookState], pid: int, week: calendar.WeekRef) -> list[date]:
    """The last HOME_WEEKS weeks to `week`, none before the playbook's first cycle."""
    first = _first_day(states, pid)
    days = [week.week_start - timedelta(days=7 * i) for i in range(HOME_WEEKS - 1, -1, -1)]
    return [day for day in days if day >= first]


def _checklist(state: PlaybookState, marks: dict[int, Any]) -> list[Any]:
    p = state.playbook
    return champions.items(p.slug, state.spec.replication, marks[p.id]) if p.id in marks else []


def _answer(checkin: Any, names: dict[int | None, str]) -> Checkin | None:
    """This week's check-in: followed, or a deviation on a step."""
    return Checkin(checkin.attestation, names.get(checkin.step_id)) if checkin else None


def _said(checkin: Any, names: dict[int | None, str]) -> tuple[str | None, str | None]:
    """A week's answer and the step it deviated on, if they checked in."""
    return (checkin.attestation, names.get(checkin.step_id)) if checkin is not None else (None, None)


def _proposals(store: Store, decidable: list[PlaybookState], names: dict[int | None, str]) -> list[HomeProposal]:
    """The promotions they may decide: their own playbooks', or a curator's, every one's."""
    slugs = {s.playbook.id: s.playbook.slug for s in decidable}
    return [
        HomeProposal(
            slug=slugs[x.playbook_id],
            step=names.get(x.step_id) or _step_name(decidable, x.step_id),
            from_mode=x.from_mode,
            to_mode=x.to_mode,
            counter=x.figures.get("counter", ""),
            key=x.key,
        )
        for x in store.governance.open_proposals_of(list(slugs))
        if x.kind == "promotion"
    ]


def _queue(
    store: Store, states: list[PlaybookState], user_id: str, now: datetime, curator: bool
) -> tuple[list[dict[str, Any]], int]:
    """The open exception items of the playbooks whose queue is theirs (as exception owner
    or owner; a curator's: every playbook's, since a curator may move any item), oldest
    first: at most 10, and how many more."""
    theirs = states if curator else [s for s in states if user_id in (exception_owner(s), s.playbook.owner_id)]
    heads, counts = queue.open_heads(store, theirs, now)
    items = [{**item, "slug": state.playbook.slug} for state in theirs for item in heads[state.playbook.id]]
    items.sort(key=lambda i: -i["age"])
    return items[: exception_queue.SHOWN], sum(counts.values()) - min(len(items), exception_queue.SHOWN)


def registry_lines(versions: list[RegistryVersion]) -> tuple[list[Mrkdwn], int]:
    """The registry's lines for the Home tab, as many as fit one section (at most 25),
    and how many more there are: a registry of any size leaves the Home buildable."""
    lines: list[Mrkdwn] = []
    used = 0
    for v in versions:
        function = v.function if len(v.function) <= 30 else v.function[:29] + "…"
        line = mrkdwn("• *{} v{}* ({}), {}", v.slug, v.version, function, v.published_at.date().isoformat())
        if len(lines) == HOME_REGISTRY_LINES or used + len(line) + 1 > HOME_REGISTRY_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    return lines, len(versions) - len(lines)


def _first_day(states: list[PlaybookState], playbook_id: int) -> date:
    """The first day of the playbook's first cycle: weeks before it had no check-ins to ask for."""
    state = next(s for s in states if s.playbook.id == playbook_id)
    return state.anchor.starts_on if state.anchor else date.max


def _step_name(states: list[PlaybookState], step_id: int | None) -> str:
    return next((step.name for s in states for step in s.steps if step.id == step_id), "?")


def refresh(store: Store, user_id: str, now: datetime) -> Message | None:
    """An outbox message that republishes someone's Home tab after their data changed;
    None if the Home cannot be built (logged): the click or form that changed the data
    stands all the same."""
    try:
        view = home_tab(home_view(store, user_id, now))
    except Exception:
        log.exception("the App Home of %s could not be built; it is not refreshed", user_id)
        return None
    return _publish(user_id, view)


def _publish(user_id: str, view: dict[str, Any]) -> Message:
    return Message(keys.home_refresh(user_id, uuid.uuid4().hex), "views.publish", user_id, {"view": view})


def opened(services: Services, user_id: str) -> dict[str, Any]:
    """The Home tab someone just opened."""
    return home_tab(home_view(services.store, user_id, services.clock()))


def publish_later(services: Services, user_id: str, view: dict[str, Any]) -> None:
    """The Home tab someone opened, when it could not be published while Slack waited for
    the event's answer: the outbox publishes it (views.publish is idempotent, so a call
    that did get through before its answer was lost does no harm)."""
    with services.store.unit_of_work() as uow:
        uow.outbox.enqueue([_publish(user_id, view)], services.clock())
        uow.commit()
