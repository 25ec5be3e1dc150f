"""The reporting API's reads, for BI tools and spreadsheets (`GET /api/v1/playbooks`,
`/api/v1/playbooks/<slug>` and its `/readiness` and `/decisions`, `/api/v1/registry`,
`/api/v1/learnings`; the digest's is usecases/api_digest.py): a token with the read scope
sees the playbooks of its scope, as plain JSON data. The same reads answer an assistant
(handlers/mcp_tools.py), for a token over HTTP or for the operator over stdio
(`rollout mcp`, OPERATOR): one read model, two edges. Nothing here writes but a token's
last use (api_reports.note_use)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence import calendar
from cadence.judgement import Interval, ratio_interval, rubric_interval
from cadence.state import PlaybookState
from cadence.text import unstorable
from storage.models.access import ApiToken
from usecases import sections
from usecases.api_reports import note_use
from usecases.learnings_search import find
from usecases.shared import registry_list
from usecases.shared.governance import thresholds
from usecases.shared.services import Services

WEEKS_SHOWN = 12  # a playbook's weekly figures and verdicts, newest last
DECISIONS_SHOWN = 100  # a playbook's newest decisions a read gives (`more` says whether there are older ones)
LEARNINGS_SHOWN = 50  # the newest learnings a search gives, as a page of the web view's
SEARCH_WORDS = 10  # words in one search, as `/rollout learnings` takes (handlers/grammar.py)
WORD_CHARS = 100  # characters in one of them
QUERY_CHARS = 1000  # a search's whole text


class NotReadable(Exception):
    """The token may not read, or not this playbook: 403."""


class NotFound(Exception):
    """No playbook by that name in the token's scope: 404."""


class Unfit(ValueError):
    """A read's parameter that it cannot take (a search of too many words): 422, in one sentence."""


@dataclass(frozen=True)
class Operator:
    """Who reads over `rollout mcp` (stdio): the operator's own assistant, which holds
    DATABASE_URL and so reads every playbook. No token: no use is noted, no rate counted."""

    name: str = "operator"
    playbooks: None = None
    can_read: bool = True


OPERATOR = Operator()
Reader = ApiToken | Operator  # a token of the API (its scope), or the operator (everything)


def visible(token: Reader, slug: str | None) -> bool:
    """Whether the reader may see playbook `slug`; None: a team named by its channel only,
    which a token scoped to some playbooks does not see. The one check of a reader's
    scope: every read, of the API and of an assistant, filters what it names through it,
    the adopters of a playbook and the teams asking to adopt it as much as the playbook
    (the decisions read, in its query: Governance.history's `teams`, the same rule)."""
    return token.playbooks is None or (slug is not None and slug in token.playbooks)


def may_read(services: Services, token: Reader) -> None:
    """NotReadable unless the reader may read; a token's use noted (`rollout token list`)."""
    if not token.can_read:
        raise NotReadable(f"token {token.name} may not read")
    if isinstance(token, ApiToken):
        note_use(services, token)


def readable_state(store: Any, token: Reader, slug: str) -> PlaybookState:
    """The playbook `slug` in the reader's scope, or NotFound."""
    state = store.playbooks.state(slug) if visible(token, slug) else None
    if state is None:
        raise NotFound(f"no playbook {slug}")
    return state


def of_function(function: str | None) -> Callable[[str], bool]:
    """Whether a playbook's function is `function` (any case; None: every function)."""
    wanted = None if function is None else function.strip().casefold()
    return lambda its: wanted is None or its.casefold() == wanted


def playbooks(services: Services, token: Reader, function: str | None = None) -> list[dict[str, Any]]:
    """The playbooks the reader may read (of one function, or all)."""
    may_read(services, token)
    now = services.clock()
    wanted = of_function(function)
    with services.store.reading() as store:
        states = [
            s for s in store.playbooks.states() if visible(token, s.playbook.slug) and wanted(s.playbook.function)
        ]
        shown = sections.summary(sections.Reading(store, now), states)
        names = store.people.names(s.playbook.owner_id for s in states)
    return [_summary(state, now, shown[state.playbook.id], names) for state in states]


