"""`/rollout ...` typed, on the fakes: handlers/commands.py's answer (the grammar's row, its
use case through usecases/bus.py, its reply or its refusal) without Bolt or HTTP; what the
person reads, as the Slack stand-in's Reply.text has it; a week's reports typed so; and the
operator's `rollout playbook load` of a definition changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from cadence import mode_move
from cadence.definition_load import parse_playbook
from handlers.commands import answer
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, CURATOR, MEMBER, OWNER
from usecases import publish_over as publish_over_click
from usecases.shared.services import Services
from usecases.shared.told import record_loaded


def slash(services: Services, text: str, user: str = MEMBER, channel: str = CHANNEL) -> str:
    reply, _ = answer(services, cast(Any, None), {"text": text, "user_id": user, "channel_id": channel})
    return json.dumps(reply, ensure_ascii=False)


def publish_over(
    services: Services, text: str, user: str = CURATOR, decider: str = ADMIN, assessed: bool = True
) -> str:
    """`/rollout <text>` (a publish with `override <reason>`) by `user`; over readiness the
    request it makes (issue 93, item 5) approved by `decider`: the announcement, as text.
    `assessed`: the playbook's post-pilot assessment kept before (fakes.assess_kept), so
    that the version takes its second pilot (cadence/phases.py)."""
    if assessed and fakes.store_of(services).playbooks.state(text.split()[1]) is not None:
        fakes.assess_kept(services, text.split()[1])
    before = set(fakes.store_of(services).held.publish_requests)
    reply = slash(services, text, user)
    asked = [r for i, r in fakes.store_of(services).held.publish_requests.items() if i not in before]
    if not asked or asked[0].state != "open":
        return reply
    return json.dumps(publish_over_click.approve(fakes.caller(services, decider), str(asked[0].id)), ensure_ascii=False)


def report_week(
    services: Services,
    week: int,
    draft: tuple[int, int, str] = (20, 0, "95%"),
    send: tuple[int, int] = (20, 0),
    kpi: str | None = "14",
    send_rubric: str | None = "2/2",
    slug: str = "support-replies",
) -> None:
    """What the owner and a member type during week `week` of a cycle from Monday 16 November
    2026 (tests/usecases/test_governance.py's report_week): `send_rubric` the AI-led step's
    review at its rate, 2 of its 20 cases (None: not reviewed)."""
    cast(Any, services.clock).at = datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))
    cases, exceptions, rubric = draft
    assert "cases" in slash(services, f"cases {slug} draft {cases}", OWNER)
    assert "Rubric" in slash(services, f"rubric {slug} draft {rubric}", OWNER)
    for i in range(exceptions):
        slash(services, f"exception {slug} draft case {i} went wrong", OWNER)
    send_cases, send_exceptions = send
    slash(services, f"cases {slug} send {send_cases}", OWNER)
    if send_rubric is not None:  # refused, storing nothing, where send has `rubric: none`
        slash(services, f"rubric {slug} send {send_rubric}", OWNER)
    for i in range(send_exceptions):
        slash(services, f"exception {slug} send refund {i} over the limit", OWNER)
    slash(services, f"cases {slug} refunds 12", OWNER)
    slash(services, f"rubric {slug} refunds 0.91", OWNER)
    if kpi is not None:
        assert "Recorded" in slash(services, f"kpi {slug} {kpi}", MEMBER)


def load(services: Services, slug: str = "support-replies", **changes: Any) -> None:
    """`slug`'s definition written with `changes`, now, with its decisions recorded as the
    use case records them (usecases/shared/told.py). A fixture, not the file's path: the
    storage's load, with the moves up it declares written as if cleared (the world as a
    test sets it up). What `rollout playbook load` does to a running playbook's bar and
    modes is usecases/operator.py's (tests/usecases/fast/test_bar_loaded.py)."""
    state = services.store.playbooks.state(slug)
    assert state is not None
    spec, at = parse_playbook({**state.playbook.definition, **changes}), services.clock()
    with services.store.unit_of_work() as uow:
        for outcome in uow.playbooks.load([spec], "UTC", "test", at):
            record_loaded(uow, outcome, at, ups=[mode_move.unjudged(m) for m in outcome.ups])
        uow.commit()