def playbook(services: Services, token: Reader, slug: str) -> dict[str, Any]:
    """One playbook: its definition, its state, and its last weeks' figures and verdicts."""
    may_read(services, token)
    with services.store.reading() as store:
        state = readable_state(store, token, slug)
        now = services.clock()
        summed = sections.summary(sections.Reading(store, now), [state])[state.playbook.id]
        summary = _summary(state, now, summed, store.people.names([state.playbook.owner_id]))
        today = calendar.local_date(now, state.playbook.timezone)
        monday = calendar.monday_of(today)
        weeks = [monday - timedelta(days=7 * i) for i in range(WEEKS_SHOWN - 1, -1, -1)]
        figures = store.reports.week_figures_many([(state, w) for w in weeks])
        history = store.governance.histories([state], max(WEEKS_SHOWN, thresholds(state).lookback_weeks))
        reading = sections.Reading(store, now, services.currency, services.hourly_rate, weeks=weeks, figures=figures)
        shown = sections.api(reading, [state])[state.playbook.id]
    verdicts = {(step.name, v.week_start): v.outcome for step in state.steps for v in history.states[step.id].verdicts}
    summary["definition"] = state.playbook.definition
    summary |= sections.api_fields(state, shown)
    summary["weeks"] = [
        dict(
            week=w.isoformat(),
            kpi=figures[(state.playbook.id, w)].kpi,
            **sections.api_week(shown, w),
            guardrail=figures[(state.playbook.id, w)].guardrail,
            steps=[
                dict(
                    step=s.name,
                    cases=s.cases,
                    exceptions=s.total_exceptions,
                    rubric=s.rubric,
                    reviewed=s.reviewed,
                    review_asked=s.asked,
                    verdict=verdicts.get((s.name, w)),
                    # each with its 95% Wilson interval on the week's cases (docs/judgement.md)
                    exception_ratio=s.total_exceptions / s.cases if s.cases else None,
                    exception_ratio_ci=_bounds(ratio_interval(s.total_exceptions, s.cases)),
                    rubric_ci=_bounds(rubric_interval(s.rubric, s.cases, s.reviewed)),
                )
                for s in figures[(state.playbook.id, w)].steps
            ],
        )
        for w in weeks
    ]
    return summary


def registry_entries(services: Services, token: Reader) -> list[dict[str, Any]]:
    """The versions of the playbooks in the token's scope, with their adopters in it, the
    requests to adopt them that made one of those adopters, and the learnings they carry
    from those adopters (each names its adopter, `from`) or of their own."""
    may_read(services, token)
    seen = [e for e in registry_list.entries(services.store, None) if visible(token, e["slug"])]
    # the wave names adopters the token may not see, and the API's schema has no wave yet
    return [
        dict(
            {k: v for k, v in e.items() if k != "wave"},
            adopters=[a for a in e["adopters"] if visible(token, a["slug"])],
            requests=[r for r in e["requests"] if visible(token, r["adopted"])],
            **_learnings_seen(token, e),
            # the adopting teams' setup time sums up every adopter: none when one is out of scope
            **_setups_seen(token, e),
            phase=registry_list.phase_seen(e, lambda slug: visible(token, slug)),  # an adopter out of scope unnamed
        )
        for e in seen
    ]


def _setups_seen(token: Reader, entry: dict[str, Any]) -> dict[str, Any]:
    """The adopting teams' setup, measured and said, sums up every adopter: none when one
    is out of the reader's scope."""
    every = all(visible(token, a["slug"]) for a in entry["adopters"])
    return dict(setup=entry["setup"] if every else None, setup_said=entry["setup_said"] if every else None)


def _learnings_seen(token: Reader, entry: dict[str, Any]) -> dict[str, Any]:
    """A version's learnings the reader may see: its own, and those carried back from an
    adopter in the reader's scope (a learning of another team is that team's)."""
    kept = [x for x in entry["all_learnings"] if "from" not in x or visible(token, x["from"])]
    return dict(learnings=len(kept), latest_learnings=kept[:3], all_learnings=kept)


def decisions(services: Services, token: Reader, slug: str, since: date | None = None) -> dict[str, Any]:
    """A playbook's decisions, newest first, as `/rollout history` lists them to anyone:
    what was decided, by which rule and on what numbers, by whom or what; those taken on
    or after `since` (a day where the playbook is), at most DECISIONS_SHOWN of them."""
    may_read(services, token)
    with services.store.reading() as store:
        state = readable_state(store, token, slug)
        # a decision naming a team outside the reader's scope is left out in the query, so
        # the newest DECISIONS_SHOWN are the reader's own (and `more` says whether there are older)
        scope = None if token.playbooks is None else frozenset(token.playbooks)
        rows = store.governance.history(state.playbook.id, None, DECISIONS_SHOWN + 1, scope)
    zone, steps = state.playbook.timezone, {s.id: s.name for s in state.steps}
    taken = [d for d in rows if since is None or calendar.local_date(d.decided_at, zone) >= since]
    return dict(
        playbook=slug,
        decisions=[
            dict(
                at=d.decided_at.isoformat(),
                kind=d.kind,
                summary=d.summary,
                rule=d.rule,
                figures=d.figures or {},
                actor=d.actor,
                step=steps.get(d.step_id) if d.step_id is not None else None,
                from_mode=d.from_mode,
                to_mode=d.to_mode,
            )
            for d in taken[:DECISIONS_SHOWN]
        ],
        more=len(taken) > DECISIONS_SHOWN,
    )


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day(text: str) -> date:
    """`since` as YYYY-MM-DD, or Unfit."""
    try:
        if DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise Unfit("since is a day, YYYY-MM-DD (2026-11-16)")


def search_words(query: str) -> tuple[str, ...]:
    """A search's words, as `/rollout learnings` takes them: each once, at most
    SEARCH_WORDS of at most WORD_CHARS characters (Unfit otherwise)."""
    if len(query) > QUERY_CHARS:
        raise Unfit(f"a search is at most {QUERY_CHARS:,} characters long")
    words = tuple(dict.fromkeys(query.split()))
    if len(words) > SEARCH_WORDS or any(len(word) > WORD_CHARS for word in words):
        raise Unfit(f"a search takes at most {SEARCH_WORDS} words of at most {WORD_CHARS} characters each")
    for word in words:
        what = unstorable(word, line_breaks=False)
        if what is not None:  # cadence/text.py: no learning holds it
            raise Unfit(f"the search holds {what}, which no learning holds: leave it out")
    return words


def learnings(services: Services, token: Reader, query: str, slug: str | None = None) -> dict[str, Any]:
    """Learnings holding every word of `query` (case-insensitive; none: the newest), newest
    first, of the reader's playbooks (or of the one named), at most LEARNINGS_SHOWN, each
    with its playbook, cycle, who and when, as `/rollout learnings` finds them."""
    may_read(services, token)
    words = search_words(query)
    with services.store.reading() as store:
        if slug is not None:
            readable_state(store, token, slug)
        scope = [slug] if slug is not None else token.playbooks
        found = find(store, words, LEARNINGS_SHOWN, slugs=scope)
    return dict(
        words=list(found.words),
        learnings=[
            dict(playbook=h.playbook, cycle=h.cycle, text=h.text, by=h.by, at=h.at.isoformat()) for h in found.hits
        ],
        more=found.more,
        bounded=found.bounded,
    )


def _bounds(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else dict(lower=interval.low, upper=interval.high)


def _week(state: PlaybookState, now: Any) -> calendar.WeekRef | None:
    """The week of its cycle a playbook is in now (None: no cycle)."""
    if state.anchor is None:
        return None
    return calendar.week_containing(state.running(), calendar.local_date(now, state.playbook.timezone))


def _summary(state: PlaybookState, now: Any, shown: sections.Read, names: dict[str, str]) -> dict[str, Any]:
    """A playbook as the list gives it; `names`: the people's names the clock keeps
    (storage/people.py), the owner shown by theirs beside the id, as the web view does."""
    playbook = state.playbook
    week = _week(state, now)
    return dict(
        slug=playbook.slug,
        title=playbook.title,
        function=playbook.function,
        status=playbook.status,
        owner=playbook.owner_id,
        owner_name=names.get(playbook.owner_id, playbook.owner_id),  # display name, else real name, else the id
        timezone=playbook.timezone,
        kpi=dict(
            name=playbook.kpi_name,
            unit=playbook.kpi_unit,
            direction=playbook.kpi_direction,
            baseline=playbook.kpi_baseline,
            **sections.summary_kpi(state, shown),
            target=playbook.kpi_target,
        ),
        cycle=week.cycle if week else None,
        week=week.week if week else None,
        modes={s.name: s.mode for s in state.steps},
        **sections.summary_fields(state, shown),
    )
